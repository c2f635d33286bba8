// `sqlflow status`: where the project is, its profiles and pipelines.
#include <iostream>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "pipeline/profile.hpp"
#include "pipeline/run_history.hpp"

namespace sqlflow::cli {

namespace {

void add_status_command(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("status", "Show the project, its profiles, and its pipelines with their last run");
  cmd->callback([] {
    auto project = pipeline::Project::discover(".");
    std::cout << "project:   " << project.root().string() << '\n';
    auto profiles = project.profile_names();
    std::cout << "profiles:  ";
    if (profiles.empty()) std::cout << "(none: the built-in in-memory dev profile is used)";
    for (size_t i = 0; i < profiles.size(); ++i) {
      std::string engine = "?";
      try {
        auto p = pipeline::load_profile(project, profiles[i]);
        engine = p.engine.name != "duckdb" ? p.engine.name : p.engine.persistent ? "persistent" : "memory";
      } catch (const Error&) {
        engine = "invalid";
      }
      std::cout << (i ? ", " : "") << profiles[i] << " (" << engine << ")";
    }
    std::cout << '\n';
    auto pipelines = project.pipeline_names();
    std::cout << "pipelines: " << pipelines.size() << '\n';
    // Each pipeline with its last recorded run (target/runs/).
    for (const auto& p : pipelines) {
      auto runs = pipeline::list_runs(project, p);
      std::cout << "  " << p;
      if (runs.empty()) {
        std::cout << "  (never run)\n";
        continue;
      }
      const auto& last = runs.front();
      std::cout << "  last run " << last.run_id << ": " << last.status << " at " << last.started_at << " ("
                << last.profile << ")\n";
    }
  });
}

}  // namespace
SQLFLOW_REGISTER_COMMAND(50, add_status_command);

}  // namespace sqlflow::cli
