#include "connectors/generate/source.hpp"

#include <cstdio>
#include <cstring>
#include <string_view>

#include "core/error.hpp"

namespace sqlflow::connectors::generate {

namespace {

// "name-" and the id zero-padded to 11 digits, as printf("name-%011llu") writes it. By hand
// because snprintf's format parsing was ~15% of the ingest benchmark's profile.
std::string_view format_name(uint64_t id, char (&buf)[32]) {
  constexpr uint64_t kElevenDigits = 100000000000ULL;
  if (id >= kElevenDigits) {
    int len = std::snprintf(buf, sizeof buf, "name-%011llu", static_cast<unsigned long long>(id));
    return {buf, static_cast<size_t>(len)};
  }
  std::memcpy(buf, "name-", 5);
  for (size_t i = 15; i >= 5; --i, id /= 10) buf[i] = static_cast<char>('0' + id % 10);
  return {buf, 16};
}

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
        for (size_t r = 0; r < n; ++r) v.set_string(r, format_name(pos_ + r, buf));
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
  if (partition_rows_ == 0) throw validation_error("partition_rows must be positive");
  schema_ = {{"id", LogicalType::of(DUCKDB_TYPE_BIGINT)},
             {"value", LogicalType::of(DUCKDB_TYPE_DOUBLE)},
             {"name", LogicalType::of(DUCKDB_TYPE_VARCHAR)},
             {"ts", LogicalType::of(DUCKDB_TYPE_TIMESTAMP)}};
}

std::string GenerateSource::equivalent_sql(uint64_t rows) {
  // lpad rather than printf('%011d'): the fastest of printf / format / lpad in DuckDB 1.4, so the
  // baseline is DuckDB at its best.
  return "SELECT range AS id, range::DOUBLE * 0.5 AS value, 'name-' || lpad(range::VARCHAR, 11, '0') AS "
         "name, "
         "make_timestamp(" +
         std::to_string(kEpochMicros) + " + range * 1000000) AS ts FROM range(" + std::to_string(rows) + ")";
}

size_t GenerateSource::partition_count() {
  return static_cast<size_t>((rows_ + partition_rows_ - 1) / partition_rows_);
}

std::unique_ptr<engine::PartitionReader> GenerateSource::open(size_t index,
                                                              const std::vector<size_t>& projection) {
  uint64_t begin = index * partition_rows_;
  uint64_t end = std::min(rows_, begin + partition_rows_);
  return std::make_unique<RangeReader>(begin, end, projection);
}

}  // namespace sqlflow::connectors::generate
