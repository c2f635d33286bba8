// Secret canaries (a password, a bearer token, an API key in a URL, a client secret) never appear
// in log lines, errors or metrics, even when the server echoes them back.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "fixtures/http/http_fixture.hpp"
#include "net/http_client.hpp"
#include "net/oauth2.hpp"
#include "net_test_util.hpp"

using namespace sqlflow;
using namespace sqlflow::net;
using sqlflow::test::HttpFixture;
using sqlflow::test::OAuth2Fixture;

namespace {

const char* kCanaries[] = {"canary-pass-1a2b3c",   "canary-bearer-4d5e6f",      "canary-apikey-7g8h9i",
                           "canary-urlkey-0j1k2l", "canary-client-secret-3m4n", "Y2FuYXJ5"};

struct Collector : RequestObserver, resilience::PolicyObserver {
  std::mutex m;
  std::string text;
  void add(const std::string& s) {
    std::lock_guard lock(m);
    text += s + "\n";
  }
  void on_attempt(const AttemptRecord& r) override {
    add(r.method + " " + r.url + " " + r.endpoint + " " + std::to_string(r.status) + " " + r.error);
  }
  void on_retry(const std::string& ep, int, resilience::Duration, const resilience::Failure& f) override {
    add(ep + " " + f.reason);
  }
  void on_give_up(const std::string& ep, int, const resilience::Failure& f) override {
    add(ep + " " + f.reason);
  }
};

// Echoes everything the request carried, as a failure.
void echo_failure(int status, const httplib::Request& req, httplib::Response& res) {
  std::string body = req.method + " " + req.target + "\n";
  for (const auto& [k, v] : req.headers) body += k + ": " + v + "\n";
  body += req.body;
  res.status = status;
  res.set_content(body, "text/plain");
}

}  // namespace

TEST(Secrets, CanariesNeverReachLogsErrorsOrMetrics) {
  std::ostringstream log;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log);
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("capture", sink);
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);

  HttpFixture fx;
  fx.get("/echo500",
         [](const httplib::Request& req, httplib::Response& res) { echo_failure(500, req, res); });
  fx.get("/echo404",
         [](const httplib::Request& req, httplib::Response& res) { echo_failure(404, req, res); });
  OAuth2Fixture oauth(fx, "/token", {});
  fx.start();

  auto collector = std::make_shared<Collector>();
  std::string errors;
  auto run = [&](std::shared_ptr<Authenticator> auth, const std::string& url) {
    ClientOptions co;
    co.auth = std::move(auth);
    co.observer = collector;
    resilience::ResiliencePolicy policy(net::testing::fast_policy(3));
    policy.set_observer(collector);
    HttpClient client(co, policy);
    Response r = client.fetch(Request("GET", url));
    EXPECT_TRUE(r.error);
    if (r.error) errors += std::string(r.error->what()) + "\n";
    errors += r.url + "\n";
    for (const auto& [k, v] : r.headers) errors += k + ": " + v + "\n";
    auto s = policy.stats().snapshot();
    errors += std::to_string(s.attempts) + " " + std::to_string(client.stats().bytes_received.load()) + "\n";
  };
  run(std::make_shared<BasicAuth>("canary-user", SecretString("canary-pass-1a2b3c")), fx.url("/echo500"));
  run(std::make_shared<BearerAuth>(SecretString("canary-bearer-4d5e6f")), fx.url("/echo500?page=1"));
  run(std::make_shared<ApiKeyAuth>("api_key", SecretString("canary-apikey-7g8h9i"),
                                   ApiKeyAuth::Location::Query),
      fx.url("/echo404"));
  run(std::make_shared<ApiKeyAuth>("X-API-Key", SecretString("canary-apikey-7g8h9i")), fx.url("/echo500"));
  // A key the user wrote into the URL itself (never registered as a secret).
  run(nullptr, fx.url("/echo500?api_key=canary-urlkey-0j1k2l&page=3"));
  run(nullptr, fx.url("/echo404?token=canary-urlkey-0j1k2l"));
  OAuth2ClientCredentials::Options o;
  o.token_url = fx.url("/token");
  o.client_id = "client-1";
  o.client_secret = SecretString("canary-client-secret-3m4n");
  run(std::make_shared<OAuth2ClientCredentials>(o), fx.url("/echo500"));
  o.basic_auth = false;
  run(std::make_shared<OAuth2ClientCredentials>(o), fx.url("/echo500"));

  spdlog::set_default_logger(previous);
  std::string everything = log.str() + "\n" + errors + "\n" + collector->text;
  // The capture did see the traffic (retries are logged, errors carry the echoed bodies).
  EXPECT_NE(log.str().find("retry"), std::string::npos) << log.str();
  EXPECT_NE(errors.find("api_key=***"), std::string::npos) << errors;
  EXPECT_NE(errors.find("Authorization: Bearer ***"), std::string::npos) << errors;
  EXPECT_NE(errors.find("X-API-Key: ***"), std::string::npos) << errors;
  for (const char* canary : kCanaries)
    EXPECT_EQ(everything.find(canary), std::string::npos) << canary << "\n" << everything;
  // Token requests with the secret in a form body were made and failed without showing it.
  EXPECT_GE(fx.count("/token"), 2u);
}
