#include "resilience/server_quota.hpp"

#include <algorithm>
#include <bit>

namespace sqlflow::resilience {

namespace {
// A server that states what is left but not when its window resets is asked again this often.
constexpr Duration kUnknownWindow = std::chrono::seconds(1);
// RateLimit-Reset and X-RateLimit-Reset count whole seconds (rounded up, or the end of a second),
// and answers travel: the ends that answers of one window imply differ by up to this much.
constexpr Duration kSameWindowSlack = std::chrono::milliseconds(1500);
// How many of the latest answers refusals are counted over.
constexpr std::uint32_t kRecentAnswers = 16;
}  // namespace

std::optional<TimePoint> ServerQuota::admit(TimePoint now, Duration max_wait) {
  if (!active_.load(std::memory_order_acquire)) {
    in_flight_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  std::lock_guard lock(mutex_);
  if (paused_until_ > now && paused_until_ - now <= max_wait) return paused_until_;
  if (window_end_ > now) {
    if (budget_ >= 1) {
      budget_ -= 1;
    } else if (window_end_ - now <= max_wait) {
      return window_end_;
    }
  } else if (paused_until_ <= now) {
    active_.store(false, std::memory_order_release);  // the window is over: nothing known any more
  }
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

void ServerQuota::done() {
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
}

void ServerQuota::observe(const ServerQuotaState& state, TimePoint now) {
  // The answer counted what the server had seen; requests sent since (the others in flight) will
  // use up part of what it reports as remaining.
  const auto others = std::max<std::int64_t>(0, in_flight_.load(std::memory_order_relaxed) - 1);
  const double estimate = std::max(0.0, state.remaining - static_cast<double>(others));
  const TimePoint end = now + (state.reset > Duration(0) ? state.reset : kUnknownWindow);
  std::lock_guard lock(mutex_);
  // Answers can arrive out of order: within one window what is left only shrinks, so an older
  // answer's larger count must not raise the budget; and each answer's end is at or after the
  // window's true end, so the earliest is the closest. A clearly later end is a new window.
  const bool same_window = window_end_ > now && end <= window_end_ + kSameWindowSlack;
  budget_ = same_window ? std::min(budget_, estimate) : estimate;
  window_end_ = same_window ? std::min(window_end_, end) : end;
  active_.store(true, std::memory_order_release);
}

void ServerQuota::pause_until(TimePoint until) {
  std::lock_guard lock(mutex_);
  paused_until_ = std::max(paused_until_, until);
  active_.store(true, std::memory_order_release);
}

void ServerQuota::record_answer(bool refused) {
  std::uint32_t old = recent_.load(std::memory_order_relaxed);
  while (!recent_.compare_exchange_weak(old, (old << 1) | (refused ? 1u : 0u), std::memory_order_relaxed)) {
  }
  if (answers_.load(std::memory_order_relaxed) < kRecentAnswers)
    answers_.fetch_add(1, std::memory_order_relaxed);  // may overshoot by a few: clamped below
}

bool ServerQuota::refusals_cluster() const {
  const std::uint32_t n = std::min(answers_.load(std::memory_order_relaxed), kRecentAnswers);
  const std::uint32_t mask = (1u << kRecentAnswers) - 1;
  const auto refused =
      static_cast<std::uint32_t>(std::popcount(recent_.load(std::memory_order_relaxed) & mask));
  return refused > 0 && refused * 4 >= n;
}

}  // namespace sqlflow::resilience
