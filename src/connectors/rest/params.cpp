// rest connector: ParamSpecs and registration.
#include "connectors/registry.hpp"
#include "connectors/rest/source.hpp"
#include "resilience/profiles.hpp"

namespace sqlflow::connectors::rest {
namespace {

ConnectorInfo rest_info() {
  ConnectorInfo info;
  info.type = "rest";
  info.schema_discovery = SchemaDiscovery::Remote;
  info.aliases = {"rest_api"};
  info.description =
      "JSON REST APIs: every common pagination style, parallel page fetches, simdjson parsing into DuckDB "
      "vectors.";
  info.source_params = {
      {"url", ParamType::String, true, nullptr, "http(s) URL of the first page"},
      {"method", ParamType::String, false, "GET", "GET or POST"},
      {"params", ParamType::Any, false, nullptr,
       "query parameters: an object (or a string holding one); list values repeat the parameter"},
      {"headers", ParamType::Any, false, nullptr, "request headers: an object (or a string holding one)"},
      {"body", ParamType::Any, false, nullptr, "POST body: an object (sent as JSON) or a string"},
      {"data_path", ParamType::String, false, nullptr,
       "dot path to the records array, e.g. data.items; $ or empty: the top level"},
      {"flatten_response", ParamType::Bool, false, true,
       "nested objects become address.street columns (false: one JSON column per object); arrays are JSON "
       "columns"},
      {"flatten_separator", ParamType::String, false, ".",
       "between the keys of a flattened column name (SQLFlow's '.'; '_' or '__' for names that need no "
       "quoting)"},
      {"timeout", ParamType::Number, false, 30, "seconds per request attempt"},
      {"max_retries", ParamType::Int, false, nullptr,
       "retries after the first attempt (default: the rest profile's 2)"},
      {"retry_delay", ParamType::Number, false, nullptr,
       "seconds before the first retry (backoff doubles it, with jitter)"},
      {"auth", ParamType::Any, false, nullptr,
       "{\"type\": basic|digest (username, password) | bearer (token) | api_key (key_name, key_value, in: "
       "header|query) | "
       "oauth2_client_credentials (token_url, client_id, client_secret, scope)}"},
      {"pagination", ParamType::Any, false, nullptr,
       "{\"type\": page_number|offset|cursor|link_header|next_url|none, …}; SQLFlow's object without a type "
       "is page_number"},
      {"columns", ParamType::Any, false, nullptr,
       "name → type (BOOLEAN, INTEGER, BIGINT, DOUBLE, VARCHAR, TIMESTAMP, DATE), overriding inference; also "
       "declares keys that appear only in later pages"},
      {"max_pages", ParamType::Int, false, nullptr, "stop after this many pages"},
      {"parallel_requests", ParamType::Int, false, 4,
       "requests in flight at once when the page count is known (within the rate limit)"},
      {"preserve_order", ParamType::Bool, false, true,
       "rows in page order, identical from run to run (false: pages decoded on several threads, any order)"},
      {"rate_limit_rpm", ParamType::Number, false, nullptr,
       "client-side limit in requests per minute (default: none; the server's 429, Retry-After and "
       "RateLimit-* headers still slow requests)"},
      {"resilience", ParamType::Object, false, nullptr, resilience::describe_param_doc("rest")},
      {"infer_timestamps", ParamType::Bool, false, true,
       "ISO 8601 date-time strings become TIMESTAMP (UTC) columns"},
      {"infer_sample_records", ParamType::Int, false, 1000,
       "records per sampled page that decide the column types"},
      {"infer_sample_pages", ParamType::Int, false, 1, "pages sampled for the column types"},
      {"verify_ssl", ParamType::Bool, false, true, "verify the server's TLS certificate"},
      {"max_response_mb", ParamType::Int, false, 512,
       "MB the responses in flight may hold together once decompressed (a gzip page can expand a "
       "thousandfold)"},
      {"ca_bundle", ParamType::String, false, nullptr,
       "PEM file of CAs to trust instead of the system store"},
      {"cursor_field", ParamType::String, false, nullptr,
       "incremental: record field whose maximum is the watermark"},
      {"cursor_param", ParamType::String, false, nullptr,
       "incremental: request parameter that receives the stored watermark (e.g. updated_since)"},
      {"use_connection_pooling", ParamType::Bool, false, nullptr,
       "accepted for compatibility; connections are always reused"},
      {"stream_large_responses", ParamType::Bool, false, nullptr,
       "accepted for compatibility; pages are always processed one at a time"},
  };
  info.make_source = [](const Params& p, const ConnectorContext& ctx) -> std::unique_ptr<Source> {
    return std::make_unique<RestSource>(RestOptions::from_params(p), ctx.on_request_latency);
  };
  info.check_source = [](const Params& p) { (void)RestOptions::from_params(p); };
  info.notes = {
      "pagination keys — page_number: page_param (page), size_param (limit), page_size, start_page (1), "
      "total_pages_path or total_path (records, with page_size); stops on an empty page or one shorter than "
      "page_size. "
      "offset: offset_param (offset), limit_param (limit), limit (100), start_offset (0), total_path. "
      "cursor: cursor_path (in the body), cursor_param (cursor); stops when the cursor is missing, null or "
      "empty. "
      "link_header: follows Link: <…>; rel=\"next\" (RFC 8288). next_url: next_path (a URL in the body, may "
      "be relative). "
      "Every type: parallel_safe (true; false fetches one page at a time).",
      "The column types are inferred from the first page (infer_sample_records, infer_sample_pages) when the "
      "pipeline binds; "
      "a later value that does not fit its column's type fails the load with the page, record and key, and a "
      "key that first "
      "appears later is not loaded (a warning names it): declare both in columns.",
      "Pages are fetched in parallel when the page count is known from the first page (page_number with "
      "total_pages_path or "
      "total_path + page_size, offset with total_path), and ahead of the reader otherwise (parallel_safe); "
      "rows keep page "
      "order unless preserve_order is false.",
      "Secrets (password, token, key_value, client_secret, and sensitive headers or query parameters such as "
      "Authorization or api_key) never appear in messages, logs or metrics.",
      "ISO 8601 date-time strings become TIMESTAMP columns in UTC (offsets applied); arrays, and objects "
      "when flatten_response is false, become JSON columns (DuckDB's JSON type: use ->> or json_extract on "
      "them).",
      "Incremental loads send the stored watermark as cursor_param on every request (a TIMESTAMP watermark "
      "as ISO 8601 UTC, e.g. 2024-01-03T10:00:00Z); the watermark advances only when the load commits.",
      "No client-side rate limit by default (an API's quota is not known): set rate_limit_rpm, or "
      "\"resilience\": {\"rate_limit\": {\"requests_per_minute\": 600, \"burst\": 10}}, to stay under a "
      "known quota. The server's signals always apply: a request refused with 429/503 and Retry-After "
      "waits that long, every request to the host pauses once refusals cluster (a quarter of its last 16 "
      "answers), and RateLimit-Remaining/-Reset (IETF draft) or X-RateLimit-Remaining/-Reset headers hold "
      "requests back once the window's quota is used up, before the server refuses them. When a "
      "configured limit bounds a load (requests waited for it over 10% of the time), the run summary says "
      "so.",
  };
  return info;
}

}  // namespace
SQLFLOW_REGISTER_CONNECTOR(rest_info);
}  // namespace sqlflow::connectors::rest
