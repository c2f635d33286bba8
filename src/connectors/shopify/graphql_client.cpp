#include "connectors/shopify/graphql_client.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "connectors/http_io.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "net/auth.hpp"
#include "net/http_client.hpp"
#include "net/oauth2.hpp"
#include "resilience/profiles.hpp"

namespace sqlflow::connectors::shopify {

using nlohmann::json;

namespace {
// Shopify takes the token in X-Shopify-Access-Token, whichever way it was obtained.
class ShopifyTokenAuth final : public net::Authenticator {
 public:
  explicit ShopifyTokenAuth(net::SecretString token) : token_(std::move(token)) {}
  ShopifyTokenAuth(std::shared_ptr<net::OAuth2ClientCredentials> grant, std::string client_id)
      : grant_(std::move(grant)), client_id_(std::move(client_id)) {}
  void apply(net::Request& req) override {
    req.headers.emplace_back("X-Shopify-Access-Token", grant_ ? grant_->token().reveal() : token_.reveal());
  }
  bool on_unauthorized() override { return grant_ && grant_->on_unauthorized(); }
  std::string describe() const override {
    return grant_ ? "Shopify client credentials (" + client_id_ + ")" : "Shopify access token";
  }

 private:
  net::SecretString token_;
  std::shared_ptr<net::OAuth2ClientCredentials> grant_;
  std::string client_id_;
};

void sleep_interruptibly(double seconds) {
  auto until =
      std::chrono::steady_clock::now() +
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
  for (auto now = std::chrono::steady_clock::now(); now < until; now = std::chrono::steady_clock::now()) {
    if (interrupt::requested()) throw usage_error("interrupted");
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(std::chrono::milliseconds(50), until - now));
  }
}
}  // namespace

GraphqlClient::GraphqlClient(GraphqlOptions options) : o_(std::move(options)) {
  std::string base = o_.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  url_ = base + "/admin/api/" + o_.api_version + "/graphql.json";
  json overrides = json::object();
  // The cost bucket below is the rate limit; the profile's request-count limit would only slow us.
  overrides["rate_limit"] = false;
  if (o_.max_retries) overrides["retry"]["max_attempts"] = *o_.max_retries + 1;
  if (o_.retry_delay) overrides["retry"]["initial_delay"] = *o_.retry_delay;
  auto policy = resilience::make_policy("shopify", overrides);
  net::ClientOptions co;
  co.timeout = std::chrono::duration_cast<net::Duration>(std::chrono::duration<double>(o_.timeout_s));
  co.connect_timeout = std::min<net::Duration>(co.timeout, std::chrono::seconds(10));
  co.observer = latency_observer("shopify", o_.on_latency);
  if (!o_.access_token.empty()) {
    co.auth = std::make_shared<ShopifyTokenAuth>(o_.access_token);
  } else {
    net::OAuth2ClientCredentials::Options g;
    g.token_url = base + "/admin/oauth/access_token";
    g.client_id = o_.client_id;
    g.client_secret = o_.client_secret;
    g.basic_auth = false;  // Shopify reads client_id and client_secret from the form
    auto token_client = std::make_shared<net::HttpClient>(co, resilience::make_policy("shopify", overrides));
    auto grant = std::make_shared<net::OAuth2ClientCredentials>(g, token_client);
    co.auth = std::make_shared<ShopifyTokenAuth>(grant, o_.client_id);
  }
  client_ = std::make_shared<net::HttpClient>(co, policy);
  net::ClientOptions dl = co;
  dl.auth = nullptr;  // result URLs are pre-signed; our token must not go to the storage host
  dl.timeout = std::chrono::hours(6);
  dl.low_speed_bytes = 1;
  download_client_ = std::make_shared<net::HttpClient>(dl, resilience::make_policy("shopify", overrides));
}

GraphqlClient::~GraphqlClient() = default;

void GraphqlClient::wait_for(int cost) {
  double wait = 0;
  {
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    double elapsed = std::chrono::duration<double>(now - observed_at_).count();
    double est = std::min(max_available_, available_ + elapsed * restore_rate_);
    double need = std::min<double>(cost, max_available_);
    if (est < need && restore_rate_ > 0) wait = (need - est) / restore_rate_;
  }
  if (wait > 0) {
    wait_s_ += wait;
    sleep_interruptibly(wait);
  }
}

void GraphqlClient::observe(const json& reply, const std::string& query) {
  if (!query.empty() && reply.is_object()) {
    double requested = reply.value("/extensions/cost/requestedQueryCost"_json_pointer, -1.0);
    if (requested >= 0) {
      std::lock_guard lock(mutex_);
      requested_[query] = requested;
    }
  }
  const json* ts = nullptr;
  if (reply.contains("extensions") && reply["extensions"].contains("cost") &&
      reply["extensions"]["cost"].contains("throttleStatus"))
    ts = &reply["extensions"]["cost"]["throttleStatus"];
  if (!ts || !ts->is_object()) return;
  std::lock_guard lock(mutex_);
  max_available_ = ts->value("maximumAvailable", max_available_);
  available_ = ts->value("currentlyAvailable", available_);
  restore_rate_ = ts->value("restoreRate", restore_rate_);
  observed_at_ = std::chrono::steady_clock::now();
}

json GraphqlClient::run(const std::string& query, const json& variables, int estimated_cost,
                        GraphqlFailure* failure) {
  json body = {{"query", query}, {"variables", variables}};
  for (int attempt = 0;; ++attempt) {
    int cost = estimated_cost;
    {
      std::lock_guard lock(mutex_);
      if (auto it = requested_.find(query); it != requested_.end()) cost = static_cast<int>(it->second);
    }
    wait_for(cost);
    net::Request req("POST", url_);
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body.dump();
    req.idempotent = true;  // queries have no side effects
    net::Response r = client_->fetch(req);
    json reply = json::parse(r.body, nullptr, false);
    if (r.status == 429 ||
        (r.ok() && reply.is_object() && reply.contains("errors") && !reply.contains("data"))) {
      observe(reply, query);
      std::string code;
      if (reply.is_object() && reply["errors"].is_array() && !reply["errors"].empty())
        code = reply["errors"][0].value("/extensions/code"_json_pointer, std::string());
      if (code == "THROTTLED" || r.status == 429) {
        ++throttled_;
        if (attempt >= 50) throw connection_error("Shopify kept throttling the query after 50 waits", false);
        double requested =
            reply.value("/extensions/cost/requestedQueryCost"_json_pointer, double(estimated_cost));
        double wait;
        {
          std::lock_guard lock(mutex_);
          wait = restore_rate_ > 0 ? std::max(0.05, (requested - available_) / restore_rate_) : 1.0;
        }
        wait_s_ += wait;
        sleep_interruptibly(wait);
        continue;
      }
    }
    if (r.status == 401)
      throw config_error("Shopify refused the credentials (401)",
                         "check access_token (an Admin API token, shpat_…) or client_id/client_secret");
    if (!r.ok()) r.raise_for_status();
    if (!reply.is_object()) throw data_error("Shopify answered with something that is not JSON");
    if (auto v = r.header("X-Shopify-API-Version"); !v.empty() && v != o_.api_version && !version_warned_) {
      version_warned_ = true;
      spdlog::warn("shopify: api_version {} was requested but {} answered (unsupported or retired version)",
                   o_.api_version, v);
    }
    observe(reply, query);
    if (reply.contains("errors") && reply["errors"].is_array() && !reply["errors"].empty()) {
      const json& e = reply["errors"][0];
      GraphqlFailure f{e.value("/extensions/code"_json_pointer, std::string()),
                       e.value("message", std::string())};
      if (failure) {
        *failure = f;
        return json();
      }
      throw data_error("Shopify GraphQL error" + (f.code.empty() ? "" : " " + f.code) + ": " + f.message);
    }
    return reply.value("data", json::object());
  }
}

void GraphqlClient::download_lines(const std::string& url,
                                   const std::function<void(std::string_view)>& on_line) {
  std::string pending;
  bool restarted = false;
  auto r = download_client_->fetch(
      net::Request("GET", url),
      [&](std::string_view chunk) {
        if (restarted) return false;  // lines already handed on cannot be taken back: fail instead
        pending.append(chunk);
        std::size_t start = 0;
        for (std::size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1)
          on_line(std::string_view(pending).substr(start, nl - start));
        pending.erase(0, start);
        return true;
      },
      [&] { restarted = true; });
  if (restarted || !r.ok())
    throw connection_error(
        "downloading the bulk operation's result failed" +
            (r.status ? " (HTTP " + std::to_string(r.status) + ")" : std::string(" mid-way")),
        false, "nothing was loaded; run the load again (result URLs expire after a week)");
  if (!pending.empty()) on_line(pending);
}

}  // namespace sqlflow::connectors::shopify
