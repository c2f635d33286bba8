// A DuckDB connection: run SQL (materialised or streaming), prepare statements with bound
// parameters, report progress, and interrupt a running query from another thread.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/logical_type.hpp"
#include "engine/database.hpp"
#include "engine/result.hpp"

namespace sqlflow::engine {

// A value bound to a prepared statement parameter (never pasted into SQL text).
using Param = std::variant<std::monostate, bool, int64_t, double, std::string>;

class PreparedStatement;

class Connection {
 public:
  explicit Connection(Database& db);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements, discarding results.
  void execute(const std::string& sql);
  // Runs a statement and materialises its result.
  Result query(const std::string& sql);
  // Runs a single statement whose result is fetched chunk by chunk as it is produced.
  Result stream(const std::string& sql, const std::vector<Param>& params = {});
  PreparedStatement prepare(const std::string& sql);
  // Runs a statement with bound parameters and materialises its result.
  Result query(const std::string& sql, const std::vector<Param>& params);

  // The first column of the first row as text, or nullopt when no row / NULL.
  std::optional<std::string> scalar(const std::string& sql, const std::vector<Param>& params = {});

  // Progress of the query running on this connection (-1 when unknown).
  double progress();
  void interrupt();

  duckdb_connection handle() const { return con_; }
  Database& database() const { return *db_; }

 private:
  Database* db_;
  duckdb_connection con_ = nullptr;
};

class PreparedStatement {
 public:
  PreparedStatement(duckdb_prepared_statement stmt) : stmt_(stmt) {}
  PreparedStatement(PreparedStatement&& o) noexcept : stmt_(o.stmt_) { o.stmt_ = nullptr; }
  PreparedStatement& operator=(PreparedStatement&&) = delete;
  PreparedStatement(const PreparedStatement&) = delete;
  ~PreparedStatement();

  size_t parameter_count() const { return duckdb_nparams(stmt_); }
  // Binds parameter i (1-based, as DuckDB numbers them).
  void bind(size_t index, const Param& value);
  void bind_all(const std::vector<Param>& values);
  Result execute();
  Result execute_streaming();
  // What the statement would return, known from binding alone (nothing is executed).
  Schema result_schema() const;
  duckdb_statement_type statement_type() const { return duckdb_prepared_statement_type(stmt_); }
  duckdb_prepared_statement handle() const { return stmt_; }

 private:
  duckdb_prepared_statement stmt_;
};

}  // namespace sqlflow::engine
