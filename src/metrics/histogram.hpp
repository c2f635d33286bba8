// Lock-free latency histogram with fixed log-scale buckets (1-2-5 per decade, 10 µs … 100 s),
// used for request latency per connector and exported to JSON and Prometheus.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "metrics/counters.hpp"

namespace sqlflow::metrics {

class Histogram {
 public:
  // Upper bounds (inclusive, "le" in Prometheus terms) in nanoseconds. A value v falls into the
  // first bucket whose bound is >= v; values above the last bound fall into the +Inf bucket.
  // Fixed so that files from different runs and versions line up bucket for bucket.
  static constexpr std::array<std::uint64_t, 22> kUpperBoundsNs = {
      10'000,         20'000,         50'000,                         // 10-50 µs
      100'000,        200'000,        500'000,                        // 0.1-0.5 ms
      1'000'000,      2'000'000,      5'000'000,                      // 1-5 ms
      10'000'000,     20'000'000,     50'000'000,                     // 10-50 ms
      100'000'000,    200'000'000,    500'000'000,                    // 0.1-0.5 s
      1'000'000'000,  2'000'000'000,  5'000'000'000,                  // 1-5 s
      10'000'000'000, 20'000'000'000, 50'000'000'000,                 // 10-50 s
      100'000'000'000};                                               // 100 s
  static constexpr std::size_t kBuckets = kUpperBoundsNs.size() + 1;  // the last one is +Inf

  // Which bucket `ns` is counted in (kBuckets - 1 for +Inf).
  static std::size_t bucket_index(std::uint64_t ns) noexcept;

  Histogram() = default;
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Thread-safe and wait-free apart from the max update (a short CAS loop that only retries
  // while another thread raises the max concurrently).
  void record_ns(std::uint64_t ns) noexcept;
  void record(std::chrono::nanoseconds d) noexcept {
    record_ns(d.count() < 0 ? 0 : static_cast<std::uint64_t>(d.count()));
  }

  struct Snapshot {
    std::array<std::uint64_t, kBuckets> buckets{};  // per bucket, not cumulative
    std::uint64_t count = 0;                        // always the sum of buckets
    std::uint64_t sum_ns = 0;
    std::uint64_t max_ns = 0;

    // Estimated q-quantile (0 < q <= 1) in seconds: linear interpolation inside the bucket
    // holding the rank (as Prometheus' histogram_quantile does), capped at the observed max.
    // 0 when empty.
    double quantile_seconds(double q) const noexcept;
  };
  // A copy of the current values. Exact once the writers have stopped; during recording the
  // fields may be a few records apart from each other (count is derived from buckets, so
  // count == sum(buckets) always holds).
  Snapshot snapshot() const noexcept;

 private:
  std::array<std::atomic<std::uint64_t>, kBuckets> buckets_{};
  std::atomic<std::uint64_t> sum_ns_{0};
  std::atomic<std::uint64_t> max_ns_{0};
};

// Records the time from construction to destruction into a histogram and/or adds it to a
// counter (either may be null), e.g. around one HTTP request.
class ScopedLatency {
 public:
  ScopedLatency(Histogram* histogram, Counter* wait_ns) noexcept
      : histogram_(histogram), wait_ns_(wait_ns), start_(std::chrono::steady_clock::now()) {}
  ScopedLatency(const ScopedLatency&) = delete;
  ScopedLatency& operator=(const ScopedLatency&) = delete;
  ~ScopedLatency();

 private:
  Histogram* histogram_;
  Counter* wait_ns_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace sqlflow::metrics
