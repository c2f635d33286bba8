// DuckDB's errors point into the statement it was given: "LINE 2: <excerpt>" and a caret under
// it. A pipeline's SQL starts somewhere in a .sf file, so these move that position to the file
// (where format_errors prints the file's own line and caret) and drop DuckDB's excerpt.
#pragma once

#include <string>

#include "core/error.hpp"

namespace sqlflow::pipeline {

// `error` came from running a statement that holds `user_sql` with nothing but same-line text
// before it (e.g. "CREATE OR REPLACE TABLE t AS " + user_sql); `start` is where user_sql begins in
// the file. Returns the error located at the file line and column DuckDB pointed at, without the
// excerpt; when DuckDB gave no position, located at `start`.
Error locate_sql_error(const Error& error, const std::string& user_sql, const SourceLocation& start);

}  // namespace sqlflow::pipeline
