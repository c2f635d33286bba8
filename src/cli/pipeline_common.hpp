// What the `pipeline` subcommands share: the common flags, loading a pipeline, reporting it
// invalid, registering its secrets for masking.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "pipeline/loader.hpp"

namespace sqlflow::cli {

struct CommonOptions {
  std::string profile = "dev";
  std::string vars;
  bool allow_outside_project = false;
  std::string engine;  // compile --engine: the engine to plan for (default: the profile's)
};

void add_common(CLI::App* cmd, CommonOptions& o);

pipeline::LoadedPipeline load_or_report(const std::string& name, const CommonOptions& o);

// Prints the pipeline's warnings and errors on stderr; 2 when it has errors, else 0.
int report_invalid(const pipeline::LoadedPipeline& lp);

// Secret parameter values never reach logs, errors, metrics files or printed plans.
void register_secrets(const pipeline::LoadedPipeline& lp);

// `pipeline run` and the run history commands (run_command.cpp, run_history_commands.cpp).
void add_run_command(CLI::App* pipeline);
void add_run_history_commands(CLI::App* pipeline);

}  // namespace sqlflow::cli
