// HTTP Digest authentication (RFC 7616, qop=auth, MD5 / SHA-256 and their -sess variants) for
// the REST source's `auth: {"type": "digest"}`. The challenge is fetched once with an
// unauthenticated request and reused with an incrementing nonce count; a 401 (stale nonce)
// drops it so the next attempt asks again.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "net/auth.hpp"
#include "net/secret.hpp"

namespace sqlflow::net {
class HttpClient;
}

namespace sqlflow::connectors::rest {

// The parameters of a `WWW-Authenticate: Digest …` challenge (lower-case names), or empty when
// the header holds no Digest challenge.
std::map<std::string, std::string> parse_digest_challenge(const std::string& header);

class DigestAuth final : public net::Authenticator {
 public:
  // `probe` sends the unauthenticated requests that fetch challenges (no retries needed).
  DigestAuth(std::string user, net::SecretString password, std::shared_ptr<net::HttpClient> probe);
  void apply(net::Request& req) override;
  bool on_unauthorized() override;
  std::string bucket_key() const override;
  std::string describe() const override { return "digest auth (" + user_ + ")"; }
  std::size_t challenges_fetched() const;

  // The Authorization header value for one request (exposed for tests).
  static std::string authorization(const std::map<std::string, std::string>& challenge,
                                   const std::string& user, const std::string& password,
                                   const std::string& method, const std::string& uri, std::uint32_t nc,
                                   const std::string& cnonce);

 private:
  std::string user_;
  net::SecretString password_;
  std::shared_ptr<net::HttpClient> probe_;
  mutable std::mutex mutex_;
  std::map<std::string, std::string> challenge_;
  std::uint32_t nc_ = 0;
  std::size_t fetched_ = 0;
};

}  // namespace sqlflow::connectors::rest
