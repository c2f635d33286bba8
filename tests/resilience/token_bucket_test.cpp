#include "resilience/token_bucket.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.hpp"

using namespace sqlflow::resilience;
using namespace std::chrono_literals;

TEST(TokenBucket, BurstThenSustainedRate) {
  ManualClock clock;
  TokenBucket b("host", 120, 3, clock);  // one token per 500 ms, three at once
  TimePoint t0 = clock.now();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(b.reserve(t0), t0) << i;
  EXPECT_EQ(b.reserve(t0), t0 + 500ms);
  EXPECT_EQ(b.reserve(t0), t0 + 1000ms);
  // After idling long enough the burst is back, but never more than `burst`.
  TimePoint later = t0 + 60s;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(b.reserve(later), later);
  EXPECT_EQ(b.reserve(later), later + 500ms);
}

TEST(TokenBucket, AcquireWaitsOnTheClock) {
  ManualClock clock;
  TokenBucket b("host", 60, 1, clock);
  EXPECT_EQ(b.acquire(), Duration(0));
  EXPECT_EQ(b.acquire(), Duration(1s));
  EXPECT_EQ(b.acquire(), Duration(1s));
  EXPECT_EQ(clock.slept(), Duration(2s));
}

TEST(TokenBucket, TryAcquireFailsFastWithoutTakingATokenWhenEmpty) {
  ManualClock clock;
  TokenBucket b("host", 60, 2, clock);
  TimePoint t0 = clock.now();
  EXPECT_TRUE(b.try_acquire(t0));
  EXPECT_TRUE(b.try_acquire(t0));
  EXPECT_FALSE(b.try_acquire(t0));
  EXPECT_FALSE(b.try_acquire(t0 + 999ms));
  EXPECT_TRUE(b.try_acquire(t0 + 1s));
  EXPECT_FALSE(b.try_acquire(t0 + 1s));
}

TEST(TokenBucket, PauseUntilHoldsEveryoneBackAndEmptiesTheBurst) {
  ManualClock clock;
  TokenBucket b("host", 600, 5, clock);  // 100 ms per token
  TimePoint t0 = clock.now();
  b.pause_until(t0 + 2s);
  EXPECT_EQ(b.reserve(t0), t0 + 2s);
  EXPECT_EQ(b.reserve(t0), t0 + 2100ms);
}

TEST(TokenBucket, FollowsShopifyCallLimitHeader) {
  ManualClock clock;
  TokenBucket b("shop", 120, 40, clock);
  TimePoint t0 = clock.now();
  // The server says 38 of 40 are used: only 2 may go at once, then the leak rate applies.
  b.observe_server_usage(38, 40, t0);
  EXPECT_NEAR(b.available(t0), 2.0, 1e-6);
  EXPECT_EQ(b.reserve(t0), t0);
  EXPECT_EQ(b.reserve(t0), t0);
  EXPECT_EQ(b.reserve(t0), t0 + 500ms);
  // A bigger server bucket (Shopify Plus reports 400) raises the burst we allow.
  b.observe_server_usage(0, 400, t0 + 100s);
  EXPECT_NEAR(b.burst(), 400.0, 1e-6);
  // Reports never make the local view more optimistic than it is.
  TokenBucket c("shop2", 120, 40, clock);
  c.observe_server_usage(40, 40, t0);
  c.observe_server_usage(0, 40, t0);
  EXPECT_EQ(c.reserve(t0), t0 + 500ms);
}

TEST(TokenBucket, AdoptsACostBasedServerBucket) {
  ManualClock clock;
  TokenBucket b("graphql", 60, 10, clock);
  TimePoint t0 = clock.now();
  b.observe_server_bucket(1000, 100, 50, t0);  // 1000 points, 100 left, restores 50/s
  EXPECT_NEAR(b.requests_per_minute(), 3000, 1e-6);
  EXPECT_EQ(b.reserve(t0, 100), t0);       // the 100 points left
  EXPECT_EQ(b.reserve(t0, 100), t0 + 2s);  // 100 more points take 2 s to restore
}

TEST(TokenBucket, ConcurrentReservationsNeitherLoseNorDuplicateSlots) {
  ManualClock clock;
  TokenBucket b("host", 6000, 5, clock);  // 10 ms per token
  TimePoint t0 = clock.now();
  std::mutex m;
  std::vector<TimePoint> got;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      std::vector<TimePoint> mine;
      for (int i = 0; i < 250; ++i) mine.push_back(b.reserve(t0));
      std::lock_guard lock(m);
      got.insert(got.end(), mine.begin(), mine.end());
    });
  for (auto& t : threads) t.join();
  std::sort(got.begin(), got.end());
  ASSERT_EQ(got.size(), 1000u);
  for (size_t k = 0; k < got.size(); ++k) {
    auto expected = t0 + std::chrono::milliseconds(10) * static_cast<long>(k < 5 ? 0 : k - 4);
    ASSERT_EQ(got[k], expected) << "slot " << k;
  }
}

TEST(TokenBucket, ConcurrentTryAcquireGrantsExactlyTheBurst) {
  ManualClock clock;
  TokenBucket b("host", 1, 7, clock);
  TimePoint t0 = clock.now();
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i)
        if (b.try_acquire(t0)) granted.fetch_add(1);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 7);
}

TEST(TokenBucket, RejectsBadShape) {
  ManualClock clock;
  EXPECT_THROW(TokenBucket("h", 0, 1, clock), sqlflow::Error);
  EXPECT_THROW(TokenBucket("h", 10, 0.5, clock), sqlflow::Error);
}
