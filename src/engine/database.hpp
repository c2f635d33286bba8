// RAII wrappers of DuckDB's database and connection handles. Every C API status is checked here
// and turned into an sqlflow::Error carrying DuckDB's own message.
#pragma once

#include <duckdb.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sqlflow::engine {

struct DatabaseConfig {
  std::string path;                             // empty or ":memory:" → in memory
  std::optional<int> threads;                   // default: DuckDB's (number of cores)
  std::string memory_limit;                     // e.g. "2GB"; empty → DuckDB's default
  std::map<std::string, std::string> settings;  // any other DuckDB option
};

class Database {
 public:
  explicit Database(const DatabaseConfig& config = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  duckdb_database handle() const { return db_; }
  bool in_memory() const { return in_memory_; }
  const std::string& path() const { return path_; }

 private:
  duckdb_database db_ = nullptr;
  bool in_memory_ = true;
  std::string path_;
};

// The names of DuckDB's configuration options (for checking a profile's settings up front).
std::vector<std::string> config_option_names();

// Whether DuckDB takes `value` for its configuration option `name` (the check duckdb_open would
// make, without opening anything), e.g. false for memory_limit "lots" or threads "many".
bool config_value_accepted(const std::string& name, const std::string& value);

// The DuckDB library version string, e.g. "v1.4.4".
std::string duckdb_version();

}  // namespace sqlflow::engine
