// The Google Sheets connector end to end: `sqlflow pipeline run` on a generated project against
// the Sheets fixture (tests/fixtures/sheets) — a large ragged sheet with exact values, the quota
// kept and a 429 ridden out, a token expiring mid-run, replace and append exports that leave the
// target as it was when they fail, and the private key never in any output.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "fixtures/sheets/sheets_fixture.hpp"
#include "support/pipeline_project.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using nlohmann::json;
using test::GoogleSheetsFixture;

namespace {

struct Project : test::PipelineProject {
  std::filesystem::path key;
  explicit Project(const GoogleSheetsFixture& api) : PipelineProject("sheets-e2e") {
    key = api.write_key_file(dir.path());
  }
  std::string params(const GoogleSheetsFixture& api, const std::string& spreadsheet,
                     const std::string& more) {
    return "\"spreadsheet_id\": \"" + spreadsheet + "\", \"credentials_file\": \"" + key.filename().string() +
           "\", \"api_url\": \"" + api.base_url() +
           "\", \"resilience\": {\"retry\": {\"initial_delay\": 0.02}}" + (more.empty() ? "" : ", " + more);
  }
};

// Row i (1-based) of the big sheet: trailing cells left out on every 7th row (ragged), a blank
// header over column C, a date serial, a boolean and unicode text.
std::vector<nlohmann::json> big_row(int i) {
  std::vector<json> row = {i, "name-" + std::to_string(i) + (i % 100 == 0 ? " — café ✓" : ""), i * 0.5,
                           i % 2 == 0, 45292 + i % 365};
  if (i % 7 == 0) row.resize(2);  // the API omits trailing empty cells
  return row;
}

std::vector<std::vector<json>> big_sheet(int rows) {
  std::vector<std::vector<json>> v = {{"id", "name", "", "active", "day"}};
  for (int i = 1; i <= rows; ++i) v.push_back(big_row(i));
  return v;
}

}  // namespace

TEST(SheetsPipeline, LargeRaggedSheetLoadsWithExactValues) {
  GoogleSheetsFixture api;
  api.start();
  api.add_spreadsheet("book1", "Book One");
  api.add_sheet("book1", "Other", {{"x"}, {1}});
  api.add_sheet("book1", "Big Data", big_sheet(50000));
  Project p(api);
  p.pipeline("load", "SOURCE s TYPE GOOGLE_SHEETS PARAMS {" +
                         p.params(api, "book1", R"("sheet_name": "Big Data", "columns": {"day": "DATE"})") +
                         "};\nLOAD big FROM s;\n");
  auto r = p.run("load");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE((r.out + r.err).find("column_3"), std::string::npos) << "no warning names the blank header";
  // Expected values computed from the generator.
  long long n = 0, ids = 0, ragged = 0, active = 0;
  double halves = 0;
  for (int i = 1; i <= 50000; ++i) {
    ++n;
    ids += i;
    if (i % 7 == 0) {
      ++ragged;
      continue;
    }
    halves += i * 0.5;
    active += i % 2 == 0;
  }
  EXPECT_EQ(p.query("SELECT count(*), sum(id), count(*) FILTER (WHERE column_3 IS NULL), "
                    "CAST(sum(column_3) * 2 AS BIGINT), count(*) FILTER (WHERE active) FROM big"),
            std::vector<std::string>{
                std::to_string(n) + "|" + std::to_string(ids) + "|" + std::to_string(ragged) + "|" +
                std::to_string(static_cast<long long>(halves * 2)) + "|" + std::to_string(active)});
  EXPECT_EQ(
      p.query(
          "SELECT typeof(id), typeof(name), typeof(column_3), typeof(active), typeof(day) FROM big LIMIT 1"),
      std::vector<std::string>{"BIGINT|VARCHAR|DOUBLE|BOOLEAN|DATE"});
  EXPECT_EQ(p.query("SELECT name, day FROM big WHERE id = 100"),
            std::vector<std::string>{"name-100 — café ✓|2024-04-10"});
  // Batched: a handful of batchGet requests, not one per row block.
  EXPECT_EQ(api.count("metadata"), 1);
  EXPECT_LE(api.count("values.batchGet"), 4);
  EXPECT_EQ(api.count("values.get"), 0);
}

TEST(SheetsPipeline, QuotaIsKeptAndA429IsRiddenOut) {
  GoogleSheetsFixture::Options o;
  o.read_quota = 10;  // per user per window, as Google's per-minute quota, on a 1 s window
  o.quota_window = std::chrono::milliseconds(1000);
  GoogleSheetsFixture api(o);
  api.start();
  api.add_spreadsheet("book", "Book");
  api.add_sheet("book", "S", big_sheet(1500));
  Project p(api);
  // 15 single-block requests at 4 per second with a burst of 5: at most 9 in any second, so
  // arrival jitter cannot push a window over 10.
  p.pipeline("load", "SOURCE s TYPE GOOGLE_SHEETS PARAMS {" +
                         p.params(api, "book",
                                  R"("batch_size": 100, "ranges_per_request": 1, "parallel_requests": 4,
                                     "requests_per_minute": 240)") +
                         "};\nLOAD t FROM s;\n");
  auto r = p.run("load");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p.query("SELECT count(*), sum(id) FROM t"), std::vector<std::string>{"1500|1125750"});
  EXPECT_GE(api.count("values.batchGet"), 15);
  EXPECT_EQ(api.count("429"), 0) << "the client's rate limit let a request through over the quota";

  api.reset_counts();
  api.fail_next(2, 429);
  auto again = p.run("load");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(p.query("SELECT count(*) FROM t"), std::vector<std::string>{"1500"});
  EXPECT_GE(api.count("429"), 2);
}

TEST(SheetsPipeline, ExhaustedRetriesFailTheRunAndLoadNothing) {
  GoogleSheetsFixture api;
  api.start();
  api.add_spreadsheet("book", "Book");
  api.add_sheet("book", "S", big_sheet(10));
  Project p(api);
  p.pipeline("load", "SOURCE s TYPE GOOGLE_SHEETS PARAMS {" + p.params(api, "book", R"("max_retries": 1)") +
                         "};\nLOAD t FROM s;\n");
  api.fail_next(100, 429);
  auto r = p.run("load");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("quota"), std::string::npos) << r.err;
  EXPECT_TRUE(p.query("SELECT count(*) FROM information_schema.tables WHERE table_name = 't'") ==
              std::vector<std::string>{"0"});
}

TEST(SheetsPipeline, ExpiredTokenIsRefreshedMidRun) {
  GoogleSheetsFixture::Options o;
  o.latency = std::chrono::milliseconds(20);
  GoogleSheetsFixture api(o);
  api.start();
  api.add_spreadsheet("book", "Book");
  api.add_sheet("book", "S", big_sheet(2000));
  Project p(api);
  p.pipeline("load",
             "SOURCE s TYPE GOOGLE_SHEETS PARAMS {" +
                 p.params(api, "book", R"("batch_size": 100, "ranges_per_request": 1, "parallel_requests": 1,
                                                  "requests_per_minute": 100000)") +
                 "};\nLOAD t FROM s;\n");
  std::atomic<bool> done{false};
  std::thread expirer([&] {
    while (!done && api.count("values.batchGet") < 5)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    api.expire_tokens();
  });
  auto r = p.run("load");
  done = true;
  expirer.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p.query("SELECT count(*) FROM t"), std::vector<std::string>{"2000"});
  EXPECT_EQ(api.count("token"), 2) << "the token was not re-minted exactly once";
  EXPECT_GE(api.count("401"), 1);
}

TEST(SheetsPipeline, FirstErrorsSayWhatToDo) {
  GoogleSheetsFixture api;
  api.start();
  api.add_spreadsheet("private", "Private", {"someone@example.com"});
  api.add_spreadsheet("book", "Book");
  api.add_sheet("book", "Orders", {{"a"}, {1}});
  Project p(api);
  p.pipeline("shared",
             "SOURCE s TYPE GOOGLE_SHEETS PARAMS {" + p.params(api, "private", "") + "};\nLOAD t FROM s;\n");
  auto r = p.run("shared");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("share the spreadsheet with " + api.client_email()), std::string::npos) << r.err;

  p.pipeline("missing",
             "SOURCE s TYPE GOOGLE_SHEETS PARAMS {" + p.params(api, "nope", "") + "};\nLOAD t FROM s;\n");
  r = p.run("missing");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("spreadsheet 'nope' was not found"), std::string::npos) << r.err;

  p.pipeline("typo", "SOURCE s TYPE GOOGLE_SHEETS PARAMS {" +
                         p.params(api, "book", R"("sheet_name": "Order")") + "};\nLOAD t FROM s;\n");
  r = p.run("typo");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("did you mean 'Orders'"), std::string::npos) << r.err;

  test::write_file(p.dir / "user.json", R"({"installed": {"client_id": "x"}})");
  p.pipeline("badkey",
             R"(SOURCE s TYPE GOOGLE_SHEETS PARAMS {"spreadsheet_id": "book", "credentials_file": "user.json",
    "api_url": ")" +
                 api.base_url() + R"("};
LOAD t FROM s;
)");
  r = p.run("badkey");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("not a service-account key"), std::string::npos) << r.err;
}

TEST(SheetsPipeline, ExportsReplaceAndAppendAndFailWithoutTrace) {
  GoogleSheetsFixture api;
  api.start();
  api.add_spreadsheet("out", "Out");
  api.add_sheet("out", "First", {{"keep"}});
  api.add_sheet("out", "Report", {{"old"}, {"contents"}});
  Project p(api);
  // No client rate limit here: these exports make dozens of writes, and the quota is not under test.
  auto opts = [&](const std::string& more) {
    return "OPTIONS {" + p.params(api, "out", R"("requests_per_minute": 100000, )" + more) + "}";
  };
  p.pipeline("replace",
             R"(CREATE TABLE r AS SELECT i AS id, 'row ' || i AS label, i % 2 = 0 AS even, i * 1.25 AS amount
  FROM range(1, 2501) t(i) UNION ALL SELECT 9999, '=IMPORTXML("http://x","//a")', NULL, NULL;
EXPORT SELECT * FROM r ORDER BY id TO "Report" TYPE GOOGLE_SHEETS )" +
                 opts(R"("batch_size": 500)") + ";\n");
  auto r = p.run("replace");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto v = api.sheet_values("out", "Report");
  ASSERT_EQ(v.size(), 2502u);
  EXPECT_EQ(v[0], (std::vector<json>{"id", "label", "even", "amount"}));
  EXPECT_EQ(v[1], (std::vector<json>{1, "row 1", false, 1.25}));
  EXPECT_EQ(v[2501][1], "=IMPORTXML(\"http://x\",\"//a\")");
  EXPECT_FALSE(api.is_formula("out", "Report", 2501, 1)) << "a value was written as a formula";
  EXPECT_EQ(api.sheet_titles("out"), (std::vector<std::string>{"First", "Report"}));

  // append: rows below the table, no second header.
  p.pipeline(
      "append",
      R"(EXPORT SELECT 10000 AS id, 'more' AS label, true AS even, 1.5 AS amount TO "Report" TYPE GOOGLE_SHEETS )" +
          opts(R"("mode": "append")") + ";\n");
  r = p.run("append");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  v = api.sheet_values("out", "Report");
  ASSERT_EQ(v.size(), 2503u);
  EXPECT_EQ(v[2502], (std::vector<json>{10000, "more", true, 1.5}));

  // A replace that fails part-way (one write refused, no retries) leaves the old sheet and no
  // staging sheet.
  auto before = api.sheet_values("out", "Report");
  p.pipeline("replace_once",
             R"(EXPORT SELECT i AS id FROM range(3000) t(i) TO "Report" TYPE GOOGLE_SHEETS )" +
                 opts(R"("batch_size": 500, "max_retries": 0)") + ";\n");
  api.fail_writes_after(2, 500, 1);
  r = p.run("replace_once");
  EXPECT_NE(r.exit_code, 0);
  api.clear_faults();
  EXPECT_EQ(api.sheet_values("out", "Report"), before);
  EXPECT_EQ(api.sheet_titles("out"), (std::vector<std::string>{"First", "Report"}));

  // An append that fails part-way takes back the rows it added.
  p.pipeline(
      "append_many",
      R"(EXPORT SELECT i AS id, 'x' AS label, false AS even, 0.5 AS amount FROM range(3000) t(i) TO "Report" TYPE GOOGLE_SHEETS )" +
          opts(R"("mode": "append", "batch_size": 500, "max_retries": 0)") + ";\n");
  api.fail_writes_after(3, 500, 1);
  r = p.run("append_many");
  EXPECT_NE(r.exit_code, 0);
  api.clear_faults();
  EXPECT_EQ(api.sheet_values("out", "Report"), before);

  // A staging sheet a killed run of this host left behind is removed by the next export.
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  api.add_sheet("out", std::string("Report (sqlflow staging ") + host + ":2147483646-1)", {{"half"}});
  r = p.run("replace");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(api.sheet_titles("out"), (std::vector<std::string>{"First", "Report"}));
}

TEST(SheetsPipeline, ThePrivateKeyNeverAppears) {
  GoogleSheetsFixture api;
  api.start();
  api.add_spreadsheet("book", "Book", {"someone@example.com"});
  Project p(api);
  json key = json::parse(test::read_file(p.key));
  std::string pem = key["private_key"].get<std::string>();
  std::string key_line = pem.substr(pem.find('\n') + 1, 40);
  p.pipeline("load",
             "SOURCE s TYPE GOOGLE_SHEETS PARAMS {" + p.params(api, "book", "") + "};\nLOAD t FROM s;\n");
  auto r = p.run("load", {"--log-level", "debug"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ((r.out + r.err).find(key_line), std::string::npos);
  EXPECT_EQ((r.out + r.err).find("PRIVATE KEY"), std::string::npos);
  auto t = test::run_sqlflow({"pipeline", "validate", "load"}, p.dir.path());
  EXPECT_EQ((t.out + t.err).find(key_line), std::string::npos);
}

TEST(SheetsPipeline, ConnectTestAndDiscoverDescribeTheSpreadsheet) {
  GoogleSheetsFixture api;
  api.start();
  api.add_spreadsheet("book", "Quarterly Book");
  api.add_sheet("book", "Orders", {{"id", "amount", "", "note"}, {1, 2.5}});
  api.add_sheet("book", "Empty Tab", {});
  Project p(api);
  test::write_file(p.dir / "profiles/dev.yml",
                   "engines:\n  duckdb:\n    mode: memory\nconnectors:\n  sheets:\n    type: GOOGLE_SHEETS\n"
                   "    params:\n      spreadsheet_id: book\n      credentials_file: " +
                       p.key.filename().string() + "\n      api_url: " + api.base_url() + "\n");
  auto r = test::run_sqlflow({"connect", "test", "sheets"}, p.dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("spreadsheet 'Quarterly Book' (2 sheets: Orders"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(api.client_email()), std::string::npos) << r.out;
  r = test::run_sqlflow({"connect", "discover", "sheets"}, p.dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Orders ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("id, amount, note"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Empty Tab ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(empty first row)"), std::string::npos) << r.out;
}
