// The Google Sheets API v4 calls the connector makes, on the resilient HTTP client with a service
// account's token (scope spreadsheets.readonly to read, spreadsheets to write), and Google's
// errors turned into messages that say what to do (share the sheet with the account, check the id).
// https://developers.google.com/sheets/api/reference/rest
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "net/secret.hpp"

namespace sqlflow::net {
class HttpClient;
class GoogleServiceAccount;
}  // namespace sqlflow::net

namespace sqlflow::connectors::google_sheets {

struct ApiOptions {
  std::string base_url = "https://sheets.googleapis.com";
  net::SecretString key_json;  // the service-account key file's contents
  std::string key_origin;      // where the key came from, for messages ("credentials_file key.json")
  bool write = false;          // the spreadsheets scope instead of spreadsheets.readonly
  double timeout_s = 60;
  std::optional<int> max_retries;
  std::optional<double> requests_per_minute;  // the project's per-user quota, when raised
  nlohmann::json resilience;                  // overrides of the google_sheets profile
  RequestLatencySink on_latency;
};

struct SheetProperties {
  std::int64_t sheet_id = 0;
  std::string title;
  std::int64_t index = 0;
  std::int64_t rows = 0;  // grid size
  std::int64_t columns = 0;
};

struct SpreadsheetInfo {
  std::string title;
  std::vector<SheetProperties> sheets;  // in index order
  // The sheet titled `title`; throws a validation Error with a did-you-mean otherwise.
  const SheetProperties& sheet(const std::string& title) const;
};

class SheetsApi {
 public:
  explicit SheetsApi(ApiOptions options);
  ~SheetsApi();

  const std::string& client_email() const { return client_email_; }
  net::HttpClient& client() { return *client_; }

  // spreadsheets.get with fields=spreadsheetId,properties.title,sheets.properties.
  SpreadsheetInfo metadata(const std::string& spreadsheet_id);
  // values:batchGet for each group of ranges (one request per group, up to `concurrency` at
  // once); returns each response body in group order.
  std::vector<std::string> batch_get(const std::string& spreadsheet_id,
                                     const std::vector<std::vector<std::string>>& groups,
                                     const std::string& value_render, std::size_t concurrency);
  // spreadsheets.batchUpdate; returns the response.
  nlohmann::json batch_update(const std::string& spreadsheet_id, const nlohmann::json& requests);
  // values.update of `range` with RAW values (never interpreted: "=1+1" stays text).
  void update_values(const std::string& spreadsheet_id, const std::string& range,
                     const std::string& values_json);
  // values.append below the table in `range`, RAW, inserting rows; returns the reply.
  std::string append_values(const std::string& spreadsheet_id, const std::string& range,
                            const std::string& values_json);

 private:
  std::string spreadsheet_url(const std::string& spreadsheet_id) const;
  // Throws the response's failure as a message about spreadsheet `spreadsheet_id`.
  [[noreturn]] void fail(const std::string& spreadsheet_id, const std::string& what, int status,
                         const std::string& body, const std::string& fallback) const;
  std::string send(const std::string& spreadsheet_id, const std::string& what, const std::string& method,
                   const std::string& url, const std::string& body);

  ApiOptions o_;
  std::string client_email_;
  std::shared_ptr<net::GoogleServiceAccount> auth_;
  std::shared_ptr<net::HttpClient> client_;
};

struct ConnectionOptions;
// ApiOptions for a SOURCE's or EXPORT's connection options (`write`: the read-write scope).
ApiOptions api_options(const ConnectionOptions& connection, const ConnectorContext& context, bool write);

// The key file's JSON from credentials_file (relative to `base_dir`), credentials_json (a JSON
// object or text), or GOOGLE_APPLICATION_CREDENTIALS, in that order. Errors never show the key.
net::SecretString load_service_account_key(const std::string& credentials_file,
                                           const nlohmann::json& credentials_json,
                                           const std::string& base_dir, std::string* origin);

}  // namespace sqlflow::connectors::google_sheets
