// Scalar UDFs as DuckDB scalar functions (C API), one function set per UDF named by
// UdfInfo::sql_name(), with one overload per number of arguments its defaults allow. DuckDB calls
// them from its worker threads with up to 2048 rows at a time: the GIL is taken once per batch,
// and the batch crosses into Python either row by row (a plain function) or whole (vectorized:
// lists, or numpy arrays over DuckDB's own memory for numbers). NULL arrives as None (row mode);
// vectorized functions get NULL rows masked in their result. A Python exception fails the query
// with the UDF's name, the exception and its file:line.
#pragma once

#include <filesystem>

#include "engine/connection.hpp"
#include "udf/catalog.hpp"

namespace sqlflow::udf {

// Registers every scalar UDF of `catalog` in the database of `con` (all its connections see
// them). Throws a validation Error for a UDF whose return type is not supported.
void register_scalar_udfs(engine::Connection& con, const Catalog& catalog,
                          const std::filesystem::path& project_root);

// The SQL return types a scalar UDF may have.
bool supported_return_type(const std::string& sql_type);

}  // namespace sqlflow::udf
