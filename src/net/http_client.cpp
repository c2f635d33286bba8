#include "net/http_client.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>
#include <strings.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <queue>

#include "core/ascii.hpp"
#include "core/interrupt.hpp"
#include "metrics/logging.hpp"
#include "net/redact.hpp"
#include "resilience/classify.hpp"

namespace sqlflow::net {

namespace rs = sqlflow::resilience;

bool Request::is_idempotent() const {
  if (idempotent) return *idempotent;
  for (const char* m : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
    if (strcasecmp(method.c_str(), m) == 0) return true;
  return false;
}

std::string Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), name.size()) == 0) return v;
  return {};
}

const Response& Response::raise_for_status() const {
  if (!error) return *this;
  // Keep the type, so callers can tell an open breaker from a failed request.
  if (auto* open = dynamic_cast<const rs::CircuitOpenError*>(error.get())) throw *open;
  if (auto* limited = dynamic_cast<const rs::RateLimitedError*>(error.get())) throw *limited;
  throw *error;
}

void ClientOptions::validate() const {
  if (connect_timeout <= Duration(0)) throw validation_error("HTTP connect_timeout must be positive");
  if (timeout <= Duration(0)) throw validation_error("HTTP timeout must be positive");
  if (!ca_bundle.empty() && !std::filesystem::exists(ca_bundle))
    throw config_error("CA bundle file not found: " + ca_bundle,
                       "ca_bundle must name a PEM file of certificate authorities to trust");
}

TransportFailure classify_transport_error(int code) {
  switch (static_cast<CURLcode>(code)) {
    case CURLE_COULDNT_RESOLVE_PROXY:
      return {true, true, "could not resolve the proxy"};
    case CURLE_COULDNT_RESOLVE_HOST:
      return {true, true, "could not resolve the host"};
    case CURLE_COULDNT_CONNECT:
      return {true, true, "connection refused"};
    case CURLE_SSL_CONNECT_ERROR:
      return {true, true, "TLS handshake failed"};
    case CURLE_OPERATION_TIMEDOUT:
      return {true, false, "timed out"};
    case CURLE_SEND_ERROR:
      return {true, false, "connection reset while sending", true};
    case CURLE_RECV_ERROR:
      return {true, false, "connection reset while receiving", true};
    case CURLE_GOT_NOTHING:
      return {true, false, "connection closed without a response", true};
    case CURLE_PARTIAL_FILE:
      return {true, false, "truncated body (connection closed before Content-Length bytes)", true};
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return {true, false, "HTTP/2 stream error"};
    case CURLE_BAD_CONTENT_ENCODING:
      return {true, false, "corrupt compressed body"};
    case CURLE_PEER_FAILED_VERIFICATION:
      return {false, true, "TLS certificate verification failed"};
    case CURLE_SSL_CACERT_BADFILE:
      return {false, true, "the CA bundle could not be read"};
    case CURLE_WRITE_ERROR:
      return {false, false, "aborted by the consumer"};
    case CURLE_TOO_MANY_REDIRECTS:
      return {false, false, "too many redirects"};
    case CURLE_UNSUPPORTED_PROTOCOL:
      return {false, true, "unsupported protocol"};
    case CURLE_URL_MALFORMAT:
      return {false, true, "malformed URL"};
    default:
      return {false, false, curl_easy_strerror(static_cast<CURLcode>(code))};
  }
}

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

long to_ms(Duration d) {
  return static_cast<long>(std::max<std::int64_t>(1, d.count() / 1'000'000));
}

}  // namespace

std::string HttpClient::endpoint_of(const std::string& url) {
  global_init();
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> h(curl_url(), &curl_url_cleanup);
  CURLUcode rc = curl_url_set(h.get(), CURLUPART_URL, url.c_str(), 0);
  if (rc != CURLUE_OK)
    throw validation_error("invalid URL '" + redact_url(url) + "': " + curl_url_strerror(rc),
                           "URLs look like https://api.example.com/v1/items");
  auto part = [&](CURLUPart p, unsigned flags) {
    char* v = nullptr;
    std::string s;
    if (curl_url_get(h.get(), p, &v, flags) == CURLUE_OK && v) s = v;
    curl_free(v);
    return s;
  };
  std::string scheme = ascii_lower(part(CURLUPART_SCHEME, 0));
  if (scheme != "http" && scheme != "https")
    throw validation_error("unsupported URL scheme '" + scheme + "' in '" + redact_url(url) + "'",
                           "only http:// and https:// URLs are supported");
  return scheme + "://" + ascii_lower(part(CURLUPART_HOST, 0)) + ":" +
         part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
}

// ------------------------------------------------------------------------------------------------

struct HttpClient::Engine {
  CURLM* multi = nullptr;
  std::vector<CURL*> spare;
  explicit Engine(const ClientOptions& o) {
    multi = curl_multi_init();
    if (!multi) throw internal_error("curl_multi_init failed");
    if (o.max_connections_per_host > 0)
      curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, o.max_connections_per_host);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  }
  ~Engine() {
    for (CURL* e : spare) curl_easy_cleanup(e);
    curl_multi_cleanup(multi);
  }
  CURL* take() {
    if (spare.empty()) {
      CURL* e = curl_easy_init();
      if (!e) throw internal_error("curl_easy_init failed");
      return e;
    }
    CURL* e = spare.back();
    spare.pop_back();
    curl_easy_reset(e);
    return e;
  }
  void give(CURL* e) { spare.push_back(e); }
};

std::unique_ptr<HttpClient::Engine> HttpClient::acquire_engine() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!idle_.empty()) {
      auto e = std::move(idle_.back());
      idle_.pop_back();
      return e;
    }
  }
  return std::make_unique<Engine>(options_);
}

void HttpClient::release_engine(std::unique_ptr<Engine> engine) {
  std::lock_guard lock(pool_mutex_);
  idle_.push_back(std::move(engine));
}

HttpClient::HttpClient(ClientOptions options, resilience::ResiliencePolicy policy)
    : options_(std::move(options)), policy_(std::move(policy)) {
  global_init();
  options_.validate();
}

HttpClient::~HttpClient() = default;

// ------------------------------------------------------------------------------------------------

namespace {

// --log-level debug: one event per attempt (the URL redacted, as everything in the record).
void log_attempt(const AttemptRecord& rec) {
  if (!spdlog::should_log(spdlog::level::debug)) return;
  const auto ms = std::chrono::duration<double, std::milli>(rec.duration).count();
  metrics::log_event(
      metrics::LogLevel::Debug, "http_request",
      fmt::format("HTTP {} {} → {} in {:.0f} ms", rec.method, rec.url,
                  rec.status ? std::to_string(rec.status) : rec.error, ms),
      nlohmann::ordered_json{{"method", rec.method},
                             {"url", rec.url},
                             {"status", rec.status},
                             {"attempt", rec.attempt},
                             {"latency_ms", ms},
                             {"bytes", rec.bytes_received},
                             {"will_retry", rec.will_retry},
                             {"error", rec.error.empty() ? nlohmann::ordered_json(nullptr)
                                                         : nlohmann::ordered_json(rec.error)}});
}

struct Transfer {
  std::size_t index = 0;
  Request req;
  std::string endpoint;
  std::string redacted_url;
  rs::Endpoint* ep = nullptr;
  rs::CallState call;
  Response resp;
  CURL* easy = nullptr;
  curl_slist* slist = nullptr;
  const ClientOptions* opts = nullptr;
  std::atomic<std::uint64_t>* buffered = nullptr;  // the client's total of buffered body bytes
  std::uint64_t counted = 0;                       // this transfer's share of it
  bool idempotent = true;
  bool delivered_any = false;
  bool auth_retried = false;
  bool too_large = false;
  bool too_much_buffered = false;
  bool consumer_abort = false;
  bool holds_slot = false;  // of req.slots, from launch to the attempt's end
  std::uint64_t attempt_bytes = 0;
  rs::TimePoint ready_at{};
  rs::TimePoint attempt_start{};
  char errbuf[CURL_ERROR_SIZE] = {0};
};

size_t on_write(char* p, size_t size, size_t n, void* ud) {
  auto* t = static_cast<Transfer*>(ud);
  size_t len = size * n;
  long code = 0;
  curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
  t->attempt_bytes += len;
  bool ok = code >= 200 && code < 300;
  if (ok && t->req.on_data) {
    t->delivered_any = true;
    if (!t->req.on_data(std::string_view(p, len))) {
      t->consumer_abort = true;
      return 0;
    }
    return len;
  }
  if (ok) {
    if (t->resp.body.size() + len > t->opts->max_body_bytes) {
      t->too_large = true;
      return 0;
    }
    const std::uint64_t total = t->buffered->fetch_add(len, std::memory_order_relaxed) + len;
    t->counted += len;
    if (t->opts->max_buffered_bytes && total > t->opts->max_buffered_bytes) {
      t->too_large = t->too_much_buffered = true;
      return 0;
    }
    t->resp.body.append(p, len);
    return len;
  }
  // Error bodies: keep the start for the message, drain the rest so the connection stays reusable.
  size_t room = t->opts->max_error_body_bytes > t->resp.body.size()
                    ? t->opts->max_error_body_bytes - t->resp.body.size()
                    : 0;
  t->resp.body.append(p, std::min(room, len));
  return len;
}

size_t on_header(char* p, size_t size, size_t n, void* ud) {
  auto* t = static_cast<Transfer*>(ud);
  size_t len = size * n;
  std::string_view line(p, len);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    t->resp.headers.clear();  // a new response (after a redirect or 100 Continue)
    return len;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  t->resp.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  return len;
}

struct Waiting {
  rs::TimePoint at;
  std::size_t seq;
  Transfer* t;
  bool operator>(const Waiting& o) const { return at != o.at ? at > o.at : seq > o.seq; }
};

}  // namespace

struct EngineRun {
  HttpClient& client;
  HttpClient::Engine& engine;
  std::vector<Response>& out;
  std::vector<std::unique_ptr<Transfer>> transfers;
  std::priority_queue<Waiting, std::vector<Waiting>, std::greater<>> waiting;
  std::size_t seq = 0;
  std::size_t running = 0;
  std::size_t active = 0;
  std::size_t done = 0;

  rs::ResiliencePolicy& policy() { return client.policy_; }
  const ClientOptions& opts() { return client.options_; }

  void wait(Transfer* t, rs::TimePoint at) {
    t->ready_at = at;
    waiting.push({at, seq++, t});
  }

  // The body is handed on (or dropped): it no longer counts as buffered by the client.
  void uncount(Transfer* t) {
    t->buffered->fetch_sub(t->counted, std::memory_order_relaxed);
    t->counted = 0;
  }

  void finish(Transfer* t, std::shared_ptr<const Error> error) {
    uncount(t);
    rs::TimePoint now = policy().clock().now();
    t->resp.elapsed = now - t->call.started;
    t->resp.attempts = t->call.attempt;
    t->resp.url = t->redacted_url;
    t->resp.error = std::move(error);
    if (t->resp.error)
      client.stats_.failed.fetch_add(1, std::memory_order_relaxed);
    else
      client.stats_.succeeded.fetch_add(1, std::memory_order_relaxed);
    out[t->index] = std::move(t->resp);
    transfers[t->index].reset();
    --active;
    ++done;
  }

  void start_request(std::size_t index, Request&& req, rs::TimePoint now) {
    auto t = std::make_unique<Transfer>();
    Transfer* raw = t.get();
    t->index = index;
    t->req = std::move(req);
    t->opts = &opts();
    t->buffered = &client.buffered_;
    t->idempotent = t->req.is_idempotent();
    t->redacted_url = redact_url(t->req.url);
    t->call = policy().begin(now);
    transfers[index] = std::move(t);
    ++active;
    client.stats_.requests.fetch_add(1, std::memory_order_relaxed);
    try {
      raw->endpoint = HttpClient::endpoint_of(raw->req.url);
    } catch (const Error& e) {
      finish(raw, std::make_shared<Error>(e));
      return;
    }
    std::string bucket = raw->req.bucket_key;
    if (bucket.empty() && policy().options().rate_limit.per == rs::RateLimitOptions::Scope::ApiKey &&
        opts().auth)
      bucket = opts().auth->bucket_key();
    raw->ep = &policy().endpoint(raw->endpoint, bucket);
    wait(raw, now);
  }

  static Error interrupted() {
    return Error(ErrorKind::Connection, std::string("interrupted by ") + interrupt::signal_name());
  }

  static void release_slot(Transfer* t) {
    if (!t->holds_slot) return;
    t->req.slots->release();
    t->holds_slot = false;
  }

  // Before the policy admits an attempt, so that a server's quota counts only attempts that can
  // go (a request waiting for a slot has not used any of it).
  static void take_slot(Transfer* t) {
    if (!t->req.slots || t->holds_slot) return;
    if (!t->req.slots->acquire([] { return interrupt::requested(); })) throw interrupted();
    t->holds_slot = true;
  }

  void launch(Transfer* t) {
    CURL* e = engine.take();
    t->easy = e;
    t->attempt_bytes = 0;
    t->too_large = t->too_much_buffered = false;
    uncount(t);
    t->consumer_abort = false;
    t->errbuf[0] = 0;
    t->resp.status = 0;
    t->resp.headers.clear();
    t->resp.body.clear();
    // Credentials are applied per attempt: a refreshed token goes out on the retry.
    Request wire;
    wire.method = t->req.method;
    wire.url = t->req.url;
    wire.headers = t->req.headers;
    if (opts().auth) {
      try {
        opts().auth->apply(wire);
      } catch (const Error& err) {
        engine.give(e);
        t->easy = nullptr;
        release_slot(t);
        policy().on_abandon(*t->ep, t->call);
        finish(t, std::make_shared<Error>(err));
        return;
      }
    }
    const ClientOptions& o = opts();
    curl_easy_setopt(e, CURLOPT_URL, wire.url.c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, t);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING,
                     "");  // every encoding libcurl decodes (gzip, deflate, br, zstd)
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, o.http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, to_ms(t->req.connect_timeout.value_or(o.connect_timeout)));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, to_ms(t->req.timeout.value_or(o.timeout)));
    if (o.low_speed_bytes > 0) {
      curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, o.low_speed_bytes);
      curl_easy_setopt(
          e, CURLOPT_LOW_SPEED_TIME,
          static_cast<long>(std::max<std::int64_t>(1, o.low_speed_time.count() / 1'000'000'000)));
    }
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, o.verify_tls ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, o.verify_tls ? 2L : 0L);
    if (!o.ca_bundle.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, o.ca_bundle.c_str());
    if (!o.proxy.empty()) curl_easy_setopt(e, CURLOPT_PROXY, o.proxy.c_str());
    curl_easy_setopt(e, CURLOPT_USERAGENT, o.user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    if (o.follow_redirects) {
      curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
      curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
      curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    }
    const std::string& m = t->req.method;
    if (strcasecmp(m.c_str(), "GET") == 0) {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else if (strcasecmp(m.c_str(), "HEAD") == 0) {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else {
      if (strcasecmp(m.c_str(), "POST") != 0) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m.c_str());
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->req.body.data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->req.body.size()));
    }
    curl_slist* list = nullptr;
    for (const auto& [k, v] : wire.headers) list = curl_slist_append(list, (k + ": " + v).c_str());
    list = curl_slist_append(list, "Expect:");  // no 100-continue round trip for bodies
    t->slist = list;
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
    t->attempt_start = policy().clock().now();
    client.stats_.attempts.fetch_add(1, std::memory_order_relaxed);
    curl_multi_add_handle(engine.multi, e);
    ++running;
  }

  std::shared_ptr<const Error> make_error(Transfer* t, int status, const rs::Failure& f,
                                          const std::string& give_up) {
    std::string msg = t->req.method + " " + t->redacted_url + " failed: ";
    std::string hint;
    ErrorKind kind = ErrorKind::Connection;
    if (status > 0) {
      msg += "HTTP " + std::to_string(status);
      if (!t->resp.body.empty()) {
        std::string snippet = redact(t->resp.body.substr(0, 300));
        for (auto& c : snippet)
          if (c == '\n' || c == '\r') c = ' ';
        msg += ": " + snippet;
      }
      if (status == 401 || status == 403) {
        kind = ErrorKind::Config;
        hint = "check the credentials (PARAMS auth) and their permissions";
      } else if (status == 404) {
        kind = ErrorKind::Config;
        hint = "check the URL";
      } else if (status < 500 && status != 408 && status != 429) {
        kind = ErrorKind::Data;
      }
    } else {
      msg += f.reason;
      std::string detail = redact(t->errbuf);
      if (!detail.empty()) msg += " (" + detail + ")";
      if (f.reason.find("TLS certificate") != std::string::npos)
        hint = "the server's certificate is not trusted; pass the CA that signed it as ca_bundle";
    }
    if (!give_up.empty()) {
      Duration took = policy().clock().now() - t->call.started;
      msg += " (" + give_up + " in " + rs::format_duration(took) + ")";
    }
    return std::make_shared<Error>(kind, std::move(msg), std::move(hint), f.retryable);
  }

  void complete(Transfer* t, CURLcode code) {
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_off_t uploaded = 0;
    curl_easy_getinfo(t->easy, CURLINFO_SIZE_UPLOAD_T, &uploaded);
    const auto up = static_cast<std::uint64_t>(uploaded);
    detach(t);
    const rs::TimePoint now = policy().clock().now();
    count_attempt(t, code, status, up, now);
    if (status > 0) observe_limit_headers(t, now);
    AttemptRecord rec = attempt_record(t, code, up, now);

    if (code == CURLE_OK && status >= 200 && status < 300) {
      policy().on_success(*t->ep, t->call);
      report(rec, false);
      finish(t, nullptr);
      return;
    }
    if (t->consumer_abort || t->too_large) {
      fail_abandoned(t, status, rec);
      return;
    }
    rs::Failure f = classify_failure(t, code, status, now);
    if (code == CURLE_OK && status == 401 && retry_with_fresh_credentials(t, rec, now)) return;
    if (code == CURLE_OK && !t->idempotent && status != 429 && status != 503) f.retryable = false;
    rec.error = code == CURLE_OK ? f.reason : f.reason + (t->errbuf[0] ? " (" + redact(t->errbuf) + ")" : "");
    rs::RetryDecision d = policy().on_failure(*t->ep, t->call, f, now);
    report(rec, d.retry);
    if (d.retry) {
      retry_later(t, rec, d, now);
      return;
    }
    finish(t, make_error(t, code == CURLE_OK ? static_cast<int>(status) : 0, f, d.give_up_reason));
  }

  // The attempt's handle goes back to the engine, its slot and headers are released.
  void detach(Transfer* t) {
    curl_multi_remove_handle(engine.multi, t->easy);
    engine.give(t->easy);
    t->easy = nullptr;
    release_slot(t);
    curl_slist_free_all(t->slist);
    t->slist = nullptr;
    --running;
  }

  // The attempt into the client's stats (bytes, time, responses by class or a transport error).
  void count_attempt(Transfer* t, CURLcode code, long status, std::uint64_t up, rs::TimePoint now) {
    ClientStats& st = client.stats_;
    st.bytes_received.fetch_add(t->attempt_bytes, std::memory_order_relaxed);
    st.bytes_sent.fetch_add(up, std::memory_order_relaxed);
    st.attempt_time_ns.fetch_add(static_cast<std::uint64_t>((now - t->attempt_start).count()),
                                 std::memory_order_relaxed);
    t->resp.status = static_cast<int>(code == CURLE_OK ? status : 0);
    if (code == CURLE_OK) {
      if (status >= 200 && status < 300)
        st.responses_2xx.fetch_add(1, std::memory_order_relaxed);
      else if (status >= 400 && status < 500)
        st.responses_4xx.fetch_add(1, std::memory_order_relaxed);
      else if (status >= 500)
        st.responses_5xx.fetch_add(1, std::memory_order_relaxed);
    } else {
      st.transport_errors.fetch_add(1, std::memory_order_relaxed);
    }
  }

  // Any answer tells the rate limiter what the server allows (Shopify's call limit, RateLimit-*).
  void observe_limit_headers(Transfer* t, rs::TimePoint now) {
    std::string limit = t->resp.header("X-Shopify-Shop-Api-Call-Limit");
    if (!limit.empty())
      if (auto s = rs::parse_call_limit_header(limit)) policy().observe_call_limit(*t->ep, *s, now);
    if (t->ep->quota()) {
      auto quota = rs::parse_rate_limit_headers([&](std::string_view name) { return t->resp.header(name); },
                                                policy().clock().to_wall(now));
      if (quota) policy().observe_server_quota(*t->ep, *quota, now);
    }
  }

  AttemptRecord attempt_record(const Transfer* t, CURLcode code, std::uint64_t up, rs::TimePoint now) const {
    AttemptRecord rec;
    rec.method = t->req.method;
    rec.url = t->redacted_url;
    rec.endpoint = t->endpoint;
    rec.attempt = t->call.attempt;
    rec.status = t->resp.status;
    rec.transport_error = code;
    rec.duration = now - t->attempt_start;
    rec.bytes_received = t->attempt_bytes;
    rec.bytes_sent = up;
    return rec;
  }

  void report(AttemptRecord& rec, bool will_retry) {
    rec.will_retry = will_retry;
    if (opts().observer) opts().observer->on_attempt(rec);
    log_attempt(rec);
  }

  // The consumer stopped the body, or it grew past a limit: a failure that is not retried.
  void fail_abandoned(Transfer* t, long status, AttemptRecord& rec) {
    policy().on_abandon(*t->ep, t->call);
    rs::Failure f;
    auto mb = [](std::uint64_t b) { return std::to_string(b >> 20) + " MB"; };
    f.reason = t->consumer_abort ? "aborted by the consumer"
               : t->too_much_buffered
                   ? "the responses in flight hold more than " + mb(opts().max_buffered_bytes) +
                         " once decompressed (this one " + mb(t->counted) +
                         " so far); a compressed page can expand far beyond its size on the wire"
                   : "the response holds more than " + mb(opts().max_body_bytes) + " once decompressed";
    if (!t->consumer_abort && !opts().body_limit_hint.empty()) f.reason += "; " + opts().body_limit_hint;
    rec.error = f.reason;
    report(rec, false);
    t->resp.status = static_cast<int>(status);
    t->errbuf[0] = 0;
    finish(t, make_error(t, 0, f, {}));
  }

  // An HTTP error by its status (and Retry-After), or a transport error by curl's code.
  rs::Failure classify_failure(Transfer* t, CURLcode code, long status, rs::TimePoint now) {
    if (code == CURLE_OK)
      return rs::classify_http_status(static_cast<int>(status), t->resp.header("Retry-After"),
                                      std::string_view(t->resp.body).substr(0, 2048),
                                      policy().clock().to_wall(now));
    rs::Failure f;
    TransportFailure tf = classify_transport_error(code);
    f.retryable = tf.retryable && (t->idempotent || tf.surely_not_sent);
    f.counts_for_breaker = true;
    f.reason = tf.reason;
    f.cut_off = tf.cut_off && t->idempotent;
    return f;
  }

  // A 401 may mean a stale token: one more go with fresh credentials, not counted as a failure.
  // True when the transfer waits for that go.
  bool retry_with_fresh_credentials(Transfer* t, AttemptRecord& rec, rs::TimePoint now) {
    if (!opts().auth || t->auth_retried || !opts().auth->on_unauthorized()) return false;
    t->auth_retried = true;
    policy().on_abandon(*t->ep, t->call);
    rec.error = "HTTP 401, refreshing credentials";
    report(rec, true);
    wait(t, now);
    return true;
  }

  void retry_later(Transfer* t, const AttemptRecord& rec, const rs::RetryDecision& d, rs::TimePoint now) {
    client.stats_.retries.fetch_add(1, std::memory_order_relaxed);
    metrics::log_event(
        metrics::json_logging() ? metrics::LogLevel::Info : metrics::LogLevel::Debug, "retry",
        fmt::format("HTTP {} {}: {}; retry {} of {} in {}", t->req.method, t->redacted_url, rec.error,
                    t->call.attempt + 1, policy().options().retry.max_attempts,
                    rs::format_duration(d.at - now)),
        nlohmann::ordered_json{
            {"method", t->req.method},
            {"url", t->redacted_url},
            {"status", rec.status},
            {"reason", rec.error},
            {"attempt", t->call.attempt + 1},
            {"max_attempts", policy().options().retry.max_attempts},
            {"delay_ms", std::chrono::duration_cast<std::chrono::milliseconds>(d.at - now).count()}});
    // The consumer saw part of this body: it starts over with the next attempt's.
    if (t->delivered_any && t->req.on_restart) t->req.on_restart();
    t->delivered_any = false;
    wait(t, d.at);
  }

  void admit_due(rs::TimePoint now) {
    while (!waiting.empty() && waiting.top().at <= now) {
      Transfer* t = waiting.top().t;
      waiting.pop();
      take_slot(t);  // kept through a WaitUntil
      now = policy().clock().now();
      rs::Admission adm = policy().admit(*t->ep, t->call, now);
      switch (adm.kind) {
        case rs::Admission::Kind::Go:
          launch(t);
          break;
        case rs::Admission::Kind::WaitUntil:
          metrics::log_event(
              metrics::LogLevel::Debug, "throttle",
              fmt::format("HTTP {} {} waits {} for the rate limit or the circuit breaker", t->req.method,
                          t->redacted_url, rs::format_duration(adm.at - now)),
              nlohmann::ordered_json{
                  {"method", t->req.method},
                  {"url", t->redacted_url},
                  {"wait_ms", std::chrono::duration_cast<std::chrono::milliseconds>(adm.at - now).count()}});
          wait(t, adm.at);
          break;
        case rs::Admission::Kind::Reject: {
          spdlog::debug("HTTP {} {} not sent: {}", t->req.method, t->redacted_url, adm.error->message());
          std::shared_ptr<const Error> err = adm.error;
          release_slot(t);
          finish(t, err);
          break;
        }
      }
    }
  }

  void drain_messages() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(engine.multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      CURLcode rc = msg->data.result;
      complete(t, rc);
    }
  }

  void run(std::vector<Request>& requests, std::size_t concurrency) {
    const std::size_t n = requests.size();
    transfers.resize(n);
    std::size_t next = 0;
    rs::Clock& clock = policy().clock();
    while (done < n) {
      // Ctrl-C / SIGTERM: transfers stop now instead of after their timeouts and retries.
      if (interrupt::requested()) throw interrupted();
      rs::TimePoint now = clock.now();
      while (active < concurrency && next < n) {
        start_request(next, std::move(requests[next]), now);
        ++next;
      }
      admit_due(now);
      if (running > 0) {
        int still = 0;
        curl_multi_perform(engine.multi, &still);
        drain_messages();
      }
      if (done == n) break;
      now = clock.now();
      if (running > 0) {
        long curl_ms = -1;
        curl_multi_timeout(engine.multi, &curl_ms);
        long ms = curl_ms < 0 ? 100 : std::min(curl_ms, 100L);
        if (!waiting.empty()) {
          auto until = std::chrono::duration_cast<std::chrono::milliseconds>(waiting.top().at - now).count();
          ms = std::min<long>(ms, std::max<long>(0, static_cast<long>(until)));
        }
        if (ms > 0) curl_multi_poll(engine.multi, nullptr, 0, static_cast<int>(ms), nullptr);
      } else if (!waiting.empty() && waiting.top().at > now) {
        // In slices, so an interrupt is noticed during a long Retry-After.
        clock.sleep_until(std::min(waiting.top().at, now + std::chrono::milliseconds(100)));
      }
    }
  }

  // On an exception (a throwing callback or observer), leave no handle in the multi.
  void abort_all() {
    for (auto& t : transfers) {
      if (!t) continue;
      if (t->easy) {
        curl_multi_remove_handle(engine.multi, t->easy);
        engine.give(t->easy);
        t->easy = nullptr;
      }
      release_slot(t.get());
      curl_slist_free_all(t->slist);
      t->slist = nullptr;
    }
  }
};

std::vector<Response> HttpClient::fetch_all(std::vector<Request> requests, std::size_t concurrency) {
  std::vector<Response> out(requests.size());
  if (requests.empty()) return out;
  auto engine = acquire_engine();
  EngineRun run{*this, *engine, out, {}, {}, 0, 0, 0, 0};
  try {
    run.run(requests, std::max<std::size_t>(1, concurrency));
  } catch (...) {
    run.abort_all();
    release_engine(std::move(engine));
    throw;
  }
  release_engine(std::move(engine));
  return out;
}

Response HttpClient::fetch(const Request& request) {
  std::vector<Request> one;
  one.push_back(request);
  return std::move(fetch_all(std::move(one), 1).front());
}

Response HttpClient::fetch(Request&& request) {
  std::vector<Request> one;
  one.push_back(std::move(request));
  return std::move(fetch_all(std::move(one), 1).front());
}

Response HttpClient::fetch(Request request, BodyCallback on_data, std::function<void()> on_restart) {
  request.on_data = std::move(on_data);
  request.on_restart = std::move(on_restart);
  std::vector<Request> one;
  one.push_back(std::move(request));
  return std::move(fetch_all(std::move(one), 1).front());
}

}  // namespace sqlflow::net
