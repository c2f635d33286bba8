#include "resilience/classify.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace sqlflow::resilience;
using namespace std::chrono_literals;

TEST(Classify, RetryableHttpStatuses) {
  for (int s : {408, 429, 500, 502, 503, 504}) EXPECT_TRUE(is_retryable_http_status(s)) << s;
  for (int s : {200, 301, 400, 401, 403, 404, 405, 409, 422, 501})
    EXPECT_FALSE(is_retryable_http_status(s)) << s;
}

TEST(Classify, HttpFailuresSayWhetherTheEndpointIsUnhealthy) {
  WallTime now = std::chrono::system_clock::now();
  auto f503 = classify_http_status(503, "", "", now);
  EXPECT_TRUE(f503.retryable);
  EXPECT_TRUE(f503.counts_for_breaker);
  auto f429 = classify_http_status(429, "3", "", now);
  EXPECT_TRUE(f429.retryable);
  EXPECT_TRUE(f429.throttled);
  EXPECT_FALSE(f429.counts_for_breaker);
  ASSERT_TRUE(f429.retry_after);
  EXPECT_EQ(*f429.retry_after, Duration(3s));
  auto f404 = classify_http_status(404, "", "", now);
  EXPECT_FALSE(f404.retryable);
  EXPECT_FALSE(f404.counts_for_breaker);
  // Google answers some rate limits with 403 and a reason in the body.
  auto g = classify_http_status(403, "", R"({"error":{"errors":[{"reason":"userRateLimitExceeded"}]}})", now);
  EXPECT_TRUE(g.retryable);
  EXPECT_TRUE(g.throttled);
  EXPECT_FALSE(classify_http_status(403, "", R"({"error":{"message":"forbidden"}})", now).retryable);
}

TEST(Classify, RetryAfterDeltaSecondsAndFractions) {
  WallTime now = std::chrono::system_clock::now();
  EXPECT_EQ(parse_retry_after("120", now), Duration(120s));
  EXPECT_EQ(parse_retry_after(" 2.0 ", now), Duration(2s));  // Shopify
  EXPECT_EQ(parse_retry_after("0", now), Duration(0));
  EXPECT_FALSE(parse_retry_after("-1", now));
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("", now));
  EXPECT_FALSE(parse_retry_after("12abc", now));
}

TEST(Classify, RetryAfterHttpDateInAllThreeForms) {
  auto base = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
  ASSERT_TRUE(base);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*base), 784111777);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), base);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), base);
  EXPECT_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
  WallTime now = *base - 30s;
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), Duration(30s));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", *base + 5s), Duration(0));
  EXPECT_EQ(format_http_date(*base), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(Classify, ShopifyCallLimitHeader) {
  auto s = parse_call_limit_header("32/40");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->used, 32);
  EXPECT_EQ(s->capacity, 40);
  EXPECT_FALSE(parse_call_limit_header("32"));
  EXPECT_FALSE(parse_call_limit_header("a/40"));
  EXPECT_FALSE(parse_call_limit_header("1/0"));
}

TEST(Classify, PostgresSqlstates) {
  for (auto s : {"08000", "08006", "08001", "40001", "40P01", "57P01", "57P03", "53300"})
    EXPECT_TRUE(is_retryable_sqlstate(s)) << s;
  for (auto s : {"23505", "42P01", "22012", "42601", "", "0800"}) EXPECT_FALSE(is_retryable_sqlstate(s)) << s;
}

TEST(Classify, PostgresFailuresOnlyCountConnectionTroubleAgainstTheServer) {
  auto conn = classify_sqlstate("08006", "connection failure");
  EXPECT_TRUE(conn.retryable);
  EXPECT_TRUE(conn.counts_for_breaker);
  auto ser = classify_sqlstate("40001", "could not serialize access");
  EXPECT_TRUE(ser.retryable);
  EXPECT_FALSE(ser.counts_for_breaker);
  auto dup = classify_sqlstate("23505", "duplicate key");
  EXPECT_FALSE(dup.retryable);
  EXPECT_FALSE(dup.counts_for_breaker);
}

namespace {
using Headers = std::vector<std::pair<std::string, std::string>>;
std::optional<ServerQuotaState> quota_of(const Headers& headers, WallTime now = WallTime(1700000000s)) {
  return parse_rate_limit_headers(
      [&](std::string_view name) {
        for (const auto& [k, v] : headers)
          if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
              }))
            return v;
        return std::string();
      },
      now);
}
}  // namespace

TEST(Classify, RateLimitHeadersOfTheIetfDraft) {
  auto q = quota_of({{"RateLimit-Limit", "100"}, {"RateLimit-Remaining", "7"}, {"RateLimit-Reset", "30"}});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->remaining, 7);
  EXPECT_EQ(q->reset, Duration(30s));
  EXPECT_EQ(q->limit, std::optional<double>(100));
  // A limit with a quota policy ("100, 100;w=60") uses its first number; names are case-insensitive.
  q = quota_of(
      {{"ratelimit-limit", "100, 100;w=60"}, {"ratelimit-remaining", "0"}, {"ratelimit-reset", "2"}});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->remaining, 0);
  EXPECT_EQ(q->reset, Duration(2s));
  EXPECT_EQ(q->limit, std::optional<double>(100));
  // The later single structured field.
  q = quota_of({{"RateLimit", "\"default\";r=50;t=30"}, {"RateLimit-Policy", "\"default\";q=100;w=60"}});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->remaining, 50);
  EXPECT_EQ(q->reset, Duration(30s));
  EXPECT_EQ(q->limit, std::optional<double>(100));
}

TEST(Classify, XRateLimitHeadersWithDeltaOrUnixReset) {
  const WallTime now = WallTime(1700000000s);
  auto q = quota_of({{"X-RateLimit-Remaining", "4999"}, {"X-RateLimit-Reset", "1700000060"}}, now);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->remaining, 4999);
  EXPECT_EQ(q->reset, Duration(60s));  // a Unix time (GitHub)
  q = quota_of({{"X-RateLimit-Remaining", "3"}, {"X-RateLimit-Reset", "1700000002500"}}, now);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->reset, Duration(2500ms));  // Unix time in milliseconds
  q = quota_of({{"X-RateLimit-Remaining", "3"}, {"X-RateLimit-Reset", "12"}}, now);
  EXPECT_EQ(q->reset, Duration(12s));  // delta seconds
  q = quota_of({{"X-RateLimit-Remaining", "1"}, {"X-RateLimit-Reset-After", "1.5"}}, now);
  EXPECT_EQ(q->reset, Duration(1500ms));  // Discord's form
  q = quota_of({{"X-RateLimit-Remaining", "1"}, {"X-RateLimit-Reset", "1600000000"}}, now);
  EXPECT_EQ(q->reset, Duration(0));  // a time in the past: nothing to wait for
}

TEST(Classify, RateLimitHeadersAbsentOrHostile) {
  EXPECT_FALSE(quota_of({}));
  EXPECT_FALSE(quota_of({{"RateLimit-Limit", "100"}}));  // no Remaining: nothing to act on
  EXPECT_FALSE(quota_of({{"RateLimit-Remaining", "lots"}}));
  EXPECT_FALSE(quota_of({{"RateLimit-Remaining", "-3"}}));
  EXPECT_FALSE(quota_of({{"RateLimit", "\"default\";t=30"}}));
  auto q = quota_of({{"RateLimit-Remaining", "5"}, {"RateLimit-Reset", "soon"}});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->reset, Duration(0));  // an unparseable reset is unknown
  q = quota_of({{"RateLimit-Remaining", "5"}, {"RateLimit-Reset", "99999999999999999999999"}});
  ASSERT_TRUE(q);
  EXPECT_LE(q->reset, Duration(std::chrono::hours(24 * 365)));  // capped, never overflows
}
