// The incremental-transform macros @start_date @end_date @start_dt @end_dt (SQLFlow's) are not
// SQL: before DuckDB sees a query they become typed literals of the window being computed.
#pragma once

#include <string>

namespace sqlflow::pipeline {

// `sql` with @start_dt/@end_dt as TIMESTAMP literals and @start_date/@end_date as DATE ones.
// start_ts/end_ts are timestamps as DuckDB reads them ("2024-01-02 03:04:05", "-infinity").
std::string bind_time_macros(const std::string& sql, const std::string& start_ts, const std::string& end_ts);

}  // namespace sqlflow::pipeline
