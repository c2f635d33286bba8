// HTTP request and response values, and the hooks the client reports through (metrics,
// logging). URLs and headers in anything the client reports are already redacted.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "net/attempt_slots.hpp"

namespace sqlflow::net {

using Headers = std::vector<std::pair<std::string, std::string>>;
using Duration = std::chrono::nanoseconds;

// Receives a response body piece by piece (2xx responses only). Return false to stop the
// transfer (the request then fails with "aborted by the consumer", not retried).
using BodyCallback = std::function<bool(std::string_view chunk)>;

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  // Per-request overrides of ClientOptions' timeouts.
  std::optional<Duration> timeout;
  std::optional<Duration> connect_timeout;
  // Safe to send twice? Default: by method (GET, HEAD, PUT, DELETE, OPTIONS yes; POST, PATCH no).
  // A request that is not is retried only when it surely did not reach the server (connection
  // refused, DNS, TLS handshake) or the server refused it unprocessed (429, 503).
  std::optional<bool> idempotent;
  // Token bucket to draw from (default: per host, or per API key when the policy says so).
  std::string bucket_key;
  // Stream a successful body here instead of into Response::body. If an attempt fails after
  // some data was delivered, on_restart is called before the retry delivers from the start.
  BodyCallback on_data;
  std::function<void()> on_restart;
  // Shared with other requests: each attempt waits for a slot before it is sent (blocking the
  // calling thread, so meant for fetch() of one request per thread).
  std::shared_ptr<AttemptSlots> slots;

  Request() = default;
  Request(std::string method_, std::string url_) : method(std::move(method_)), url(std::move(url_)) {}
  bool is_idempotent() const;
};

struct Response {
  int status = 0;    // 0: no HTTP response at all
  Headers headers;   // of the final response, in order
  std::string body;  // empty when streamed to on_data
  int attempts = 0;
  Duration elapsed{0};  // from the first attempt's start to the end, waits included
  std::string url;      // the request URL, redacted
  // Set when the request failed for good: transport failure or non-2xx after the policy gave
  // up, open breaker, rate limit (fail-fast). The message names method and redacted URL.
  std::shared_ptr<const Error> error;

  bool ok() const { return !error && status >= 200 && status < 300; }
  // The first header with this name (case-insensitive), or "".
  std::string header(std::string_view name) const;
  // Throws *error when the request failed; returns *this otherwise.
  const Response& raise_for_status() const;
};

// One attempt as reported to observers. Everything in it is redacted.
struct AttemptRecord {
  std::string method;
  std::string url;          // redacted
  std::string endpoint;     // scheme://host:port
  int attempt = 0;          // 1-based
  int status = 0;           // 0 when the transport failed
  int transport_error = 0;  // CURLcode, 0 when none
  std::string error;        // redacted description, empty on success
  Duration duration{0};
  std::uint64_t bytes_received = 0;
  std::uint64_t bytes_sent = 0;
  bool will_retry = false;
};

// Hooks for metrics and logging. Called on the thread running the transfer; must not throw.
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void on_attempt(const AttemptRecord& record) { (void)record; }
};

}  // namespace sqlflow::net
