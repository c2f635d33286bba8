// DataChunk: a batch of up to duckdb_vector_size() rows in DuckDB's own vector layout, so handing
// it to the engine (appender, table function output) copies nothing. Vector is a non-owning view
// of one column with typed writers and readers.
#pragma once

#include <duckdb.h>

#include <cassert>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/logical_type.hpp"

namespace sqlflow {

// __extension__ keeps -Wpedantic quiet about GCC's 128-bit integers.
__extension__ typedef __int128 int128;
__extension__ typedef unsigned __int128 uint128;

class Vector {
 public:
  explicit Vector(duckdb_vector v) : v_(v) {}
  duckdb_vector handle() const { return v_; }
  LogicalType type() const { return LogicalType::adopt(duckdb_vector_get_column_type(v_)); }

  // Raw column storage: T must match the physical type (int64_t for BIGINT, duckdb_timestamp…).
  template <class T>
  T* data() const {
    return static_cast<T*>(duckdb_vector_get_data(v_));
  }
  template <class T>
  void set(size_t row, T value) const {
    data<T>()[row] = value;
  }
  template <class T>
  T get(size_t row) const {
    return data<T>()[row];
  }

  // NULL validity.
  void set_null(size_t row) const;
  void set_valid(size_t row) const;
  bool is_valid(size_t row) const;

  // VARCHAR and BLOB: the bytes are copied into the vector's own string heap.
  void set_string(size_t row, std::string_view value) const {
    duckdb_vector_assign_string_element_len(v_, row, value.data(), value.size());
  }
  std::string_view get_string(size_t row) const;

  // DECIMAL: the unscaled value, stored in the width's physical type.
  void set_decimal(size_t row, int128 unscaled, uint8_t width) const;
  int128 get_decimal(size_t row, uint8_t width) const;
  void set_hugeint(size_t row, int128 value) const;
  int128 get_hugeint(size_t row) const;
  // UUID: 16 bytes big-endian as in text form (DuckDB stores it with the top bit flipped).
  void set_uuid(size_t row, const uint8_t bytes[16]) const;
  void get_uuid(size_t row, uint8_t out[16]) const;

  // LIST: offsets/lengths per row into one child vector.
  Vector list_child() const { return Vector(duckdb_list_vector_get_child(v_)); }
  size_t list_size() const { return duckdb_list_vector_get_size(v_); }
  void list_reserve(size_t capacity) const;
  void list_set_size(size_t size) const;
  void set_list_entry(size_t row, uint64_t offset, uint64_t length) const {
    data<duckdb_list_entry>()[row] = {offset, length};
  }
  duckdb_list_entry get_list_entry(size_t row) const { return data<duckdb_list_entry>()[row]; }

  // STRUCT: one child vector per member.
  Vector struct_child(size_t i) const { return Vector(duckdb_struct_vector_get_child(v_, i)); }

  // The value as DuckDB would print it (used by `sqlflow query` and tests); "NULL" for NULL.
  std::string to_string(size_t row, const LogicalType& type) const;

 private:
  duckdb_vector v_;
};

class DataChunk {
 public:
  explicit DataChunk(const std::vector<LogicalType>& types);
  // Takes ownership of a chunk returned by the C API.
  static DataChunk adopt(duckdb_data_chunk chunk);
  // Wraps a chunk owned by DuckDB (e.g. a table function's output); not destroyed by us.
  static DataChunk borrow(duckdb_data_chunk chunk);

  DataChunk(DataChunk&& other) noexcept;
  DataChunk& operator=(DataChunk&& other) noexcept;
  DataChunk(const DataChunk&) = delete;
  DataChunk& operator=(const DataChunk&) = delete;
  ~DataChunk();

  static size_t capacity() { return duckdb_vector_size(); }
  size_t size() const { return duckdb_data_chunk_get_size(chunk_); }
  void set_size(size_t rows) const { duckdb_data_chunk_set_size(chunk_, rows); }
  size_t column_count() const { return duckdb_data_chunk_get_column_count(chunk_); }
  Vector column(size_t i) const {
    assert(i < column_count() && "DataChunk::column: index past the last column");
    return Vector(duckdb_data_chunk_get_vector(chunk_, i));
  }
  void reset() const { duckdb_data_chunk_reset(chunk_); }
  duckdb_data_chunk handle() const { return chunk_; }
  // Gives up ownership (the caller destroys it, or hands it to a C API that does).
  duckdb_data_chunk release();

 private:
  DataChunk(duckdb_data_chunk chunk, bool owned) : chunk_(chunk), owned_(owned) {}
  duckdb_data_chunk chunk_ = nullptr;
  bool owned_ = false;
};

// Copies rows [0, count) of src into dst starting at dst_offset (same type), deep for LIST and
// STRUCT. Used where data must move between chunks DuckDB owns (e.g. table function output).
void copy_vector(const Vector& src, const Vector& dst, const LogicalType& type, size_t count,
                 size_t src_offset = 0, size_t dst_offset = 0);

}  // namespace sqlflow
