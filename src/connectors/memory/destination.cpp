// memory destination: collects copies of the chunks and publishes the table at commit.
#include "connectors/memory/destination.hpp"

#include "core/error.hpp"

namespace sqlflow::connectors::memory {

MemoryDestination::MemoryDestination(std::string table_name) : name_(std::move(table_name)) {}

void MemoryDestination::open(const Schema& schema, WriteMode mode, const std::vector<std::string>& keys) {
  (void)keys;
  if (mode == WriteMode::Upsert) throw validation_error("only modes replace and append are supported");
  pending_ = std::make_shared<Table>();
  pending_->schema = schema;
  if (mode == WriteMode::Append) {
    if (auto old = Store::instance().get(name_)) {
      if (old->schema.size() != schema.size())
        throw data_error("cannot append to in-memory table '" + name_ + "': it has " +
                         std::to_string(old->schema.size()) + " columns, the new rows " +
                         std::to_string(schema.size()));
      // Chunks are stored as they come, so every chunk of a table must have the same types.
      for (size_t i = 0; i < schema.size(); ++i)
        if (old->schema[i].type.to_sql() != schema[i].type.to_sql())
          throw data_error(
              "cannot append to in-memory table '" + name_ + "': column " + std::to_string(i + 1) + " ('" +
                  schema[i].name + "') is " + schema[i].type.to_sql() + ", the table has " +
                  old->schema[i].type.to_sql(),
              "cast the column in the query, e.g. CAST(x AS " + old->schema[i].type.to_sql() + ")");
      for (const auto& c : old->chunks) pending_->chunks.push_back(copy_chunk(c, old->schema));
    }
  }
}

void MemoryDestination::write(const DataChunk& chunk) {
  if (!pending_) throw internal_error("written before open()");
  if (chunk.size()) pending_->chunks.push_back(copy_chunk(chunk, pending_->schema));
}

void MemoryDestination::commit() {
  if (!pending_) throw internal_error("committed before open()");
  Store::instance().put(name_, std::move(pending_));
}

void MemoryDestination::abort() noexcept {
  pending_.reset();
}

}  // namespace sqlflow::connectors::memory
