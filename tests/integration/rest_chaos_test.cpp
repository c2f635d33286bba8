// Chaos over a long paginated run (issue #19 §2): 1,000 pages behind a fault injector that fails
// 20% of requests (503, 429 + Retry-After, a reset mid-body, chunked JSON cut short, a stall past
// the timeout). For every pagination style, one request at a time and 16 in flight, `sqlflow
// pipeline run` must load exactly the table a fault-free run loads (same rows in the same order),
// count every failure in its metrics, and never print the bearer token it sends.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "fixtures/rest/rest_api_fixture.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using test::FaultInjector;
using test::RestApiFixture;

namespace {

constexpr std::int64_t kPages = 1000;
constexpr std::int64_t kPageSize = 10;
constexpr const char* kToken = "chaos-bearer-SECRET-5150";

struct Style {
  const char* name;        // the fixture's /items/<name> and /faulty/<name>
  const char* data_path;   // where the records are
  const char* pagination;  // the REST source's pagination object
  bool exact_requests;     // whether every request is a page or a retry (no speculative ones)
};

const Style kStyles[] = {
    {"page", "data",
     R"({"type": "page_number", "page_size": 10, "page_param": "page", "size_param": "limit", "total_pages_path": "total_pages"})",
     true},
    {"page_nototal", "data",
     R"({"type": "page_number", "page_size": 10, "page_param": "page", "size_param": "limit"})", false},
    {"offset", "results",
     R"({"type": "offset", "limit": 10, "offset_param": "offset", "limit_param": "limit", "total_path": "count"})",
     true},
    {"cursor", "items", R"({"type": "cursor", "cursor_path": "meta.next_cursor", "cursor_param": "cursor"})",
     true},
    {"link", "", R"({"type": "link_header"})", true},
    {"next", "data", R"({"type": "next_url", "next_path": "links.next"})", true},
};

std::string source(const std::string& name, const std::string& url, const Style& s, int parallel) {
  std::string data_path = *s.data_path ? std::string(R"("data_path": ")") + s.data_path + "\", " : "";
  // A timeout well under the injected stall; retries quick enough for a test.
  return "SOURCE " + name + " TYPE REST PARAMS {\"url\": \"" + url + "\", " + data_path +
         "\"pagination\": " + s.pagination + ", \"parallel_requests\": " + std::to_string(parallel) +
         R"(, "auth": {"type": "bearer", "token": ")" + kToken +
         R"("}, "timeout": 0.15, "max_retries": 12, "retry_delay": 0.01};)" + "\n";
}

// The warning and error lines of a JSON log (the debug lines of 6,000 requests drown them).
std::string errors_in(const std::string& log) {
  std::string out, line;
  std::istringstream in(log);
  while (std::getline(in, line))
    if (line.find("\"level\":\"debug\"") == std::string::npos &&
        line.find("\"event\":\"retry\"") == std::string::npos)
      out += line + "\n";
  return out;
}

class RestChaos : public ::testing::TestWithParam<Style> {};

TEST_P(RestChaos, LoadsTheFaultFreeTableAndCountsEveryFailure) {
  const Style& style = GetParam();
  RestApiFixture::Options o;
  o.records = kPages * kPageSize;
  o.page_size = kPageSize;
  o.faults.rate = 0.2;
  o.faults.stall = std::chrono::milliseconds(1000);
  o.faults.retry_after_seconds = 0;
  RestApiFixture api(o, 256);  // threads: two steps at once, 32 connections each, plus stalls

  test::TempDir dir("rest-chaos");
  test::write_file(dir / "profiles/dev.yml",
                   "engines:\n  duckdb:\n    mode: persistent\n    path: target/state.duckdb\n");
  const std::string faulty = api.url(std::string("/faulty/") + style.name);
  test::write_file(dir / "pipelines/chaos.sf",
                   source("clean", api.url(std::string("/items/") + style.name), style, 16) +
                       source("sequential", faulty, style, 1) + source("parallel", faulty, style, 16) +
                       "LOAD clean_t FROM clean;\nLOAD sequential_t FROM sequential;\n"
                       "LOAD parallel_t FROM parallel;\n");
  auto r = test::run_sqlflow({"pipeline", "run", "chaos", "--metrics-json", "m.json", "--log-format", "json",
                              "--log-level", "debug"},
                             dir.path());
  ASSERT_EQ(r.exit_code, 0) << errors_in(r.err);
  EXPECT_EQ(r.err.find(kToken), std::string::npos);
  EXPECT_EQ(r.out.find(kToken), std::string::npos);
  const std::string metrics_text = test::read_file(dir / "m.json");
  EXPECT_EQ(metrics_text.find(kToken), std::string::npos);

  engine::DatabaseConfig c;
  c.path = (dir / "target/state.duckdb").string();
  engine::Database db(c);
  engine::Connection con(db);
  EXPECT_EQ(test::query_rows(con, "SELECT count(*), count(DISTINCT id) FROM clean_t"),
            std::vector<std::string>{std::to_string(o.records) + "|" + std::to_string(o.records)});
  // Same rows in the same (page) order: row numbers included in the comparison.
  for (const char* t : {"sequential_t", "parallel_t"}) {
    const std::string numbered = "(SELECT rowid AS row_number, * FROM ";
    EXPECT_EQ(test::query_rows(con, "SELECT count(*) FROM " + numbered +
                                        "clean_t EXCEPT ALL SELECT rowid, * FROM " + t +
                                        ") UNION ALL SELECT count(*) FROM " + numbered + t +
                                        " EXCEPT ALL SELECT rowid, * FROM clean_t)"),
              (std::vector<std::string>{"0", "0"}))
        << t;
  }

  // Every injected fault failed one attempt, and every failed attempt was retried and counted.
  auto m = nlohmann::json::parse(metrics_text);
  std::int64_t retries = 0;
  for (const auto& step : m["steps"]) {
    if (step["name"].get<std::string>().find("clean") != std::string::npos) {
      EXPECT_EQ(step["retries"], 0) << step.dump();
      continue;
    }
    EXPECT_EQ(step["breaker_trips"], 0) << step.dump();
    retries += step["retries"].get<std::int64_t>();
  }
  EXPECT_GT(api.faults().injected(), kPages / 5 / 2);  // 20% of at least 2,000 requests, give or take
  for (int k = 0; k < FaultInjector::kKinds; ++k)
    EXPECT_GT(api.faults().injected(static_cast<FaultInjector::Kind>(k)), 0)
        << FaultInjector::name(static_cast<FaultInjector::Kind>(k));
  // A page answered late by a slow test machine may time out and be retried, uninjected.
  EXPECT_GE(retries, api.faults().injected());
  if (style.exact_requests) {
    EXPECT_EQ(
        static_cast<std::int64_t>(api.server().requests_to(std::string("/faulty/") + style.name).size()),
        2 * kPages + retries);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryPaginationStyle, RestChaos, ::testing::ValuesIn(kStyles),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
