// `sqlflow pipeline run`: load the pipeline, choose its steps (--select, --exclude,
// --from-failed), execute them, report (a human summary, or JSON events with --log-format json),
// and record the run in target/runs/.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "cli/commands.hpp"
#include "cli/pipeline_common.hpp"
#include "core/interrupt.hpp"
#include "core/time_ordered_id.hpp"
#include "metrics/exporters.hpp"
#include "metrics/logging.hpp"
#include "metrics/progress.hpp"
#include "metrics/run_metrics.hpp"
#include "metrics/secrets.hpp"
#include "pipeline/executor.hpp"
#include "pipeline/run_history.hpp"
#include "pipeline/step_selection.hpp"

namespace sqlflow::cli {

namespace {

using Json = nlohmann::ordered_json;
using metrics::LogLevel;
using pipeline::LoadedPipeline;
using pipeline::StepResult;
using pipeline::StepStatus;

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
  std::string select;
  std::string exclude;
  bool from_failed = false;
  bool fail_fast = false;
};

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

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The run's variables as the history keeps them: registered secrets masked, and the whole value
// of any variable whose name says it is one.
Json masked_variables(const std::map<std::string, std::string>& vars) {
  static const char* const kSecretWords[] = {"password", "passwd", "secret",  "token",
                                             "api_key",  "apikey", "private", "credential"};
  Json out = Json::object();
  for (const auto& [k, v] : vars) {
    const std::string name = lower(k);
    const bool secret = std::any_of(std::begin(kSecretWords), std::end(kSecretWords),
                                    [&](const char* w) { return name.find(w) != std::string::npos; });
    out[k] = secret ? std::string(metrics::kMask) : metrics::mask_secrets(v);
  }
  return out;
}

void user_warning(const std::string& message) {
  if (metrics::json_logging())
    metrics::log_event(LogLevel::Warn, "warning", message, Json::object());
  else
    std::cerr << "warning: " << message << '\n';
}

// The steps --from-failed re-runs: those the last run of the pipeline did not finish (failed,
// skipped, never started), by name. Empty when that run succeeded.
std::set<size_t> unfinished_steps_of_last_run(const LoadedPipeline& lp, std::string& last_run_id) {
  if (!pipeline::tables_persist(lp.profile.engine))
    throw usage_error(
        "--from-failed needs a persistent engine: with an in-memory engine the tables of the "
        "steps that succeeded are gone",
        "use a profile with engines.duckdb.mode: persistent, or run the whole pipeline");
  std::optional<Json> last;
  for (const auto& entry : pipeline::list_runs(lp.project, lp.name)) {
    if (entry.status == "invalid") continue;
    last = pipeline::load_run(lp.project, entry.run_id);
    break;
  }
  if (!last)
    throw usage_error("--from-failed: pipeline " + lp.name + " has no recorded run in " +
                          pipeline::runs_dir(lp.project).string(),
                      "run it without --from-failed first");
  last_run_id = last->value("run_id", "");
  std::set<std::string> unfinished;
  for (const auto& step : last->value("steps", Json::array()))
    if (step.value("status", "") != "ok") unfinished.insert(step.value("name", ""));
  std::set<size_t> keep;
  for (const auto& step : lp.plan.steps)
    if (unfinished.count(metrics::mask_secrets(step.name))) keep.insert(step.id);
  if (keep.empty() && !unfinished.empty())
    throw usage_error(
        "--from-failed: the steps run " + last_run_id + " did not finish are no longer in the pipeline",
        "the pipeline changed since; run it without --from-failed");
  return keep;
}

// Cuts lp.plan down to the chosen steps; false when there is nothing to run (--from-failed after a
// run that succeeded).
bool choose_steps(LoadedPipeline& lp, const RunOptions& o) {
  if (o.select.empty() && o.exclude.empty() && !o.from_failed) return true;
  std::set<size_t> keep;
  if (o.from_failed) {
    if (!o.select.empty() || !o.exclude.empty())
      throw usage_error("--from-failed cannot be combined with --select or --exclude",
                        "--from-failed re-runs exactly what the last run did not finish");
    std::string last_id;
    keep = unfinished_steps_of_last_run(lp, last_id);
    if (keep.empty()) {
      if (!metrics::json_logging())
        std::cerr << "sqlflow: the last run of " << lp.name << " (" << last_id
                  << ") finished every step: nothing to re-run\n";
      else
        metrics::log_event(LogLevel::Info, "nothing_to_run", "the last run finished every step",
                           Json{{"last_run_id", last_id}});
      return false;
    }
  } else {
    keep = pipeline::select_steps(lp.plan, o.select, o.exclude);
  }
  bool reads_unselected = false;
  for (size_t id : keep)
    for (size_t d : lp.plan.steps[id].depends_on)
      if (!keep.count(d)) reads_unselected = true;
  if (reads_unselected && !pipeline::tables_persist(lp.profile.engine))
    user_warning(
        "the chosen steps read tables of steps that will not run, and the engine is in memory, so those "
        "tables do not exist; use a persistent profile or select them too (+step)");
  lp.plan = pipeline::restrict_plan(lp.plan, keep);
  return true;
}

void write_metrics_files(const metrics::RunMetrics& run, const RunOptions& o) {
  if (!o.metrics_json.empty()) metrics::write_json(run, o.metrics_json);
  if (!o.metrics_prom.empty()) metrics::write_prometheus(run, o.metrics_prom);
}

// target/runs/<run_id>.json: the metrics document plus what the run was asked to do.
void record_run(const LoadedPipeline& lp, const metrics::RunMetrics& run, const std::string& run_id,
                int exit_code, const std::string& status, const RunOptions& o) {
  Json record = Json::object();
  record["run_id"] = run_id;
  const Json doc = Json::parse(metrics::to_json(run));
  for (const auto& [k, v] : doc.items()) record[k] = v;
  if (!status.empty()) record["status"] = status;
  record["exit_code"] = exit_code;
  record["file"] = lp.file.string();
  record["engine"] = pipeline::tables_persist(lp.profile.engine)
                         ? pipeline::describe_engine(lp.profile.engine)
                         : std::string("memory");
  record["variables"] = masked_variables(lp.variables);
  record["selection"] = Json{{"select", o.select.empty() ? Json(nullptr) : Json(o.select)},
                             {"exclude", o.exclude.empty() ? Json(nullptr) : Json(o.exclude)},
                             {"from_failed", o.from_failed},
                             {"fail_fast", o.fail_fast}};
  try {
    pipeline::save_run(lp.project, record, lp.profile.run_history);
  } catch (const Error& e) {
    // The run itself is done; losing its record must not change its outcome.
    user_warning("the run was not recorded in the history: " + e.message());
  }
}

void end_invalid_run(const LoadedPipeline& lp, const std::string& run_id, int code, const RunOptions& o) {
  metrics::RunMetrics run(lp.name, lp.profile.name);
  run.mark_started();
  std::string error = "invalid: " + lp.errors.front().message();
  if (lp.errors.size() > 1) error += " (and " + std::to_string(lp.errors.size() - 1) + " more errors)";
  run.mark_finished(error);
  write_metrics_files(run, o);
  record_run(lp, run, run_id, code, "invalid", o);
  if (metrics::json_logging())
    metrics::log_event(LogLevel::Error, "run_end", "pipeline " + lp.name + " is invalid: nothing was run",
                       Json{{"status", "invalid"}, {"exit_code", code}, {"errors", lp.errors.size()}});
}

void announce(const LoadedPipeline& lp, const RunOptions& o) {
  const bool persistent = pipeline::tables_persist(lp.profile.engine);
  const std::string engine = pipeline::describe_engine(lp.profile.engine);
  const std::string memory_note =
      "the engine is in memory, so incremental state (watermarks) is not kept between runs; use a profile "
      "with engines.duckdb.mode: persistent";
  if (metrics::json_logging()) {
    metrics::log_event(LogLevel::Info, "run_start", "running pipeline " + lp.name,
                       Json{{"profile", lp.profile.name},
                            {"engine", engine},
                            {"steps", lp.plan.steps.size()},
                            {"jobs", o.jobs}});
    if (lp.uses_state && !persistent)
      metrics::log_event(LogLevel::Warn, "warning", memory_note, Json::object());
    return;
  }
  if (o.quiet) return;
  std::cerr << "sqlflow: running pipeline " << lp.name << " (profile " << lp.profile.name << ", engine "
            << engine << ", " << lp.plan.steps.size() << " steps)\n";
  if (lp.uses_state && !persistent) std::cerr << "note: " << memory_note << '\n';
}

Json step_end_fields(const pipeline::Step& step, const StepResult& r) {
  return Json{{"kind", metrics::to_string(step.kind)},
              {"status", metrics::to_string(r.status)},
              {"rows", r.rows},
              {"rejected_rows", r.rejected_rows},
              {"bytes", r.io.bytes},
              {"retries", r.io.retries},
              {"throttle_waits", r.io.throttle_waits},
              {"attempts", r.attempts},
              {"duration_seconds", r.seconds},
              {"error", r.error ? Json(r.error->message()) : Json(nullptr)}};
}

// Why a step did not run, as the summary, metrics and events say it.
std::string skip_reason(const LoadedPipeline& lp, const StepResult& r, bool interrupted,
                        const std::string& signal_name) {
  if (interrupted) return "not run: interrupted by " + signal_name;
  if (r.blocked_by) return "not run: depends on failed step '" + lp.plan.steps[*r.blocked_by].name + "'";
  return "not run: an earlier step failed (--fail-fast)";
}

// The human account of a finished run on stderr: each failure with its location, the summary,
// what to do next.
void print_outcome(const LoadedPipeline& lp, const metrics::RunMetrics& run,
                   const std::vector<StepResult>& results, const RunOptions& o, bool ok, bool interrupted,
                   const std::string& signal_name) {
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
  if (interrupted)
    std::cerr
        << "sqlflow: interrupted by " << signal_name
        << ": finished steps are kept, the interrupted ones rolled back, the rest not run; run the pipeline "
           "again to complete it\n";
  else if (!ok)
    std::cerr << "failed steps left their targets unchanged; fix the cause and run the pipeline again"
              << (pipeline::tables_persist(lp.profile.engine)
                      ? " (--from-failed re-runs only the steps that did not finish)"
                      : "")
              << '\n';
}

// A finished step into its metrics, and its note, warnings and end as log events.
void record_step_end(metrics::StepMetrics& m, const pipeline::Step& step, const StepResult& r,
                     LogLevel step_level, bool json) {
  m.set_progress_probe({});
  m.rows_out.add(r.rows);
  // A LOAD writes what it read; an EXPORT writes every row of its query.
  if (step.kind == pipeline::StepKind::Load || step.kind == pipeline::StepKind::Export) m.rows_in.add(r.rows);
  m.rejected_rows.add(r.rejected_rows);
  m.bytes.add(r.io.bytes);
  m.retries.add(r.io.retries);  // includes whole-step retries
  m.throttle_waits.add(r.io.throttle_waits);
  m.breaker_trips.add(r.io.breaker_trips);
  m.network_wait_ns.add(r.io.network_wait_ns);
  m.mark_finished(r.status == StepStatus::Ok ? StepStatus::Ok : StepStatus::Failed,
                  r.error ? r.error->message() : std::string(), r.note, r.warnings);
  if (!r.note.empty()) metrics::log_event(LogLevel::Debug, "step_note", r.note, Json::object());
  for (const auto& w : r.warnings) metrics::log_event(LogLevel::Warn, "step_warning", w, Json::object());
  // Text format: the failure is printed with its location after the run, not twice.
  metrics::log_event(r.status == StepStatus::Ok || !json ? step_level : LogLevel::Error, "step_end",
                     r.status == StepStatus::Ok ? "step finished" : "step failed", step_end_fields(step, r));
}

// The executor's options for this run, with callbacks that feed `run`'s metrics (one StepMetrics
// per step, by id), its request latencies and the step events.
pipeline::ExecutorOptions executor_options(const LoadedPipeline& lp, const RunOptions& o,
                                           metrics::RunMetrics& run,
                                           std::vector<metrics::StepMetrics*>& step_metrics,
                                           bool track_progress, LogLevel step_level) {
  const bool json = metrics::json_logging();
  const size_t total = lp.plan.steps.size();
  pipeline::ExecutorOptions eo;
  eo.pipeline_name = lp.name;
  eo.jobs = o.jobs;
  eo.fail_fast = o.fail_fast;
  eo.context = lp.context;
  eo.udfs = lp.udfs;
  eo.context.on_request_latency = [run = &run](std::string_view connector, std::chrono::nanoseconds latency) {
    run->request_latency(connector).record(latency);
  };
  eo.track_progress = track_progress;
  eo.on_start = [steps = &step_metrics, step_level, total](const pipeline::Step& step,
                                                           std::function<double()> probe) {
    (*steps)[step.id]->set_progress_probe(std::move(probe));
    (*steps)[step.id]->mark_running();
    metrics::log_event(step_level, "step_start", "step started",
                       Json{{"kind", metrics::to_string(step.kind)}, {"number", step.id + 1}, {"of", total}});
  };
  eo.on_finish = [steps = &step_metrics, step_level, json](const pipeline::Step& step, const StepResult& r) {
    record_step_end(*(*steps)[step.id], step, r, step_level, json);
  };
  return eo;
}

// Marks the steps that did not run as skipped, with the reason, in the metrics and the log.
void record_skipped_steps(const LoadedPipeline& lp, const std::vector<StepResult>& results,
                          std::vector<metrics::StepMetrics*>& step_metrics, bool interrupted,
                          const std::string& signal_name, LogLevel step_level) {
  for (const auto& step : lp.plan.steps) {
    const StepResult& r = results[step.id];
    if (r.status != StepStatus::Skipped) continue;
    const std::string reason = skip_reason(lp, r, interrupted, signal_name);
    step_metrics[step.id]->mark_finished(StepStatus::Skipped, reason);
    metrics::LogContext context(step.name, pipeline::step_connector(step, lp.validated));
    metrics::log_event(
        step_level, "step_skipped", reason,
        Json{{"kind", metrics::to_string(step.kind)},
             {"blocked_by", r.blocked_by ? Json(lp.plan.steps[*r.blocked_by].name) : Json(nullptr)}});
  }
}

// "step 'x' failed: …" for the first failed step in plan order, or "" when none failed.
std::string first_failure(const LoadedPipeline& lp, const std::vector<StepResult>& results) {
  for (const auto& step : lp.plan.steps) {
    const StepResult& r = results[step.id];
    if (r.status == StepStatus::Failed && r.error)
      return "step '" + step.name + "' failed: " + r.error->message();
  }
  return {};
}

// The JSON log's last event: the run's outcome and totals.
void log_run_end(const metrics::RunMetrics& run, bool ok, bool interrupted, int exit_code) {
  const metrics::Totals t = run.totals();
  metrics::log_event(ok ? LogLevel::Info : LogLevel::Error, "run_end", metrics::exit_line(run),
                     Json{{"status", interrupted ? "interrupted"
                                     : ok        ? "ok"
                                                 : "failed"},
                          {"exit_code", exit_code},
                          {"steps", t.steps},
                          {"steps_ok", t.ok},
                          {"steps_failed", t.failed},
                          {"steps_skipped", t.skipped},
                          {"rows", t.rows_out},
                          {"duration_seconds", static_cast<double>(run.elapsed().count()) / 1e9},
                          {"error", run.error().empty() ? Json(nullptr) : Json(run.error())}});
}

void execute_plan(LoadedPipeline& lp, const RunOptions& o, const std::string& run_id) {
  const bool json = metrics::json_logging();
  announce(lp, o);
  register_secrets(lp);
  metrics::RunMetrics run(lp.name, lp.profile.name);
  std::vector<metrics::StepMetrics*> step_metrics;
  for (const auto& step : lp.plan.steps)
    step_metrics.push_back(&run.add_step(step.name, step.kind, pipeline::step_connector(step, lp.validated),
                                         step.statement.location.line));
  metrics::ProgressOptions po;
  po.quiet = o.quiet || json;
  metrics::Progress progress(run, po);
  // Step events are the JSON log's substance; in the text format the summary says it all.
  const LogLevel step_level = json ? LogLevel::Info : LogLevel::Debug;

  engine::Database db(pipeline::engine_config(lp.profile));
  pipeline::ExecutorOptions eo = executor_options(lp, o, run, step_metrics, progress.enabled(), step_level);
  eo.engine = pipeline::make_engine(lp.profile);
  run.mark_started();
  progress.start();
  pipeline::Executor executor(db, lp.plan, lp.validated, eo);
  bool ok = false;
  try {
    ok = executor.run();
  } catch (const Error& e) {
    progress.stop();
    run.mark_finished(e.message());
    write_metrics_files(run, o);
    record_run(lp, run, run_id, e.exit_code(), "", o);
    throw;
  }
  progress.stop();
  const auto& results = executor.results();
  const bool interrupted = interrupt::requested();
  const std::string signal_name = interrupt::signal_name();
  record_skipped_steps(lp, results, step_metrics, interrupted, signal_name, step_level);
  run.mark_finished(interrupted ? "interrupted by " + signal_name
                    : ok        ? std::string()
                                : first_failure(lp, results));
  const int exit_code = interrupted ? 128 + interrupt::signal_number() : ok ? 0 : 1;
  write_metrics_files(run, o);
  record_run(lp, run, run_id, exit_code, "", o);
  if (json)
    log_run_end(run, ok, interrupted, exit_code);
  else
    print_outcome(lp, run, results, o, ok, interrupted, signal_name);
  g_exit_code = exit_code;
}

void run_pipeline(const RunOptions& o, const std::string& run_id) {
  check_output_file("--metrics-json", o.metrics_json);
  check_output_file("--metrics-prom", o.metrics_prom);
  LoadedPipeline lp = load_or_report(o.name, o.common);
  metrics::set_run_context(run_id, lp.name);
  if (int code = report_invalid(lp)) {
    end_invalid_run(lp, run_id, code, o);
    g_exit_code = code;
    return;
  }
  if (!choose_steps(lp, o)) return;
  if (o.dry_run) {
    std::cout << "pipeline " << lp.name << " (dry run: nothing is read or written)\n"
              << pipeline::describe_plan(lp.plan);
    return;
  }
  execute_plan(lp, o, run_id);
}

void run_command(const RunOptions& o) {
  // Before any thread starts: every thread then leaves SIGINT/SIGTERM to the watcher.
  interrupt::install();
  metrics::init_logging(metrics::parse_log_level(o.log_level), metrics::parse_log_format(o.log_format),
                        o.quiet);
  const std::string run_id = time_ordered_id();
  metrics::set_run_context(run_id, std::filesystem::path(o.name).stem().string());
  try {
    run_pipeline(o, run_id);
  } catch (const Error& e) {
    if (!metrics::json_logging()) throw;
    // JSON lines only, even for an error that ends the run before it starts.
    metrics::log_event(LogLevel::Error, "run_end", e.message(),
                       Json{{"status", "error"},
                            {"exit_code", e.exit_code()},
                            {"hint", e.hint().empty() ? Json(nullptr) : Json(e.hint())}});
    g_exit_code = e.exit_code();
  }
}

}  // namespace

void add_run_command(CLI::App* pipeline) {
  auto run = std::make_shared<RunOptions>();
  auto* cmd = pipeline->add_subcommand("run", "Run a pipeline");
  cmd->add_option("pipeline", run->name, "pipeline name (pipelines/NAME.sf) or path to a .sf file")
      ->required();
  add_common(cmd, run->common);
  cmd->add_option("-j,--jobs", run->jobs, "independent steps run at once, 1 to 64 (default: number of cores)")
      ->check(CLI::Range(1, 64).description("1 to 64"));
  cmd->add_option(
      "-s,--select", run->select,
      "run only these steps (comma-separated; a step's name as `compile` shows it, its target, or "
      "its number; +step adds what it reads from, step+ what reads it)");
  cmd->add_option("--exclude", run->exclude, "leave these steps out (same forms as --select)");
  cmd->add_flag("--from-failed", run->from_failed,
                "re-run the steps the last run of this pipeline did not finish (persistent engine)");
  cmd->add_flag("--fail-fast", run->fail_fast,
                "start no step after a failure (default: steps that do not depend on it still run)");
  cmd->add_flag("--dry-run", run->dry_run, "print the plan without reading or writing data");
  cmd->add_option("--metrics-json", run->metrics_json,
                  "write the run's metrics as JSON (docs/metrics-schema.md)");
  cmd->add_option("--metrics-prom", run->metrics_prom, "write the run's metrics in Prometheus text format");
  cmd->add_flag("-q,--quiet", run->quiet, "print only errors and the exit line of a failed run");
  cmd->add_option("--log-level", run->log_level, "trace, debug, info, warn, error or off")
      ->default_val("info");
  cmd->add_option("--log-format", run->log_format,
                  "text, or json: JSON lines only on stderr (events with run_id, pipeline, step, connector)")
      ->default_val("text");
  cmd->callback([run] { run_command(*run); });
}

}  // namespace sqlflow::cli
