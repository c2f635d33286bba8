#include "pipeline/validator.hpp"

#include <algorithm>
#include <filesystem>
#include <functional>

#include "core/suggest.hpp"

namespace sqlflow::pipeline {

namespace {

std::string lower(std::string s) { return fold_name(std::move(s)); }

std::vector<std::string> keys_of(const std::map<std::string, ConnectorConfig>& m) {
  std::vector<std::string> out;
  for (const auto& [k, _] : m) out.push_back(k);
  return out;
}

// Keys every source accepts (handled by the pipeline, not the connector).
const std::vector<connectors::ParamSpec>& common_source_params() {
  static const std::vector<connectors::ParamSpec> specs = {
      {"sync_mode", connectors::ParamType::String, false, nullptr, "full_refresh (default) or incremental"},
      {"cursor_field", connectors::ParamType::String, false, nullptr, "column whose maximum is the watermark (incremental)"},
      {"primary_key", connectors::ParamType::Any, false, nullptr, "key column(s) of the records"},
      {"resilience", connectors::ParamType::Object, false, nullptr, "retry / circuit_breaker / rate_limit overrides"},
  };
  return specs;
}

std::string extension_format(const std::string& uri) {
  std::string ext = lower(std::filesystem::path(uri).extension().string());
  if (ext == ".gz" || ext == ".zst") ext = lower(std::filesystem::path(uri).stem().extension().string());
  if (ext == ".csv" || ext == ".tsv") return "csv";
  if (ext == ".parquet") return "parquet";
  if (ext == ".json" || ext == ".jsonl" || ext == ".ndjson") return "json";
  return "";
}

// Runs a connector's value check (ConnectorInfo::check_source/check_destination); its Error is
// reported at the statement's location.
void check_values(std::vector<Error>& errors, const SourceLocation& loc, const std::function<void()>& check) {
  try {
    check();
  } catch (Error& e) {
    errors.push_back(e.at(loc));
  }
}

}  // namespace

std::optional<Error> check_export_type(const std::string& type, const std::string& uri) {
  std::string t = lower(type);
  if (t != "csv" && t != "parquet" && t != "json") return std::nullopt;
  std::string ext = extension_format(uri);
  if (ext.empty() || ext == t) return std::nullopt;
  return validation_error("EXPORT TYPE " + type + " contradicts the extension of \"" + uri + "\" (a " + ext + " file)",
                          "change TYPE to " + ext + " or the file name's extension to ." + t);
}

ValidatedPipeline validate(const Plan& plan, const Profile& profile, const std::set<std::string>& existing_tables,
                           std::vector<Error>& errors) {
  ValidatedPipeline out;
  auto& registry = connectors::Registry::instance();

  for (const auto& s : plan.sources) {
    const SourceLocation& loc = plan.source_locations.at(fold_name(s.name));
    BoundSource b;
    b.name = s.name;
    b.location = loc;
    std::string type = s.type;
    connectors::Params params = s.params.is_object() ? s.params : connectors::Params::object();
    if (s.from_profile) {
      auto it = profile.connectors.find(s.profile_connector);
      if (it == profile.connectors.end()) {
        std::string known;
        for (const auto& k : keys_of(profile.connectors)) known += (known.empty() ? "" : ", ") + k;
        errors.push_back(validation_error("SOURCE " + s.name + " uses connector '" + s.profile_connector +
                                              "', which profile '" + profile.name + "' does not define" +
                                              did_you_mean(s.profile_connector, keys_of(profile.connectors)),
                                          known.empty() ? "add it under connectors: in the profile"
                                                        : "connectors in this profile: " + known)
                             .at(loc));
        continue;
      }
      type = it->second.type;
      connectors::Params merged = it->second.params;
      for (const auto& [k, v] : params.items()) merged[k] = v;  // OPTIONS override the profile
      params = merged;
    }
    try {
      b.info = &registry.get(type, connectors::Role::Source);
    } catch (Error& e) {
      errors.push_back(e.at(loc));
      continue;
    }
    b.type = b.info->type;
    // Split the pipeline-level keys from the connector's own.
    connectors::Params own = connectors::Params::object();
    connectors::ConnectorInfo with_common = *b.info;
    for (const auto& c : common_source_params())
      if (std::none_of(with_common.source_params.begin(), with_common.source_params.end(),
                       [&](const auto& p) { return p.name == c.name; }))
        with_common.source_params.push_back(c);
    auto type_errors = connectors::check_params(with_common, connectors::Role::Source, params);
    for (auto& e : type_errors) errors.push_back(e.at(loc));
    b.params = connectors::normalize_params(with_common.source_params, params);
    if (type_errors.empty() && b.info->check_source) check_values(errors, loc, [&] { b.info->check_source(b.params); });
    std::string sync = b.params.value("sync_mode", "full_refresh");
    if (sync != "full_refresh" && sync != "incremental")
      errors.push_back(validation_error("sync_mode of SOURCE " + s.name + " must be 'full_refresh' or 'incremental', not '" + sync + "'").at(loc));
    b.incremental = sync == "incremental";
    if (b.incremental) {
      b.cursor_field = b.params.value("cursor_field", "");
      if (b.cursor_field.empty())
        errors.push_back(validation_error("SOURCE " + s.name + " with sync_mode 'incremental' is missing cursor_field",
                                          "add \"cursor_field\": \"<column>\" to its PARAMS")
                             .at(loc));
    }
    out.sources.push_back(std::move(b));
  }

  // Names a step may read: sources, tables written by steps, tables already in the database.
  std::set<std::string> known = existing_tables;
  for (const auto& s : plan.sources) known.insert(fold_name(s.name));
  for (const auto& st : plan.steps)
    for (const auto& w : st.writes) known.insert(w);
  std::vector<std::string> known_list(known.begin(), known.end());

  for (const auto& st : plan.steps) {
    const auto& loc = st.statement.location;
    if (const auto* l = std::get_if<LoadStmt>(&st.statement.node)) {
      if (!plan.source_locations.count(fold_name(l->source))) {
        std::vector<std::string> names;
        for (const auto& s : plan.sources) names.push_back(s.name);
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        errors.push_back(validation_error("LOAD references undefined source '" + l->source + "'" + did_you_mean(l->source, names),
                                          names.empty() ? "define it first: SOURCE " + l->source + " TYPE … PARAMS {…};"
                                                        : "defined sources: " + list)
                             .at(loc));
      }
      continue;
    }
    if (const auto* e = std::get_if<ExportStmt>(&st.statement.node)) {
      const connectors::ConnectorInfo* info = nullptr;
      try {
        info = &registry.get(e->type, connectors::Role::Destination);
      } catch (Error& err) {
        errors.push_back(err.at(loc));
      }
      if (auto err = check_export_type(e->type, e->uri)) errors.push_back(err->at(loc));
      if (info) {
        auto type_errors = connectors::check_params(*info, connectors::Role::Destination, e->options);
        for (auto& err : type_errors) errors.push_back(err.at(loc));
        if (type_errors.empty() && info->check_destination)
          check_values(errors, loc, [&] {
            info->check_destination(e->uri, connectors::normalize_params(info->destination_params, e->options));
          });
      }
    }
    for (const auto& r : st.reads) {
      if (known.count(r)) continue;
      auto suggestion = closest_match(r, known_list);
      errors.push_back(validation_error(std::string(to_string(st.kind)) + " step references undefined table '" + r + "'" +
                                            (suggestion ? " (did you mean '" + *suggestion + "'?)" : ""),
                                        "define it with SOURCE, LOAD or CREATE TABLE before using it")
                           .at(loc));
    }
  }
  out.warnings = profile.warnings;
  return out;
}

}  // namespace sqlflow::pipeline
