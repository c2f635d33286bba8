#include "net/redact.hpp"

#include <gtest/gtest.h>

#include "net/secret.hpp"

using namespace sqlflow::net;

TEST(Redact, UrlQueryParametersAndUserinfo) {
  EXPECT_EQ(redact_url("https://api.example.com/v1/items?page=2&api_key=abc123&limit=10"),
            "https://api.example.com/v1/items?page=2&api_key=***&limit=10");
  EXPECT_EQ(redact_url("https://h/x?access_token=t&client_secret=s&X-Amz-Signature=sig&code=c"),
            "https://h/x?access_token=***&client_secret=***&X-Amz-Signature=***&code=***");
  EXPECT_EQ(redact_url("https://user:pa55word@h:8443/p?q=1"), "https://user:***@h:8443/p?q=1");
  EXPECT_EQ(redact_url("https://ghp_tokentoken@github.com/x"), "https://***@github.com/x");
  EXPECT_EQ(redact_url("https://h/cb#access_token=abc&state=1"), "https://h/cb#access_token=***&state=1");
  EXPECT_EQ(redact_url("https://h/p?key=&page=1"), "https://h/p?key=&page=1");
  EXPECT_EQ(redact_url("http://127.0.0.1:8080/a/b"), "http://127.0.0.1:8080/a/b");
  EXPECT_EQ(redact_url("https://h/p?Api%5FKey=zzz"), "https://h/p?Api%5FKey=***");
}

TEST(Redact, SensitiveHeaders) {
  for (auto h : {"Authorization", "proxy-authorization", "X-API-Key", "X-Shopify-Access-Token", "Cookie",
                 "X-Amz-Security-Token", "x-goog-api-key"})
    EXPECT_EQ(redact_header_value(h, "value-123"), "***") << h;
  EXPECT_EQ(redact_header_value("Content-Type", "application/json"), "application/json");
  EXPECT_EQ(redact_headers({{"Accept", "*/*"}, {"Authorization", "Bearer x"}}),
            "Accept: */*\nAuthorization: ***");
}

TEST(Redact, FormBodiesOfTokenRequests) {
  EXPECT_EQ(redact_form("grant_type=refresh_token&refresh_token=r1&client_id=c&client_secret=s"),
            "grant_type=refresh_token&refresh_token=***&client_id=c&client_secret=***");
  EXPECT_EQ(redact_form("grant_type=password&username=u&password=p"),
            "grant_type=password&username=u&password=***");
  EXPECT_EQ(redact_form("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJ.a.b"),
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=***");
}

TEST(Redact, FreeText) {
  EXPECT_EQ(redact("GET https://h/x?token=abc failed"), "GET https://h/x?token=*** failed");
  EXPECT_EQ(redact("header was Authorization: Bearer abc.def"), "header was Authorization: Bearer ***");
  EXPECT_EQ(redact(R"({"access_token": "abc", "expires_in": 3600})"),
            R"({"access_token": "***", "expires_in": 3600})");
  EXPECT_EQ(redact(R"({"error":"invalid_client","client_secret":"s3"})"),
            R"({"error":"invalid_client","client_secret":"***"})");
  EXPECT_EQ(redact("password=hunter2; user=bob"), "password=***; user=bob");
  EXPECT_EQ(redact("Basic dXNlcjpwYXNz"), "Basic ***");
  EXPECT_EQ(redact("at 12:00 nothing secret"), "at 12:00 nothing secret");
  std::string once = redact("token=abc Bearer xyz https://h/?key=k");
  EXPECT_EQ(redact(once), once);  // idempotent
}

TEST(Redact, RegisteredSecretsAreScrubbedAnywhere) {
  SecretString s("canary-value-98765");
  EXPECT_EQ(redact("the server said: canary-value-98765 is wrong"), "the server said: *** is wrong");
  EXPECT_EQ(scrub_secrets("xx canary-value-98765 yy"), "xx *** yy");
  EXPECT_EQ(s.masked(), "***");
  EXPECT_EQ(s.reveal(), "canary-value-98765");
}
