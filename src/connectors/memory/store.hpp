// Process-wide named tables held in memory as DataChunks: what the `memory` connector reads and
// writes (SQLFlow's in_memory connector, used by tests and embedding programs).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/data_chunk.hpp"

namespace sqlflow::connectors::memory {

struct Table {
  Schema schema;
  std::vector<DataChunk> chunks;
  size_t rows() const;
};

class Store {
 public:
  static Store& instance();
  // Replaces (or creates) a table; readers holding the old one keep it.
  void put(const std::string& name, std::shared_ptr<const Table> table);
  std::shared_ptr<const Table> get(const std::string& name) const;
  void erase(const std::string& name);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const Table>> tables_;
};

// A deep copy of `chunk` (the source chunk may be reused by its owner afterwards).
DataChunk copy_chunk(const DataChunk& chunk, const Schema& schema);

}  // namespace sqlflow::connectors::memory
