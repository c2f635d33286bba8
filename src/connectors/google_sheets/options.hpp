// Google Sheets PARAMS and OPTIONS as plain structs: defaults here (the ParamSpecs take theirs
// from these, so `connect describe` cannot drift), parsing in from_params, checks in validate().
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/connector.hpp"

namespace sqlflow::connectors::google_sheets {

// What reading and writing share: where the API is, who we are, how hard to retry.
struct ConnectionOptions {
  std::string spreadsheet_id;
  std::string credentials_file;
  nlohmann::json credentials_json;  // null when not given
  std::string api_url = "https://sheets.googleapis.com";
  double timeout = 60;  // seconds per request
  std::optional<int> max_retries;
  std::optional<double> requests_per_minute;  // the per-user quota, when the project's was raised
  nlohmann::json resilience;
};

struct SourceOptions {
  ConnectionOptions connection;
  std::string sheet_name;  // empty: the range's sheet, else the first sheet
  std::string range;       // A1 notation
  bool has_header = true;
  std::int64_t header_row = 0;  // sheet row of the header; 0: the range's first row
  std::int64_t batch_size = 0;  // rows per block; 0: blocks of about 2 MB
  int ranges_per_request = 8;   // row blocks fetched by one values:batchGet
  int parallel_requests = 4;
  std::string value_render = "unformatted";                  // unformatted | formatted | formula
  std::vector<std::pair<std::string, std::string>> columns;  // name → type

  static SourceOptions from_params(const Params& params);
  void validate() const;
};

struct DestinationOptions {
  ConnectionOptions connection;
  std::string sheet_name;  // default: the EXPORT target
  std::string mode = "replace";
  bool include_header = true;
  std::int64_t batch_size = 0;  // rows per write request; 0: requests of about 2 MB

  static DestinationOptions from_params(const std::string& uri, const Params& params);
  void validate() const;
};

// The value_render name as the API spells it (UNFORMATTED_VALUE…).
std::string api_value_render(const std::string& value_render);

}  // namespace sqlflow::connectors::google_sheets
