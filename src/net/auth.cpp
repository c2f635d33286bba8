#include "net/auth.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <strings.h>

#include <cctype>
#include <cstdio>

namespace sqlflow::net {

std::string base64_encode(std::string_view data) {
  static const char* chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(data[i]) << 16) |
                 (static_cast<unsigned char>(data[i + 1]) << 8) | static_cast<unsigned char>(data[i + 2]);
    out += chars[(v >> 18) & 63];
    out += chars[(v >> 12) & 63];
    out += chars[(v >> 6) & 63];
    out += chars[v & 63];
  }
  if (i + 1 == data.size()) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16;
    out += chars[(v >> 18) & 63];
    out += chars[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    unsigned v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8);
    out += chars[(v >> 18) & 63];
    out += chars[(v >> 12) & 63];
    out += chars[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string base64url_encode(std::string_view data) {
  std::string s = base64_encode(data);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (auto& c : s) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  return s;
}

std::string url_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string secret_digest(std::string_view secret) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), md);
  std::string hex = "sha256:";
  char buf[3];
  for (int i = 0; i < 8; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", md[i]);
    hex += buf;
  }
  return hex;
}

void set_header(Headers& headers, const std::string& name, const std::string& value) {
  for (auto it = headers.begin(); it != headers.end();) {
    if (strcasecmp(it->first.c_str(), name.c_str()) == 0)
      it = headers.erase(it);
    else
      ++it;
  }
  headers.emplace_back(name, value);
}

BasicAuth::BasicAuth(std::string user, SecretString password)
    : user_(std::move(user)), header_value_("Basic " + base64_encode(user_ + ":" + password.reveal())) {
  // The encoded form is as secret as the password (servers echo it back in errors).
  register_secret(header_value_.reveal().substr(6));
}

void BasicAuth::apply(Request& req) {
  set_header(req.headers, "Authorization", header_value_.reveal());
}
std::string BasicAuth::bucket_key() const {
  return "basic:" + secret_digest(header_value_.reveal());
}

BearerAuth::BearerAuth(SecretString token) : token_(std::move(token)) {}
void BearerAuth::apply(Request& req) {
  set_header(req.headers, "Authorization", "Bearer " + token_.reveal());
}
std::string BearerAuth::bucket_key() const {
  return "bearer:" + secret_digest(token_.reveal());
}

ApiKeyAuth::ApiKeyAuth(std::string name, SecretString value, Location where)
    : name_(std::move(name)), value_(std::move(value)), where_(where) {
  register_secret(url_encode(value_.reveal()));
}

void ApiKeyAuth::apply(Request& req) {
  if (where_ == Location::Header) {
    set_header(req.headers, name_, value_.reveal());
    return;
  }
  std::string param = url_encode(name_) + "=" + url_encode(value_.reveal());
  size_t hash = req.url.find('#');
  std::string fragment = hash == std::string::npos ? "" : req.url.substr(hash);
  std::string base = req.url.substr(0, hash);
  // Replace an existing value (a retry re-applies auth to the same request).
  std::string prefix = url_encode(name_) + "=";
  size_t q = base.find('?');
  if (q != std::string::npos) {
    size_t pos = q + 1;
    while (pos < base.size()) {
      size_t amp = base.find('&', pos);
      if (amp == std::string::npos) amp = base.size();
      if (base.compare(pos, prefix.size(), prefix) == 0) {
        base.replace(pos, amp - pos, param);
        req.url = base + fragment;
        return;
      }
      pos = amp + 1;
    }
  }
  base += (q == std::string::npos ? "?" : (base.back() == '?' || base.back() == '&' ? "" : "&")) + param;
  req.url = base + fragment;
}

std::string ApiKeyAuth::bucket_key() const {
  return "apikey:" + secret_digest(value_.reveal());
}

}  // namespace sqlflow::net
