#include "connectors/google_sheets/options.hpp"

#include "connectors/google_sheets/columns.hpp"
#include "core/error.hpp"

namespace sqlflow::connectors::google_sheets {

namespace {
std::string str(const Params& p, const char* key, const std::string& fallback = {}) {
  return p.contains(key) && p[key].is_string() ? p[key].get<std::string>() : fallback;
}

ConnectionOptions connection_from(const Params& p) {
  ConnectionOptions c;
  c.spreadsheet_id = str(p, "spreadsheet_id");
  c.credentials_file = str(p, "credentials_file");
  if (p.contains("credentials_json") && !p["credentials_json"].is_null())
    c.credentials_json = p["credentials_json"];
  c.api_url = str(p, "api_url", c.api_url);
  if (p.contains("timeout") && p["timeout"].is_number()) c.timeout = p["timeout"].get<double>();
  if (p.contains("max_retries") && p["max_retries"].is_number_integer())
    c.max_retries = p["max_retries"].get<int>();
  if (p.contains("requests_per_minute") && p["requests_per_minute"].is_number())
    c.requests_per_minute = p["requests_per_minute"].get<double>();
  if (p.contains("resilience")) c.resilience = p["resilience"];
  return c;
}

void validate_connection(const ConnectionOptions& c) {
  if (c.spreadsheet_id.empty())
    throw validation_error("spreadsheet_id is required",
                           "the long id in the sheet's URL, between /d/ and /edit");
  if (c.spreadsheet_id.find('/') != std::string::npos)
    throw validation_error("spreadsheet_id '" + c.spreadsheet_id + "' contains '/': give the id, not the URL",
                           "the id is the part of the URL between /d/ and /edit");
  if (!(c.timeout > 0)) throw validation_error("timeout must be a positive number of seconds");
  if (c.max_retries && *c.max_retries < 0) throw validation_error("max_retries must be 0 or more");
  if (c.requests_per_minute && !(*c.requests_per_minute > 0))
    throw validation_error("requests_per_minute must be positive");
  if (!c.resilience.is_null() && !c.resilience.is_object())
    throw validation_error("resilience must be an object");
  if (!c.credentials_json.is_null() && !c.credentials_json.is_string() && !c.credentials_json.is_object())
    throw validation_error("credentials_json must be the key file's JSON (an object or its text)");
}
}  // namespace

std::string api_value_render(const std::string& value_render) {
  if (value_render == "formatted") return "FORMATTED_VALUE";
  if (value_render == "formula") return "FORMULA";
  return "UNFORMATTED_VALUE";
}

SourceOptions SourceOptions::from_params(const Params& p) {
  SourceOptions o;
  o.connection = connection_from(p);
  o.sheet_name = str(p, "sheet_name");
  o.range = str(p, "range");
  if (p.contains("has_header") && p["has_header"].is_boolean()) o.has_header = p["has_header"].get<bool>();
  if (p.contains("header_row") && p["header_row"].is_number_integer())
    o.header_row = p["header_row"].get<std::int64_t>();
  if (p.contains("batch_size") && p["batch_size"].is_number_integer())
    o.batch_size = p["batch_size"].get<std::int64_t>();
  if (p.contains("ranges_per_request") && p["ranges_per_request"].is_number_integer())
    o.ranges_per_request = p["ranges_per_request"].get<int>();
  if (p.contains("parallel_requests") && p["parallel_requests"].is_number_integer())
    o.parallel_requests = p["parallel_requests"].get<int>();
  o.value_render = str(p, "value_render", o.value_render);
  if (p.contains("columns") && p["columns"].is_object())
    for (const auto& [k, v] : p["columns"].items())
      o.columns.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
  o.validate();
  return o;
}

void SourceOptions::validate() const {
  validate_connection(connection);
  if (header_row < 0) throw validation_error("header_row must be a sheet row number (1 or more)");
  if (batch_size < 0) throw validation_error("batch_size must be a number of rows (1 or more)");
  if (ranges_per_request < 1 || ranges_per_request > 100)
    throw validation_error("ranges_per_request must be between 1 and 100");
  if (parallel_requests < 1 || parallel_requests > 64)
    throw validation_error("parallel_requests must be between 1 and 64");
  if (value_render != "unformatted" && value_render != "formatted" && value_render != "formula")
    throw validation_error("value_render '" + value_render +
                               "' is not one of unformatted, formatted, "
                               "formula",
                           "unformatted (the default) keeps numbers as numbers and dates as serial numbers");
  for (const auto& [name, type] : columns) (void)parse_column_type(name, type);
}

DestinationOptions DestinationOptions::from_params(const std::string& uri, const Params& p) {
  DestinationOptions o;
  o.connection = connection_from(p);
  o.sheet_name = str(p, "sheet_name", uri);
  o.mode = str(p, "mode", o.mode);
  for (auto& ch : o.mode) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (p.contains("include_header") && p["include_header"].is_boolean())
    o.include_header = p["include_header"].get<bool>();
  if (p.contains("batch_size") && p["batch_size"].is_number_integer())
    o.batch_size = p["batch_size"].get<std::int64_t>();
  o.validate();
  return o;
}

void DestinationOptions::validate() const {
  validate_connection(connection);
  if (sheet_name.empty())
    throw validation_error("EXPORT needs a sheet_name (or the sheet's name as the EXPORT target)");
  if (mode != "replace" && mode != "append")
    throw validation_error("mode '" + mode + "' is not replace or append");
  if (batch_size < 0) throw validation_error("batch_size must be a number of rows (1 or more)");
}

}  // namespace sqlflow::connectors::google_sheets
