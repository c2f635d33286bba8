// `sqlflow pipeline run|validate|compile|list`.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/table_printer.hpp"
#include "connectors/registry.hpp"
#include "core/interrupt.hpp"
#include "metrics/exporters.hpp"
#include "metrics/logging.hpp"
#include "metrics/progress.hpp"
#include "metrics/run_metrics.hpp"
#include "metrics/secrets.hpp"
#include "pipeline/binder.hpp"
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
  bool allow_outside_project = false;
};

void add_common(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("-p,--profile", o.profile, "profile in profiles/<name>.yml")->default_val("dev");
  cmd->add_option("--vars,--variables", o.vars,
                  "variables: a JSON object or k=v,k2=v2 (override everything)");
  cmd->add_flag("--allow-outside-project", o.allow_outside_project,
                "let file exports write outside the project folder (and the profile's allowed_paths)");
}

LoadedPipeline load_or_report(const std::string& name, const CommonOptions& o) {
  pipeline::PipelineRequest req;
  req.pipeline = name;
  req.profile = o.profile;
  req.vars = pipeline::parse_vars(o.vars);
  req.allow_outside_project = o.allow_outside_project;
  return pipeline::load_pipeline(req);
}

int report_invalid(const LoadedPipeline& lp) {
  for (const auto& w : lp.warnings) std::cerr << "warning: " << w << '\n';
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
  std::string metrics_prom;
  std::string log_level = "info";
  std::string log_format = "text";
};

// The connector a step moves data through (LOAD: its source's type, EXPORT: its TYPE).
std::string step_connector(const LoadedPipeline& lp, const pipeline::Step& step) {
  if (const auto* l = std::get_if<pipeline::LoadStmt>(&step.statement.node)) {
    for (const auto& s : lp.validated.sources)
      if (pipeline::fold_name(s.name) == pipeline::fold_name(l->source)) return s.type;
  }
  if (const auto* e = std::get_if<pipeline::ExportStmt>(&step.statement.node))
    return pipeline::fold_name(e->type);
  return {};
}

// Secret parameter values never reach logs, errors, metrics files or printed plans.
void register_secrets(const LoadedPipeline& lp) {
  for (const auto& src : lp.validated.sources)
    for (const auto& spec : src.info->source_params)
      if (spec.type == connectors::ParamType::Secret && src.params.contains(spec.name) &&
          src.params[spec.name].is_string())
        metrics::register_secret(src.params[spec.name].get<std::string>());
  for (const auto& step : lp.plan.steps)
    if (const auto* e = std::get_if<pipeline::ExportStmt>(&step.statement.node))
      if (const auto* info = connectors::Registry::instance().find(e->type))
        for (const auto& spec : info->destination_params)
          if (spec.type == connectors::ParamType::Secret && e->options.contains(spec.name) &&
              e->options[spec.name].is_string())
            metrics::register_secret(e->options[spec.name].get<std::string>());
}

// A metrics file must be writable before the run starts: a run's result is not lost to a typo, and
// no folder is created for it.
void check_output_file(const std::string& flag, const std::string& path) {
  if (path.empty()) return;
  const std::filesystem::path parent = std::filesystem::absolute(path).parent_path();
  std::error_code ec;
  if (!std::filesystem::is_directory(parent, ec))
    throw usage_error(flag + ": folder '" + parent.string() + "' does not exist",
                      "create it, or write the file elsewhere");
  if (::access(parent.c_str(), W_OK) != 0)
    throw usage_error(flag + ": folder '" + parent.string() + "' is not writable",
                      "write the file elsewhere");
  if (std::filesystem::is_directory(path, ec))
    throw usage_error(flag + ": '" + path + "' is a folder", "name a file");
}

void run_command(const RunOptions& o) {
  // Before any thread starts: every thread then leaves SIGINT/SIGTERM to the watcher.
  interrupt::install();
  metrics::init_logging(metrics::parse_log_level(o.log_level), metrics::parse_log_format(o.log_format),
                        o.quiet);
  check_output_file("--metrics-json", o.metrics_json);
  check_output_file("--metrics-prom", o.metrics_prom);
  LoadedPipeline lp = load_or_report(o.name, o.common);
  if (int code = report_invalid(lp)) {
    g_exit_code = code;
    return;
  }
  if (o.dry_run) {
    std::cout << "pipeline " << lp.name << " (dry run: nothing is read or written)\n"
              << pipeline::describe_plan(lp.plan);
    return;
  }
  const bool persistent = lp.profile.engine.persistent;
  if (!o.quiet) {
    std::cerr << "sqlflow: running pipeline " << lp.name << " (profile " << lp.profile.name << ", engine "
              << (persistent ? lp.profile.engine.path.string() : std::string("in memory")) << ", "
              << lp.plan.steps.size() << " steps)\n";
    if (lp.uses_state && !persistent)
      std::cerr
          << "note: the engine is in memory, so incremental state (watermarks) is not kept between runs; "
             "use a profile with engines.duckdb.mode: persistent\n";
  }

  register_secrets(lp);
  metrics::RunMetrics run(lp.name, lp.profile.name);
  std::vector<metrics::StepMetrics*> step_metrics;
  for (const auto& step : lp.plan.steps)
    step_metrics.push_back(
        &run.add_step(step.name, step.kind, step_connector(lp, step), step.statement.location.line));
  metrics::ProgressOptions po;
  po.quiet = o.quiet;
  metrics::Progress progress(run, po);

  engine::Database db(pipeline::engine_config(lp.profile));
  pipeline::ExecutorOptions eo;
  eo.pipeline_name = lp.name;
  eo.jobs = o.jobs;
  eo.context = lp.context;
  eo.udfs = lp.udfs;
  eo.context.on_request_latency = [&run](std::string_view connector, std::chrono::nanoseconds latency) {
    run.request_latency(connector).record(latency);
  };
  eo.track_progress = progress.enabled();
  eo.on_start = [&](const pipeline::Step& step, std::function<double()> probe) {
    step_metrics[step.id]->set_progress_probe(std::move(probe));
    step_metrics[step.id]->mark_running();
  };
  eo.on_finish = [&](const pipeline::Step& step, const StepResult& r) {
    auto* m = step_metrics[step.id];
    m->set_progress_probe({});
    m->rows_out.add(r.rows);
    // A LOAD writes what it read; an EXPORT writes every row of its query.
    if (step.kind == pipeline::StepKind::Load || step.kind == pipeline::StepKind::Export)
      m->rows_in.add(r.rows);
    m->rejected_rows.add(r.rejected_rows);
    m->bytes.add(r.io.bytes);
    m->retries.add(r.io.retries);  // includes whole-step retries
    m->throttle_waits.add(r.io.throttle_waits);
    m->breaker_trips.add(r.io.breaker_trips);
    m->network_wait_ns.add(r.io.network_wait_ns);
    m->mark_finished(r.status == StepStatus::Ok ? StepStatus::Ok : StepStatus::Failed,
                     r.error ? r.error->message() : std::string(), r.note, r.warnings);
    if (!r.note.empty()) spdlog::debug("{}: {}", step.name, r.note);
    for (const auto& w : r.warnings) spdlog::warn("{}: {}", step.name, w);
  };
  run.mark_started();
  progress.start();
  pipeline::Executor executor(db, lp.plan, lp.validated, eo);
  bool ok = false;
  std::string run_error;
  try {
    ok = executor.run();
  } catch (const Error& e) {
    run_error = e.message();
    progress.stop();
    run.mark_finished(run_error);
    throw;
  }
  progress.stop();
  const auto& results = executor.results();
  const bool interrupted = interrupt::requested();
  const std::string signal_name = interrupt::signal_number() == SIGTERM ? "SIGTERM" : "SIGINT";
  for (const auto& step : lp.plan.steps)
    if (results[step.id].status == StepStatus::Skipped)
      step_metrics[step.id]->mark_finished(StepStatus::Skipped, interrupted
                                                                    ? "not run: interrupted by " + signal_name
                                                                    : "not run: an earlier step failed");
  run.mark_finished(interrupted ? "interrupted by " + signal_name : std::string());
  if (!o.metrics_json.empty()) metrics::write_json(run, o.metrics_json);
  if (!o.metrics_prom.empty()) metrics::write_prometheus(run, o.metrics_prom);
  for (const auto& step : lp.plan.steps) {
    const StepResult& r = results[step.id];
    if (r.status != StepStatus::Failed || !r.error) continue;
    const Error& e = *r.error;
    Error wrapped(e.kind(), "step '" + step.name + "' failed: " + e.message(), e.hint(), e.retryable());
    wrapped.at(e.location() ? *e.location() : step.statement.location);
    std::cerr << metrics::mask_secrets(pipeline::format_errors({wrapped}));
  }
  if (!o.quiet || !ok) {
    if (o.quiet)
      std::cerr << metrics::exit_line(run) << '\n';
    else
      metrics::print_summary(run, std::cerr);
  }
  if (interrupted) {
    std::cerr
        << "sqlflow: interrupted by " << signal_name
        << ": finished steps are kept, the interrupted ones rolled back, the rest not run; run the pipeline "
           "again to complete it\n";
    g_exit_code = 128 + interrupt::signal_number();
  } else if (!ok) {
    std::cerr << "failed steps left their targets unchanged; fix the cause and run the pipeline again\n";
    g_exit_code = 1;
  }
}

// ---- validate / compile / list ----

// Binds every statement against the pipeline's schemas (binder.hpp); errors join lp.errors.
void bind_statements(LoadedPipeline& lp, bool offline) {
  pipeline::BindOptions bo;
  bo.context = lp.context;
  bo.udfs = lp.udfs;
  bo.offline = offline;
  for (const auto& e : lp.errors)
    if (e.location()) bo.already_reported.insert({e.location()->file, e.location()->line});
  auto bound = pipeline::bind_plan(lp.plan, lp.validated, lp.profile, bo);
  for (const auto& u : bound.unchecked) std::cerr << "note: " << u << '\n';
  for (const auto& w : bound.warnings) std::cerr << "warning: " << w << '\n';
  lp.errors.insert(lp.errors.end(), bound.errors.begin(), bound.errors.end());
}

void validate_command(const std::string& name, const CommonOptions& o, bool offline) {
  std::vector<std::string> names;
  if (!name.empty())
    names.push_back(name);
  else
    names = pipeline::Project::discover(".").pipeline_names();
  if (names.empty())
    throw usage_error("no pipelines to validate", "run it inside a project (a folder with pipelines/)");
  int worst = 0;
  for (const auto& n : names) {
    LoadedPipeline lp = load_or_report(n, o);
    if (!lp.plan.steps.empty()) bind_statements(lp, offline);
    int code = report_invalid(lp);
    if (!code)
      std::cout << "ok      " << n << " (" << lp.plan.steps.size() << " steps)\n";
    else
      std::cout << "INVALID " << n << " (" << lp.errors.size()
                << (lp.errors.size() == 1 ? " error" : " errors") << ")\n";
    worst = std::max(worst, code);
  }
  g_exit_code = worst;
}

// The statement a step runs, with variables resolved: the SQL of transforms, exports and plain
// statements as DuckDB gets it, and a LOAD with the mode it will use and its source's params.
std::string resolved_statement(const LoadedPipeline& lp, const pipeline::Step& step) {
  const auto& node = step.statement.node;
  if (const auto* l = std::get_if<pipeline::LoadStmt>(&node)) {
    std::string text = "LOAD " + l->table + " FROM " + l->source + " MODE ";
    switch (l->mode) {
      case pipeline::LoadMode::Replace:
        text += "REPLACE";
        break;
      case pipeline::LoadMode::Append:
        text += "APPEND";
        break;
      case pipeline::LoadMode::Upsert: {
        std::string keys;
        for (const auto& k : l->keys) keys += (keys.empty() ? "" : ", ") + k;
        text += "UPSERT KEY (" + keys + ")";
        break;
      }
    }
    text += ";";
    for (const auto& s : lp.validated.sources)
      if (pipeline::fold_name(s.name) == pipeline::fold_name(l->source))
        text += "\n-- SOURCE " + s.name + " TYPE " + s.type + " PARAMS " + s.params.dump() +
                (l->replace_on_first_run ? "\n-- no MODE on an incremental source: REPLACE on the first run "
                                           "(a full load), then the mode above"
                                         : "");
    return text;
  }
  if (const auto* c = std::get_if<pipeline::CreateTableStmt>(&node)) {
    std::string head =
        pipeline::dump({pipeline::Statement{step.statement.location, pipeline::CreateTableStmt{*c}}});
    head = head.substr(0, head.find(" AS "));
    return head + " AS\n" + c->query + ";";
  }
  if (const auto* e = std::get_if<pipeline::ExportStmt>(&node))
    return "EXPORT " + e->query + "\nTO \"" + e->uri + "\" TYPE " + e->type + " OPTIONS " +
           e->options.dump() + ";";
  if (const auto* q = std::get_if<pipeline::SqlStmt>(&node)) return q->sql + ";";
  return {};
}

void print_step_sql(const LoadedPipeline& lp, const std::string& only) {
  register_secrets(lp);
  bool any = false;
  for (const auto& step : lp.plan.steps) {
    if (!only.empty() && step.name != only && std::to_string(step.id + 1) != only) continue;
    any = true;
    std::cout << "-- [" << step.id + 1 << "] " << step.name << " (" << step.statement.location.file << ":"
              << step.statement.location.line << ")\n"
              << metrics::mask_secrets(resolved_statement(lp, step)) << "\n\n";
  }
  if (!any) {
    std::string names;
    for (const auto& step : lp.plan.steps) names += (names.empty() ? "" : ", ") + step.name;
    throw usage_error("pipeline " + lp.name + " has no step '" + only + "'", "its steps: " + names);
  }
}

void compile_command(const std::string& name, const CommonOptions& o, const std::string& format, bool sql,
                     const std::string& step) {
  LoadedPipeline lp = load_or_report(name, o);
  if (int code = report_invalid(lp)) {
    g_exit_code = code;
    return;
  }
  if (sql || !step.empty()) return print_step_sql(lp, step);
  if (format == "json")
    std::cout << pipeline::plan_to_json(lp.plan, lp.name) << '\n';
  else
    std::cout << "pipeline " << lp.name << '\n' << pipeline::describe_plan(lp.plan);
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
  run_cmd->add_option("pipeline", run->name, "pipeline name (pipelines/NAME.sf) or path to a .sf file")
      ->required();
  add_common(run_cmd, run->common);
  run_cmd
      ->add_option("-j,--jobs", run->jobs,
                   "independent steps run at once, 1 to 64 (default: number of cores)")
      ->check(CLI::Range(1, 64).description("1 to 64"));
  run_cmd->add_flag("--dry-run", run->dry_run, "print the plan without reading or writing data");
  run_cmd->add_option("--metrics-json", run->metrics_json,
                      "write the run's metrics as JSON (docs/metrics-schema.md)");
  run_cmd->add_option("--metrics-prom", run->metrics_prom,
                      "write the run's metrics in Prometheus text format");
  run_cmd->add_flag("-q,--quiet", run->quiet, "print only errors and the exit line of a failed run");
  run_cmd->add_option("--log-level", run->log_level, "trace, debug, info, warn, error or off")
      ->default_val("info");
  run_cmd->add_option("--log-format", run->log_format, "text or json (JSON lines)")->default_val("text");
  run_cmd->callback([run] { run_command(*run); });

  auto v_name = std::make_shared<std::string>();
  auto v_opts = std::make_shared<CommonOptions>();
  auto v_offline = std::make_shared<bool>(false);
  auto* validate = pipeline->add_subcommand("validate",
                                            "Check pipelines without running them (all when no name): "
                                            "syntax, parameters, references, and every SQL "
                                            "statement bound against the sources' schemas (files are "
                                            "sniffed, remote sources asked for their columns)");
  validate->add_option("pipeline", *v_name, "pipeline name or path (default: every pipeline in pipelines/)");
  add_common(validate, *v_opts);
  validate->add_flag(
      "--offline", *v_offline,
      "do not contact remote sources (PostgreSQL, REST…); steps reading them are listed as not checked");
  validate->callback([v_name, v_opts, v_offline] { validate_command(*v_name, *v_opts, *v_offline); });

  auto c_name = std::make_shared<std::string>();
  auto c_opts = std::make_shared<CommonOptions>();
  auto c_format = std::make_shared<std::string>("text");
  auto* compile = pipeline->add_subcommand("compile", "Print the execution plan");
  compile->add_option("pipeline", *c_name, "pipeline name or path")->required();
  add_common(compile, *c_opts);
  compile->add_option("--format", *c_format, "text or json")->check(CLI::IsMember({"text", "json"}));
  auto c_sql = std::make_shared<bool>(false);
  auto c_step = std::make_shared<std::string>();
  compile->add_flag("--sql", *c_sql,
                    "print each step's statement with variables resolved, instead of the plan");
  compile->add_option("--step", *c_step,
                      "with --sql: only this step (its name as the plan shows it, or its number)");
  compile->callback([c_name, c_opts, c_format, c_sql, c_step] {
    compile_command(*c_name, *c_opts, *c_format, *c_sql, *c_step);
  });

  auto l_format = std::make_shared<std::string>("table");
  auto* list = pipeline->add_subcommand("list", "List the project's pipelines");
  list->alias("ls");
  list->add_option("--format", *l_format, "table or json")->check(CLI::IsMember({"table", "json"}));
  list->callback([l_format] { list_command(*l_format); });
}

}  // namespace
SQLFLOW_REGISTER_COMMAND(20, add_pipeline_commands);

}  // namespace sqlflow::cli
