// The PostgreSQL destination: binary COPY into a table in one transaction per EXPORT, so readers
// of the target see the old contents until commit and a failure (or a killed process) leaves no
// trace. replace: new table + drop/rename; append: into the target; upsert: temp table + INSERT …
// ON CONFLICT DO UPDATE.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "connectors/postgres/connection_pool.hpp"
#include "connectors/postgres/copy_binary_encode.hpp"
#include "connectors/postgres/params.hpp"

namespace sqlflow::connectors::postgres {

class PostgresDestination : public Destination {
 public:
  // `uri` is the EXPORT target: "table" or "schema.table" (ignored when OPTIONS name the table).
  PostgresDestination(const std::string& uri, DestinationOptions options);
  ~PostgresDestination() override;

  // Checks the target against `schema` (a mismatch is an error naming the columns, before any
  // data moves), creates what is needed inside the transaction and starts the COPY.
  void open(const Schema& schema, WriteMode mode, const std::vector<std::string>& keys) override;
  void write(const DataChunk& chunk) override;
  void commit() override;
  void abort() noexcept override;

  // COPY bytes sent, COPY statements, time blocked sending (the destination is used by one thread).
  IoStats io_stats() const override { return io_; }

  // Rows written by the COPY (known after commit).
  uint64_t rows_written() const { return rows_; }
  // Backend pid of the connection (tests inject failures with pg_terminate_backend).
  int backend_pid() const { return lease_ ? lease_->backend_pid() : 0; }
  // Name prefix of this target's staging tables (tests check none is left behind).
  std::string staging_prefix() const;

 private:
  struct TargetColumn {
    std::string name;
    uint32_t type = 0;
    bool not_null = false, has_default = false, generated = false;
  };
  // open(), step by step:
  // Sets columns_ from `schema` (a name twice is an Error) and checks the upsert keys are among them.
  void check_result_columns(const Schema& schema);
  void drop_leftover_stages();
  // The target's pg_class.relkind, 0 when it does not exist; an Error when its schema is missing,
  // it is not a table, or it exists under if_exists: fail.
  char target_relkind();
  // CREATE TABLE from `schema` (with the upsert keys' unique index) and COPY straight into it.
  void create_target(const Schema& schema);
  std::vector<TargetColumn> target_columns(const std::string& table);
  // Each result column must exist and not be generated; NOT NULL columns without a default must be given.
  void check_target_columns(const std::vector<TargetColumn>& tcols) const;
  // Sets copy_table_ for an existing target: the target (append), a staging table (replace) or a
  // temp table (upsert). Returns whether the COPY may use FREEZE (the table is new).
  bool prepare_copy_table(char relkind);
  void check_upsert_index(const std::vector<std::string>& keys);
  std::vector<EncodeTarget> encode_targets(const Schema& schema, const std::vector<TargetColumn>& tcols);
  void start_copy(bool freeze);
  // commit(), step by step:
  void end_copy();
  // upsert: INSERT … ON CONFLICT from the temp table (a key twice among the rows is an Error).
  void merge_into_target();
  // replace: drop the old table and rename the staging table in its place, keeping owned sequences.
  void swap_in_stage();
  void rename_stage_relations();
  void commit_transaction();
  void flush(bool force);
  std::string quoted(const std::string& table) const;

  DestinationOptions options_;
  std::string schema_name_, table_name_;
  std::shared_ptr<ConnectionPool> pool_;
  Lease lease_;
  WriteMode mode_ = WriteMode::Replace;
  std::vector<std::string> keys_;
  std::vector<std::string> columns_;  // result column names, in order
  std::string copy_table_;            // where the COPY goes (target, staging or temp table), quoted
  std::string stage_name_;            // replace: the staging table's name
  bool swap_ = false;                 // replace of an existing table: drop + rename at commit
  bool merge_ = false;                // upsert into an existing table: INSERT … ON CONFLICT at commit
  bool copying_ = false;
  bool done_ = false;
  std::optional<CopyBinaryEncoder> encoder_;
  std::string buffer_;
  uint64_t rows_ = 0;
  IoStats io_;
};

}  // namespace sqlflow::connectors::postgres
