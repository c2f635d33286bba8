// What every HTTP-based connector (REST, Google Sheets, Shopify, S3) reports the same way: each
// request attempt's latency to the run's metrics, and its client's counters as IoStats.
#pragma once

#include <memory>
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

}  // namespace sqlflow::connectors
