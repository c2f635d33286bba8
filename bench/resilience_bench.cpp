// Resilience and HTTP client micro-benchmarks (issue 6 bars, bench/resilience/run.sh):
// - the policy (retry + breaker + token bucket with a high limit) around a no-op call, against
//   the bare call, single-threaded and on 2 threads;
// - the breaker's closed path and the bucket alone on 1 and 2 threads (lock-free scaling);
// - the HTTP client: 1,000 requests with concurrency 32 against a local fixture server that
//   answers after 50 ms, against a sequential baseline of 20 requests (extrapolated).
#include <benchmark/benchmark.h>

#include <thread>

#include "fixtures/http/http_fixture.hpp"
#include "net/http_client.hpp"
#include "resilience/policy.hpp"
#include "resilience/profiles.hpp"

using namespace sqlflow;
using namespace std::chrono_literals;

namespace {

int g_sink = 0;

// The call being protected: as cheap as a call can be, but not optimised away.
__attribute__((noinline)) int noop_call() {
  benchmark::ClobberMemory();
  return ++g_sink;
}

resilience::ResilienceOptions hot_options() {
  resilience::ResilienceOptions o;  // retry 3, breaker 5/60 s, bucket on
  o.rate_limit.enabled = true;
  o.rate_limit.requests_per_minute = 1e12;  // "a high limit": never waits
  o.rate_limit.burst = 1e9;
  return o;
}

resilience::ResiliencePolicy& shared_policy() {
  static resilience::ResiliencePolicy p(hot_options());
  return p;
}

void BM_BareCall(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(noop_call());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BareCall)->Threads(1)->UseRealTime();

void BM_PolicyNoop(benchmark::State& state) {
  resilience::ResiliencePolicy& policy = shared_policy();
  resilience::Endpoint& ep = policy.endpoint("https://api.example.com:443");
  for (auto _ : state) benchmark::DoNotOptimize(policy.execute(ep, noop_call));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PolicyNoop)->Threads(1)->Threads(2)->UseRealTime();

void BM_BreakerClosedPath(benchmark::State& state) {
  static resilience::CircuitBreaker breaker("https://api.example.com:443", {}, resilience::steady_clock());
  for (auto _ : state) {
    auto permit = breaker.try_acquire();
    benchmark::DoNotOptimize(permit);
    breaker.record_success(permit);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BreakerClosedPath)->Threads(1)->Threads(2)->UseRealTime();

void BM_TokenBucketReserve(benchmark::State& state) {
  static resilience::TokenBucket bucket("https://api.example.com:443", 1e12, 1e9, resilience::steady_clock());
  for (auto _ : state) benchmark::DoNotOptimize(bucket.reserve(resilience::steady_clock().now()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenBucketReserve)->Threads(1)->Threads(2)->UseRealTime();

// --- HTTP -------------------------------------------------------------------------------------

test::HttpFixture& latency_server() {
  static test::HttpFixture* fx = [] {
    static test::HttpFixture server(96);
    server.get(R"(/item/(\d+))",
               test::HttpFixture::with_latency(50ms, [](const httplib::Request& req, httplib::Response& res) {
                 res.set_content(R"({"id":)" + req.matches[1].str() + "}", "application/json");
               }));
    server.start();
    return &server;
  }();
  return *fx;
}

net::HttpClient make_client() {
  // Every request goes through the REST profile's policy; its 60 rpm quota would turn this into
  // a rate-limit benchmark, so the limit is raised (the bucket still runs).
  return net::HttpClient(
      {}, resilience::make_policy(
              "rest",
              nlohmann::json::parse(R"({"rate_limit": {"requests_per_minute": 10000000, "burst": 1000}})")));
}

std::vector<net::Request> requests(int n) {
  std::vector<net::Request> reqs;
  for (int i = 0; i < n; ++i) reqs.emplace_back("GET", latency_server().url("/item/" + std::to_string(i)));
  return reqs;
}

void BM_HttpSequential(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  net::HttpClient client = make_client();
  for (auto _ : state) {
    for (auto& r : requests(n)) {
      net::Response resp = client.fetch(r);
      if (!resp.ok()) state.SkipWithError("request failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_HttpSequential)->Arg(20)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_HttpConcurrent(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const auto concurrency = static_cast<std::size_t>(state.range(1));
  net::HttpClient client = make_client();
  for (auto _ : state) {
    auto responses = client.fetch_all(requests(n), concurrency);
    for (auto& r : responses)
      if (!r.ok()) state.SkipWithError("request failed");
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["retries"] = static_cast<double>(client.stats().retries.load());
}
BENCHMARK(BM_HttpConcurrent)->Args({1000, 32})->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
