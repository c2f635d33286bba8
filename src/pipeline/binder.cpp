#include "pipeline/binder.hpp"

#include <filesystem>
#include <map>
#include <set>

#include "connectors/connector_error.hpp"
#include "core/quote.hpp"
#include "core/suggest.hpp"
#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "engine/error_text.hpp"
#include "pipeline/sql_errors.hpp"
#include "pipeline/time_macros.hpp"
#include "udf/scalar.hpp"
#include "udf/table.hpp"

namespace sqlflow::pipeline {

namespace {

std::string qi(const std::string& s) {
  return quote_identifier(s);
}

std::string line_text(const SourceLocation& loc) {
  return "line " + std::to_string(loc.line);
}

// CREATE TABLE t (…) with the columns of `schema`; repeated names get DuckDB's _1, _2 suffixes,
// as CREATE TABLE … AS would give them.
std::string create_empty(const std::string& table, const Schema& schema) {
  std::string cols;
  std::set<std::string> used;
  for (const auto& c : schema) {
    std::string name = c.name;
    for (int n = 1; used.count(fold_name(name)); ++n) name = c.name + "_" + std::to_string(n);
    used.insert(fold_name(name));
    cols += (cols.empty() ? "" : ", ") + qi(name) + " " + c.type.to_sql();
  }
  return "CREATE OR REPLACE TABLE " + qi(table) + " (" + cols + ")";
}

std::vector<std::string> names_of(const Schema& schema) {
  std::vector<std::string> out;
  for (const auto& c : schema) out.push_back(c.name);
  return out;
}

bool has_column(const Schema& schema, const std::string& name) {
  for (const auto& c : schema)
    if (fold_name(c.name) == fold_name(name)) return true;
  return false;
}

struct Binder {
  const Plan& plan;
  const ValidatedPipeline& validated;
  const BindOptions& options;
  BindResult result;
  engine::Database db;
  engine::Connection con{db};
  std::map<std::string, Schema> tables;  // lower-case name → columns, as the shadow catalog holds them
  std::set<std::string> unknown;         // names whose schema could not be had (their readers are skipped)
  std::set<std::string> failed;  // the unknown ones already reported as errors (readers skip silently)
  std::set<std::string> sources_done;
  std::set<std::pair<std::string, std::string>> watermarks;  // (source, target) pairs with a stored watermark
  bool persistent = false;

  Binder(const Plan& p, const ValidatedPipeline& v, const BindOptions& o)
      : plan(p), validated(v), options(o) {}

  void error(Error e) { result.errors.push_back(std::move(e)); }

  // Tables whose definition failed: unknown, and their readers are skipped without a note.
  void mark_failed(const std::set<std::string>& names) {
    for (const auto& n : names) {
      unknown.insert(n);
      failed.insert(n);
    }
  }

  void define(const std::string& table, const Schema& schema) {
    con.execute(create_empty(table, schema));
    tables[fold_name(table)] = con.prepare("SELECT * FROM " + qi(table)).result_schema();
    unknown.erase(fold_name(table));
    failed.erase(fold_name(table));
  }

  // The tables a persistent engine already holds, by their columns (empty, like everything here).
  void copy_existing_tables(const Profile& profile) {
    persistent = profile.engine.persistent;
    if (!profile.engine.persistent || !std::filesystem::exists(profile.engine.path)) return;
    try {
      con.execute("ATTACH " + quote_literal(profile.engine.path.string()) +
                  " AS sqlflow_existing (READ_ONLY)");
    } catch (const Error& e) {
      result.unchecked.push_back("tables already in " + profile.engine.path.string() +
                                 ": not checked: cannot open it (" + engine::strip_sql_excerpt(e.message()) +
                                 ")");
      return;
    }
    auto rows = con.query(
                       "SELECT table_name FROM duckdb_tables() WHERE database_name = 'sqlflow_existing' AND "
                       "schema_name = 'main' AND NOT temporary")
                    .rows();
    for (const auto& r : rows)
      define(r[0], con.prepare("SELECT * FROM sqlflow_existing.main." + qi(r[0])).result_schema());
    try {
      for (const auto& r : con.query("SELECT DISTINCT lower(source), lower(target) FROM "
                                     "sqlflow_existing.sqlflow_state.watermarks")
                               .rows())
        watermarks.insert({r[0], r[1]});
    } catch (const Error&) {
      // No state yet: no incremental load has run.
    }
    con.execute("DETACH sqlflow_existing");
  }

  const BoundSource* bound_source(const std::string& key) const {
    for (const auto& s : validated.sources)
      if (fold_name(s.name) == key) return &s;
    return nullptr;
  }

  const SourceStmt* source_stmt(const std::string& key) const {
    for (const auto& s : plan.sources)
      if (fold_name(s.name) == key) return &s;
    return nullptr;
  }

  // The EXPORT of this pipeline that writes a file the source reads, if any.
  const Step* export_feeding(const SourceStmt& src) const {
    for (const auto& st : plan.steps)
      if (const auto* e = std::get_if<ExportStmt>(&st.statement.node))
        if (source_reads_file(src, e->uri)) return &st;
    return nullptr;
  }

  // Puts the source's schema in the shadow catalog the first time a step reads it.
  void bind_source(const std::string& key) {
    if (!sources_done.insert(key).second) return;
    const BoundSource* b = bound_source(key);
    if (!b || options.already_reported.count({b->location.file, b->location.line})) {
      mark_failed({key});
      return;
    }
    const std::string where = "SOURCE " + b->name + " (" + line_text(b->location) + ")";
    auto skip = [&](const std::string& why) {
      unknown.insert(key);
      result.unchecked.push_back(where + ": not checked: " + why);
    };
    if (b->info->schema_discovery == connectors::SchemaDiscovery::RunTime)
      return skip("a " + b->type + " source exists only while the pipeline runs");
    if (b->info->schema_discovery == connectors::SchemaDiscovery::Remote && options.offline)
      return skip("offline (a " + b->type + " source's schema needs a call to its server)");
    if (const SourceStmt* s = source_stmt(key))
      if (const Step* feeder = export_feeding(*s))
        return skip("it reads what " + feeder->name + " (" + line_text(feeder->statement.location) +
                    ") writes");
    try {
      auto source = b->info->make_source(b->params, options.context);
      define(b->name, source->schema());
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::Connection && e.retryable()) return skip("cannot reach it: " + e.message());
      unknown.insert(key);
      failed.insert(key);
      Error bare(e.kind(), engine::strip_sql_excerpt(e.message()), e.hint());
      error(with_subject(bare, connectors::connector_subject(b->type, connectors::Role::Source, b->name))
                .at(b->location));
    }
  }

  // Prepares `sql` (which holds `user_sql`, starting at `start` in the file); its result columns,
  // or nullopt after reporting the error.
  std::optional<Schema> prepare(const std::string& sql, const std::string& user_sql,
                                const SourceLocation& start) {
    try {
      return con.prepare(sql).result_schema();
    } catch (const Error& e) {
      error(locate_sql_error(e, user_sql, start));
      return std::nullopt;
    }
  }

  void require_columns(const Schema& schema, const std::vector<std::string>& names, const std::string& what,
                       const std::string& of, const SourceLocation& loc) {
    for (const auto& n : names)
      if (!has_column(schema, n))
        error(validation_error(
                  what + " '" + n + "' is not a column of " + of + did_you_mean(n, names_of(schema)),
                  "its columns: " +
                      [&] {
                        std::string list;
                        for (const auto& c : schema) list += (list.empty() ? "" : ", ") + c.name;
                        return list;
                      }())
                  .at(loc));
  }

  void bind_load(const Step& step, const LoadStmt& l) {
    const std::string key = fold_name(l.source);
    const BoundSource* src = bound_source(key);
    if (!src || unknown.count(key) || !tables.count(key)) {
      unknown.insert(fold_name(l.table));
      failed.insert(fold_name(l.table));
      return;
    }
    const Schema& in = tables.at(key);
    const auto& loc = step.statement.location;
    if (src->incremental)
      require_columns(in, {src->cursor_field}, "cursor_field", "SOURCE " + src->name, loc);
    if (l.mode == LoadMode::Upsert) require_columns(in, l.keys, "KEY", "SOURCE " + src->name, loc);
    const bool exists = tables.count(fold_name(l.table)) > 0;
    // As the executor: without MODE, an incremental source's first run replaces the table.
    const bool first_run_replaces = l.replace_on_first_run && !watermarks.count({key, fold_name(l.table)});
    if (exists && l.mode != LoadMode::Replace && !first_run_replaces) {
      try {
        con.prepare("INSERT INTO " + qi(l.table) + " BY NAME SELECT * FROM " + qi(src->name));
      } catch (const Error& e) {
        error(validation_error("LOAD " + l.table + " cannot add the rows of SOURCE " + src->name + ": " +
                                   engine::strip_sql_excerpt(e.message()),
                               "the table's columns come from its first load; MODE REPLACE makes it anew")
                  .at(loc));
      }
      return;
    }
    define(l.table, in);
  }

  void bind_transform(const Step& step, const CreateTableStmt& c) {
    const std::string query = bind_time_macros(c.query, "1970-01-01", "1970-01-01");
    auto out = prepare(query, c.query, c.query_location);
    if (!out) {
      unknown.insert(fold_name(c.table));
      failed.insert(fold_name(c.table));
      return;
    }
    const auto& loc = step.statement.location;
    if (c.mode == TransformMode::Upsert) require_columns(*out, c.keys, "KEY", "the query's result", loc);
    if (c.mode == TransformMode::Incremental && !has_column(*out, c.incremental_column)) {
      // The first run only creates the table; every later run reads max(column) from it.
      if (persistent) {
        require_columns(*out, {c.incremental_column}, "INCREMENTAL BY column", "the query's result", loc);
      } else {
        result.warnings.push_back(loc.file + ":" + std::to_string(loc.line) + ": INCREMENTAL BY column '" +
                                  c.incremental_column +
                                  "' is not a column of the query's result; with a persistent engine the "
                                  "second run of this step would fail");
      }
    }
    const bool exists = tables.count(fold_name(c.table)) > 0;
    if (exists && (c.mode == TransformMode::Append || c.mode == TransformMode::Incremental)) {
      (void)prepare("INSERT INTO " + qi(c.table) + " BY NAME " + query, c.query, c.query_location);
      return;
    }
    if (exists && c.mode == TransformMode::Upsert) return;
    define(c.table, *out);
  }

  void bind_sql(const Step& step, const SqlStmt& q) {
    std::optional<engine::PreparedStatement> stmt;
    try {
      stmt.emplace(con.prepare(q.sql));
    } catch (const Error& e) {
      error(locate_sql_error(e, q.sql, step.statement.location));
      mark_failed(step.writes);
      return;
    }
    // Catalog changes shape what later steps see; they are cheap on empty tables. Other
    // statements (COPY, ATTACH, SET, …) may touch the outside world and are only bound.
    switch (stmt->statement_type()) {
      case DUCKDB_STATEMENT_TYPE_CREATE:
      case DUCKDB_STATEMENT_TYPE_ALTER:
      case DUCKDB_STATEMENT_TYPE_DROP:
      case DUCKDB_STATEMENT_TYPE_INSERT:
      case DUCKDB_STATEMENT_TYPE_UPDATE:
      case DUCKDB_STATEMENT_TYPE_DELETE:
        try {
          stmt->execute();
        } catch (const Error& e) {
          error(locate_sql_error(e, q.sql, step.statement.location));
        }
        for (const auto& w : step.writes) {
          try {
            tables[w] = con.prepare("SELECT * FROM " + qi(w)).result_schema();
            unknown.erase(w);
          } catch (const Error&) {
            tables.erase(w);  // dropped (or not a table)
          }
        }
        break;
      default:
        break;
    }
  }

  // Table UDF results as empty tables of the columns they are expected to have.
  bool declare_table_udfs(const Step& step) {
    for (const auto& call : step.statement.table_udfs) {
      const udf::UdfInfo* u = options.udfs ? options.udfs->find(call.udf) : nullptr;
      if (!u) return false;
      try {
        udf::declare_table_udf_result(con, *u, call.input, call.placeholder);
      } catch (const Error& e) {
        error(locate_sql_error(e, call.input, step.statement.location));
        return false;
      }
    }
    return true;
  }

  // ---- another engine checks the SQL (BindOptions::engine) ----
  std::vector<engine::ShadowStatement> engine_statements;
  std::vector<const Step*> engine_steps;

  // Queues what the engine checks: a LOAD's target (after binding it here, for its columns), a
  // transform's query, an export's query, a plain statement. False when the step is bound here.
  bool queue_for_engine(const Step& step) {
    using Kind = engine::ShadowStatement::Kind;
    engine::ShadowStatement s;
    const auto& node = step.statement.node;
    if (const auto* l = std::get_if<LoadStmt>(&node)) {
      bind_load(step, *l);
      auto it = tables.find(fold_name(l->table));
      if (it == tables.end()) return true;
      s = {Kind::Table, l->table, it->second, "", true};
    } else if (const auto* c = std::get_if<CreateTableStmt>(&node)) {
      const bool anew = c->mode == TransformMode::Plain || c->mode == TransformMode::Replace;
      s = {Kind::CreateAs, c->table, {}, bind_time_macros(c->query, "1970-01-01", "1970-01-01"), anew};
    } else if (const auto* e = std::get_if<ExportStmt>(&node)) {
      s = {Kind::Query, "", {}, e->query, true};
    } else if (const auto* q = std::get_if<SqlStmt>(&node)) {
      s = {Kind::Statement, "", {}, q->sql, true};
    } else {
      return false;
    }
    engine_statements.push_back(std::move(s));
    engine_steps.push_back(&step);
    return true;
  }

  void check_on_engine() {
    if (engine_statements.empty()) return;
    if (!options.engine) {
      result.unchecked.push_back("the SQL of " + std::to_string(engine_statements.size()) +
                                 " steps: not checked: it runs on the " + options.offline_engine +
                                 " engine, which --offline does not ask");
      return;
    }
    std::vector<std::optional<Error>> errors;
    try {
      errors = options.engine->check(engine_statements);
    } catch (const Error& e) {
      result.unchecked.push_back("the SQL of the steps: not checked: the " + options.engine->name() +
                                 " engine cannot be reached (" + e.message() + ")");
      return;
    }
    for (size_t i = 0; i < errors.size() && i < engine_steps.size(); ++i)
      if (errors[i]) error(locate_step_error_text(*engine_steps[i], *errors[i]));
  }

  static Error locate_step_error_text(const Step& step, const Error& e) {
    Error located(e.kind(), e.message(), e.hint());
    return located.at(step.statement.location);
  }

  void bind_step(const Step& step) {
    const auto& loc = step.statement.location;
    if (options.already_reported.count({loc.file, loc.line})) {
      mark_failed(step.writes);
      return;
    }
    // A step reading something whose schema is unknown cannot be bound; neither can its readers.
    for (const auto& r : step.reads) {
      if (source_stmt(r) && !tables.count(r)) bind_source(r);
    }
    for (const auto& r : step.reads) {
      if (!unknown.count(r)) continue;
      for (const auto& w : step.writes) unknown.insert(w);
      if (failed.count(r)) {
        for (const auto& w : step.writes) failed.insert(w);
        return;
      }
      result.unchecked.push_back(step.name + " (" + line_text(step.statement.location) +
                                 "): not checked: it reads " + r +
                                 ", whose columns are not known before the run");
      return;
    }
    if (!declare_table_udfs(step)) {
      mark_failed(step.writes);
      return;
    }
    const auto& node = step.statement.node;
    if ((options.engine || !options.offline_engine.empty()) && queue_for_engine(step)) return;
    if (const auto* l = std::get_if<LoadStmt>(&node))
      bind_load(step, *l);
    else if (const auto* c = std::get_if<CreateTableStmt>(&node))
      bind_transform(step, *c);
    else if (const auto* e = std::get_if<ExportStmt>(&node))
      (void)prepare(e->query, e->query, e->query_location);
    else if (const auto* q = std::get_if<SqlStmt>(&node))
      bind_sql(step, *q);
  }
};

}  // namespace

BindResult bind_plan(const Plan& plan, const ValidatedPipeline& validated, const Profile& profile,
                     const BindOptions& options) {
  Binder b(plan, validated, options);
  if (options.udfs) {
    try {
      udf::register_scalar_udfs(b.con, *options.udfs, options.context.base_dir);
    } catch (const Error& e) {
      b.result.errors.push_back(e);
    }
  }
  b.copy_existing_tables(profile);
  for (const auto& step : plan.steps) {
    // A barrier's reads are unknown: every source may be read.
    if (step.barrier)
      for (const auto& s : plan.sources) b.bind_source(fold_name(s.name));
    b.bind_step(step);
  }
  if (options.engine || !options.offline_engine.empty()) b.check_on_engine();
  return std::move(b.result);
}

}  // namespace sqlflow::pipeline
