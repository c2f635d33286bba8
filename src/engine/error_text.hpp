// DuckDB's error messages carry an excerpt of the statement ("LINE 1: SELECT …" and a caret);
// where the statement is sqlflow's own (a reader over a user's file), the excerpt says nothing
// the user wrote and is dropped.
#pragma once

#include <string>

namespace sqlflow::engine {

// The message without DuckDB's "LINE n: …" excerpt lines (and the caret under them).
std::string strip_sql_excerpt(const std::string& message);

}  // namespace sqlflow::engine
