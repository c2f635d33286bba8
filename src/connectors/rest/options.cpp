#include "connectors/rest/options.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/error.hpp"
#include "core/suggest.hpp"
#include "metrics/secrets.hpp"

namespace sqlflow::connectors::rest {

using nlohmann::json;

const char* to_string(PaginationOptions::Type type) {
  switch (type) {
    case PaginationOptions::Type::None:
      return "none";
    case PaginationOptions::Type::PageNumber:
      return "page_number";
    case PaginationOptions::Type::Offset:
      return "offset";
    case PaginationOptions::Type::Cursor:
      return "cursor";
    case PaginationOptions::Type::LinkHeader:
      return "link_header";
    case PaginationOptions::Type::NextUrl:
      return "next_url";
  }
  return "?";
}

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// An object given as a JSON object or as JSON text (the Python original's validator demanded
// strings, so pipelines written for it pass `"{\"page_param\": \"p\"}"`).
json object_param(const json& params, const std::string& key) {
  if (!params.contains(key) || params.at(key).is_null()) return json::object();
  const json& v = params.at(key);
  if (v.is_object()) return v;
  if (v.is_string()) {
    const auto& text = v.get_ref<const std::string&>();
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
    json parsed = json::parse(text, nullptr, false);
    if (parsed.is_object()) return parsed;
  }
  throw validation_error("parameter '" + key + "' must be an object (or a string holding a JSON object)",
                         "e.g. \"" + key + "\": {\"name\": \"value\"}");
}

std::string scalar_text(const json& v, const std::string& what) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
  if (v.is_number()) return v.dump();
  throw validation_error(what + " must be a string, number or boolean, got " + std::string(v.type_name()));
}

KeyValues key_values(const json& params, const std::string& key) {
  KeyValues out;
  const json obj = object_param(params, key);
  for (const auto& [k, v] : obj.items()) {
    if (v.is_null()) continue;
    if (v.is_array()) {  // repeated query parameter: ?id=1&id=2
      for (const auto& e : v) out.emplace_back(k, scalar_text(e, key + "." + k));
      continue;
    }
    out.emplace_back(k, scalar_text(v, key + "." + k));
  }
  return out;
}

void check_keys(const json& obj, const std::string& where, const std::vector<std::string>& known) {
  for (const auto& [k, v] : obj.items()) {
    (void)v;
    if (std::find(known.begin(), known.end(), k) == known.end())
      throw validation_error(
          "unknown key '" + k + "' in REST " + where + did_you_mean(k, known), "known keys: " + [&] {
            std::string s;
            for (const auto& n : known) s += (s.empty() ? "" : ", ") + n;
            return s;
          }());
  }
}

std::string get_string(const json& obj, const std::string& key, const std::string& where,
                       std::string def = {}) {
  if (!obj.contains(key) || obj.at(key).is_null()) return def;
  const json& v = obj.at(key);
  if (!v.is_string()) throw validation_error(where + "." + key + " must be a string, got " + v.type_name());
  return v.get<std::string>();
}

net::SecretString get_secret(const json& obj, const std::string& key, const std::string& where) {
  std::string value = get_string(obj, key, where);
  if (!value.empty()) metrics::register_secret(value);  // the run's log masker
  return net::SecretString(std::move(value));           // the HTTP layer's scrubber
}

std::int64_t get_int(const json& obj, const std::string& key, const std::string& where, std::int64_t def,
                     std::int64_t min) {
  if (!obj.contains(key) || obj.at(key).is_null()) return def;
  const json& v = obj.at(key);
  std::int64_t n = 0;
  if (v.is_number_integer() || v.is_number_unsigned()) {
    n = v.get<std::int64_t>();
  } else if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()) {
    n = static_cast<std::int64_t>(v.get<double>());
  } else if (v.is_string() && !v.get<std::string>().empty() &&
             std::all_of(v.get<std::string>().begin(), v.get<std::string>().end(), ::isdigit)) {
    n = std::stoll(v.get<std::string>());
  } else {
    throw validation_error(where + key + " must be an integer, got " + v.dump());
  }
  if (n < min)
    throw validation_error(where + key + " must be at least " + std::to_string(min) + ", got " +
                           std::to_string(n));
  return n;
}

bool get_bool(const json& obj, const std::string& key, const std::string& where, bool def) {
  if (!obj.contains(key) || obj.at(key).is_null()) return def;
  const json& v = obj.at(key);
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) {
    std::string s = lower(v.get<std::string>());
    if (s == "true") return true;
    if (s == "false") return false;
  }
  throw validation_error(where + key + " must be true or false, got " + v.dump());
}

double get_number(const json& obj, const std::string& key, double def) {
  if (!obj.contains(key) || obj.at(key).is_null()) return def;
  const json& v = obj.at(key);
  if (!v.is_number()) throw validation_error("parameter '" + key + "' must be a number, got " + v.dump());
  return v.get<double>();
}

AuthOptions parse_auth(const json& params) {
  json a = object_param(params, "auth");
  AuthOptions out;
  if (a.empty()) return out;
  std::string type = lower(get_string(a, "type", "auth"));
  const std::vector<std::string> types = {"basic", "digest", "bearer", "api_key", "oauth2_client_credentials",
                                          "none"};
  if (type == "apikey") type = "api_key";
  if (type == "oauth2" || type == "client_credentials") type = "oauth2_client_credentials";
  if (std::find(types.begin(), types.end(), type) == types.end())
    throw validation_error(
        "auth.type must be one of basic, digest, bearer, api_key, oauth2_client_credentials, got '" + type +
        "'" + did_you_mean(type, types));
  if (type == "none") return out;
  if (type == "basic" || type == "digest") {
    check_keys(a, "auth", {"type", "username", "password"});
    out.type = type == "basic" ? AuthOptions::Type::Basic : AuthOptions::Type::Digest;
    out.username = get_string(a, "username", "auth");
    out.password = get_secret(a, "password", "auth");
    if (out.username.empty()) throw validation_error("auth type " + type + " needs auth.username");
  } else if (type == "bearer") {
    check_keys(a, "auth", {"type", "token"});
    out.type = AuthOptions::Type::Bearer;
    out.token = get_secret(a, "token", "auth");
    if (out.token.empty()) throw validation_error("auth type bearer needs auth.token");
  } else if (type == "api_key") {
    check_keys(a, "auth", {"type", "key_name", "key_value", "in"});
    out.type = AuthOptions::Type::ApiKey;
    out.key_name = get_string(a, "key_name", "auth", "X-API-Key");
    out.key_value = get_secret(a, "key_value", "auth");
    std::string in = lower(get_string(a, "in", "auth", "header"));
    if (in != "header" && in != "query")
      throw validation_error("auth.in must be header or query, got '" + in + "'");
    out.in_query = in == "query";
    if (out.key_value.empty()) throw validation_error("auth type api_key needs auth.key_value");
  } else {
    check_keys(a, "auth",
               {"type", "token_url", "client_id", "client_secret", "scope", "audience", "client_auth"});
    out.type = AuthOptions::Type::OAuth2ClientCredentials;
    out.token_url = get_string(a, "token_url", "auth");
    out.client_id = get_string(a, "client_id", "auth");
    out.client_secret = get_secret(a, "client_secret", "auth");
    out.scope = get_string(a, "scope", "auth");
    out.audience = get_string(a, "audience", "auth");
    std::string ca = lower(get_string(a, "client_auth", "auth", "basic"));
    if (ca != "basic" && ca != "body")
      throw validation_error("auth.client_auth must be basic or body, got '" + ca + "'");
    out.client_auth_basic = ca == "basic";
    if (out.token_url.empty() || out.client_id.empty() || out.client_secret.empty())
      throw validation_error(
          "auth type oauth2_client_credentials needs token_url, client_id and client_secret");
  }
  return out;
}

PaginationOptions parse_pagination(const json& params, std::string& legacy_cursor_param) {
  json p = object_param(params, "pagination");
  PaginationOptions out;
  if (p.empty()) return out;
  check_keys(p, "pagination",
             {"type", "page_param", "size_param", "page_size", "start_page", "offset_param", "limit_param",
              "limit", "start_offset", "total_path", "total_pages_path", "cursor_path", "cursor_param",
              "next_path", "parallel_safe"});
  // SQLFlow's pagination object has no type: it is page-number pagination.
  std::string type = lower(get_string(p, "type", "pagination", "page_number"));
  const std::vector<std::string> types = {"none",   "page_number", "offset",
                                          "cursor", "link_header", "next_url"};
  if (type == "page" || type == "page_size") type = "page_number";
  if (type == "link") type = "link_header";
  if (std::find(types.begin(), types.end(), type) == types.end())
    throw validation_error(
        "pagination.type must be one of none, page_number, offset, cursor, link_header, next_url, got "
        "'" +
        type + "'" + did_you_mean(type, types));
  using T = PaginationOptions::Type;
  out.type = type == "none"          ? T::None
             : type == "page_number" ? T::PageNumber
             : type == "offset"      ? T::Offset
             : type == "cursor"      ? T::Cursor
             : type == "link_header" ? T::LinkHeader
                                     : T::NextUrl;
  const std::string w = "pagination.";
  out.page_param = get_string(p, "page_param", "pagination", out.page_param);
  out.size_param = get_string(p, "size_param", "pagination", out.size_param);
  out.page_size = get_int(p, "page_size", w, 0, 0);
  out.start_page = get_int(p, "start_page", w, 1, 0);
  out.offset_param = get_string(p, "offset_param", "pagination", out.offset_param);
  out.limit_param = get_string(p, "limit_param", "pagination", out.limit_param);
  out.limit = get_int(p, "limit", w, 100, 1);
  out.start_offset = get_int(p, "start_offset", w, 0, 0);
  out.total_path = get_string(p, "total_path", "pagination");
  out.total_pages_path = get_string(p, "total_pages_path", "pagination");
  out.cursor_path = get_string(p, "cursor_path", "pagination");
  out.next_path = get_string(p, "next_path", "pagination");
  out.parallel_safe = get_bool(p, "parallel_safe", w, true);
  if (p.contains("cursor_param")) {
    if (out.type == T::Cursor)
      out.cursor_param = get_string(p, "cursor_param", "pagination", out.cursor_param);
    else  // SQLFlow: pagination.cursor_param is the parameter that receives the watermark
      legacy_cursor_param = get_string(p, "cursor_param", "pagination");
  }
  if (out.type == T::Cursor && out.cursor_path.empty())
    throw validation_error("pagination type cursor needs pagination.cursor_path",
                           "the dot path of the next cursor in the response body, e.g. meta.next_cursor");
  if (out.type == T::NextUrl && out.next_path.empty())
    throw validation_error("pagination type next_url needs pagination.next_path",
                           "the dot path of the next page's URL in the response body, e.g. links.next");
  if (!out.total_pages_path.empty() && out.type != T::PageNumber)
    throw validation_error("pagination.total_pages_path is for page_number pagination only");
  if (!out.total_path.empty() && out.type == T::PageNumber && out.page_size == 0)
    throw validation_error("pagination.total_path (a record count) needs pagination.page_size",
                           "or give total_pages_path when the API reports the number of pages");
  return out;
}

}  // namespace

std::vector<std::string> split_path(const std::string& path) {
  std::string p = path;
  if (p == "$") return {};
  if (p.rfind("$.", 0) == 0) p = p.substr(2);
  std::vector<std::string> out;
  if (p.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t dot = p.find('.', start);
    std::string part = p.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty())
      throw validation_error("empty component in the path '" + path + "'", "paths look like data.items");
    out.push_back(part);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

std::string to_json_pointer(const std::string& path) {
  std::string out;
  for (const auto& part : split_path(path)) {
    out += '/';
    for (char c : part) {
      if (c == '~')
        out += "~0";
      else if (c == '/')
        out += "~1";
      else
        out += c;
    }
  }
  return out;
}

RestOptions RestOptions::from_params(const json& params) {
  RestOptions o;
  o.url = get_string(params, "url", "parameter");
  o.method = get_string(params, "method", "parameter", "GET");
  for (auto& c : o.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  o.params = key_values(params, "params");
  o.headers = key_values(params, "headers");
  if (params.contains("body") && !params.at("body").is_null()) {
    const json& b = params.at("body");
    o.body = b.is_string() ? b.get<std::string>() : b.dump();
  }
  o.data_path = get_string(params, "data_path", "parameter");
  o.flatten_response = get_bool(params, "flatten_response", "parameter ", true);
  o.flatten_separator = get_string(params, "flatten_separator", "parameter", o.flatten_separator);
  o.timeout_s = get_number(params, "timeout", 30);
  if (params.contains("max_retries") && !params.at("max_retries").is_null())
    o.max_retries = static_cast<int>(get_int(params, "max_retries", "parameter ", 0, 0));
  if (params.contains("retry_delay") && !params.at("retry_delay").is_null())
    o.retry_delay = get_number(params, "retry_delay", 1.0);
  o.auth = parse_auth(params);
  std::string legacy_cursor_param;
  o.pagination = parse_pagination(params, legacy_cursor_param);
  if (params.contains("columns") && !params.at("columns").is_null()) {
    json cols = object_param(params, "columns");
    for (const auto& [name, type] : cols.items()) {
      if (!type.is_string())
        throw validation_error("columns." + name + " must be a DuckDB type name, got " + type.dump());
      o.columns.emplace_back(name, type.get<std::string>());
    }
  }
  o.max_pages = get_int(params, "max_pages", "parameter ", 0, 0);
  o.parallel_requests = static_cast<int>(get_int(params, "parallel_requests", "parameter ", 4, 1));
  o.preserve_order = get_bool(params, "preserve_order", "parameter ", true);
  if (params.contains("resilience")) o.resilience = params.at("resilience");
  if (params.contains("rate_limit_rpm") && !params.at("rate_limit_rpm").is_null())
    o.rate_limit_rpm = get_number(params, "rate_limit_rpm", 0);
  o.infer_timestamps = get_bool(params, "infer_timestamps", "parameter ", true);
  o.infer_sample_records = static_cast<int>(get_int(params, "infer_sample_records", "parameter ", 1000, 1));
  o.infer_sample_pages = static_cast<int>(get_int(params, "infer_sample_pages", "parameter ", 1, 1));
  o.verify_ssl = get_bool(params, "verify_ssl", "parameter ", true);
  o.max_response_mb = get_int(params, "max_response_mb", "parameter ", o.max_response_mb, 1);
  o.ca_bundle = get_string(params, "ca_bundle", "parameter");
  o.cursor_field = get_string(params, "cursor_field", "parameter");
  o.cursor_param = get_string(params, "cursor_param", "parameter");
  if (o.cursor_param.empty()) o.cursor_param = legacy_cursor_param;
  o.validate();
  return o;
}

void RestOptions::validate() const {
  std::string l = lower(url);
  if (l.rfind("http://", 0) != 0 && l.rfind("https://", 0) != 0)
    throw validation_error("url must start with http:// or https://",
                           "e.g. \"url\": \"https://api.example.com/v1/items\"");
  if (method != "GET" && method != "POST")
    throw validation_error("method must be GET or POST, got '" + method + "'");
  if (body && method != "POST")
    throw validation_error("body is sent with method POST only", "add \"method\": \"POST\"");
  if (!(timeout_s > 0)) throw validation_error("timeout must be a positive number of seconds");
  if (retry_delay && !(*retry_delay >= 0)) throw validation_error("retry_delay must be ≥ 0 seconds");
  if (rate_limit_rpm && !(*rate_limit_rpm > 0))
    throw validation_error("rate_limit_rpm must be a positive number of requests per minute",
                           "leave it out for no client-side limit");
  if (parallel_requests > 256) throw validation_error("parallel_requests must be at most 256");
  (void)split_path(data_path);
  if (flatten_separator.empty() || flatten_separator.size() > 4)
    throw validation_error("flatten_separator must be 1 to 4 characters, got '" + flatten_separator + "'",
                           "\".\" (SQLFlow's), \"_\" or \"__\"");
}

}  // namespace sqlflow::connectors::rest
