// The engine a pipeline's tables live in and its SQL runs on: DuckDB (the default, in process) or
// another database (PostgreSQL, Citus) for projects that outgrow one machine. Sources are always
// read and exports always written by the local DuckDB, the data plane; rows cross into another
// engine with write_rows() and come back out through reader(). The executor talks to this
// interface only; each worker thread holds one Session.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/data_chunk.hpp"
#include "core/error.hpp"
#include "core/logical_type.hpp"
#include "engine/connection.hpp"
#include "engine/table_source.hpp"

namespace sqlflow::engine {

// Chunks handed to the engine one at a time; nullopt ends the rows.
using ChunkStream = std::function<std::optional<DataChunk>()>;

class Session {
 public:
  virtual ~Session() = default;

  // "duckdb" or "postgres", for messages and `compile`.
  virtual std::string engine_name() const = 0;
  // Whether the engine's SQL sees the local DuckDB's source views (true only for DuckDB itself):
  // otherwise a LOAD's rows are first written into the engine with write_rows().
  virtual bool reads_local_views() const = 0;

  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;

  // Runs one statement with bound parameters; returns the rows it created, inserted, changed or
  // deleted. `unordered`: the rows have no order to keep (the engine may insert them in parallel).
  virtual uint64_t execute(const std::string& sql, const std::vector<Param>& params = {},
                           bool unordered = false) = 0;
  // The first value of the first row as text; nullopt for no row or NULL.
  virtual std::optional<std::string> scalar(const std::string& sql,
                                            const std::vector<Param>& params = {}) = 0;

  // Whether `table` exists as a persistent table of the pipeline's schema.
  virtual bool table_exists(const std::string& table) = 0;
  // `table` as SQL, qualified so that a temporary table or view of the same name cannot stand in.
  virtual std::string qualified(const std::string& table) = 0;
  // The columns a query returns (nothing is read).
  virtual Schema query_schema(const std::string& select_sql) = 0;

  // Table writes, each one statement or a few inside the caller's transaction; each returns rows written.
  virtual uint64_t create_or_replace(const std::string& table, const std::string& query, bool unordered) = 0;
  virtual uint64_t create_table_as(const std::string& table, const std::string& query, bool unordered) = 0;
  // Inserts the query's rows matching columns by name.
  virtual uint64_t insert_by_name(const std::string& target, const std::string& query, bool unordered) = 0;
  // A temporary table of the query's rows, in the query's order.
  virtual uint64_t create_temp_as(const std::string& name, const std::string& query,
                                  const std::vector<Param>& params, bool unordered) = 0;
  // A temporary table of `schema` filled with `rows` (the LOAD path of an engine that cannot see
  // the local views), in the order given.
  virtual uint64_t write_rows(const std::string& name, const Schema& schema, const ChunkStream& rows) = 0;
  // Deletes all but the last row (in insertion order) of each key of the temporary table `stage`;
  // returns how many rows went.
  virtual uint64_t keep_last_row_per_key(const std::string& stage, const std::vector<std::string>& keys) = 0;
  // Updates `target`'s rows whose keys match a row of `stage` and inserts the others.
  virtual uint64_t merge_into(const std::string& target, const std::string& stage,
                              const std::vector<std::string>& keys) = 0;
  virtual void drop_table(const std::string& name) = 0;
  // Called right after the step created `table` (Citus distributes it here). Default: nothing.
  virtual void created_table(const std::string& table) { (void)table; }

  // The table that holds watermarks (created by ensure_state()).
  virtual std::string state_table() const = 0;
  virtual void ensure_state() = 0;

  // The rows of a query run by the engine, for the local DuckDB to read (an EXPORT of another
  // engine's table); null when the local DuckDB runs the engine's SQL itself.
  virtual std::shared_ptr<TableSource> reader(const std::string& query) = 0;

  // Stops the statement running on this session (from another thread).
  virtual void interrupt() = 0;
  // Progress of the running statement in percent; negative when unknown.
  virtual double progress() = 0;
};

// A transaction on a session that rolls back unless committed (e.g. while an exception unwinds).
class SessionTransaction {
 public:
  explicit SessionTransaction(Session& s) : s_(s) { s_.begin(); }
  ~SessionTransaction() {
    if (open_) s_.rollback();
  }
  SessionTransaction(const SessionTransaction&) = delete;
  SessionTransaction& operator=(const SessionTransaction&) = delete;
  void commit() {
    s_.commit();
    open_ = false;
  }

 private:
  Session& s_;
  bool open_ = true;
};

// One statement of `pipeline validate`'s check on an engine (Engine::check).
struct ShadowStatement {
  enum class Kind {
    Table,      // a LOAD's target: created empty with `schema` unless it exists
    CreateAs,   // a transform's target: `sql` is its query; `replace` makes it anew
    Query,      // an EXPORT's query (planned, not run)
    Statement,  // a plain SQL statement
  };
  Kind kind = Kind::Query;
  std::string table;
  Schema schema;
  std::string sql;
  bool replace = true;
};

// Opens the sessions of one run. `local` is the worker's DuckDB connection (the data plane).
class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string name() const = 0;
  virtual std::unique_ptr<Session> open(Connection& local) = 0;
  // The tables (lower case) a statement reads as the engine's own planner sees them, for SQL
  // DuckDB's parser cannot read; nullopt when unknown. Nothing is executed.
  virtual std::optional<std::vector<std::string>> tables_read(const std::string& sql) {
    (void)sql;
    return std::nullopt;
  }
  // Checks the statements in order inside one transaction that is rolled back: each is prepared
  // (planned) against the tables the ones before it made, empty. Returns the error of each
  // statement (nullopt when it is fine); empty when the engine has no such check.
  virtual std::vector<std::optional<Error>> check(const std::vector<ShadowStatement>& statements) {
    (void)statements;
    return {};
  }
  // The (lower-case) names of the tables and views the engine already holds for the pipeline.
  virtual std::vector<std::string> table_names() { return {}; }
};

}  // namespace sqlflow::engine
