#include "pipeline/validator.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <optional>

#include "connectors/common_params.hpp"
#include "connectors/connector_error.hpp"
#include "core/file_paths.hpp"
#include "core/suggest.hpp"

namespace sqlflow::pipeline {

namespace {

std::vector<std::string> keys_of(const std::map<std::string, ConnectorConfig>& m) {
  std::vector<std::string> out;
  for (const auto& [k, _] : m) out.push_back(k);
  return out;
}

// Runs a value check (e.g. ConnectorInfo::check_source/check_destination); its Error is reported
// at the statement's location, after the connector's subject when there is one.
void check_values(std::vector<Error>& errors, const SourceLocation& loc, const std::function<void()>& check,
                  const std::string& subject = {}) {
  try {
    check();
  } catch (Error& e) {
    errors.push_back((subject.empty() ? e : with_subject(e, subject)).at(loc));
  }
}

// Type errors of a connector's params, each after its subject, at the statement's location.
void report_type_errors(std::vector<Error>& errors, const std::vector<Error>& type_errors,
                        const std::string& subject, const SourceLocation& loc) {
  for (const auto& e : type_errors) errors.push_back(with_subject(e, subject).at(loc));
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
                         keys.empty()
                             ? "write MODE APPEND (or MODE UPSERT KEY (…)), leave MODE out (APPEND), or "
                               "set \"sync_mode\": \"full_refresh\" to reload everything"
                             : "write MODE UPSERT KEY (" + keys +
                                   "), leave MODE out (the same), or set "
                                   "\"sync_mode\": \"full_refresh\" to reload everything")
            .at(loc));
  }
}

// The table every LOAD from `source` writes, when they agree; an error when they differ.
std::optional<std::string> single_load_target(const Plan& plan, const std::string& source,
                                              const SourceLocation& loc, std::vector<Error>& errors) {
  std::optional<std::string> target;
  for (const auto& step : plan.steps) {
    const auto* l = std::get_if<LoadStmt>(&step.statement.node);
    if (!l || fold_name(l->source) != fold_name(source)) continue;
    if (target && fold_name(*target) != fold_name(l->table)) {
      errors.push_back(validation_error("SOURCE " + source + " feeds LOADs into '" + *target + "' and '" +
                                            l->table + "', so the object to read is ambiguous",
                                        "set \"object\" in its PARAMS, or use one SOURCE per object")
                           .at(loc));
      return std::nullopt;
    }
    target = l->table;
  }
  if (target) {
    // The object's name is the table's, lower case (LOAD Orders reads orders).
    for (auto& c : *target) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return target;
}

// Merges a FROM-profile SOURCE's connector (type and params, the SOURCE's OPTIONS over them) into
// `type` and `params`, reporting its unset ${VAR}s; false (an error reported) when the profile
// has no such connector.
bool merge_profile_connector(const SourceStmt& s, const Profile& profile, const SourceLocation& loc,
                             std::string& type, connectors::Params& params, std::vector<Error>& errors) {
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
    return false;
  }
  for (const auto& unset : it->second.unset_variables) {
    Error e = unset;
    errors.push_back(Error(e.kind(),
                           e.message() + " (connector '" + s.profile_connector + "', used by SOURCE " +
                               s.name + " at line " + std::to_string(loc.line) + ")",
                           e.hint())
                         .at(*e.location()));
  }
  type = it->second.type;
  connectors::Params merged = it->second.params;
  for (const auto& [k, v] : params.items()) merged[k] = v;  // OPTIONS override the profile
  params = merged;
  return true;
}

// Checks `b.params` against the connector's specs (the framework's common ones included, see
// common_params.hpp), then the common values, then the connector's own value check; sets the
// source's incremental fields when the values are right.
void check_source_params(BoundSource& b, connectors::Params params, const SourceLocation& loc,
                         std::vector<Error>& errors) {
  const std::string subject = connectors::connector_subject(b.type, connectors::Role::Source, b.name);
  auto type_errors = connectors::check_params(*b.info, connectors::Role::Source, params);
  report_type_errors(errors, type_errors, subject, loc);
  b.params = connectors::normalize_params(b.info->source_params, params);
  if (!type_errors.empty()) return;
  const size_t before = errors.size();
  check_values(
      errors, loc, [&] { connectors::check_common_source_values(b.params); }, subject);
  if (errors.size() != before) return;
  if (b.info->check_source)
    check_values(
        errors, loc, [&] { b.info->check_source(b.params); }, subject);
  b.incremental = b.params.value("sync_mode", "full_refresh") == "incremental";
  b.cursor_field = b.incremental ? b.params.value("cursor_field", "") : "";
  b.primary_key = connectors::primary_key_of(b.params);
}

// The SOURCE bound to its connector with checked params, or nullopt (errors reported) when its
// connector or type is unknown.
std::optional<BoundSource> bind_source(const Plan& plan, const SourceStmt& s, const Profile& profile,
                                       std::vector<Error>& errors) {
  const SourceLocation& loc = plan.source_locations.at(fold_name(s.name));
  BoundSource b;
  b.name = s.name;
  b.location = loc;
  std::string type = s.type;
  connectors::Params params = s.params.is_object() ? s.params : connectors::Params::object();
  if (s.from_profile && !merge_profile_connector(s, profile, loc, type, params, errors)) return std::nullopt;
  try {
    b.info = &connectors::Registry::instance().get(type, connectors::Role::Source);
  } catch (Error& e) {
    errors.push_back(e.at(loc));
    return std::nullopt;
  }
  b.type = b.info->type;
  if (!b.info->object_from_load_target.empty() && !params.contains(b.info->object_from_load_target))
    if (auto target = single_load_target(plan, s.name, loc, errors))
      params[b.info->object_from_load_target] = *target;
  check_source_params(b, std::move(params), loc, errors);
  return b;
}

void check_load(LoadStmt& load, const Plan& plan, const ValidatedPipeline& out, const SourceLocation& loc,
                bool written_earlier, std::vector<Error>& errors) {
  if (const BoundSource* src = find_source(out, load.source); src && src->incremental)
    choose_incremental_mode(load, *src, loc, written_earlier, errors);
  if (plan.source_locations.count(fold_name(load.source))) return;
  std::vector<std::string> names;
  for (const auto& s : plan.sources) names.push_back(s.name);
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  errors.push_back(
      validation_error(
          "LOAD references undefined source '" + load.source + "'" + did_you_mean(load.source, names),
          names.empty() ? "define it first: SOURCE " + load.source + " TYPE … PARAMS {…};"
                        : "defined sources: " + list)
          .at(loc));
}

// The destination type, the file extension, then the OPTIONS' types and values.
void check_export(const ExportStmt& e, const connectors::ConnectorContext& context, const SourceLocation& loc,
                  std::vector<Error>& errors) {
  const connectors::ConnectorInfo* info = nullptr;
  try {
    info = &connectors::Registry::instance().get(e.type, connectors::Role::Destination);
  } catch (Error& err) {
    errors.push_back(err.at(loc));
  }
  check_values(errors, loc, [&] { files::check_export_type_matches_extension(e.type, e.uri); });
  if (!info) return;
  const std::string subject = connectors::connector_subject(info->type, connectors::Role::Destination, e.uri);
  auto type_errors = connectors::check_params(*info, connectors::Role::Destination, e.options);
  report_type_errors(errors, type_errors, subject, loc);
  if (type_errors.empty() && info->check_destination)
    check_values(
        errors, loc,
        [&] {
          info->check_destination(e.uri, connectors::normalize_params(info->destination_params, e.options),
                                  context);
        },
        subject);
}

// Names a step may read: sources, tables written by steps, tables already in the database.
std::set<std::string> readable_names(const Plan& plan, const std::set<std::string>& existing_tables) {
  std::set<std::string> known = existing_tables;
  for (const auto& s : plan.sources) known.insert(fold_name(s.name));
  for (const auto& st : plan.steps)
    for (const auto& w : st.writes) known.insert(w);
  return known;
}

void check_reads(const Step& st, const std::set<std::string>& known,
                 const std::vector<std::string>& known_list, std::vector<Error>& errors) {
  for (const auto& r : st.reads) {
    if (known.count(r)) continue;
    auto suggestion = closest_match(r, known_list);
    errors.push_back(validation_error(std::string(to_string(st.kind)) + " step references undefined table '" +
                                          r + "'" +
                                          (suggestion ? " (did you mean '" + *suggestion + "'?)" : ""),
                                      "define it with SOURCE, LOAD or CREATE TABLE before using it")
                         .at(st.statement.location));
  }
}

}  // namespace

ValidatedPipeline validate(Plan& plan, const Profile& profile, const std::set<std::string>& existing_tables,
                           const connectors::ConnectorContext& context, std::vector<Error>& errors) {
  ValidatedPipeline out;
  for (const auto& s : plan.sources)
    if (auto b = bind_source(plan, s, profile, errors)) out.sources.push_back(std::move(*b));

  const std::set<std::string> known = readable_names(plan, existing_tables);
  const std::vector<std::string> known_list(known.begin(), known.end());
  std::set<std::string>
      written;  // tables written by the steps before (plan order keeps writers in file order)
  for (auto& st : plan.steps) {
    const auto& loc = st.statement.location;
    const bool written_earlier =
        std::any_of(st.writes.begin(), st.writes.end(), [&](const auto& w) { return written.count(w) > 0; });
    written.insert(st.writes.begin(), st.writes.end());
    if (auto* l = std::get_if<LoadStmt>(&st.statement.node)) {
      check_load(*l, plan, out, loc, written_earlier, errors);
      continue;
    }
    if (const auto* e = std::get_if<ExportStmt>(&st.statement.node)) check_export(*e, context, loc, errors);
    check_reads(st, known, known_list, errors);
  }
  return out;
}

}  // namespace sqlflow::pipeline
