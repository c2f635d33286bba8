// REST source options: PARAMS parsed once into structs with defaults, validated before any
// request is sent (SQLFlow's key names kept; objects accepted as JSON objects or JSON text).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net/secret.hpp"

namespace sqlflow::connectors::rest {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

struct AuthOptions {
  enum class Type { None, Basic, Digest, Bearer, ApiKey, OAuth2ClientCredentials };
  Type type = Type::None;
  std::string username;
  net::SecretString password;
  net::SecretString token;
  std::string key_name = "X-API-Key";
  net::SecretString key_value;
  bool in_query = false;  // api_key: `in: query` sends ?key_name=key_value
  std::string token_url;
  std::string client_id;
  net::SecretString client_secret;
  std::string scope;
  std::string audience;
  bool client_auth_basic = true;  // RFC 6749 §2.3.1; false: client_id/secret as form fields
};

struct PaginationOptions {
  enum class Type { None, PageNumber, Offset, Cursor, LinkHeader, NextUrl };
  Type type = Type::None;
  // page_number
  std::string page_param = "page";
  std::string size_param = "limit";
  std::int64_t page_size = 0;  // 0: no size parameter is sent and short pages do not stop
  std::int64_t start_page = 1;
  // offset
  std::string offset_param = "offset";
  std::string limit_param = "limit";
  std::int64_t limit = 100;
  std::int64_t start_offset = 0;
  // page_number / offset: the total, when the API reports it (dot paths into the first page).
  std::string total_path;        // total number of records
  std::string total_pages_path;  // total number of pages (page_number only)
  // cursor
  std::string cursor_path;              // where the next cursor is in the body
  std::string cursor_param = "cursor";  // the request parameter that carries it
  // next_url
  std::string next_path;
  // Fetch pages in parallel when the total is known (false: one at a time, in order).
  bool parallel_safe = true;
};

const char* to_string(PaginationOptions::Type type);

struct RestOptions {
  std::string url;
  std::string method = "GET";
  KeyValues params;  // query parameters, in order
  KeyValues headers;
  std::optional<std::string> body;  // POST body (objects are sent as JSON)
  std::string data_path;            // dot path to the records array; empty or "$": the top level
  bool flatten_response = true;
  std::string flatten_separator = ".";  // as SQLFlow (pandas json_normalize): address.street
  double timeout_s = 30;
  std::optional<int> max_retries;     // retries after the first attempt (SQLFlow's meaning)
  std::optional<double> retry_delay;  // seconds before the first retry
  AuthOptions auth;
  PaginationOptions pagination;
  KeyValues columns;           // name → DuckDB type, overriding inference (in order)
  std::int64_t max_pages = 0;  // 0: no limit
  int parallel_requests = 4;
  // Rows in page order (one reader decodes; pages are still fetched parallel_requests at a time),
  // so loads and exports repeat exactly; false lets several DuckDB threads decode page ranges.
  bool preserve_order = true;
  nlohmann::json resilience;  // overrides of the "rest" resilience profile
  // A client-side rate limit (requests/minute), shorthand for resilience.rate_limit.requests_per_minute.
  // None by default: the server's 429s, Retry-After and RateLimit-* headers slow us when needed.
  std::optional<double> rate_limit_rpm;
  bool infer_timestamps = true;
  int infer_sample_records = 1000;
  int infer_sample_pages = 1;
  bool verify_ssl = true;
  // Decompressed bytes of all responses in flight together (and so of one page).
  std::int64_t max_response_mb = 512;
  std::string ca_bundle;
  // Incremental loads: the records' cursor field and the request parameter that receives the
  // stored watermark.
  std::string cursor_field;
  std::string cursor_param;

  // Reads validated PARAMS (after normalize_params). Throws a validation Error naming the key.
  static RestOptions from_params(const nlohmann::json& params);
  void validate() const;
};

// "data.items" → {"data", "items"}; "" and "$" → {}. A leading "$." is accepted.
std::vector<std::string> split_path(const std::string& path);
// "data.items" → "/data/items" (RFC 6901 escaping of ~ and /).
std::string to_json_pointer(const std::string& path);

}  // namespace sqlflow::connectors::rest
