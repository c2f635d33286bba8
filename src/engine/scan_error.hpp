// Carries an sqlflow::Error raised inside a DuckDB callback (table function) back to the thread
// that ran the query, so its kind, retryable flag and hint survive the trip through DuckDB,
// which only passes a message string.
#pragma once

#include <string>

#include "core/error.hpp"

namespace sqlflow::engine {

// Stores the error and returns the message to hand to DuckDB (tagged so it can be found again).
std::string stash_scan_error(const Error& error);
// If `duckdb_message` carries a tag from stash_scan_error, throws that Error (once).
void rethrow_scan_error_if_any(const std::string& duckdb_message);

}  // namespace sqlflow::engine
