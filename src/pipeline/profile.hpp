// YAML profiles (profiles/<name>.yml): engine settings, variables and named connectors, with
// ${ENV_VAR} resolved from the environment and the project's .env. Unknown keys are warnings.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pipeline/project.hpp"

namespace sqlflow::pipeline {

struct EngineSettings {
  // The engine the pipeline's tables live in and its SQL runs on (`engine:`): "duckdb", or one a
  // connector provides ("postgres"), configured by engines.<name> (other_engines).
  std::string name = "duckdb";
  std::map<std::string, nlohmann::json> other_engines;
  bool persistent = false;
  std::filesystem::path path;  // absolute when persistent
  std::string memory_limit;
  std::optional<int> threads;
  // Any other DuckDB configuration option (engines.duckdb.settings), e.g.
  // preserve_insertion_order: false to let loads from partitioned sources use every thread.
  std::map<std::string, std::string> settings;
};

// Whether the pipeline's tables outlive the run (a DuckDB file, or another engine).
inline bool tables_persist(const EngineSettings& e) {
  return e.persistent || e.name != "duckdb";
}
// Where the tables live, for messages: "in memory", the DuckDB file, or "postgres (schema s)".
std::string describe_engine(const EngineSettings& e);

struct ConnectorConfig {
  std::string type;
  nlohmann::json params = nlohmann::json::object();
  // ${VAR}s of its params that are not set: an error only where the connector is used (a SOURCE
  // FROM it, `connect test`), so a profile's unused connectors need not have their secrets set.
  std::vector<Error> unset_variables;
};

struct Profile {
  std::string name;
  std::filesystem::path file;  // empty for the built-in default
  EngineSettings engine;
  std::map<std::string, std::string> variables;
  std::map<std::string, ConnectorConfig> connectors;
  // Folders outside the project that file exports may write to (allowed_paths:), absolute.
  std::vector<std::filesystem::path> allowed_paths;
  // Runs recorded in target/runs/ for `pipeline runs` and --from-failed (run_history:).
  size_t run_history = 50;
  std::vector<std::string> warnings;  // "profiles/dev.yml: unknown key 'foo' (ignored)"
  // variables: whose value names an unset ${ENV}: variable → warning, shown where it is used.
  std::map<std::string, std::string> unset_variable_warnings;
};

// Loads profiles/<name>.yml. With no profiles/ folder and name "dev", returns the built-in
// in-memory default. Errors (config kind, exit 2) name the file and the key. An unset ${VAR}
// is an error in engines:, stays as written with a warning in variables: (as SQLFlow keeps it),
// and is recorded in the connector (ConnectorConfig::unset_variables) in connectors:.
Profile load_profile(const Project& project, const std::string& name);

// The profile as YAML-like text for `profiles show` (secrets masked).
std::string describe_profile(const Profile& profile, const std::string& section = {});

}  // namespace sqlflow::pipeline
