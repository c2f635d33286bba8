// The REST source end to end: `sqlflow pipeline run` on a generated project against the fixture
// API — parallel pages into a table, incremental loads whose watermark advances only when the
// load commits, and secrets that never reach the output.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "fixtures/rest/rest_api_fixture.hpp"
#include "support/pipeline_project.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using test::RestApiFixture;

namespace {

struct Project : test::PipelineProject {
  Project() : PipelineProject("rest-e2e") {}
};

const char* kFastResilience = R"("resilience": {"rate_limit": false, "retry": {"initial_delay": 0.01}})";

}  // namespace

TEST(RestPipeline, PagesLoadIntoATableWithExactValues) {
  RestApiFixture::Options o;
  o.records = 1000;
  RestApiFixture api(o);
  Project p;
  p.pipeline("api", std::string(R"(
SOURCE items TYPE REST PARAMS {
  "url": ")") + api.url("/items/page") +
                        R"(",
  "data_path": "data",
  "pagination": {"type": "page_number", "page_size": 40, "total_pages_path": "total_pages"},
  "parallel_requests": 8, )" +
                        kFastResilience + R"( };
LOAD items_table FROM items;
SOURCE items_by_cursor TYPE REST PARAMS {
  "url": ")" + api.url("/items/cursor") +
                        R"(",
  "data_path": "items",
  "pagination": {"type": "cursor", "cursor_path": "meta.next_cursor", "cursor_param": "cursor"}, )" +
                        kFastResilience + R"( };
LOAD cursor_table FROM items_by_cursor;
SOURCE items_by_link TYPE REST PARAMS {
  "url": ")" + api.url("/items/link") +
                        R"(", "pagination": {"type": "link_header"}, )" + kFastResilience + R"( };
LOAD link_table FROM items_by_link;
CREATE TABLE by_rank AS SELECT "meta.rank" AS meta_rank, count(*) AS n, sum(price) AS total FROM items_table GROUP BY 1;
)");
  auto r = p.run("api");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      p.query(
          "SELECT count(*), count(DISTINCT id), sum(id), min(created_at), max(created_at) FROM items_table"),
      std::vector<std::string>{"1000|1000|499500|2024-01-01 00:00:00|2024-01-01 00:16:39"});
  EXPECT_EQ(
      p.query("SELECT * FROM items_table WHERE id = 999"),
      std::vector<std::string>{"999|name-999|1498.5|false|2024-01-01 00:16:39|fixture|9|[\"t999\",\"x\"]"});
  EXPECT_EQ(p.query("SELECT meta_rank, n, total FROM by_rank WHERE meta_rank IN (0, 9) ORDER BY meta_rank"),
            (std::vector<std::string>{"0|100|74250.0", "9|100|75600.0"}));
  EXPECT_EQ(api.count("/items/page"), 25u);
  // The same records through two sequential pagination styles.
  for (const char* t : {"cursor_table", "link_table"}) {
    EXPECT_EQ(
        p.query(std::string("SELECT count(*) FROM (SELECT * FROM items_table EXCEPT ALL SELECT * FROM ") + t +
                ") UNION ALL SELECT count(*) FROM " + t),
        (std::vector<std::string>{"0", "1000"}))
        << t;
  }
}

TEST(RestPipeline, IncrementalWatermarkAdvancesOnlyWhenTheLoadCommits) {
  RestApiFixture api;
  api.set_incremental_records(3);
  Project p;
  p.pipeline("inc", std::string(R"(
SOURCE events TYPE REST PARAMS {
  "url": ")") + api.url("/incremental") +
                        R"(",
  "sync_mode": "incremental", "cursor_field": "updated_at", "cursor_param": "updated_since",
  "primary_key": "id", )" +
                        kFastResilience + R"( };
LOAD events_table FROM events MODE APPEND;
)");
  auto r = p.run("inc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("3 new rows (first run)"), std::string::npos) << r.err;
  EXPECT_EQ(p.query("SELECT count(*), max(updated_at) FROM events_table"),
            std::vector<std::string>{"3|2024-01-01 02:00:00"});

  // New records, but the API's body breaks: the load fails, nothing is appended, the watermark stays.
  api.set_incremental_records(5);
  api.set_incremental_broken(true);
  r = p.run("inc");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("not valid JSON"), std::string::npos) << r.err;
  EXPECT_EQ(p.query("SELECT count(*) FROM events_table"), std::vector<std::string>{"3"});
  EXPECT_EQ(p.query("SELECT value FROM sqlflow_state.watermarks"),
            std::vector<std::string>{"2024-01-01 02:00:00"});

  // Fixed: the watermark goes to the API as ISO 8601 and each new record loads exactly once.
  api.set_incremental_broken(false);
  api.server().clear_log();
  r = p.run("inc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("2 new rows since 2024-01-01 02:00:00"), std::string::npos) << r.err;
  auto reqs = api.server().requests_to("/incremental");
  ASSERT_FALSE(reqs.empty());
  EXPECT_EQ(reqs.back().target, "/incremental?updated_since=2024-01-01T02%3A00%3A00Z");
  EXPECT_EQ(p.query("SELECT count(*), count(DISTINCT id), max(updated_at) FROM events_table"),
            std::vector<std::string>{"5|5|2024-01-01 04:00:00"});
  r = p.run("inc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p.query("SELECT count(*) FROM events_table"), std::vector<std::string>{"5"});
}

TEST(RestPipeline, SecretsNeverReachTheOutput) {
  RestApiFixture api;
  Project p;
  auto write = [&](const std::string& token) {
    p.pipeline("secret", std::string(R"(
SOURCE s TYPE REST PARAMS {"url": ")") +
                             api.url("/auth/bearer") + R"(", "auth": {"type": "bearer", "token": ")" + token +
                             R"("}, "max_retries": 0, )" + kFastResilience + R"( };
LOAD t FROM s;
)");
  };
  write(RestApiFixture::kToken);
  auto r = test::run_sqlflow({"pipeline", "run", "secret", "--log-level", "debug"}, p.dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find(RestApiFixture::kToken), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find(RestApiFixture::kToken), std::string::npos) << r.out;
  write("wrong-token-SECRET-77");
  r = test::run_sqlflow({"pipeline", "run", "secret", "--log-level", "debug"}, p.dir.path());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("401"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("wrong-token-SECRET-77"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("wrong-token-SECRET-77"), std::string::npos) << r.out;
}

// The step's metrics carry what the connector did: every page of /chaos/429 is refused once with
// 429 + Retry-After: 1, so two pages mean two retries, two throttled calls and four timed requests.
TEST(RestPipeline, RetriesThrottlingBytesAndLatencyReachTheRunMetrics) {
  RestApiFixture::Options o;
  o.records = 100;
  RestApiFixture api(o);
  Project p;
  p.pipeline("metered", std::string(R"(
SOURCE s TYPE REST PARAMS {"url": ")") +
                            api.url("/chaos/429") + R"(", "data_path": "data",
  "pagination": {"type": "page_number", "page_size": 100}, "parallel_requests": 1, )" +
                            kFastResilience + R"( };
LOAD t FROM s;
)");
  auto r = test::run_sqlflow({"pipeline", "run", "metered", "--metrics-json", "m.json"}, p.dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p.query("SELECT count(*) FROM t"), std::vector<std::string>{"100"});
  auto m = nlohmann::json::parse(test::read_file(p.dir / "m.json"));
  const auto& step = m["steps"].at(0);
  EXPECT_EQ(step["kind"], "load");
  EXPECT_EQ(step["rows_in"], 100);
  EXPECT_EQ(step["retries"], 2) << step.dump();
  EXPECT_EQ(step["throttle_waits"], 2) << step.dump();
  EXPECT_EQ(step["breaker_trips"], 0);
  // The page of 100 records alone is over 10 kB (each record is about 140 bytes of JSON).
  EXPECT_GT(step["bytes"].get<std::uint64_t>(), 100u * 100u) << step.dump();
  EXPECT_GT(step["network_wait_seconds"].get<double>(), 0.0);
  ASSERT_EQ(m["connectors"].size(), 1u) << m["connectors"].dump();
  EXPECT_EQ(m["connectors"][0]["connector"], "rest");
  EXPECT_EQ(m["connectors"][0]["request_latency"]["count"], 4) << m["connectors"].dump();
}
