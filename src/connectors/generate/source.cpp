#include "connectors/generate/source.hpp"

#include <cstdio>

#include "core/error.hpp"

namespace sqlflow::connectors::generate {

namespace {
class RangeReader : public engine::PartitionReader {
 public:
  RangeReader(uint64_t begin, uint64_t end, std::vector<size_t> projection)
      : pos_(begin), end_(end), projection_(std::move(projection)) {}

  size_t next(DataChunk& out) override {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(DataChunk::capacity(), end_ - pos_));
    for (size_t i = 0; i < projection_.size(); ++i) fill(projection_[i], out.column(i), n);
    pos_ += n;
    return n;
  }

 private:
  void fill(size_t column, const Vector& v, size_t n) const {
    switch (column) {
      case 0: {
        auto* d = v.data<int64_t>();
        for (size_t r = 0; r < n; ++r) d[r] = static_cast<int64_t>(pos_ + r);
        break;
      }
      case 1: {
        auto* d = v.data<double>();
        for (size_t r = 0; r < n; ++r) d[r] = GenerateSource::value_of(static_cast<int64_t>(pos_ + r));
        break;
      }
      case 2: {
        char buf[32];
        for (size_t r = 0; r < n; ++r) {
          int len = std::snprintf(buf, sizeof buf, "name-%011llu", static_cast<unsigned long long>(pos_ + r));
          v.set_string(r, std::string_view(buf, static_cast<size_t>(len)));
        }
        break;
      }
      case 3: {
        auto* d = v.data<duckdb_timestamp>();
        for (size_t r = 0; r < n; ++r)
          d[r].micros = GenerateSource::kEpochMicros + static_cast<int64_t>(pos_ + r) * 1000000;
        break;
      }
    }
  }

  uint64_t pos_, end_;
  std::vector<size_t> projection_;
};
}  // namespace

GenerateSource::GenerateSource(uint64_t rows, uint64_t partition_rows)
    : rows_(rows), partition_rows_(partition_rows) {
  if (partition_rows_ == 0) throw validation_error("generate: partition_rows must be positive");
  schema_ = {{"id", LogicalType::of(DUCKDB_TYPE_BIGINT)},
             {"value", LogicalType::of(DUCKDB_TYPE_DOUBLE)},
             {"name", LogicalType::of(DUCKDB_TYPE_VARCHAR)},
             {"ts", LogicalType::of(DUCKDB_TYPE_TIMESTAMP)}};
}

size_t GenerateSource::partition_count() { return static_cast<size_t>((rows_ + partition_rows_ - 1) / partition_rows_); }

std::unique_ptr<engine::PartitionReader> GenerateSource::open(size_t index, const std::vector<size_t>& projection) {
  uint64_t begin = index * partition_rows_;
  uint64_t end = std::min(rows_, begin + partition_rows_);
  return std::make_unique<RangeReader>(begin, end, projection);
}

}  // namespace sqlflow::connectors::generate
