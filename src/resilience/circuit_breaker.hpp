// Circuit breaker per endpoint: closed → open after `failure_threshold` consecutive failures, when
// at least half of the last 64 attempts failed too →
// half-open after `recovery_timeout`, letting one probe at a time through → closed after
// `success_threshold` probe successes (a failed probe re-opens it). The failure rate keeps an
// endpoint that fails now and then (20% of requests, each retried) from being taken for one that is
// down: a run of 5 failures among thousands of attempts is then likely, half of 64 is not (the
// count-based sliding window of resilience4j's CircuitBreaker, failureRateThreshold 50%). The
// closed-state path of a healthy endpoint is a single atomic load on admission and two loads on
// success, so it scales across threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "resilience/clock.hpp"
#include "resilience/errors.hpp"

namespace sqlflow::resilience {

struct BreakerOptions {
  bool enabled = true;
  int failure_threshold = 5;
  Duration recovery_timeout = std::chrono::seconds(60);
  int success_threshold = 2;
  // Throws a validation Error naming the bad field.
  void validate() const;
};

enum class BreakerState : std::uint8_t { Closed = 0, Open = 1, HalfOpen = 2 };
const char* to_string(BreakerState s);

class CircuitBreaker {
 public:
  using Listener = std::function<void(const std::string& endpoint, BreakerState from, BreakerState to)>;

  // `endpoint` names what it guards in messages ("https://api.example.com"); `clock` must outlive it.
  CircuitBreaker(std::string endpoint, BreakerOptions options, Clock& clock, Listener listener = {});
  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;

  // Admission ticket of one attempt; pass it back to record_success/record_failure/release.
  struct Permit {
    bool allowed = false;
    bool probe = false;  // the half-open probe: only its outcome moves the state
  };

  // Whether an attempt may go out now. Closed: one atomic load, no clock read.
  Permit try_acquire() {
    if (state_of(word_.load(std::memory_order_acquire)) == BreakerState::Closed) return {true, false};
    return try_acquire_slow();
  }
  // True when the breaker is open and not yet due for a probe (cheap pre-check before waiting
  // on a rate limiter, so an open breaker fails fast instead of queueing).
  bool rejects_now() const;

  void record_success(const Permit& p) {
    if (!p.probe) {
      // Only write when there is something to reset, so concurrent successes share the line read-only.
      if (failures_.load(std::memory_order_relaxed) != 0) failures_.store(0, std::memory_order_relaxed);
      if (history_.load(std::memory_order_relaxed) != 0 || seen_.load(std::memory_order_relaxed) < kWindow)
        remember(false);
      return;
    }
    probe_succeeded();
  }
  // `reason` is a short secret-free description kept for the open-breaker message.
  void record_failure(const Permit& p, const std::string& reason = {});
  // The attempt ended without a verdict on the endpoint's health (e.g. a 404): frees the probe slot.
  void release(const Permit& p);

  BreakerState state() const { return state_of(word_.load(std::memory_order_acquire)); }
  int consecutive_failures() const { return failures_.load(std::memory_order_relaxed); }
  const std::string& endpoint() const { return endpoint_; }
  const BreakerOptions& options() const { return options_; }
  std::uint64_t times_opened() const { return opened_count_.load(std::memory_order_relaxed); }

  // The error for a rejected attempt: which endpoint, open since when, when it will let a probe through.
  CircuitOpenError open_error() const;

 private:
  // State and the time of the last transition share one word, so a reader never sees "open" with
  // the time of an older opening. Top 2 bits: state; low 62 bits: steady-clock nanoseconds.
  static constexpr int kShift = 62;
  static constexpr std::uint64_t kTimeMask = (std::uint64_t{1} << kShift) - 1;
  static BreakerState state_of(std::uint64_t w) { return static_cast<BreakerState>(w >> kShift); }
  static std::int64_t time_of(std::uint64_t w) { return static_cast<std::int64_t>(w & kTimeMask); }
  static std::uint64_t make_word(BreakerState s, std::int64_t t) {
    return (static_cast<std::uint64_t>(s) << kShift) | (static_cast<std::uint64_t>(t) & kTimeMask);
  }

  // Outcomes of the last kWindow attempts, newest in bit 0 (1: failed); a fresh breaker judges
  // the attempts it has seen so far.
  static constexpr int kWindow = 64;
  void remember(bool failed);
  bool mostly_failing() const;
  void forget();  // the consecutive failures and the window
  Permit try_acquire_slow();
  void probe_succeeded();
  void transition(std::uint64_t& expected, BreakerState to, std::int64_t now_ns, bool& done);
  void notify(BreakerState from, BreakerState to);

  std::string endpoint_;
  BreakerOptions options_;
  Clock& clock_;
  Listener listener_;
  alignas(64) std::atomic<std::uint64_t> word_;
  alignas(64) std::atomic<int> failures_{0};
  std::atomic<std::uint64_t> history_{0};
  std::atomic<int> seen_{0};  // attempts in history_, at most kWindow
  std::atomic<bool> probe_busy_{false};
  std::atomic<int> half_open_successes_{0};
  std::atomic<std::uint64_t> opened_count_{0};
  mutable std::mutex reason_mutex_;  // failure path only
  std::string last_reason_;
  int failures_at_open_ = 0;
};

}  // namespace sqlflow::resilience
