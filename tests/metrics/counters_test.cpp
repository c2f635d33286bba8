#include "metrics/counters.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "metrics/histogram.hpp"

using namespace sqlflow::metrics;

TEST(Counter, FourThreadsSumExactly) {
  Counter c;
  constexpr int kThreads = 4;
  constexpr std::uint64_t kAdds = 250'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&c, t] {
      for (std::uint64_t i = 0; i < kAdds; ++i) c.add(static_cast<std::uint64_t>(t) + 1);
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(c.value(), kAdds * (1 + 2 + 3 + 4));
}

TEST(Counter, DefaultAddIsOne) {
  Counter c;
  c.add();
  c.add();
  EXPECT_EQ(c.value(), 2u);
}

TEST(ScopedNanos, AddsAtLeastTheTimeSlept) {
  Counter c;
  {
    ScopedNanos t(&c);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_GE(c.value(), 2'000'000u);
  { ScopedNanos none(nullptr); }  // no counter: must not crash
}

TEST(ScopedLatency, RecordsIntoHistogramAndCounter) {
  Histogram h;
  Counter wait;
  {
    ScopedLatency t(&h, &wait);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  auto s = h.snapshot();
  EXPECT_EQ(s.count, 1u);
  EXPECT_EQ(s.sum_ns, wait.value());
  EXPECT_GE(s.max_ns, 1'000'000u);
}
