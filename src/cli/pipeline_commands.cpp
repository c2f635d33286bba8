// `sqlflow pipeline run|validate|compile|list`.
#include <unistd.h>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/table_printer.hpp"
#include "pipeline/executor.hpp"
#include "pipeline/loader.hpp"

namespace sqlflow::cli {

namespace {

using pipeline::LoadedPipeline;
using pipeline::StepResult;
using pipeline::StepStatus;

struct CommonOptions {
  std::string profile = "dev";
  std::string vars;
};

void add_common(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("-p,--profile", o.profile, "profile in profiles/<name>.yml")->default_val("dev");
  cmd->add_option("--vars,--variables", o.vars, "variables: a JSON object or k=v,k2=v2 (override everything)");
}

LoadedPipeline load_or_report(const std::string& name, const CommonOptions& o) {
  pipeline::PipelineRequest req;
  req.pipeline = name;
  req.profile = o.profile;
  req.vars = pipeline::parse_vars(o.vars);
  return pipeline::load_pipeline(req);
}

std::string format_count(uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

std::string seconds_text(double s) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(s < 10 ? 2 : 1) << s << "s";
  return o.str();
}

int report_invalid(const LoadedPipeline& lp) {
  for (const auto& w : lp.profile.warnings) std::cerr << "warning: " << w << '\n';
  if (lp.errors.empty()) return 0;
  std::cerr << pipeline::format_errors(lp.errors);
  std::cerr << "pipeline " << lp.name << " is invalid: nothing was run\n";
  return 2;
}

// ---- run ----

struct RunOptions {
  CommonOptions common;
  std::string name;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool dry_run = false;
  bool quiet = false;
  std::string metrics_json;
};

void write_metrics_json(const std::string& path, const LoadedPipeline& lp, const std::vector<StepResult>& results,
                        bool ok, double seconds) {
  nlohmann::ordered_json j;
  j["schema_version"] = 1;
  j["pipeline"] = lp.name;
  j["profile"] = lp.profile.name;
  j["status"] = ok ? "ok" : "failed";
  j["seconds"] = seconds;
  j["steps"] = nlohmann::ordered_json::array();
  uint64_t rows = 0;
  for (const auto& step : lp.plan.steps) {
    const StepResult& r = results[step.id];
    nlohmann::ordered_json s;
    s["id"] = step.id + 1;
    s["name"] = step.name;
    s["kind"] = pipeline::to_string(step.kind);
    s["line"] = step.statement.location.line;
    s["status"] = r.status == StepStatus::Ok ? "ok" : r.status == StepStatus::Failed ? "failed" : "skipped";
    s["rows"] = r.rows;
    s["rejected_rows"] = r.rejected_rows;
    s["attempts"] = r.attempts;
    s["seconds"] = r.seconds;
    if (r.error) s["error"] = r.error->message();
    rows += r.rows;
    j["steps"].push_back(s);
  }
  j["rows"] = rows;
  std::ofstream f(path);
  if (!f) throw usage_error("cannot write metrics file " + path);
  f << j.dump(2) << '\n';
}

void run_command(const RunOptions& o) {
  LoadedPipeline lp = load_or_report(o.name, o.common);
  if (int code = report_invalid(lp)) {
    g_exit_code = code;
    return;
  }
  if (o.dry_run) {
    std::cout << "pipeline " << lp.name << " (dry run: nothing is read or written)\n" << pipeline::describe_plan(lp.plan);
    return;
  }
  const bool persistent = lp.profile.engine.persistent;
  if (!o.quiet) {
    std::cerr << "sqlflow: running pipeline " << lp.name << " (profile " << lp.profile.name << ", engine "
              << (persistent ? lp.profile.engine.path.string() : std::string("in memory")) << ", " << lp.plan.steps.size()
              << " steps)\n";
    if (lp.uses_state && !persistent)
      std::cerr << "note: the engine is in memory, so incremental state (watermarks) is not kept between runs; "
                   "use a profile with engines.duckdb.mode: persistent\n";
  }
  engine::Database db(pipeline::engine_config(lp.profile));
  pipeline::ExecutorOptions eo;
  eo.pipeline_name = lp.name;
  eo.jobs = o.jobs;
  eo.context.base_dir = lp.project.root();
  const bool quiet = o.quiet;
  eo.on_finish = [&](const pipeline::Step& step, const StepResult& r) {
    if (quiet && r.status == StepStatus::Ok) return;
    std::ostringstream line;
    line << "  " << (r.status == StepStatus::Ok ? "ok    " : "FAILED") << " " << std::left << std::setw(40) << step.name
         << std::right << std::setw(14) << (format_count(r.rows) + " rows") << "  " << std::setw(7) << seconds_text(r.seconds);
    if (r.rejected_rows) line << "  (" << format_count(r.rejected_rows) << " rejected)";
    if (r.attempts > 1) line << "  (" << r.attempts << " attempts)";
    if (!r.note.empty()) line << "  " << r.note;
    std::cerr << line.str() << '\n';
  };
  const auto started = std::chrono::steady_clock::now();
  pipeline::Executor executor(db, lp.plan, lp.validated, eo);
  bool ok = executor.run();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto& results = executor.results();
  uint64_t rows = 0, rejected = 0;
  size_t done = 0;
  for (const auto& r : results) {
    rows += r.rows;
    rejected += r.rejected_rows;
    done += r.status == StepStatus::Ok;
  }
  if (!o.metrics_json.empty()) write_metrics_json(o.metrics_json, lp, results, ok, seconds);
  if (ok) {
    if (!o.quiet)
      std::cerr << "sqlflow: pipeline " << lp.name << " succeeded — " << done << " steps, " << format_count(rows)
                << " rows" << (rejected ? ", " + format_count(rejected) + " rejected" : "") << " in "
                << seconds_text(seconds) << '\n';
    return;
  }
  for (const auto& step : lp.plan.steps) {
    const StepResult& r = results[step.id];
    if (r.status != StepStatus::Failed || !r.error) continue;
    Error e = *r.error;
    Error wrapped(e.kind(), "step '" + step.name + "' failed: " + e.message(), e.hint(), e.retryable());
    wrapped.at(step.statement.location);
    std::cerr << wrapped.format() << '\n';
  }
  size_t skipped = 0;
  for (const auto& r : results) skipped += r.status == StepStatus::Skipped;
  std::cerr << "sqlflow: pipeline " << lp.name << " failed — " << done << " of " << results.size() << " steps done"
            << (skipped ? ", " + std::to_string(skipped) + " not run" : "") << "; failed steps left their targets unchanged\n";
  g_exit_code = 1;
}

// ---- validate / compile / list ----

void validate_command(const std::string& name, const CommonOptions& o) {
  std::vector<std::string> names;
  if (!name.empty()) names.push_back(name);
  else names = pipeline::Project::discover(".").pipeline_names();
  if (names.empty()) throw usage_error("no pipelines to validate", "run it inside a project (a folder with pipelines/)");
  int worst = 0;
  for (const auto& n : names) {
    LoadedPipeline lp = load_or_report(n, o);
    int code = report_invalid(lp);
    if (!code) std::cout << "ok      " << n << " (" << lp.plan.steps.size() << " steps)\n";
    else std::cout << "INVALID " << n << " (" << lp.errors.size() << (lp.errors.size() == 1 ? " error" : " errors") << ")\n";
    worst = std::max(worst, code);
  }
  g_exit_code = worst;
}

void compile_command(const std::string& name, const CommonOptions& o, const std::string& format) {
  LoadedPipeline lp = load_or_report(name, o);
  if (int code = report_invalid(lp)) {
    g_exit_code = code;
    return;
  }
  if (format == "json") std::cout << pipeline::plan_to_json(lp.plan, lp.name) << '\n';
  else std::cout << "pipeline " << lp.name << '\n' << pipeline::describe_plan(lp.plan);
}

void list_command(const std::string& format) {
  auto project = pipeline::Project::discover(".");
  auto names = project.pipeline_names();
  if (format == "json") {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& n : names)
      arr.push_back({{"name", n}, {"path", (project.pipelines_dir() / (n + ".sf")).string()}});
    std::cout << arr.dump(2) << '\n';
    return;
  }
  TextTable t;
  t.header = {"pipeline", "path"};
  for (const auto& n : names) t.rows.push_back({n, "pipelines/" + n + ".sf"});
  print_table(std::cout, t);
}

void add_pipeline_commands(CLI::App& app) {
  auto* pipeline = app.add_subcommand("pipeline", "Run, validate, compile and list .sf pipelines");
  pipeline->require_subcommand(1);

  auto run = std::make_shared<RunOptions>();
  auto* run_cmd = pipeline->add_subcommand("run", "Run a pipeline");
  run_cmd->add_option("pipeline", run->name, "pipeline name (pipelines/NAME.sf) or path to a .sf file")->required();
  add_common(run_cmd, run->common);
  run_cmd->add_option("-j,--jobs", run->jobs, "independent steps run at once (default: number of cores)")
      ->check(CLI::PositiveNumber);
  run_cmd->add_flag("--dry-run", run->dry_run, "print the plan without reading or writing data");
  run_cmd->add_option("--metrics-json", run->metrics_json, "write per-step metrics as JSON to this file");
  run_cmd->add_flag("-q,--quiet", run->quiet, "print only errors");
  run_cmd->callback([run] { run_command(*run); });

  auto v_name = std::make_shared<std::string>();
  auto v_opts = std::make_shared<CommonOptions>();
  auto* validate = pipeline->add_subcommand("validate", "Check pipelines without running them (all when no name)");
  validate->add_option("pipeline", *v_name, "pipeline name or path (default: every pipeline in pipelines/)");
  add_common(validate, *v_opts);
  validate->callback([v_name, v_opts] { validate_command(*v_name, *v_opts); });

  auto c_name = std::make_shared<std::string>();
  auto c_opts = std::make_shared<CommonOptions>();
  auto c_format = std::make_shared<std::string>("text");
  auto* compile = pipeline->add_subcommand("compile", "Print the execution plan");
  compile->add_option("pipeline", *c_name, "pipeline name or path")->required();
  add_common(compile, *c_opts);
  compile->add_option("--format", *c_format, "text or json")->check(CLI::IsMember({"text", "json"}));
  compile->callback([c_name, c_opts, c_format] { compile_command(*c_name, *c_opts, *c_format); });

  auto l_format = std::make_shared<std::string>("table");
  auto* list = pipeline->add_subcommand("list", "List the project's pipelines");
  list->alias("ls");
  list->add_option("--format", *l_format, "table or json")->check(CLI::IsMember({"table", "json"}));
  list->callback([l_format] { list_command(*l_format); });
}

}  // namespace
SQLFLOW_REGISTER_COMMAND(20, add_pipeline_commands);

}  // namespace sqlflow::cli
