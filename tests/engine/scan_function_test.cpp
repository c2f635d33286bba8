// The Source-as-table-function adapter: projection pushdown and parallel partitions.
#include "engine/scan_function.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "core/error.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;

namespace {

// A source of 4 BIGINT columns whose partition p holds rows [p*1000, p*1000+1000); column c of
// row r holds r*10+c. It records what the engine asked for.
class RecordingSource : public engine::TableSource {
 public:
  explicit RecordingSource(size_t partitions) : opened_(partitions), partitions_(partitions) {
    for (const char* n : {"a", "b", "c", "d"}) schema_.push_back({n, LogicalType::of(DUCKDB_TYPE_BIGINT)});
  }
  const Schema& schema() override { return schema_; }
  size_t partition_count() override { return partitions_; }
  std::unique_ptr<engine::PartitionReader> open(size_t index,
                                                const std::vector<size_t>& projection) override {
    opened_[index]++;
    {
      std::lock_guard lock(mutex_);
      projections_.push_back(projection);
    }
    return std::make_unique<Reader>(index * 1000, projection, fail_at_);
  }

  std::vector<std::atomic<int>> opened_;
  std::mutex mutex_;
  std::vector<std::vector<size_t>> projections_;
  int64_t fail_at_ = -1;

 private:
  struct Reader : engine::PartitionReader {
    Reader(int64_t begin, std::vector<size_t> proj, int64_t fail_at)
        : pos(begin), end(begin + 1000), projection(std::move(proj)), fail_at(fail_at) {}
    size_t next(DataChunk& out) override {
      if (fail_at >= pos && fail_at < end)
        throw connection_error("server went away at row " + std::to_string(fail_at), true,
                               "check the network");
      size_t n = std::min<int64_t>(700, end - pos);
      for (size_t i = 0; i < projection.size(); ++i)
        for (size_t r = 0; r < n; ++r)
          out.column(i).set<int64_t>(
              r, (pos + static_cast<int64_t>(r)) * 10 + static_cast<int64_t>(projection[i]));
      pos += static_cast<int64_t>(n);
      return n;
    }
    int64_t pos, end;
    std::vector<size_t> projection;
    int64_t fail_at;
  };
  size_t partitions_;
  Schema schema_;
};

struct Fixture {
  engine::Database db;
  engine::Connection con;
  engine::SourceCatalog catalog;
  explicit Fixture(int threads) : db(config(threads)), con(db) { catalog.install(con); }
  static engine::DatabaseConfig config(int threads) {
    engine::DatabaseConfig c;
    c.threads = threads;
    return c;
  }
};

}  // namespace

TEST(ScanFunction, ProducesOnlyTheRequestedColumns) {
  Fixture f(1);
  auto src = std::make_shared<RecordingSource>(3);
  f.catalog.add("src", src);
  f.catalog.create_view(f.con, "src");
  EXPECT_EQ(test::query_value(f.con, "SELECT sum(c) FROM src"),
            std::to_string((2999LL * 3000 / 2) * 10 + 2 * 3000));
  ASSERT_FALSE(src->projections_.empty());
  for (const auto& p : src->projections_) EXPECT_EQ(p, std::vector<size_t>{2});
}

TEST(ScanFunction, ReadsEveryPartitionExactlyOnceUnderSeveralThreads) {
  Fixture f(4);
  auto src = std::make_shared<RecordingSource>(64);
  f.catalog.add("src", src);
  f.catalog.create_view(f.con, "src");
  f.con.execute("CREATE TABLE t AS SELECT a, d FROM src");
  EXPECT_EQ(test::query_value(f.con, "SELECT count(*) FROM t"), "64000");
  EXPECT_EQ(test::query_value(f.con, "SELECT count(DISTINCT a) FROM t"), "64000");
  EXPECT_EQ(test::query_value(f.con, "SELECT count(*) FROM t WHERE d <> a + 3"), "0");
  for (size_t i = 0; i < 64; ++i) EXPECT_EQ(src->opened_[i].load(), 1) << "partition " << i;
}

TEST(ScanFunction, CountStarNeedsNoColumns) {
  Fixture f(2);
  auto src = std::make_shared<RecordingSource>(5);
  f.catalog.add("src", src);
  f.catalog.create_view(f.con, "src");
  EXPECT_EQ(test::query_value(f.con, "SELECT count(*) FROM src"), "5000");
}

TEST(ScanFunction, SourceErrorsKeepTheirKindAndHint) {
  Fixture f(2);
  auto src = std::make_shared<RecordingSource>(4);
  src->fail_at_ = 2500;
  f.catalog.add("src", src);
  f.catalog.create_view(f.con, "src");
  try {
    f.con.execute("CREATE TABLE t AS SELECT * FROM src");
    FAIL() << "expected the source's error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Connection);
    EXPECT_TRUE(e.retryable());
    EXPECT_EQ(e.message(), "server went away at row 2500");
    EXPECT_EQ(e.hint(), "check the network");
  }
  // The failed CREATE TABLE AS left nothing behind.
  EXPECT_EQ(test::query_value(f.con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 't'"), "0");
}

TEST(ScanFunction, UnknownSourceIsAClearError) {
  Fixture f(1);
  try {
    f.con.execute("SELECT * FROM sqlflow_scan('nope')");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("no source named 'nope'"), std::string::npos) << e.message();
  }
}
