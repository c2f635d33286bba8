#include "net/auth.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "fixtures/http/http_fixture.hpp"
#include "net/http_client.hpp"
#include "net/oauth2.hpp"
#include "net_test_util.hpp"

using namespace sqlflow;
using namespace sqlflow::net;
using namespace std::chrono_literals;
using nlohmann::json;
using sqlflow::test::HttpFixture;
using sqlflow::test::OAuth2Fixture;

namespace {

json echo(HttpClient& client, const std::string& url) {
  Response r = client.fetch(Request("GET", url));
  EXPECT_TRUE(r.ok()) << (r.error ? r.error->what() : "");
  return json::parse(r.body);
}

ClientOptions with_auth(std::shared_ptr<Authenticator> auth) {
  ClientOptions o;
  o.auth = std::move(auth);
  return o;
}

std::string b64url_decode(std::string s) {
  for (auto& c : s) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
  }
  while (s.size() % 4) s += '=';
  std::string out(s.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  out.resize(static_cast<size_t>(std::max(0, n)));
  while (!out.empty() && out.back() == '\0') out.pop_back();  // EVP_DecodeBlock counts padding
  return out;
}

}  // namespace

TEST(Auth, BasicBearerAndApiKeys) {
  HttpFixture fx;
  fx.get("/echo", HttpFixture::echo());
  fx.start();
  {
    HttpClient c(with_auth(std::make_shared<BasicAuth>("alice", SecretString("s3cret-pw"))));
    EXPECT_EQ(echo(c, fx.url("/echo"))["headers"]["Authorization"],
              "Basic " + base64_encode("alice:s3cret-pw"));
  }
  {
    HttpClient c(with_auth(std::make_shared<BearerAuth>(SecretString("tkn-abcdef"))));
    EXPECT_EQ(echo(c, fx.url("/echo"))["headers"]["Authorization"], "Bearer tkn-abcdef");
  }
  {
    HttpClient c(with_auth(std::make_shared<ApiKeyAuth>("X-API-Key", SecretString("key-123456"))));
    EXPECT_EQ(echo(c, fx.url("/echo"))["headers"]["X-API-Key"], "key-123456");
  }
  {
    HttpClient c(with_auth(
        std::make_shared<ApiKeyAuth>("api_key", SecretString("key a&b"), ApiKeyAuth::Location::Query)));
    json j = echo(c, fx.url("/echo?page=2"));
    EXPECT_EQ(j["query"]["api_key"], "key a&b");
    EXPECT_EQ(j["query"]["page"], "2");
  }
  EXPECT_EQ(base64_encode("any carnal pleas"), "YW55IGNhcm5hbCBwbGVhcw==");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(Auth, ApiKeyInQueryIsReplacedNotDuplicatedOnRetry) {
  Request r("GET", "https://h/x?a=1");
  ApiKeyAuth auth("key", SecretString("value-1"), ApiKeyAuth::Location::Query);
  auth.apply(r);
  auth.apply(r);
  EXPECT_EQ(r.url, "https://h/x?a=1&key=value-1");
}

TEST(OAuth2, ClientCredentialsTokenIsCachedAndRenewedBeforeExpiry) {
  HttpFixture fx;
  OAuth2Fixture::Options oo;
  oo.expires_in = 4;
  OAuth2Fixture oauth(fx, "/token", oo);
  std::atomic<int> unauthorized{0};
  auto inner = oauth.protect(HttpFixture::reply({200, R"({"data":1})"}));
  fx.get("/data", [&](const httplib::Request& req, httplib::Response& res) {
    inner(req, res);
    if (res.status == 401) ++unauthorized;
  });
  fx.start();
  OAuth2ClientCredentials::Options o;
  o.token_url = fx.url("/token");
  o.client_id = "client-1";
  o.client_secret = SecretString("client-secret");
  o.refresh_before = 60s;  // more than the token lives: renews halfway (after 2 s)
  auto auth = std::make_shared<OAuth2ClientCredentials>(o);
  HttpClient client(with_auth(auth), resilience::ResiliencePolicy(net::testing::fast_policy(2)));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client.fetch(Request("GET", fx.url("/data"))).ok());
  EXPECT_EQ(oauth.tokens_issued(), 1u);
  std::this_thread::sleep_for(2200ms);  // past the renewal point, before the server's expiry
  ASSERT_TRUE(client.fetch(Request("GET", fx.url("/data"))).ok());
  EXPECT_EQ(oauth.tokens_issued(), 2u);
  EXPECT_EQ(unauthorized.load(), 0);
  EXPECT_EQ(oauth.grant_types(), (std::vector<std::string>{"client_credentials", "client_credentials"}));
  // The client authenticated with HTTP Basic, not form fields.
  auto token_reqs = fx.requests_to("/token");
  ASSERT_FALSE(token_reqs.empty());
  EXPECT_EQ(token_reqs[0].header("Authorization").rfind("Basic ", 0), 0u);
  EXPECT_EQ(token_reqs[0].body.find("client_secret"), std::string::npos);
}

TEST(OAuth2, RevokedTokenGets401ThenOneRefreshAndSuccess) {
  HttpFixture fx;
  OAuth2Fixture oauth(fx, "/token", {});
  fx.get("/data", oauth.protect(HttpFixture::reply({200, "ok"})));
  fx.start();
  OAuth2ClientCredentials::Options o;
  o.token_url = fx.url("/token");
  o.client_id = "client-1";
  o.client_secret = SecretString("client-secret");
  o.basic_auth = false;
  HttpClient client(with_auth(std::make_shared<OAuth2ClientCredentials>(o)),
                    resilience::ResiliencePolicy(net::testing::fast_policy(1)));
  ASSERT_TRUE(client.fetch(Request("GET", fx.url("/data"))).ok());
  oauth.revoke_all();
  Response r = client.fetch(Request("GET", fx.url("/data")));
  ASSERT_TRUE(r.ok()) << (r.error ? r.error->what() : "");
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(oauth.tokens_issued(), 2u);
  EXPECT_NE(fx.requests_to("/token")[0].body.find("client_id=client-1"), std::string::npos);
}

TEST(OAuth2, WrongClientSecretFailsWithTheServersErrorCodeAndNoSecret) {
  HttpFixture fx;
  OAuth2Fixture oauth(fx, "/token", {});
  fx.get("/data", oauth.protect(HttpFixture::reply({200, "ok"})));
  fx.start();
  OAuth2ClientCredentials::Options o;
  o.token_url = fx.url("/token");
  o.client_id = "client-1";
  o.client_secret = SecretString("wrong-secret-value");
  HttpClient client(with_auth(std::make_shared<OAuth2ClientCredentials>(
                        o, std::make_shared<HttpClient>(
                               ClientOptions{}, resilience::ResiliencePolicy(net::testing::fast_policy(1))))),
                    resilience::ResiliencePolicy(net::testing::fast_policy(1)));
  Response r = client.fetch(Request("GET", fx.url("/data")));
  ASSERT_TRUE(r.error);
  std::string msg = r.error->what();
  EXPECT_NE(msg.find("OAuth2 client credentials token request to " + fx.url("/token") +
                     " failed: HTTP 401 invalid_client"),
            std::string::npos)
      << msg;
  EXPECT_EQ(msg.find("wrong-secret-value"), std::string::npos);
  EXPECT_EQ(r.error->kind(), ErrorKind::Config);
  EXPECT_EQ(fx.count("/data"), 0u);
}

TEST(OAuth2, RefreshTokenGrantKeepsRotatedRefreshTokens) {
  HttpFixture fx;
  OAuth2Fixture::Options oo;
  oo.refresh_token = "refresh-initial";
  oo.rotate_refresh_token = true;
  OAuth2Fixture oauth(fx, "/token", oo);
  fx.get("/data", oauth.protect(HttpFixture::reply({200, "ok"})));
  fx.start();
  OAuth2RefreshToken::Options o;
  o.token_url = fx.url("/token");
  o.client_id = "client-1";
  o.client_secret = SecretString("client-secret");
  o.refresh_token = SecretString("refresh-initial");
  auto auth = std::make_shared<OAuth2RefreshToken>(o);
  HttpClient client(with_auth(auth), resilience::ResiliencePolicy(net::testing::fast_policy(1)));
  ASSERT_TRUE(client.fetch(Request("GET", fx.url("/data"))).ok());
  EXPECT_EQ(auth->refresh_token().reveal(), oauth.current_refresh_token());
  EXPECT_NE(oauth.current_refresh_token(), "refresh-initial");
  oauth.revoke_all();  // the next grant only works with the rotated refresh token
  ASSERT_TRUE(client.fetch(Request("GET", fx.url("/data"))).ok());
  EXPECT_EQ(oauth.tokens_issued(), 2u);
  EXPECT_EQ(oauth.grant_types(), (std::vector<std::string>{"refresh_token", "refresh_token"}));
}

TEST(GoogleServiceAccount, SignsAnRs256AssertionTheTokenEndpointVerifies) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), &EVP_PKEY_free);
  ASSERT_TRUE(key);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<size_t>(len));

  HttpFixture fx;
  json seen_claims;
  OAuth2Fixture::Options oo;
  oo.verify_assertion = [&](const std::string& jwt) {
    auto d1 = jwt.find('.'), d2 = jwt.rfind('.');
    if (d1 == std::string::npos || d1 == d2) return false;
    std::string signing_input = jwt.substr(0, d2), sig = b64url_decode(jwt.substr(d2 + 1));
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) return false;
    if (EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                         reinterpret_cast<const unsigned char*>(signing_input.data()),
                         signing_input.size()) != 1)
      return false;
    json header = json::parse(b64url_decode(jwt.substr(0, d1)));
    seen_claims = json::parse(b64url_decode(jwt.substr(d1 + 1, d2 - d1 - 1)));
    return header["alg"] == "RS256" && header["kid"] == "key-id-1";
  };
  OAuth2Fixture oauth(fx, "/token", oo);
  fx.get("/sheet", oauth.protect(HttpFixture::reply({200, R"({"values":[]})"})));
  fx.start();

  json key_file = {{"type", "service_account"},
                   {"client_email", "loader@project.iam.gserviceaccount.com"},
                   {"private_key_id", "key-id-1"},
                   {"private_key", pem},
                   {"token_uri", fx.url("/token")}};
  auto opts = GoogleServiceAccount::from_key_json(key_file,
                                                  {"https://www.googleapis.com/auth/spreadsheets.readonly"});
  HttpClient client(with_auth(std::make_shared<GoogleServiceAccount>(opts)),
                    resilience::ResiliencePolicy(net::testing::fast_policy(1)));
  Response r = client.fetch(Request("GET", fx.url("/sheet")));
  ASSERT_TRUE(r.ok()) << (r.error ? r.error->what() : "");
  EXPECT_EQ(seen_claims["iss"], "loader@project.iam.gserviceaccount.com");
  EXPECT_EQ(seen_claims["aud"], fx.url("/token"));
  EXPECT_EQ(seen_claims["scope"], "https://www.googleapis.com/auth/spreadsheets.readonly");
  EXPECT_EQ(seen_claims["exp"].get<long>() - seen_claims["iat"].get<long>(), 3600);
  EXPECT_EQ(oauth.grant_types(), (std::vector<std::string>{"urn:ietf:params:oauth:grant-type:jwt-bearer"}));
}

TEST(GoogleServiceAccount, BadKeysFailClearlyWithoutShowingTheKey) {
  EXPECT_THROW(GoogleServiceAccount::from_key_json(json{{"type", "authorized_user"}}, {"s"}), Error);
  EXPECT_THROW(GoogleServiceAccount::from_key_json(json{{"client_email", "x@y"}}, {"s"}), Error);
  auto o = GoogleServiceAccount::from_key_json(
      json{{"client_email", "x@y"}, {"private_key", "-----BEGIN PRIVATE KEY-----\nnot-a-key-material\n"}},
      {"s"});
  GoogleServiceAccount sa(o);
  try {
    sa.make_assertion(std::chrono::system_clock::now());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("private key could not be read"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("not-a-key-material"), std::string::npos);
  }
}
