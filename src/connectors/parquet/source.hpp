// Parquet source: a view over DuckDB's own read_parquet. Selected `columns` and `filters` become the
// view's SELECT list and WHERE clause, which DuckDB pushes into the reader: unread columns are never
// decoded, and row groups whose statistics exclude the filter are skipped. Files are read in parallel.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "core/error.hpp"

namespace sqlflow::connectors::parquet {

struct ParquetSourceOptions {
  nlohmann::json path;               // a file, a folder (read as folder/**/*.parquet), a glob, or a list
  std::vector<std::string> columns;  // empty: all
  std::string where;                 // the `filters` as a SQL condition (empty: none)
  std::optional<bool> hive_partitioning;
  bool union_by_name = false;
  bool filename = false;

  static ParquetSourceOptions from_params(const Params& params);
};

// `filters` in pyarrow's form as a SQL condition: a list of [column, op, value] triples is their
// AND; a list of such lists is the OR of those ANDs (for a column every group constrains, the OR of
// its constraints is added as an implied AND, so DuckDB can push it into the scan). op: = == != < <=
// > >= in "not in"; a null value with = or != means IS NULL / IS NOT NULL. Values become SQL
// literals, columns quoted identifiers.
std::string filters_to_sql(const nlohmann::json& filters);

class ParquetSource : public Source {
 public:
  ParquetSource(ParquetSourceOptions options, ConnectorContext context);
  // SELECT cols FROM read_parquet([files], …) WHERE filters. Resolves the files (missing ones are
  // an Error naming the path) and checks that DuckDB binds the read (unknown columns in `columns`
  // or `filters` are an Error). Cached after the first call.
  std::optional<std::string> view_sql() override;
  bool supports_cursor() const override { return true; }
  void set_cursor(const std::string& field, const std::optional<std::string>& lower_bound) override;
  std::string test_connection() override;
  // Asks DuckDB (a private in-memory database) for the columns of view_sql().
  const Schema& schema() override;
  // Read only through the view.
  size_t partition_count() override { return 0; }
  std::unique_ptr<engine::PartitionReader> open(size_t index, const std::vector<size_t>& projection) override;

 private:
  ParquetSourceOptions options_;
  ConnectorContext context_;
  std::optional<std::pair<std::string, std::optional<std::string>>> cursor_;
  std::optional<std::string> view_sql_;
  std::optional<Schema> schema_;
  size_t file_count_ = 0;
  uintmax_t total_bytes_ = 0;
};

}  // namespace sqlflow::connectors::parquet
