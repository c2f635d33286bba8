#include "resilience/clock.hpp"

#include <cstdio>
#include <ctime>
#include <thread>

namespace sqlflow::resilience {

namespace {

class SteadyClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
  void sleep_until(TimePoint t) override {
    if (t > now()) std::this_thread::sleep_until(t);
  }
  WallTime to_wall(TimePoint t) const override {
    auto offset = t - std::chrono::steady_clock::now();
    return std::chrono::system_clock::now() +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(offset);
  }
};

}  // namespace

Clock& steady_clock() {
  static SteadyClock clock;
  return clock;
}

ManualClock::ManualClock(WallTime wall_start)
    : now_ns_(1'000'000'000'000), wall_start_(wall_start), start_ns_(1'000'000'000'000) {}

TimePoint ManualClock::now() const {
  return from_ns(now_ns_.load());
}

void ManualClock::sleep_until(TimePoint t) {
  std::int64_t target = to_ns(t);
  std::int64_t cur = now_ns_.load();
  while (target > cur) {
    if (now_ns_.compare_exchange_weak(cur, target)) {
      slept_ns_.fetch_add(target - cur);
      return;
    }
  }
}

WallTime ManualClock::to_wall(TimePoint t) const {
  return wall_start_ +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(Duration(to_ns(t) - start_ns_));
}

void ManualClock::advance(Duration d) {
  now_ns_.fetch_add(d.count());
}

std::string format_wall_time(WallTime t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace sqlflow::resilience
