// The PostgreSQL source: a table or query read with binary COPY, split into partitions (ctid page
// ranges or partition_column ranges) that DuckDB threads read in parallel on pooled connections
// sharing one exported snapshot; incremental reads with a bound watermark.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "connectors/postgres/connection_pool.hpp"
#include "connectors/postgres/params.hpp"

namespace sqlflow::connectors::postgres {

class SnapshotSession;

// The highest cursor value seen, in a form that orders like PostgreSQL orders the column.
struct CursorMax {
  enum class Kind { Int, Decimal, Double, Bytes } kind = Kind::Int;
  bool set = false;
  int64_t i = 0;
  int128 d = 0;
  double f = 0;
  std::string bytes;
  void merge(const CursorMax& other);
};

class PostgresSource : public Source {
 public:
  explicit PostgresSource(SourceOptions options);
  ~PostgresSource() override;

  const Schema& schema() override;
  size_t partition_count() override;
  std::unique_ptr<engine::PartitionReader> open(size_t index, const std::vector<size_t>& projection) override;
  std::optional<size_t> estimated_rows() override;

  bool supports_cursor() const override { return true; }
  // Adds `"field" > watermark` to every read; the watermark is bound with set_config() and compared
  // as the column's type (text: in the "C" collation). Call before the first read.
  void set_cursor(const std::string& field, const std::optional<std::string>& lower_bound) override;
  // The highest cursor value among the rows handed to DuckDB by the last scan (text PostgreSQL
  // parses back as the column's type), or nullopt when no row was read or no cursor is set.
  std::optional<std::string> max_cursor_value() override;
  // A table (or a query without ORDER BY) read in more than one partition has no row order to
  // keep, unless preserve_order says otherwise.
  bool rows_unordered() override;

  // "PostgreSQL 15.4 at host:port/db as user, round trip 0.2 ms".
  std::string test_connection() override;
  // COPY bytes received, COPY statements, partition re-reads, time waiting for the server.
  IoStats io_stats() const override;

  // The COPY statement that reads partition `index` with `projection` (tests, debugging).
  std::string copy_sql(size_t index, const std::vector<size_t>& projection);
  const ConnectionPool& pool() const { return *pool_; }

 private:
  friend class PgPartitionReader;
  struct Column {
    std::string name;
    SourceColumnPlan plan;
  };
  // A column as the catalog (or a prepared statement) describes it, before its type is planned.
  struct CatalogColumn {
    std::string name;
    uint32_t type;
    int32_t typmod;
  };
  // Once: the columns (and, for a table, its size) from the catalog, their decode plans and the partitions.
  void discover();
  // The table's columns; sets qualified_, relkind_, pages_ and estimated_rows_. A missing table is an Error.
  std::vector<CatalogColumn> describe_table(PgConn& conn);
  // The pg_class row of the table (none when missing); "schema.table" in `table` is tried split too.
  PgResult find_table(PgConn& conn);
  // Why the table was not found: its schema is missing, or the table (with the closest names).
  Error missing_table(PgConn& conn);
  std::vector<CatalogColumn> describe_query(PgConn& conn);
  // The `columns` parameter's columns, in its order (an unknown name is an Error).
  std::vector<CatalogColumn> pick_columns(const std::vector<CatalogColumn>& found) const;
  // Sets columns_ (decode plans) and schema_.
  void plan_columns(PgConn& conn, const std::vector<CatalogColumn>& found);
  void plan_partitions(PgConn& conn);
  std::string relation_sql() const;
  std::shared_ptr<SnapshotSession> session_for(size_t index);
  void merge_cursor(const CursorMax& max);

  SourceOptions options_;
  std::shared_ptr<ConnectionPool> pool_;
  struct IoCounters {
    std::atomic<std::uint64_t> bytes{0}, requests{0}, retries{0}, network_wait_ns{0};
  } io_;

  std::string qualified_name() const;
  std::string query_text() const;

  std::once_flag discovered_;
  Schema schema_;
  std::vector<Column> columns_;
  std::string qualified_;                          // "schema"."table" when reading a table
  std::vector<std::string> partition_predicates_;  // one per partition ("" = everything)
  std::optional<size_t> estimated_rows_;
  char relkind_ = 'r';
  int64_t pages_ = 0;

  std::mutex mutex_;  // guards what follows
  std::string cursor_field_;
  std::optional<std::string> cursor_lower_;
  std::shared_ptr<SnapshotSession> session_;
  std::set<size_t> opened_;
  CursorMax cursor_max_;
};

}  // namespace sqlflow::connectors::postgres
