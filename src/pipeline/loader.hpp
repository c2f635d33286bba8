// Everything between a pipeline name and a runnable plan, touching no data: find the project and
// profile, parse, resolve variables/IF/INCLUDE, plan and validate, collecting all errors.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/database.hpp"
#include "engine/session.hpp"
#include "pipeline/planner.hpp"
#include "pipeline/profile.hpp"
#include "pipeline/project.hpp"
#include "pipeline/validator.hpp"
#include "udf/catalog.hpp"

namespace sqlflow::pipeline {

struct PipelineRequest {
  std::filesystem::path cwd = ".";
  std::string pipeline;  // name under pipelines/ or a path to a .sf file
  std::string profile = "dev";
  std::map<std::string, std::string> vars;  // --vars
  bool allow_outside_project = false;       // --allow-outside-project: exports may write anywhere
  std::string engine;                       // overrides the profile's `engine:` (compile --engine)
};

struct LoadedPipeline {
  Project project{"."};
  Profile profile;
  std::filesystem::path file;
  std::string name;
  Plan plan;
  ValidatedPipeline validated;
  std::map<std::string, std::string> variables;
  std::vector<Error> errors;
  std::vector<std::string> warnings;         // profile, variables and plan warnings, for the user
  connectors::ConnectorContext context;      // the project folder and where exports may write
  std::shared_ptr<const udf::Catalog> udfs;  // the project's Python UDFs, when the pipeline calls PYTHON_FUNC
  bool uses_state = false;                   // incremental sources or transforms
};

LoadedPipeline load_pipeline(const PipelineRequest& request);

// Every error formatted as "file:line:col: error: … — hint" plus the source line and a caret.
std::string format_errors(const std::vector<Error>& errors);

engine::DatabaseConfig engine_config(const Profile& profile);
// The engine the profile's `engine:` names, connected and checked; null for DuckDB (the run's own
// database). Errors name the profile file and engines.<name>.
std::shared_ptr<engine::Engine> make_engine(const Profile& profile);

// --vars: a JSON object, or k=v pairs separated by commas.
std::map<std::string, std::string> parse_vars(const std::string& text);

}  // namespace sqlflow::pipeline
