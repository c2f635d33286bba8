// memory source: serves a Store table's chunks, one partition per chunk, copying only the
// projected columns into DuckDB's output.
#include "connectors/memory/source.hpp"

#include "core/error.hpp"

namespace sqlflow::connectors::memory {

namespace {
class ChunkReader : public engine::PartitionReader {
 public:
  ChunkReader(std::shared_ptr<const Table> table, size_t index, std::vector<size_t> projection)
      : table_(std::move(table)), index_(index), projection_(std::move(projection)) {}

  size_t next(DataChunk& out) override {
    if (done_) return 0;
    done_ = true;
    const DataChunk& in = table_->chunks[index_];
    for (size_t i = 0; i < projection_.size(); ++i) {
      size_t col = projection_[i];
      copy_vector(in.column(col), out.column(i), table_->schema[col].type, in.size());
    }
    return in.size();
  }

 private:
  std::shared_ptr<const Table> table_;
  size_t index_;
  std::vector<size_t> projection_;
  bool done_ = false;
};
}  // namespace

MemorySource::MemorySource(std::string table_name) : name_(std::move(table_name)) {}

const Table& MemorySource::table() {
  if (!table_) {
    table_ = Store::instance().get(name_);
    if (!table_)
      throw data_error("no in-memory table named '" + name_ + "'",
                       "write it first with EXPORT … TYPE MEMORY");
  }
  return *table_;
}

const Schema& MemorySource::schema() {
  return table().schema;
}
size_t MemorySource::partition_count() {
  return table().chunks.size();
}
std::optional<size_t> MemorySource::estimated_rows() {
  return table().rows();
}

std::unique_ptr<engine::PartitionReader> MemorySource::open(size_t index,
                                                            const std::vector<size_t>& projection) {
  table();
  return std::make_unique<ChunkReader>(table_, index, projection);
}

}  // namespace sqlflow::connectors::memory
