// `sqlflow pipeline validate|compile|list`, and the `pipeline` group (run: run_command.cpp).
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
#include "cli/pipeline_common.hpp"
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

// ---- validate / compile / list ----

// Binds every statement against the pipeline's schemas (binder.hpp); errors join lp.errors.
void bind_statements(LoadedPipeline& lp, bool offline) {
  pipeline::BindOptions bo;
  bo.context = lp.context;
  bo.udfs = lp.udfs;
  bo.offline = offline;
  // The PostgreSQL engine checks the SQL itself (rolled back); --offline leaves it unasked.
  if (lp.profile.engine.name != "duckdb") {
    if (offline)
      bo.offline_engine = lp.profile.engine.name;
    else
      bo.engine = pipeline::make_engine(lp.profile);
  }
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
    std::cout << "pipeline " << lp.name << (o.engine.empty() ? "" : " on engine " + lp.profile.engine.name)
              << '\n'
              << pipeline::describe_plan(lp.plan, o.engine.empty() && lp.profile.engine.name == "duckdb"
                                                      ? std::string()
                                                      : lp.profile.engine.name);
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

  add_run_command(pipeline);
  add_run_history_commands(pipeline);

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
  compile->add_option("--engine", c_opts->engine,
                      "plan for this engine (duckdb, or one the profile configures under engines:, e.g. "
                      "postgres) and show where each step runs");
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
