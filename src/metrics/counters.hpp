// Lock-free counters for the hot path: a Counter is one relaxed atomic, so connectors can count
// rows, bytes and waits from any thread at the cost of one uncontended atomic add per chunk.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace sqlflow::metrics {

// A monotonically increasing 64-bit count. Relaxed ordering is enough: readers (progress thread,
// exporters) only need an eventually exact value, and exporters run after the writers joined.
// Count per chunk or per request, never per row.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void add(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// Adds the nanoseconds between construction and destruction to a counter (e.g. a step's
// network_wait_ns around a blocking receive). A null counter makes it a no-op.
class ScopedNanos {
 public:
  explicit ScopedNanos(Counter* counter) noexcept
      : counter_(counter),
        start_(counter ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{}) {}
  ScopedNanos(const ScopedNanos&) = delete;
  ScopedNanos& operator=(const ScopedNanos&) = delete;
  ~ScopedNanos() {
    if (counter_) {
      auto ns =
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_);
      counter_->add(static_cast<std::uint64_t>(ns.count()));
    }
  }

 private:
  Counter* counter_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace sqlflow::metrics
