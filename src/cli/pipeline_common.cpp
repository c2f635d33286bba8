#include "cli/pipeline_common.hpp"

#include <iostream>

#include "connectors/registry.hpp"
#include "metrics/logging.hpp"
#include "metrics/secrets.hpp"

namespace sqlflow::cli {

void add_common(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("-p,--profile", o.profile, "profile in profiles/<name>.yml")->default_val("dev");
  cmd->add_option("--vars,--variables", o.vars,
                  "variables: a JSON object or k=v,k2=v2 (override everything)");
  cmd->add_flag("--allow-outside-project", o.allow_outside_project,
                "let file exports write outside the project folder (and the profile's allowed_paths)");
}

pipeline::LoadedPipeline load_or_report(const std::string& name, const CommonOptions& o) {
  pipeline::PipelineRequest req;
  req.pipeline = name;
  req.profile = o.profile;
  req.vars = pipeline::parse_vars(o.vars);
  req.allow_outside_project = o.allow_outside_project;
  req.engine = o.engine;
  return pipeline::load_pipeline(req);
}

int report_invalid(const pipeline::LoadedPipeline& lp) {
  if (metrics::json_logging()) {
    for (const auto& w : lp.warnings)
      metrics::log_event(metrics::LogLevel::Warn, "pipeline_warning", w, nlohmann::ordered_json::object());
    for (const auto& e : lp.errors) {
      nlohmann::ordered_json f = nlohmann::ordered_json::object();
      if (e.location()) {
        f["file"] = e.location()->file;
        f["line"] = e.location()->line;
      }
      f["hint"] = e.hint().empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.hint());
      metrics::log_event(metrics::LogLevel::Error, "pipeline_error", e.message(), f);
    }
    return lp.errors.empty() ? 0 : 2;
  }
  for (const auto& w : lp.warnings) std::cerr << "warning: " << w << '\n';
  if (lp.errors.empty()) return 0;
  std::cerr << pipeline::format_errors(lp.errors);
  std::cerr << "pipeline " << lp.name << " is invalid: nothing was run\n";
  return 2;
}

void register_secrets(const pipeline::LoadedPipeline& lp) {
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

}  // namespace sqlflow::cli
