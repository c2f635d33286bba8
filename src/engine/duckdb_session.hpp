// The default engine: the pipeline's tables live in the run's DuckDB database itself, so its SQL
// reads the sources' views directly and no row crosses a process boundary.
#pragma once

#include <memory>
#include <string>

#include "engine/database.hpp"
#include "engine/session.hpp"

namespace sqlflow::engine {

class DuckDbSession : public Session {
 public:
  explicit DuckDbSession(Connection& con) : con_(con) {}

  std::string engine_name() const override { return "duckdb"; }
  bool reads_local_views() const override { return true; }
  void begin() override;
  void commit() override;
  void rollback() noexcept override;
  uint64_t execute(const std::string& sql, const std::vector<Param>& params = {},
                   bool unordered = false) override;
  std::optional<std::string> scalar(const std::string& sql, const std::vector<Param>& params = {}) override;
  bool table_exists(const std::string& table) override;
  std::string qualified(const std::string& table) override;
  Schema query_schema(const std::string& select_sql) override;
  uint64_t create_or_replace(const std::string& table, const std::string& query, bool unordered) override;
  uint64_t create_table_as(const std::string& table, const std::string& query, bool unordered) override;
  uint64_t insert_by_name(const std::string& target, const std::string& query, bool unordered) override;
  uint64_t create_temp_as(const std::string& name, const std::string& query, const std::vector<Param>& params,
                          bool unordered) override;
  uint64_t write_rows(const std::string& name, const Schema& schema, const ChunkStream& rows) override;
  uint64_t keep_last_row_per_key(const std::string& stage, const std::vector<std::string>& keys) override;
  uint64_t merge_into(const std::string& target, const std::string& stage,
                      const std::vector<std::string>& keys) override;
  void drop_table(const std::string& name) override;
  std::string state_table() const override { return "sqlflow_state.watermarks"; }
  void ensure_state() override;
  std::shared_ptr<TableSource> reader(const std::string&) override { return nullptr; }
  void interrupt() override { con_.interrupt(); }
  double progress() override { return con_.progress(); }

 private:
  Connection& con_;
};

class DuckDbEngine : public Engine {
 public:
  std::string name() const override { return "duckdb"; }
  std::unique_ptr<Session> open(Connection& local) override { return std::make_unique<DuckDbSession>(local); }
};

}  // namespace sqlflow::engine
