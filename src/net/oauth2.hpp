// OAuth2 authenticators with token caching: client credentials (RFC 6749 §4.4), refresh token
// (§6, rotating refresh tokens kept), and Google service accounts (a JWT signed RS256 with the
// account's key, exchanged at its token_uri per RFC 7523 / Google's "OAuth 2.0 for Server to
// Server Applications"). Tokens are fetched once for all threads and renewed `refresh_before`
// ahead of expiry; a 401 drops the cached token so the next attempt fetches a fresh one.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "net/auth.hpp"
#include "net/secret.hpp"
#include "resilience/clock.hpp"

namespace sqlflow::net {

class HttpClient;

// Caches one access token; fetches through `fetch` (single flight: concurrent callers wait for
// one request). Base of the OAuth2 authenticators.
class TokenAuthenticator : public Authenticator {
 public:
  struct Token {
    SecretString access_token;
    std::chrono::seconds expires_in{3600};
  };
  void apply(Request& req) override;
  bool on_unauthorized() override;
  // The current token, fetching or renewing it when needed.
  SecretString token();
  std::size_t fetch_count() const;

 protected:
  TokenAuthenticator(std::shared_ptr<HttpClient> client, std::chrono::seconds refresh_before,
                     resilience::Clock& clock);
  virtual Token fetch_token() = 0;
  // POSTs an x-www-form-urlencoded body to `url` (optionally with HTTP Basic client auth) and
  // parses the RFC 6749 §5.1 response; errors name the URL and the server's `error` code only.
  Token post_token_request(const std::string& url, const std::string& form_body,
                           const std::string& basic_user, const SecretString& basic_password,
                           const std::string& what);
  // The last token response's JSON (secrets inside), for subclasses that read more fields.
  nlohmann::json& last_response();

  std::shared_ptr<HttpClient> client_;

 private:
  std::chrono::seconds refresh_before_;
  resilience::Clock& clock_;
  mutable std::mutex mutex_;
  SecretString cached_;
  resilience::TimePoint renew_at_{};
  std::size_t fetches_ = 0;
  std::shared_ptr<nlohmann::json> last_;
};

class OAuth2ClientCredentials final : public TokenAuthenticator {
 public:
  struct Options {
    std::string token_url;
    std::string client_id;
    SecretString client_secret;
    std::string scope;     // space-separated, optional
    std::string audience;  // sent when set (Auth0 and others)
    // RFC 6749 §2.3.1: HTTP Basic is the method servers must support; false sends the
    // credentials as form fields instead.
    bool basic_auth = true;
    std::chrono::seconds refresh_before{60};
  };
  // `client` makes the token requests (default: a client with the "rest" resilience profile).
  explicit OAuth2ClientCredentials(Options options, std::shared_ptr<HttpClient> client = nullptr,
                                   resilience::Clock& clock = resilience::steady_clock());
  std::string describe() const override { return "OAuth2 client credentials (" + options_.client_id + ")"; }
  std::string bucket_key() const override { return "oauth2:" + options_.client_id; }

 private:
  Token fetch_token() override;
  Options options_;
};

class OAuth2RefreshToken final : public TokenAuthenticator {
 public:
  struct Options {
    std::string token_url;
    std::string client_id;
    SecretString client_secret;  // may be empty (public clients)
    SecretString refresh_token;
    std::string scope;
    bool basic_auth = true;
    std::chrono::seconds refresh_before{60};
  };
  explicit OAuth2RefreshToken(Options options, std::shared_ptr<HttpClient> client = nullptr,
                              resilience::Clock& clock = resilience::steady_clock());
  std::string describe() const override { return "OAuth2 refresh token (" + options_.client_id + ")"; }
  std::string bucket_key() const override { return "oauth2:" + options_.client_id; }
  // The refresh token in use (servers that rotate them send a new one with each grant).
  SecretString refresh_token() const;

 private:
  Token fetch_token() override;
  Options options_;
  mutable std::mutex refresh_mutex_;
};

class GoogleServiceAccount final : public TokenAuthenticator {
 public:
  struct Options {
    std::string client_email;
    SecretString private_key_pem;
    std::string private_key_id;
    std::string token_uri = "https://oauth2.googleapis.com/token";
    std::vector<std::string> scopes;
    std::string subject;                  // user to impersonate (domain-wide delegation), optional
    std::chrono::seconds lifetime{3600};  // Google allows at most one hour
    std::chrono::seconds refresh_before{60};
  };
  // Reads a service-account key file's JSON (type "service_account": client_email,
  // private_key, private_key_id, token_uri). Errors never show the key.
  static Options from_key_json(const nlohmann::json& key, std::vector<std::string> scopes);

  explicit GoogleServiceAccount(Options options, std::shared_ptr<HttpClient> client = nullptr,
                                resilience::Clock& clock = resilience::steady_clock());
  std::string describe() const override { return "Google service account (" + options_.client_email + ")"; }
  std::string bucket_key() const override { return "google:" + options_.client_email; }
  // The signed assertion for `now` (exposed for tests).
  std::string make_assertion(std::chrono::system_clock::time_point now) const;

 private:
  Token fetch_token() override;
  Options options_;
};

// A compact JWS (RFC 7515) signed with RS256 (RSASSA-PKCS1-v1_5 + SHA-256, RFC 7518 §3.3) using a
// PEM private key. Throws a config Error (without key material) when the key is unusable.
std::string sign_jwt_rs256(const nlohmann::json& header, const nlohmann::json& claims,
                           const SecretString& private_key_pem);

}  // namespace sqlflow::net
