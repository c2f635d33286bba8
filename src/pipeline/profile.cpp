#include "pipeline/profile.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "connectors/registry.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "engine/database.hpp"
#include "metrics/secrets.hpp"
#include "net/redact.hpp"

namespace sqlflow::pipeline {

namespace fs = std::filesystem;

namespace {

constexpr uintmax_t kMaxProfileBytes = 4u << 20;

bool valid_utf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    i += n;
  }
  return true;
}

struct Loader {
  const Project& project;
  std::string file;  // as shown in messages (relative to the project)
  std::vector<std::string>& warnings;

  [[noreturn]] void fail(const std::string& msg, const YAML::Node& node, const std::string& hint = {}) const {
    Error e = config_error(msg, hint);
    e.at({file, node.IsDefined() ? node.Mark().line + 1 : 0, node.IsDefined() ? node.Mark().column + 1 : 0});
    throw e;
  }

  void warn_unknown(const YAML::Node& map, const std::vector<std::string>& known,
                    const std::string& where) const {
    for (const auto& kv : map) {
      std::string key = kv.first.as<std::string>();
      if (std::find(known.begin(), known.end(), key) == known.end())
        warnings.push_back(file + ":" + std::to_string(kv.first.Mark().line + 1) + ": unknown key '" + key +
                           "'" + (where.empty() ? "" : " in " + where) + did_you_mean(key, known) +
                           " (ignored)");
    }
  }

  // What an unset ${VAR} does where it is written.
  enum class Unset { Fail, KeepWithWarning, Record };
  Unset unset = Unset::Fail;
  std::vector<Error>* unset_errors = nullptr;  // Unset::Record
  std::string* unset_warning = nullptr;        // Unset::KeepWithWarning

  // ${VAR} and ${VAR|default} from the environment and .env.
  std::string substitute(const std::string& text, const YAML::Node& node) const {
    static const std::regex ref(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)(?:\|([^}]*))?\})");
    std::string out;
    auto begin = std::sregex_iterator(text.begin(), text.end(), ref);
    size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      const auto& m = *it;
      out += text.substr(last, static_cast<size_t>(m.position()) - last);
      std::string name = m[1].str();
      if (auto v = project.env(name))
        out += *v;
      else if (m[2].matched)
        out += m[2].str();
      else
        unset_variable(name, m.str(), node, out);
      last = static_cast<size_t>(m.position() + m.length());
    }
    out += text.substr(last);
    return out;
  }

  void unset_variable(const std::string& name, const std::string& reference, const YAML::Node& node,
                      std::string& out) const {
    const std::string hint =
        "export it, add it to " + (project.root() / ".env").string() + ", or write ${" + name + "|default}";
    switch (unset) {
      case Unset::KeepWithWarning:
        out += reference;
        if (unset_warning)
          *unset_warning = file + ":" + std::to_string(node.Mark().line + 1) + ": environment variable '" +
                           name + "' is not set; the variable keeps the text " + reference + " (" + hint +
                           ")";
        return;
      case Unset::Record:
        out += reference;
        if (unset_errors)
          unset_errors->push_back(config_error("environment variable '" + name + "' is not set", hint)
                                      .at({file, node.Mark().line + 1, node.Mark().column + 1}));
        return;
      case Unset::Fail:
        break;
    }
    fail("environment variable '" + name + "' is not set", node, hint);
  }

  // Every value of the document, aliases expanded, once: a duplicate key is an error at its
  // line (YAML forbids them; yaml-cpp would keep the first silently), and so are a document that
  // expands past kMaxValues (nine levels of nine aliases make billions) or nests past kMaxDepth.
  void check_document(const YAML::Node& node, int depth, size_t& values) const {
    if (++values > kMaxValues)
      fail("the profile expands to more than " + std::to_string(kMaxValues) +
               " values (YAML aliases referring to aliases?)",
           node, "a profile holds engines, variables and connectors; write them out");
    if (depth > kMaxDepth)
      fail("the profile nests deeper than " + std::to_string(kMaxDepth) + " levels", node);
    if (node.IsSequence()) {
      for (const auto& item : node) check_document(item, depth + 1, values);
    } else if (node.IsMap()) {
      std::map<std::string, int> seen;
      for (const auto& kv : node) {
        const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
        if (kv.first.IsScalar()) {
          auto [it, fresh] = seen.emplace(key, kv.first.Mark().line + 1);
          if (!fresh)
            fail("duplicate key '" + key + "' (first at line " + std::to_string(it->second) + ")", kv.first,
                 "YAML keeps one value per key: remove one of them");
        }
        check_document(kv.second, depth + 1, values);
      }
    }
  }
  static constexpr size_t kMaxValues = 100000;
  static constexpr int kMaxDepth = 64;

  // YAML → JSON: plain scalars become booleans/numbers/null where they look like one.
  nlohmann::json to_json(const YAML::Node& node) const {
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return nullptr;
      case YAML::NodeType::Sequence: {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& item : node) arr.push_back(to_json(item));
        return arr;
      }
      case YAML::NodeType::Map: {
        nlohmann::json obj = nlohmann::json::object();
        for (const auto& kv : node) obj[kv.first.as<std::string>()] = to_json(kv.second);
        return obj;
      }
      case YAML::NodeType::Scalar: {
        std::string raw = node.Scalar();
        if (!valid_utf8(raw)) fail("the value is not valid UTF-8", node, "save the profile as UTF-8");
        std::string value = substitute(raw, node);
        if (node.Tag() == "!") return value;  // quoted: always a string
        if (value == "true" || value == "True" || value == "TRUE") return true;
        if (value == "false" || value == "False" || value == "FALSE") return false;
        if (value == "null" || value == "~" || raw.empty()) return nullptr;
        static const std::regex integer(R"([-+]?[0-9]+)"),
            number(R"([-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?)");
        try {
          if (std::regex_match(value, integer)) return std::stoll(value);
          if (std::regex_match(value, number)) return std::stod(value);
        } catch (const std::out_of_range&) {
        }
        return value;
      }
    }
    return nullptr;
  }

  std::string scalar(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar()) fail(what + " must be a single value", node);
    return substitute(node.Scalar(), node);
  }
};

// profiles/<name>.yml (or .yaml); nullopt for the built-in "dev" profile of a project without a
// profiles folder; an Error naming the available profiles otherwise.
std::optional<fs::path> profile_file(const Project& project, const std::string& name) {
  fs::path file = project.profiles_dir() / (name + ".yml");
  if (!fs::exists(file)) file = project.profiles_dir() / (name + ".yaml");
  if (fs::exists(file)) return file;
  if (!fs::is_directory(project.profiles_dir()) && name == "dev") return std::nullopt;  // built-in: in memory
  auto names = project.profile_names();
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  throw config_error(
      "profile '" + name + "' not found in " + project.profiles_dir().string() + did_you_mean(name, names),
      names.empty() ? "create profiles/" + name + ".yml" : "available profiles: " + list);
}

// The file's YAML document; a file too large to be a profile, or YAML that does not parse, is an
// Error at its position.
YAML::Node read_yaml(const fs::path& file, const Loader& loader) {
  std::error_code size_ec;
  if (auto bytes = fs::file_size(file, size_ec); !size_ec && bytes > kMaxProfileBytes)
    throw config_error(loader.file + " is " + std::to_string(bytes) + " bytes; a profile may have at most " +
                           std::to_string(kMaxProfileBytes),
                       "a profile holds engines, variables and connectors, not data");
  try {
    return YAML::LoadFile(file.string());
  } catch (const YAML::DeepRecursion& e) {
    Error err = config_error(
        "the profile nests deeper than yaml-cpp reads (" + std::to_string(e.depth()) + " levels)",
        "a profile holds engines, variables and connectors: a few levels deep");
    err.at({loader.file, e.mark.line + 1, e.mark.column + 1});
    throw err;
  } catch (const YAML::Exception& e) {
    Error err = config_error("invalid YAML: " + e.msg);
    err.at({loader.file, e.mark.line + 1, e.mark.column + 1});
    throw err;
  }
}

void read_run_history(Loader& loader, const YAML::Node& keep, Profile& profile) {
  auto n = loader.to_json(keep);
  if (!n.is_number_integer() || n.get<int64_t>() < 0 || n.get<int64_t>() > 100000)
    loader.fail("run_history must be a number of runs to keep, 0 to 100000", keep,
                "e.g.  run_history: 50  (0 keeps none)");
  profile.run_history = static_cast<size_t>(n.get<int64_t>());
}

void read_allowed_paths(Loader& loader, const YAML::Node& allowed, Profile& profile) {
  if (!allowed.IsSequence())
    loader.fail("allowed_paths must be a list of folders", allowed, "e.g.  allowed_paths: [/srv/exports]");
  for (const auto& item : allowed) {
    fs::path p = loader.scalar(item, "allowed_paths entry");
    profile.allowed_paths.push_back(p.is_absolute() ? p : loader.project.root() / p);
  }
}

// engines.duckdb mode and path: a persistent engine needs the path of its database file.
void read_engine_storage(Loader& loader, const YAML::Node& duck, const std::string& name,
                         EngineSettings& out) {
  std::string mode = duck["mode"] ? loader.scalar(duck["mode"], "engines.duckdb.mode") : "memory";
  if (mode != "memory" && mode != "persistent")
    loader.fail("engines.duckdb.mode must be 'memory' or 'persistent', not '" + mode + "'", duck["mode"]);
  out.persistent = mode == "persistent";
  YAML::Node path = duck["path"] ? duck["path"] : duck["database_path"];
  if (!out.persistent) return;
  if (!path)
    loader.fail("engines.duckdb.path is required when mode is persistent", duck,
                "add e.g.  path: target/" + name + ".duckdb");
  fs::path p = loader.scalar(path, "engines.duckdb.path");
  out.path = p.is_absolute() ? p : loader.project.root() / p;
  std::error_code ec;
  if (fs::is_directory(out.path, ec))
    loader.fail("engines.duckdb.path '" + p.string() + "' is a folder; it names the database file", path,
                "e.g.  path: target/" + name + ".duckdb");
}

void read_memory_limit(Loader& loader, const YAML::Node& limit, EngineSettings& out) {
  out.memory_limit = loader.scalar(limit, "memory_limit");
  // A number and one of DuckDB's units; DuckDB itself has the last word (it wants a unit and
  // takes no percentage).
  static const std::regex size(R"(\s*[0-9]+(\.[0-9]+)?\s*(b|bytes|kb|mb|gb|tb|kib|mib|gib|tib)?\s*)",
                               std::regex::icase);
  if (!std::regex_match(out.memory_limit, size) ||
      !engine::config_value_accepted("memory_limit", out.memory_limit))
    loader.fail("engines.duckdb.memory_limit '" + out.memory_limit + "' is not a size", limit,
                "e.g. 4GB, 512MB, 1.5GiB (units: KB, MB, GB, TB, KiB, MiB, GiB, TiB)");
}

// Where DuckDB spills what does not fit in memory_limit: a folder (created when needed).
void read_temp_directory(Loader& loader, const YAML::Node& temp, EngineSettings& out) {
  fs::path p = loader.scalar(temp, "engines.duckdb.temp_directory");
  if (p.empty())
    loader.fail("engines.duckdb.temp_directory is empty", temp, "e.g.  temp_directory: target/spill");
  fs::path abs = p.is_absolute() ? p : loader.project.root() / p;
  std::error_code ec;
  if (fs::exists(abs, ec) && !fs::is_directory(abs, ec))
    loader.fail("engines.duckdb.temp_directory '" + p.string() + "' is a file; it names a folder", temp,
                "DuckDB writes its spill files into that folder");
  out.settings["temp_directory"] = abs.string();
}

// engines.duckdb.settings: each a DuckDB option that DuckDB accepts the value of.
void read_duckdb_settings(Loader& loader, const YAML::Node& settings, EngineSettings& out) {
  if (!settings.IsMap())
    loader.fail("engines.duckdb.settings must be a mapping of DuckDB option: value", settings,
                "e.g.  settings: {preserve_insertion_order: false}");
  const std::vector<std::string> known = engine::config_option_names();
  for (const auto& kv : settings) {
    std::string key = kv.first.as<std::string>();
    if (std::find(known.begin(), known.end(), key) == known.end())
      loader.fail("engines.duckdb.settings: DuckDB has no option '" + key + "'" + did_you_mean(key, known),
                  kv.first, "see SELECT name FROM duckdb_settings() for the options DuckDB knows");
    std::string value = loader.scalar(kv.second, "engines.duckdb.settings." + key);
    if (!engine::config_value_accepted(key, value))
      loader.fail(
          "engines.duckdb.settings." + key + ": DuckDB does not take '" + value + "' for " + key, kv.second,
          "see SELECT name, description, input_type FROM duckdb_settings() WHERE name = '" + key + "'");
    out.settings[key] = value;
  }
}

void read_engines(Loader& loader, const YAML::Node& engines, const std::string& name, EngineSettings& out) {
  if (!engines.IsMap()) loader.fail("engines must be a mapping", engines);
  std::vector<std::string> names = connectors::Registry::instance().engine_names();
  loader.warn_unknown(engines, names, "engines");
  for (const auto& kv : engines) {
    const std::string key = kv.first.as<std::string>();
    if (key == "duckdb" || std::find(names.begin(), names.end(), key) == names.end()) continue;
    if (!kv.second.IsMap())
      loader.fail("engines." + key + " must be a mapping of its connection parameters", kv.second);
    const auto* provider = connectors::Registry::instance().engine(key);
    std::vector<std::string> known;
    for (const auto& spec : provider->params) {
      known.push_back(spec.name);
      known.insert(known.end(), spec.aliases.begin(), spec.aliases.end());
    }
    loader.warn_unknown(kv.second, known, "engines." + key);
    out.other_engines[key] = loader.to_json(kv.second);
  }
  auto duck = engines["duckdb"];
  if (!duck) return;
  if (!duck.IsMap()) loader.fail("engines.duckdb must be a mapping", duck);
  loader.warn_unknown(
      duck, {"mode", "path", "memory_limit", "threads", "temp_directory", "database_path", "settings"},
      "engines.duckdb");
  read_engine_storage(loader, duck, name, out);
  if (duck["memory_limit"]) read_memory_limit(loader, duck["memory_limit"], out);
  if (duck["threads"]) {
    auto t = loader.to_json(duck["threads"]);
    if (!t.is_number_integer() || t.get<int64_t>() < 1)
      loader.fail("engines.duckdb.threads must be a positive integer", duck["threads"]);
    out.threads = static_cast<int>(t.get<int64_t>());
  }
  if (auto temp = duck["temp_directory"]) read_temp_directory(loader, temp, out);
  if (auto settings = duck["settings"]) read_duckdb_settings(loader, settings, out);
}

// `engine: postgres` picks the engine the tables live in; it needs its engines.<name> settings.
void read_engine_choice(Loader& loader, const YAML::Node& node, EngineSettings& out) {
  const std::string name = loader.scalar(node, "engine");
  std::vector<std::string> names = connectors::Registry::instance().engine_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    loader.fail("engine '" + name + "' is not an engine sqlflow knows" + did_you_mean(name, names), node,
                "engines: " + list);
  }
  if (name != "duckdb" && !out.other_engines.count(name))
    loader.fail("engine: " + name + " needs its connection under engines." + name, node,
                "engines:\n  " + name +
                    ":\n    host: localhost\n    dbname: analytics\n    user: sqlflow\n    "
                    "password: ${PGPASSWORD}\n    schema: sqlflow");
  out.name = name;
}

// An unset ${VAR} in a variable stays as written (as SQLFlow keeps it), with a warning shown where it is
// used.
void read_variables(Loader& loader, const YAML::Node& vars, Profile& profile) {
  if (!vars.IsMap()) loader.fail("variables must be a mapping of name: value", vars);
  static const std::regex ident(R"([A-Za-z_][A-Za-z0-9_]*)");
  loader.unset = Loader::Unset::KeepWithWarning;
  for (const auto& kv : vars) {
    std::string key = kv.first.as<std::string>();
    if (!std::regex_match(key, ident))
      loader.fail("variable name '" + key + "' is not an identifier", kv.first);
    std::string warning;
    loader.unset_warning = &warning;
    auto v = loader.to_json(kv.second);
    loader.unset_warning = nullptr;
    if (!warning.empty()) profile.unset_variable_warnings[key] = warning;
    profile.variables[key] = v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
  }
}

// An unset ${VAR} in a connector is recorded with it: an Error only where the connector is used.
void read_connectors(Loader& loader, const YAML::Node& connectors, Profile& profile) {
  if (!connectors.IsMap()) loader.fail("connectors must be a mapping of name: {type, params}", connectors);
  for (const auto& kv : connectors) {
    std::string cname = kv.first.as<std::string>();
    const YAML::Node& c = kv.second;
    if (!c.IsMap() || !c["type"])
      loader.fail("connector '" + cname + "' needs a type", c,
                  "connectors:\n  " + cname + ":\n    type: CSV\n    params: {…}");
    loader.warn_unknown(c, {"type", "params"}, "connectors." + cname);
    ConnectorConfig cfg;
    loader.unset = Loader::Unset::Record;
    loader.unset_errors = &cfg.unset_variables;
    cfg.type = loader.scalar(c["type"], "type");
    if (c["params"]) {
      cfg.params = loader.to_json(c["params"]);
      if (!cfg.params.is_object())
        loader.fail("connectors." + cname + ".params must be a mapping", c["params"]);
    }
    loader.unset_errors = nullptr;
    profile.connectors[cname] = std::move(cfg);
  }
}

}  // namespace

Profile load_profile(const Project& project, const std::string& name) {
  Profile profile;
  profile.name = name;
  const std::optional<fs::path> file = profile_file(project, name);
  if (!file) return profile;
  profile.file = *file;
  Loader loader{project, fs::relative(*file, project.root()).string(), profile.warnings};
  YAML::Node root = read_yaml(*file, loader);
  if (!root.IsDefined() || root.IsNull()) return profile;
  size_t values = 0;
  loader.check_document(root, 0, values);
  if (!root.IsMap()) loader.fail("a profile must be a mapping of engines/variables/connectors", root);

  // Deprecated form: the profile nested under its own name.
  if (root.size() == 1 && root[name] && root[name].IsMap()) {
    profile.warnings.push_back(loader.file + ": the profile is nested under '" + name +
                               ":' (deprecated); move its keys to the top level");
    root = root[name];
  }
  loader.warn_unknown(
      root, {"version", "engine", "variables", "connectors", "engines", "allowed_paths", "run_history"}, "");
  if (auto keep = root["run_history"]) read_run_history(loader, keep, profile);
  if (auto allowed = root["allowed_paths"]) read_allowed_paths(loader, allowed, profile);
  if (auto engines = root["engines"]) read_engines(loader, engines, name, profile.engine);
  if (auto engine = root["engine"]) read_engine_choice(loader, engine, profile.engine);
  if (auto vars = root["variables"]) read_variables(loader, vars, profile);
  if (auto connectors = root["connectors"]) read_connectors(loader, connectors, profile);
  return profile;
}

namespace {
// Masked as a run masks what it logs (net/redact.hpp, metrics/secrets.hpp): the values of
// sensitive names and headers (password, token, api_key, Authorization, Cookie, …), and inside
// any other text passwords in URLs and connection strings and sensitive URL query values.
nlohmann::json mask(const nlohmann::json& value, const std::string& key = {}) {
  if (!key.empty() && (net::is_sensitive_name(key) || net::is_sensitive_header(key)) && !value.is_null() &&
      !value.is_object() && !value.is_array())
    return "***";
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : value.items()) out[k] = mask(v, k);
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : value) out.push_back(mask(v));
    return out;
  }
  if (value.is_string()) return metrics::mask_secrets(value.get<std::string>());
  return value;
}
}  // namespace

std::string describe_engine(const EngineSettings& e) {
  if (e.name == "duckdb") return e.persistent ? e.path.string() : std::string("in memory");
  auto it = e.other_engines.find(e.name);
  std::string schema = "public";
  if (it != e.other_engines.end() && it->second.contains("schema") && it->second["schema"].is_string())
    schema = it->second["schema"].get<std::string>();
  return e.name + " (schema " + schema + ")";
}

std::string describe_profile(const Profile& p, const std::string& section) {
  std::ostringstream out;
  auto want = [&](const char* s) { return section.empty() || section == s; };
  if (section.empty())
    out << "profile: " << p.name << " (" << (p.file.empty() ? "built-in default" : p.file.string()) << ")\n";
  if (want("engines") && p.engine.name != "duckdb") out << "engine: " << p.engine.name << '\n';
  if (want("engines")) {
    out << "engines:\n  duckdb:\n    mode: " << (p.engine.persistent ? "persistent" : "memory") << '\n';
    if (p.engine.persistent) out << "    path: " << p.engine.path.string() << '\n';
    if (!p.engine.memory_limit.empty()) out << "    memory_limit: " << p.engine.memory_limit << '\n';
    if (p.engine.threads) out << "    threads: " << *p.engine.threads << '\n';
    if (!p.engine.settings.empty()) out << "    settings:\n";
    for (const auto& [k, v] : p.engine.settings) out << "      " << k << ": " << v << '\n';
    for (const auto& [k, params] : p.engine.other_engines)
      out << "  " << k << ": " << mask(params).dump() << '\n';
  }
  if (want("variables")) {
    out << "variables:" << (p.variables.empty() ? " {}" : "") << '\n';
    for (const auto& [k, v] : p.variables) out << "  " << k << ": " << mask(v, k).get<std::string>() << '\n';
  }
  if (want("connectors")) {
    out << "connectors:" << (p.connectors.empty() ? " {}" : "") << '\n';
    for (const auto& [k, c] : p.connectors)
      out << "  " << k << ":\n    type: " << c.type << "\n    params: " << mask(c.params).dump() << '\n';
  }
  return out.str();
}

}  // namespace sqlflow::pipeline
