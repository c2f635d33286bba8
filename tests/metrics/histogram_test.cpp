#include "metrics/histogram.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

using namespace sqlflow::metrics;

TEST(Histogram, BoundsAreIncreasingAndLogScale) {
  const auto& b = Histogram::kUpperBoundsNs;
  for (std::size_t i = 1; i < b.size(); ++i) {
    EXPECT_LT(b[i - 1], b[i]);
    // 1-2-5 per decade: each bound is 2x or 2.5x the previous one.
    EXPECT_TRUE(b[i] == 2 * b[i - 1] || b[i] * 2 == 5 * b[i - 1]) << i;
  }
}

TEST(Histogram, BucketIndexUsesLessOrEqual) {
  const auto& b = Histogram::kUpperBoundsNs;
  EXPECT_EQ(Histogram::bucket_index(0), 0u);
  EXPECT_EQ(Histogram::bucket_index(b[0]), 0u);
  EXPECT_EQ(Histogram::bucket_index(b[0] + 1), 1u);
  for (std::size_t i = 1; i < b.size(); ++i) {
    EXPECT_EQ(Histogram::bucket_index(b[i]), i);
    EXPECT_EQ(Histogram::bucket_index(b[i - 1] + 1), i);
  }
  EXPECT_EQ(Histogram::bucket_index(b.back() + 1), Histogram::kBuckets - 1);
  EXPECT_EQ(Histogram::bucket_index(UINT64_MAX), Histogram::kBuckets - 1);
}

TEST(Histogram, SnapshotCountsSumAndMax) {
  Histogram h;
  h.record_ns(5'000);                      // bucket 0 (<= 10 µs)
  h.record_ns(10'000);                     // bucket 0
  h.record_ns(1'500'000);                  // (1 ms, 2 ms] → bucket of 2 ms
  h.record(std::chrono::seconds(200));     // +Inf
  h.record(std::chrono::nanoseconds(-5));  // clamps to 0 → bucket 0
  auto s = h.snapshot();
  EXPECT_EQ(s.count, 5u);
  EXPECT_EQ(s.buckets[0], 3u);
  EXPECT_EQ(s.buckets[Histogram::bucket_index(2'000'000)], 1u);
  EXPECT_EQ(s.buckets[Histogram::kBuckets - 1], 1u);
  EXPECT_EQ(s.sum_ns, 5'000u + 10'000u + 1'500'000u + 200'000'000'000u);
  EXPECT_EQ(s.max_ns, 200'000'000'000u);
  std::uint64_t total = 0;
  for (auto n : s.buckets) total += n;
  EXPECT_EQ(total, s.count);
}

TEST(Histogram, QuantilesInterpolateWithinTheBucket) {
  Histogram empty;
  EXPECT_EQ(empty.snapshot().quantile_seconds(0.5), 0.0);

  Histogram h;
  for (int i = 0; i < 100; ++i) h.record_ns(1'500'000);  // all in (1 ms, 2 ms]
  auto s = h.snapshot();
  double p50 = s.quantile_seconds(0.5);
  EXPECT_GT(p50, 0.001);
  EXPECT_LE(p50, 0.0015);  // capped at the observed max
  EXPECT_DOUBLE_EQ(s.quantile_seconds(1.0), 0.0015);

  Histogram mixed;
  for (int i = 0; i < 90; ++i) mixed.record_ns(15'000);         // (10 µs, 20 µs]
  for (int i = 0; i < 10; ++i) mixed.record_ns(3'000'000'000);  // (2 s, 5 s]
  auto m = mixed.snapshot();
  EXPECT_LE(m.quantile_seconds(0.5), 20e-6);
  EXPECT_GT(m.quantile_seconds(0.99), 2.0);
}

TEST(Histogram, ConcurrentRecordsAreAllCounted) {
  Histogram h;
  constexpr int kThreads = 4;
  constexpr int kRecords = 100'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&h, t] {
      for (int i = 0; i < kRecords; ++i) h.record_ns(static_cast<std::uint64_t>((i % 1000) * 1000 + t));
    });
  for (auto& th : threads) th.join();
  auto s = h.snapshot();
  EXPECT_EQ(s.count, static_cast<std::uint64_t>(kThreads) * kRecords);
  EXPECT_EQ(s.max_ns, 999'000u + 3u);
}
