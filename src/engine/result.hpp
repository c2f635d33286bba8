// A query result read chunk by chunk (streaming when the query was run with stream()).
#pragma once

#include <duckdb.h>

#include <optional>
#include <string>
#include <vector>

#include "core/data_chunk.hpp"
#include "core/logical_type.hpp"

namespace sqlflow::engine {

class Result {
 public:
  explicit Result(duckdb_result result) : result_(result), valid_(true) {}
  Result(Result&& other) noexcept;
  Result& operator=(Result&& other) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  ~Result();

  size_t column_count();
  std::string column_name(size_t i);
  LogicalType column_type(size_t i);
  Schema schema();
  // Rows inserted/updated/deleted by a DML statement.
  size_t rows_changed();
  // The next chunk, or nullopt at the end. Errors raised while streaming become Errors.
  std::optional<DataChunk> next();

  // Every row rendered as text (NULL as "NULL"); for small results, tests and the CLI.
  std::vector<std::vector<std::string>> rows();
  duckdb_result* handle() { return &result_; }

 private:
  duckdb_result result_;
  bool valid_ = false;
};

}  // namespace sqlflow::engine
