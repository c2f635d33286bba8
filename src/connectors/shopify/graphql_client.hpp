// Shopify's GraphQL Admin API on the resilient HTTP client. Rate limiting follows the server's own
// numbers: every reply's extensions.cost.throttleStatus (maximumAvailable, currentlyAvailable,
// restoreRate) feeds a local estimate of the bucket, a query waits until its requested cost is
// available, and a THROTTLED reply (HTTP 200 or 429) waits (requested − available) / restoreRate
// and is sent again. https://shopify.dev/docs/api/usage/rate-limits
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "connectors/connector.hpp"
#include "net/secret.hpp"

namespace sqlflow::net {
class HttpClient;
}

namespace sqlflow::connectors::shopify {

struct GraphqlOptions {
  std::string base_url;  // https://shop.myshopify.com
  std::string api_version;
  net::SecretString access_token;
  std::string client_id;  // client-credentials grant when access_token is empty
  net::SecretString client_secret;
  double timeout_s = 30;
  std::optional<int> max_retries;
  std::optional<double> retry_delay;
  RequestLatencySink on_latency;
};

// A GraphQL error reply (errors[] without data), e.g. MAX_COST_EXCEEDED.
struct GraphqlFailure {
  std::string code;  // extensions.code
  std::string message;
};

class GraphqlClient {
 public:
  explicit GraphqlClient(GraphqlOptions options);
  ~GraphqlClient();

  // Sends `query` once the bucket holds `estimated_cost`; returns its "data". Throws a data Error
  // for GraphQL errors (their messages), after riding out THROTTLED replies.
  nlohmann::json run(const std::string& query, const nlohmann::json& variables, int estimated_cost,
                     GraphqlFailure* failure = nullptr);
  // Streams the body at `url` (a bulk operation's result) line by line.
  void download_lines(const std::string& url, const std::function<void(std::string_view line)>& on_line);

  net::HttpClient& http() { return *client_; }
  std::uint64_t throttled_replies() const { return throttled_; }
  // Seconds spent waiting for the cost bucket.
  double throttle_wait_seconds() const { return wait_s_; }

 private:
  void wait_for(int cost);
  void observe(const nlohmann::json& reply, const std::string& query);

  GraphqlOptions o_;
  std::string url_;
  std::shared_ptr<net::HttpClient> client_;
  std::shared_ptr<net::HttpClient> download_client_;
  std::mutex mutex_;
  double max_available_ = 1000, available_ = 1000, restore_rate_ = 50;
  std::chrono::steady_clock::time_point observed_at_ = std::chrono::steady_clock::now();
  std::uint64_t throttled_ = 0;
  double wait_s_ = 0;
  bool version_warned_ = false;
  // The server's requestedQueryCost per query text, so the next send waits for what it will charge
  // (our estimate may differ from Shopify's calculation).
  std::unordered_map<std::string, double> requested_;
};

}  // namespace sqlflow::connectors::shopify
