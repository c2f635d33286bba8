// Time for the resilience layer. Injectable so that the breaker and bucket state machines can be
// unit-tested deterministically (ManualClock) while production code uses the steady clock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "metrics/run_metrics.hpp"

namespace sqlflow::resilience {

using Duration = std::chrono::nanoseconds;
using TimePoint = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic now. Thread-safe.
  virtual TimePoint now() const = 0;
  // Blocks the calling thread until `t` (returns at once when `t` has passed). Thread-safe.
  virtual void sleep_until(TimePoint t) = 0;
  // The wall-clock time that corresponds to monotonic `t`, for messages and HTTP-dates.
  virtual WallTime to_wall(TimePoint t) const = 0;
  WallTime wall_now() const { return to_wall(now()); }
};

// The process-wide real clock (std::chrono::steady_clock, std::this_thread::sleep_until).
Clock& steady_clock();

// A clock that only moves when told to; sleep_until advances it to the target, so code that
// waits completes instantly and the test can assert on the exact time it waited for.
class ManualClock final : public Clock {
 public:
  // Starts at an arbitrary non-zero instant whose wall time is `wall_start`.
  explicit ManualClock(WallTime wall_start = WallTime(std::chrono::seconds(1'700'000'000)));
  TimePoint now() const override;
  void sleep_until(TimePoint t) override;
  WallTime to_wall(TimePoint t) const override;
  void advance(Duration d);
  // Total time that sleep_until advanced the clock by (what callers waited for).
  Duration slept() const { return Duration(slept_ns_.load()); }

 private:
  std::atomic<std::int64_t> now_ns_;
  std::atomic<std::int64_t> slept_ns_{0};
  WallTime wall_start_;
  std::int64_t start_ns_;
};

// "2024-05-01T12:00:01.123Z".
std::string format_wall_time(WallTime t);
// "1.5 s", "250 ms", "3 min".

// One duration format everywhere (metrics/run_metrics.hpp): "850 ms", "12.3 s", "2m03s".
using metrics::format_duration;

inline std::int64_t to_ns(TimePoint t) {
  return t.time_since_epoch().count();
}
inline TimePoint from_ns(std::int64_t ns) {
  return TimePoint(Duration(ns));
}

}  // namespace sqlflow::resilience
