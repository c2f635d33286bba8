#include <gtest/gtest.h>

#include "fixtures/http/http_fixture.hpp"
#include "net/http_client.hpp"
#include "net_test_util.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using namespace sqlflow::net;
using sqlflow::test::HttpFixture;

TEST(Tls, VerificationIsOnByDefaultAndACaBundleMakesItPass) {
  sqlflow::test::TempDir dir("tls");
  auto files = sqlflow::test::make_self_signed_cert(dir.path());
  HttpFixture fx(8, &files);
  fx.get("/x", HttpFixture::reply({200, "secure"}));
  fx.start();
  ASSERT_EQ(fx.base_url().rfind("https://", 0), 0u);

  HttpClient strict({}, resilience::ResiliencePolicy(net::testing::fast_policy(3)));
  Response r = strict.fetch(Request("GET", fx.url("/x")));
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.attempts, 1);  // an untrusted certificate does not get better by retrying
  EXPECT_NE(r.error->message().find("TLS certificate verification failed"), std::string::npos)
      << r.error->what();
  EXPECT_NE(r.error->hint().find("ca_bundle"), std::string::npos);
  EXPECT_EQ(fx.count("/x"), 0u);

  ClientOptions co;
  co.ca_bundle = files.cert.string();
  HttpClient trusting(co, resilience::ResiliencePolicy(net::testing::fast_policy(3)));
  Response ok = trusting.fetch(Request("GET", fx.url("/x")));
  ASSERT_TRUE(ok.ok()) << (ok.error ? ok.error->what() : "");
  EXPECT_EQ(ok.body, "secure");
}

TEST(Tls, MissingCaBundleIsAConfigErrorUpFront) {
  ClientOptions co;
  co.ca_bundle = "/nonexistent/ca.pem";
  try {
    HttpClient c(co);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Config);
    EXPECT_NE(e.message().find("/nonexistent/ca.pem"), std::string::npos);
  }
}
