// What the engine needs from anything that produces rows for DuckDB through a table function:
// a fixed schema, independent partitions, and a pull reader per partition that writes straight
// into DuckDB's output chunk. Connectors implement this; the engine knows no connector.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "core/data_chunk.hpp"
#include "core/logical_type.hpp"

namespace sqlflow::engine {

class PartitionReader {
 public:
  virtual ~PartitionReader() = default;
  // Writes up to DataChunk::capacity() rows into `out`, whose columns are the projected source
  // columns in projection order (possibly none, e.g. for count(*)), and returns how many rows it
  // wrote; 0 means the partition is exhausted. Called from one thread at a time.
  virtual size_t next(DataChunk& out) = 0;
};

class TableSource {
 public:
  virtual ~TableSource() = default;
  // The columns this source produces. Must not change after the first call; may do I/O once.
  virtual const Schema& schema() = 0;
  // Number of independent partitions; DuckDB threads each take the next unread one.
  virtual size_t partition_count() = 0;
  // Opens partition `index` for the given source column indices. Called concurrently from
  // several threads with distinct indices; each partition is opened exactly once per scan.
  virtual std::unique_ptr<PartitionReader> open(size_t index, const std::vector<size_t>& projection) = 0;
  // Row count if known cheaply (helps DuckDB's planner); nullopt otherwise.
  virtual std::optional<size_t> estimated_rows() { return std::nullopt; }
};

}  // namespace sqlflow::engine
