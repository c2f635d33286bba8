#include "net/http_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "fixtures/http/http_fixture.hpp"
#include "net_test_util.hpp"
#include "resilience/classify.hpp"

using namespace sqlflow;
using namespace sqlflow::net;
using namespace std::chrono_literals;
using sqlflow::net::testing::fast_policy;
using sqlflow::test::HttpFixture;
using Reply = HttpFixture::Reply;

TEST(HttpClient, RetriesThree503sThenSucceeds) {
  HttpFixture fx;
  fx.get("/items",
         HttpFixture::sequence({{503, "busy"}, {503, "busy"}, {503, "busy"}, {200, R"({"ok":true})"}}));
  fx.start();
  resilience::ResiliencePolicy policy(fast_policy(4));
  HttpClient client({}, policy);
  Response r = client.fetch(Request("GET", fx.url("/items")));
  ASSERT_TRUE(r.ok()) << (r.error ? r.error->what() : "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"ok":true})");
  EXPECT_EQ(r.attempts, 4);
  EXPECT_EQ(fx.count("/items"), 4u);
  EXPECT_EQ(client.stats().retries.load(), 3u);
  EXPECT_EQ(client.stats().responses_5xx.load(), 3u);
  EXPECT_EQ(policy.stats().snapshot().retries, 3u);
}

TEST(HttpClient, GivesUpAfterMaxAttemptsAndSaysWhy) {
  HttpFixture fx;
  fx.get("/items", HttpFixture::reply({502, "bad gateway"}));
  fx.start();
  HttpClient client({}, resilience::ResiliencePolicy(fast_policy(3)));
  Response r = client.fetch(Request("GET", fx.url("/items?page=1")));
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error);
  std::string msg = r.error->message();
  EXPECT_NE(
      msg.find("GET " + fx.url("/items?page=1") + " failed: HTTP 502: bad gateway (gave up after 3 attempts"),
      std::string::npos)
      << msg;
  EXPECT_TRUE(r.error->retryable());
  EXPECT_EQ(fx.count("/items"), 3u);
  EXPECT_THROW(r.raise_for_status(), Error);
}

TEST(HttpClient, RetryAfterDeltaSecondsDelaysTheNextRequest) {
  HttpFixture fx;
  fx.get("/limited", HttpFixture::sequence({{429, "slow down", {{"Retry-After", "2"}}}, {200, "ok"}}));
  fx.start();
  HttpClient client({}, resilience::ResiliencePolicy(fast_policy(3)));
  Response r = client.fetch(Request("GET", fx.url("/limited")));
  ASSERT_TRUE(r.ok());
  auto log = fx.requests_to("/limited");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_GE(log[1].at - log[0].at, 2s);
}

TEST(HttpClient, RetryAfterHttpDateDelaysTheNextRequestUntilThatDate) {
  HttpFixture fx;
  std::mutex m;
  std::chrono::system_clock::time_point announced{}, second{};
  std::atomic<int> n{0};
  fx.get("/limited", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(m);
    if (n++ == 0) {
      // HTTP-dates have whole seconds: announce a date at least 1 s ahead.
      auto now = std::chrono::system_clock::now();
      announced = std::chrono::time_point_cast<std::chrono::seconds>(now) + 2s;
      res.status = 429;
      res.set_header("Retry-After", resilience::format_http_date(announced));
      return;
    }
    second = std::chrono::system_clock::now();
    res.set_content("ok", "text/plain");
  });
  fx.start();
  HttpClient client({}, resilience::ResiliencePolicy(fast_policy(3)));
  Response r = client.fetch(Request("GET", fx.url("/limited")));
  ASSERT_TRUE(r.ok());
  std::lock_guard lock(m);
  EXPECT_GE(second, announced);
}

TEST(HttpClient, RetryAfterPausesTheWholeHostsBucket) {
  HttpFixture fx;
  fx.get("/a", HttpFixture::sequence({{429, "", {{"Retry-After", "1"}}}, {200, "a"}}));
  fx.get("/b", HttpFixture::with_latency(300ms, HttpFixture::reply({200, "b"})));
  fx.start();
  auto o = fast_policy(3);
  o.rate_limit.enabled = true;
  o.rate_limit.requests_per_minute = 60000;
  o.rate_limit.burst = 100;
  HttpClient client({}, resilience::ResiliencePolicy(o));
  // /a is throttled while /b is still in flight; the /b requests queued after it wait too.
  std::vector<Request> reqs;
  reqs.emplace_back("GET", fx.url("/a"));
  reqs.emplace_back("GET", fx.url("/b"));
  auto first = client.fetch_all(std::move(reqs), 2);
  ASSERT_TRUE(first[0].ok());
  Response later = client.fetch(Request("GET", fx.url("/b")));
  ASSERT_TRUE(later.ok());
  auto a = fx.requests_to("/a");
  auto b = fx.requests_to("/b");
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_GE(a[1].at - a[0].at, 1s);
  EXPECT_GE(b[1].at - a[0].at, 1s);
}

TEST(HttpClient, ClientErrorsAreNotRetried) {
  HttpFixture fx;
  fx.get("/secret", HttpFixture::reply({401, R"({"error":"unauthorized"})"}));
  fx.get("/missing", HttpFixture::reply({404, "not found"}));
  fx.get("/bad", HttpFixture::reply({422, "unprocessable"}));
  fx.start();
  HttpClient client({}, resilience::ResiliencePolicy(fast_policy(4)));
  std::vector<Request> reqs;
  for (auto p : {"/secret", "/missing", "/bad"}) reqs.emplace_back("GET", fx.url(p));
  auto rs = client.fetch_all(std::move(reqs), 3);
  for (const auto& r : rs) {
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.attempts, 1);
    ASSERT_TRUE(r.error);
    EXPECT_FALSE(r.error->retryable());
  }
  EXPECT_EQ(rs[0].status, 401);
  EXPECT_EQ(rs[0].error->kind(), ErrorKind::Config);
  EXPECT_EQ(rs[1].status, 404);
  EXPECT_EQ(rs[2].error->kind(), ErrorKind::Data);
  EXPECT_EQ(fx.count("/secret"), 1u);
  EXPECT_EQ(fx.count("/missing"), 1u);
  EXPECT_EQ(fx.count("/bad"), 1u);
}

TEST(HttpClient, PostIsRetriedOnlyWhenTheServerDidNotProcessIt) {
  HttpFixture fx;
  fx.post("/orders", HttpFixture::reply({500, "oops"}));
  fx.post("/busy", HttpFixture::sequence({{503, ""}, {201, "created"}}));
  fx.start();
  HttpClient client({}, resilience::ResiliencePolicy(fast_policy(4)));
  Request post("POST", fx.url("/orders"));
  post.body = "{}";
  EXPECT_EQ(client.fetch(post).attempts, 1);
  EXPECT_EQ(fx.count("/orders"), 1u);
  Request busy("POST", fx.url("/busy"));
  Response r = client.fetch(busy);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(fx.count("/busy"), 2u);
  // Marked idempotent, a 500 is retried like a GET.
  post.idempotent = true;
  EXPECT_EQ(client.fetch(post).attempts, 4);
}

TEST(HttpClient, BreakerOpensFailsFastWithoutNetworkAndRecoversViaHalfOpen) {
  HttpFixture fx;
  std::atomic<bool> healthy{false};
  fx.get("/x", [&](const httplib::Request&, httplib::Response& res) {
    res.status = healthy ? 200 : 500;
    res.set_content(healthy ? "fine" : "down", "text/plain");
  });
  fx.start();
  auto o = fast_policy(1);
  o.circuit_breaker.failure_threshold = 3;
  o.circuit_breaker.recovery_timeout = 1s;
  o.circuit_breaker.success_threshold = 1;
  resilience::ResiliencePolicy policy(o);
  HttpClient client({}, policy);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client.fetch(Request("GET", fx.url("/x"))).status, 500);
  EXPECT_EQ(fx.count("/x"), 3u);
  for (int i = 0; i < 5; ++i) {
    Response r = client.fetch(Request("GET", fx.url("/x")));
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(dynamic_cast<const resilience::CircuitOpenError*>(r.error.get()), nullptr) << r.error->what();
    EXPECT_NE(r.error->message().find(HttpClient::endpoint_of(fx.base_url())), std::string::npos)
        << r.error->what();
    EXPECT_THROW(r.raise_for_status(), resilience::CircuitOpenError);
  }
  EXPECT_EQ(fx.count("/x"), 3u);  // nothing reached the server
  healthy = true;
  std::this_thread::sleep_for(1100ms);
  Response probe = client.fetch(Request("GET", fx.url("/x")));
  EXPECT_TRUE(probe.ok());
  EXPECT_EQ(policy.endpoint(HttpClient::endpoint_of(fx.base_url())).breaker()->state(),
            resilience::BreakerState::Closed);
  EXPECT_TRUE(client.fetch(Request("GET", fx.url("/x"))).ok());
  EXPECT_EQ(fx.count("/x"), 5u);
}

TEST(HttpClient, TokenBucketSpacesRequestsByRateAfterTheBurst) {
  HttpFixture fx;
  fx.get("/r", HttpFixture::reply({200, "ok"}));
  fx.start();
  auto o = fast_policy(1);
  o.rate_limit.enabled = true;
  o.rate_limit.requests_per_minute = 6000;  // one per 10 ms
  o.rate_limit.burst = 5;
  HttpClient client({}, resilience::ResiliencePolicy(o));
  std::vector<Request> reqs;
  for (int i = 0; i < 60; ++i) reqs.emplace_back("GET", fx.url("/r?i=" + std::to_string(i)));
  auto start = std::chrono::steady_clock::now();
  auto rs = client.fetch_all(std::move(reqs), 8);
  for (auto& r : rs) ASSERT_TRUE(r.ok());
  auto log = fx.requests_to("/r");
  ASSERT_EQ(log.size(), 60u);
  std::vector<std::chrono::steady_clock::time_point> at;
  for (auto& r : log) at.push_back(r.at);
  std::sort(at.begin(), at.end());
  // The k-th request (0-based) cannot arrive before start + (k - burst + 1) * 10 ms.
  for (size_t k = 5; k < at.size(); ++k) EXPECT_GE(at[k] - start, (k - 4) * 10ms) << "request " << k;
}

TEST(HttpClient, FetchAllKeepsRequestOrderAndRunsConcurrently) {
  HttpFixture fx;
  std::atomic<int> in_flight{0}, max_in_flight{0};
  fx.get(R"(/n/(\d+))", [&](const httplib::Request& req, httplib::Response& res) {
    int now = ++in_flight;
    int prev = max_in_flight.load();
    while (now > prev && !max_in_flight.compare_exchange_weak(prev, now)) {
    }
    std::this_thread::sleep_for(20ms);
    --in_flight;
    res.set_content(req.matches[1].str(), "text/plain");
  });
  fx.start();
  HttpClient client({}, resilience::ResiliencePolicy(fast_policy(1)));
  std::vector<Request> reqs;
  for (int i = 0; i < 64; ++i) reqs.emplace_back("GET", fx.url("/n/" + std::to_string(i)));
  auto rs = client.fetch_all(std::move(reqs), 8);
  ASSERT_EQ(rs.size(), 64u);
  for (int i = 0; i < 64; ++i) EXPECT_EQ(rs[static_cast<size_t>(i)].body, std::to_string(i));
  EXPECT_GT(max_in_flight.load(), 1);
  EXPECT_LE(max_in_flight.load(), 8);
}

TEST(HttpClient, StreamsLargeBodiesInChunksAndRestartsAfterATruncatedAttempt) {
  std::string big;
  for (int i = 0; big.size() < 3'000'000; ++i) big += "row " + std::to_string(i) + "\n";
  HttpFixture fx;
  std::atomic<int> n{0};
  auto truncated = HttpFixture::truncated(big, 100'000);
  fx.get("/big", [&](const httplib::Request& req, httplib::Response& res) {
    if (n++ == 0) return truncated(req, res);
    res.set_content(big, "application/octet-stream");  // not compressed: brotli on 3 MB is slow
  });
  fx.start();
  HttpClient client({}, resilience::ResiliencePolicy(fast_policy(3)));
  std::string got;
  int chunks = 0, restarts = 0;
  Response r = client.fetch(
      Request("GET", fx.url("/big")),
      [&](std::string_view chunk) {
        got.append(chunk);
        ++chunks;
        return true;
      },
      [&] {
        got.clear();
        ++restarts;
      });
  ASSERT_TRUE(r.ok()) << (r.error ? r.error->what() : "");
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(restarts, 1);
  EXPECT_GT(chunks, 1);
  EXPECT_EQ(got, big);
}

TEST(HttpClient, ConsumerCanStopAStream) {
  HttpFixture fx;
  fx.get("/big", HttpFixture::reply({200, std::string(1'000'000, 'x')}));
  fx.start();
  HttpClient client({}, resilience::ResiliencePolicy(fast_policy(3)));
  Response r = client.fetch(Request("GET", fx.url("/big")), [](std::string_view) { return false; });
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->message().find("aborted by the consumer"), std::string::npos);
  EXPECT_EQ(fx.count("/big"), 1u);
}

TEST(HttpClient, DecodesCompressedBodiesAndSendsHeaders) {
  HttpFixture fx;
  std::string payload;
  for (int i = 0; i < 2000; ++i) payload += R"({"id":)" + std::to_string(i) + "},";
  fx.get("/gz", [&](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Seen-Accept-Encoding", req.get_header_value("Accept-Encoding"));
    res.set_header("X-Seen-Custom", req.get_header_value("X-Custom"));
    res.set_content(payload, "application/json");  // cpp-httplib gzips it when the client accepts gzip
  });
  fx.start();
  HttpClient client;
  Request req("GET", fx.url("/gz"));
  req.headers.emplace_back("X-Custom", "hello");
  Response r = client.fetch(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.body, payload);
  EXPECT_NE(r.header("x-seen-accept-encoding").find("gzip"), std::string::npos);
  std::string enc = r.header("Content-Encoding");  // cpp-httplib prefers br when offered
  EXPECT_TRUE(enc == "gzip" || enc == "br") << enc;
  EXPECT_EQ(r.header("X-Seen-Custom"), "hello");
  EXPECT_LT(client.stats().bytes_received.load(), payload.size() + 1);  // decoded bytes counted
}

TEST(HttpClient, TransportFailuresAreRetried) {
  HttpFixture fx;
  std::atomic<int> n{0};
  fx.get("/flaky", [&](const httplib::Request& req, httplib::Response& res) {
    switch (n++) {
      case 0:
        return HttpFixture::drop_connection(req);
      case 1:
        std::this_thread::sleep_for(1500ms);
        break;  // past the client's timeout
      default:
        break;
    }
    res.set_content("ok", "text/plain");
  });
  fx.start();
  ClientOptions co;
  co.timeout = 1s;
  HttpClient client(co, resilience::ResiliencePolicy(fast_policy(5)));
  Response r = client.fetch(Request("GET", fx.url("/flaky")));
  ASSERT_TRUE(r.ok()) << (r.error ? r.error->what() : "");
  // A dropped connection, then a timeout; a third failure only on a machine too loaded to answer in 1 s.
  EXPECT_GE(r.attempts, 3);
  EXPECT_GE(client.stats().transport_errors.load(), 2u);
}

TEST(HttpClient, ConnectionRefusedIsRetriedThenReported) {
  // A port that was just free: bind, note it, close.
  int port;
  {
    HttpFixture tmp;
    tmp.start();
    port = tmp.port();
  }
  HttpClient client({}, resilience::ResiliencePolicy(fast_policy(2)));
  Response r = client.fetch(Request("GET", "http://127.0.0.1:" + std::to_string(port) + "/x"));
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_NE(r.error->message().find("connection refused"), std::string::npos) << r.error->what();
  EXPECT_EQ(r.error->kind(), ErrorKind::Connection);
}

TEST(HttpClient, ShopifyCallLimitHeaderSlowsTheBucket) {
  HttpFixture fx;
  fx.get("/shop", HttpFixture::reply({200, "{}", {{"X-Shopify-Shop-Api-Call-Limit", "39/40"}}}));
  fx.start();
  auto o = fast_policy(1);
  o.rate_limit.enabled = true;
  o.rate_limit.requests_per_minute = 600;  // 100 ms per request once the bucket is full
  o.rate_limit.burst = 40;
  resilience::ResiliencePolicy policy(o);
  HttpClient client({}, policy);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(client.fetch(Request("GET", fx.url("/shop"))).ok());
  auto log = fx.requests_to("/shop");
  ASSERT_EQ(log.size(), 4u);
  // After the first answer says 39/40, one more may go at once, then one per 100 ms.
  EXPECT_GE(log[3].at - start, 200ms);
  EXPECT_GE(policy.stats().snapshot().rate_limit_waits, 2u);
}

TEST(HttpClient, InvalidUrlsFailWithoutANetworkCall) {
  HttpClient client;
  Response r = client.fetch(Request("GET", "ftp://example.com/file"));
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->kind(), ErrorKind::Validation);
  EXPECT_NE(r.error->message().find("unsupported URL scheme 'ftp'"), std::string::npos);
  EXPECT_EQ(HttpClient::endpoint_of("HTTPS://API.Example.com/x?y"), "https://api.example.com:443");
  EXPECT_EQ(HttpClient::endpoint_of("http://h:8080"), "http://h:8080");
}

TEST(HttpClient, ManyThreadsShareOneClient) {
  HttpFixture fx;
  fx.get("/t", HttpFixture::reply({200, "ok"}));
  fx.start();
  HttpClient client({}, resilience::ResiliencePolicy(fast_policy(2)));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i)
        if (client.fetch(Request("GET", fx.url("/t"))).ok()) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 100);
  EXPECT_EQ(client.stats().requests.load(), 100u);
}

TEST(HttpClient, ReusesConnectionsAcrossCalls) {
  HttpFixture fx;
  fx.get("/k", HttpFixture::reply({200, "ok"}));
  fx.start();
  HttpClient client;
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(client.fetch(Request("GET", fx.url("/k"))).ok());
  std::set<std::string> ports;
  for (const auto& r : fx.requests_to("/k")) ports.insert(r.header("REMOTE_PORT"));
  EXPECT_EQ(ports.size(), 1u);  // one TCP connection for all 20 calls
}

// Server-driven limiting works without a client-side bucket (the generic REST default).
TEST(HttpClient, RetryAfterPausesTheHostWithoutABucket) {
  HttpFixture fx;
  fx.get("/a", HttpFixture::sequence({{429, "", {{"Retry-After", "1"}}}, {200, "a"}}));
  fx.get("/b", HttpFixture::with_latency(300ms, HttpFixture::reply({200, "b"})));
  fx.get("/c", HttpFixture::reply({200, "c"}));
  fx.start();
  resilience::ResiliencePolicy policy(fast_policy(3));  // rate_limit.enabled false
  HttpClient client({}, policy);
  // /a is refused while /b is in flight; /c, queued behind /b, waits for the host's pause.
  std::vector<Request> reqs;
  for (auto p : {"/a", "/b", "/c"}) reqs.emplace_back("GET", fx.url(p));
  auto rs = client.fetch_all(std::move(reqs), 2);
  for (const auto& r : rs) ASSERT_TRUE(r.ok()) << (r.error ? r.error->what() : "");
  auto st = policy.stats().snapshot();
  EXPECT_EQ(st.throttled, 1u);
  EXPECT_EQ(st.server_waits, 1u);  // /c held back; /a's own retry was due when the pause ended
  EXPECT_EQ(st.rate_limit_waits, 0u);
  EXPECT_EQ(fx.count("/c"), 1u);
}

TEST(HttpClient, RateLimitHeadersHoldRequestsBackBeforeTheServerRefuses) {
  // A fixed window of 3 requests per second, announced as the IETF draft does.
  HttpFixture fx;
  std::mutex m;
  std::chrono::steady_clock::time_point window_end{};
  int used = 0, refused = 0;
  fx.get("/q", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(m);
    auto now = std::chrono::steady_clock::now();
    if (now >= window_end) {
      window_end = now + 1s;
      used = 0;
    }
    res.set_header("RateLimit-Limit", "3");
    res.set_header("RateLimit-Reset", "1");  // never more than a second away
    if (used >= 3) {
      ++refused;
      res.status = 429;
      res.set_header("RateLimit-Remaining", "0");
      res.set_header("Retry-After", "1");
      return;
    }
    ++used;
    res.set_header("RateLimit-Remaining", std::to_string(3 - used));
    res.set_content("ok", "text/plain");
  });
  fx.start();
  resilience::ResiliencePolicy policy(fast_policy(3));
  HttpClient client({}, policy);
  ASSERT_TRUE(client.fetch(Request("GET", fx.url("/q"))).ok());  // learns the quota
  std::vector<Request> reqs;
  for (int i = 0; i < 6; ++i) reqs.emplace_back("GET", fx.url("/q"));
  auto rs = client.fetch_all(std::move(reqs), 2);
  for (const auto& r : rs) ASSERT_TRUE(r.ok()) << (r.error ? r.error->what() : "");
  std::lock_guard lock(m);
  EXPECT_EQ(refused, 0);
  EXPECT_EQ(fx.count("/q"), 7u);
  auto st = policy.stats().snapshot();
  EXPECT_GE(st.server_waits, 1u);
  EXPECT_EQ(st.throttled, 0u);
  EXPECT_EQ(st.rate_limit_waits, 0u);
}
