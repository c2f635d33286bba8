// `sqlflow pipeline runs [NAME]` and `sqlflow pipeline show-run ID`: the runs recorded in
// target/runs/ (pipeline/run_history.hpp).
#include <iostream>

#include "cli/pipeline_common.hpp"
#include "cli/table_printer.hpp"
#include "metrics/run_metrics.hpp"
#include "pipeline/run_history.hpp"

namespace sqlflow::cli {

namespace {

using Json = nlohmann::ordered_json;

std::string seconds_text(double s) {
  return metrics::format_duration(std::chrono::nanoseconds(static_cast<int64_t>(s * 1e9)));
}

// The first line of a message (a table cell cannot hold more); show-run --format json has it all.
std::string first_line(const Json& text) {
  if (!text.is_string()) return {};
  const std::string s = text.get<std::string>();
  return s.substr(0, s.find('\n'));
}

void runs_command(const std::string& name, const std::string& format, size_t limit) {
  const auto project = pipeline::Project::discover(".");
  auto runs = pipeline::list_runs(project, name);
  if (limit && runs.size() > limit) runs.resize(limit);
  if (format == "json") {
    Json arr = Json::array();
    for (const auto& r : runs)
      arr.push_back(Json{{"run_id", r.run_id},
                         {"pipeline", r.pipeline},
                         {"profile", r.profile},
                         {"status", r.status},
                         {"started_at", r.started_at},
                         {"duration_seconds", r.duration_seconds}});
    std::cout << arr.dump(2) << '\n';
    return;
  }
  if (runs.empty()) {
    std::cout << "no recorded runs" << (name.empty() ? "" : " of " + name) << " in "
              << pipeline::runs_dir(project).string() << '\n';
    return;
  }
  TextTable t;
  t.header = {"run_id", "pipeline", "profile", "status", "started", "time"};
  for (const auto& r : runs)
    t.rows.push_back(
        {r.run_id, r.pipeline, r.profile, r.status, r.started_at, seconds_text(r.duration_seconds)});
  print_table(std::cout, t);
}

void show_run_command(const std::string& id, const std::string& format) {
  const Json run = pipeline::load_run(pipeline::Project::discover("."), id);
  if (format == "json") {
    std::cout << run.dump(2) << '\n';
    return;
  }
  std::cout << "run " << run.value("run_id", "") << ": pipeline " << run.value("pipeline", "") << ", profile "
            << run.value("profile", "") << ", " << run.value("status", "") << " (exit "
            << run.value("exit_code", -1) << ")\n"
            << "started " << run.value("started_at", "-") << ", took "
            << seconds_text(run.value("duration_seconds", 0.0)) << '\n';
  if (const auto& e = run["error"]; e.is_string()) std::cout << "error: " << e.get<std::string>() << '\n';
  TextTable t;
  t.header = {"step", "kind", "status", "rows", "time", "note / error"};
  for (const auto& s : run.value("steps", Json::array())) {
    const Json& err = s["error"];
    const Json& note = s["note"];
    t.rows.push_back({s.value("name", ""), s.value("kind", ""), s.value("status", ""),
                      std::to_string(s.value("rows_out", 0)), seconds_text(s.value("duration_seconds", 0.0)),
                      first_line(err.is_string() ? err : note)});
  }
  print_table(std::cout, t);
  if (const auto& vars = run["variables"]; vars.is_object() && !vars.empty()) {
    std::cout << "variables:\n";
    for (const auto& [k, v] : vars.items()) std::cout << "  " << k << " = " << v.get<std::string>() << '\n';
  }
}

}  // namespace

void add_run_history_commands(CLI::App* pipeline) {
  auto name = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("table");
  auto limit = std::make_shared<size_t>(20);
  auto* runs = pipeline->add_subcommand("runs", "List recorded runs, newest first (target/runs/)");
  runs->add_option("pipeline", *name, "only this pipeline's runs");
  runs->add_option("--format", *format, "table or json")->check(CLI::IsMember({"table", "json"}));
  runs->add_option("-n,--limit", *limit, "show at most this many runs (0: all)")->default_val(20);
  runs->callback([name, format, limit] { runs_command(*name, *format, *limit); });

  auto id = std::make_shared<std::string>();
  auto show_format = std::make_shared<std::string>("text");
  auto* show =
      pipeline->add_subcommand("show-run", "Print one recorded run: its steps, errors and variables");
  show->add_option("run_id", *id, "the run's id, or a unique start of it (see `pipeline runs`)")->required();
  show->add_option("--format", *show_format, "text or json (the whole record)")
      ->check(CLI::IsMember({"text", "json"}));
  show->callback([id, show_format] { show_run_command(*id, *show_format); });
}

}  // namespace sqlflow::cli
