// Chaos: 20% of 1,000 page requests fail at random (5xx, dropped connection, timeout, truncated
// body); the run still succeeds and returns exactly the data of a fault-free run.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "fixtures/http/http_fixture.hpp"
#include "net/http_client.hpp"
#include "net_test_util.hpp"

using namespace sqlflow;
using namespace sqlflow::net;
using namespace std::chrono_literals;
using sqlflow::test::HttpFixture;

namespace {

std::string page_body(int n) {
  std::string s = R"({"page":)" + std::to_string(n) + R"(,"rows":[)";
  for (int i = 0; i < 20; ++i) {
    if (i) s += ',';
    s += R"({"id":)" + std::to_string(n * 20 + i) + R"(,"name":"row-)" + std::to_string(n * 20 + i) + R"("})";
  }
  return s + "]}";
}

}  // namespace

TEST(Chaos, TwentyPercentFailuresStillYieldTheFaultFreeData) {
  constexpr int kPages = 1000;
  HttpFixture fx(96);
  std::atomic<bool> chaos{false};
  std::atomic<int> faults{0}, drops{0};
  std::mutex rng_mutex;
  std::mt19937 rng(20240501);
  fx.get(R"(/page/(\d+))", [&](const httplib::Request& req, httplib::Response& res) {
    int n = std::stoi(req.matches[1].str());
    std::string body = page_body(n);
    int fault = -1;
    if (chaos) {
      std::lock_guard lock(rng_mutex);
      if (std::uniform_real_distribution<double>(0, 1)(rng) < 0.2)
        fault = std::uniform_int_distribution<int>(0, 6)(rng);
    }
    if (fault >= 0) ++faults;
    if (fault == 4) ++drops;
    switch (fault) {
      case 0:
        res.status = 500;
        return;
      case 1:
        res.status = 502;
        return;
      case 2:
        res.status = 503;
        return;
      case 3:
        res.status = 504;
        return;
      case 4:
        return HttpFixture::drop_connection(req);
      case 5:
        std::this_thread::sleep_for(800ms);
        break;  // the client gives up at 500 ms
      case 6:
        return HttpFixture::truncated(body, body.size() / 2)(req, res);
      default:
        break;
    }
    res.set_content(body, "application/json");
  });
  fx.start();

  auto run = [&] {
    ClientOptions co;
    co.timeout = 500ms;
    auto o = sqlflow::net::testing::fast_policy(10);
    o.retry.initial_delay = 1ms;
    o.retry.max_delay = 20ms;
    // At a 20% failure rate, 5 consecutive failures (REST's default threshold) happen by chance
    // in a run this long; the breaker is for endpoints that are down, so give it room here.
    o.circuit_breaker.failure_threshold = 50;
    HttpClient client(co, resilience::ResiliencePolicy(o));
    std::vector<Request> reqs;
    for (int i = 0; i < kPages; ++i) reqs.emplace_back("GET", fx.url("/page/" + std::to_string(i)));
    auto responses = client.fetch_all(std::move(reqs), 32);
    std::vector<std::string> bodies;
    for (auto& r : responses) {
      EXPECT_TRUE(r.ok()) << (r.error ? r.error->what() : "");
      bodies.push_back(r.body);
    }
    return std::make_pair(bodies, client.stats().retries.load());
  };

  // (No assertion on the clean run's retries: on a loaded machine an attempt may pass the
  // timeout by itself, which only adds a retry.)
  auto [clean, clean_retries] = run();
  (void)clean_retries;
  for (int i = 0; i < kPages; ++i) ASSERT_EQ(clean[static_cast<size_t>(i)], page_body(i));

  chaos = true;
  auto [chaotic, retries] = run();
  EXPECT_GT(faults.load(), 100);  // about 200 expected
  // Each fault costs at least one retry, except a dropped connection that libcurl had reused:
  // libcurl itself resends on a fresh connection when a reused one dies before any response byte.
  EXPECT_GE(retries, static_cast<std::uint64_t>(faults.load() - drops.load()));
  EXPECT_EQ(chaotic, clean);
}
