#include "resilience/policy.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "resilience/profiles.hpp"

using namespace sqlflow;
using namespace sqlflow::resilience;
using namespace std::chrono_literals;

namespace {

ResilienceOptions fast_options() {
  ResilienceOptions o;
  o.retry.max_attempts = 4;
  o.retry.initial_delay = 100ms;
  o.retry.max_delay = 1s;
  o.circuit_breaker.failure_threshold = 5;
  o.circuit_breaker.recovery_timeout = 10s;
  o.circuit_breaker.success_threshold = 1;
  o.rate_limit.enabled = false;
  return o;
}

Error transient(const std::string& what) {
  return connection_error(what, /*retryable=*/true);
}

struct Recorder : PolicyObserver {
  std::vector<Duration> delays;
  std::vector<std::pair<BreakerState, BreakerState>> transitions;
  int give_ups = 0;
  void on_retry(const std::string&, int, Duration d, const Failure&) override { delays.push_back(d); }
  void on_give_up(const std::string&, int, const Failure&) override { ++give_ups; }
  void on_breaker_transition(const std::string&, BreakerState f, BreakerState t) override {
    transitions.emplace_back(f, t);
  }
};

}  // namespace

TEST(ResiliencePolicy, RetriesRetryableErrorsWithBoundedFullJitterBackoff) {
  ManualClock clock;
  ResiliencePolicy policy(fast_options(), clock);
  auto rec = std::make_shared<Recorder>();
  policy.set_observer(rec);
  int calls = 0;
  int result = policy.execute("svc", [&] {
    if (++calls < 4) throw transient("connection reset by peer");
    return 42;
  });
  EXPECT_EQ(result, 42);
  EXPECT_EQ(calls, 4);
  auto s = policy.stats().snapshot();
  EXPECT_EQ(s.calls, 1u);
  EXPECT_EQ(s.attempts, 4u);
  EXPECT_EQ(s.retries, 3u);
  EXPECT_EQ(s.failures, 0u);
  ASSERT_EQ(rec->delays.size(), 3u);
  // Full jitter: each delay is within [0, min(max_delay, initial * 2^(n-1))].
  EXPECT_LE(rec->delays[0], 100ms);
  EXPECT_LE(rec->delays[1], 200ms);
  EXPECT_LE(rec->delays[2], 400ms);
  EXPECT_EQ(clock.slept(), rec->delays[0] + rec->delays[1] + rec->delays[2]);
}

TEST(ResiliencePolicy, WithoutJitterWaitsTheExponentialScheduleCappedAtMaxDelay) {
  ManualClock clock;
  auto o = fast_options();
  o.retry.jitter = false;
  o.retry.max_attempts = 6;
  o.retry.max_delay = 500ms;
  o.circuit_breaker.enabled = false;
  ResiliencePolicy policy(o, clock);
  auto rec = std::make_shared<Recorder>();
  policy.set_observer(rec);
  EXPECT_THROW(policy.execute("svc", [&]() -> int { throw transient("timeout"); }), Error);
  std::vector<Duration> expected = {100ms, 200ms, 400ms, 500ms, 500ms};
  EXPECT_EQ(rec->delays, expected);
}

TEST(ResiliencePolicy, NonRetryableErrorsAreRethrownUnchangedAfterOneAttempt) {
  ManualClock clock;
  ResiliencePolicy policy(fast_options(), clock);
  int calls = 0;
  try {
    policy.execute("svc", [&] {
      ++calls;
      throw validation_error("HTTP 404 for GET /missing");
    });
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "HTTP 404 for GET /missing");
    EXPECT_EQ(e.kind(), ErrorKind::Validation);
  }
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(clock.slept(), Duration(0));
}

TEST(ResiliencePolicy, GivesUpAfterMaxAttemptsSayingSo) {
  ManualClock clock;
  ResiliencePolicy policy(fast_options(), clock);
  int calls = 0;
  try {
    policy.execute("svc", [&] {
      ++calls;
      throw transient("HTTP 503 from GET https://h/x");
    });
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("HTTP 503 from GET https://h/x (gave up after 4 attempts in"),
              std::string::npos)
        << e.message();
    EXPECT_EQ(e.kind(), ErrorKind::Connection);
  }
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(policy.stats().snapshot().failures, 1u);
}

TEST(ResiliencePolicy, HonoursRetryAfterInsteadOfBackoff) {
  ManualClock clock;
  ResiliencePolicy policy(fast_options(), clock);
  int calls = 0;
  TimePoint second_attempt{};
  policy.execute("svc", [&] {
    if (++calls == 1) {
      AttemptError e(ErrorKind::Connection, "HTTP 429", true);
      e.retry_after = 7s;
      e.throttled = true;
      e.counts_for_breaker = false;
      throw e;
    }
    second_attempt = clock.now();
  });
  EXPECT_EQ(clock.slept(), Duration(7s));
  EXPECT_EQ(policy.stats().snapshot().throttled, 1u);
  (void)second_attempt;
}

TEST(ResiliencePolicy, RetryAfterBeyondTheCapOrBudgetFailsInsteadOfStalling) {
  ManualClock clock;
  auto o = fast_options();
  o.retry.max_retry_after = 60s;
  ResiliencePolicy policy(o, clock);
  auto throw_429 = [&](Duration after) {
    AttemptError e(ErrorKind::Connection, "HTTP 429", true);
    e.retry_after = after;
    throw e;
  };
  try {
    policy.execute("svc", [&] { throw_429(3600s); });
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("Retry-After"), std::string::npos) << e.message();
  }
  EXPECT_EQ(clock.slept(), Duration(0));

  auto b = fast_options();
  b.retry.total_budget = 5s;
  ResiliencePolicy budget(b, clock);
  int calls = 0;
  try {
    budget.execute("svc", [&] {
      ++calls;
      throw_429(3s);
    });
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("total_budget"), std::string::npos) << e.message();
  }
  EXPECT_EQ(calls, 2);  // 0 s, 3 s; a third at 6 s would pass the 5 s budget
}

TEST(ResiliencePolicy, BreakerOpensThenFailsFastWithoutCallingThenRecovers) {
  ManualClock clock;
  auto o = fast_options();
  o.retry.max_attempts = 1;
  o.circuit_breaker.failure_threshold = 3;
  ResiliencePolicy policy(o, clock);
  auto rec = std::make_shared<Recorder>();
  policy.set_observer(rec);
  int calls = 0;
  for (int i = 0; i < 3; ++i)
    EXPECT_THROW(policy.execute("https://down.example:443",
                                [&] {
                                  ++calls;
                                  throw transient("connection refused");
                                }),
                 Error);
  EXPECT_EQ(calls, 3);
  try {
    policy.execute("https://down.example:443", [&] { ++calls; });
    FAIL();
  } catch (const CircuitOpenError& e) {
    EXPECT_EQ(e.endpoint(), "https://down.example:443");
    EXPECT_NE(std::string(e.what()).find("connection refused"), std::string::npos);
  }
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(policy.stats().snapshot().breaker_rejections, 1u);
  EXPECT_EQ(policy.stats().snapshot().breaker_opens, 1u);
  clock.advance(10s);
  policy.execute("https://down.example:443", [&] { ++calls; });
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(policy.endpoint("https://down.example:443").breaker()->state(), BreakerState::Closed);
  ASSERT_EQ(rec->transitions.size(), 3u);
  EXPECT_EQ(rec->transitions[2].second, BreakerState::Closed);
}

TEST(ResiliencePolicy, BreakerOpeningMidRetryStopsTheRetriesWithTheLastReason) {
  ManualClock clock;
  auto o = fast_options();
  o.circuit_breaker.failure_threshold = 2;
  ResiliencePolicy policy(o, clock);
  int calls = 0;
  try {
    policy.execute("svc", [&] {
      ++calls;
      throw transient("HTTP 502");
    });
    FAIL();
  } catch (const CircuitOpenError& e) {
    EXPECT_NE(std::string(e.what()).find("(last: HTTP 502)"), std::string::npos) << e.what();
  }
  EXPECT_EQ(calls, 2);
}

TEST(ResiliencePolicy, ClientErrorsDoNotOpenTheBreaker) {
  ManualClock clock;
  auto o = fast_options();
  ResiliencePolicy policy(o, clock);
  for (int i = 0; i < 10; ++i)
    EXPECT_THROW(policy.execute("svc", [] { throw data_error("HTTP 422"); }), Error);
  EXPECT_EQ(policy.endpoint("svc").breaker()->state(), BreakerState::Closed);
}

TEST(ResiliencePolicy, RateLimitWaitsOrFailsFast) {
  ManualClock clock;
  auto o = fast_options();
  o.rate_limit.enabled = true;
  o.rate_limit.requests_per_minute = 60;
  o.rate_limit.burst = 2;
  ResiliencePolicy waiting(o, clock);
  std::vector<TimePoint> sent;
  for (int i = 0; i < 4; ++i) waiting.execute("svc", [&] { sent.push_back(clock.now()); });
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[1] - sent[0], Duration(0));
  EXPECT_EQ(sent[2] - sent[0], Duration(1s));
  EXPECT_EQ(sent[3] - sent[0], Duration(2s));
  EXPECT_EQ(waiting.stats().snapshot().rate_limit_waits, 2u);

  o.rate_limit.on_limit = RateLimitOptions::OnLimit::Fail;
  ResiliencePolicy failing(o, clock);
  failing.execute("svc", [] {});
  failing.execute("svc", [] {});
  EXPECT_THROW(failing.execute("svc", [] {}), RateLimitedError);
}

TEST(ResiliencePolicy, EndpointsShareABucketByKeyButKeepTheirOwnBreakers) {
  ManualClock clock;
  auto o = fast_options();
  o.rate_limit.enabled = true;
  o.rate_limit.requests_per_minute = 60;
  o.rate_limit.burst = 1;
  ResiliencePolicy policy(o, clock);
  Endpoint& a = policy.endpoint("https://a", "key-1");
  Endpoint& b = policy.endpoint("https://b", "key-1");
  EXPECT_EQ(a.bucket(), b.bucket());
  EXPECT_NE(a.breaker(), b.breaker());
  EXPECT_EQ(&policy.endpoint("https://a", "key-1"), &a);
}

TEST(ResiliencePolicy, PassthroughPolicyRunsOnceAndNeverThrowsItsOwnErrors) {
  ResiliencePolicy none;
  int calls = 0;
  EXPECT_THROW(none.execute("x",
                            [&] {
                              ++calls;
                              throw transient("boom");
                            }),
               Error);
  EXPECT_EQ(calls, 1);
}

TEST(ResiliencePolicy, StepApiDrivesAnEventLoopWithoutBlocking) {
  ManualClock clock;
  auto o = fast_options();
  o.retry.jitter = false;
  ResiliencePolicy policy(o, clock);
  Endpoint& ep = policy.endpoint("svc");
  CallState call = policy.begin(clock.now());
  Admission a = policy.admit(ep, call, clock.now());
  ASSERT_EQ(a.kind, Admission::Kind::Go);
  Failure f;
  f.retryable = true;
  f.reason = "HTTP 502";
  RetryDecision d = policy.on_failure(ep, call, f, clock.now());
  ASSERT_TRUE(d.retry);
  EXPECT_EQ(d.at, clock.now() + 100ms);
  EXPECT_EQ(clock.slept(), Duration(0));  // nothing blocked
  a = policy.admit(ep, call, d.at);
  ASSERT_EQ(a.kind, Admission::Kind::Go);
  policy.on_success(ep, call);
  EXPECT_EQ(call.attempt, 2);
}

TEST(ResiliencePolicy, ManyThreadsShareOnePolicy) {
  ResilienceOptions o = fast_options();
  o.rate_limit.enabled = true;
  o.rate_limit.requests_per_minute = 1e9;
  o.rate_limit.burst = 1e6;
  ResiliencePolicy policy(o);
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      Endpoint& ep = policy.endpoint("svc");
      for (int i = 0; i < 5000; ++i)
        policy.execute(ep, [&] { done.fetch_add(1, std::memory_order_relaxed); });
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(done.load(), 20000);
  EXPECT_EQ(policy.stats().snapshot().attempts, 20000u);
}

// ---- server-driven limiting (no client-side bucket) ----

namespace {
ServerQuotaState quota(double remaining, Duration reset) {
  ServerQuotaState s;
  s.remaining = remaining;
  s.reset = reset;
  return s;
}
}  // namespace

TEST(ServerDrivenLimit, UsedUpQuotaHoldsRequestsUntilTheWindowResets) {
  ManualClock clock;
  ResiliencePolicy policy(fast_options(), clock);  // rate_limit.enabled false: no bucket
  Endpoint& ep = policy.endpoint("svc");
  ASSERT_EQ(ep.bucket(), nullptr);
  ASSERT_NE(ep.quota(), nullptr);
  const TimePoint t0 = clock.now();
  CallState first = policy.begin(t0);
  ASSERT_EQ(policy.admit(ep, first, t0).kind, Admission::Kind::Go);
  // Its answer: 2 left in a window that resets in 10 s.
  policy.observe_server_quota(ep, quota(2, 10s), t0);
  policy.on_success(ep, first);
  std::vector<CallState> calls(3, policy.begin(t0));
  EXPECT_EQ(policy.admit(ep, calls[0], t0).kind, Admission::Kind::Go);
  EXPECT_EQ(policy.admit(ep, calls[1], t0).kind, Admission::Kind::Go);
  Admission held = policy.admit(ep, calls[2], t0);
  ASSERT_EQ(held.kind, Admission::Kind::WaitUntil);
  EXPECT_EQ(held.at, t0 + 10s);
  EXPECT_EQ(policy.admit(ep, calls[2], t0 + 10s).kind, Admission::Kind::Go);
  auto s = policy.stats().snapshot();
  EXPECT_EQ(s.server_waits, 1u);
  EXPECT_EQ(s.server_wait_ns, static_cast<std::uint64_t>(Duration(10s).count()));
  EXPECT_EQ(s.rate_limit_waits, 0u);
  for (auto& c : calls) policy.on_success(ep, c);
  EXPECT_EQ(ep.quota()->in_flight(), 0);
}

TEST(ServerDrivenLimit, RequestsAlreadyInFlightCountAgainstWhatIsLeft) {
  ManualClock clock;
  ResiliencePolicy policy(fast_options(), clock);
  Endpoint& ep = policy.endpoint("svc");
  const TimePoint t0 = clock.now();
  std::vector<CallState> calls(4, policy.begin(t0));
  for (int i = 0; i < 3; ++i) ASSERT_EQ(policy.admit(ep, calls[i], t0).kind, Admission::Kind::Go);
  // The first answer says 2 left; the two others in flight will take them.
  policy.observe_server_quota(ep, quota(2, 5s), t0);
  policy.on_success(ep, calls[0]);
  EXPECT_EQ(policy.admit(ep, calls[3], t0).kind, Admission::Kind::WaitUntil);
  // An older answer arriving late (it saw 3 left) does not raise the budget of the same window.
  policy.observe_server_quota(ep, quota(3, 5s), t0 + 10ms);
  policy.on_success(ep, calls[1]);
  EXPECT_EQ(policy.admit(ep, calls[3], t0 + 20ms).kind, Admission::Kind::WaitUntil);
  // A new window (a later reset) does.
  policy.observe_server_quota(ep, quota(10, 60s), t0 + 30ms);
  policy.on_success(ep, calls[2]);
  EXPECT_EQ(policy.admit(ep, calls[3], t0 + 40ms).kind, Admission::Kind::Go);
}

TEST(ServerDrivenLimit, RetryAfterPausesEveryCallToTheEndpointWithoutABucket) {
  ManualClock clock;
  ResiliencePolicy policy(fast_options(), clock);
  Endpoint& ep = policy.endpoint("svc");
  const TimePoint t0 = clock.now();
  CallState a = policy.begin(t0), b = policy.begin(t0);
  ASSERT_EQ(policy.admit(ep, a, t0).kind, Admission::Kind::Go);
  Failure f;
  f.retryable = true;
  f.throttled = true;
  f.counts_for_breaker = false;
  f.retry_after = 3s;
  RetryDecision d = policy.on_failure(ep, a, f, t0);
  ASSERT_TRUE(d.retry);
  EXPECT_EQ(d.at, t0 + 3s);
  Admission other = policy.admit(ep, b, t0 + 1s);
  ASSERT_EQ(other.kind, Admission::Kind::WaitUntil);
  EXPECT_EQ(other.at, t0 + 3s);
  EXPECT_EQ(policy.admit(ep, a, t0 + 3s).kind, Admission::Kind::Go);
  EXPECT_EQ(policy.admit(ep, b, t0 + 3s).kind, Admission::Kind::Go);
  EXPECT_EQ(policy.stats().snapshot().server_waits, 1u);
}

TEST(ServerDrivenLimit, ALoneRefusalDelaysItsRequestOnlyAndClusteredRefusalsPauseTheEndpoint) {
  ManualClock clock;
  ResiliencePolicy policy(fast_options(), clock);
  Endpoint& ep = policy.endpoint("svc");
  TimePoint now = clock.now();
  auto succeed = [&](int n) {
    for (int i = 0; i < n; ++i) {
      CallState c = policy.begin(now);
      ASSERT_EQ(policy.admit(ep, c, now).kind, Admission::Kind::Go);
      policy.on_success(ep, c);
    }
  };
  Failure f;
  f.retryable = true;
  f.throttled = true;
  f.counts_for_breaker = false;
  f.retry_after = 2s;
  auto refuse = [&] {
    CallState c = policy.begin(now);
    EXPECT_EQ(policy.admit(ep, c, now).kind, Admission::Kind::Go);
    return policy.on_failure(ep, c, f, now);
  };
  succeed(15);
  // One 429 among 16 answers: the refused request waits its Retry-After, the others go on.
  RetryDecision d = refuse();
  ASSERT_TRUE(d.retry);
  EXPECT_EQ(d.at, now + 2s);
  CallState other = policy.begin(now);
  EXPECT_EQ(policy.admit(ep, other, now).kind, Admission::Kind::Go);
  policy.on_success(ep, other);
  // Four of the last 16 answers refused: the server refuses the pace, so everyone waits.
  now += 100ms;
  for (int i = 0; i < 3; ++i) refuse();
  CallState held = policy.begin(now);
  Admission a = policy.admit(ep, held, now);
  ASSERT_EQ(a.kind, Admission::Kind::WaitUntil);
  EXPECT_EQ(a.at, now + 2s);
  EXPECT_EQ(policy.stats().snapshot().throttled, 4u);
}

TEST(ResiliencePolicy, AnAnswerCutOffIsRepeatedAtOnceTheFirstTimeThenBacksOff) {
  ManualClock clock;
  auto o = fast_options();
  o.retry.jitter = false;
  ResiliencePolicy policy(o, clock);
  Endpoint& ep = policy.endpoint("svc");
  const TimePoint t0 = clock.now();
  Failure cut;
  cut.retryable = true;
  cut.cut_off = true;
  cut.reason = "connection reset while receiving";
  CallState c = policy.begin(t0);
  ASSERT_EQ(policy.admit(ep, c, t0).kind, Admission::Kind::Go);
  RetryDecision d = policy.on_failure(ep, c, cut, t0);
  ASSERT_TRUE(d.retry);
  EXPECT_EQ(d.at, t0);
  ASSERT_EQ(policy.admit(ep, c, t0).kind, Admission::Kind::Go);
  d = policy.on_failure(ep, c, cut, t0);
  ASSERT_TRUE(d.retry);
  EXPECT_EQ(d.at, t0 + 200ms);  // the exponential schedule's second step
  // A timeout is not a cut-off answer: the server may be overloaded, so it backs off at once.
  Failure timeout;
  timeout.retryable = true;
  timeout.reason = "timed out";
  CallState t = policy.begin(t0);
  ASSERT_EQ(policy.admit(ep, t, t0).kind, Admission::Kind::Go);
  d = policy.on_failure(ep, t, timeout, t0);
  ASSERT_TRUE(d.retry);
  EXPECT_EQ(d.at, t0 + 100ms);
}

TEST(ServerDrivenLimit, WaitsLongerThanMaxRetryAfterAreLeftToTheServersRefusal) {
  ManualClock clock;
  ResiliencePolicy policy(fast_options(), clock);  // max_retry_after 5 min
  Endpoint& ep = policy.endpoint("svc");
  const TimePoint t0 = clock.now();
  CallState a = policy.begin(t0), b = policy.begin(t0);
  ASSERT_EQ(policy.admit(ep, a, t0).kind, Admission::Kind::Go);
  policy.observe_server_quota(ep, quota(0, 1h), t0);  // GitHub-style: an hour until the reset
  policy.on_success(ep, a);
  EXPECT_EQ(policy.admit(ep, b, t0).kind, Admission::Kind::Go);
  EXPECT_EQ(policy.stats().snapshot().server_waits, 0u);
}

TEST(ServerDrivenLimit, OffWhenServerDrivenIsFalse) {
  auto o = fast_options();
  o.rate_limit.server_driven = false;
  ResiliencePolicy policy(o);
  EXPECT_EQ(policy.endpoint("svc").quota(), nullptr);
}

TEST(ResiliencePolicy, BucketBoundTimeIsTheUnionOfParallelWaits) {
  ManualClock clock;
  auto o = fast_options();
  o.rate_limit.enabled = true;
  o.rate_limit.requests_per_minute = 60;
  o.rate_limit.burst = 1;
  ResiliencePolicy policy(o, clock);
  Endpoint& ep = policy.endpoint("svc");
  const TimePoint t0 = clock.now();
  std::vector<CallState> calls(3, policy.begin(t0));
  EXPECT_EQ(policy.admit(ep, calls[0], t0).kind, Admission::Kind::Go);
  EXPECT_EQ(policy.admit(ep, calls[1], t0).at, t0 + 1s);
  EXPECT_EQ(policy.admit(ep, calls[2], t0).at, t0 + 2s);
  auto s = policy.stats().snapshot();
  EXPECT_EQ(s.rate_limit_wait_ns, static_cast<std::uint64_t>(Duration(3s).count()));   // 1 s + 2 s
  EXPECT_EQ(s.rate_limit_bound_ns, static_cast<std::uint64_t>(Duration(2s).count()));  // [t0, t0+2s]
}
