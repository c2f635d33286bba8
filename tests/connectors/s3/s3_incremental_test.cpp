// Incremental S3 loads through `sqlflow pipeline run` against s3rver: by LastModified (only objects
// after the watermark are downloaded, a run without new objects loads nothing, a failed run leaves
// the watermark, objects of the listing's own second wait), by a date in the key, and by a data
// column (every object read, rows after the watermark kept).
#include <gtest/gtest.h>

#include "s3_test_project.hpp"

using namespace sqlflow;
using namespace sqlflow::test::s3;
using sqlflow::test::S3rverFixture;
using sqlflow::test::TempDir;

namespace {

std::string ids_sql(int first, int n) {
  return "SELECT " + std::to_string(first) + " + i AS id, (i % 7) * 1.5 AS amount FROM range(" +
         std::to_string(n) + ") t(i)";
}

// Sum of the ids [0, n).
long long id_sum(int n) {
  return static_cast<long long>(n) * (n - 1) / 2;
}

}  // namespace

TEST(S3Incremental, LastModifiedDownloadsOnlyNewObjectsAndAdvancesOnCommit) {
  S3rverFixture s3({"data-bucket"});
  auto client = client_for(s3);
  TempDir scratch("s3-inc-scratch");
  const std::string csv = "FORMAT csv, HEADER true";
  for (int f = 0; f < 3; ++f)
    put_query(client, scratch.path(), "inc/part-" + std::to_string(f) + ".csv", ids_sql(f * 100, 100), csv);

  Project p;
  // With the default settle_seconds (60), objects written just now wait for a later run.
  p.pipeline("fresh", "SOURCE fresh TYPE S3 PARAMS {" +
                          s3_params(s3, R"("path_prefix": "inc/", "sync_mode": "incremental",
                                          "cursor_field": "_last_modified")") +
                          "};\nLOAD fresh_events FROM fresh;\n");
  auto r = p.run("fresh");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("settle_seconds (60 s)"), std::string::npos) << r.err;
  EXPECT_EQ(p.query("SELECT count(*) FROM fresh_events"), std::vector<std::string>{"0"});
  EXPECT_EQ(p.watermark("fresh"), "");

  p.pipeline("inc", "SOURCE s TYPE S3 PARAMS {" +
                        s3_params(s3, R"("path_prefix": "inc/", "sync_mode": "incremental",
                                        "cursor_field": "_last_modified", "settle_seconds": 0)") +
                        "};\nLOAD events FROM s;\n");
  next_second();
  r = p.run("inc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p.query("SELECT count(*), sum(id), typeof(min(_last_modified)) FROM events"),
            std::vector<std::string>{"300|" + std::to_string(id_sum(300)) + "|TIMESTAMP"});
  const std::string w1 = p.watermark("s");
  ASSERT_FALSE(w1.empty());
  // The watermark is the newest object's LastModified, as the listing gives it.
  std::string newest;
  for (const auto& o : objects_under(client, "inc/")) newest = std::max(newest, o.last_modified);
  EXPECT_EQ(w1, newest.substr(0, 10) + " " + newest.substr(11, 8)) << newest;
  EXPECT_EQ(p.cached_files(), 3u);

  // No new objects: nothing downloaded, nothing loaded, the watermark stays.
  r = p.run("inc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("nothing to download"), std::string::npos) << r.err;
  EXPECT_EQ(p.query("SELECT count(*) FROM events"), std::vector<std::string>{"300"});
  EXPECT_EQ(p.watermark("s"), w1);

  // Two new objects: only they are downloaded (the cache was emptied, so every GET shows).
  fs::remove_all(p.dir / "target/s3-cache");
  put_query(client, scratch.path(), "inc/part-3.csv", ids_sql(300, 100), csv);
  put_query(client, scratch.path(), "inc/part-4.csv", ids_sql(400, 100), csv);
  next_second();
  r = p.run("inc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("2 of 5 objects"), std::string::npos) << r.err;
  EXPECT_EQ(p.cached_files(), 2u) << "objects before the watermark must not be downloaded";
  EXPECT_EQ(p.query("SELECT count(*), count(DISTINCT id), sum(id) FROM events"),
            std::vector<std::string>{"500|500|" + std::to_string(id_sum(500))});
  const std::string w2 = p.watermark("s");
  EXPECT_GT(w2, w1);

  // A run that fails (one new object does not parse) loads nothing and leaves the watermark.
  // The bad object goes first: the source's columns come from the newest object, which must be
  // the good one for the message to be about the bad value (s3rver's LastModified is in seconds).
  test::write_file(scratch / "bad.csv", "id,amount\n600,1.5\nnot-a-number,2.5\n");
  client.put_file("data-bucket", "inc/part-6.csv", scratch / "bad.csv");
  next_second();
  put_query(client, scratch.path(), "inc/part-5.csv", ids_sql(500, 100), csv);
  next_second();
  r = p.run("inc");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  // The error names the object, the column and the value.
  EXPECT_NE(
      r.err.find(
          "s3://data-bucket/inc/part-6.csv: column id holds 'not-a-number', which is not a valid BIGINT"),
      std::string::npos)
      << r.err;
  EXPECT_EQ(p.query("SELECT count(*) FROM events"), std::vector<std::string>{"500"});
  EXPECT_EQ(p.watermark("s"), w2);

  // Fixed: the next run loads both objects the failed run did not.
  put_query(client, scratch.path(), "inc/part-6.csv", ids_sql(600, 100), csv);
  next_second();
  r = p.run("inc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p.query("SELECT count(*), count(DISTINCT id), sum(id) FROM events"),
            std::vector<std::string>{"700|700|" + std::to_string(id_sum(700))});
  EXPECT_GT(p.watermark("s"), w2);
  // Every row carries its object's LastModified: one value per object.
  EXPECT_EQ(p.query("SELECT count(DISTINCT (id // 100, _last_modified)) FROM events"),
            std::vector<std::string>{"7"});
}

TEST(S3Incremental, KeyDateAndDataColumnCursors) {
  S3rverFixture s3({"data-bucket"});
  auto client = client_for(s3);
  TempDir scratch("s3-inc-scratch");
  const std::string csv = "FORMAT csv, HEADER true";
  put_query(client, scratch.path(), "daily/dt=2024-05-01/part-0.csv", ids_sql(0, 10), csv);
  put_query(client, scratch.path(), "daily/dt=2024-05-02/part-0.csv", ids_sql(10, 10), csv);
  put_query(client, scratch.path(), "ids/a.csv", ids_sql(0, 100), csv);

  Project p;
  p.pipeline("inc",
             "SOURCE daily TYPE S3 PARAMS {" +
                 s3_params(s3, R"("uri": "s3://data-bucket/daily/dt=*/*.csv", "sync_mode": "incremental",
                                        "cursor_field": "_key_date", "key_date_pattern": "dt=%Y-%m-%d")") +
                 "};\nLOAD daily_rows FROM daily;\n"
                 "SOURCE ids TYPE S3 PARAMS {" +
                 s3_params(s3, R"("path_prefix": "ids/", "sync_mode": "incremental", "cursor_field": "id")") +
                 "};\nLOAD id_rows FROM ids;\n");
  auto r = p.run("inc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p.query("SELECT count(*), sum(id), min(_key_date), max(_key_date) FROM daily_rows"),
            std::vector<std::string>{"20|190|2024-05-01 00:00:00|2024-05-02 00:00:00"});
  EXPECT_EQ(p.watermark("daily"), "2024-05-02 00:00:00");
  EXPECT_EQ(p.query("SELECT count(*), max(id) FROM id_rows"), std::vector<std::string>{"100|99"});
  EXPECT_EQ(p.watermark("ids"), "99");
  // A data-column cursor adds no metadata columns.
  EXPECT_EQ(p.query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'id_rows'"),
            std::vector<std::string>{"2"});

  // A new date is read; a late object under a date already loaded is not (documented).
  put_query(client, scratch.path(), "daily/dt=2024-05-03/part-0.csv", ids_sql(20, 10), csv);
  put_query(client, scratch.path(), "daily/dt=2024-05-02/part-1.csv", ids_sql(1000, 10), csv);
  // The data-column cursor reads every object and keeps the rows after the watermark.
  put_query(client, scratch.path(), "ids/b.csv", ids_sql(50, 100), csv);  // ids 50..149
  r = p.run("inc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p.query("SELECT count(*), sum(id) FROM daily_rows"), std::vector<std::string>{"30|435"});
  EXPECT_EQ(p.watermark("daily"), "2024-05-03 00:00:00");
  EXPECT_EQ(p.query("SELECT count(*), count(DISTINCT id), max(id) FROM id_rows"),
            std::vector<std::string>{"150|150|149"});
  EXPECT_EQ(p.watermark("ids"), "149");

  // A key without the date is named.
  p.pipeline("undated", "SOURCE u TYPE S3 PARAMS {" +
                            s3_params(s3, R"("path_prefix": "ids/", "sync_mode": "incremental",
                                            "cursor_field": "_key_date", "key_date_pattern": "dt=%Y-%m-%d")") +
                            "};\nLOAD u FROM u;\n");
  r = p.run("undated");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("s3://data-bucket/ids/a.csv has no date matching key_date_pattern 'dt=%Y-%m-%d'"),
            std::string::npos)
      << r.err;
  // And a pattern that cannot work is refused before anything runs.
  p.pipeline("badpattern", "SOURCE u TYPE S3 PARAMS {" +
                               s3_params(s3, R"("path_prefix": "ids/", "sync_mode": "incremental",
                                               "cursor_field": "_key_date", "key_date_pattern": "dt=%m-%d")") +
                               "};\nLOAD u FROM u;\n");
  r = p.run("badpattern");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("it has no %Y"), std::string::npos) << r.err;
}
