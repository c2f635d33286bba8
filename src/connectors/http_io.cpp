#include "connectors/http_io.hpp"

#include <fmt/format.h>

#include "metrics/run_metrics.hpp"
#include "net/http_client.hpp"

namespace sqlflow::connectors {

namespace {
class LatencyObserver final : public net::RequestObserver {
 public:
  LatencyObserver(std::string connector, RequestLatencySink sink)
      : connector_(std::move(connector)), sink_(std::move(sink)) {}
  void on_attempt(const net::AttemptRecord& record) override {
    sink_(connector_, std::chrono::duration_cast<std::chrono::nanoseconds>(record.duration));
  }

 private:
  std::string connector_;
  RequestLatencySink sink_;
};
}  // namespace

std::shared_ptr<net::RequestObserver> latency_observer(std::string connector, RequestLatencySink sink) {
  if (!sink) return nullptr;
  return std::make_shared<LatencyObserver>(std::move(connector), std::move(sink));
}

IoStats io_stats_of(net::HttpClient& client) {
  const net::ClientStats& c = client.stats();
  resilience::PolicyStats::Snapshot p = client.policy().stats().snapshot();
  IoStats s;
  s.bytes = c.bytes_received.load(std::memory_order_relaxed) + c.bytes_sent.load(std::memory_order_relaxed);
  s.requests = c.attempts.load(std::memory_order_relaxed);
  s.retries = c.retries.load(std::memory_order_relaxed);
  s.throttle_waits = p.rate_limit_waits + p.throttled + p.server_waits;
  s.breaker_trips = p.breaker_opens;
  s.network_wait_ns = c.attempt_time_ns.load(std::memory_order_relaxed);
  return s;
}

std::optional<std::string> rate_limit_bound_note(std::chrono::nanoseconds bound,
                                                 std::chrono::nanoseconds elapsed, double requests_per_minute,
                                                 double burst, const std::string& setting) {
  if (elapsed.count() <= 0 || bound.count() <= 0 || bound * 10 <= elapsed) return std::nullopt;
  const double share =
      std::min(1.0, static_cast<double>(bound.count()) / static_cast<double>(elapsed.count()));
  return fmt::format(
      "the client-side rate limit ({:g} requests/min, burst {:g}) bounded this read: requests waited for it "
      "during {:.0f}% of its {}; if the API allows more, raise {}",
      requests_per_minute, burst, 100.0 * share, metrics::format_duration(elapsed), setting);
}

void RateLimitWatch::start(net::HttpClient& client) {
  std::lock_guard lock(mutex_);
  if (started_) return;
  started_ = true;
  at_ = std::chrono::steady_clock::now();
  bound_ns_at_start_ = client.policy().stats().rate_limit_bound_ns.load(std::memory_order_relaxed);
}

std::optional<std::string> RateLimitWatch::finish(net::HttpClient& client, const std::string& setting) {
  std::lock_guard lock(mutex_);
  if (!started_) return std::nullopt;
  started_ = false;
  const auto& rl = client.policy().options().rate_limit;
  if (!rl.enabled) return std::nullopt;
  const std::uint64_t now_bound = client.policy().stats().rate_limit_bound_ns.load(std::memory_order_relaxed);
  const std::chrono::nanoseconds bound(now_bound > bound_ns_at_start_ ? now_bound - bound_ns_at_start_ : 0);
  // The bucket may have reserved slots past now for requests that were then not needed.
  const auto elapsed = std::chrono::steady_clock::now() - at_;
  return rate_limit_bound_note(std::min<std::chrono::nanoseconds>(bound, elapsed), elapsed,
                               rl.requests_per_minute, rl.burst, setting);
}

}  // namespace sqlflow::connectors
