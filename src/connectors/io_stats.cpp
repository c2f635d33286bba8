// IoStats arithmetic (connector.hpp).
#include "connectors/connector.hpp"

namespace sqlflow::connectors {

namespace {
std::uint64_t minus(std::uint64_t now, std::uint64_t before) {
  return now > before ? now - before : 0;
}
}  // namespace

IoStats IoStats::since(const IoStats& earlier) const {
  IoStats d;
  d.bytes = minus(bytes, earlier.bytes);
  d.requests = minus(requests, earlier.requests);
  d.retries = minus(retries, earlier.retries);
  d.throttle_waits = minus(throttle_waits, earlier.throttle_waits);
  d.breaker_trips = minus(breaker_trips, earlier.breaker_trips);
  d.network_wait_ns = minus(network_wait_ns, earlier.network_wait_ns);
  return d;
}

IoStats& IoStats::operator+=(const IoStats& other) {
  bytes += other.bytes;
  requests += other.requests;
  retries += other.retries;
  throttle_waits += other.throttle_waits;
  breaker_trips += other.breaker_trips;
  network_wait_ns += other.network_wait_ns;
  return *this;
}

}  // namespace sqlflow::connectors
