// Server-driven limiting per endpoint, on whether or not a client-side rate limit is configured:
// what the server said about our quota (RateLimit-* / X-RateLimit-* headers) and Retry-After
// pauses hold back further requests, so the client slows down before it is refused instead of
// after. Inactive (one relaxed load per request, and one compare-exchange recording the answer)
// until a server reports a quota or refuses a request.
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
  // An answer came back: a refusal (429, throttled) or not. Lock-free; kept for the last 16.
  void record_answer(bool refused);
  // Whether refusals make up at least a quarter of the last (up to 16) answers: the server is
  // refusing the client's pace rather than one request. A lone 429 among successes is not that
  // (Stripe, for one, answers 429 to a request that lost a lock race).
  bool refusals_cluster() const;

  // Requests admitted and not yet done (tests).
  std::int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<bool> active_{false};        // a window or a pause is in force
  std::atomic<std::uint32_t> recent_{0};   // bit i: the i-th latest answer was a refusal
  std::atomic<std::uint32_t> answers_{0};  // answers recorded, saturating at 16
  std::mutex mutex_;                       // guards what follows
  double budget_ = 0;                      // requests that may still go in the current window
  TimePoint window_end_{};                 // when the server's window resets (budget refills)
  TimePoint paused_until_{};
};

}  // namespace sqlflow::resilience
