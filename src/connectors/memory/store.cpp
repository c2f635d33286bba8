#include "connectors/memory/store.hpp"

namespace sqlflow::connectors::memory {

size_t Table::rows() const {
  size_t n = 0;
  for (const auto& c : chunks) n += c.size();
  return n;
}

Store& Store::instance() {
  static Store store;
  return store;
}

void Store::put(const std::string& name, std::shared_ptr<const Table> table) {
  std::lock_guard lock(mutex_);
  tables_[name] = std::move(table);
}

std::shared_ptr<const Table> Store::get(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second;
}

void Store::erase(const std::string& name) {
  std::lock_guard lock(mutex_);
  tables_.erase(name);
}

DataChunk copy_chunk(const DataChunk& chunk, const Schema& schema) {
  DataChunk out(types_of(schema));
  for (size_t c = 0; c < schema.size(); ++c)
    copy_vector(chunk.column(c), out.column(c), schema[c].type, chunk.size());
  out.set_size(chunk.size());
  return out;
}

}  // namespace sqlflow::connectors::memory
