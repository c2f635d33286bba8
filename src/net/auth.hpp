// Request authentication: HTTP Basic, Bearer token, API key (header or query). OAuth2 and Google
// service accounts live in oauth2.hpp. An Authenticator is shared by every request of a client
// and may be called from several threads.
#pragma once

#include <string>

#include "net/http.hpp"
#include "net/secret.hpp"

namespace sqlflow::net {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Adds credentials to `req` before each attempt. May block (to fetch a token). Thread-safe.
  virtual void apply(Request& req) = 0;
  // A request it authorized came back 401: forget cached credentials. True when one retry with
  // fresh credentials makes sense (a refreshed token), false when nothing would change.
  virtual bool on_unauthorized() { return false; }
  // A stable key for per-credential rate limiting: a digest, never the secret itself.
  virtual std::string bucket_key() const { return {}; }
  // What it is, for messages ("bearer token", "OAuth2 client credentials (client-1)").
  virtual std::string describe() const = 0;
};

// RFC 7617.
class BasicAuth final : public Authenticator {
 public:
  BasicAuth(std::string user, SecretString password);
  void apply(Request& req) override;
  std::string bucket_key() const override;
  std::string describe() const override { return "basic auth (" + user_ + ")"; }

 private:
  std::string user_;
  SecretString header_value_;  // "Basic base64(user:password)", itself registered as a secret
};

// RFC 6750 §2.1.
class BearerAuth final : public Authenticator {
 public:
  explicit BearerAuth(SecretString token);
  void apply(Request& req) override;
  std::string bucket_key() const override;
  std::string describe() const override { return "bearer token"; }

 private:
  SecretString token_;
};

class ApiKeyAuth final : public Authenticator {
 public:
  enum class Location { Header, Query };
  // Header: `name: value` (e.g. X-API-Key). Query: `?name=value` appended to the URL.
  ApiKeyAuth(std::string name, SecretString value, Location where = Location::Header);
  void apply(Request& req) override;
  std::string bucket_key() const override;
  std::string describe() const override { return "API key (" + name_ + ")"; }

 private:
  std::string name_;
  SecretString value_;
  Location where_;
};

// Helpers shared by the authenticators.
std::string base64_encode(std::string_view data);
std::string base64url_encode(std::string_view data);  // RFC 4648 §5, no padding (JWT)
std::string url_encode(std::string_view s);           // RFC 3986 unreserved kept
// "sha256:<first 16 hex digits>" of a secret: a key to group by without keeping the secret.
std::string secret_digest(std::string_view secret);
// Sets (replaces) a header, case-insensitively.
void set_header(Headers& headers, const std::string& name, const std::string& value);

}  // namespace sqlflow::net
