#include "connectors/google_sheets/api.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "connectors/google_sheets/options.hpp"
#include "connectors/http_io.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "metrics/secrets.hpp"
#include "net/auth.hpp"
#include "net/http_client.hpp"
#include "net/oauth2.hpp"
#include "resilience/profiles.hpp"

namespace sqlflow::connectors::google_sheets {

using nlohmann::json;

namespace {
const char* kReadScope = "https://www.googleapis.com/auth/spreadsheets.readonly";
const char* kWriteScope = "https://www.googleapis.com/auth/spreadsheets";

// Google's error body: {"error": {"code": 403, "message": "...", "status": "PERMISSION_DENIED"}}.
struct GoogleError {
  std::string status;
  std::string message;
};
GoogleError parse_google_error(const std::string& body) {
  GoogleError e;
  json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const json& err = j["error"];
    if (err.contains("status") && err["status"].is_string()) e.status = err["status"].get<std::string>();
    if (err.contains("message") && err["message"].is_string()) e.message = err["message"].get<std::string>();
  }
  return e;
}
}  // namespace

const SheetProperties& SpreadsheetInfo::sheet(const std::string& name) const {
  for (const auto& s : sheets)
    if (s.title == name) return s;
  std::vector<std::string> titles;
  std::string list;
  for (const auto& s : sheets) {
    titles.push_back(s.title);
    list += (list.empty() ? "" : ", ") + ("'" + s.title + "'");
  }
  throw validation_error(
      "spreadsheet '" + title + "' has no sheet named '" + name + "'" + did_you_mean(name, titles),
      "its sheets are " + list);
}

net::SecretString load_service_account_key(const std::string& credentials_file, const json& credentials_json,
                                           const std::string& base_dir, std::string* origin) {
  std::string text;
  if (!credentials_file.empty()) {
    std::filesystem::path p(credentials_file);
    if (p.is_relative()) p = std::filesystem::path(base_dir) / p;
    std::ifstream in(p, std::ios::binary);
    if (!in)
      throw config_error("cannot read the Google credentials_file " + credentials_file,
                         "give the path of a service-account key (JSON), relative to the project");
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    *origin = "credentials_file " + credentials_file;
  } else if (!credentials_json.is_null()) {
    text = credentials_json.is_string() ? credentials_json.get<std::string>() : credentials_json.dump();
    *origin = "credentials_json";
  } else if (const char* env = std::getenv("GOOGLE_APPLICATION_CREDENTIALS"); env && *env) {
    std::ifstream in(env, std::ios::binary);
    if (!in) throw config_error(std::string("cannot read GOOGLE_APPLICATION_CREDENTIALS file ") + env);
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    *origin = std::string("GOOGLE_APPLICATION_CREDENTIALS ") + env;
  } else {
    throw config_error("a service-account key is required",
                       "set credentials_file (a key file relative to the project), credentials_json (e.g. "
                       "\"${GOOGLE_KEY_JSON}\") or the GOOGLE_APPLICATION_CREDENTIALS environment variable");
  }
  net::SecretString key(text);
  net::register_secret(text);
  metrics::register_secret(text);
  json j = json::parse(text, nullptr, false);
  if (j.is_object() && j.contains("private_key") && j["private_key"].is_string()) {
    net::register_secret(j["private_key"].get<std::string>());
    metrics::register_secret(j["private_key"].get<std::string>());
  }
  return key;
}

ApiOptions api_options(const ConnectionOptions& c, const ConnectorContext& ctx, bool write) {
  ApiOptions a;
  a.base_url = c.api_url;
  a.key_json =
      load_service_account_key(c.credentials_file, c.credentials_json, ctx.base_dir.string(), &a.key_origin);
  a.write = write;
  a.timeout_s = c.timeout;
  a.max_retries = c.max_retries;
  a.requests_per_minute = c.requests_per_minute;
  a.resilience = c.resilience;
  a.on_latency = ctx.on_request_latency;
  return a;
}

SheetsApi::SheetsApi(ApiOptions options) : o_(std::move(options)) {
  json key = json::parse(o_.key_json.reveal(), nullptr, false);
  if (key.is_discarded() || !key.is_object())
    throw config_error("the Google " + o_.key_origin + " is not JSON",
                       "download a JSON key for the service account (IAM → Service accounts → Keys)");
  if (!key.contains("type") || key["type"] != "service_account") {
    std::string type =
        key.contains("type") && key["type"].is_string() ? key["type"].get<std::string>() : "none";
    throw config_error(
        "the Google " + o_.key_origin + " is not a service-account key (its type is '" + type + "')",
        "create a key for a service account in the Google Cloud console (IAM → Service "
        "accounts → Keys → Add key → JSON); user OAuth client files cannot be used");
  }
  auto sa = net::GoogleServiceAccount::from_key_json(key, {o_.write ? kWriteScope : kReadScope});
  client_email_ = sa.client_email;

  json overrides = json::object();
  if (o_.max_retries) overrides["retry"]["max_attempts"] = *o_.max_retries + 1;
  if (o_.requests_per_minute) overrides["rate_limit"]["requests_per_minute"] = *o_.requests_per_minute;
  if (o_.resilience.is_object()) overrides.merge_patch(o_.resilience);
  auto policy = resilience::make_policy("google_sheets", overrides);
  net::ClientOptions co;
  co.timeout = std::chrono::duration_cast<net::Duration>(std::chrono::duration<double>(o_.timeout_s));
  co.connect_timeout = std::min<net::Duration>(co.timeout, std::chrono::seconds(10));
  co.observer = latency_observer("google_sheets", o_.on_latency);
  auto token_client =
      std::make_shared<net::HttpClient>(co, resilience::make_policy("google_sheets", json::object()));
  auth_ = std::make_shared<net::GoogleServiceAccount>(std::move(sa), token_client);
  co.auth = auth_;
  client_ = std::make_shared<net::HttpClient>(co, std::move(policy));
}

SheetsApi::~SheetsApi() = default;

std::string SheetsApi::spreadsheet_url(const std::string& spreadsheet_id) const {
  std::string base = o_.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/v4/spreadsheets/" + net::url_encode(spreadsheet_id);
}

void SheetsApi::fail(const std::string& spreadsheet_id, const std::string& what, int status,
                     const std::string& body, const std::string& fallback) const {
  GoogleError g = parse_google_error(body);
  std::string sid = "spreadsheet '" + spreadsheet_id + "'";
  if (status == 404)
    throw validation_error(sid + " was not found (Google Sheets API: 404 " + g.status + ")",
                           "spreadsheet_id is the long id in the sheet's URL, between /d/ and /edit");
  if (status == 403 && g.message.find("scope") != std::string::npos)
    throw config_error("Google Sheets refused " + what + " on " + sid + ": " + g.message,
                       "the token's scope does not allow it");
  if (status == 403)
    throw config_error(
        "the service account " + client_email_ + " has no access to " + sid + " (403 " + g.status + ")",
        "share the spreadsheet with " + client_email_ + (o_.write ? " as Editor" : " (Viewer is enough)"));
  if (status == 401)
    throw config_error(
        "Google rejected the service account's token for " + what + " (401 " + g.status + ")",
        "check that the key in " + o_.key_origin + " is still valid (not deleted or disabled)");
  if (status == 429)
    throw connection_error(
        "Google Sheets quota exhausted during " + what + " on " + sid +
            " after every retry (429 RESOURCE_EXHAUSTED); nothing was loaded",
        false,
        "the default rate is 60 requests per minute per service account; if your project's "
        "quota was raised, set requests_per_minute, or raise max_retries");
  if (status >= 400 && status < 500)
    throw validation_error("Google Sheets refused " + what + " on " + sid + " (" + std::to_string(status) +
                           " " + g.status + "): " + (g.message.empty() ? fallback : g.message));
  throw connection_error("Google Sheets " + what + " on " + sid + " failed: " + fallback, false);
}

std::string SheetsApi::send(const std::string& spreadsheet_id, const std::string& what,
                            const std::string& method, const std::string& url, const std::string& body) {
  net::Request req(method, url);
  if (!body.empty()) {
    req.body = body;
    req.headers.emplace_back("Content-Type", "application/json");
  }
  net::Response r = client_->fetch(req);
  if (!r.ok()) fail(spreadsheet_id, what, r.status, r.body, r.error ? r.error->message() : "no response");
  return std::move(r.body);
}

SpreadsheetInfo SheetsApi::metadata(const std::string& spreadsheet_id) {
  std::string body = send(spreadsheet_id, "reading its metadata", "GET",
                          spreadsheet_url(spreadsheet_id) + "?fields=" +
                              net::url_encode("spreadsheetId,properties.title,sheets.properties"),
                          "");
  json j = json::parse(body, nullptr, false);
  if (!j.is_object())
    throw connection_error("Google Sheets answered the metadata request with no JSON object", true);
  SpreadsheetInfo info;
  info.title = j.value("/properties/title"_json_pointer, std::string());
  if (j.contains("sheets") && j["sheets"].is_array()) {
    for (const json& s : j["sheets"]) {
      const json& p = s.value("properties", json::object());
      SheetProperties sp;
      sp.sheet_id = p.value("sheetId", std::int64_t{0});
      sp.title = p.value("title", std::string());
      sp.index = p.value("index", std::int64_t{0});
      json grid = p.value("gridProperties", json::object());
      sp.rows = grid.value("rowCount", std::int64_t{0});
      sp.columns = grid.value("columnCount", std::int64_t{0});
      info.sheets.push_back(std::move(sp));
    }
  }
  std::stable_sort(info.sheets.begin(), info.sheets.end(),
                   [](const SheetProperties& a, const SheetProperties& b) { return a.index < b.index; });
  return info;
}

std::vector<std::string> SheetsApi::batch_get(const std::string& spreadsheet_id,
                                              const std::vector<std::vector<std::string>>& groups,
                                              const std::string& value_render, std::size_t concurrency) {
  std::vector<net::Request> requests;
  for (const auto& group : groups) {
    std::string url = spreadsheet_url(spreadsheet_id) +
                      "/values:batchGet?majorDimension=ROWS&valueRenderOption=" + value_render +
                      "&dateTimeRenderOption=SERIAL_NUMBER";
    for (const auto& range : group) url += "&ranges=" + net::url_encode(range);
    requests.emplace_back("GET", url);
  }
  std::vector<net::Response> responses = client_->fetch_all(std::move(requests), concurrency);
  std::vector<std::string> bodies;
  bodies.reserve(responses.size());
  for (auto& r : responses) {
    if (!r.ok())
      fail(spreadsheet_id, "reading values", r.status, r.body, r.error ? r.error->message() : "no response");
    bodies.push_back(std::move(r.body));
  }
  return bodies;
}

json SheetsApi::batch_update(const std::string& spreadsheet_id, const json& requests) {
  json body = {{"requests", requests}};
  std::string text = send(spreadsheet_id, "a batchUpdate", "POST",
                          spreadsheet_url(spreadsheet_id) + ":batchUpdate", body.dump());
  return json::parse(text, nullptr, false);
}

void SheetsApi::update_values(const std::string& spreadsheet_id, const std::string& range,
                              const std::string& values_json) {
  send(spreadsheet_id, "writing values", "PUT",
       spreadsheet_url(spreadsheet_id) + "/values/" + net::url_encode(range) + "?valueInputOption=RAW",
       values_json);
}

std::string SheetsApi::append_values(const std::string& spreadsheet_id, const std::string& range,
                                     const std::string& values_json) {
  // A POST is not idempotent: the client retries it only when it surely did not reach Google
  // (or Google refused it unprocessed: 429, 503), so a row block is never appended twice.
  return send(spreadsheet_id, "appending values", "POST",
              spreadsheet_url(spreadsheet_id) + "/values/" + net::url_encode(range) +
                  ":append?valueInputOption=RAW&insertDataOption=INSERT_ROWS",
              values_json);
}

}  // namespace sqlflow::connectors::google_sheets
