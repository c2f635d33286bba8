#include "metrics/histogram.hpp"

#include <algorithm>

#include "metrics/counters.hpp"

namespace sqlflow::metrics {

std::size_t Histogram::bucket_index(std::uint64_t ns) noexcept {
  // First bound >= ns: "le" semantics, so a value equal to a bound belongs to that bucket.
  auto it = std::lower_bound(kUpperBoundsNs.begin(), kUpperBoundsNs.end(), ns);
  return static_cast<std::size_t>(it - kUpperBoundsNs.begin());
}

void Histogram::record_ns(std::uint64_t ns) noexcept {
  buckets_[bucket_index(ns)].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(ns, std::memory_order_relaxed);
  std::uint64_t seen = max_ns_.load(std::memory_order_relaxed);
  while (ns > seen && !max_ns_.compare_exchange_weak(seen, ns, std::memory_order_relaxed)) {
  }
}

Histogram::Snapshot Histogram::snapshot() const noexcept {
  Snapshot s;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    s.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
    s.count += s.buckets[i];
  }
  s.sum_ns = sum_ns_.load(std::memory_order_relaxed);
  s.max_ns = max_ns_.load(std::memory_order_relaxed);
  return s;
}

double Histogram::Snapshot::quantile_seconds(double q) const noexcept {
  if (count == 0) return 0.0;
  q = std::clamp(q, 0.0, 1.0);
  const double rank = q * static_cast<double>(count);
  double max_s = static_cast<double>(max_ns) / 1e9;
  std::uint64_t below = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    if (buckets[i] == 0) continue;
    if (static_cast<double>(below + buckets[i]) >= rank) {
      if (i == kBuckets - 1) return max_s;  // +Inf bucket: the max is the best bound we have
      double lo = i == 0 ? 0.0 : static_cast<double>(kUpperBoundsNs[i - 1]);
      double hi = static_cast<double>(kUpperBoundsNs[i]);
      double frac = (rank - static_cast<double>(below)) / static_cast<double>(buckets[i]);
      return std::min((lo + (hi - lo) * frac) / 1e9, max_s);
    }
    below += buckets[i];
  }
  return max_s;
}

ScopedLatency::~ScopedLatency() {
  auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_);
  std::uint64_t ns = d.count() < 0 ? 0 : static_cast<std::uint64_t>(d.count());
  if (histogram_) histogram_->record_ns(ns);
  if (wait_ns_) wait_ns_->add(ns);
}

}  // namespace sqlflow::metrics
