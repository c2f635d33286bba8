// What every HTTP-based connector (REST, Google Sheets, Shopify, S3) reports the same way: each
// request attempt's latency to the run's metrics, and its client's counters as IoStats.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "connectors/connector.hpp"
#include "net/http.hpp"

namespace sqlflow::net {
class HttpClient;
}

namespace sqlflow::connectors {

// An observer handing every attempt's latency to `sink` under `connector`; nullptr when the
// sink is empty (no metrics wanted).
std::shared_ptr<net::RequestObserver> latency_observer(std::string connector, RequestLatencySink sink);

// Bytes, requests, retries, throttle waits and breaker trips of `client` since it was made.
IoStats io_stats_of(net::HttpClient& client);

// The run-summary note for a read that a configured client-side rate limit bounded: during
// `bound` of the read's `elapsed` wall time (more than 10% of it) at least one request waited for
// the token bucket. Names the limit and `setting`, the key that changes it. nullopt otherwise.
std::optional<std::string> rate_limit_bound_note(std::chrono::nanoseconds bound,
                                                 std::chrono::nanoseconds elapsed, double requests_per_minute,
                                                 double burst, const std::string& setting);

// Measures one read at a time against a client's policy: start() when a read begins (later calls
// before finish() keep the first start), finish() when it is over — the note above, if any.
class RateLimitWatch {
 public:
  void start(net::HttpClient& client);
  std::optional<std::string> finish(net::HttpClient& client, const std::string& setting);

 private:
  std::mutex mutex_;
  bool started_ = false;
  std::chrono::steady_clock::time_point at_{};
  std::uint64_t bound_ns_at_start_ = 0;
};

}  // namespace sqlflow::connectors
