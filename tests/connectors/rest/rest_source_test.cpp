// The REST source against the fixture API: every pagination style loads every record exactly
// once, parallel fetching stays within parallel_requests, types and flattening, schema drift,
// malformed and truncated bodies, throttling and 5xx, and POST bodies.
#include <gtest/gtest.h>

#include "connectors/rest/source.hpp"
#include "core/error.hpp"
#include "net/http_client.hpp"
#include "rest_test_util.hpp"

using namespace sqlflow;
using test::rest_params;
using test::RestApiFixture;
using test::RestScan;

namespace {

// count, sum(id), sum(price), count(DISTINCT id) of records 0..n-1 as the fixture makes them.
std::string expected_totals(std::int64_t n) {
  std::int64_t sum = n * (n - 1) / 2;
  char price[64];
  std::snprintf(price, sizeof price, "%.1f", static_cast<double>(sum) * 1.5);
  return std::to_string(n) + "|" + std::to_string(sum) + "|" + price + "|" + std::to_string(n);
}
const char* kTotalsSql =
    "SELECT count(*), sum(id), sum(price)::DECIMAL(18,1), count(DISTINCT id) FROM sqlflow_scan('s')";

}  // namespace

TEST(RestPagination, PageNumberWithTotalPagesFetchesInParallel) {
  RestApiFixture::Options o;
  o.latency =
      std::chrono::milliseconds(250);  // long enough that parallel requests overlap even on a busy machine
  RestApiFixture api(o);
  auto p = rest_params(api, "/items/page");
  p["data_path"] = "data";
  p["pagination"] = {{"type", "page_number"}, {"page_size", 20}, {"total_pages_path", "total_pages"}};
  p["parallel_requests"] = 4;
  RestScan scan(p);
  EXPECT_EQ(scan.value(kTotalsSql), expected_totals(250));
  EXPECT_EQ(scan.source->estimated_rows(), std::optional<size_t>(260));  // 13 pages of 20
  // 13 pages, each requested once: the first page fetched for the schema is reused by the scan.
  EXPECT_EQ(api.count("/items/page"), 13u);
  EXPECT_GE(api.max_in_flight(), 2);
  EXPECT_LE(api.max_in_flight(), 4);
}

TEST(RestPagination, SeveralPartitionsCoverEveryPageOnce) {
  RestApiFixture api;
  auto p = rest_params(api, "/items/page");
  p["data_path"] = "data";
  // SQLFlow's pagination object (no type) with total_path: 25 pages of 10.
  p["pagination"] = {
      {"page_param", "page"}, {"size_param", "limit"}, {"page_size", 10}, {"total_path", "total"}};
  p["parallel_requests"] = 1;  // partitions of 4 pages
  p["preserve_order"] = false;
  RestScan scan(p, 4);
  EXPECT_EQ(scan.source->partition_count(), 7u);
  EXPECT_EQ(scan.value(kTotalsSql), expected_totals(250));
  EXPECT_EQ(api.count("/items/page"), 25u + 1u);  // + the first page of the explicit partition_count() above
  EXPECT_LE(api.max_in_flight(), 1);
}

// By default rows come in page order even though pages are fetched in parallel: the same query
// gives the same rows in the same order, run after run.
TEST(RestPagination, ParallelPagesKeepPageOrder) {
  RestApiFixture::Options o;
  o.latency = std::chrono::milliseconds(100);  // so that parallel requests overlap
  RestApiFixture api(o);
  auto p = rest_params(api, "/items/page");
  p["data_path"] = "data";
  p["pagination"] = {{"type", "page_number"}, {"page_size", 25}, {"total_path", "total"}};
  p["parallel_requests"] = 8;
  RestScan scan(p, 4);
  EXPECT_EQ(scan.source->partition_count(), 1u);
  // ids are 0..249 across pages in order: every row's id equals its position.
  EXPECT_EQ(scan.value("SELECT count(*) FILTER (WHERE id <> rn - 1) || '/' || count(*) FROM "
                       "(SELECT id, row_number() OVER () AS rn FROM sqlflow_scan('s'))"),
            "0/250");
  EXPECT_GE(api.max_in_flight(), 2);
}

TEST(RestPagination, PageNumberWithoutTotalStopsOnShortPage) {
  RestApiFixture api;
  auto p = rest_params(api, "/items/page_nototal");
  p["data_path"] = "data";
  p["pagination"] = {{"type", "page_number"}, {"page_size", 60}};
  RestScan scan(p);
  EXPECT_EQ(scan.value(kTotalsSql), expected_totals(250));
  // 60, 60, 60, 60, 10, and pages asked for ahead before the short one was seen: at most
  // parallel_requests (4) of them.
  EXPECT_GE(api.count("/items/page_nototal"), 5u);
  EXPECT_LE(api.count("/items/page_nototal"), 9u);
}

TEST(RestPagination, PageNumberWithoutSizeStopsOnEmptyPage) {
  RestApiFixture api;
  auto p = rest_params(api, "/items/page_nototal");
  p["data_path"] = "data";
  p["pagination"] = {{"type", "page_number"}, {"start_page", 1}};
  p["parallel_requests"] = 1;  // one page at a time
  RestScan scan(p);
  EXPECT_EQ(scan.value(kTotalsSql), expected_totals(250));
  EXPECT_EQ(api.count("/items/page_nototal"), 6u);  // five pages of 50 and an empty one
}

TEST(RestPagination, PageNumberWithoutTotalFetchesAheadInParallel) {
  RestApiFixture::Options o;
  o.latency = std::chrono::milliseconds(50);
  RestApiFixture api(o);
  auto p = rest_params(api, "/items/page_nototal");
  p["data_path"] = "data";
  p["pagination"] = {{"type", "page_number"}, {"page_size", 20}};
  p["parallel_requests"] = 4;
  RestScan scan(p);
  EXPECT_EQ(scan.value(kTotalsSql), expected_totals(250));
  // 13 pages are needed (the 13th is short); windows of 4 after the first: at most 3 wasted.
  EXPECT_GE(api.count("/items/page_nototal"), 13u);
  EXPECT_LE(api.count("/items/page_nototal"), 16u);
  // Ask again with max_pages: exactly that many rows, pages past it are never requested.
  api.server().clear_log();
  p["max_pages"] = 6;
  RestScan capped(p);
  EXPECT_EQ(capped.value(kTotalsSql), expected_totals(120));
  EXPECT_LE(api.count("/items/page_nototal"), 6u);
}

TEST(RestPagination, OffsetWithTotal) {
  RestApiFixture api;
  auto p = rest_params(api, "/items/offset");
  p["data_path"] = "results";
  p["pagination"] = {{"type", "offset"}, {"limit", 30}, {"total_path", "count"}};
  RestScan scan(p);
  EXPECT_EQ(scan.value(kTotalsSql), expected_totals(250));
  EXPECT_EQ(api.count("/items/offset"), 9u);
  auto offsets = api.server().requests_to("/items/offset");
  std::set<std::string> targets;
  for (const auto& r : offsets) targets.insert(r.target);
  EXPECT_TRUE(targets.count("/items/offset?offset=240&limit=30")) << *targets.begin();
}

TEST(RestPagination, Cursor) {
  RestApiFixture api;
  auto p = rest_params(api, "/items/cursor");
  p["data_path"] = "items";
  p["pagination"] = {{"type", "cursor"}, {"cursor_path", "meta.next_cursor"}, {"cursor_param", "cursor"}};
  RestScan scan(p);
  EXPECT_EQ(scan.value(kTotalsSql), expected_totals(250));
  EXPECT_EQ(api.count("/items/cursor"), 5u);
  EXPECT_EQ(api.server().requests_to("/items/cursor").back().target, "/items/cursor?cursor=c200");
}

TEST(RestPagination, CursorLoopIsAnError) {
  RestApiFixture api;
  auto p = rest_params(api, "/items/loop");
  p["data_path"] = "items";
  p["pagination"] = {{"type", "cursor"}, {"cursor_path", "meta.next_cursor"}};
  RestScan scan(p);
  std::string err = test::error_of([&] { scan.value("SELECT count(*) FROM sqlflow_scan('s')"); });
  EXPECT_NE(err.find("pagination loop"), std::string::npos) << err;
}

TEST(RestPagination, LinkHeaderWithRelativeLinks) {
  RestApiFixture api;
  auto p = rest_params(api, "/items/link");
  p["pagination"] = {{"type", "link_header"}};
  RestScan scan(p);
  EXPECT_EQ(scan.value(kTotalsSql), expected_totals(250));
  EXPECT_EQ(api.count("/items/link"), 5u);
}

TEST(RestPagination, NextUrlInBody) {
  RestApiFixture api;
  auto p = rest_params(api, "/items/next");
  p["data_path"] = "data";
  p["pagination"] = {{"type", "next_url"}, {"next_path", "links.next"}};
  RestScan scan(p);
  EXPECT_EQ(scan.value(kTotalsSql), expected_totals(250));
  EXPECT_EQ(api.count("/items/next"), 5u);
}

TEST(RestPagination, MaxPagesStopsEarly) {
  RestApiFixture api;
  auto p = rest_params(api, "/items/next");
  p["data_path"] = "data";
  p["pagination"] = {{"type", "next_url"}, {"next_path", "links.next"}};
  p["max_pages"] = 2;
  RestScan scan(p);
  EXPECT_EQ(scan.value(kTotalsSql), expected_totals(100));
  EXPECT_EQ(api.count("/items/next"), 2u);
}

TEST(RestPagination, NoPaginationTopLevelArrayAndTwoScans) {
  RestApiFixture api;
  RestScan scan(rest_params(api, "/items/all"));
  EXPECT_EQ(scan.value(kTotalsSql), expected_totals(250));
  // A second scan fetches again (the cached first page serves the first scan only).
  EXPECT_EQ(scan.value("SELECT count(*) FROM sqlflow_scan('s')"), "250");
  EXPECT_EQ(api.count("/items/all"), 2u);
}

TEST(RestPagination, PostBody) {
  RestApiFixture api;
  auto p = rest_params(api, "/items/search");
  p["method"] = "POST";
  p["body"] = {{"min_id", 200}};
  p["data_path"] = "hits";
  RestScan scan(p);
  EXPECT_EQ(scan.value("SELECT count(*), min(id) FROM sqlflow_scan('s')"), "50|200");
  auto reqs = api.server().requests_to("/items/search");
  ASSERT_FALSE(reqs.empty());
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].header("Content-Type"), "application/json");
}

TEST(RestPagination, ObjectsGivenAsJsonText) {
  // The Python original's validator wanted strings for these; both spellings work.
  RestApiFixture api;
  auto p = rest_params(api, "/items/page");
  p["data_path"] = "data";
  p["pagination"] = R"({"type": "page_number", "page_size": 100, "total_pages_path": "total_pages"})";
  p["params"] = R"({"unused": "x"})";
  RestScan scan(p);
  EXPECT_EQ(scan.value("SELECT count(*) FROM sqlflow_scan('s')"), "250");
  EXPECT_EQ(api.server().requests_to("/items/page").front().target, "/items/page?unused=x&page=1&limit=100");
}

// ---- types ----

TEST(RestTypes, InferredColumnsAndValues) {
  RestApiFixture api;
  auto p = rest_params(api, "/items/all");
  RestScan scan(p);
  EXPECT_EQ(
      scan.rows("SELECT column_name || ' ' || column_type FROM (DESCRIBE SELECT * FROM sqlflow_scan('s'))"),
      (std::vector<std::string>{"id BIGINT", "name VARCHAR", "price DOUBLE", "active BOOLEAN",
                                "created_at TIMESTAMP", "meta.source VARCHAR", "meta.rank BIGINT",
                                "tags JSON"}));
  EXPECT_EQ(scan.value("SELECT tags->>0 FROM sqlflow_scan('s') WHERE id = 7"), "t7");
  EXPECT_EQ(
      scan.rows("SELECT * FROM sqlflow_scan('s') WHERE id IN (7, 100) ORDER BY id"),
      (std::vector<std::string>{"7|name-7|10.5|false|2024-01-01 00:00:07|fixture|7|[\"t7\",\"x\"]",
                                "100|name-100|150.0|true|2024-01-01 00:01:40|fixture|0|[\"t100\",\"x\"]"}));
  // Projection: only some columns, and none at all.
  EXPECT_EQ(scan.value("SELECT max(name) FROM sqlflow_scan('s')"), "name-99");
  EXPECT_EQ(scan.value("SELECT count(*) FROM sqlflow_scan('s')"), "250");
}

TEST(RestTypes, NoFlattenKeepsObjectsAsJsonColumns) {
  RestApiFixture api;
  auto p = rest_params(api, "/items/all");
  p["flatten_response"] = false;
  p["infer_timestamps"] = false;
  RestScan scan(p);
  EXPECT_EQ(scan.value("SELECT typeof(created_at) || ' ' || typeof(meta) || ' ' || meta || ' ' || "
                       "json_extract_string(meta, '$.source') FROM sqlflow_scan('s') WHERE id = 3"),
            "VARCHAR JSON {\"source\":\"fixture\",\"rank\":3} fixture");
  EXPECT_EQ(scan.value("SELECT meta->>'$.rank' FROM sqlflow_scan('s') WHERE id = 3"), "3");
}

TEST(RestTypes, TypesWidenWithinTheSample) {
  RestApiFixture api;
  RestScan scan(rest_params(api, "/widen"));
  EXPECT_EQ(
      scan.rows("SELECT column_name || ' ' || column_type FROM (DESCRIBE SELECT * FROM sqlflow_scan('s'))"),
      (std::vector<std::string>{"n DOUBLE", "v VARCHAR", "ts TIMESTAMP", "b BOOLEAN"}));
  EXPECT_EQ(scan.rows("SELECT * FROM sqlflow_scan('s') ORDER BY v"),
            (std::vector<std::string>{"1.0|1|2024-03-01 10:00:00|true", "NULL|3|NULL|false",
                                      "2.5|two|2024-03-01 10:30:00|NULL"}));
}

TEST(RestTypes, NestedUnicodeAndEscapes) {
  RestApiFixture api;
  auto p = rest_params(api, "/nested");
  p["data_path"] = "result.rows";
  p["flatten_separator"] = "_";  // SQLFlow's default is '.', as the other tests show
  RestScan scan(p);
  EXPECT_EQ(
      scan.rows("SELECT column_name FROM (DESCRIBE SELECT * FROM sqlflow_scan('s'))"),
      (std::vector<std::string>{"id", "user_name", "user_address_city", "user_address_zip", "tags", "note"}));
  EXPECT_EQ(
      scan.rows("SELECT id, user_name, user_address_city, user_address_zip, tags FROM sqlflow_scan('s') "
                "ORDER BY id"),
      (std::vector<std::string>{"1|Zoë \"Z\" Ångström|Kraków|30-001|[\"a\",\"b\"]", "2|李雷|北京|NULL|[]"}));
  EXPECT_EQ(scan.value("SELECT note FROM sqlflow_scan('s') WHERE id = 1"), "line1\nline2\ttab \\ back é 😀");
  EXPECT_EQ(scan.value("SELECT count(*) FROM sqlflow_scan('s') WHERE note IS NULL"), "1");
}

TEST(RestTypes, DeclaredColumnsOverrideInference) {
  RestApiFixture api;
  auto p = rest_params(api, "/items/all");
  p["columns"] = {{"id", "INTEGER"}, {"price", "VARCHAR"}, {"created_at", "DATE"}, {"missing", "BIGINT"}};
  RestScan scan(p);
  EXPECT_EQ(scan.value("SELECT typeof(id) || ' ' || typeof(price) || ' ' || typeof(created_at) || ' ' || "
                       "typeof(missing) FROM sqlflow_scan('s') LIMIT 1"),
            "INTEGER VARCHAR DATE BIGINT");
  EXPECT_EQ(scan.value("SELECT price || ' ' || created_at || ' ' || coalesce(missing::VARCHAR, 'null') FROM "
                       "sqlflow_scan('s') WHERE id = 7"),
            "10.5 2024-01-01 null");
}

// ---- drift after bind ----

namespace {
nlohmann::json drift_params(const RestApiFixture& api) {
  auto p = rest_params(api, "/drift");
  p["data_path"] = "data";
  p["pagination"] = {{"type", "page_number"}, {"page_size", 2}, {"total_path", "total"}};
  p["parallel_requests"] = 1;
  return p;
}
}  // namespace

TEST(RestDrift, ValueThatDoesNotFitFailsClearly) {
  RestApiFixture api;
  RestScan scan(drift_params(api));
  std::string err = test::error_of([&] { scan.value("SELECT count(*), sum(score) FROM sqlflow_scan('s')"); });
  EXPECT_NE(err.find("page 3"), std::string::npos) << err;
  EXPECT_NE(err.find("record 1"), std::string::npos) << err;
  EXPECT_NE(err.find("'score' is 50.5"), std::string::npos) << err;
  EXPECT_NE(err.find("BIGINT"), std::string::npos) << err;
  EXPECT_NE(err.find("columns"), std::string::npos) << err;  // the hint
}

TEST(RestDrift, NewKeyAfterBindIsWarnedAndDeclaringItLoadsIt) {
  RestApiFixture api;
  {
    auto p = drift_params(api);
    p["columns"] = {{"score", "DOUBLE"}};
    RestScan scan(p);
    EXPECT_EQ(scan.value("SELECT count(*), sum(score) FROM sqlflow_scan('s')"), "6|170.5");
    auto warnings = scan.source->warnings();
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("'extra' first appears on page 2"), std::string::npos) << warnings[0];
  }
  {
    auto p = drift_params(api);
    p["columns"] = {{"score", "DOUBLE"}, {"extra", "VARCHAR"}};
    RestScan scan(p);
    EXPECT_EQ(scan.rows("SELECT id, score, extra FROM sqlflow_scan('s') WHERE id IN (3, 4) ORDER BY id"),
              (std::vector<std::string>{"3|30.0|x3", "4|NULL|x4"}));
    EXPECT_TRUE(scan.source->warnings().empty());
  }
  {
    // Or sample every page when binding.
    auto p = drift_params(api);
    p["infer_sample_pages"] = 3;
    RestScan scan(p);
    EXPECT_EQ(scan.value("SELECT count(*), sum(score), count(extra) FROM sqlflow_scan('s')"), "6|170.5|2");
  }
}

// ---- bad bodies and bad servers ----

TEST(RestErrors, MalformedBodyNamesPageAndOffsetAndIsNotRetried) {
  RestApiFixture api;
  auto p = rest_params(api, "/malformed");
  p["data_path"] = "data";
  p["pagination"] = {{"type", "page_number"}, {"page_size", 50}, {"total_pages_path", "total_pages"}};
  p["auth"] = {
      {"type", "api_key"}, {"key_name", "api_key"}, {"key_value", "query-secret-777"}, {"in", "query"}};
  RestScan scan(p);
  std::string err = test::error_of([&] { scan.value("SELECT count(*) FROM sqlflow_scan('s')"); });
  EXPECT_NE(err.find("page 2"), std::string::npos) << err;
  EXPECT_NE(err.find("not valid JSON at byte"), std::string::npos) << err;
  EXPECT_NE(err.find("/malformed?page=2"), std::string::npos) << err;
  EXPECT_EQ(err.find("query-secret-777"), std::string::npos) << err;
  size_t page2 = 0;
  for (const auto& r : api.server().requests_to("/malformed"))
    page2 += r.target.find("page=2") != std::string::npos;
  EXPECT_EQ(page2, 1u);
}

TEST(RestErrors, UnterminatedBodyIsNeverTakenAsTheLastPage) {
  RestApiFixture api;
  auto p = rest_params(api, "/unterminated");
  p["data_path"] = "data";
  p["pagination"] = {{"type", "page_number"}, {"page_size", 50}};
  RestScan scan(p);
  std::string err = test::error_of([&] { scan.value("SELECT count(*) FROM sqlflow_scan('s')"); });
  EXPECT_NE(err.find("page 2"), std::string::npos) << err;
  EXPECT_NE(err.find("not valid JSON"), std::string::npos) << err;
}

TEST(RestErrors, TruncatedResponsesAreRetried) {
  RestApiFixture api;
  auto p = rest_params(api, "/truncated");
  p["data_path"] = "data";
  p["pagination"] = {{"type", "page_number"}, {"page_size", 50}, {"total_pages_path", "total_pages"}};
  RestScan scan(p);
  EXPECT_EQ(scan.value(kTotalsSql), expected_totals(250));
  EXPECT_EQ(api.count("/truncated"), 10u);  // every page twice
  EXPECT_EQ(scan.source->client().stats().retries.load(), 5u);
}

TEST(RestErrors, TooManyRequestsHonoursRetryAfter) {
  RestApiFixture api;
  auto p = rest_params(api, "/chaos/429");
  p["data_path"] = "data";
  p["pagination"] = {{"type", "page_number"}, {"page_size", 125}, {"total_pages_path", "total_pages"}};
  RestScan scan(p);
  EXPECT_EQ(scan.value(kTotalsSql), expected_totals(250));
  auto reqs = api.server().requests_to("/chaos/429");
  ASSERT_EQ(reqs.size(), 4u);
  // The retry of each page came at least Retry-After (1 s) after its 429.
  std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> by_page;
  for (const auto& r : reqs) by_page[r.target].push_back(r.at);
  for (const auto& [target, times] : by_page) {
    ASSERT_EQ(times.size(), 2u) << target;
    EXPECT_GE(times[1] - times[0], std::chrono::milliseconds(950)) << target;
  }
}

TEST(RestErrors, Random5xxAreRetriedAndEveryRowLoadsOnce) {
  RestApiFixture::Options o;
  o.error_rate = 0.3;
  RestApiFixture api(o);
  auto p = rest_params(api, "/chaos/5xx");
  p["data_path"] = "data";
  p["pagination"] = {{"type", "page_number"}, {"page_size", 10}, {"total_pages_path", "total_pages"}};
  p["max_retries"] = 12;
  p["resilience"]["circuit_breaker"] = false;
  p["parallel_requests"] = 8;
  RestScan scan(p);
  EXPECT_EQ(scan.value(kTotalsSql), expected_totals(250));
  EXPECT_GT(api.errors_sent(), 0);
  EXPECT_EQ(static_cast<std::int64_t>(api.count("/chaos/5xx")), 25 + api.errors_sent());
}

TEST(RestErrors, SlowResponseTimesOut) {
  RestApiFixture api;
  auto p = rest_params(api, "/slow");
  p["timeout"] = 0.3;
  p["max_retries"] = 0;
  std::string err = test::error_of([&] {
    RestScan scan(p);
    scan.value("SELECT count(*) FROM sqlflow_scan('s')");
  });
  EXPECT_NE(err.find("timed out"), std::string::npos) << err;
}

TEST(RestErrors, MissingDataPathAndEmptyFirstPage) {
  RestApiFixture api;
  auto p = rest_params(api, "/items/page");
  p["data_path"] = "items";
  std::string err = test::error_of([&] {
    RestScan scan(p);
    scan.value("SELECT count(*) FROM sqlflow_scan('s')");
  });
  EXPECT_NE(err.find("data_path 'items' was not found"), std::string::npos) << err;

  auto e = rest_params(api, "/empty");
  e["data_path"] = "data";
  err = test::error_of([&] {
    RestScan scan(e);
    scan.value("SELECT count(*) FROM sqlflow_scan('s')");
  });
  EXPECT_NE(err.find("no records"), std::string::npos) << err;
  EXPECT_NE(err.find("columns"), std::string::npos) << err;
  e["columns"] = {{"id", "BIGINT"}};
  RestScan ok(e);
  EXPECT_EQ(ok.value("SELECT count(*) FROM sqlflow_scan('s')"), "0");
}

TEST(RestErrors, LargePage) {
  RestApiFixture::Options o;
  o.large_records = 330000;  // ≈ 53 MB in one response
  RestApiFixture api(o);
  RestScan scan(rest_params(api, "/large"));
  EXPECT_EQ(scan.value(kTotalsSql), expected_totals(330000));
  EXPECT_GE(scan.source->stats().bytes.load(), 50u * 1000 * 1000);
  EXPECT_EQ(api.count("/large"), 1u);
}

// ---- hostile answers ----

TEST(RestHostile, AnApiIgnoringThePageParameterIsAnErrorNotALoopOrCopies) {
  RestApiFixture api;
  auto p = rest_params(api, "/hostile/same_page");
  p["pagination"] = {{"type", "page_number"}};
  {
    RestScan scan(p);
    std::string err = test::error_of([&] { scan.value("SELECT count(*) FROM sqlflow_scan('s')"); });
    EXPECT_NE(err.find("page 2 has the same records as page 1"), std::string::npos) << err;
    EXPECT_NE(err.find("'page'"), std::string::npos) << err;
  }
  p["max_pages"] = 30;  // used to load 30 copies, exit 0
  RestScan capped(p);
  EXPECT_NE(
      test::error_of([&] { capped.value("SELECT count(*) FROM sqlflow_scan('s')"); }).find("same records"),
      std::string::npos);
}

TEST(RestHostile, ScalarAndHtmlBodiesSayWhatCameBack) {
  RestApiFixture api;
  auto scalar = rest_params(api, "/hostile/scalar");
  scalar["data_path"] = "data";
  std::string err = test::error_of([&] {
    RestScan scan(scalar);
    scan.source->schema();
  });
  EXPECT_NE(err.find("is the JSON value 42, which has no data_path 'data'"), std::string::npos) << err;
  EXPECT_EQ(err.find("Invalid JSON pointer"), std::string::npos) << err;
  err = test::error_of([&] {
    RestScan scan(rest_params(api, "/hostile/html"));
    scan.source->schema();
  });
  EXPECT_NE(err.find("is an HTML page, not JSON"), std::string::npos) << err;
  EXPECT_NE(err.find("login"), std::string::npos) << err;
}

TEST(RestHostile, AFieldThatIsSometimesAnObjectIsOneJsonColumn) {
  RestApiFixture api;
  RestScan scan(rest_params(api, "/hostile/mixed"));
  EXPECT_EQ(
      scan.rows("SELECT column_name || ' ' || column_type FROM (DESCRIBE SELECT * FROM sqlflow_scan('s'))"),
      (std::vector<std::string>{"id BIGINT", "x JSON"}));
  EXPECT_EQ(scan.rows("SELECT x FROM sqlflow_scan('s') ORDER BY id"),
            (std::vector<std::string>{"1", "{\"a\":2}", "3"}));
}

TEST(RestHostile, DecompressedBytesInFlightAreBounded) {
  RestApiFixture api;
  auto p = rest_params(api, "/hostile/expanding");
  p["max_response_mb"] = 1;  // the page is 6 MB once decompressed
  std::string err = test::error_of([&] {
    RestScan scan(p);
    scan.source->schema();
  });
  EXPECT_NE(err.find("more than 1 MB once decompressed"), std::string::npos) << err;
  EXPECT_NE(err.find("max_response_mb"), std::string::npos) << err;
  EXPECT_EQ(err.find("on_data"), std::string::npos) << err;
  p["max_response_mb"] = 16;
  RestScan fits(p);
  EXPECT_EQ(fits.value("SELECT count(*) FROM sqlflow_scan('s')"), "100000");
}
