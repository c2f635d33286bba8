// Server-driven limiting per endpoint, on whether or not a client-side rate limit is configured:
// what the server said about our quota (RateLimit-* / X-RateLimit-* headers) and Retry-After
// pauses hold back further requests, so the client slows down before it is refused instead of
// after. Inactive (one relaxed load per request) until a server reports a quota.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>

#include "resilience/classify.hpp"
#include "resilience/clock.hpp"

namespace sqlflow::resilience {

class ServerQuota {
 public:
  // Whether a request may go now. nullopt: go (it counts as in flight until done()); a time: do
  // not send before it. Waits longer than `max_wait` are not imposed (the request goes, and the
  // server's refusal with its Retry-After decides, so max_retry_after applies as for a 429).
  std::optional<TimePoint> admit(TimePoint now, Duration max_wait);
  // An admitted request finished (answered, failed or abandoned).
  void done();
  // The server reported `state` on a response to a request still counted in flight.
  void observe(const ServerQuotaState& state, TimePoint now);
  // The server asked for a pause (429/503 with Retry-After): nobody goes before `until`.
  void pause_until(TimePoint until);

  // Requests admitted and not yet done (tests).
  std::int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<bool> active_{false};  // a window or a pause is in force
  std::mutex mutex_;                 // guards what follows
  double budget_ = 0;                // requests that may still go in the current window
  TimePoint window_end_{};           // when the server's window resets (budget refills)
  TimePoint paused_until_{};
};

}  // namespace sqlflow::resilience
