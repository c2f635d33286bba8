#include "connectors/http_io.hpp"

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
  s.throttle_waits = p.rate_limit_waits + p.throttled;
  s.breaker_trips = p.breaker_opens;
  s.network_wait_ns = c.attempt_time_ns.load(std::memory_order_relaxed);
  return s;
}

}  // namespace sqlflow::connectors
