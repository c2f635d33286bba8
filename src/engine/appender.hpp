// Bulk insert of whole DataChunks into an existing table (DuckDB's appender: no SQL per row).
#pragma once

#include <duckdb.h>

#include <string>

#include "core/data_chunk.hpp"
#include "engine/connection.hpp"

namespace sqlflow::engine {

class Appender {
 public:
  Appender(Connection& con, const std::string& table, const std::string& schema = {});
  ~Appender();
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  void append(const DataChunk& chunk);
  // Flushes buffered rows; errors (constraint violations…) surface here or in append().
  void flush();
  void close();

 private:
  [[noreturn]] void fail(const std::string& what);
  duckdb_appender appender_ = nullptr;
  std::string table_;
};

}  // namespace sqlflow::engine
