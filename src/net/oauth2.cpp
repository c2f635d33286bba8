#include "net/oauth2.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>

#include "net/http_client.hpp"
#include "net/redact.hpp"
#include "resilience/profiles.hpp"

namespace sqlflow::net {

using nlohmann::json;

namespace {

std::shared_ptr<HttpClient> default_token_client(std::shared_ptr<HttpClient> client) {
  if (client) return client;
  return std::make_shared<HttpClient>(ClientOptions{}, resilience::make_policy("rest", nullptr));
}

}  // namespace

TokenAuthenticator::TokenAuthenticator(std::shared_ptr<HttpClient> client,
                                       std::chrono::seconds refresh_before, resilience::Clock& clock)
    : client_(default_token_client(std::move(client))),
      refresh_before_(refresh_before),
      clock_(clock),
      last_(std::make_shared<json>()) {}

SecretString TokenAuthenticator::token() {
  std::lock_guard lock(mutex_);  // single flight: other threads wait for this fetch
  resilience::TimePoint now = clock_.now();
  if (!cached_.empty() && now < renew_at_) return cached_;
  Token t = fetch_token();
  cached_ = t.access_token;
  ++fetches_;
  // Renew ahead of expiry, but never sooner than halfway through a short-lived token.
  auto lead = std::min(refresh_before_, t.expires_in / 2);
  renew_at_ = now + (t.expires_in - lead);
  return cached_;
}

std::size_t TokenAuthenticator::fetch_count() const {
  std::lock_guard lock(mutex_);
  return fetches_;
}

void TokenAuthenticator::apply(Request& req) {
  set_header(req.headers, "Authorization", "Bearer " + token().reveal());
}

bool TokenAuthenticator::on_unauthorized() {
  std::lock_guard lock(mutex_);
  cached_ = SecretString();
  return true;
}

json& TokenAuthenticator::last_response() {
  return *last_;
}

TokenAuthenticator::Token TokenAuthenticator::post_token_request(const std::string& url,
                                                                 const std::string& form_body,
                                                                 const std::string& basic_user,
                                                                 const SecretString& basic_password,
                                                                 const std::string& what) {
  Request req("POST", url);
  req.body = form_body;
  req.idempotent = true;  // a token request has no side effect worth protecting
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  req.headers.emplace_back("Accept", "application/json");
  if (!basic_user.empty()) {
    // RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding.
    SecretString header("Basic " +
                        base64_encode(url_encode(basic_user) + ":" + url_encode(basic_password.reveal())));
    register_secret(header.reveal().substr(6));
    req.headers.emplace_back("Authorization", header.reveal());
  }
  Response resp = client_->fetch(req);
  std::string where = what + " token request to " + redact_url(url);
  if (!resp.ok()) {
    std::string detail;
    if (resp.status > 0) {
      detail = "HTTP " + std::to_string(resp.status);
      // RFC 6749 §5.2 error fields only: the rest of the body may echo what we sent.
      json err = json::parse(resp.body, nullptr, false);
      if (err.is_object() && err.contains("error") && err["error"].is_string()) {
        detail += " " + redact(err["error"].get<std::string>());
        if (err.contains("error_description") && err["error_description"].is_string())
          detail += ": " + redact(err["error_description"].get<std::string>());
      }
    } else if (resp.error) {
      detail = resp.error->message();
    }
    bool credentials = resp.status == 400 || resp.status == 401 || resp.status == 403;
    throw Error(credentials ? ErrorKind::Config : ErrorKind::Connection, where + " failed: " + detail,
                credentials ? "check the client id, secret, refresh token or key in PARAMS auth" : "",
                resp.error && resp.error->retryable());
  }
  json body = json::parse(resp.body, nullptr, false);
  if (!body.is_object() || !body.contains("access_token") || !body["access_token"].is_string())
    throw data_error(where + " returned no access_token",
                     "the token endpoint must answer as RFC 6749 §5.1 says");
  Token t;
  t.access_token = SecretString(body["access_token"].get<std::string>());
  if (body.contains("expires_in")) {
    const json& e = body["expires_in"];
    long secs =
        e.is_number() ? e.get<long>() : (e.is_string() ? std::atol(e.get<std::string>().c_str()) : 3600);
    t.expires_in = std::chrono::seconds(std::max(1L, secs));
  }
  if (body.contains("refresh_token") && body["refresh_token"].is_string())
    register_secret(body["refresh_token"].get<std::string>());
  *last_ = std::move(body);
  return t;
}

// ------------------------------------------------------------------------------------------------

OAuth2ClientCredentials::OAuth2ClientCredentials(Options options, std::shared_ptr<HttpClient> client,
                                                 resilience::Clock& clock)
    : TokenAuthenticator(std::move(client), options.refresh_before, clock), options_(std::move(options)) {
  if (options_.token_url.empty()) throw config_error("OAuth2 client credentials need a token_url");
  if (options_.client_id.empty()) throw config_error("OAuth2 client credentials need a client_id");
}

TokenAuthenticator::Token OAuth2ClientCredentials::fetch_token() {
  std::string form = "grant_type=client_credentials";
  if (!options_.scope.empty()) form += "&scope=" + url_encode(options_.scope);
  if (!options_.audience.empty()) form += "&audience=" + url_encode(options_.audience);
  if (!options_.basic_auth) {
    form += "&client_id=" + url_encode(options_.client_id) +
            "&client_secret=" + url_encode(options_.client_secret.reveal());
    return post_token_request(options_.token_url, form, {}, {}, "OAuth2 client credentials");
  }
  return post_token_request(options_.token_url, form, options_.client_id, options_.client_secret,
                            "OAuth2 client credentials");
}

OAuth2RefreshToken::OAuth2RefreshToken(Options options, std::shared_ptr<HttpClient> client,
                                       resilience::Clock& clock)
    : TokenAuthenticator(std::move(client), options.refresh_before, clock), options_(std::move(options)) {
  if (options_.token_url.empty()) throw config_error("OAuth2 refresh token auth needs a token_url");
  if (options_.refresh_token.empty()) throw config_error("OAuth2 refresh token auth needs a refresh_token");
}

SecretString OAuth2RefreshToken::refresh_token() const {
  std::lock_guard lock(refresh_mutex_);
  return options_.refresh_token;
}

TokenAuthenticator::Token OAuth2RefreshToken::fetch_token() {
  std::string form = "grant_type=refresh_token&refresh_token=" + url_encode(refresh_token().reveal());
  if (!options_.scope.empty()) form += "&scope=" + url_encode(options_.scope);
  bool basic = options_.basic_auth && !options_.client_secret.empty();
  if (!basic) {
    form += "&client_id=" + url_encode(options_.client_id);
    if (!options_.client_secret.empty())
      form += "&client_secret=" + url_encode(options_.client_secret.reveal());
  }
  Token t = post_token_request(options_.token_url, form, basic ? options_.client_id : std::string(),
                               options_.client_secret, "OAuth2 refresh token");
  // RFC 6749 §6: the server may issue a new refresh token; the old one may then stop working.
  json& body = last_response();
  if (body.contains("refresh_token") && body["refresh_token"].is_string()) {
    std::lock_guard lock(refresh_mutex_);
    options_.refresh_token = SecretString(body["refresh_token"].get<std::string>());
  }
  return t;
}

// ------------------------------------------------------------------------------------------------

std::string sign_jwt_rs256(const json& header, const json& claims, const SecretString& private_key_pem) {
  std::string input = base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
  const std::string& pem = private_key_pem.reveal();
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                &BIO_free);
  if (!bio) throw internal_error("BIO_new_mem_buf failed");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!key)
    throw config_error("the service-account private key could not be read",
                       "private_key must be the PEM \"-----BEGIN PRIVATE KEY-----\" block of the key file");
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA)
    throw config_error("the service-account private key is not an RSA key", "RS256 needs an RSA key");
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) != 1)
    throw internal_error("RS256 signing failed");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    throw internal_error("RS256 signing failed");
  sig.resize(len);
  return input + "." + base64url_encode(sig);
}

GoogleServiceAccount::Options GoogleServiceAccount::from_key_json(const json& key,
                                                                  std::vector<std::string> scopes) {
  if (!key.is_object()) throw config_error("the service-account key file is not a JSON object");
  if (key.contains("type") && key["type"] != "service_account")
    throw config_error(
        "the key file is of type " + key["type"].dump() + ", not a service account",
        "create a key for a service account in the Google Cloud console (IAM → Service accounts)");
  auto field = [&](const char* name, bool required) -> std::string {
    if (key.contains(name) && key[name].is_string()) return key[name].get<std::string>();
    if (required) throw config_error(std::string("the service-account key file has no '") + name + "'");
    return {};
  };
  Options o;
  o.client_email = field("client_email", true);
  o.private_key_pem = SecretString(field("private_key", true));
  o.private_key_id = field("private_key_id", false);
  std::string uri = field("token_uri", false);
  if (!uri.empty()) o.token_uri = uri;
  o.scopes = std::move(scopes);
  return o;
}

GoogleServiceAccount::GoogleServiceAccount(Options options, std::shared_ptr<HttpClient> client,
                                           resilience::Clock& clock)
    : TokenAuthenticator(std::move(client), options.refresh_before, clock), options_(std::move(options)) {
  if (options_.client_email.empty()) throw config_error("a Google service account needs a client_email");
  if (options_.scopes.empty())
    throw config_error("a Google service account needs at least one scope",
                       "e.g. https://www.googleapis.com/auth/spreadsheets.readonly");
  if (options_.lifetime > std::chrono::seconds(3600) || options_.lifetime < std::chrono::seconds(60))
    throw config_error("a Google service-account token lifetime must be between 60 s and one hour");
}

std::string GoogleServiceAccount::make_assertion(std::chrono::system_clock::time_point now) const {
  auto iat = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  if (!options_.private_key_id.empty()) header["kid"] = options_.private_key_id;
  std::string scope;
  for (const auto& s : options_.scopes) scope += (scope.empty() ? "" : " ") + s;
  json claims = {{"iss", options_.client_email},
                 {"scope", scope},
                 {"aud", options_.token_uri},
                 {"iat", iat},
                 {"exp", iat + options_.lifetime.count()}};
  if (!options_.subject.empty()) claims["sub"] = options_.subject;
  return sign_jwt_rs256(header, claims, options_.private_key_pem);
}

TokenAuthenticator::Token GoogleServiceAccount::fetch_token() {
  std::string assertion = make_assertion(std::chrono::system_clock::now());
  register_secret(assertion);  // a bearer credential for up to an hour
  std::string form =
      "grant_type=" + url_encode("urn:ietf:params:oauth:grant-type:jwt-bearer") + "&assertion=" + assertion;
  return post_token_request(options_.token_uri, form, {}, {}, "Google service account");
}

}  // namespace sqlflow::net
