#include "resilience/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace sqlflow::resilience;
using namespace std::chrono_literals;

namespace {

BreakerOptions opts(int failures, Duration recovery, int successes) {
  BreakerOptions o;
  o.failure_threshold = failures;
  o.recovery_timeout = recovery;
  o.success_threshold = successes;
  return o;
}

}  // namespace

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresAndFailsFastWithDetails) {
  ManualClock clock;
  std::vector<std::pair<BreakerState, BreakerState>> transitions;
  CircuitBreaker br(
      "https://api.example.com:443", opts(3, 30s, 1), clock,
      [&](const std::string&, BreakerState from, BreakerState to) { transitions.emplace_back(from, to); });
  for (int i = 0; i < 2; ++i) {
    auto p = br.try_acquire();
    ASSERT_TRUE(p.allowed);
    br.record_failure(p, "HTTP 503");
  }
  EXPECT_EQ(br.state(), BreakerState::Closed);
  // A success in between resets the count: failures must be consecutive.
  br.record_success(br.try_acquire());
  EXPECT_EQ(br.consecutive_failures(), 0);
  for (int i = 0; i < 3; ++i) br.record_failure(br.try_acquire(), "HTTP 503");
  EXPECT_EQ(br.state(), BreakerState::Open);
  ASSERT_EQ(transitions.size(), 1u);
  EXPECT_EQ(transitions[0].second, BreakerState::Open);

  clock.advance(10s);
  EXPECT_FALSE(br.try_acquire().allowed);
  EXPECT_TRUE(br.rejects_now());
  CircuitOpenError e = br.open_error();
  std::string msg = e.what();
  EXPECT_NE(msg.find("https://api.example.com:443"), std::string::npos) << msg;
  EXPECT_NE(msg.find("open since " + format_wall_time(clock.to_wall(clock.now() - 10s))), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("at " + format_wall_time(clock.to_wall(clock.now() + 20s))), std::string::npos) << msg;
  EXPECT_NE(msg.find("3 consecutive failures"), std::string::npos) << msg;
  EXPECT_NE(msg.find("HTTP 503"), std::string::npos) << msg;
  EXPECT_EQ(e.endpoint(), "https://api.example.com:443");
  EXPECT_EQ(e.retry_at(), clock.to_wall(clock.now() + 20s));
}

// A run of failures opens it only when they are most of the recent attempts: an endpoint that
// fails one request in five (and answers the retries) is flaky, not down.
TEST(CircuitBreaker, AFlakyEndpointStaysClosedAndADeadOneOpens) {
  ManualClock clock;
  CircuitBreaker br("https://api.example.com:443", opts(5, 30s, 1), clock);
  for (int i = 0; i < 64 * 4; ++i) br.record_success(br.try_acquire());
  // Six failures in a row after 256 successes: 6 of the last 64 attempts, not half.
  for (int i = 0; i < 6; ++i) br.record_failure(br.try_acquire(), "HTTP 503");
  EXPECT_EQ(br.state(), BreakerState::Closed);
  EXPECT_EQ(br.consecutive_failures(), 6);
  // One in five failing, for a long time: still closed.
  for (int i = 0; i < 1000; ++i) {
    auto p = br.try_acquire();
    if (i % 5 == 0)
      br.record_failure(p, "HTTP 503");
    else
      br.record_success(p);
  }
  EXPECT_EQ(br.state(), BreakerState::Closed);
  // Down: it keeps failing until half of the last 64 attempts failed.
  int failures = 0;
  while (br.state() == BreakerState::Closed && failures < 100) {
    br.record_failure(br.try_acquire(), "connection refused");
    ++failures;
  }
  EXPECT_EQ(br.state(), BreakerState::Open);
  EXPECT_LE(failures, 32);
  EXPECT_EQ(failures, 24);  // 24 + the 8 failures of the last 40 one-in-five attempts = 32 of 64
}

TEST(CircuitBreaker, HalfOpenLetsOneProbeThroughAndClosesAfterSuccessThreshold) {
  ManualClock clock;
  CircuitBreaker br("db", opts(2, 5s, 2), clock);
  br.record_failure(br.try_acquire());
  br.record_failure(br.try_acquire());
  ASSERT_EQ(br.state(), BreakerState::Open);
  clock.advance(4999ms);
  EXPECT_FALSE(br.try_acquire().allowed);
  clock.advance(1ms);
  auto probe = br.try_acquire();
  ASSERT_TRUE(probe.allowed);
  EXPECT_TRUE(probe.probe);
  EXPECT_EQ(br.state(), BreakerState::HalfOpen);
  // While the probe is out, everything else is refused.
  EXPECT_FALSE(br.try_acquire().allowed);
  br.record_success(probe);
  EXPECT_EQ(br.state(), BreakerState::HalfOpen);  // one success of two
  auto probe2 = br.try_acquire();
  ASSERT_TRUE(probe2.probe);
  br.record_success(probe2);
  EXPECT_EQ(br.state(), BreakerState::Closed);
  auto p = br.try_acquire();
  EXPECT_TRUE(p.allowed);
  EXPECT_FALSE(p.probe);
}

TEST(CircuitBreaker, FailedProbeReopensForAnotherRecoveryTimeout) {
  ManualClock clock;
  CircuitBreaker br("db", opts(1, 5s, 1), clock);
  br.record_failure(br.try_acquire());
  clock.advance(5s);
  auto probe = br.try_acquire();
  ASSERT_TRUE(probe.probe);
  br.record_failure(probe, "timeout");
  EXPECT_EQ(br.state(), BreakerState::Open);
  EXPECT_EQ(br.times_opened(), 2u);
  clock.advance(4s);
  EXPECT_FALSE(br.try_acquire().allowed);
  clock.advance(1s);
  EXPECT_TRUE(br.try_acquire().probe);
}

TEST(CircuitBreaker, StaleResultsFromBeforeOpeningAreIgnored) {
  ManualClock clock;
  CircuitBreaker br("x", opts(2, 5s, 1), clock);
  auto a = br.try_acquire(), b = br.try_acquire(), c = br.try_acquire();
  br.record_failure(a);
  br.record_failure(b);
  ASSERT_EQ(br.state(), BreakerState::Open);
  br.record_success(c);  // admitted while closed, finished after opening
  EXPECT_EQ(br.state(), BreakerState::Open);
  br.release(c);
  EXPECT_EQ(br.state(), BreakerState::Open);
}

TEST(CircuitBreaker, ConcurrentFailuresOpenItExactlyOnce) {
  ManualClock clock;
  std::atomic<int> opened{0};
  CircuitBreaker br("x", opts(50, 60s, 1), clock, [&](const std::string&, BreakerState, BreakerState to) {
    if (to == BreakerState::Open) opened.fetch_add(1);
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        auto p = br.try_acquire();
        if (p.allowed) br.record_failure(p);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(br.state(), BreakerState::Open);
  EXPECT_EQ(opened.load(), 1);
  EXPECT_EQ(br.times_opened(), 1u);
}

TEST(CircuitBreaker, ConcurrentHalfOpenAdmitsExactlyOneProbe) {
  ManualClock clock;
  CircuitBreaker br("x", opts(1, 1s, 1), clock);
  br.record_failure(br.try_acquire());
  clock.advance(2s);
  std::atomic<int> allowed{0}, probes{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      while (!go.load()) {
      }
      for (int i = 0; i < 500; ++i) {
        auto p = br.try_acquire();
        if (p.allowed) allowed.fetch_add(1);
        if (p.probe) probes.fetch_add(1);
      }
    });
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 1);
  EXPECT_EQ(probes.load(), 1);
}

TEST(CircuitBreaker, ClosedPathUnderTwoThreadsStaysClosedWithoutFailures) {
  ManualClock clock;
  CircuitBreaker br("x", opts(3, 1s, 1), clock);
  std::atomic<long> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 100000; ++i) {
        auto p = br.try_acquire();
        if (p.allowed) {
          br.record_success(p);
          ok.fetch_add(1, std::memory_order_relaxed);
        }
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 200000);
  EXPECT_EQ(br.state(), BreakerState::Closed);
}

TEST(CircuitBreaker, ValidatesOptions) {
  ManualClock clock;
  EXPECT_THROW(CircuitBreaker("x", opts(0, 1s, 1), clock), sqlflow::Error);
  EXPECT_THROW(CircuitBreaker("x", opts(1, 1s, 0), clock), sqlflow::Error);
}
