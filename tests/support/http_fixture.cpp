#include "fixtures/http/http_fixture.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sqlflow::test {

std::string RecordedRequest::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

TlsFiles make_self_signed_cert(const std::filesystem::path& dir) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), &EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
  if (!key || !cert) throw std::runtime_error("make_self_signed_cert: OpenSSL allocation failed");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext) throw std::runtime_error("make_self_signed_cert: bad extension");
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
    throw std::runtime_error("make_self_signed_cert: sign failed");
  TlsFiles files{dir / "fixture-cert.pem", dir / "fixture-key.pem"};
  std::unique_ptr<FILE, decltype(&fclose)> cf(fopen(files.cert.c_str(), "w"), &fclose);
  std::unique_ptr<FILE, decltype(&fclose)> kf(fopen(files.key.c_str(), "w"), &fclose);
  if (!cf || !kf) throw std::runtime_error("make_self_signed_cert: cannot write into " + dir.string());
  PEM_write_X509(cf.get(), cert.get());
  PEM_write_PrivateKey(kf.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return files;
}

HttpFixture::HttpFixture(size_t threads, const TlsFiles* tls) {
  // Dropped connections make the server's own writes fail; they must not kill the test.
  std::signal(SIGPIPE, SIG_IGN);
  if (tls) {
    server_ = std::make_unique<httplib::SSLServer>(tls->cert.c_str(), tls->key.c_str());
    tls_ = true;
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  if (!server_->is_valid()) throw std::runtime_error("HttpFixture: server setup failed (TLS files?)");
  // cpp-httplib takes ownership of the raw pointer it asks for.
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_tcp_nodelay(true);  // no Nagle + delayed-ACK stalls of 40 ms per response
  server_->set_keep_alive_max_count(100000);
  server_->set_keep_alive_timeout(2);
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response&) {
    record(req);
    return httplib::Server::HandlerResponse::Unhandled;
  });
}

HttpFixture::~HttpFixture() {
  stop();
}

HttpFixture& HttpFixture::get(const std::string& p, Handler h) {
  server_->Get(p, with_body(std::move(h)));
  return *this;
}
HttpFixture& HttpFixture::post(const std::string& p, Handler h) {
  server_->Post(p, with_body(std::move(h)));
  return *this;
}
HttpFixture& HttpFixture::put(const std::string& p, Handler h) {
  server_->Put(p, with_body(std::move(h)));
  return *this;
}
HttpFixture& HttpFixture::del(const std::string& p, Handler h) {
  server_->Delete(p, with_body(std::move(h)));
  return *this;
}

namespace {

// cpp-httplib listens with a backlog of 5 (compiled in), so a burst of 32 connects loses SYNs and
// clients stall for a 1 s retransmit. Linux lets listen() be called again to raise it; the
// socket is found among our descriptors by its port.
void raise_listen_backlog(int port) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return;
  while (dirent* e = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || fd < 0) continue;
    sockaddr_in local{}, peer{};
    socklen_t ll = sizeof local, pl = sizeof peer;
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &ll) != 0 ||
        local.sin_family != AF_INET || ntohs(local.sin_port) != port)
      continue;
    if (getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &pl) == 0)
      continue;  // connected
    ::listen(static_cast<int>(fd), 1024);
  }
  closedir(dir);
}

}  // namespace

void HttpFixture::start() {
  if (started_) return;
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("HttpFixture: cannot bind 127.0.0.1");
  raise_listen_backlog(port_);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  for (int i = 0; i < 500 && !server_->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  started_ = true;
}

void HttpFixture::stop() {
  if (!started_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  started_ = false;
}

std::string HttpFixture::base_url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}
std::string HttpFixture::url(const std::string& path_and_query) const {
  return base_url() + path_and_query;
}

HttpFixture::Handler HttpFixture::with_body(Handler h) {
  // The pre-routing hook runs before cpp-httplib reads the body; route handlers run after.
  return [this, h = std::move(h)](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard lock(mutex_);
      auto it = pending_.find(&req);
      if (it != pending_.end()) {
        if (it->second < log_.size()) log_[it->second].body = req.body;
        pending_.erase(it);
      }
    }
    h(req, res);
  };
}

void HttpFixture::record(const httplib::Request& req) {
  RecordedRequest r;
  r.method = req.method;
  r.path = req.path;
  r.target = req.target;
  r.body = req.body;
  r.headers = req.headers;
  r.at = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  pending_[&req] = log_.size();
  log_.push_back(std::move(r));
}

std::vector<RecordedRequest> HttpFixture::requests() const {
  std::lock_guard lock(mutex_);
  return log_;
}

std::vector<RecordedRequest> HttpFixture::requests_to(const std::string& path) const {
  std::lock_guard lock(mutex_);
  std::vector<RecordedRequest> out;
  for (const auto& r : log_)
    if (r.path == path) out.push_back(r);
  return out;
}

size_t HttpFixture::count(const std::string& path) const {
  return requests_to(path).size();
}

void HttpFixture::clear_log() {
  std::lock_guard lock(mutex_);
  log_.clear();
  pending_.clear();
}

HttpFixture::Handler HttpFixture::reply(Reply r) {
  return [r](const httplib::Request&, httplib::Response& res) {
    res.status = r.status;
    for (const auto& [k, v] : r.headers) res.set_header(k, v);
    res.set_content(r.body, r.content_type);
  };
}

HttpFixture::Handler HttpFixture::sequence(std::vector<Reply> replies) {
  auto next = std::make_shared<std::atomic<size_t>>(0);
  auto shared = std::make_shared<std::vector<Reply>>(std::move(replies));
  return [next, shared](const httplib::Request& req, httplib::Response& res) {
    size_t i = next->fetch_add(1);
    const Reply& r = (*shared)[std::min(i, shared->size() - 1)];
    reply(r)(req, res);
  };
}

HttpFixture::Handler HttpFixture::with_latency(std::chrono::milliseconds latency, Handler inner) {
  return [latency, inner = std::move(inner)](const httplib::Request& req, httplib::Response& res) {
    std::this_thread::sleep_for(latency);
    inner(req, res);
  };
}

HttpFixture::Handler HttpFixture::truncated(std::string body, size_t sent) {
  auto shared = std::make_shared<std::string>(std::move(body));
  return [shared, sent](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.set_content_provider(shared->size(), "application/json",
                             [shared, sent](size_t offset, size_t, httplib::DataSink& sink) {
                               if (offset < sent) sink.write(shared->data() + offset, sent - offset);
                               return false;  // abort: the connection closes short of Content-Length
                             });
  };
}

void HttpFixture::drop_connection(const httplib::Request& req) {
  // cpp-httplib does not expose the socket, so find it by its ports among our descriptors.
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return;
  while (dirent* e = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || fd < 0) continue;
    sockaddr_in local{}, peer{};
    socklen_t ll = sizeof local, pl = sizeof peer;
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &ll) != 0 ||
        local.sin_family != AF_INET)
      continue;
    if (getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &pl) != 0) continue;
    if (ntohs(local.sin_port) != req.local_port || ntohs(peer.sin_port) != req.remote_port) continue;
    linger lg{1, 0};  // close() then sends RST instead of FIN
    setsockopt(static_cast<int>(fd), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    shutdown(static_cast<int>(fd), SHUT_RDWR);
    break;
  }
  closedir(dir);
}

HttpFixture::Handler HttpFixture::drop() {
  return [](const httplib::Request& req, httplib::Response& res) {
    drop_connection(req);
    res.status = 500;  // never reaches the client
  };
}

HttpFixture::Handler HttpFixture::echo() {
  return [](const httplib::Request& req, httplib::Response& res) {
    nlohmann::json j;
    j["method"] = req.method;
    j["path"] = req.path;
    j["query"] = nlohmann::json::object();
    for (const auto& [k, v] : req.params) j["query"][k] = v;
    j["headers"] = nlohmann::json::object();
    for (const auto& [k, v] : req.headers) j["headers"][k] = v;
    j["body"] = req.body;
    res.set_content(j.dump(), "application/json");
  };
}

// ---------------------------------------------------------------------------------------------

struct OAuth2Fixture::State {
  Options options;
  mutable std::mutex mutex;
  std::map<std::string, std::chrono::steady_clock::time_point> tokens;  // token → expiry
  std::vector<std::string> grants;
  std::string refresh_token;
  size_t issued = 0;
};

namespace {

std::string base64_decode(const std::string& in) {
  static const std::string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0, bits = -8;
  for (char c : in) {
    auto pos = chars.find(c);
    if (pos == std::string::npos) break;
    val = (val << 6) + static_cast<int>(pos);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

}  // namespace

OAuth2Fixture::OAuth2Fixture(HttpFixture& server, const std::string& token_path, Options options)
    : state_(std::make_shared<State>()) {
  state_->options = std::move(options);
  state_->refresh_token = state_->options.refresh_token;
  auto st = state_;
  server.post(token_path, [st](const httplib::Request& req, httplib::Response& res) {
    auto error = [&](int status, const std::string& code) {
      res.status = status;
      res.set_content(nlohmann::json{{"error", code}}.dump(), "application/json");
    };
    std::string grant = req.get_param_value("grant_type");
    std::string id = req.get_param_value("client_id"), secret = req.get_param_value("client_secret");
    std::string auth = req.get_header_value("Authorization");
    if (auth.rfind("Basic ", 0) == 0) {
      std::string decoded = base64_decode(auth.substr(6));
      auto colon = decoded.find(':');
      id = decoded.substr(0, colon);
      secret = colon == std::string::npos ? "" : decoded.substr(colon + 1);
    }
    std::lock_guard lock(st->mutex);
    st->grants.push_back(grant);
    if (grant == "client_credentials") {
      if (id != st->options.client_id || secret != st->options.client_secret)
        return error(401, "invalid_client");
    } else if (grant == "refresh_token") {
      if (req.get_param_value("refresh_token") != st->refresh_token) return error(400, "invalid_grant");
    } else if (grant == "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      if (!st->options.verify_assertion || !st->options.verify_assertion(req.get_param_value("assertion")))
        return error(400, "invalid_grant");
    } else {
      return error(400, "unsupported_grant_type");
    }
    std::string token = "tok-" + std::to_string(++st->issued);
    st->tokens[token] = std::chrono::steady_clock::now() + std::chrono::seconds(st->options.expires_in);
    nlohmann::json body = {
        {"access_token", token}, {"token_type", "Bearer"}, {"expires_in", st->options.expires_in}};
    if (grant == "refresh_token" && st->options.rotate_refresh_token) {
      st->refresh_token = "refresh-" + std::to_string(st->issued + 1);
      body["refresh_token"] = st->refresh_token;
    }
    res.set_content(body.dump(), "application/json");
  });
}

void OAuth2Fixture::revoke_all() {
  std::lock_guard lock(state_->mutex);
  state_->tokens.clear();
}

bool OAuth2Fixture::valid(const std::string& authorization) const {
  if (authorization.rfind("Bearer ", 0) != 0) return false;
  std::lock_guard lock(state_->mutex);
  auto it = state_->tokens.find(authorization.substr(7));
  return it != state_->tokens.end() && std::chrono::steady_clock::now() < it->second;
}

HttpFixture::Handler OAuth2Fixture::protect(HttpFixture::Handler inner) {
  return [this, inner = std::move(inner)](const httplib::Request& req, httplib::Response& res) {
    if (!valid(req.get_header_value("Authorization"))) {
      res.status = 401;
      res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      res.set_content(R"({"error":"invalid_token"})", "application/json");
      return;
    }
    inner(req, res);
  };
}

size_t OAuth2Fixture::tokens_issued() const {
  std::lock_guard lock(state_->mutex);
  return state_->issued;
}

std::vector<std::string> OAuth2Fixture::grant_types() const {
  std::lock_guard lock(state_->mutex);
  return state_->grants;
}

std::string OAuth2Fixture::current_refresh_token() const {
  std::lock_guard lock(state_->mutex);
  return state_->refresh_token;
}

}  // namespace sqlflow::test
