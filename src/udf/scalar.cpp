// DuckDB's C API for scalar functions (duckdb.h, "Scalar Functions"): function sets, extra info
// with a deleter, set_special_handling so that NULLs reach the function, set_error to fail.
#include "udf/scalar.hpp"

#include <cstring>
#include <memory>
#include <vector>

#include "core/error.hpp"
#include "udf/python.hpp"
#include "udf/values.hpp"

namespace sqlflow::udf {

namespace {

struct ScalarUdf {
  std::string qualified;
  std::filesystem::path root;
  PyObject* fn = nullptr;  // owned
  duckdb_type result = DUCKDB_TYPE_DOUBLE;
  bool vectorized = false;
  PyObject* frombuffer = nullptr;  // owned: numpy.frombuffer for vectorized UDFs, when numpy is installed
};

void destroy(void* p) {
  auto* udf = static_cast<ScalarUdf*>(p);
  if (python_started()) {
    Gil gil;
    Py_XDECREF(udf->fn);
    Py_XDECREF(udf->frombuffer);
  }
  delete udf;
}

// numpy.frombuffer (a new reference), or nullptr when numpy is not installed (vectorized UDFs
// then get lists). Looked up at registration, on one thread: a lazy lookup inside `call` would
// import numpy from DuckDB's workers, where a static initializer's lock and the GIL deadlock.
PyObject* numpy_frombuffer() {
  Ref np(PyImport_ImportModule("numpy"));
  if (!np) {
    PyErr_Clear();
    return nullptr;
  }
  return PyObject_GetAttrString(np.get(), "frombuffer");
}

const char* numpy_dtype(duckdb_type t) {
  switch (t) {
    case DUCKDB_TYPE_BOOLEAN:
      return "bool";
    case DUCKDB_TYPE_INTEGER:
      return "int32";
    case DUCKDB_TYPE_BIGINT:
      return "int64";
    case DUCKDB_TYPE_FLOAT:
      return "float32";
    case DUCKDB_TYPE_DOUBLE:
      return "float64";
    default:
      return nullptr;
  }
}

size_t type_size(duckdb_type t) {
  switch (t) {
    case DUCKDB_TYPE_BOOLEAN:
      return 1;
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_FLOAT:
      return 4;
    default:
      return 8;
  }
}

struct Column {
  Vector vec;
  LogicalType type;
};

std::string failure(const ScalarUdf& udf, const std::string& what) {
  return udf.qualified + ": " + what;
}

// Plain functions: one call per row (vectorcall: no argument tuple), NULL as None.
bool call_rows(const ScalarUdf& udf, const std::vector<Column>& cols, size_t n, const Vector& out,
               std::string& error) {
  std::vector<PyObject*> argv(cols.size(), nullptr);
  auto clear = [&] {
    for (auto& a : argv) Py_CLEAR(a);
  };
  for (size_t row = 0; row < n; ++row) {
    for (size_t c = 0; c < cols.size(); ++c) {
      argv[c] = to_python(cols[c].vec, cols[c].type, row);
      if (!argv[c]) {
        clear();
        return (error = failure(udf, take_python_error(udf.root)), false);
      }
    }
    Ref result(PyObject_Vectorcall(udf.fn, argv.data(), cols.size(), nullptr));
    clear();
    if (!result) return (error = failure(udf, take_python_error(udf.root)), false);
    std::string why;
    if (!from_python(result.get(), udf.result, out, row, why)) return (error = failure(udf, why), false);
  }
  return true;
}

// Vectorized functions: one call per batch with a list, or a numpy array over DuckDB's memory,
// per argument; rows where an argument is NULL are NULL in the result.
bool call_vector(const ScalarUdf& udf, const std::vector<Column>& cols, size_t n, const Vector& out,
                 std::string& error) {
  Ref args(PyTuple_New(static_cast<Py_ssize_t>(cols.size())));
  std::vector<bool> null_row(n, false);
  for (size_t c = 0; c < cols.size(); ++c) {
    const duckdb_type t = cols[c].type.id();
    for (size_t row = 0; row < n; ++row)
      if (!cols[c].vec.is_valid(row)) null_row[row] = true;
    PyObject* arg = nullptr;
    if (const char* dtype = numpy_dtype(t); dtype && udf.frombuffer) {
      Ref view(PyMemoryView_FromMemory(static_cast<char*>(duckdb_vector_get_data(cols[c].vec.handle())),
                                       static_cast<Py_ssize_t>(n * type_size(t)), PyBUF_READ));
      arg = view ? PyObject_CallFunction(udf.frombuffer, "Os", view.get(), dtype) : nullptr;
    } else {
      arg = PyList_New(static_cast<Py_ssize_t>(n));
      for (size_t row = 0; arg && row < n; ++row) {
        PyObject* value = to_python(cols[c].vec, cols[c].type, row);
        if (!value) {
          Py_CLEAR(arg);
          break;
        }
        PyList_SET_ITEM(arg, static_cast<Py_ssize_t>(row), value);
      }
    }
    if (!arg) return (error = failure(udf, take_python_error(udf.root)), false);
    PyTuple_SET_ITEM(args.get(), static_cast<Py_ssize_t>(c), arg);
  }
  Ref result(PyObject_Call(udf.fn, args.get(), nullptr));
  if (!result) return (error = failure(udf, take_python_error(udf.root)), false);
  // A numpy array of the result's own type is copied as it is.
  Py_buffer buf;
  if (numpy_dtype(udf.result) && PyObject_CheckBuffer(result.get()) &&
      PyObject_GetBuffer(result.get(), &buf, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) == 0) {
    const std::string format = buf.format ? buf.format : "B";
    const bool matches = static_cast<size_t>(buf.len) == n * type_size(udf.result) &&
                         static_cast<size_t>(buf.itemsize) == type_size(udf.result) &&
                         ((udf.result == DUCKDB_TYPE_DOUBLE && format == "d") ||
                          (udf.result == DUCKDB_TYPE_FLOAT && format == "f") ||
                          (udf.result == DUCKDB_TYPE_BOOLEAN && format == "?") ||
                          ((udf.result == DUCKDB_TYPE_BIGINT || udf.result == DUCKDB_TYPE_INTEGER) &&
                           (format == "l" || format == "q" || format == "i")));
    if (matches) std::memcpy(duckdb_vector_get_data(out.handle()), buf.buf, static_cast<size_t>(buf.len));
    PyBuffer_Release(&buf);
    if (matches) {
      for (size_t row = 0; row < n; ++row)
        if (null_row[row]) out.set_null(row);
      return true;
    }
  }
  PyErr_Clear();
  Ref items(PySequence_Fast(result.get(), "a vectorized UDF must return a list or an array"));
  if (!items) return (error = failure(udf, take_python_error(udf.root)), false);
  if (static_cast<size_t>(PySequence_Fast_GET_SIZE(items.get())) != n)
    return (error = failure(udf, "returned " + std::to_string(PySequence_Fast_GET_SIZE(items.get())) +
                                     " values for " + std::to_string(n) + " rows"),
            false);
  PyObject** values = PySequence_Fast_ITEMS(items.get());
  for (size_t row = 0; row < n; ++row) {
    std::string why;
    if (null_row[row])
      out.set_null(row);
    else if (!from_python(values[row], udf.result, out, row, why))
      return (error = failure(udf, why), false);
  }
  return true;
}

void call(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) {
  auto* udf = static_cast<ScalarUdf*>(duckdb_scalar_function_get_extra_info(info));
  const size_t n = duckdb_data_chunk_get_size(input);
  std::vector<Column> cols;
  for (idx_t c = 0; c < duckdb_data_chunk_get_column_count(input); ++c) {
    duckdb_vector v = duckdb_data_chunk_get_vector(input, c);
    cols.push_back({Vector(v), LogicalType::adopt(duckdb_vector_get_column_type(v))});
  }
  Vector out(output);
  duckdb_vector_ensure_validity_writable(output);
  std::string error;
  bool ok;
  {
    Gil gil;
    ok = udf->vectorized ? call_vector(*udf, cols, n, out, error) : call_rows(*udf, cols, n, out, error);
  }
  if (!ok) duckdb_scalar_function_set_error(info, error.c_str());
}

duckdb_logical_type param_type(const UdfParam& p) {
  const duckdb_type t = p.sql_type.empty() ? DUCKDB_TYPE_INVALID : return_type_id(p.sql_type);
  return duckdb_create_logical_type(t == DUCKDB_TYPE_INVALID ? DUCKDB_TYPE_ANY : t);
}

}  // namespace

bool supported_return_type(const std::string& sql_type) {
  return return_type_id(sql_type) != DUCKDB_TYPE_INVALID;
}

void register_scalar_udfs(engine::Connection& con, const Catalog& catalog,
                          const std::filesystem::path& project_root) {
  for (const auto& u : catalog.udfs) {
    if (u.kind != "scalar") continue;
    const duckdb_type result = return_type_id(u.return_type);
    if (result == DUCKDB_TYPE_INVALID)
      throw validation_error(
          "UDF " + u.qualified() + " returns " + u.return_type + ", which sqlflow cannot return",
          "annotate it with str, int, float, bool, datetime.date or datetime.datetime, or pass "
          "returns=\"VARCHAR\" (or BIGINT, DOUBLE, BOOLEAN, DATE, TIMESTAMP) to the decorator");
    size_t required = 0;
    while (required < u.params.size() && !u.params[required].has_default) ++required;
    duckdb_scalar_function_set set = duckdb_create_scalar_function_set(u.sql_name().c_str());
    for (size_t arity = required; arity <= u.params.size(); ++arity) {
      auto* extra = new ScalarUdf{u.qualified(), std::filesystem::absolute(project_root), nullptr, result,
                                  u.vectorized};
      {
        Gil gil;
        extra->fn = udf_function(u);
        if (u.vectorized) extra->frombuffer = numpy_frombuffer();
      }
      duckdb_scalar_function f = duckdb_create_scalar_function();
      duckdb_scalar_function_set_name(f, u.sql_name().c_str());
      for (size_t k = 0; k < arity; ++k) {
        duckdb_logical_type t = param_type(u.params[k]);
        duckdb_scalar_function_add_parameter(f, t);
        duckdb_destroy_logical_type(&t);
      }
      duckdb_logical_type r = duckdb_create_logical_type(result);
      duckdb_scalar_function_set_return_type(f, r);
      duckdb_destroy_logical_type(&r);
      duckdb_scalar_function_set_special_handling(f);  // NULLs reach the function (as None)
      duckdb_scalar_function_set_extra_info(f, extra, destroy);
      duckdb_scalar_function_set_function(f, call);
      duckdb_add_scalar_function_to_set(set, f);
      duckdb_destroy_scalar_function(&f);
    }
    duckdb_state st;
    {
      // Registration may run DuckDB code that waits for its workers: without the GIL.
      st = duckdb_register_scalar_function_set(con.handle(), set);
    }
    duckdb_destroy_scalar_function_set(&set);
    if (st != DuckDBSuccess) throw internal_error("DuckDB refused to register UDF " + u.qualified());
  }
}

}  // namespace sqlflow::udf
