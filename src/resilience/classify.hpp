// What a failed attempt means for the policy: retry or not, count against the endpoint's health
// or not, and how long the server asked us to wait. Shared by the HTTP client and PostgreSQL.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "resilience/clock.hpp"

namespace sqlflow::resilience {

struct Failure {
  bool retryable = false;
  // Whether this says the endpoint is unhealthy (transport errors, timeouts, 5xx). Client errors
  // (4xx) and throttling (429) do not: the endpoint answered, we asked wrongly or too fast.
  bool counts_for_breaker = true;
  // The server was throttling us (429, Google rateLimitExceeded, Shopify THROTTLED).
  bool throttled = false;
  // Minimum wait the server asked for (Retry-After), if any.
  std::optional<Duration> retry_after;
  // Short, secret-free description for messages and metrics ("HTTP 503", "connection reset").
  std::string reason;
  // An idempotent request whose connection broke mid-exchange (reset, closed early, body cut
  // short): a glitch of that connection, which says nothing about the server's load.
  bool cut_off = false;
};

// RFC 9110 §15: 408, 429, 500, 502, 503, 504 are worth retrying; everything else (notably
// 400/401/403/404/405/422) is not.
bool is_retryable_http_status(int status);

// A Failure for an HTTP response with a non-success status. `retry_after_header` is the raw
// Retry-After value (empty when absent); `body_prefix` is the start of the body, searched for
// Google-style throttle reasons (403 rateLimitExceeded / userRateLimitExceeded is retryable).
Failure classify_http_status(int status, std::string_view retry_after_header, std::string_view body_prefix,
                             WallTime now);

// PostgreSQL SQLSTATEs worth retrying (PostgreSQL docs, Appendix A): class 08 (connection
// exception), 40001 serialization_failure, 40P01 deadlock_detected, 57P01/57P02/57P03 (admin
// shutdown, crash shutdown, cannot connect now), 53300 too_many_connections.
bool is_retryable_sqlstate(std::string_view sqlstate);
// A Failure for a PostgreSQL error: connection-class errors count against the server's health;
// serialization failures and deadlocks are retried but say nothing about the server.
Failure classify_sqlstate(std::string_view sqlstate, std::string reason);

// Retry-After (RFC 9110 §10.2.3): delta-seconds ("120"; also the fractional "2.0" Shopify sends)
// or an HTTP-date (IMF-fixdate, plus the obsolete RFC 850 and asctime forms). Returns the wait
// from `now` (zero for a date in the past), or nullopt when the value is not parseable.
std::optional<Duration> parse_retry_after(std::string_view value, WallTime now);

// An HTTP-date as a wall time (IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850, asctime).
std::optional<WallTime> parse_http_date(std::string_view value);
// IMF-fixdate for `t` (used by fixtures and tests).
std::string format_http_date(WallTime t);

// Shopify's REST call-limit header "32/40": requests in the bucket and the bucket size.
struct ServerBucketState {
  double used = 0;
  double capacity = 0;
};
std::optional<ServerBucketState> parse_call_limit_header(std::string_view value);

// A server's own account of our quota, from response headers: how many requests are left in
// its current window and when that window ends. Sources, in order of preference:
// - the IETF draft "RateLimit header fields for HTTP" (draft-ietf-httpapi-ratelimit-headers):
//   RateLimit-Remaining / RateLimit-Reset (delta seconds) / RateLimit-Limit, or the later single
//   structured field `RateLimit: "default";r=50;t=30`;
// - the de-facto X-RateLimit-Remaining / X-RateLimit-Reset / X-RateLimit-Limit, whose Reset is
//   delta seconds on some APIs and a Unix time on others (GitHub, Twitter): a value above 10^9 is
//   taken as a Unix time (in ms above 10^12).
struct ServerQuotaState {
  double remaining = 0;         // requests the server will still accept in this window
  Duration reset{};             // until the window ends (0: unknown)
  std::optional<double> limit;  // the window's size, when stated
};
// `header(name)` returns a response header's value (case-insensitive name), empty when absent.
// nullopt when no usable Remaining value is present. Limit lists such as "100, 100;w=60" and
// values with a policy suffix use their first number.
std::optional<ServerQuotaState> parse_rate_limit_headers(
    const std::function<std::string(std::string_view)>& header, WallTime now);

// True when a response body carries a Google API rate-limit reason (rateLimitExceeded,
// userRateLimitExceeded, RESOURCE_EXHAUSTED) — those are throttling even on a 403.
bool has_google_rate_limit_reason(std::string_view body_prefix);

}  // namespace sqlflow::resilience
