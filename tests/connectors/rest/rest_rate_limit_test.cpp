// REST rate limiting with the default settings: no client-side bucket (an unknown API has no known
// quota), while the server's own signals — RateLimit-* / X-RateLimit-* headers, 429 + Retry-After
// — hold requests back before they are refused; a configured limit that bounds a read says so.
#include <gtest/gtest.h>

#include "connectors/rest/source.hpp"
#include "net/http_client.hpp"
#include "rest_test_util.hpp"

using namespace sqlflow;
using test::RestApiFixture;
using test::RestScan;

namespace {

// PARAMS as a user writes them: no resilience settings at all.
nlohmann::json default_params(const RestApiFixture& api, const std::string& path, int page_size) {
  return {{"url", api.url(path)},
          {"data_path", "data"},
          {"pagination",
           {{"type", "page_number"}, {"page_size", page_size}, {"total_pages_path", "total_pages"}}},
          {"parallel_requests", 16}};
}

std::vector<std::string> read_report(RestScan& scan) {
  return scan.source->after_read(scan.con, "s", "t").warnings;
}

}  // namespace

TEST(RestRateLimit, DefaultsHaveNoClientSideLimit) {
  RestApiFixture::Options o;
  o.records = 400;
  RestApiFixture api(o);
  RestScan scan(default_params(api, "/items/page", 10));  // 40 pages, 16 in flight
  EXPECT_EQ(scan.value("SELECT count(*), count(DISTINCT id) FROM sqlflow_scan('s')"), "400|400");
  const auto& policy = scan.source->client().policy();
  EXPECT_FALSE(policy.options().rate_limit.enabled);
  EXPECT_TRUE(policy.options().rate_limit.server_driven);
  auto st = policy.stats().snapshot();
  EXPECT_EQ(st.rate_limit_waits, 0u);
  EXPECT_EQ(st.rate_limit_bound_ns, 0u);
  EXPECT_EQ(st.server_waits, 0u);  // the fixture sends no quota headers here
  EXPECT_EQ(api.count("/items/page"), 40u);
  EXPECT_TRUE(read_report(scan).empty());
}

TEST(RestRateLimit, RateLimitHeadersHoldRequestsBackBeforeTheServerRefuses) {
  RestApiFixture::Options o;
  o.records = 120;  // 12 pages of 10 under 4 requests per second
  o.quota_limit = 4;
  RestApiFixture api(o);
  auto p = default_params(api, "/quota/page", 10);
  p["parallel_requests"] = 3;  // fewer than the quota: what is in flight when a window starts fits it
  RestScan scan(p);
  EXPECT_EQ(scan.value("SELECT count(*), count(DISTINCT id) FROM sqlflow_scan('s')"), "120|120");
  EXPECT_EQ(api.quota_refusals(), 0);  // slowed before it was refused
  EXPECT_EQ(api.count("/quota/page"), 12u);
  auto st = scan.source->client().policy().stats().snapshot();
  EXPECT_GE(st.server_waits, 1u);
  EXPECT_EQ(st.rate_limit_waits, 0u);
  EXPECT_EQ(st.throttled, 0u);
  EXPECT_GE(scan.source->io_stats().throttle_waits, st.server_waits);
}

TEST(RestRateLimit, XRateLimitHeadersWithAUnixResetTimeAreFollowedToo) {
  RestApiFixture::Options o;
  o.records = 100;
  o.quota_limit = 5;
  RestApiFixture api(o);
  auto p = default_params(api, "/quota/x_page", 10);
  p["parallel_requests"] = 4;
  RestScan scan(p);
  EXPECT_EQ(scan.value("SELECT count(*) FROM sqlflow_scan('s')"), "100");
  EXPECT_EQ(api.quota_refusals(), 0);
  EXPECT_GE(scan.source->client().policy().stats().snapshot().server_waits, 1u);
}

TEST(RestRateLimit, RetryAfterIsHonouredWithoutAClientLimit) {
  RestApiFixture api;                              // /chaos/429 refuses every page once with Retry-After: 1
  auto p = default_params(api, "/chaos/429", 50);  // 5 pages
  p["resilience"] = {{"retry", {{"max_attempts", 4}}}};
  RestScan scan(p);
  EXPECT_EQ(scan.value("SELECT count(*) FROM sqlflow_scan('s')"), "250");
  auto st = scan.source->client().policy().stats().snapshot();
  EXPECT_EQ(st.throttled, 5u);
  EXPECT_EQ(st.rate_limit_waits, 0u);  // no client-side bucket: the server's pauses did the pacing
  EXPECT_EQ(api.count("/chaos/429"), 10u);
}

TEST(RestRateLimit, AConfiguredLimitThatBoundsTheReadIsNamedInTheReport) {
  RestApiFixture::Options o;
  o.records = 300;
  RestApiFixture api(o);
  auto p = default_params(api, "/items/page", 10);  // 30 pages
  p["rate_limit_rpm"] = 1200;                       // 20/s after a burst of 10: the limit dominates
  RestScan scan(p);
  EXPECT_EQ(scan.value("SELECT count(*) FROM sqlflow_scan('s')"), "300");
  const auto& policy = scan.source->client().policy();
  EXPECT_TRUE(policy.options().rate_limit.enabled);
  EXPECT_EQ(policy.options().rate_limit.requests_per_minute, 1200);
  EXPECT_GE(policy.stats().snapshot().rate_limit_waits, 10u);
  auto warnings = read_report(scan);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("rate limit (1200 requests/min, burst 10) bounded this read"), std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find("rate_limit_rpm"), std::string::npos) << warnings[0];
  // Said once per read.
  EXPECT_TRUE(read_report(scan).empty());
}

TEST(RestRateLimit, RateLimitRpmMustBePositive) {
  RestApiFixture api;
  auto p = default_params(api, "/items/page", 10);
  p["rate_limit_rpm"] = 0;
  std::string err = test::error_of([&] { RestScan scan(p); });
  EXPECT_NE(err.find("rate_limit_rpm must be a positive number"), std::string::npos) << err;
}
