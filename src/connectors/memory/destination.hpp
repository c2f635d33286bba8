// The memory connector's destination (see store.hpp).
#pragma once

#include "connectors/connector.hpp"
#include "connectors/memory/store.hpp"

namespace sqlflow::connectors::memory {

class MemoryDestination : public Destination {
 public:
  explicit MemoryDestination(std::string table_name);
  void open(const Schema& schema, WriteMode mode, const std::vector<std::string>& keys) override;
  void write(const DataChunk& chunk) override;
  void commit() override;
  void abort() noexcept override;

 private:
  std::string name_;
  std::shared_ptr<Table> pending_;
};

}  // namespace sqlflow::connectors::memory
