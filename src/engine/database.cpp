#include "engine/database.hpp"

#include <filesystem>

#include "core/error.hpp"

namespace sqlflow::engine {

namespace {
struct Config {
  duckdb_config handle = nullptr;
  Config() {
    if (duckdb_create_config(&handle) != DuckDBSuccess) throw internal_error("cannot create DuckDB config");
  }
  ~Config() { duckdb_destroy_config(&handle); }
  void set(const std::string& name, const std::string& value) {
    if (duckdb_set_config(handle, name.c_str(), value.c_str()) != DuckDBSuccess)
      throw config_error("invalid DuckDB setting " + name + " = '" + value + "'",
                         "see DuckDB's configuration reference for valid names and values");
  }
};
}  // namespace

Database::Database(const DatabaseConfig& config) {
  in_memory_ = config.path.empty() || config.path == ":memory:";
  path_ = in_memory_ ? ":memory:" : config.path;
  if (!in_memory_) {
    // A new database file may live in a folder that does not exist yet (e.g. target/).
    std::error_code ec;
    auto parent = std::filesystem::path(path_).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  }
  Config cfg;
  if (config.threads) cfg.set("threads", std::to_string(*config.threads));
  if (!config.memory_limit.empty()) cfg.set("memory_limit", config.memory_limit);
  // Extensions are never downloaded: everything sqlflow needs is built into libduckdb.
  cfg.set("autoinstall_known_extensions", "false");
  // DuckDB's allocator (jemalloc) purges freed memory on its own schedule only with its background
  // threads (otherwise when an arena allocates again): without them a LOAD then EXPORT of 100M rows
  // under memory_limit 1GB peaked at 1,257-1,523 MiB over four runs, with them at 1,199-1,241 MiB and
  // no slower (bench/results/scale-allocator-20261205.json). A profile's settings may turn it off.
  cfg.set("allocator_background_threads", "true");
  for (const auto& [k, v] : config.settings) cfg.set(k, v);
  char* err = nullptr;
  if (duckdb_open_ext(in_memory_ ? nullptr : path_.c_str(), &db_, cfg.handle, &err) != DuckDBSuccess) {
    std::string msg = err ? err : "unknown error";
    duckdb_free(err);
    throw connection_error("cannot open DuckDB database " + path_ + ": " + msg, false);
  }
}

Database::~Database() {
  if (db_) duckdb_close(&db_);
}

std::string duckdb_version() {
  return duckdb_library_version();
}

bool config_value_accepted(const std::string& name, const std::string& value) {
  Config cfg;
  return duckdb_set_config(cfg.handle, name.c_str(), value.c_str()) == DuckDBSuccess;
}

std::vector<std::string> config_option_names() {
  std::vector<std::string> out;
  for (size_t i = 0, n = duckdb_config_count(); i < n; ++i) {
    const char* name = nullptr;
    const char* description = nullptr;
    if (duckdb_get_config_flag(i, &name, &description) == DuckDBSuccess && name) out.emplace_back(name);
  }
  return out;
}

}  // namespace sqlflow::engine
