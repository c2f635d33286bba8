// The S3 connector end to end against s3rver (tests/fixtures/s3): a prefix of CSV and gzip CSV
// objects and a hive-partitioned Parquet set load with exact counts, partition filters and the
// cache avoid downloads, cost guards trip before any download, an export uploads and reads back,
// and wrong credentials fail without showing the secret.
#include <gtest/gtest.h>

#include "s3_test_project.hpp"

using namespace sqlflow;
using namespace sqlflow::test::s3;

TEST(S3Pipeline, PrefixesPartitionsCacheGuardsAndExports) {
  test::S3rverFixture s3({"data-bucket"});
  auto client = client_for(s3);
  test::TempDir scratch("s3-scratch");
  // 200 objects: 152 CSV objects of 100 rows (every third gzip), and 48 hive-partitioned Parquet
  // objects (two a month over two years).
  for (int f = 0; f < 152; ++f)
    put_query(
        client, scratch.path(), "sales/part-" + std::to_string(f) + (f % 3 == 0 ? ".csv.gz" : ".csv"),
        "SELECT " + std::to_string(f * 100) + " + i AS id, (i % 7) * 1.5 AS amount FROM range(100) t(i)",
        "FORMAT csv, HEADER true");
  for (int year : {2023, 2024})
    for (int m = 1; m <= 12; ++m)
      for (const char* file : {"a", "b"})
        put_query(client, scratch.path(),
                  "events/year=" + std::to_string(year) + "/month=" + (m < 10 ? "0" : "") +
                      std::to_string(m) + "/" + file + ".parquet",
                  "SELECT " + std::to_string(year * 100 + m) + " AS ym, i AS n FROM range(50) t(i)",
                  "FORMAT parquet");

  Project p;
  p.pipeline("load", "SOURCE sales TYPE S3 PARAMS {" + s3_params(s3, R"("path_prefix": "sales/")") +
                         "};\nLOAD sales FROM sales;\n"
                         "SOURCE events TYPE S3 PARAMS {" +
                         s3_params(s3, R"("path_prefix": "events/", "file_format": "parquet",
                                         "partition_filter": {"year": 2024, "month": ["01", "03"]})") +
                         "};\nLOAD events FROM events;\n");
  auto r = p.run("load");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p.query("SELECT count(*), count(DISTINCT id), sum(id) FROM sales"),
            std::vector<std::string>{"15200|15200|115512400"});
  EXPECT_EQ(p.query("SELECT ym, count(*) FROM events GROUP BY ym ORDER BY ym"),
            (std::vector<std::string>{"202401|100", "202403|100"}));
  EXPECT_EQ(p.cached_files(), 156u)
      << "the partition filter should have kept 44 objects from being downloaded";

  // A re-run reads every object from the cache.
  r = p.run("load");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("0 downloaded"), std::string::npos) << r.err;
  EXPECT_EQ(p.query("SELECT count(*) FROM sales"), std::vector<std::string>{"15200"});

  // Guards trip before any download.
  p.pipeline("guarded",
             "SOURCE s TYPE S3 PARAMS {" +
                 s3_params(s3, R"("uri": "s3://data-bucket/sales/part-*.csv", "max_files_per_run": 5,
                                            "cache_dir": "target/other-cache")") +
                 "};\nLOAD g FROM s;\n");
  r = p.run("guarded");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("max_files_per_run: the listing selects 101 objects"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("96 over the limit of 5"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(p.dir / "target/other-cache"));

  // Export to S3 and read it back.
  p.pipeline("export",
             "EXPORT SELECT * FROM sales ORDER BY id TO \"s3://data-bucket/out/sales.parquet\" TYPE S3 "
             "OPTIONS {" +
                 s3_params(s3, R"("parallel_workers": 4)") + "};\n");
  r = p.run("export");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto info = client.head_object("data-bucket", "out/sales.parquet");
  EXPECT_GT(info.size, 0u);
  EXPECT_TRUE(!fs::exists(p.dir / "target/s3-uploads") || fs::is_empty(p.dir / "target/s3-uploads"));
  p.pipeline("back", "SOURCE b TYPE S3 PARAMS {" +
                         s3_params(s3, R"("key": "out/sales.parquet", "format": "parquet")") +
                         "};\nLOAD back FROM b;\n");
  r = p.run("back");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p.query("SELECT count(*), sum(id) FROM back"), std::vector<std::string>{"15200|115512400"});
}

TEST(S3Pipeline, WrongCredentialsFailWithoutTheSecret) {
  test::S3rverFixture s3({"data-bucket"});
  Project p;
  p.pipeline("load", std::string(R"(SOURCE s TYPE S3 PARAMS {"bucket": "data-bucket", "endpoint_url": ")") +
                         s3.endpoint() +
                         R"(", "access_key_id": "NOT-A-KEY", "secret_access_key": "very-secret-value-123",
                         "path_prefix": "x/"};
LOAD t FROM s;
)");
  auto r = p.run("load");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("InvalidAccessKeyId"), std::string::npos) << r.err;
  EXPECT_EQ((r.out + r.err).find("very-secret-value-123"), std::string::npos);
}
