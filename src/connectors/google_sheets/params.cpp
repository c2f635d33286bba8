// google_sheets connector: ParamSpecs (SQLFlow's names first, then ours) and registration.
#include "connectors/google_sheets/destination.hpp"
#include "connectors/google_sheets/source.hpp"
#include "connectors/registry.hpp"
#include "resilience/profiles.hpp"

namespace sqlflow::connectors::google_sheets {
namespace {

std::vector<ParamSpec> connection_params(const ConnectionOptions& d) {
  return {
      {"spreadsheet_id", ParamType::String, true, nullptr,
       "the id in the sheet's URL (between /d/ and /edit)"},
      {"credentials_file", ParamType::String, false, nullptr,
       "service-account key (JSON), relative to the project; default: GOOGLE_APPLICATION_CREDENTIALS"},
      {"credentials_json", ParamType::Any, false, nullptr,
       "the key file's JSON inline, e.g. \"${GOOGLE_KEY_JSON}\" (instead of credentials_file)"},
      {"timeout", ParamType::Number, false, d.timeout, "seconds per request"},
      {"max_retries", ParamType::Int, false, nullptr,
       "retries after the first attempt (default: the profile's 4)"},
      {"requests_per_minute", ParamType::Number, false, nullptr,
       "requests per minute for this service account (default 55, under Google's 60 per user; raise it when "
       "the project's quota was raised)"},
      {"resilience", ParamType::Object, false, nullptr, resilience::describe_param_doc("google_sheets")},
      {"api_url", ParamType::String, false, d.api_url, "the Sheets API's root URL (tests, proxies)"},
  };
}

ConnectorInfo google_sheets_info() {
  const SourceOptions src;
  const DestinationOptions dst;
  ConnectorInfo info;
  info.type = "google_sheets";
  info.aliases = {"gsheets", "googlesheets", "sheets"};
  info.schema_discovery = SchemaDiscovery::Remote;
  info.description =
      "Google Sheets through the Sheets API v4 with a service account: row blocks batched and fetched in "
      "parallel within the quota; exports swap in a finished sheet.";
  info.source_params = connection_params(src.connection);
  std::vector<ParamSpec> more = {
      {"sheet_name", ParamType::String, false, nullptr, "the sheet (tab) to read; default: the first one"},
      {"range", ParamType::String, false, nullptr, "A1 notation: 'My Sheet'!A1:F, Sheet1!B2:D500, A:C"},
      {"has_header", ParamType::Bool, false, src.has_header, "the first row holds the column names"},
      {"header_row", ParamType::Int, false, nullptr,
       "sheet row number of the header (default: the range's first)"},
      {"batch_size", ParamType::Int, false, nullptr, "rows per block (default: blocks of about 2 MB)"},
      {"ranges_per_request", ParamType::Int, false, src.ranges_per_request,
       "row blocks read by one batchGet"},
      {"parallel_requests", ParamType::Int, false, src.parallel_requests,
       "batchGet requests in flight at once"},
      {"enable_batching", ParamType::Bool, false, nullptr,
       "accepted for compatibility; reads are always batched"},
      {"enable_parallel_batches", ParamType::Bool, false, nullptr,
       "accepted for compatibility; see parallel_requests"},
      {"value_render", ParamType::String, false, src.value_render,
       "unformatted (numbers stay numbers, dates are serial numbers), formatted (text as shown) or formula"},
      {"columns", ParamType::Object, false, nullptr,
       "name → type (VARCHAR, BIGINT, INTEGER, DOUBLE, BOOLEAN, DATE, TIMESTAMP), overriding inference; DATE "
       "and TIMESTAMP read Sheets serial numbers and ISO text"},
  };
  info.source_params.insert(info.source_params.end(), more.begin(), more.end());
  info.destination_params = connection_params(dst.connection);
  std::vector<ParamSpec> dest = {
      {"sheet_name", ParamType::String, false, nullptr,
       "the sheet (tab) to write; default: the EXPORT target"},
      {"mode", ParamType::String, false, dst.mode,
       "replace (swap in a new sheet) or append (rows below the table)"},
      {"include_header", ParamType::Bool, false, dst.include_header,
       "write the column names as the first row (append: only into an empty sheet)"},
      {"batch_size", ParamType::Int, false, nullptr,
       "rows per write request (default: requests of about 2 MB)"},
  };
  info.destination_params.insert(info.destination_params.end(), dest.begin(), dest.end());
  info.make_source = [](const Params& p, const ConnectorContext& ctx) -> std::unique_ptr<Source> {
    return std::make_unique<SheetsSource>(SourceOptions::from_params(p), ctx);
  };
  info.check_source = [](const Params& p) { (void)SourceOptions::from_params(p); };
  info.make_destination = [](const std::string& uri, const Params& p,
                             const ConnectorContext& ctx) -> std::unique_ptr<Destination> {
    return std::make_unique<SheetsDestination>(DestinationOptions::from_params(uri, p), ctx);
  };
  info.check_destination = [](const std::string& uri, const Params& p, const ConnectorContext&) {
    (void)DestinationOptions::from_params(uri, p);
  };
  info.notes = {
      "Reading: the sheet's grid size comes from one metadata call; rows are then read in blocks of about 2 "
      "MB, "
      "ranges_per_request blocks per values:batchGet and parallel_requests requests at once, within the "
      "google_sheets rate limit (55 requests/min by default). A 429 is retried with backoff up to 64 s; a "
      "run "
      "whose retries run out fails and loads nothing.",
      "Rows the API returns short (trailing empty cells) are padded; empty header cells become column_<n> "
      "and "
      "repeated names name_2, with a warning. Column types are decided over every row: BOOLEAN, BIGINT, "
      "DOUBLE, else VARCHAR; declare DATE/TIMESTAMP columns in \"columns\" to convert serial numbers.",
      "Writing: values are sent RAW, so text such as =IMPORTXML(…) stays text. replace writes a staging "
      "sheet "
      "and swaps it in with one atomic batchUpdate; append adds rows below the table and removes them again "
      "if "
      "the export fails part-way. The service account needs Editor access to write.",
      "Share the spreadsheet with the service account's client_email; `sqlflow connect test` reports the "
      "spreadsheet's title and sheets.",
  };
  return info;
}

}  // namespace
SQLFLOW_REGISTER_CONNECTOR(google_sheets_info);
}  // namespace sqlflow::connectors::google_sheets
