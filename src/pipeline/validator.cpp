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

const BoundSource* find_source(const ValidatedPipeline& v, const std::string& name) {
  for (const auto& s : v.sources)
    if (fold_name(s.name) == fold_name(name)) return &s;
  return nullptr;
}

// An incremental source hands over only the rows after its watermark, so its LOAD must add to
// the table: APPEND, or UPSERT when the source names its primary key. REPLACE would swap in the
// delta alone (and an empty one on a run without new rows).
void choose_incremental_mode(LoadStmt& load, const BoundSource& src, const SourceLocation& loc,
                             bool written_earlier, std::vector<Error>& errors) {
  if (!load.mode_explicit) {
    // The first run hands over every row: a full load, unless an earlier step of this pipeline
    // filled the table (a second source adding to it).
    load.replace_on_first_run = !written_earlier;
    if (src.primary_key.empty()) {
      load.mode = LoadMode::Append;
    } else {
      load.mode = LoadMode::Upsert;
      load.keys = src.primary_key;
    }
    return;
  }
  if (load.mode == LoadMode::Replace) {
    std::string keys;
    for (const auto& k : src.primary_key) keys += (keys.empty() ? "" : ", ") + k;
    errors.push_back(
        validation_error("LOAD " + load.table + " MODE REPLACE from incremental SOURCE " + src.name +
                             " would replace the table with only the rows after the watermark",
                         keys.empty() ? "write MODE APPEND (or MODE UPSERT KEY (…)), leave MODE out (APPEND), or "
                                        "set \"sync_mode\": \"full_refresh\" to reload everything"
                                      : "write MODE UPSERT KEY (" + keys + "), leave MODE out (the same), or set "
                                        "\"sync_mode\": \"full_refresh\" to reload everything")
            .at(loc));
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

ValidatedPipeline validate(Plan& plan, const Profile& profile, const std::set<std::string>& existing_tables,
                           const connectors::ConnectorContext& context, std::vector<Error>& errors) {
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
      for (const auto& unset : it->second.unset_variables) {
        Error e = unset;
        errors.push_back(Error(e.kind(), e.message() + " (connector '" + s.profile_connector + "', used by SOURCE " +
                                             s.name + " at line " + std::to_string(loc.line) + ")",
                               e.hint())
                             .at(*e.location()));
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
    if (b.params.contains("primary_key")) {
      const auto& pk = b.params["primary_key"];
      bool ok = pk.is_null() || pk.is_string() || pk.is_array();
      if (pk.is_string() && !pk.get<std::string>().empty()) b.primary_key.push_back(pk.get<std::string>());
      if (pk.is_array()) {
        for (const auto& k : pk) {
          if (k.is_string()) b.primary_key.push_back(k.get<std::string>());
          else ok = false;
        }
      }
      if (!ok)
        errors.push_back(validation_error("primary_key of SOURCE " + s.name + " must be a column name or a list of column names",
                                          "e.g. \"primary_key\": \"order_id\" or [\"order_id\", \"line\"]")
                             .at(loc));
    }
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

  std::set<std::string> written;  // tables written by the steps before (plan order keeps writers in file order)
  for (auto& st : plan.steps) {
    const auto& loc = st.statement.location;
    const bool written_earlier = std::any_of(st.writes.begin(), st.writes.end(), [&](const auto& w) { return written.count(w) > 0; });
    written.insert(st.writes.begin(), st.writes.end());
    if (auto* l = std::get_if<LoadStmt>(&st.statement.node)) {
      if (const BoundSource* src = find_source(out, l->source); src && src->incremental)
        choose_incremental_mode(*l, *src, loc, written_earlier, errors);
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
            info->check_destination(e->uri, connectors::normalize_params(info->destination_params, e->options), context);
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
  return out;
}

}  // namespace sqlflow::pipeline
