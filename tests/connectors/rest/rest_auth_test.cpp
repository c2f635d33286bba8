// Every auth type of the REST source against the fixture API, and secrets kept out of errors.
#include <gtest/gtest.h>

#include "connectors/rest/digest_auth.hpp"
#include "rest_test_util.hpp"

using namespace sqlflow;
using test::rest_params;
using test::RestApiFixture;
using test::RestScan;

namespace {
std::string who(const nlohmann::json& params) {
  RestScan scan(params);
  return scan.value("SELECT who FROM sqlflow_scan('s')");
}
}  // namespace

TEST(RestAuth, Basic) {
  RestApiFixture api;
  auto p = rest_params(api, "/auth/basic");
  p["auth"] = {
      {"type", "basic"}, {"username", RestApiFixture::kUser}, {"password", RestApiFixture::kPassword}};
  EXPECT_EQ(who(p), "basic");
}

TEST(RestAuth, Bearer) {
  RestApiFixture api;
  auto p = rest_params(api, "/auth/bearer");
  p["auth"] = {{"type", "bearer"}, {"token", RestApiFixture::kToken}};
  EXPECT_EQ(who(p), "bearer");
}

TEST(RestAuth, ApiKeyInHeaderAndQuery) {
  RestApiFixture api;
  auto p = rest_params(api, "/auth/apikey");
  p["auth"] = {{"type", "api_key"}, {"key_value", RestApiFixture::kApiKey}};  // X-API-Key by default
  EXPECT_EQ(who(p), "api_key");
  p["auth"] = {
      {"type", "api_key"}, {"key_name", "api_key"}, {"key_value", RestApiFixture::kApiKey}, {"in", "query"}};
  EXPECT_EQ(who(p), "api_key");
  EXPECT_EQ(api.server().requests_to("/auth/apikey").back().header("X-API-Key"), "");
}

TEST(RestAuth, Digest) {
  RestApiFixture api;
  auto p = rest_params(api, "/auth/digest");
  p["params"] = {{"q", "ab"}};  // (cpp-httplib decodes %XX in the header it hands the fixture)
  p["auth"] = {
      {"type", "digest"}, {"username", RestApiFixture::kUser}, {"password", RestApiFixture::kPassword}};
  EXPECT_EQ(who(p), "digest");
  // One challenge, then authorized requests (schema + scan reuse one page: one authorized GET).
  auto reqs = api.server().requests_to("/auth/digest");
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].header("Authorization"), "");
  EXPECT_EQ(reqs[1].header("Authorization").rfind("Digest username=\"alice\"", 0), 0u);

  p["auth"]["password"] = "wrong-password-123";
  std::string err = test::error_of([&] { who(p); });
  EXPECT_NE(err.find("401"), std::string::npos) << err;
  EXPECT_EQ(err.find("wrong-password-123"), std::string::npos) << err;
}

TEST(RestAuth, DigestResponseMatchesRfc2617Example) {
  // RFC 2617 §3.5's worked example (MD5, qop=auth).
  std::map<std::string, std::string> challenge = {{"realm", "testrealm@host.com"},
                                                  {"qop", "auth,auth-int"},
                                                  {"nonce", "dcd98b7102dd2f0e8b11d0f600bfb0c093"},
                                                  {"opaque", "5ccc069c403ebaf9f0171e9517f40e41"}};
  std::string h = connectors::rest::DigestAuth::authorization(challenge, "Mufasa", "Circle Of Life", "GET",
                                                              "/dir/index.html", 1, "0a4f113b");
  EXPECT_NE(h.find("response=\"6629fae49393a05397450978507c4ef1\""), std::string::npos) << h;
  EXPECT_NE(h.find("nc=00000001"), std::string::npos) << h;
  auto parsed = connectors::rest::parse_digest_challenge(
      R"(Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="abc", opaque="xyz")");
  EXPECT_EQ(parsed["realm"], "testrealm@host.com");
  EXPECT_EQ(parsed["qop"], "auth,auth-int");
  EXPECT_EQ(parsed["nonce"], "abc");
}

TEST(RestAuth, OAuth2ClientCredentialsRenewsRevokedTokens) {
  RestApiFixture api;
  auto p = rest_params(api, "/auth/oauth");
  p["data_path"] = "data";
  p["pagination"] = {{"type", "page_number"}, {"page_size", 50}, {"total_pages_path", "total_pages"}};
  p["auth"] = {{"type", "oauth2_client_credentials"},
               {"token_url", api.url("/oauth/token")},
               {"client_id", "rest-client"},
               {"client_secret", "oauth-secret-XYZ123"},
               {"scope", "read"}};
  RestScan scan(p);
  EXPECT_EQ(scan.value("SELECT count(*) FROM sqlflow_scan('s')"), "250");
  EXPECT_EQ(api.oauth().tokens_issued(), 1u);
  api.oauth().revoke_all();  // as if the token expired early
  EXPECT_EQ(scan.value("SELECT count(*), sum(id) FROM sqlflow_scan('s')"), "250|31125");
  EXPECT_EQ(api.oauth().tokens_issued(), 2u);
}

TEST(RestAuth, OAuth2ShortLivedTokensAreRenewed) {
  RestApiFixture::Options o;
  o.oauth_expires_in = 1;
  RestApiFixture api(o);
  auto p = rest_params(api, "/auth/oauth");
  p["data_path"] = "data";
  p["pagination"] = {{"type", "page_number"}, {"page_size", 50}, {"total_pages_path", "total_pages"}};
  p["auth"] = {{"type", "oauth2_client_credentials"},
               {"token_url", api.url("/oauth/token")},
               {"client_id", "rest-client"},
               {"client_secret", "oauth-secret-XYZ123"}};
  RestScan scan(p);
  EXPECT_EQ(scan.value("SELECT count(*) FROM sqlflow_scan('s')"), "250");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the token has expired
  EXPECT_EQ(scan.value("SELECT count(*) FROM sqlflow_scan('s')"), "250");
  EXPECT_GE(api.oauth().tokens_issued(), 2u);
}

TEST(RestAuth, SecretsStayOutOfErrors) {
  RestApiFixture api;
  struct Case {
    std::string path;
    nlohmann::json auth;
    std::string secret;
  };
  std::vector<Case> cases = {
      {"/auth/basic",
       {{"type", "basic"}, {"username", "alice"}, {"password", "not-the-password-1"}},
       "not-the-password-1"},
      {"/auth/bearer", {{"type", "bearer"}, {"token", "not-the-token-22"}}, "not-the-token-22"},
      {"/auth/apikey",
       {{"type", "api_key"}, {"key_name", "api_key"}, {"key_value", "not-the-key-333"}, {"in", "query"}},
       "not-the-key-333"},
      {"/auth/oauth",
       {{"type", "oauth2_client_credentials"},
        {"token_url", api.url("/oauth/token")},
        {"client_id", "rest-client"},
        {"client_secret", "not-the-secret-4444"}},
       "not-the-secret-4444"},
  };
  // A credential passed as a plain header, echoed back by the server's 401 body.
  cases.push_back({"/auth/bearer", nullptr, "not-the-token-55555"});
  for (const auto& c : cases) {
    auto p = rest_params(api, c.path);
    if (c.auth.is_null())
      p["headers"] = {{"Authorization", "Bearer not-the-token-55555"}};
    else
      p["auth"] = c.auth;
    p["max_retries"] = 0;
    std::string err = test::error_of([&] { who(p); });
    EXPECT_FALSE(err.empty()) << c.path;
    EXPECT_EQ(err.find(c.secret), std::string::npos) << err;
  }
}

TEST(RestAuth, CredentialsAreNotSentToAnotherHost) {
  RestApiFixture api;
  test::HttpFixture other;
  other.get("/elsewhere", test::HttpFixture::reply({200, R"({"data":[{"id":9}],"next":null})"}));
  other.start();
  auto p = rest_params(api, "/offhost");
  p["params"] = {{"to", other.url("/elsewhere")}};
  p["data_path"] = "data";
  p["pagination"] = {{"type", "next_url"}, {"next_path", "next"}};
  p["auth"] = {{"type", "bearer"}, {"token", RestApiFixture::kToken}};
  RestScan scan(p);
  std::string err = test::error_of([&] { scan.value("SELECT count(*) FROM sqlflow_scan('s')"); });
  EXPECT_NE(err.find("another host"), std::string::npos) << err;
  EXPECT_EQ(other.count("/elsewhere"), 0u);
}

TEST(RestTls, CaBundleIsTrustedAndUnknownCertificatesAreNot) {
  test::TempDir dir("rest-tls");
  test::TlsFiles tls = test::make_self_signed_cert(dir.path());
  test::HttpFixture server(8, &tls);
  server.get("/secure", test::HttpFixture::reply({200, R"([{"id":1},{"id":2}])"}));
  server.start();
  nlohmann::json p = {
      {"url", server.url("/secure")}, {"max_retries", 0}, {"resilience", {{"rate_limit", false}}}};
  std::string err = test::error_of([&] {
    RestScan scan(p);
    scan.value("SELECT count(*) FROM sqlflow_scan('s')");
  });
  EXPECT_NE(err.find("certificate"), std::string::npos) << err;
  p["ca_bundle"] = tls.cert.string();
  RestScan scan(p);
  EXPECT_EQ(scan.value("SELECT count(*), sum(id) FROM sqlflow_scan('s')"), "2|3");
}
