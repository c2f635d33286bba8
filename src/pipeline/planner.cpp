#include "pipeline/planner.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <queue>
#include <regex>
#include <sstream>

#include "core/quote.hpp"
#include "pipeline/time_macros.hpp"

namespace sqlflow::pipeline {

std::string fold_name(const std::string& name) {
  std::string s = name;
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

int Plan::levels() const {
  int n = 0;
  for (const auto& s : steps) n = std::max(n, s.level + 1);
  return n;
}

namespace {

// Incremental transform macros are not SQL; give DuckDB's parser literals in their place.
std::string without_time_macros(const std::string& sql) {
  return bind_time_macros(sql, "1970-01-01", "1970-01-01");
}

std::string unquote_name(std::string name) {
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
  auto dot = name.rfind('.');
  if (dot != std::string::npos) name = name.substr(dot + 1);
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
  return name;
}

// Tables a pass-through statement writes, for ordering only (the statement is a barrier anyway).
std::set<std::string> sql_writes(const std::string& sql) {
  static const std::regex ddl(
      R"(^\s*(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\s+|TEMPORARY\s+)?(?:TABLE|VIEW|MACRO|SEQUENCE|TYPE)\s+(?:IF\s+NOT\s+EXISTS\s+)?|INSERT\s+(?:OR\s+\w+\s+)?INTO\s+|UPDATE\s+|DELETE\s+FROM\s+|DROP\s+(?:TABLE|VIEW|MACRO|SEQUENCE)\s+(?:IF\s+EXISTS\s+)?|ALTER\s+TABLE\s+|TRUNCATE\s+(?:TABLE\s+)?)((?:"[^"]*"|[A-Za-z_][A-Za-z0-9_$]*)(?:\.(?:"[^"]*"|[A-Za-z_][A-Za-z0-9_$]*))*))",
      std::regex::icase);
  std::smatch m;
  std::set<std::string> out;
  if (std::regex_search(sql, m, ddl)) out.insert(fold_name(unquote_name(m[1].str())));
  return out;
}

std::set<std::string> names_of(const std::set<TableRef>& refs) {
  std::set<std::string> out;
  for (const auto& r : refs) {
    // Qualified names in DuckDB's own schemas are catalog views, not pipeline tables.
    if (r.schema == "information_schema" || r.schema == "pg_catalog") continue;
    out.insert(r.name);
  }
  return out;
}

}  // namespace

bool source_reads_file(const SourceStmt& src, const std::string& uri) {
  if (!src.params.is_object() || !src.params.contains("path")) return false;
  const auto& path = src.params["path"];
  std::vector<std::string> patterns;
  if (path.is_string()) patterns.push_back(path.get<std::string>());
  if (path.is_array())
    for (const auto& p : path)
      if (p.is_string()) patterns.push_back(p.get<std::string>());
  const std::string target = std::filesystem::path(uri).lexically_normal().generic_string();
  for (const auto& pat : patterns) {
    std::string norm = std::filesystem::path(pat).lexically_normal().generic_string();
    if (norm == target || fnmatch(norm.c_str(), target.c_str(), 0) == 0) return true;
    // A folder source (e.g. hive-partitioned Parquet) reads what is written below it.
    if (target.rfind(norm + "/", 0) == 0) return true;
  }
  return false;
}

namespace {

// Each step after the writer of each table it reads (the last one before it in file order; for a
// forward reference, every writer), writers of one table in file order, a writer after the readers
// of the version it replaces, and barriers after everything before them.
std::vector<std::set<size_t>> table_dependencies(const std::vector<Step>& steps) {
  const size_t n = steps.size();
  std::map<std::string, std::vector<size_t>> writers;
  for (const auto& s : steps)
    for (const auto& w : s.writes) writers[w].push_back(s.id);
  std::map<std::string, std::vector<size_t>> backward_readers;  // readers that saw an earlier version
  std::optional<size_t> last_barrier;
  std::vector<std::set<size_t>> deps(n);
  for (size_t i = 0; i < n; ++i) {
    const Step& s = steps[i];
    if (s.barrier) {
      for (size_t j = 0; j < i; ++j) deps[i].insert(j);
    } else if (last_barrier) {
      deps[i].insert(*last_barrier);
    }
    for (const auto& r : s.reads) {
      auto it = writers.find(r);
      if (it == writers.end()) {
        backward_readers[r].push_back(i);
        continue;
      }
      std::optional<size_t> before;
      for (size_t w : it->second)
        if (w < i) before = w;
      if (before) {
        deps[i].insert(*before);
        backward_readers[r].push_back(i);
      } else {
        for (size_t w : it->second)
          if (w != i) deps[i].insert(w);  // forward reference, as SQLFlow's planner allows
      }
    }
    for (const auto& w : s.writes) {
      for (size_t other : writers[w])
        if (other < i) deps[i].insert(other);
      for (size_t reader : backward_readers[w])
        if (reader < i) deps[i].insert(reader);
    }
    if (s.barrier) last_barrier = i;
  }
  return deps;
}

// A source reading a file that an earlier EXPORT writes must wait for that export.
void add_export_dependencies(const Plan& plan, std::vector<std::set<size_t>>& deps) {
  for (size_t i = 0; i < plan.steps.size(); ++i)
    for (const auto& src : plan.sources) {
      if (!plan.steps[i].reads.count(fold_name(src.name))) continue;
      for (size_t j = 0; j < i; ++j)
        if (const auto* e = std::get_if<ExportStmt>(&plan.steps[j].statement.node))
          if (source_reads_file(src, e->uri)) deps[i].insert(j);
    }
}

// Reports the first cycle (only forward references can make one), naming its steps; true if any.
bool report_cycle(const std::vector<Step>& steps, const std::vector<std::set<size_t>>& deps,
                  std::vector<Error>& errors) {
  const size_t n = steps.size();
  std::vector<int> color(n, 0);
  std::vector<size_t> stack;
  bool cyclic = false;
  std::function<void(size_t)> visit = [&](size_t v) {
    if (cyclic) return;
    color[v] = 1;
    stack.push_back(v);
    for (size_t d : deps[v]) {
      if (color[d] == 1) {
        auto from = std::find(stack.begin(), stack.end(), d);
        std::string chain;
        for (auto it = from; it != stack.end(); ++it)
          chain += steps[*it].name + " (line " + std::to_string(steps[*it].statement.location.line) + ") → ";
        chain += steps[d].name;
        errors.push_back(validation_error("circular dependency: " + chain,
                                          "each of these steps reads a table another one creates")
                             .at(steps[d].statement.location));
        cyclic = true;
        return;
      }
      if (color[d] == 0) visit(d);
      if (cyclic) return;
    }
    stack.pop_back();
    color[v] = 2;
  };
  for (size_t i = 0; i < n && !cyclic; ++i)
    if (color[i] == 0) visit(i);
  return cyclic;
}

// Puts the steps in a topological order, stable by file position, numbers them densely in that
// order and gives each its level (parallel group).
void order_steps(Plan& plan, const std::vector<std::set<size_t>>& deps) {
  const size_t n = plan.steps.size();
  std::vector<size_t> indegree(n, 0);
  std::vector<std::vector<size_t>> dependents(n);
  for (size_t i = 0; i < n; ++i)
    for (size_t d : deps[i]) {
      indegree[i]++;
      dependents[d].push_back(i);
    }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < n; ++i)
    if (!indegree[i]) ready.push(i);
  std::vector<size_t> order;
  while (!ready.empty()) {
    size_t v = ready.top();
    ready.pop();
    order.push_back(v);
    for (size_t d : dependents[v])
      if (--indegree[d] == 0) ready.push(d);
  }
  for (size_t v : order) {
    int level = 0;
    for (size_t d : deps[v]) level = std::max(level, plan.steps[d].level + 1);
    plan.steps[v].level = level;
  }
  std::vector<Step> sorted;
  std::vector<size_t> new_id(n);
  for (size_t k = 0; k < order.size(); ++k) new_id[order[k]] = k;
  for (size_t v : order) sorted.push_back(std::move(plan.steps[v]));
  for (auto& s : sorted) {
    s.id = new_id[s.id];
    for (auto& d : s.depends_on) d = new_id[d];
    std::sort(s.depends_on.begin(), s.depends_on.end());
  }
  plan.steps = std::move(sorted);
}

}  // namespace

Plan make_plan(const std::vector<Statement>& statements, TableRefExtractor& refs,
               std::vector<Error>& errors) {
  Plan plan;
  std::map<std::string, int> plain_creates;  // table → line of its first CREATE TABLE (plain/replace)
  for (const auto& stmt : statements) {
    Step step;
    step.statement = stmt;
    step.id = plan.steps.size();
    if (const auto* s = std::get_if<SourceStmt>(&stmt.node)) {
      std::string key = fold_name(s->name);
      if (plan.source_locations.count(key)) {
        errors.push_back(
            validation_error("duplicate source definition: '" + s->name + "'",
                             "first defined at line " + std::to_string(plan.source_locations[key].line))
                .at(stmt.location));
        continue;
      }
      plan.source_locations[key] = stmt.location;
      plan.sources.push_back(*s);
      continue;
    } else if (const auto* l = std::get_if<LoadStmt>(&stmt.node)) {
      step.kind = StepKind::Load;
      step.name = "load " + l->table;
      step.reads = {fold_name(l->source)};
      step.writes = {fold_name(l->table)};
    } else if (const auto* c = std::get_if<CreateTableStmt>(&stmt.node)) {
      step.kind = StepKind::Transform;
      step.name = "transform " + c->table;
      step.writes = {fold_name(c->table)};
      if (auto r = refs.reads(without_time_macros(c->query)))
        step.reads = names_of(*r);
      else
        step.barrier = true;
      step.analysis = refs.last_analysis();
      // SQLFlow lets a pipeline define a table again; each definition runs in file order and a
      // reader in between sees the earlier one (the dependency pass below keeps versions apart).
      // Only a plain CREATE TABLE over an existing definition is worth a word.
      auto key = fold_name(c->table);
      if (c->mode == TransformMode::Plain && !c->or_replace && plain_creates.count(key))
        plan.warnings.push_back(
            stmt.location.file + ":" + std::to_string(stmt.location.line) + ": table '" + c->table +
            "' is created again (first at line " + std::to_string(plain_creates[key]) +
            "); the later definition replaces the earlier one from here on (write CREATE OR "
            "REPLACE TABLE to say so)");
      if (c->mode == TransformMode::Plain || c->mode == TransformMode::Replace)
        plain_creates.emplace(key, stmt.location.line);
    } else if (const auto* e = std::get_if<ExportStmt>(&stmt.node)) {
      step.kind = StepKind::Export;
      step.name = "export " + e->uri;
      if (auto r = refs.reads(e->query))
        step.reads = names_of(*r);
      else
        step.barrier = true;
      step.analysis = refs.last_analysis();
    } else if (const auto* q = std::get_if<SqlStmt>(&stmt.node)) {
      step.kind = StepKind::Sql;
      step.name = "sql line " + std::to_string(stmt.location.line);
      if (auto r = refs.reads(q->sql)) {
        step.reads = names_of(*r);
      } else {
        step.barrier = true;
        step.writes = sql_writes(q->sql);
      }
      step.analysis = refs.last_analysis();
    } else {
      continue;  // SET/IF/INCLUDE never reach the planner (resolved earlier)
    }
    // A table UDF call reads its input (a table or a parenthesized query) in its placeholder's place.
    for (const auto& call : stmt.table_udfs) {
      step.reads.erase(fold_name(call.placeholder));
      if (auto r = refs.reads("SELECT * FROM " + call.input))
        for (const auto& name : names_of(*r)) step.reads.insert(name);
      else
        step.barrier = true;
    }
    // Steps are renumbered densely here because SOURCE statements are not steps.
    step.id = plan.steps.size();
    plan.steps.push_back(std::move(step));
  }

  std::vector<std::set<size_t>> deps = table_dependencies(plan.steps);
  add_export_dependencies(plan, deps);
  const bool cyclic = report_cycle(plan.steps, deps, errors);
  for (size_t i = 0; i < plan.steps.size(); ++i)
    plan.steps[i].depends_on.assign(deps[i].begin(), deps[i].end());
  if (!cyclic) order_steps(plan, deps);
  return plan;
}

namespace {
std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out;
}
}  // namespace

namespace {

// Where a step's work happens on `engine`, for `compile --engine`.
std::string where_it_runs(const Step& s, const std::string& engine) {
  const bool local = engine == "duckdb";
  switch (s.kind) {
    case StepKind::Load:
      return local ? "DuckDB"
                   : "DuckDB reads the source; rows go to " + engine +
                         " by binary COPY (one transaction with the watermark)";
    case StepKind::Source:
    case StepKind::Transform:
    case StepKind::Sql:
      return local ? "DuckDB" : engine + " (SQL runs there; no rows pass through sqlflow)";
    case StepKind::Export:
      return local ? "DuckDB"
                   : engine + " runs the query; rows come back by binary COPY; DuckDB writes the destination";
  }
  return engine;
}

}  // namespace

std::string describe_plan(const Plan& plan, const std::string& engine) {
  std::ostringstream out;
  out << plan.sources.size() << (plan.sources.size() == 1 ? " source, " : " sources, ") << plan.steps.size()
      << (plan.steps.size() == 1 ? " step" : " steps") << " in " << plan.levels()
      << (plan.levels() == 1 ? " group" : " groups") << " (steps in one group may run in parallel)\n";
  for (const auto& s : plan.sources) {
    out << "  source " << s.name << " ("
        << (s.from_profile ? "profile connector " + s.profile_connector : s.type) << ")\n";
  }
  int level = -1;
  for (const auto& s : plan.steps) {
    if (s.level != level) {
      level = s.level;
      out << "group " << level + 1 << ":\n";
    }
    out << "  [" << s.id + 1 << "] " << s.name << "  (line " << s.statement.location.line << ")";
    if (!s.reads.empty()) out << "  reads: " << join(s.reads);
    if (s.barrier) out << "  [barrier]";
    if (!s.depends_on.empty()) {
      out << "  after:";
      for (size_t d : s.depends_on) out << " " << d + 1;
    }
    out << '\n';
    if (s.kind != StepKind::Load && s.analysis != "DuckDB's parser")
      out << "      reads found by: "
          << (s.analysis.empty() ? "nothing (the SQL could not be analysed: runs after every step before it)"
                                 : s.analysis)
          << '\n';
    if (!engine.empty()) out << "      runs on: " << where_it_runs(s, engine) << '\n';
  }
  return out.str();
}

std::string plan_to_json(const Plan& plan, const std::string& pipeline_name) {
  nlohmann::ordered_json j;
  j["pipeline"] = pipeline_name;
  j["sources"] = nlohmann::ordered_json::array();
  for (const auto& s : plan.sources) {
    nlohmann::ordered_json src;
    src["name"] = s.name;
    src["type"] = s.type;
    if (s.from_profile) src["profile_connector"] = s.profile_connector;
    j["sources"].push_back(src);
  }
  j["steps"] = nlohmann::ordered_json::array();
  for (const auto& s : plan.steps) {
    nlohmann::ordered_json step;
    step["id"] = s.id + 1;
    step["kind"] = to_string(s.kind);
    step["name"] = s.name;
    step["file"] = s.statement.location.file;
    step["line"] = s.statement.location.line;
    step["group"] = s.level + 1;
    step["reads"] = s.reads;
    step["writes"] = s.writes;
    step["barrier"] = s.barrier;
    if (s.kind != StepKind::Load)
      step["reads_found_by"] =
          s.analysis.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s.analysis);
    nlohmann::ordered_json after = nlohmann::ordered_json::array();
    for (size_t d : s.depends_on) after.push_back(d + 1);
    step["depends_on"] = after;
    j["steps"].push_back(step);
  }
  return j.dump(2);
}

}  // namespace sqlflow::pipeline
