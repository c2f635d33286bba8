#include "udf/values.hpp"

#include <datetime.h>

#include <cctype>
#include <cmath>

#include "udf/python.hpp"
#include "udf/startup.hpp"

namespace sqlflow::udf {

namespace {

PyObject* g_decimal = nullptr;  // decimal.Decimal, kept for good (startup::init_values)

bool fail(std::string& error, const std::string& what) {
  error = what;
  PyErr_Clear();
  return false;
}

}  // namespace

std::string startup::init_values() {
  Ref module(PyImport_ImportModule("decimal"));
  g_decimal = module ? PyObject_GetAttrString(module.get(), "Decimal") : nullptr;
  if (!g_decimal) return "decimal.Decimal is missing: " + take_python_error();
  PyDateTime_IMPORT;
  if (!PyDateTimeAPI) return "the datetime C API is missing: " + take_python_error();
  return "";
}

PyObject* to_python(const Vector& v, const LogicalType& type, size_t row) {
  if (!v.is_valid(row)) Py_RETURN_NONE;
  switch (type.id()) {
    case DUCKDB_TYPE_BOOLEAN:
      return PyBool_FromLong(v.get<bool>(row));
    case DUCKDB_TYPE_TINYINT:
      return PyLong_FromLong(v.get<int8_t>(row));
    case DUCKDB_TYPE_SMALLINT:
      return PyLong_FromLong(v.get<int16_t>(row));
    case DUCKDB_TYPE_INTEGER:
      return PyLong_FromLong(v.get<int32_t>(row));
    case DUCKDB_TYPE_BIGINT:
      return PyLong_FromLongLong(v.get<int64_t>(row));
    case DUCKDB_TYPE_UTINYINT:
      return PyLong_FromUnsignedLong(v.get<uint8_t>(row));
    case DUCKDB_TYPE_USMALLINT:
      return PyLong_FromUnsignedLong(v.get<uint16_t>(row));
    case DUCKDB_TYPE_UINTEGER:
      return PyLong_FromUnsignedLong(v.get<uint32_t>(row));
    case DUCKDB_TYPE_UBIGINT:
      return PyLong_FromUnsignedLongLong(v.get<uint64_t>(row));
    case DUCKDB_TYPE_FLOAT:
      return PyFloat_FromDouble(v.get<float>(row));
    case DUCKDB_TYPE_DOUBLE:
      return PyFloat_FromDouble(v.get<double>(row));
    case DUCKDB_TYPE_VARCHAR: {
      std::string_view s = v.get_string(row);
      return PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
    }
    case DUCKDB_TYPE_DECIMAL:
    case DUCKDB_TYPE_HUGEINT: {
      const std::string text = v.to_string(row, type);
      if (type.id() == DUCKDB_TYPE_HUGEINT) return PyLong_FromString(text.c_str(), nullptr, 10);
      return PyObject_CallFunction(g_decimal, "s", text.c_str());
    }
    case DUCKDB_TYPE_DATE: {
      duckdb_date_struct d = duckdb_from_date(v.get<duckdb_date>(row));
      if (d.year < 1 || d.year > 9999) return PyUnicode_FromString(v.to_string(row, type).c_str());
      return PyDate_FromDate(d.year, d.month, d.day);
    }
    case DUCKDB_TYPE_TIMESTAMP: {
      duckdb_timestamp_struct t = duckdb_from_timestamp(v.get<duckdb_timestamp>(row));
      if (t.date.year < 1 || t.date.year > 9999) return PyUnicode_FromString(v.to_string(row, type).c_str());
      return PyDateTime_FromDateAndTime(t.date.year, t.date.month, t.date.day, t.time.hour, t.time.min,
                                        t.time.sec, t.time.micros);
    }
    default: {
      const std::string text = v.to_string(row, type);
      return PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "replace");
    }
  }
}

bool from_python(PyObject* o, duckdb_type type, const Vector& out, size_t row, std::string& error) {
  if (o == Py_None) {
    out.set_null(row);
    return true;
  }
  switch (type) {
    case DUCKDB_TYPE_BOOLEAN: {
      int truth = PyObject_IsTrue(o);
      if (truth < 0) return fail(error, "a BOOLEAN result cannot be made of " + to_utf8(o));
      out.set<bool>(row, truth == 1);
      return true;
    }
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT: {
      if (PyFloat_Check(o) && std::isnan(PyFloat_AsDouble(o))) {
        out.set_null(row);  // pandas' missing value
        return true;
      }
      Ref as_int(PyNumber_Long(o));
      if (!as_int) return fail(error, "an integer result cannot be made of " + to_utf8(o));
      int overflow = 0;
      long long value = PyLong_AsLongLongAndOverflow(as_int.get(), &overflow);
      if (overflow || (type == DUCKDB_TYPE_INTEGER && (value < INT32_MIN || value > INT32_MAX)))
        return fail(error, "the result " + to_utf8(o) + " does not fit its integer type");
      if (type == DUCKDB_TYPE_INTEGER)
        out.set<int32_t>(row, static_cast<int32_t>(value));
      else
        out.set<int64_t>(row, value);
      return true;
    }
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE: {
      double d = PyFloat_AsDouble(o);
      if (d == -1.0 && PyErr_Occurred())
        return fail(error, "a number result cannot be made of " + to_utf8(o));
      if (type == DUCKDB_TYPE_FLOAT)
        out.set<float>(row, static_cast<float>(d));
      else
        out.set<double>(row, d);
      return true;
    }
    case DUCKDB_TYPE_VARCHAR: {
      if (PyUnicode_Check(o)) {
        Py_ssize_t n = 0;
        const char* s = PyUnicode_AsUTF8AndSize(o, &n);
        if (!s) return fail(error, "the result is not valid text");
        out.set_string(row, std::string_view(s, static_cast<size_t>(n)));
      } else {
        out.set_string(row, to_utf8(o));
      }
      return true;
    }
    case DUCKDB_TYPE_DATE: {
      if (!PyDate_Check(o)) return fail(error, "a DATE result must be a datetime.date, got " + to_utf8(o));
      duckdb_date_struct d{PyDateTime_GET_YEAR(o), static_cast<int8_t>(PyDateTime_GET_MONTH(o)),
                           static_cast<int8_t>(PyDateTime_GET_DAY(o))};
      out.set<duckdb_date>(row, duckdb_to_date(d));
      return true;
    }
    case DUCKDB_TYPE_TIMESTAMP: {
      if (!PyDateTime_Check(o))
        return fail(error, "a TIMESTAMP result must be a datetime.datetime, got " + to_utf8(o));
      duckdb_timestamp_struct t;
      t.date = {PyDateTime_GET_YEAR(o), static_cast<int8_t>(PyDateTime_GET_MONTH(o)),
                static_cast<int8_t>(PyDateTime_GET_DAY(o))};
      t.time = {static_cast<int8_t>(PyDateTime_DATE_GET_HOUR(o)),
                static_cast<int8_t>(PyDateTime_DATE_GET_MINUTE(o)),
                static_cast<int8_t>(PyDateTime_DATE_GET_SECOND(o)), PyDateTime_DATE_GET_MICROSECOND(o)};
      out.set<duckdb_timestamp>(row, duckdb_to_timestamp(t));
      return true;
    }
    default:
      return fail(error, "unsupported result type");
  }
}

duckdb_type return_type_id(const std::string& sql_type) {
  std::string t;
  for (char c : sql_type)
    if (!std::isspace(static_cast<unsigned char>(c)))
      t += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (t == "BOOLEAN" || t == "BOOL") return DUCKDB_TYPE_BOOLEAN;
  if (t == "INTEGER" || t == "INT" || t == "INT4") return DUCKDB_TYPE_INTEGER;
  if (t == "BIGINT" || t == "INT8" || t == "LONG") return DUCKDB_TYPE_BIGINT;
  if (t == "FLOAT" || t == "REAL" || t == "FLOAT4") return DUCKDB_TYPE_FLOAT;
  if (t == "DOUBLE" || t == "FLOAT8" || t == "NUMERIC" || t == "DECIMAL") return DUCKDB_TYPE_DOUBLE;
  if (t == "VARCHAR" || t == "TEXT" || t == "STRING" || t == "STR") return DUCKDB_TYPE_VARCHAR;
  if (t == "DATE") return DUCKDB_TYPE_DATE;
  if (t == "TIMESTAMP" || t == "DATETIME") return DUCKDB_TYPE_TIMESTAMP;
  return DUCKDB_TYPE_INVALID;
}

}  // namespace sqlflow::udf
