#include "metrics/secrets.hpp"

#include <gtest/gtest.h>

using namespace sqlflow::metrics;

namespace {
// Canaries unique to this file; the registry is process-wide.
const std::string kCanary = "CANARY-s3cr3t-7f1e";
const std::string kOddCanary = "p@ss \"w0rd\"/x";
}  // namespace

TEST(Secrets, RegisteredSecretIsMaskedEverywhere) {
  register_secret(kCanary);
  EXPECT_EQ(mask_secrets("token is " + kCanary + "!"), "token is ***!");
  EXPECT_EQ(mask_secrets(kCanary + kCanary), "******");
  EXPECT_EQ(mask_secrets("nothing here"), "nothing here");
}

TEST(Secrets, EncodedSpellingsAreMaskedToo) {
  register_secret(kOddCanary);
  const std::string json_spelling = R"({"password":"p@ss \"w0rd\"/x"})";
  EXPECT_EQ(mask_secrets(json_spelling), R"({"password":"***"})");
  const std::string url_spelling = "https://h/cb?state=p%40ss%20%22w0rd%22%2Fx&x=1";
  EXPECT_EQ(mask_secrets(url_spelling), "https://h/cb?state=***&x=1");
}

TEST(Secrets, LongerSecretWinsOverItsPrefix) {
  register_secret("abcdefgh12");
  register_secret("abcdefgh12-longer");
  EXPECT_EQ(mask_secrets("x abcdefgh12-longer y"), "x *** y");
  // No 4-character piece of the secret survives.
  EXPECT_EQ(mask_secrets("abcdefgh12-longer").find("abcd"), std::string::npos);
}

TEST(Secrets, EmptySecretIsIgnored) {
  auto before = registered_secret_count();
  register_secret("");
  EXPECT_EQ(registered_secret_count(), before);
  EXPECT_EQ(mask_secrets("abc"), "abc");
}

TEST(Secrets, UrlQueryValuesOfSensitiveParams) {
  EXPECT_EQ(mask_secrets("GET https://api.x.com/v1/items?page=2&api_key=AKIA123&limit=5"),
            "GET https://api.x.com/v1/items?page=2&api_key=***&limit=5");
  EXPECT_EQ(mask_secrets("https://h/p?access_token=abc.def#frag"), "https://h/p?access_token=***#frag");
  EXPECT_EQ(mask_secrets("https://h/p?Secret=s1&password=p2&key=k3&sig=s4"),
            "https://h/p?Secret=***&password=***&key=***&sig=***");
  EXPECT_EQ(mask_secrets("https://b.s3.amazonaws.com/o?X-Amz-Credential=AKIA%2F2024&X-Amz-Signature=abcd"),
            "https://b.s3.amazonaws.com/o?X-Amz-Credential=***&X-Amz-Signature=***");
  // Harmless parameters stay readable.
  EXPECT_EQ(mask_secrets("https://h/p?page=3&limit=100"), "https://h/p?page=3&limit=100");
}

TEST(Secrets, UrlUserinfoPassword) {
  EXPECT_EQ(mask_secrets("connecting to postgresql://etl:hunter2@db.local:5432/shop"),
            "connecting to postgresql://etl:***@db.local:5432/shop");
  EXPECT_EQ(mask_secrets("postgres://etl@db/x"), "postgres://etl@db/x");  // no password, nothing to hide
  EXPECT_EQ(mask_secrets("http://host:8080/path"), "http://host:8080/path");
}

TEST(Secrets, ConnectionStringPasswords) {
  EXPECT_EQ(mask_secrets("host=db port=5432 user=etl password=hunter2 dbname=shop"),
            "host=db port=5432 user=etl password=*** dbname=shop");
  EXPECT_EQ(mask_secrets("host=db password='two words' dbname=x"), "host=db password='***' dbname=x");
  EXPECT_EQ(mask_secrets("client_secret=abc;region=eu"), "client_secret=***;region=eu");
  // "key" outside a query string is a normal word (upsert keys), not a credential.
  EXPECT_EQ(mask_secrets("merge on key=order_id"), "merge on key=order_id");
}

TEST(Secrets, HttpCredentials) {
  EXPECT_EQ(mask_secrets("Authorization: Bearer eyJhbGciOi.abc.def"), "Authorization: ***");
  EXPECT_EQ(mask_secrets("sending bearer eyJhbGciOi.abc.def now"), "sending bearer *** now");
  EXPECT_EQ(mask_secrets("Basic dXNlcjpwYXNzd29yZA=="), "Basic ***");
  EXPECT_EQ(mask_secrets("X-Shopify-Access-Token: shpat_123\r\nAccept: */*"),
            "X-Shopify-Access-Token: ***\r\nAccept: */*");
  EXPECT_EQ(mask_secrets(R"({"headers":{"X-Api-Key":"k-123","Accept":"json"}})"),
            R"({"headers":{"X-Api-Key":"***","Accept":"json"}})");
  EXPECT_EQ(mask_secrets("basic auth is not configured"), "basic auth is not configured");
}

TEST(Secrets, MaskingIsIdempotent) {
  std::string once = mask_secrets("https://u:pw@h/?token=t&x=1 Authorization: Bearer zzz " + kCanary);
  EXPECT_EQ(mask_secrets(once), once);
}
