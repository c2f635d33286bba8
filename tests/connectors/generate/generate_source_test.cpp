// The generate source: its values equal the SQL the ingest benchmark uses as baseline, DuckDB
// reads only the projected columns, and parallel partitions cover every id exactly once.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>

#include "connectors/generate/source.hpp"
#include "connectors/registry.hpp"
#include "core/error.hpp"
#include "engine/scan_function.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using connectors::generate::GenerateSource;

namespace {

// Wraps a source and records which partitions DuckDB opened and with which projection.
class Recorder : public engine::TableSource {
 public:
  explicit Recorder(std::shared_ptr<engine::TableSource> inner) : inner_(std::move(inner)) {}
  const Schema& schema() override { return inner_->schema(); }
  size_t partition_count() override { return inner_->partition_count(); }
  std::optional<size_t> estimated_rows() override { return inner_->estimated_rows(); }
  std::unique_ptr<engine::PartitionReader> open(size_t index,
                                                const std::vector<size_t>& projection) override {
    {
      std::lock_guard lock(mutex_);
      opened_[index]++;
      projections_.push_back(projection);
    }
    return inner_->open(index, projection);
  }

  std::map<size_t, int> opened() {
    std::lock_guard lock(mutex_);
    return opened_;
  }
  std::vector<std::vector<size_t>> projections() {
    std::lock_guard lock(mutex_);
    return projections_;
  }

 private:
  std::shared_ptr<engine::TableSource> inner_;
  std::mutex mutex_;
  std::map<size_t, int> opened_;
  std::vector<std::vector<size_t>> projections_;
};

struct Fixture {
  engine::Database db;
  engine::Connection con;
  engine::SourceCatalog catalog;
  std::shared_ptr<Recorder> source;

  Fixture(int threads, uint64_t rows, uint64_t partition_rows) : db(config(threads)), con(db) {
    catalog.install(con);
    source = std::make_shared<Recorder>(std::make_shared<GenerateSource>(rows, partition_rows));
    catalog.add("g", source);
  }
  static engine::DatabaseConfig config(int threads) {
    engine::DatabaseConfig c;
    c.threads = threads;
    return c;
  }
};

}  // namespace

TEST(GenerateSource, ValuesEqualTheBenchmarkRangeSql) {
  // 2 500 rows in partitions of 1 000 (the last one short), against DuckDB's own range() SQL.
  Fixture f(2, 2500, 1000);
  const std::string ours = "SELECT id, value, name, ts FROM sqlflow_scan('g')";
  const std::string sql = GenerateSource::equivalent_sql(2500);
  EXPECT_EQ(test::query_value(f.con, "SELECT count(*) FROM (" + ours + ")"), "2500");
  EXPECT_EQ(test::query_value(f.con, "SELECT count(*) FROM (" + sql + ")"), "2500");
  // EXCEPT ALL both ways: equal as multisets, every column and type included.
  EXPECT_EQ(test::query_value(f.con, "SELECT count(*) FROM (" + ours + " EXCEPT ALL " + sql + ")"), "0");
  EXPECT_EQ(test::query_value(f.con, "SELECT count(*) FROM (" + sql + " EXCEPT ALL " + ours + ")"), "0");
  EXPECT_EQ(test::query_value(f.con,
                              "SELECT typeof(id) || ',' || typeof(value) || ',' || typeof(name) || ',' || "
                              "typeof(ts) FROM (" +
                                  sql + ") LIMIT 1"),
            "BIGINT,DOUBLE,VARCHAR,TIMESTAMP");
  // A few rows spelled out, so both sides cannot be wrong the same way.
  EXPECT_EQ(test::query_rows(f.con, "SELECT * FROM (" + ours + ") WHERE id IN (0, 1999) ORDER BY id"),
            (std::vector<std::string>{"0|0.0|name-00000000000|2024-01-01 00:00:00",
                                      "1999|999.5|name-00000001999|2024-01-01 00:33:19"}));
}

TEST(GenerateSource, NameIsSixteenCharacters) {
  Fixture f(1, 1000, 1000);
  EXPECT_EQ(
      test::query_value(f.con, "SELECT min(length(name)) || '-' || max(length(name)) FROM sqlflow_scan('g')"),
      "16-16");
}

TEST(GenerateSource, OnlyProjectedColumnsAreRequested) {
  Fixture f(1, 3000, 1000);
  EXPECT_EQ(test::query_value(f.con, "SELECT max(name) FROM sqlflow_scan('g')"), "name-00000002999");
  auto projections = f.source->projections();
  ASSERT_EQ(projections.size(), 3u);
  for (const auto& p : projections) EXPECT_EQ(p, std::vector<size_t>{2});

  Fixture g(1, 3000, 1000);
  EXPECT_EQ(test::query_value(g.con, "SELECT max(epoch(ts)) - min(id) FROM sqlflow_scan('g')"),
            std::to_string(1704067200 + 2999) + ".0");  // epoch() is a DOUBLE
  for (const auto& p : g.source->projections()) {
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(std::set<size_t>(p.begin(), p.end()), (std::set<size_t>{0, 3}));
  }
}

TEST(GenerateSource, ReaderFillsProjectedColumnsInProjectionOrder) {
  GenerateSource src(5000, 4096);
  auto reader = src.open(1, {3, 0});  // rows 4096..4999, ts then id
  DataChunk chunk({LogicalType::of(DUCKDB_TYPE_TIMESTAMP), LogicalType::of(DUCKDB_TYPE_BIGINT)});
  size_t total = 0;
  int64_t expect = 4096;
  while (size_t n = reader->next(chunk)) {
    for (size_t r = 0; r < n; ++r, ++expect) {
      ASSERT_EQ(chunk.column(1).get<int64_t>(r), expect);
      ASSERT_EQ(chunk.column(0).get<duckdb_timestamp>(r).micros,
                GenerateSource::kEpochMicros + expect * 1000000);
    }
    total += n;
  }
  EXPECT_EQ(total, 5000u - 4096u);
}

TEST(GenerateSource, FourThreadsCoverEveryIdExactlyOnce) {
  // 100 003 rows in partitions of 997: 101 partitions, the last one short, read by 4 threads.
  const uint64_t n = 100003;
  Fixture f(4, n, 997);
  f.con.execute("CREATE TABLE t AS SELECT id FROM sqlflow_scan('g')");
  EXPECT_EQ(test::query_value(f.con, "SELECT count(*) FROM t"), std::to_string(n));
  EXPECT_EQ(test::query_value(f.con, "SELECT count(DISTINCT id) FROM t"), std::to_string(n));
  EXPECT_EQ(test::query_value(f.con, "SELECT min(id) || '..' || max(id) FROM t"),
            "0.." + std::to_string(n - 1));
  // Nothing outside 0..n-1 and nothing twice, checked against range() as well.
  EXPECT_EQ(
      test::query_value(f.con, "SELECT count(*) FROM (SELECT id FROM t EXCEPT ALL SELECT range FROM range(" +
                                   std::to_string(n) + "))"),
      "0");
  auto opened = f.source->opened();
  ASSERT_EQ(opened.size(), 101u);
  for (const auto& [index, times] : opened) {
    EXPECT_LT(index, 101u);
    EXPECT_EQ(times, 1) << "partition " << index;
  }
}

TEST(GenerateSource, ZeroRowsHasNoPartitions) {
  Fixture f(2, 0, 1000);
  EXPECT_EQ(f.source->partition_count(), 0u);
  EXPECT_EQ(test::query_value(f.con, "SELECT count(*) FROM sqlflow_scan('g')"), "0");
}

TEST(GenerateSource, RegistryValidatesParams) {
  const auto& info = connectors::Registry::instance().get("GENERATE", connectors::Role::Source);
  EXPECT_TRUE(connectors::check_params(info, connectors::Role::Source, {{"rows", 10}}).empty());
  EXPECT_FALSE(connectors::check_params(info, connectors::Role::Source, nlohmann::json::object()).empty());
  EXPECT_FALSE(
      connectors::check_params(info, connectors::Role::Source, {{"rows", 10}, {"partiton_rows", 5}}).empty());
  auto params = connectors::normalize_params(info.source_params, {{"rows", 10}});
  EXPECT_EQ(params.at("partition_rows").get<int64_t>(), 122880);
  auto source = info.make_source(params, {});
  EXPECT_EQ(source->estimated_rows(), std::optional<size_t>(10));
  EXPECT_THROW(info.make_source({{"rows", -1}, {"partition_rows", 10}}, {}), Error);
  EXPECT_THROW(info.make_source({{"rows", 10}, {"partition_rows", 0}}, {}), Error);
}

TEST(GenerateSource, NamesPastElevenDigitsKeepEveryDigit) {
  // Partition 10^8 of 10^3 rows starts at id 10^11, the first id with 12 digits.
  GenerateSource src(100000001000ULL, 1000);
  auto reader = src.open(100000000, {2, 0});
  DataChunk chunk({LogicalType::of(DUCKDB_TYPE_VARCHAR), LogicalType::of(DUCKDB_TYPE_BIGINT)});
  ASSERT_GT(reader->next(chunk), 0u);
  EXPECT_EQ(chunk.column(1).get<int64_t>(0), 100000000000LL);
  EXPECT_EQ(chunk.column(0).get_string(0), "name-100000000000");
  EXPECT_EQ(chunk.column(0).get_string(1), "name-100000000001");
}
