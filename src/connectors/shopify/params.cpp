// shopify connector: ParamSpecs (SQLFlow's names first, then ours) and registration.
#include "connectors/registry.hpp"
#include "connectors/shopify/objects.hpp"
#include "connectors/shopify/source.hpp"

namespace sqlflow::connectors::shopify {
namespace {

ConnectorInfo shopify_info() {
  const ShopifyOptions d;
  ConnectorInfo info;
  info.type = "shopify";
  info.schema_discovery = SchemaDiscovery::Local;  // the columns are fixed per object
  info.object_from_load_target = "object";
  info.description =
      "Shopify on the GraphQL Admin API: bulk operations for full loads, cost-aware cursor paging for "
      "increments, rate limited by the server's own cost bucket.";
  std::string objects, owners;
  for (const auto& n : object_names()) objects += (objects.empty() ? "" : ", ") + n;
  for (const auto& n : metafield_owners()) owners += (owners.empty() ? "" : ", ") + n;
  info.source_params = {
      {"shop_domain", ParamType::String, true, nullptr, "my-shop or my-shop.myshopify.com"},
      {"access_token", ParamType::Secret, false, nullptr, "Admin API access token (shpat_…)"},
      {"client_id", ParamType::String, false, nullptr,
       "client-credentials grant (with client_secret) instead of a token"},
      {"client_secret", ParamType::Secret, false, nullptr, "with client_id"},
      {"api_version", ParamType::String, false, d.api_version, "Admin API version"},
      {"object",
       ParamType::String,
       false,
       nullptr,
       "what to read: " + objects +
           " (default: the LOAD's table; transactions, fulfillments and refunds are read below orders, "
           "inventory_levels below locations, metafields below metafield_owner)",
       {"table_name"}},
      {"timeout", ParamType::Number, false, d.timeout, "seconds per request"},
      {"max_retries", ParamType::Int, false, nullptr,
       "retries after the first attempt on 5xx and network errors"},
      {"retry_delay", ParamType::Number, false, nullptr, "seconds before the first retry"},
      {"rate_limit_delay", ParamType::Number, false, nullptr,
       "accepted for compatibility: the server's cost bucket paces requests"},
      {"lookback_window", ParamType::Any, false, nullptr,
       "incremental: re-read this far behind the watermark (days as a number, or \"2h\", \"30m\")"},
      {"flatten_line_items", ParamType::Bool, false, d.flatten_line_items,
       "orders' line items and products' variants into <table>__line_items / <table>__variants"},
      {"financial_status_filter", ParamType::Any, false, nullptr,
       "orders: only these financial statuses (paid, …)"},
      {"include_fulfillments", ParamType::Bool, false, d.include_fulfillments,
       "orders: also each order's fulfillments into <table>__fulfillments (with order_id)"},
      {"include_refunds", ParamType::Bool, false, d.include_refunds,
       "orders: also each order's refunds into <table>__refunds (with order_id)"},
      {"metafield_owner", ParamType::String, false, d.metafield_owner,
       "metafields: whose to read (" + owners + "); the owner's id lands in owner_id"},
      {"mode", ParamType::String, false, d.mode,
       "auto (bulk for full loads, paging for increments), bulk or paged"},
      {"page_size", ParamType::Int, false, d.page_size,
       "parents per page when paging (at most 250; lowered to fit the cost limit)"},
      {"bulk_poll_interval", ParamType::Number, false, d.bulk_poll_interval,
       "seconds between bulk status polls"},
      {"api_url", ParamType::String, false, nullptr, "overrides https://<shop_domain> (tests, proxies)"},
      {"enable_connection_pooling", ParamType::Bool, false, nullptr, "accepted for compatibility"},
      {"enable_parallel_requests", ParamType::Bool, false, nullptr, "accepted for compatibility"},
  };
  info.make_source = [](const Params& p, const ConnectorContext& ctx) -> std::unique_ptr<Source> {
    return std::make_unique<ShopifySource>(ShopifyOptions::from_params(p), ctx);
  };
  info.check_source = [](const Params& p) {
    auto o = ShopifyOptions::from_params(p);
    if (!o.object.empty()) (void)object_def(o.object, o.metafield_owner);
  };
  info.notes = {
      "A full load runs one bulk operation and streams its JSONL (one left running by a killed run of the "
      "same load is taken over); an incremental load (sync_mode "
      "incremental, cursor_field updated_at, primary_key id) pages with first/after (sortKey UPDATED_AT "
      "where the connection has it) from the watermark minus lookback_window. Orders are always read with "
      "status:any.",
      "transactions, fulfillments and refunds are read below orders and follow the order's updated_at "
      "(transactions: cursor_field created_at); inventory_levels are read below locations and search "
      "their own updated_at; locations and metafields have no updated_at search and always load fully.",
      "Every reply's extensions.cost.throttleStatus paces the next query; THROTTLED replies wait for the "
      "bucket to refill and are sent again; a query over the single-query cost limit is split.",
      "Ids are BIGINT (from gid://shopify/Type/N, the gid kept in gid), money DECIMAL(18,2), timestamps "
      "TIMESTAMPTZ. `sqlflow connect test` reports a missing read_all_orders scope.",
  };
  return info;
}

}  // namespace
SQLFLOW_REGISTER_CONNECTOR(shopify_info);
}  // namespace sqlflow::connectors::shopify
