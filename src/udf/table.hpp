// Table UDFs: `SELECT … FROM PYTHON_FUNC("python_udfs.mod.fn", some_table)`. DuckDB's C API
// table functions take only scalar arguments, so the call is run before its statement: the
// input rows become a pandas DataFrame (a list of dicts without pandas), the function's result
// becomes a temporary table of all its columns (those of its output_schema with the declared types,
// which must be there; the others with their dtypes' types, as SQLFlow registers the whole
// DataFrame), and the statement reads that table in the call's place.
#pragma once

#include <filesystem>
#include <string>

#include "engine/connection.hpp"
#include "udf/catalog.hpp"

namespace sqlflow::udf {

// Runs `udf` over `SELECT * FROM input_relation` on `con` and leaves the result in the temporary
// table `result_table` on that connection. A Python exception is a data Error naming the UDF.
void run_table_udf(engine::Connection& con, const UdfInfo& udf, const std::string& input_relation,
                   const std::string& result_table, const std::filesystem::path& project_root);

// An empty temporary table `result_table` with the columns the UDF's result is expected to have
// (for `pipeline validate`): the input's (a DataFrame is usually copied and extended), with the
// output_schema's types and its extra columns. Only a run knows the columns for sure.
void declare_table_udf_result(engine::Connection& con, const UdfInfo& udf, const std::string& input_relation,
                              const std::string& result_table);

}  // namespace sqlflow::udf
