// The memory connector's source (see store.hpp).
#pragma once

#include "connectors/connector.hpp"
#include "connectors/memory/store.hpp"

namespace sqlflow::connectors::memory {

class MemorySource : public Source {
 public:
  explicit MemorySource(std::string table_name);
  const Schema& schema() override;
  size_t partition_count() override;
  std::optional<size_t> estimated_rows() override;
  std::unique_ptr<engine::PartitionReader> open(size_t index, const std::vector<size_t>& projection) override;

 private:
  const Table& table();
  std::string name_;
  std::shared_ptr<const Table> table_;  // pinned at first use, so a scan sees one version
};

}  // namespace sqlflow::connectors::memory
