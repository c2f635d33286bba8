// HTTP client on libcurl's multi interface: many requests in flight on the calling thread,
// connections reused across calls, HTTP/2 where the server offers it, gzip/deflate/br decoding,
// proxies from the environment (http_proxy, https_proxy, all_proxy, no_proxy — libcurl's rules),
// TLS verification on by default. Every request goes through a ResiliencePolicy (rate limit,
// circuit breaker per scheme://host:port, retries honouring Retry-After). Thread-safe: several
// threads may call fetch/fetch_all on one client; each call runs its own transfer loop.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/auth.hpp"
#include "net/http.hpp"
#include "resilience/policy.hpp"

namespace sqlflow::net {

struct ClientOptions {
  Duration connect_timeout = std::chrono::seconds(10);
  Duration timeout = std::chrono::seconds(60);  // whole attempt, body included
  // A transfer slower than low_speed_bytes per second for low_speed_time fails (0: off). Long
  // streamed downloads should use this instead of a short total timeout.
  long low_speed_bytes = 0;
  Duration low_speed_time = std::chrono::seconds(30);
  bool verify_tls = true;
  std::string ca_bundle;  // PEM file of CAs to trust instead of the system store
  std::string proxy;      // explicit proxy URL; empty: libcurl reads the usual environment variables
  std::string user_agent = std::string("sqlflow/") + SQLFLOW_VERSION;
  bool http2 = true;                                      // negotiate HTTP/2 over TLS (ALPN)
  long max_connections_per_host = 0;                      // 0: no limit
  bool follow_redirects = true;                           // up to 5; credentials are not sent to another host
  std::uint64_t max_body_bytes = std::uint64_t{1} << 30;  // buffered bodies; stream larger ones
  // Decoded (decompressed) bytes of all bodies being buffered at once by this client, over every
  // request in flight: a gzip page can expand a thousandfold, and one limit per body lets
  // parallel requests multiply it. 0: no limit beyond max_body_bytes.
  std::uint64_t max_buffered_bytes = 0;
  // Appended to the error when a body limit is hit: what the user can set (e.g. a PARAMS key).
  std::string body_limit_hint;
  std::size_t max_error_body_bytes = 4096;  // kept from non-2xx bodies for messages
  std::shared_ptr<Authenticator> auth;
  std::shared_ptr<RequestObserver> observer;
  void validate() const;
};

// Counters the metrics layer reads (relaxed atomics).
struct ClientStats {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> attempts{0};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> succeeded{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> responses_2xx{0};
  std::atomic<std::uint64_t> responses_4xx{0};
  std::atomic<std::uint64_t> responses_5xx{0};
  std::atomic<std::uint64_t> transport_errors{0};
  std::atomic<std::uint64_t> bytes_received{0};  // decoded body bytes
  std::atomic<std::uint64_t> bytes_sent{0};
  std::atomic<std::uint64_t> attempt_time_ns{0};  // on the wire, waits excluded
};

class HttpClient {
 public:
  explicit HttpClient(ClientOptions options = {}, resilience::ResiliencePolicy policy = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One request; failures are reported in Response::error (call raise_for_status() to throw).
  Response fetch(const Request& request);
  // The same, taking the request (and its body) without a copy: uploads hand over their parts.
  Response fetch(Request&& request);
  // One request whose successful body is handed to `on_data` as it arrives.
  Response fetch(Request request, BodyCallback on_data, std::function<void()> on_restart = {});
  // Many requests, at most `concurrency` in flight (waiting for a retry or a rate-limit slot
  // counts as in flight). Results are in request order; one failure does not stop the others.
  std::vector<Response> fetch_all(std::vector<Request> requests, std::size_t concurrency = 16);

  const ClientOptions& options() const { return options_; }
  const ClientStats& stats() const { return stats_; }
  resilience::ResiliencePolicy& policy() { return policy_; }

  // "https://api.example.com:443" for a URL (the breaker key); throws a validation Error for a
  // URL libcurl cannot parse or that is not http(s).
  static std::string endpoint_of(const std::string& url);

 private:
  struct Engine;
  friend struct EngineRun;
  std::unique_ptr<Engine> acquire_engine();
  void release_engine(std::unique_ptr<Engine> engine);

  ClientOptions options_;
  resilience::ResiliencePolicy policy_;
  ClientStats stats_;
  std::atomic<std::uint64_t> buffered_{0};  // see ClientOptions::max_buffered_bytes
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<Engine>> idle_;
};

// A short, secret-free description of a CURLcode failure and whether retrying may help.
struct TransportFailure {
  bool retryable = false;
  bool surely_not_sent = false;  // the request never reached the server (safe to repeat)
  std::string reason;
  bool cut_off = false;  // the connection broke mid-exchange (reset, closed early, body cut short)
};
TransportFailure classify_transport_error(int curl_code);

}  // namespace sqlflow::net
