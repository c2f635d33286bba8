#include "net/sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <strings.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <utility>
#include <vector>

#include "core/ascii.hpp"
#include "core/error.hpp"
#include "net/redact.hpp"

namespace sqlflow::net {
namespace sigv4 {

namespace {

// Trimall from the SigV4 docs: no leading/trailing blanks, runs of blanks become one space.
std::string trim_all(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

bool unsigned_header(const std::string& lname) {
  // Rewritten by libcurl, proxies or tracing on the way (botocore leaves the same ones out).
  return lname == "authorization" || lname == "user-agent" || lname == "expect" || lname == "x-amzn-trace-id";
}

std::string format_utc(WallClock::time_point t, const char* fmt) {
  std::time_t secs = WallClock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  return to_hex(std::string_view(reinterpret_cast<const char*>(md), sizeof md));
}

// SigV4's string to sign. Built with append: GCC 12 takes the operator+ chain for an
// out-of-bounds copy (-Warray-bounds) when this file is compiled in a unity build.
static std::string string_to_sign(std::string_view date, std::string_view scope,
                                  std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out.append("\n").append(date).append("\n").append(scope).append("\n").append(sha256_hex(canonical_request));
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len))
    throw internal_error("HMAC-SHA256 failed (OpenSSL)");
  return std::string(reinterpret_cast<const char*>(md), len);
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
    throw internal_error("SHA-256 init failed (OpenSSL)");
  }
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
}

void Sha256::update(std::string_view data) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size()) != 1)
    throw internal_error("SHA-256 update failed (OpenSSL)");
}

std::string Sha256::hex_digest() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &len) != 1)
    throw internal_error("SHA-256 final failed (OpenSSL)");
  return to_hex(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::string amz_date(WallClock::time_point t) {
  return format_utc(t, "%Y%m%dT%H%M%SZ");
}

std::string amz_day(WallClock::time_point t) {
  return format_utc(t, "%Y%m%d");
}

std::string uri_encode(std::string_view s, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 15]);
    }
  }
  return out;
}

std::string uri_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::string canonical_uri(std::string_view encoded_path) {
  if (encoded_path.empty()) return "/";
  // Decoding first makes "%24" and "$" sign alike, as S3 (which decodes the path into a key) does.
  return uri_encode(uri_decode(encoded_path), true);
}

std::string canonical_query(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t i = 0;
  while (i < raw_query.size()) {
    size_t amp = std::min(raw_query.find('&', i), raw_query.size());
    std::string_view pair = raw_query.substr(i, amp - i);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string_view k = pair.substr(0, eq);
      std::string_view v = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      params.emplace_back(uri_encode(uri_decode(k), false), uri_encode(uri_decode(v), false));
    }
    i = amp + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

std::string credential_scope(std::string_view day, std::string_view region, std::string_view service) {
  std::string s;
  s.append(day).append("/").append(region).append("/").append(service).append("/aws4_request");
  return s;
}

std::string signing_key(const SecretString& secret, std::string_view day, std::string_view region,
                        std::string_view service) {
  std::string k = hmac_sha256("AWS4" + secret.reveal(), day);
  k = hmac_sha256(k, region);
  k = hmac_sha256(k, service);
  return hmac_sha256(k, "aws4_request");
}

UrlParts split_url(std::string_view url) {
  UrlParts p;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0)
    throw validation_error("cannot sign '" + redact_url(url) + "': not an absolute URL");
  p.scheme = ascii_lower(url.substr(0, scheme_end));
  std::string_view rest = url.substr(scheme_end + 3);
  size_t auth_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, auth_end);
  rest = auth_end == std::string_view::npos ? std::string_view() : rest.substr(auth_end);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
  // Host and port; an IPv6 literal keeps its brackets, as in the Host header.
  std::string_view host = authority, port;
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) throw validation_error("cannot sign '" + redact_url(url) + "': the URL has no host");
  p.host = ascii_lower(host);
  // libcurl leaves the scheme's default port out of the Host header.
  bool default_port =
      port.empty() || (p.scheme == "http" && port == "80") || (p.scheme == "https" && port == "443");
  if (!default_port) p.host += ":" + std::string(port);
  size_t frag = rest.find('#');
  if (frag != std::string_view::npos) rest = rest.substr(0, frag);
  size_t q = rest.find('?');
  p.path = std::string(rest.substr(0, q));
  if (p.path.empty()) p.path = "/";
  if (q != std::string_view::npos) p.query = std::string(rest.substr(q + 1));
  return p;
}

Signer::Signer(Credentials credentials, std::string region, std::string service)
    : credentials_(std::move(credentials)), region_(std::move(region)), service_(std::move(service)) {}

Signature Signer::sign(Request& req, WallClock::time_point now) const {
  UrlParts url = split_url(req.url);
  const std::string date = amz_date(now), day = amz_day(now);
  set_header(req.headers, "X-Amz-Date", date);
  if (!credentials_.session_token.empty())
    set_header(req.headers, "X-Amz-Security-Token", credentials_.session_token.reveal());

  std::string payload_hash;
  for (const auto& [k, v] : req.headers)
    if (strcasecmp(k.c_str(), "x-amz-content-sha256") == 0) payload_hash = trim_all(v);
  if (payload_hash.empty()) {
    payload_hash = sha256_hex(req.body);
    // S3 refuses a signed request without it ("x-amz-content-sha256 must be provided").
    if (service_ == "s3") set_header(req.headers, "x-amz-content-sha256", payload_hash);
  }

  // Canonical headers: lowercase names, sorted; repeated names joined by ',' in request order.
  std::map<std::string, std::string> headers;
  headers["host"] = url.host;
  bool host_given = false;
  for (const auto& [k, v] : req.headers) {
    std::string lname = ascii_lower(trim_all(k));
    if (unsigned_header(lname)) continue;
    if (lname == "host") {
      // An explicit Host header replaces the URL's (the HTTP client sends it as given).
      headers["host"] = host_given ? headers["host"] + "," + trim_all(v) : trim_all(v);
      host_given = true;
      continue;
    }
    auto [it, fresh] = headers.emplace(lname, trim_all(v));
    if (!fresh) it->second += "," + trim_all(v);
  }

  Signature s;
  std::string canonical_headers;
  for (const auto& [k, v] : headers) {
    canonical_headers += k + ":" + v + "\n";
    if (!s.signed_headers.empty()) s.signed_headers.push_back(';');
    s.signed_headers += k;
  }
  std::string method = req.method;
  for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  s.canonical_request = method + "\n" + canonical_uri(url.path) + "\n" + canonical_query(url.query) + "\n" +
                        canonical_headers + "\n" + s.signed_headers + "\n" + payload_hash;
  const std::string scope = credential_scope(day, region_, service_);
  s.string_to_sign = string_to_sign(date, scope, s.canonical_request);
  s.signature = to_hex(
      hmac_sha256(signing_key(credentials_.secret_access_key, day, region_, service_), s.string_to_sign));
  s.authorization = std::string(kAlgorithm) + " Credential=" + credentials_.access_key_id + "/" + scope +
                    ", SignedHeaders=" + s.signed_headers + ", Signature=" + s.signature;
  set_header(req.headers, "Authorization", s.authorization);
  return s;
}

std::string Signer::presign(std::string_view method, std::string_view url, WallClock::time_point now,
                            std::chrono::seconds expires, Signature* pieces) const {
  // S3 refuses X-Amz-Expires above 604800 (7 days) with AuthorizationQueryParametersError.
  if (expires.count() < 1 || expires.count() > 604800)
    throw validation_error("a presigned URL must expire after 1 second to 7 days (604800 s), not " +
                           std::to_string(expires.count()) + " s");
  UrlParts parts = split_url(url);
  const std::string date = amz_date(now), day = amz_day(now);
  const std::string scope = credential_scope(day, region_, service_);
  std::string query = parts.query;
  auto add = [&](std::string_view k, std::string_view v) {
    if (!query.empty()) query.push_back('&');
    query += uri_encode(k, false) + "=" + uri_encode(v, false);
  };
  add("X-Amz-Algorithm", kAlgorithm);
  add("X-Amz-Credential", credentials_.access_key_id + "/" + scope);
  add("X-Amz-Date", date);
  add("X-Amz-Expires", std::to_string(expires.count()));
  add("X-Amz-SignedHeaders", "host");
  if (!credentials_.session_token.empty()) add("X-Amz-Security-Token", credentials_.session_token.reveal());

  Signature s;
  s.signed_headers = "host";
  std::string m(method);
  for (auto& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  s.canonical_request = m + "\n" + canonical_uri(parts.path) + "\n" + canonical_query(query) +
                        "\nhost:" + parts.host + "\n\nhost\n" + std::string(kUnsignedPayload);
  s.string_to_sign = string_to_sign(date, scope, s.canonical_request);
  s.signature = to_hex(
      hmac_sha256(signing_key(credentials_.secret_access_key, day, region_, service_), s.string_to_sign));
  if (pieces) *pieces = s;
  std::string base(url.substr(0, url.find_first_of("?#")));
  return base + "?" + query + "&X-Amz-Signature=" + s.signature;
}

}  // namespace sigv4

SigV4Auth::SigV4Auth(sigv4::Credentials credentials, std::string region, std::string service, Now now)
    : signer_(std::move(credentials), std::move(region), std::move(service)), now_(std::move(now)) {
  if (!now_) now_ = [] { return WallClock::now(); };
}

void SigV4Auth::apply(Request& req) {
  bool has_hash = false;
  for (const auto& [k, v] : req.headers)
    if (strcasecmp(k.c_str(), "x-amz-content-sha256") == 0) has_hash = true;
  // The client hands us the headers without the body, so hashing here would sign an empty body.
  if (!has_hash && signer_.service() == "s3")
    throw internal_error("SigV4Auth: " + req.method + " " + redact_url(req.url) +
                         " carries no x-amz-content-sha256 header (the caller must hash the body)");
  signer_.sign(req, now_());
}

std::string SigV4Auth::bucket_key() const {
  return "sigv4:" + secret_digest(signer_.access_key_id());
}

std::string SigV4Auth::describe() const {
  return "AWS SigV4 (" + signer_.access_key_id() + ", " + signer_.region() + ")";
}

}  // namespace sqlflow::net
