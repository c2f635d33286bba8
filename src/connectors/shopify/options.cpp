#include "connectors/shopify/options.hpp"

#include <cctype>
#include <utility>

#include "core/error.hpp"
#include "resilience/profiles.hpp"

namespace sqlflow::connectors::shopify {

namespace {
std::string str(const Params& p, const char* key, const std::string& fallback = {}) {
  return p.contains(key) && p[key].is_string() ? p[key].get<std::string>() : fallback;
}
}  // namespace

std::string ShopifyOptions::base_url() const {
  if (!api_url.empty()) return api_url;
  return "https://" + shop_domain;
}

ShopifyOptions ShopifyOptions::from_params(const Params& p) {
  ShopifyOptions o;
  o.shop_domain = str(p, "shop_domain");
  for (auto& c : o.shop_domain) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (o.shop_domain.rfind("https://", 0) == 0) o.shop_domain = o.shop_domain.substr(8);
  while (!o.shop_domain.empty() && o.shop_domain.back() == '/') o.shop_domain.pop_back();
  if (!o.shop_domain.empty() && o.shop_domain.find('.') == std::string::npos)
    o.shop_domain += ".myshopify.com";
  o.access_token = str(p, "access_token");
  o.client_id = str(p, "client_id");
  o.client_secret = str(p, "client_secret");
  o.api_version = str(p, "api_version", o.api_version);
  o.api_url = str(p, "api_url");
  o.object = str(p, "object");
  for (auto& c : o.object) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (p.contains("timeout") && p["timeout"].is_number()) o.timeout = p["timeout"].get<double>();
  if (p.contains("max_retries") && p["max_retries"].is_number_integer())
    o.max_retries = p["max_retries"].get<int>();
  if (p.contains("retry_delay") && p["retry_delay"].is_number())
    o.retry_delay = p["retry_delay"].get<double>();
  if (p.contains("lookback_window") && !p["lookback_window"].is_null()) {
    const auto& v = p["lookback_window"];
    // SQLFlow gives days as a number; a duration string ("2h", "30m") also works.
    double s = v.is_number()
                   ? v.get<double>() * 86400
                   : std::chrono::duration<double>(resilience::parse_duration(v, "lookback_window")).count();
    o.lookback_window_s = static_cast<std::int64_t>(s);
  }
  if (p.contains("flatten_line_items") && p["flatten_line_items"].is_boolean())
    o.flatten_line_items = p["flatten_line_items"].get<bool>();
  for (auto [key, into] : {std::pair{"include_fulfillments", &o.include_fulfillments},
                           std::pair{"include_refunds", &o.include_refunds}})
    if (p.contains(key) && p[key].is_boolean()) *into = p[key].get<bool>();
  o.metafield_owner = str(p, "metafield_owner", o.metafield_owner);
  for (auto& c : o.metafield_owner) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (p.contains("financial_status_filter")) {
    const auto& v = p["financial_status_filter"];
    if (v.is_string()) o.financial_status_filter.push_back(v.get<std::string>());
    if (v.is_array())
      for (const auto& x : v)
        if (x.is_string()) o.financial_status_filter.push_back(x.get<std::string>());
  }
  o.mode = str(p, "mode", o.mode);
  if (p.contains("page_size") && p["page_size"].is_number_integer()) o.page_size = p["page_size"].get<int>();
  if (p.contains("bulk_poll_interval") && p["bulk_poll_interval"].is_number())
    o.bulk_poll_interval = p["bulk_poll_interval"].get<double>();
  o.validate();
  return o;
}

void ShopifyOptions::validate() const {
  if (shop_domain.empty())
    throw validation_error("shop_domain is required", "e.g. \"my-shop\" or \"my-shop.myshopify.com\"");
  if (access_token.empty() && (client_id.empty() || client_secret.empty()))
    throw validation_error("an access_token, or client_id and client_secret, is required",
                           "an Admin API access token (shpat_…) from the app's settings");
  if (mode != "auto" && mode != "bulk" && mode != "paged")
    throw validation_error("mode '" + mode + "' is not auto, bulk or paged");
  if (page_size < 1 || page_size > 250)
    throw validation_error("page_size must be 1 to 250 (the API's maximum)");
  if (!(timeout > 0)) throw validation_error("timeout must be positive");
  if (lookback_window_s < 0) throw validation_error("lookback_window must not be negative");
  if (!(bulk_poll_interval > 0)) throw validation_error("bulk_poll_interval must be positive");
}

}  // namespace sqlflow::connectors::shopify
