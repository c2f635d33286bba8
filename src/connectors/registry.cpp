#include "connectors/registry.hpp"

#include <algorithm>
#include <cctype>

#include "connectors/common_params.hpp"
#include "core/suggest.hpp"

namespace sqlflow::connectors {

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool matches_type(ParamType type, const nlohmann::json& v) {
  switch (type) {
    case ParamType::String:
    case ParamType::Secret:
      return v.is_string();
    case ParamType::Int:
      return v.is_number_integer() || v.is_number_unsigned();
    case ParamType::Number:
      return v.is_number();
    case ParamType::Bool:
      return v.is_boolean();
    case ParamType::List:
      return v.is_array();
    case ParamType::Object:
      return v.is_object();
    case ParamType::Any:
      return true;
  }
  return false;
}

std::string article(const std::string& noun) {
  return (std::string("aeiou").find(noun[0]) != std::string::npos ? "an " : "a ") + noun;
}

bool unresolved(const nlohmann::json& v) {
  return v.is_string() && v.get<std::string>().find("${") != std::string::npos;
}

const std::vector<ParamSpec>& specs_for(const ConnectorInfo& info, Role role) {
  return role == Role::Source ? info.source_params : info.destination_params;
}
}  // namespace

const char* to_string(ParamType type) {
  switch (type) {
    case ParamType::String:
      return "string";
    case ParamType::Int:
      return "integer";
    case ParamType::Number:
      return "number";
    case ParamType::Bool:
      return "boolean";
    case ParamType::List:
      return "list";
    case ParamType::Object:
      return "object";
    case ParamType::Secret:
      return "secret string";
    case ParamType::Any:
      return "any";
  }
  return "?";
}

Registry& Registry::instance() {
  static Registry registry;
  return registry;
}

void Registry::add(ConnectorInfo info) {
  info.type = lower(info.type);
  for (auto& a : info.aliases) a = lower(a);
  // Two connectors may not answer to one name: the second would never be found.
  for (const auto& name : [&] {
         auto names = info.aliases;
         names.push_back(info.type);
         return names;
       }())
    if (find(name)) throw internal_error("connector type '" + name + "' is registered twice");
  // Every source takes the framework's parameters; a connector's own declaration documents them.
  if (info.make_source)
    for (const auto& common : common_source_params())
      if (std::none_of(info.source_params.begin(), info.source_params.end(),
                       [&](const ParamSpec& p) { return p.name == common.name; }))
        info.source_params.push_back(common);
  connectors_.push_back(std::move(info));
  std::sort(connectors_.begin(), connectors_.end(),
            [](const auto& a, const auto& b) { return a.type < b.type; });
}

const ConnectorInfo* Registry::find(const std::string& type) const {
  const std::string t = lower(type);
  for (const auto& c : connectors_) {
    if (c.type == t || std::find(c.aliases.begin(), c.aliases.end(), t) != c.aliases.end()) return &c;
  }
  return nullptr;
}

const ConnectorInfo& Registry::get(const std::string& type, Role role) const {
  const ConnectorInfo* info = find(type);
  bool usable = info && (role == Role::Source ? bool(info->make_source) : bool(info->make_destination));
  if (usable) return *info;
  auto names = type_names(role);
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  const char* what = role == Role::Source ? "source" : "destination";
  if (info)
    throw validation_error("connector type '" + type + "' cannot be used as a " + what,
                           "types usable as a " + std::string(what) + ": " + list);
  throw validation_error("unknown connector type '" + type + "'" + did_you_mean(lower(type), names),
                         "known " + std::string(what) + " types: " + list);
}

std::vector<const ConnectorInfo*> Registry::all() const {
  std::vector<const ConnectorInfo*> out;
  for (const auto& c : connectors_) out.push_back(&c);
  return out;
}

std::vector<std::string> Registry::type_names(Role role) const {
  std::vector<std::string> out;
  for (const auto& c : connectors_)
    if (role == Role::Source ? bool(c.make_source) : bool(c.make_destination)) out.push_back(c.type);
  return out;
}

void Registry::add_inspector(const std::string& type, ServerInspector inspector) {
  inspectors_.emplace_back(lower(type), std::move(inspector));
}

const ServerInspector* Registry::inspector(const std::string& type) const {
  const ConnectorInfo* info = find(type);
  const std::string t = info ? info->type : lower(type);
  for (const auto& [name, inspector] : inspectors_)
    if (name == t) return &inspector;
  return nullptr;
}

void Registry::add_engine(const std::string& type, EngineProvider provider) {
  engines_.emplace_back(lower(type), std::move(provider));
}

const EngineProvider* Registry::engine(const std::string& type) const {
  for (const auto& [name, provider] : engines_)
    if (name == lower(type)) return &provider;
  return nullptr;
}

std::vector<std::string> Registry::engine_names() const {
  std::vector<std::string> out{"duckdb"};
  for (const auto& [name, provider] : engines_) out.push_back(name);
  return out;
}

std::vector<Error> check_params(const ConnectorInfo& info, Role role, const Params& params) {
  std::vector<Error> errors;
  const auto& specs = specs_for(info, role);
  if (!params.is_object()) {
    errors.push_back(validation_error("parameters must be a JSON object"));
    return errors;
  }
  std::vector<std::string> known;
  for (const auto& s : specs) {
    known.push_back(s.name);
    for (const auto& a : s.aliases) known.push_back(a);
  }
  for (const auto& [key, value] : params.items()) {
    auto spec = std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& s) {
      return s.name == key || std::find(s.aliases.begin(), s.aliases.end(), key) != s.aliases.end();
    });
    if (spec == specs.end()) {
      errors.push_back(validation_error("unknown parameter '" + key + "'" + did_you_mean(key, known),
                                        "run `sqlflow connect describe " + info.type + "` for the list"));
      continue;
    }
    if (!value.is_null() && !unresolved(value) && !matches_type(spec->type, value))
      errors.push_back(validation_error("parameter '" + key + "' must be " + article(to_string(spec->type)) +
                                        ", got " + value.type_name()));
  }
  for (const auto& s : specs) {
    if (!s.required) continue;
    bool present = params.contains(s.name);
    for (const auto& a : s.aliases) present = present || params.contains(a);
    if (!present)
      errors.push_back(validation_error("missing required parameter '" + s.name + "'",
                                        s.doc.empty() ? std::string{} : s.name + ": " + s.doc));
  }
  return errors;
}

Params normalize_params(const std::vector<ParamSpec>& specs, const Params& params) {
  Params out = Params::object();
  for (const auto& [key, value] : params.items()) {
    std::string name = key;
    for (const auto& s : specs)
      if (std::find(s.aliases.begin(), s.aliases.end(), key) != s.aliases.end()) name = s.name;
    out[name] = value;
  }
  for (const auto& s : specs)
    if (!out.contains(s.name) && !s.default_value.is_null()) out[s.name] = s.default_value;
  return out;
}

}  // namespace sqlflow::connectors
