// Shopify PARAMS (SQLFlow's names kept) as a plain struct with defaults; parsing in from_params,
// checks in validate().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"

namespace sqlflow::connectors::shopify {

struct ShopifyOptions {
  std::string shop_domain;  // "shop" → "shop.myshopify.com"
  std::string access_token;
  std::string client_id;
  std::string client_secret;
  std::string api_version = "2026-01";
  std::string api_url;  // overrides https://<shop_domain> (tests, proxies)
  std::string object;   // default: the LOAD's table (set by the pipeline)
  double timeout = 30;
  std::optional<int> max_retries;
  std::optional<double> retry_delay;
  std::int64_t lookback_window_s = 0;  // incremental loads re-read this far behind the watermark
  bool flatten_line_items = true;      // child connections into <table>__<child> tables
  std::vector<std::string> financial_status_filter;
  bool include_fulfillments = false;         // orders: also orders__fulfillments
  bool include_refunds = false;              // orders: also orders__refunds
  std::string metafield_owner = "products";  // metafields: whose
  std::string mode = "auto";                 // auto (bulk for full loads, paging for increments), bulk, paged
  int page_size = 250;
  double bulk_poll_interval = 2;  // seconds between polls of a bulk operation (backing off to 10)

  std::string base_url() const;
  static ShopifyOptions from_params(const Params& params);
  void validate() const;
};

}  // namespace sqlflow::connectors::shopify
