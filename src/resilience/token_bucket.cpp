#include "resilience/token_bucket.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace sqlflow::resilience {

TokenBucket::TokenBucket(std::string key, double requests_per_minute, double burst, Clock& clock)
    : key_(std::move(key)), clock_(clock), interval_ns_(0), tolerance_ns_(0) {
  if (!(requests_per_minute > 0) || !std::isfinite(requests_per_minute))
    throw validation_error("resilience.rate_limit.requests_per_minute must be a positive number");
  if (!(burst >= 1) || !std::isfinite(burst))
    throw validation_error("resilience.rate_limit.burst must be at least 1");
  set_shape(requests_per_minute, burst);
}

void TokenBucket::set_shape(double requests_per_minute, double burst) {
  double interval = 60e9 / requests_per_minute;
  interval_ns_.store(interval, std::memory_order_relaxed);
  tolerance_ns_.store((burst - 1.0) * interval, std::memory_order_relaxed);
}

TimePoint TokenBucket::reserve(TimePoint now_tp, double cost) {
  const std::int64_t now = to_ns(now_tp);
  const double interval = interval_ns_.load(std::memory_order_relaxed);
  const auto step = static_cast<std::int64_t>(interval * cost);
  const auto tolerance = static_cast<std::int64_t>(tolerance_ns_.load(std::memory_order_relaxed));
  std::int64_t old = tat_ns_.load(std::memory_order_relaxed);
  for (;;) {
    std::int64_t base = std::max(old, now);
    if (tat_ns_.compare_exchange_weak(old, base + step, std::memory_order_acq_rel,
                                      std::memory_order_relaxed)) {
      // With cost 1 this is base - tolerance; a heavier request needs room for all its tokens.
      std::int64_t allowed = base + step - static_cast<std::int64_t>(interval) - tolerance;
      return from_ns(std::max(allowed, now));
    }
  }
}

bool TokenBucket::try_acquire(TimePoint now_tp, double cost) {
  const std::int64_t now = to_ns(now_tp);
  const double interval = interval_ns_.load(std::memory_order_relaxed);
  const auto step = static_cast<std::int64_t>(interval * cost);
  const auto tolerance = static_cast<std::int64_t>(tolerance_ns_.load(std::memory_order_relaxed));
  std::int64_t old = tat_ns_.load(std::memory_order_relaxed);
  for (;;) {
    std::int64_t base = std::max(old, now);
    if (base + step - static_cast<std::int64_t>(interval) - tolerance > now) return false;
    if (tat_ns_.compare_exchange_weak(old, base + step, std::memory_order_acq_rel, std::memory_order_relaxed))
      return true;
  }
}

Duration TokenBucket::acquire(double cost) {
  TimePoint now = clock_.now();
  TimePoint at = reserve(now, cost);
  if (at <= now) return Duration(0);
  clock_.sleep_until(at);
  return at - now;
}

void TokenBucket::raise_tat(std::int64_t at_least) {
  std::int64_t old = tat_ns_.load(std::memory_order_relaxed);
  while (old < at_least && !tat_ns_.compare_exchange_weak(old, at_least, std::memory_order_acq_rel,
                                                          std::memory_order_relaxed)) {
  }
}

void TokenBucket::pause_until(TimePoint t) {
  // reserve() then returns at least tat - tolerance for the next request.
  raise_tat(to_ns(t) + static_cast<std::int64_t>(tolerance_ns_.load(std::memory_order_relaxed)));
}

void TokenBucket::observe_server_usage(double used, double capacity, TimePoint now) {
  if (!(capacity >= 1) || !std::isfinite(capacity) || !std::isfinite(used)) return;
  const double interval = interval_ns_.load(std::memory_order_relaxed);
  // The server's bucket size is the burst it allows; the leak rate stays what we were configured
  // with (the header does not carry it).
  tolerance_ns_.store((capacity - 1.0) * interval, std::memory_order_relaxed);
  double remaining = std::max(0.0, capacity - used);
  // At most `remaining` may go at once: tat >= now + tolerance - (remaining - 1) * interval.
  double at_least = static_cast<double>(to_ns(now)) + (capacity - remaining) * interval;
  raise_tat(static_cast<std::int64_t>(at_least));
}

void TokenBucket::observe_server_bucket(double maximum_available, double currently_available,
                                        double restore_per_second, TimePoint now) {
  if (!(maximum_available >= 1) || !(restore_per_second > 0) || !std::isfinite(maximum_available) ||
      !std::isfinite(restore_per_second) || !std::isfinite(currently_available))
    return;
  set_shape(restore_per_second * 60.0, maximum_available);
  observe_server_usage(maximum_available - currently_available, maximum_available, now);
}

double TokenBucket::requests_per_minute() const {
  return 60e9 / interval_ns_.load(std::memory_order_relaxed);
}

double TokenBucket::burst() const {
  return tolerance_ns_.load(std::memory_order_relaxed) / interval_ns_.load(std::memory_order_relaxed) + 1.0;
}

double TokenBucket::available(TimePoint now_tp) const {
  const double interval = interval_ns_.load(std::memory_order_relaxed);
  const double tolerance = tolerance_ns_.load(std::memory_order_relaxed);
  double ahead = static_cast<double>(std::max<std::int64_t>(0, tat_ns_.load() - to_ns(now_tp)));
  return std::max(0.0, (tolerance - ahead) / interval + 1.0);
}

}  // namespace sqlflow::resilience
