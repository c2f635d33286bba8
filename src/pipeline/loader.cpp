#include "pipeline/loader.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "connectors/registry.hpp"
#include "engine/connection.hpp"
#include "pipeline/parser.hpp"
#include "pipeline/resolver.hpp"
#include "pipeline/udf_calls.hpp"

namespace sqlflow::pipeline {

namespace fs = std::filesystem;

engine::DatabaseConfig engine_config(const Profile& profile) {
  engine::DatabaseConfig cfg;
  if (profile.engine.persistent) cfg.path = profile.engine.path.string();
  cfg.memory_limit = profile.engine.memory_limit;
  cfg.threads = profile.engine.threads;
  for (const auto& [k, v] : profile.engine.settings) cfg.settings[k] = v;
  return cfg;
}

std::shared_ptr<engine::Engine> make_engine(const Profile& profile) {
  if (profile.engine.name == "duckdb") return nullptr;
  const auto* provider = connectors::Registry::instance().engine(profile.engine.name);
  if (!provider) throw config_error("engine '" + profile.engine.name + "' is not built into this sqlflow");
  const std::string where =
      profile.file.empty() ? std::string("the profile") : profile.file.filename().string();
  try {
    return provider->make(profile.engine.other_engines.at(profile.engine.name));
  } catch (const Error& e) {
    Error located(e.kind(), where + ": engines." + profile.engine.name + ": " + e.message(), e.hint(),
                  e.retryable());
    throw located;
  }
}

std::map<std::string, std::string> parse_vars(const std::string& text) {
  std::map<std::string, std::string> out;
  if (text.empty()) return out;
  // Text that starts like JSON is JSON: its own error (with the position) says what is wrong.
  if (text.find_first_not_of(" \t\r\n") != std::string::npos &&
      text[text.find_first_not_of(" \t\r\n")] == '{') {
    try {
      auto checked = nlohmann::json::parse(text);
      (void)checked;
    } catch (const nlohmann::json::parse_error& e) {
      std::string what = e.what();
      if (auto at = what.find("parse error"); at != std::string::npos) what = what.substr(at);
      throw usage_error("--vars is not valid JSON: " + what,
                        "e.g. --vars '{\"env\": \"prod\"}' or --vars env=prod,region=eu");
    }
  }
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_discarded()) {
    if (!j.is_object())
      throw usage_error("--vars must be a JSON object or k=v pairs",
                        "e.g. --vars '{\"env\": \"prod\"}' or --vars env=prod,region=eu");
    for (const auto& [k, v] : j.items()) out[k] = v.is_string() ? v.get<std::string>() : v.dump();
    return out;
  }
  std::stringstream ss(text);
  std::string pair;
  while (std::getline(ss, pair, ',')) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0)
      throw usage_error("--vars: '" + pair + "' is not key=value", "e.g. --vars env=prod,region=eu");
    out[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return out;
}

namespace {

// The profile's engine, connected on first use while the pipeline is loaded (its tables, the
// tables its SQL reads); a failed connect is not retried (the run reports it).
struct LazyEngine {
  const Profile& profile;
  std::shared_ptr<engine::Engine> engine;
  bool failed = false;
  engine::Engine* get() {
    if (!engine && !failed) {
      try {
        engine = make_engine(profile);
      } catch (const Error&) {
        failed = true;
      }
    }
    return engine.get();
  }
};

// The tables the engine already holds (a persistent DuckDB file, or another engine's schema), so
// steps may read tables an earlier run made. An engine that cannot be reached gives none: the run
// then fails connecting, with its own message.
std::set<std::string> existing_tables(const Profile& profile, LazyEngine& engine) {
  std::set<std::string> out;
  if (profile.engine.name != "duckdb") {
    try {
      if (auto* e = engine.get())
        for (auto& t : e->table_names()) out.insert(std::move(t));
    } catch (const Error&) {
    }
    return out;
  }
  if (!profile.engine.persistent || !fs::exists(profile.engine.path)) return out;
  try {
    engine::DatabaseConfig cfg = engine_config(profile);
    cfg.settings["access_mode"] = "READ_ONLY";
    engine::Database db(cfg);
    engine::Connection con(db);
    for (const auto& row : con.query("SELECT lower(table_name) FROM duckdb_tables() UNION SELECT "
                                     "lower(view_name) FROM duckdb_views() WHERE NOT internal")
                               .rows())
      out.insert(row[0]);
  } catch (const Error&) {
    // Locked by a running pipeline or unreadable: validate without its catalog.
  }
  return out;
}

// `--engine NAME`: the profile must configure it (engines.NAME), except duckdb.
void choose_engine(Profile& profile, const std::string& name) {
  if (name != "duckdb" && !profile.engine.other_engines.count(name)) {
    std::string have = "duckdb";
    for (const auto& [n, params] : profile.engine.other_engines) have += ", " + n;
    throw usage_error(
        "--engine " + name + ": profile " + profile.name + " has no engines." + name + " settings",
        "engines the profile configures: " + have);
  }
  profile.engine.name = name;
}

// The tables a statement reads as the engine itself sees them (PostgreSQL's EXPLAIN), when DuckDB's
// parser cannot read it; nullopt when the engine cannot be reached or cannot plan it either.
std::optional<std::set<TableRef>> tables_read_by_engine(LazyEngine& engine, const std::string& sql) {
  try {
    auto* e = engine.get();
    if (!e) return std::nullopt;
    auto tables = e->tables_read(sql);
    if (!tables) return std::nullopt;
    std::set<TableRef> out;
    for (const auto& t : *tables) out.insert(TableRef{"", t});
    return out;
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::string read_text(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

std::string format_errors(const std::vector<Error>& unsorted) {
  // In file order, as a compiler reports them.
  std::vector<Error> errors = unsorted;
  std::stable_sort(errors.begin(), errors.end(), [](const Error& a, const Error& b) {
    auto key = [](const Error& e) {
      const auto& l = e.location();
      return l ? std::make_tuple(l->file, l->line, l->column) : std::make_tuple(std::string(), 0, 0);
    };
    return key(a) < key(b);
  });
  std::string out;
  std::map<std::string, std::string> texts;
  for (const auto& e : errors) {
    const auto& loc = e.location();
    if (loc && !loc->file.empty() && loc->line > 0) {
      auto it = texts.find(loc->file);
      if (it == texts.end()) it = texts.emplace(loc->file, read_text(loc->file)).first;
      out += format_with_excerpt(e, it->second);
    } else {
      out += e.format();
    }
    if (out.empty() || out.back() != '\n') out += '\n';
  }
  if (errors.size() > 1) out += std::to_string(errors.size()) + " errors\n";
  return out;
}

LoadedPipeline load_pipeline(const PipelineRequest& request) {
  LoadedPipeline lp;
  lp.project = Project::discover(request.cwd);
  lp.file = lp.project.find_pipeline(request.pipeline);
  // A pipeline file given by path belongs to the project around it, wherever the command runs:
  // its data paths, profiles and state resolve there.
  if (Project own = Project::discover(fs::absolute(lp.file).parent_path());
      own.root() != lp.project.root() &&
      (fs::is_directory(own.pipelines_dir()) || fs::is_directory(own.profiles_dir())))
    lp.project = std::move(own);
  // Messages name the file as the user would type it: relative to the working directory.
  std::error_code ec;
  fs::path rel = fs::relative(lp.file, fs::absolute(request.cwd), ec);
  if (!ec && !rel.empty() && rel.native().rfind("..", 0) != 0) lp.file = rel;
  lp.name = lp.file.stem().string();
  lp.profile = load_profile(lp.project, request.profile);
  if (!request.engine.empty()) choose_engine(lp.profile, request.engine);
  lp.warnings = lp.profile.warnings;
  lp.context.base_dir = lp.project.root();
  lp.context.write_roots = lp.profile.allowed_paths;
  lp.context.write_anywhere = request.allow_outside_project;

  ParseResult parsed = parse_file(lp.file);
  lp.errors = parsed.errors;
  if (!lp.errors.empty()) return lp;

  VariableSources vars;
  vars.cli = request.vars;
  vars.profile = lp.profile.variables;
  vars.dotenv = lp.project.dotenv();
  ResolveResult resolved = resolve(parsed.pipeline, vars);
  lp.variables = resolved.variables;
  for (const auto& [name, warning] : lp.profile.unset_variable_warnings)
    if (resolved.used.count(name)) lp.warnings.push_back(warning);
  lp.errors = resolved.errors;
  if (!lp.errors.empty()) return lp;

  // Python UDFs run inside the local DuckDB; another engine's SQL cannot call them.
  if (lp.profile.engine.name != "duckdb") {
    for (const auto& at : python_call_sites(resolved.statements))
      lp.errors.push_back(
          validation_error("PYTHON_FUNC runs in DuckDB, but profile " + lp.profile.name +
                               " runs the pipeline's SQL on the " + lp.profile.engine.name + " engine",
                           "use a DuckDB profile for this pipeline, or compute the value in SQL")
              .at(at));
    if (!lp.errors.empty()) return lp;
  }
  lp.udfs = resolve_python_calls(resolved.statements, lp.project.root(), lp.errors);
  TableRefExtractor refs;
  LazyEngine engine{lp.profile, nullptr, false};
  if (lp.profile.engine.name != "duckdb")
    refs.set_fallback(lp.profile.engine.name == "postgres" ? "PostgreSQL's EXPLAIN" : lp.profile.engine.name,
                      [&](const std::string& sql) { return tables_read_by_engine(engine, sql); });
  lp.plan = make_plan(resolved.statements, refs, lp.errors);
  lp.warnings.insert(lp.warnings.end(), lp.plan.warnings.begin(), lp.plan.warnings.end());
  lp.validated = validate(lp.plan, lp.profile, existing_tables(lp.profile, engine), lp.context, lp.errors);
  for (const auto& s : lp.validated.sources) lp.uses_state = lp.uses_state || s.incremental;
  for (const auto& st : lp.plan.steps)
    if (const auto* c = std::get_if<CreateTableStmt>(&st.statement.node))
      lp.uses_state = lp.uses_state || c->mode == TransformMode::Incremental;
  return lp;
}

}  // namespace sqlflow::pipeline
