// The S3 connector through `sqlflow pipeline run` when S3 misbehaves (S3FaultFixture: signatures
// checked, 503 SlowDown, bodies cut off, a failing UploadPart) and for large and partitioned
// exports (s3rver): loads ride out throttling and resets with exact counts; a multipart export
// that fails leaves no object and no parts; server-side encryption reaches S3; a partitioned
// export uploads every partition; a large Parquet export goes multipart and reads back identical.
#include <gtest/gtest.h>

#include <fstream>

#include "s3_test_project.hpp"

using namespace sqlflow;
using namespace sqlflow::test::s3;
using sqlflow::test::S3FaultFixture;
using sqlflow::test::S3rverFixture;
using sqlflow::test::TempDir;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST(S3Faults, SlowDownAndConnectionResetsDuringLoadsAreRiddenOut) {
  S3FaultFixture fx;
  long long sum = 0;
  for (int f = 0; f < 4; ++f) {
    fx.put("bucket", "sales/part-" + std::to_string(f) + ".csv", csv_rows(f * 5000, 5000));
    for (int i = f * 5000; i < (f + 1) * 5000; ++i) sum += i;
  }
  Project p;
  p.pipeline("full",
             "SOURCE s TYPE S3 PARAMS {" +
                 fault_params(fx, R"("path_prefix": "sales/", "max_retries": 4, "parallel_workers": 2)") +
                 "};\nLOAD sales FROM s;\n");
  // The listing is refused three times, then answered (max_retries 4: five attempts).
  fx.slow_down_next(3);
  auto r = p.run("full");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fx.slow_downs_sent(), 3);
  EXPECT_EQ(p.query("SELECT count(*), count(DISTINCT id), sum(id) FROM sales"),
            std::vector<std::string>{"20000|20000|" + std::to_string(sum)});

  // Downloads cut off mid-body are fetched again (incremental source: its own download path).
  p.pipeline("inc", "SOURCE i TYPE S3 PARAMS {" +
                        fault_params(fx, R"("path_prefix": "sales/", "sync_mode": "incremental",
                                           "cursor_field": "_last_modified", "settle_seconds": 0,
                                           "max_retries": 4, "cache_dir": "target/inc-cache")") +
                        "};\nLOAD inc FROM i;\n");
  next_second();
  fx.reset_downloads_after(1000, 3);
  r = p.run("inc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fx.resets_sent(), 3);
  EXPECT_EQ(p.query("SELECT count(*), count(DISTINCT id), sum(id) FROM inc"),
            std::vector<std::string>{"20000|20000|" + std::to_string(sum)});

  // More throttling than attempts: the LOAD fails naming SlowDown, the table and watermark stay.
  const std::string mark = p.watermark("i");
  fx.put("bucket", "sales/part-9.csv", csv_rows(90000, 10));
  next_second();
  fx.slow_down_next(1000);
  r = p.run("inc");
  fx.slow_down_next(0);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "SlowDown")) << r.err;
  EXPECT_TRUE(contains(r.err, "s3://bucket")) << r.err;
  EXPECT_FALSE(contains(r.out + r.err, fx.options().secret_access_key));
  EXPECT_EQ(p.query("SELECT count(*) FROM inc"), std::vector<std::string>{"20000"});
  EXPECT_EQ(p.watermark("i"), mark);
}

TEST(S3Faults, AFailedMultipartExportLeavesNoObjectAndNoParts) {
  S3FaultFixture fx;
  Project p;
  // About 12 MB of CSV: three parts of 5 MiB at most.
  const std::string query = "SELECT i AS id, md5(i::VARCHAR) AS h FROM range(300000) t(i)";
  p.pipeline("export",
             "EXPORT " + query + " TO \"s3://bucket/out/big.csv\" TYPE S3 OPTIONS {" +
                 fault_params(fx, R"("multipart_threshold_mb": 5, "part_size_mb": 5, "max_retries": 1,
                                              "parallel_workers": 2, "server_side_encryption": "aws:kms",
                                              "sse_kms_key_id": "alias/sqlflow-test")") +
                 "};\n");
  fx.fail_upload_part(2);  // 500 InternalError on every attempt
  auto r = p.run("export");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "UploadPart s3://bucket/out/big.csv")) << r.err;
  EXPECT_TRUE(contains(r.err, "InternalError")) << r.err;
  EXPECT_FALSE(contains(r.out + r.err, fx.options().secret_access_key));
  EXPECT_FALSE(fx.object("bucket", "out/big.csv")) << "the object must appear only when the upload completes";
  EXPECT_TRUE(fx.uploads_in_progress().empty()) << "no parts may be left behind";
  EXPECT_GE(fx.aborted_uploads(), 1);  // once per attempt of the step (a 500 is worth another try)
  EXPECT_TRUE(!fs::exists(p.dir / "target/s3-uploads") || fs::is_empty(p.dir / "target/s3-uploads"));

  fx.fail_upload_part(0);
  r = p.run("export");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "multipart, 3 parts")) << r.err;
  auto obj = fx.object("bucket", "out/big.csv");
  ASSERT_TRUE(obj);
  EXPECT_TRUE(obj->etag.ends_with("-3\"")) << obj->etag;
  EXPECT_EQ(obj->sse, "aws:kms");
  EXPECT_EQ(obj->sse_kms_key_id, "alias/sqlflow-test");
  EXPECT_TRUE(fx.uploads_in_progress().empty());
  // What arrived is what the query produced.
  TempDir back("s3-back");
  {
    std::ofstream out(back / "big.csv", std::ios::binary);
    out.write(obj->data->data(), static_cast<std::streamsize>(obj->data->size()));
  }
  engine::Database db;
  engine::Connection con(db);
  EXPECT_EQ(test::query_rows(con, "SELECT count(*), sum(id), sum(hash(h)) FROM read_csv('" +
                                      (back / "big.csv").string() + "')"),
            test::query_rows(con, "SELECT count(*), sum(id), sum(hash(h)) FROM (" + query + ")"));

  // One PutObject carries the encryption header too; a value S3 does not know is refused up front.
  p.pipeline("small", "EXPORT SELECT 1 AS x TO \"s3://bucket/out/small.csv\" TYPE S3 OPTIONS {" +
                          fault_params(fx, R"("server_side_encryption": "AES256")") + "};\n");
  r = p.run("small");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(fx.object("bucket", "out/small.csv"));
  EXPECT_EQ(fx.object("bucket", "out/small.csv")->sse, "AES256");
  p.pipeline("badsse", "EXPORT SELECT 1 AS x TO \"s3://bucket/out/x.csv\" TYPE S3 OPTIONS {" +
                           fault_params(fx, R"("server_side_encryption": "AES-256")") + "};\n");
  r = p.run("badsse");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "server_side_encryption 'AES-256' is not one of AES256, aws:kms")) << r.err;
}

TEST(S3Exports, PartitionedAndLargeParquetExportsReadBackIdentical) {
  S3rverFixture s3({"data-bucket"});
  auto client = client_for(s3);
  Project p;
  const std::string sales =
      "SELECT i AS id, ['EU', 'US', 'APAC'][i % 3 + 1] AS region, i * 0.25 AS amount FROM range(30000) t(i)";
  // About 305 MB of Parquet that does not compress: random hashes and md5 text, no codec.
  const std::string events = "SELECT i AS id, hash(i) AS h, md5(i::VARCHAR) AS s FROM range(5800000) t(i)";
  p.pipeline("export", "EXPORT " + sales + " TO \"s3://data-bucket/parts/sales\" TYPE S3 OPTIONS {" +
                           s3_params(s3, R"("file_format": "parquet", "partition_by": "region")") +
                           "};\nEXPORT " + events +
                           " TO \"s3://data-bucket/big/events.parquet\" TYPE S3 OPTIONS {" +
                           s3_params(s3, R"("compression": "none", "parallel_workers": 4)") + "};\n");
  auto r = p.run("export");
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // Every partition landed under the prefix.
  std::vector<std::string> keys;
  for (const auto& o : objects_under(client, "parts/sales/")) keys.push_back(o.key);
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_TRUE(keys[0].starts_with("parts/sales/region=APAC/") && keys[0].ends_with(".parquet")) << keys[0];
  EXPECT_TRUE(keys[1].starts_with("parts/sales/region=EU/")) << keys[1];
  EXPECT_TRUE(keys[2].starts_with("parts/sales/region=US/")) << keys[2];

  // The large export went up in parts.
  auto info = client.head_object("data-bucket", "big/events.parquet");
  EXPECT_GT(info.size, 300'000'000u);
  const auto line = r.err.find("uploaded s3://data-bucket/big/events.parquet (");
  ASSERT_NE(line, std::string::npos) << r.err;
  EXPECT_TRUE(contains(r.err.substr(line, r.err.find('\n', line) - line), "MB, multipart, ")) << r.err;

  p.pipeline("back", "SOURCE parts TYPE S3 PARAMS {" +
                         s3_params(s3, R"("path_prefix": "parts/sales/", "file_format": "parquet")") +
                         "};\nLOAD parts FROM parts;\n"
                         "SOURCE eu TYPE S3 PARAMS {" +
                         s3_params(s3, R"("path_prefix": "parts/sales/", "file_format": "parquet",
                                         "partition_filter": {"region": "EU"})") +
                         "};\nLOAD eu FROM eu;\n"
                         "SOURCE big TYPE S3 PARAMS {" +
                         s3_params(s3, R"("key": "big/events.parquet", "file_format": "parquet")") +
                         "};\nLOAD big FROM big;\n");
  r = p.run("back");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p.query("SELECT count(*), sum(id), sum(amount) FROM parts"),
            p.query("SELECT count(*), sum(id), sum(amount) FROM (" + sales + ")"));
  EXPECT_EQ(p.query("SELECT count(*), sum(id) FROM eu"),
            p.query("SELECT count(*), sum(id) FROM (" + sales + ") WHERE region = 'EU'"));
  EXPECT_EQ(p.query("SELECT count(*), sum(id), sum(h), sum(hash(s)) FROM big"),
            p.query("SELECT count(*), sum(id), sum(h), sum(hash(s)) FROM (" + events + ")"));
}

TEST(S3Faults, APartitionedExportReplacesThePreviousSetOrLeavesItAsItWas) {
  S3FaultFixture fx;
  Project p;
  // Objects below the prefix that are not the export's partition files are left alone.
  fx.put("bucket", "parts/README.txt", "not ours");
  fx.put("bucket", "parts/other=1/keep.csv", "x\n1\n");
  auto export_regions = [&](const std::string& name, const std::string& regions, int rows) {
    p.pipeline(name,
               "EXPORT SELECT i AS id, " + regions + "[i % len(" + regions + ") + 1] AS region FROM range(" +
                   std::to_string(rows) + ") t(i) TO \"s3://bucket/parts\" TYPE S3 OPTIONS {" +
                   fault_params(fx, R"("file_format": "csv", "partition_by": "region", "max_retries": 0)") +
                   "};\n");
  };
  export_regions("three", "['EU', 'US', 'APAC']", 300);
  export_regions("four", "['EU', 'US', 'APAC', 'LATAM']", 400);
  export_regions("two", "['EU', 'US']", 200);

  auto r = p.run("three");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> first = fx.keys("bucket", "parts/region=");
  ASSERT_EQ(first.size(), 3u);
  EXPECT_TRUE(first[0].starts_with("parts/region=APAC/data_0-") && first[0].ends_with(".csv")) << first[0];
  const std::vector<std::string> before = fx.keys("bucket");

  // One partition cannot be written: the files that did arrive are deleted again, and the
  // previous export is exactly as it was.
  fx.fail_puts_matching("region=US");
  r = p.run("four");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "AccessDenied")) << r.err;
  EXPECT_TRUE(contains(r.err,
                       "uploaded before the failure were deleted again, and the objects there before "
                       "are unchanged"))
      << r.err;
  EXPECT_EQ(fx.keys("bucket"), before);
  EXPECT_TRUE(fx.uploads_in_progress().empty());
  EXPECT_FALSE(contains(r.out + r.err, fx.options().secret_access_key));

  // A complete export replaces the set: the APAC partition of the first export is gone too.
  fx.fail_puts_matching("");
  r = p.run("two");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "2 files uploaded under s3://bucket/parts/, 3 older partition files removed"))
      << r.err;
  const std::vector<std::string> second = fx.keys("bucket", "parts/region=");
  ASSERT_EQ(second.size(), 2u);
  EXPECT_TRUE(second[0].starts_with("parts/region=EU/data_0-")) << second[0];
  EXPECT_TRUE(second[1].starts_with("parts/region=US/data_0-")) << second[1];
  for (const auto& k : first) EXPECT_FALSE(fx.object("bucket", k)) << k;
  EXPECT_TRUE(fx.object("bucket", "parts/README.txt"));
  EXPECT_TRUE(fx.object("bucket", "parts/other=1/keep.csv"));
  // Each partition holds its 100 rows (a header line, then one line per row).
  for (const auto& k : second) {
    const std::string data = *fx.object("bucket", k)->data;
    EXPECT_EQ(std::count(data.begin(), data.end(), '\n'), 101) << k;
  }

  // Credentials that may write but not list: the export still uploads, and says the old files stay.
  fx.refuse_listing(true);
  r = p.run("three");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err,
                       "cannot list s3://bucket/parts/ (AccessDenied): any partition files of a "
                       "previous export stay beside the new ones"))
      << r.err;
  EXPECT_EQ(fx.keys("bucket", "parts/region=").size(), 5u);
  EXPECT_FALSE(contains(r.out + r.err, fx.options().secret_access_key));
}
