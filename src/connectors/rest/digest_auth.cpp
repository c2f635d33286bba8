#include "connectors/rest/digest_auth.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>

#include "core/error.hpp"
#include "net/http_client.hpp"
#include "net/redact.hpp"

namespace sqlflow::connectors::rest {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string hex_digest(const EVP_MD* md, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1)
    throw internal_error("digest auth: hashing failed");
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < len; ++i) {
    s += hex[out[i] >> 4];
    s += hex[out[i] & 15];
  }
  return s;
}

std::string path_and_query(const std::string& url) {
  size_t scheme = url.find("://");
  size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  std::string p = slash == std::string::npos ? "/" : url.substr(slash);
  if (auto hash = p.find('#'); hash != std::string::npos) p.resize(hash);
  return p;
}

}  // namespace

std::map<std::string, std::string> parse_digest_challenge(const std::string& header) {
  std::map<std::string, std::string> out;
  size_t pos = lower(header).find("digest ");
  if (pos == std::string::npos) return out;
  size_t i = pos + 7;
  const std::string& h = header;
  while (i < h.size()) {
    while (i < h.size() && (h[i] == ' ' || h[i] == ',' || h[i] == '\t')) ++i;
    size_t ns = i;
    while (i < h.size() && h[i] != '=' && h[i] != ',' && h[i] != ' ') ++i;
    std::string name = lower(h.substr(ns, i - ns));
    if (i >= h.size() || h[i] != '=') {
      // A new scheme after this challenge ("…, Basic realm=…"): stop.
      if (!name.empty() && !out.empty()) break;
      continue;
    }
    ++i;
    std::string value;
    if (i < h.size() && h[i] == '"') {
      ++i;
      while (i < h.size() && h[i] != '"') {
        if (h[i] == '\\' && i + 1 < h.size()) ++i;
        value += h[i++];
      }
      ++i;
    } else {
      size_t vs = i;
      while (i < h.size() && h[i] != ',' && h[i] != ' ') ++i;
      value = h.substr(vs, i - vs);
    }
    if (!name.empty()) out[name] = value;
  }
  return out;
}

std::string DigestAuth::authorization(const std::map<std::string, std::string>& c, const std::string& user,
                                      const std::string& password, const std::string& method,
                                      const std::string& uri, std::uint32_t nc, const std::string& cnonce) {
  auto get = [&](const char* k) {
    auto it = c.find(k);
    return it == c.end() ? std::string() : it->second;
  };
  std::string algorithm = get("algorithm");
  std::string alg = lower(algorithm);
  bool sess = alg.size() > 5 && alg.substr(alg.size() - 5) == "-sess";
  if (sess) alg.resize(alg.size() - 5);
  const EVP_MD* md = alg.empty() || alg == "md5" ? EVP_md5() : alg == "sha-256" ? EVP_sha256() : nullptr;
  if (!md)
    throw config_error("the server asks for digest algorithm '" + algorithm + "', which is not supported",
                       "supported: MD5, MD5-sess, SHA-256, SHA-256-sess");
  const std::string realm = get("realm"), nonce = get("nonce"), opaque = get("opaque");
  // qop may list several options; "auth" is the one we do (auth-int would hash the body).
  std::string qop;
  {
    std::string q = lower(get("qop"));
    size_t p = 0;
    while (p <= q.size()) {
      size_t comma = q.find(',', p);
      std::string opt = q.substr(p, comma == std::string::npos ? std::string::npos : comma - p);
      while (!opt.empty() && opt.front() == ' ') opt.erase(0, 1);
      while (!opt.empty() && opt.back() == ' ') opt.pop_back();
      if (opt == "auth") qop = "auth";
      if (comma == std::string::npos) break;
      p = comma + 1;
    }
  }
  char ncbuf[16];
  std::snprintf(ncbuf, sizeof ncbuf, "%08x", nc);
  // RFC 7616 §3.4.2 (A1, A2) and §3.4.1 (response).
  std::string ha1 = hex_digest(md, user + ":" + realm + ":" + password);
  if (sess) ha1 = hex_digest(md, ha1 + ":" + nonce + ":" + cnonce);
  std::string ha2 = hex_digest(md, method + ":" + uri);
  std::string response =
      qop.empty() ? hex_digest(md, ha1 + ":" + nonce + ":" + ha2)
                  : hex_digest(md, ha1 + ":" + nonce + ":" + ncbuf + ":" + cnonce + ":" + qop + ":" + ha2);
  std::string h = "Digest username=\"" + user + "\", realm=\"" + realm + "\", nonce=\"" + nonce +
                  "\", uri=\"" + uri + "\", response=\"" + response + "\"";
  if (!algorithm.empty()) h += ", algorithm=" + algorithm;
  if (!qop.empty()) h += ", qop=" + qop + ", nc=" + ncbuf + ", cnonce=\"" + cnonce + "\"";
  if (!opaque.empty()) h += ", opaque=\"" + opaque + "\"";
  return h;
}

DigestAuth::DigestAuth(std::string user, net::SecretString password, std::shared_ptr<net::HttpClient> probe)
    : user_(std::move(user)), password_(std::move(password)), probe_(std::move(probe)) {}

void DigestAuth::apply(net::Request& req) {
  std::map<std::string, std::string> challenge;
  std::uint32_t nc = 0;
  {
    std::lock_guard lock(mutex_);
    if (challenge_.empty()) {
      net::Request probe(req.method, req.url);
      probe.headers = req.headers;
      net::Response r = probe_->fetch(probe);
      auto parsed = parse_digest_challenge(r.header("WWW-Authenticate"));
      if (r.status != 401 || parsed.empty() || !parsed.count("nonce"))
        throw config_error("digest auth: " + req.method + " " + net::redact_url(req.url) +
                               " did not answer with a Digest challenge (HTTP " + std::to_string(r.status) +
                               ")",
                           "check that the API uses HTTP Digest authentication, or pick another auth.type");
      challenge_ = std::move(parsed);
      nc_ = 0;
      ++fetched_;
    }
    challenge = challenge_;
    nc = ++nc_;
  }
  unsigned char rnd[8];
  RAND_bytes(rnd, sizeof rnd);
  char cnonce[17];
  for (int i = 0; i < 8; ++i) std::snprintf(cnonce + 2 * i, 3, "%02x", rnd[i]);
  net::set_header(
      req.headers, "Authorization",
      authorization(challenge, user_, password_.reveal(), req.method, path_and_query(req.url), nc, cnonce));
}

bool DigestAuth::on_unauthorized() {
  std::lock_guard lock(mutex_);
  challenge_.clear();
  return true;
}

std::string DigestAuth::bucket_key() const {
  return "digest:" + net::secret_digest(user_ + ":" + password_.reveal());
}

std::size_t DigestAuth::challenges_fetched() const {
  std::lock_guard lock(mutex_);
  return fetched_;
}

}  // namespace sqlflow::connectors::rest
