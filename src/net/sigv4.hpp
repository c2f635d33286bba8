// AWS Signature Version 4 (AWS4-HMAC-SHA256) for S3: the canonical request, string to sign,
// signing key and Authorization header of a Request, presigned (query-string) URLs, and the
// SHA-256 payload hashes S3 wants in x-amz-content-sha256. Follows
// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html and
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html.
//
// Why our own signer on OpenSSL and not libcurl's CURLOPT_AWS_SIGV4: libcurl signs inside the
// transfer, from the easy handle's options, so (1) the HttpClient would need a per-request curl
// option it does not have, while credentials already have their place in it (an Authenticator
// applied to each attempt, so a retry gets a fresh date and signature); (2) the signature cannot
// be inspected, so tests could not compare canonical requests and signatures with AWS's published
// vectors and botocore for a fixed date; (3) it has no presigned URLs. What remains is a few
// HMACs and SHA-256s from OpenSSL, which the project links already.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "net/auth.hpp"
#include "net/http.hpp"
#include "net/secret.hpp"

namespace sqlflow::net {

using WallClock = std::chrono::system_clock;

namespace sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
// x-amz-content-sha256 for a body whose hash is not part of the signature (presigned URLs, or
// uploads over TLS that opt out of hashing).
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// SHA-256 of the empty string: the payload hash of GET, HEAD and DELETE.
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Lowercase hex of SHA-256(data).
std::string sha256_hex(std::string_view data);
// Raw (32-byte) HMAC-SHA256.
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string to_hex(std::string_view bytes);

// Incremental SHA-256, for payload hashes of data read piece by piece (file parts).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  std::string hex_digest();  // finishes; the object must not be updated afterwards

 private:
  void* ctx_;  // EVP_MD_CTX
};

// "20130524T000000Z" and "20130524" (UTC).
std::string amz_date(WallClock::time_point t);
std::string amz_day(WallClock::time_point t);

// RFC 3986 encoding as SigV4 wants it: unreserved characters (A-Z a-z 0-9 - . _ ~) kept,
// everything else %XX with uppercase hex; '/' kept only when `keep_slash`.
std::string uri_encode(std::string_view s, bool keep_slash);
// Percent-decoding (%XX only; '+' stays '+'). Malformed escapes are kept as they are.
std::string uri_decode(std::string_view s);

// S3's canonical URI: the path decoded and encoded once again, segment by segment ('/' kept, no
// double encoding, no dot-segment normalization: S3 keys may contain "." and "..").
std::string canonical_uri(std::string_view encoded_path);
// Query parameters decoded, re-encoded, sorted by name then value; "uploads" becomes "uploads=".
std::string canonical_query(std::string_view raw_query);

// "<yyyymmdd>/<region>/<service>/aws4_request".
std::string credential_scope(std::string_view day, std::string_view region, std::string_view service);
// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request").
std::string signing_key(const SecretString& secret, std::string_view day, std::string_view region,
                        std::string_view service);

struct Credentials {
  std::string access_key_id;
  SecretString secret_access_key;
  SecretString session_token;  // temporary credentials (STS); empty for long-term keys
};

// The intermediate values of one signature, for tests and debugging (nothing secret in them).
struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;x-amz-content-sha256;x-amz-date"
  std::string signature;       // lowercase hex
  std::string authorization;   // the Authorization header value
};

class Signer {
 public:
  // `service` is "s3" for S3; other services get no x-amz-content-sha256 header (AWS's generic
  // test suite signs with service "service").
  Signer(Credentials credentials, std::string region, std::string service = "s3");

  // Signs `req` in place at time `now`: sets X-Amz-Date, X-Amz-Security-Token (with a session
  // token) and, for S3, x-amz-content-sha256 when the request has none (SHA-256 of req.body), then
  // Authorization. The payload hash is x-amz-content-sha256 when present (the body itself may be
  // elsewhere: the HTTP client hands authenticators the headers only), else SHA-256 of req.body.
  // Signed headers: host (from the URL, as libcurl sends it) and every header of `req` except
  // authorization, user-agent, expect and x-amzn-trace-id (botocore's list), which proxies or
  // libcurl may rewrite. Throws a validation Error for a URL it cannot parse.
  Signature sign(Request& req, WallClock::time_point now) const;

  // A presigned URL: `url` plus X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders
  // (host), -Security-Token and -Signature; the payload is UNSIGNED-PAYLOAD. `expires` must be
  // 1 s to 7 days (S3's limit).
  std::string presign(std::string_view method, std::string_view url, WallClock::time_point now,
                      std::chrono::seconds expires, Signature* pieces = nullptr) const;

  const std::string& access_key_id() const { return credentials_.access_key_id; }
  const std::string& region() const { return region_; }
  const std::string& service() const { return service_; }

 private:
  Credentials credentials_;
  std::string region_;
  std::string service_;
};

// The pieces of a URL the signer needs (scheme://[user@]host[:port]/path?query#fragment).
struct UrlParts {
  std::string scheme;  // lowercase
  std::string host;    // as the Host header carries it: the port only when not the scheme's default
  std::string path;    // still encoded; "/" when empty
  std::string query;   // still encoded, without '?'
};
// Throws a validation Error when `url` has no scheme or host.
UrlParts split_url(std::string_view url);

}  // namespace sigv4

// Signs every attempt of an HttpClient's requests (a retry gets a fresh date and signature).
// Requests must carry x-amz-content-sha256 (S3Client sets it), since the client passes
// authenticators the headers without the body.
class SigV4Auth final : public Authenticator {
 public:
  using Now = std::function<WallClock::time_point()>;
  SigV4Auth(sigv4::Credentials credentials, std::string region, std::string service = "s3", Now now = {});
  void apply(Request& req) override;
  std::string bucket_key() const override;
  std::string describe() const override;
  const sigv4::Signer& signer() const { return signer_; }

 private:
  sigv4::Signer signer_;
  Now now_;
};

}  // namespace sqlflow::net
