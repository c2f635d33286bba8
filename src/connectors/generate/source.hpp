// generate: a test/benchmark source producing N deterministic rows of
// (id BIGINT, value DOUBLE, name VARCHAR, ts TIMESTAMP), in partitions read in parallel.
#pragma once

#include <string>

#include "connectors/connector.hpp"

namespace sqlflow::connectors::generate {

class GenerateSource : public Source {
 public:
  GenerateSource(uint64_t rows, uint64_t partition_rows);
  const Schema& schema() override { return schema_; }
  size_t partition_count() override;
  std::optional<size_t> estimated_rows() override { return rows_; }
  std::unique_ptr<engine::PartitionReader> open(size_t index, const std::vector<size_t>& projection) override;

  // The value each column holds at row `id` (shared with tests and the benchmark's SQL baseline).
  static double value_of(int64_t id) { return static_cast<double>(id) * 0.5; }
  static constexpr int64_t kEpochMicros = 1704067200LL * 1000000;  // 2024-01-01 00:00:00
  // A SELECT with which DuckDB produces the same `rows` rows itself from range() (the benchmark's
  // baseline; tests check the equality). Valid for ids below 10^11, where the name needs no more
  // than its 11 zero-padded digits.
  static std::string equivalent_sql(uint64_t rows);

 private:
  uint64_t rows_;
  uint64_t partition_rows_;
  Schema schema_;
};

}  // namespace sqlflow::connectors::generate
