// memory destination: collects copies of the chunks and publishes the table at commit.
#include "connectors/memory/destination.hpp"

#include "core/error.hpp"

namespace sqlflow::connectors::memory {

MemoryDestination::MemoryDestination(std::string table_name) : name_(std::move(table_name)) {}

void MemoryDestination::open(const Schema& schema, WriteMode mode, const std::vector<std::string>& keys) {
  (void)keys;
  if (mode == WriteMode::Upsert) throw validation_error("the memory destination supports replace and append only");
  pending_ = std::make_shared<Table>();
  pending_->schema = schema;
  if (mode == WriteMode::Append) {
    if (auto old = Store::instance().get(name_)) {
      if (old->schema.size() != schema.size())
        throw data_error("cannot append to in-memory table '" + name_ + "': column count differs");
      for (const auto& c : old->chunks) pending_->chunks.push_back(copy_chunk(c, old->schema));
    }
  }
}

void MemoryDestination::write(const DataChunk& chunk) {
  if (!pending_) throw internal_error("memory destination written before open()");
  if (chunk.size()) pending_->chunks.push_back(copy_chunk(chunk, pending_->schema));
}

void MemoryDestination::commit() {
  if (!pending_) throw internal_error("memory destination committed before open()");
  Store::instance().put(name_, std::move(pending_));
}

void MemoryDestination::abort() noexcept { pending_.reset(); }

}  // namespace sqlflow::connectors::memory
