// Conversion between DataChunks and the Arrow C Data Interface, done by DuckDB's own functions
// (duckdb_data_chunk_to_arrow / duckdb_data_chunk_from_arrow), not by our code.
#pragma once

#include <cstdint>

#include "core/data_chunk.hpp"
#include "engine/connection.hpp"

// The Arrow C Data Interface structs, as specified at
// https://arrow.apache.org/docs/format/CDataInterface.html (duckdb.h only forward-declares them).
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
extern "C" {
struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};
struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};
}
#endif

namespace sqlflow::engine {

// Owns an exported Arrow schema and array; releases them unless moved into a consumer.
struct ArrowBatch {
  ArrowSchema schema{};
  ArrowArray array{};
  ArrowBatch() = default;
  ArrowBatch(ArrowBatch&& o) noexcept;
  ArrowBatch(const ArrowBatch&) = delete;
  ~ArrowBatch();
};

// Exports `chunk` (whose columns are described by `schema`) using `con`'s Arrow settings.
ArrowBatch to_arrow(Connection& con, const Schema& schema, const DataChunk& chunk);
// Imports an Arrow batch; consumes batch.array (DuckDB takes ownership of its buffers).
DataChunk from_arrow(Connection& con, ArrowBatch& batch);

}  // namespace sqlflow::engine
