#include "resilience/circuit_breaker.hpp"

#include <algorithm>
#include <bit>

#include "core/error.hpp"

namespace sqlflow::resilience {

void BreakerOptions::validate() const {
  if (failure_threshold < 1)
    throw validation_error("resilience.circuit_breaker.failure_threshold must be at least 1, got " +
                           std::to_string(failure_threshold));
  if (success_threshold < 1)
    throw validation_error("resilience.circuit_breaker.success_threshold must be at least 1, got " +
                           std::to_string(success_threshold));
  if (recovery_timeout < Duration(0))
    throw validation_error("resilience.circuit_breaker.recovery_timeout must not be negative");
}

const char* to_string(BreakerState s) {
  switch (s) {
    case BreakerState::Closed:
      return "closed";
    case BreakerState::Open:
      return "open";
    case BreakerState::HalfOpen:
      return "half-open";
  }
  return "unknown";
}

CircuitBreaker::CircuitBreaker(std::string endpoint, BreakerOptions options, Clock& clock, Listener listener)
    : endpoint_(std::move(endpoint)),
      options_(options),
      clock_(clock),
      listener_(std::move(listener)),
      word_(make_word(BreakerState::Closed, 0)) {
  options_.validate();
}

void CircuitBreaker::remember(bool failed) {
  std::uint64_t h = history_.load(std::memory_order_relaxed);
  while (!history_.compare_exchange_weak(h, (h << 1) | (failed ? 1 : 0), std::memory_order_relaxed)) {
  }
  if (seen_.load(std::memory_order_relaxed) < kWindow) seen_.fetch_add(1, std::memory_order_relaxed);
}

void CircuitBreaker::forget() {
  failures_.store(0, std::memory_order_relaxed);
  history_.store(0, std::memory_order_relaxed);
  seen_.store(0, std::memory_order_relaxed);
}

bool CircuitBreaker::mostly_failing() const {
  const int seen = std::min(seen_.load(std::memory_order_relaxed), kWindow);
  const std::uint64_t mask = seen >= kWindow ? ~std::uint64_t{0} : (std::uint64_t{1} << seen) - 1;
  return 2 * std::popcount(history_.load(std::memory_order_relaxed) & mask) >= seen;
}

void CircuitBreaker::notify(BreakerState from, BreakerState to) {
  if (listener_) listener_(endpoint_, from, to);
}

CircuitBreaker::Permit CircuitBreaker::try_acquire_slow() {
  const std::int64_t now = to_ns(clock_.now());
  std::uint64_t w = word_.load(std::memory_order_acquire);
  for (;;) {
    switch (state_of(w)) {
      case BreakerState::Closed:
        return {true, false};
      case BreakerState::Open: {
        if (now < time_of(w) + options_.recovery_timeout.count()) return {false, false};
        // Due for a probe: whoever moves it to half-open, everyone then races for the one probe slot.
        if (word_.compare_exchange_strong(w, make_word(BreakerState::HalfOpen, now),
                                          std::memory_order_acq_rel)) {
          notify(BreakerState::Open, BreakerState::HalfOpen);
        }
        w = word_.load(std::memory_order_acquire);
        continue;
      }
      case BreakerState::HalfOpen: {
        bool expected = false;
        if (!probe_busy_.compare_exchange_strong(expected, true, std::memory_order_acq_rel))
          return {false, false};
        // The probe slot is ours; make sure the breaker did not move on meanwhile.
        std::uint64_t again = word_.load(std::memory_order_acquire);
        if (state_of(again) != BreakerState::HalfOpen) {
          probe_busy_.store(false, std::memory_order_release);
          w = again;
          continue;
        }
        return {true, true};
      }
    }
  }
}

bool CircuitBreaker::rejects_now() const {
  std::uint64_t w = word_.load(std::memory_order_acquire);
  switch (state_of(w)) {
    case BreakerState::Closed:
      return false;
    case BreakerState::Open:
      return to_ns(clock_.now()) < time_of(w) + options_.recovery_timeout.count();
    case BreakerState::HalfOpen:
      return probe_busy_.load(std::memory_order_acquire);
  }
  return false;
}

void CircuitBreaker::record_failure(const Permit& p, const std::string& reason) {
  {
    std::lock_guard lock(reason_mutex_);
    if (!reason.empty()) last_reason_ = reason;
  }
  const std::int64_t now = to_ns(clock_.now());
  std::uint64_t w = word_.load(std::memory_order_acquire);
  if (p.probe) {
    // A failed probe re-opens the breaker for another recovery_timeout.
    if (state_of(w) == BreakerState::HalfOpen &&
        word_.compare_exchange_strong(w, make_word(BreakerState::Open, now), std::memory_order_acq_rel)) {
      opened_count_.fetch_add(1, std::memory_order_relaxed);
      notify(BreakerState::HalfOpen, BreakerState::Open);
    }
    probe_busy_.store(false, std::memory_order_release);
    return;
  }
  // Results of attempts admitted before the breaker opened say nothing new.
  if (state_of(w) != BreakerState::Closed) return;
  remember(true);
  int n = failures_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (n < options_.failure_threshold || !mostly_failing()) return;
  half_open_successes_.store(0, std::memory_order_relaxed);
  if (word_.compare_exchange_strong(w, make_word(BreakerState::Open, now), std::memory_order_acq_rel)) {
    {
      std::lock_guard lock(reason_mutex_);
      failures_at_open_ = n;
    }
    forget();  // judged afresh once it closes again
    opened_count_.fetch_add(1, std::memory_order_relaxed);
    notify(BreakerState::Closed, BreakerState::Open);
  }
}

void CircuitBreaker::probe_succeeded() {
  int n = half_open_successes_.fetch_add(1, std::memory_order_acq_rel) + 1;
  if (n >= options_.success_threshold) {
    forget();
    std::uint64_t w = word_.load(std::memory_order_acquire);
    if (state_of(w) == BreakerState::HalfOpen &&
        word_.compare_exchange_strong(w, make_word(BreakerState::Closed, to_ns(clock_.now())),
                                      std::memory_order_acq_rel)) {
      notify(BreakerState::HalfOpen, BreakerState::Closed);
    }
  }
  probe_busy_.store(false, std::memory_order_release);
}

void CircuitBreaker::release(const Permit& p) {
  if (p.probe) probe_busy_.store(false, std::memory_order_release);
}

CircuitOpenError CircuitBreaker::open_error() const {
  std::uint64_t w = word_.load(std::memory_order_acquire);
  std::string reason;
  int failures = 0;
  {
    std::lock_guard lock(reason_mutex_);
    reason = last_reason_;
    failures = failures_at_open_;
  }
  TimePoint since = from_ns(time_of(w));
  TimePoint retry_at = since + options_.recovery_timeout;
  TimePoint now = clock_.now();
  std::string msg = "circuit breaker for " + endpoint_ + " is open";
  if (state_of(w) == BreakerState::HalfOpen) {
    msg += " (half-open since " + format_wall_time(clock_.to_wall(since)) +
           ", a probe request is in flight); this call was not sent";
    retry_at = now;
  } else {
    msg += " since " + format_wall_time(clock_.to_wall(since));
    if (failures > 0) msg += " after " + std::to_string(failures) + " consecutive failures";
    if (!reason.empty()) msg += " (last: " + reason + ")";
    msg += "; it will let a probe request through at " + format_wall_time(clock_.to_wall(retry_at)) +
           " (in " + format_duration(retry_at > now ? retry_at - now : Duration(0)) +
           "); this call was not sent";
  }
  return CircuitOpenError(
      endpoint_, clock_.to_wall(since), clock_.to_wall(retry_at), std::move(msg),
      "the endpoint kept failing, so calls fail fast until it recovers; check that it is up, "
      "or tune PARAMS resilience.circuit_breaker (failure_threshold, recovery_timeout)");
}

}  // namespace sqlflow::resilience
