// json connector: ParamSpecs and registration.
#include "connectors/json/destination.hpp"
#include "connectors/json/source.hpp"
#include "connectors/registry.hpp"

namespace sqlflow::connectors::json {
namespace {

ConnectorInfo json_info() {
  ConnectorInfo info;
  info.type = "json";
  info.description =
      "JSON files (JSON lines or arrays), read and written by DuckDB's own JSON reader and writer.";
  info.source_params = {
      {"path", ParamType::Any, true, nullptr,
       "a file, a glob (events/*.jsonl) or a list of them; relative to the project"},
      {"format", ParamType::String, false, "auto", "auto, newline_delimited (JSON lines) or array"},
      {"columns", ParamType::Any, false, nullptr,
       "a list: read only these columns; an object: name → DuckDB type (only these are read, with these "
       "types)"},
      {"json_path",
       ParamType::String,
       false,
       nullptr,
       "path to an array of records inside each document, e.g. data.items or $.data.items[*]",
       {"records_path"}},
      {"flatten", ParamType::Bool, false, false,
       "nested objects become a_b columns instead of STRUCT columns"},
      {"union_by_name", ParamType::Bool, false, false,
       "files of a glob may have different keys; match them by name"},
      {"filename", ParamType::Bool, false, false, "add a `filename` column with each row's file"},
      {"compression", ParamType::String, false, "auto", "auto (from the file name), none, gzip or zstd"},
      {"date_format", ParamType::String, false, nullptr, "strptime format of DATE values"},
      {"timestamp_format", ParamType::String, false, nullptr, "strptime format of TIMESTAMP values"},
      {"maximum_object_size", ParamType::Int, false, nullptr,
       "largest JSON document in bytes (default 16 MB; with json_path: the largest file)"},
      {"sync_mode", ParamType::String, false, nullptr,
       "full_refresh (default) or incremental; handled by the pipeline"},
      {"cursor_field", ParamType::String, false, nullptr,
       "incremental: column whose maximum is the watermark; handled by the pipeline"},
      {"primary_key", ParamType::Any, false, nullptr, "key column(s); handled by the pipeline"},
      {"batch_size", ParamType::Int, false, nullptr,
       "accepted for compatibility; DuckDB reads in its own vectors"},
      {"max_retries", ParamType::Int, false, nullptr,
       "accepted for compatibility; local files are not retried"},
      {"timeout_seconds", ParamType::Number, false, nullptr,
       "accepted for compatibility; local reads have no timeout"},
  };
  info.destination_params = {
      {"format", ParamType::String, false, "newline_delimited", "newline_delimited (JSON lines) or array"},
      {"compression", ParamType::String, false, "auto",
       "auto (from the file name: .gz, .zst), none, gzip or zstd"},
      {"date_format", ParamType::String, false, nullptr, "strftime format of DATE values"},
      {"timestamp_format", ParamType::String, false, nullptr, "strftime format of TIMESTAMP values"},
      {"mode", ParamType::String, false, "overwrite",
       "overwrite (atomic replace) or append (JSON lines: new lines added; array: rewritten with old and new "
       "records)"},
  };
  info.make_source = [](const Params& p, const ConnectorContext& ctx) -> std::unique_ptr<Source> {
    return std::make_unique<JsonSource>(JsonSourceOptions::from_params(p), ctx);
  };
  info.make_destination = [](const std::string& uri, const Params& p,
                             const ConnectorContext& ctx) -> std::unique_ptr<Destination> {
    return std::make_unique<JsonDestination>(json_copy_spec(uri, p, ctx));
  };
  info.notes = {
      "Sources are a view over DuckDB's read_json: files are read in parallel and only the keys a query "
      "needs are kept.",
      "Globs skip names starting with '.', so half-written exports are never read.",
      "DuckDB's JSON reader parses numbers as DOUBLE: DECIMALs with more than 15 significant digits lose "
      "digits on the way in; export them as strings (CAST(x AS VARCHAR)) to keep every digit.",
      "Exports are written to a temporary file beside the target and renamed on success; a failed or killed "
      "export leaves the previous file.",
  };
  return info;
}

}  // namespace
SQLFLOW_REGISTER_CONNECTOR(json_info);
}  // namespace sqlflow::connectors::json
