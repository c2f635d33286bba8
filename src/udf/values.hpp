// One value between a DuckDB vector and Python: BOOLEAN ↔ bool, integers ↔ int, FLOAT/DOUBLE ↔
// float, DECIMAL → decimal.Decimal (exact), VARCHAR ↔ str, DATE ↔ datetime.date, TIMESTAMP ↔
// datetime.datetime, NULL ↔ None; other types arrive as their text. The GIL must be held.
#pragma once

#include <Python.h>

#include <string>

#include "core/data_chunk.hpp"

namespace sqlflow::udf {

// A new reference to the value of `v` at `row` (Py_None for NULL); nullptr with a Python error set
// when it cannot be made.
PyObject* to_python(const Vector& v, const LogicalType& type, size_t row);

// Writes `o` to `out` at `row` as `type` (Py_None → NULL). False, with `error` set, for a value
// that does not fit the type.
bool from_python(PyObject* o, duckdb_type type, const Vector& out, size_t row, std::string& error);

// The DuckDB type of a SQL type name a UDF may return (BOOLEAN, INTEGER, BIGINT, FLOAT, DOUBLE,
// VARCHAR, DATE, TIMESTAMP and their usual aliases); DUCKDB_TYPE_INVALID for others.
duckdb_type return_type_id(const std::string& sql_type);

}  // namespace sqlflow::udf
