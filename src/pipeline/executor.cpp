#include "pipeline/executor.hpp"

#include <cassert>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "connectors/connector_error.hpp"
#include "core/crash_point.hpp"
#include "core/interrupt.hpp"
#include "core/quote.hpp"
#include "engine/duckdb_session.hpp"
#include "metrics/logging.hpp"
#include "pipeline/sql_errors.hpp"
#include "pipeline/state.hpp"
#include "pipeline/time_macros.hpp"
#include "udf/scalar.hpp"
#include "udf/table.hpp"

namespace sqlflow::pipeline {

namespace {

using Clock = std::chrono::steady_clock;
// How often one step may be run again because a source changed how it reads.
constexpr int kMaxAdaptations = 3;
std::string qi(const std::string& s) {
  return quote_identifier(s);
}

std::string collapsed_warning(uint64_t dropped, const std::vector<std::string>& keys) {
  std::string k;
  for (const auto& key : keys) k += (k.empty() ? "" : ", ") + key;
  return std::to_string(dropped) + (dropped == 1 ? " input row" : " input rows") + " shared a key (" + k +
         ") with a later row and " + (dropped == 1 ? "was" : "were") +
         " dropped: the last row per key was kept";
}

std::string timestamp_literal(std::time_t t) {
  char buf[32];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

// DuckDB's "LINE n" counts from the statement; the user's SQL starts somewhere in the .sf file.
Error locate_step_error(const Step& step, const Error& e) {
  const auto& node = step.statement.node;
  if (const auto* c = std::get_if<CreateTableStmt>(&node))
    return locate_sql_error(e, c->query, c->query_location);
  if (const auto* x = std::get_if<ExportStmt>(&node)) return locate_sql_error(e, x->query, x->query_location);
  if (const auto* q = std::get_if<SqlStmt>(&node))
    return locate_sql_error(e, q->sql, step.statement.location);
  Error located = e;
  return located.at(step.statement.location);
}

// Which steps may start, shared by the worker threads: a step is ready once its dependencies
// finished (lowest id first); a failure stops new starts (fail_fast) or blocks what depends on it.
class StepQueue {
 public:
  StepQueue(const Plan& plan, std::vector<StepResult>& results) : results_(results) {
    const size_t n = plan.steps.size();
    remaining_deps_.resize(n);
    dependents_.resize(n);
    for (const auto& s : plan.steps) {
      remaining_deps_[s.id] = s.depends_on.size();
      for (size_t d : s.depends_on) dependents_[d].push_back(s.id);
    }
    for (size_t i = n; i-- > 0;)
      if (!remaining_deps_[i]) ready_.push_back(i);  // back() is the lowest id
  }

  // The next step to run, waiting while none is ready but some still run; nullopt when this
  // worker should leave (after a failure with fail_fast, an interrupt, or nothing left to run).
  std::optional<size_t> next() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return failed_ || interrupt::requested() || !ready_.empty() || running_ == 0; });
    if (failed_ || interrupt::requested() || ready_.empty()) {
      cv_.notify_all();
      return std::nullopt;
    }
    const size_t id = ready_.back();
    ready_.pop_back();
    ++running_;
    return id;
  }

  // Step `id` ended: its dependents may become ready, or after a failure no step starts
  // (fail_fast) or everything downstream stays unrun.
  void finished(size_t id, bool failed, bool fail_fast) {
    {
      std::lock_guard lock(mutex_);
      --running_;
      if (failed) {
        if (fail_fast)
          failed_ = true;
        else
          block_dependents(id);
      } else {
        for (size_t d : dependents_[id]) {
          assert(remaining_deps_[d] > 0 && "a step's dependencies were counted down twice");
          if (--remaining_deps_[d] == 0) {
            ready_.push_back(d);
            std::sort(ready_.begin(), ready_.end(), std::greater<>());
          }
        }
      }
    }
    cv_.notify_all();
  }

  // Wakes the waiting workers (after an interrupt, so they leave).
  void wake_all() {
    std::lock_guard lock(mutex_);
    cv_.notify_all();
  }

 private:
  // Everything downstream of a failed step stays unrun, naming the failure it waits on; the
  // other steps go on.
  void block_dependents(size_t failed_id) {
    std::vector<size_t> todo{failed_id};
    while (!todo.empty()) {
      const size_t v = todo.back();
      todo.pop_back();
      for (size_t d : dependents_[v])
        if (!results_[d].blocked_by) {
          results_[d].blocked_by = failed_id;
          todo.push_back(d);
        }
    }
  }

  std::vector<StepResult>& results_;
  std::mutex mutex_;  // guards what follows
  std::condition_variable cv_;
  std::vector<size_t> remaining_deps_;
  std::vector<std::vector<size_t>> dependents_;
  std::vector<size_t> ready_;  // sorted by descending id
  size_t running_ = 0;
  bool failed_ = false;
};

}  // namespace

struct Executor::Impl {
  engine::Database& db;
  const Plan& plan;
  const ValidatedPipeline& validated;
  ExecutorOptions options;
  engine::SourceCatalog catalog;
  // Sources are bound lazily, when the first step that reads them runs: a file source may read
  // what an earlier step of the same pipeline exported.
  struct SourceEntry {
    const BoundSource* bound = nullptr;
    std::shared_ptr<connectors::Source> source;
    std::optional<std::string> view_sql;  // set for sources DuckDB reads itself
    int generation = 0;                   // bumped when the source changed how it reads (adapt_after_failure)
    bool ready = false;
    std::string subject;             // "<type> source '<name>'", before every error the source raises
    connectors::IoStats attributed;  // the source's counters when last added to a step's metrics
  };
  std::map<std::string, SourceEntry> sources;  // by lower-case name
  std::mutex sources_mutex;
  std::mutex callback_mutex;
  // The source views a worker's connection holds, by source, at the generation they were made.
  using CreatedViews = std::map<std::string, int>;
  // One worker thread's local DuckDB connection (sources, exports) and engine session (tables).
  struct Worker {
    std::unique_ptr<engine::Connection> con;
    std::unique_ptr<engine::Session> session;
    CreatedViews views;
  };
  // The workers, so an interrupt can stop the statements running on them.
  std::mutex workers_mutex;
  std::set<Worker*> workers;
  std::unique_ptr<engine::Engine> duckdb_engine = std::make_unique<engine::DuckDbEngine>();

  engine::Engine& table_engine() { return options.engine ? *options.engine : *duckdb_engine; }

  void interrupt_all() {
    std::lock_guard lock(workers_mutex);
    for (auto* w : workers) {
      if (w->con) w->con->interrupt();
      if (w->session) w->session->interrupt();
    }
  }

  void prepare_sources(engine::Connection& con) {
    catalog.install(con);
    for (const auto& b : validated.sources) {
      SourceEntry& e = sources[fold_name(b.name)];
      e.bound = &b;
      e.subject = connectors::connector_subject(b.type, connectors::Role::Source, b.name);
    }
  }

  // Binds the source (once per run) and returns it.
  SourceEntry& ensure_source(const std::string& key) {
    std::lock_guard lock(sources_mutex);
    SourceEntry& e = sources.at(key);
    if (!e.ready) {
      connectors::calling_connector(e.subject, [&] {
        e.source =
            std::shared_ptr<connectors::Source>(e.bound->info->make_source(e.bound->params, options.context));
        e.view_sql = e.source->view_sql();
      });
      if (!e.view_sql) catalog.add(e.bound->name, e.source, e.subject);
      e.ready = true;
    }
    return e;
  }

  // Whether `step` reads the source `key` (every source, when its reads are unknown).
  static bool reads_source(const Step& step, const std::string& key) {
    return step.barrier || step.reads.count(key);
  }

  // Creates, on this connection, the views of the sources `step` reads, each once per connection
  // (again when the source changed how it reads).
  void create_views(engine::Connection& con, CreatedViews& created, const Step& step) {
    for (const auto& [key, entry] : sources) {
      if (!reads_source(step, key)) continue;
      SourceEntry& e = ensure_source(key);
      int generation;
      std::optional<std::string> view;
      {
        std::lock_guard lock(sources_mutex);
        generation = e.generation;
        view = e.view_sql;
      }
      if (auto it = created.find(key); it != created.end() && it->second == generation) continue;
      if (view)
        con.execute("CREATE OR REPLACE TEMP VIEW " + qi(e.bound->name) + " AS " + *view);
      else
        catalog.create_view(con, e.bound->name);
      created[key] = generation;
    }
  }

  // After `step` failed with `error`, lets each source it reads change how it reads (e.g. a CSV
  // file with short rows is read again with padding); true when one did, so the step may run again.
  bool adapt_sources(const Step& step, const Error& error) {
    std::lock_guard lock(sources_mutex);
    bool changed = false;
    for (auto& [key, e] : sources) {
      if (!e.ready || !reads_source(step, key) || !e.source->adapt_after_failure(error)) continue;
      e.view_sql = e.source->view_sql();
      ++e.generation;
      changed = true;
    }
    return changed;
  }

  connectors::Source* source_object(const std::string& name) {
    auto it = sources.find(fold_name(name));
    return it == sources.end() ? nullptr : ensure_source(it->first).source.get();
  }

  const std::string& source_subject(const std::string& name) { return sources.at(fold_name(name)).subject; }

  // ---- steps ----

  void run_load(engine::Connection& con, engine::Session& engine, const Step& step, const LoadStmt& load,
                StepResult& result) {
    const BoundSource& src = *sources.at(fold_name(load.source)).bound;
    connectors::Source* source = source_object(load.source);
    std::string select = "SELECT * FROM " + qi(src.name);
    std::vector<engine::Param> params;
    std::optional<WatermarkKey> wm_key;
    std::optional<std::string> watermark;
    if (src.incremental) {
      wm_key = WatermarkKey{options.pipeline_name, src.name, load.table, src.cursor_field};
      watermark = StateStore::get(engine, *wm_key);
      if (source && source->supports_cursor())
        connectors::calling_connector(source_subject(src.name),
                                      [&] { source->set_cursor(src.cursor_field, watermark); });
      if (watermark) {
        select += " WHERE " + qi(src.cursor_field) + " > $1";
        params.push_back(*watermark);
      }
    }
    // An engine that cannot read the local source views gets the rows staged in it first.
    const bool local = engine.reads_local_views();
    const bool stage = src.incremental || load.mode == LoadMode::Upsert || !local;
    const bool unordered = source && source->rows_unordered();
    const std::string stage_name = "__sqlflow_stage_" + std::to_string(step.id);

    engine::SessionTransaction tx(engine);
    std::string from = select;
    uint64_t staged = 0;
    // What the source's after_read() inspects on the local DuckDB: the target, or for another
    // engine the local copy of the rows that went into it.
    std::string local_rows = load.table;
    if (stage) {
      if (local) {
        staged = engine.create_temp_as(stage_name, select, params, unordered);
      } else {
        local_rows = stage_name;
        staged = stage_local_rows(con, engine, stage_name, select, params, unordered);
      }
      crash_point("load.staged");
      from = "SELECT * FROM " + qi(stage_name);
      params.clear();
    }
    const bool exists = engine.table_exists(load.table);
    const std::string target = engine.qualified(load.table);
    // Without MODE, an incremental source's first run (no watermark yet) hands over everything and
    // replaces the table, as a full refresh; later runs add what came after the watermark.
    const LoadMode mode = load.replace_on_first_run && !watermark ? LoadMode::Replace : load.mode;
    if (mode != load.mode && exists) warn_full_first_load(engine, src, load, target, result);
    if (src.incremental && watermark && staged == 0 && exists) {
      // Nothing after the watermark: the table and the watermark stay as they are.
      result.rows = 0;
    } else {
      result.rows =
          write_target(engine, mode, load, target, from, exists, unordered && !stage, stage_name, result);
      if (!exists || mode == LoadMode::Replace) engine.created_table(load.table);
    }
    crash_point("load.written");
    if (source) {
      connectors::ReadReport report = connectors::calling_connector(
          source_subject(src.name), [&] { return source->after_read(con, src.name, local_rows); });
      result.rejected_rows = report.rejected_rows;
      result.warnings.insert(result.warnings.end(), report.warnings.begin(), report.warnings.end());
    }
    std::optional<std::string> moved_to;
    if (wm_key) moved_to = advance_watermark(engine, src, *wm_key, stage_name, staged, watermark, result);
    if (stage) engine.drop_table(stage_name);
    if (!local) con.execute("DROP TABLE IF EXISTS " + qi(stage_name));
    tx.commit();
    crash_point("load.committed");
    if (moved_to) {
      nlohmann::ordered_json fields{{"source", src.name},
                                    {"table", load.table},
                                    {"cursor_field", src.cursor_field},
                                    {"from", watermark ? nlohmann::ordered_json(*watermark) : nullptr},
                                    {"to", *moved_to},
                                    {"rows", staged}};
      metrics::log_event(metrics::LogLevel::Info, "watermark",
                         "watermark of " + load.table + " advanced to " + *moved_to, fields);
    }
  }

  // The rows of `select`, read by the local DuckDB into its temporary table `stage_name` (for the
  // source's after_read) and copied into the temporary table of that name in another engine;
  // returns how many.
  static uint64_t stage_local_rows(engine::Connection& con, engine::Session& engine,
                                   const std::string& stage_name, const std::string& select,
                                   const std::vector<engine::Param>& params, bool unordered) {
    engine::DuckDbSession plane(con);
    plane.drop_table(stage_name);
    plane.create_temp_as(stage_name, select, params, unordered);
    engine::Result rows = con.stream("SELECT * FROM " + qi(stage_name));
    const Schema schema = rows.schema();
    return engine.write_rows(stage_name, schema, [&] { return rows.next(); });
  }

  // An incremental source's first run replaced a table that held rows: say so, once.
  static void warn_full_first_load(engine::Session& engine, const BoundSource& src, const LoadStmt& load,
                                   const std::string& target, StepResult& result) {
    auto had = engine.scalar("SELECT count(*) FROM " + target);
    if (had && *had != "0")
      result.warnings.push_back("first run of incremental SOURCE " + src.name +
                                " (no watermark yet): its full load replaced table " + load.table + " (" +
                                *had +
                                " rows before); later runs add to it. Write MODE APPEND or UPSERT to add "
                                "to the table from the first run on");
  }

  // Writes the rows of `from` (or, for UPSERT, of the staging table) into `target` by `mode`;
  // returns the rows written.
  static uint64_t write_target(engine::Session& engine, LoadMode mode, const LoadStmt& load,
                               const std::string& target, const std::string& from, bool exists,
                               bool unordered, const std::string& stage_name, StepResult& result) {
    switch (mode) {
      case LoadMode::Replace:
        return engine.create_or_replace(target, from, unordered);
      case LoadMode::Append:
        return exists ? engine.insert_by_name(target, from, unordered)
                      : engine.create_table_as(target, from, unordered);
      case LoadMode::Upsert:
        if (uint64_t dropped = engine.keep_last_row_per_key(stage_name, load.keys))
          result.warnings.push_back(collapsed_warning(dropped, load.keys));
        return exists ? engine.merge_into(target, stage_name, load.keys)
                      : engine.create_table_as(target, from, false);
    }
    return 0;
  }

  // Sets the watermark to the highest cursor value staged, in the load's transaction, and notes
  // the step's incremental read; returns the new watermark (nullopt when nothing was staged).
  static std::optional<std::string> advance_watermark(engine::Session& engine, const BoundSource& src,
                                                      const WatermarkKey& wm_key,
                                                      const std::string& stage_name, uint64_t staged,
                                                      const std::optional<std::string>& watermark,
                                                      StepResult& result) {
    auto new_mark = staged ? engine.scalar("SELECT CAST(max(" + qi(src.cursor_field) + ") AS VARCHAR) FROM " +
                                           qi(stage_name))
                           : std::optional<std::string>();
    if (new_mark) StateStore::set(engine, wm_key, *new_mark);
    crash_point("load.watermark_set");
    result.note = "incremental: " + std::to_string(staged) + (staged == 1 ? " new row" : " new rows") +
                  (watermark ? " since " + *watermark : " (first run)") +
                  (new_mark ? ", watermark now " + *new_mark : "");
    return new_mark;
  }

  void run_transform(engine::Session& engine, const Step& step, const CreateTableStmt& c,
                     StepResult& result) {
    const std::string t = qi(c.table);
    if (c.mode == TransformMode::Plain || c.mode == TransformMode::Replace) {
      if (engine.reads_local_views()) {
        // One statement is atomic on its own: no explicit transaction, no catalog lookup.
        result.rows = engine.create_or_replace(t, c.query, false);
        return;
      }
      engine::SessionTransaction tx(engine);
      result.rows = engine.create_or_replace(t, c.query, false);
      engine.created_table(c.table);
      tx.commit();
      return;
    }
    engine::SessionTransaction tx(engine);
    const bool exists = engine.table_exists(c.table);
    switch (c.mode) {
      case TransformMode::Plain:
      case TransformMode::Replace:
        break;  // handled above
      case TransformMode::Append:
        result.rows =
            exists ? engine.insert_by_name(t, c.query, false) : engine.create_table_as(t, c.query, false);
        break;
      case TransformMode::Upsert: {
        const std::string stage = "__sqlflow_stage_" + std::to_string(step.id);
        engine.create_temp_as(stage, c.query, {}, false);
        if (uint64_t dropped = engine.keep_last_row_per_key(stage, c.keys))
          result.warnings.push_back(collapsed_warning(dropped, c.keys));
        result.rows = exists ? engine.merge_into(engine.qualified(c.table), stage, c.keys)
                             : engine.create_table_as(t, "SELECT * FROM " + qi(stage), false);
        engine.drop_table(stage);
        break;
      }
      case TransformMode::Incremental:
        run_incremental_transform(engine, c, exists, result);
        break;
    }
    if (!exists) engine.created_table(c.table);
    tx.commit();
  }

  // Rows inside the window (the table's latest value minus the lookback, now] are recomputed:
  // deleted, then the window's result inserted.
  static void run_incremental_transform(engine::Session& engine, const CreateTableStmt& c, bool exists,
                                        StepResult& result) {
    const std::string t = qi(c.table);
    const std::string end = timestamp_literal(std::time(nullptr));
    std::string start = "-infinity";
    if (exists) {
      auto mark = engine.scalar("SELECT CAST(CAST(max(" + qi(c.incremental_column) +
                                ") AS TIMESTAMP) AS VARCHAR) FROM " + t);
      if (mark) {
        start = *mark;
        if (c.lookback) {
          std::string unit = fold_name(c.lookback->unit).rfind("hour", 0) == 0 ? "hour" : "day";
          start = *engine.scalar("SELECT CAST(CAST($1 AS TIMESTAMP) - INTERVAL '" +
                                     std::to_string(c.lookback->amount) + " " + unit + "' AS VARCHAR)",
                                 {*mark});
        }
      }
    }
    std::string query = bind_time_macros(c.query, start, end);
    if (!exists) {
      result.rows = engine.create_table_as(t, query, false);
    } else {
      engine.execute("DELETE FROM " + t + " WHERE " + qi(c.incremental_column) + " > CAST($1 AS TIMESTAMP)",
                     {start});
      result.rows = engine.insert_by_name(t, query, false);
    }
    result.note = "window (" + start + ", " + end + "]";
  }

  void run_export(engine::Connection& con, engine::Session& engine, const Step& step, const ExportStmt& e,
                  StepResult& result) {
    const auto& info = connectors::Registry::instance().get(e.type, connectors::Role::Destination);
    auto params = connectors::normalize_params(info.destination_params, e.options);
    // Errors the destination raises name it; those of the query (run by the engine) do not.
    const std::string subject =
        connectors::connector_subject(info.type, connectors::Role::Destination, e.uri);
    // Another engine's result is read into the local DuckDB, which writes every destination.
    std::string query = e.query;
    if (auto rows = engine.reader(e.query)) {
      const std::string view = "__sqlflow_export_" + std::to_string(step.id);
      catalog.add(view, rows);
      catalog.create_view(con, view);
      query = "SELECT * FROM " + qi(view);
    }
    auto dest = connectors::calling_connector(
        subject, [&] { return info.make_destination(e.uri, params, options.context); });
    std::string mode = params.value("mode", "replace");
    connectors::WriteMode wm = connectors::WriteMode::Replace;
    if (mode == "append")
      wm = connectors::WriteMode::Append;
    else if (mode == "upsert" || mode == "merge")
      wm = connectors::WriteMode::Upsert;
    std::vector<std::string> keys;
    for (const char* k : {"upsert_keys", "keys", "key"})
      if (params.contains(k)) {
        if (params[k].is_array())
          for (const auto& x : params[k]) keys.push_back(x.get<std::string>());
        else if (params[k].is_string())
          keys.push_back(params[k].get<std::string>());
      }
    try {
      const Schema schema = con.query("SELECT * FROM (" + query + ") AS sqlflow_q LIMIT 0").schema();
      connectors::calling_connector(subject, [&] { dest->open(schema, wm, keys); });
      if (auto sql = connectors::calling_connector(subject, [&] { return dest->copy_statement(query); })) {
        engine::DuckDbSession plane(con);
        result.rows = plane.execute(*sql);
      } else {
        engine::Result r = con.stream(query);
        while (auto chunk = r.next()) {
          result.rows += chunk->size();
          connectors::calling_connector(subject, [&] { dest->write(*chunk); });
        }
      }
      connectors::calling_connector(subject, [&] { dest->commit(); });
    } catch (...) {
      dest->abort();
      result.io += dest->io_stats();
      throw;
    }
    result.io += dest->io_stats();
  }

  // Table UDF calls of the statement: their results become the temporary tables it reads.
  void run_table_udfs(engine::Connection& con, const Step& step) {
    for (const auto& call : step.statement.table_udfs) {
      const udf::UdfInfo* u = options.udfs ? options.udfs->find(call.udf) : nullptr;
      if (!u) throw internal_error("table UDF " + call.udf + " was not resolved");
      udf::run_table_udf(con, *u, call.input, call.placeholder, options.context.base_dir);
    }
  }

  void run_step(Worker& w, const Step& step, StepResult& result) {
    run_table_udfs(*w.con, step);
    const auto& node = step.statement.node;
    if (const auto* l = std::get_if<LoadStmt>(&node))
      run_load(*w.con, *w.session, step, *l, result);
    else if (const auto* c = std::get_if<CreateTableStmt>(&node))
      run_transform(*w.session, step, *c, result);
    else if (const auto* e = std::get_if<ExportStmt>(&node))
      run_export(*w.con, *w.session, step, *e, result);
    else if (const auto* q = std::get_if<SqlStmt>(&node))
      result.rows = w.session->execute(q->sql);
  }

  // Adds to `io` what the sources `step` reads (all bound ones for a barrier) did since their
  // traffic was last attributed to a step — including binding (schema discovery) before the step.
  // Steps running at the same time over one source split its traffic by who finishes first.
  void attribute_source_io(const Step& step, connectors::IoStats& io) {
    std::lock_guard lock(sources_mutex);
    for (auto& [key, e] : sources) {
      if (!e.ready || !reads_source(step, key)) continue;
      connectors::IoStats now = e.source->io_stats();
      io += now.since(e.attributed);
      e.attributed = now;
    }
  }

  // The failure in the terms of a source the step reads, when one recognises it as its own.
  Error explain_by_sources(const Step& step, const Error& error) {
    std::lock_guard lock(sources_mutex);
    for (auto& [key, e] : sources)
      if (e.ready && reads_source(step, key))
        if (auto explained = e.source->explain_failure(error)) return with_subject(*explained, e.subject);
    return error;
  }

  void execute_with_retry(Worker& w, const Step& step, StepResult& result) {
    const auto started = Clock::now();
    int adaptations = 0;
    for (int attempt = 1;; ++attempt) {
      result.attempts = attempt;
      result.rows = 0;
      result.note.clear();
      result.warnings.clear();
      try {
        run_step(w, step, result);
        result.status = StepStatus::Ok;
        break;
      } catch (const Error& e) {
        if (interrupt::requested()) {
          result.rows = 0;  // rolled back
          result.status = StepStatus::Failed;
          result.error = Error(ErrorKind::Data, std::string("interrupted by ") + interrupt::signal_name() +
                                                    ": the step was rolled back");
          result.note.clear();
          result.warnings.clear();
          break;
        }
        if (e.retryable() && attempt < options.max_attempts) {
          std::this_thread::sleep_for(std::chrono::milliseconds(250 << attempt));
          continue;
        }
        if (adaptations < kMaxAdaptations && adapt_sources(step, e)) {
          ++adaptations;
          --attempt;  // not a retry of a failing call: the source reads differently now
          create_views(*w.con, w.views, step);
          continue;
        }
        result.rows = 0;  // rolled back
        result.status = StepStatus::Failed;
        result.error = locate_step_error(step, explain_by_sources(step, e));
        result.note.clear();  // what a rolled-back attempt noted did not happen
        result.warnings.clear();
        break;
      } catch (const std::exception& e) {
        result.status = StepStatus::Failed;
        result.error = internal_error(e.what());
        break;
      }
    }
    attribute_source_io(step, result.io);
    result.io.retries += static_cast<std::uint64_t>(result.attempts - 1);  // whole-step retries
    result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  }

  // ---- the run ----

  // The state table, the sources' catalog and the scalar UDFs, before any step runs.
  void prepare_run() {
    engine::Connection setup(db);
    std::unique_ptr<engine::Session> session = table_engine().open(setup);
    StateStore::ensure(*session);
    prepare_sources(setup);
    // Scalar UDFs go into the database's catalog: every worker connection sees them.
    if (options.udfs) udf::register_scalar_udfs(setup, *options.udfs, options.context.base_dir);
  }

  // Temporary outputs of killed runs go now, even for exports this run will not reach.
  void clean_debris() {
    for (const auto& s : plan.steps)
      if (const auto* e = std::get_if<ExportStmt>(&s.statement.node))
        if (const auto* info = connectors::Registry::instance().find(e->type); info && info->clean_debris) {
          try {
            info->clean_debris(e->uri, options.context);
          } catch (const Error&) {
            // A folder we cannot list now fails the export itself, with its own message.
          }
        }
  }

  // One worker thread: runs ready steps on its own connection until the queue lets it go.
  void work(StepQueue& queue, std::vector<StepResult>& results) {
    Worker w;
    struct Unregister {
      Impl& im;
      Worker& w;
      ~Unregister() {
        std::lock_guard lock(im.workers_mutex);
        im.workers.erase(&w);
      }
    } unregister{*this, w};
    while (const std::optional<size_t> id = queue.next()) {
      StepResult& result = results[*id];
      run_on_worker(w, plan.steps[*id], result);
      queue.finished(*id, result.status == StepStatus::Failed, options.fail_fast);
    }
  }

  // Opens a worker's connection and engine session (registered first, so an interrupt reaches them).
  void open_worker(Worker& w) {
    w.con = std::make_unique<engine::Connection>(db);
    {
      std::lock_guard lock(workers_mutex);
      workers.insert(&w);
    }
    if (interrupt::requested()) w.con->interrupt();
    // DuckDB tracks query progress only when asked; it costs a few percent, so only for a live display.
    if (options.track_progress)
      w.con->execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false");
    auto session = table_engine().open(*w.con);
    std::lock_guard lock(workers_mutex);
    w.session = std::move(session);
    if (interrupt::requested()) w.session->interrupt();
  }

  // Runs `step` on the worker's connection (opened on its first step), between the callbacks.
  void run_on_worker(Worker& w, const Step& step, StepResult& result) {
    result.status = StepStatus::Running;
    // Every log line of the step, from this thread and the connector threads it starts, names it.
    metrics::LogContext log_context(step.name, step_connector(step, validated));
    try {
      if (!w.con) open_worker(w);
      if (options.on_start) {
        std::lock_guard cb(callback_mutex);
        engine::Session* s = w.session.get();
        options.on_start(step, [s] { return s->progress(); });
      }
      create_views(*w.con, w.views, step);
      crash_point("step.started");
      execute_with_retry(w, step, result);
    } catch (const Error& e) {
      result.status = StepStatus::Failed;
      result.error = e;
    }
    if (options.on_finish) {
      std::lock_guard cb(callback_mutex);
      options.on_finish(step, result);
    }
  }
};

std::string step_connector(const Step& step, const ValidatedPipeline& validated) {
  if (const auto* l = std::get_if<LoadStmt>(&step.statement.node)) {
    for (const auto& s : validated.sources)
      if (fold_name(s.name) == fold_name(l->source)) return s.type;
  }
  if (const auto* e = std::get_if<ExportStmt>(&step.statement.node)) return fold_name(e->type);
  return {};
}

Executor::Executor(engine::Database& db, const Plan& plan, const ValidatedPipeline& validated,
                   ExecutorOptions options)
    : impl_(std::make_unique<Impl>(db, plan, validated, std::move(options))), results_(plan.steps.size()) {}

Executor::~Executor() = default;

bool Executor::run() {
  Impl& im = *impl_;
  im.prepare_run();
  im.clean_debris();
  StepQueue queue(im.plan, results_);
  // Ctrl-C / SIGTERM: running queries stop, their steps roll back, and no step starts after.
  auto on_interrupt = interrupt::on_interrupt([&] {
    im.interrupt_all();
    queue.wake_all();
  });
  const size_t n = im.plan.steps.size();
  const int jobs = std::max(1, std::min<int>(im.options.jobs, static_cast<int>(std::max<size_t>(n, 1))));
  std::vector<std::thread> threads;
  for (int i = 0; i < jobs; ++i) threads.emplace_back([&] { im.work(queue, results_); });
  for (auto& t : threads) t.join();
  bool ok = true;
  for (auto& r : results_) {
    if (r.status == StepStatus::Pending) r.status = StepStatus::Skipped;
    if (r.status != StepStatus::Ok) ok = false;
  }
  return ok;
}

}  // namespace sqlflow::pipeline
