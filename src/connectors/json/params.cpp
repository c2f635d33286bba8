// json connector: ParamSpecs and registration.
#include "connectors/file_export_destination.hpp"
#include "connectors/file_params.hpp"
#include "connectors/json/destination.hpp"
#include "connectors/json/source.hpp"
#include "connectors/registry.hpp"

namespace sqlflow::connectors::json {
namespace {

ConnectorInfo json_info() {
  namespace shared = file_params;
  // The ParamSpecs' defaults come from these, so they cannot drift from what the code does.
  const JsonSourceOptions defaults{};
  const JsonExportOptions export_defaults{};
  ConnectorInfo info;
  info.type = "json";
  info.description =
      "JSON files (JSON lines or arrays), read and written by DuckDB's own JSON reader and writer.";
  info.source_params = shared::join({
      {{"path", ParamType::Any, true, nullptr,
        "a file, a glob (events/*.jsonl) or a list of them; relative to the project"},
       {"format", ParamType::String, false, defaults.format, "auto, newline_delimited (JSON lines) or array"},
       {"columns", ParamType::Any, false, nullptr,
        "a list: read only these columns; an object: name → DuckDB type (only these are read, with these "
        "types)"},
       {"json_path",
        ParamType::String,
        false,
        nullptr,
        "path to an array of records inside each document, e.g. data.items or $.data.items[*]",
        {"records_path"}},
       {"flatten", ParamType::Bool, false, defaults.flatten,
        "nested objects become a_b columns instead of STRUCT columns"}},
      shared::multi_file("files of a glob may have different keys; match them by name"),
      {shared::source_compression(),
       {"date_format", ParamType::String, false, nullptr, "strptime format of DATE values"},
       {"timestamp_format", ParamType::String, false, nullptr, "strptime format of TIMESTAMP values"},
       {"max_depth",
        ParamType::Int,
        false,
        defaults.max_depth,
        "levels of nesting read as typed STRUCT/LIST columns (1-128); deeper values stay JSON text",
        {"maximum_depth"}},
       {"maximum_object_size", ParamType::Int, false, nullptr,
        "largest JSON document in bytes (default 16 MB; with json_path: the largest file)"}},
      {shared::batch_size()},
      shared::retry_and_timeout(),
  });
  info.destination_params = {
      {"format", ParamType::String, false, export_defaults.format, "newline_delimited (JSON lines) or array"},
      shared::export_compression(),
      {"date_format", ParamType::String, false, nullptr, "strftime format of DATE values"},
      {"timestamp_format", ParamType::String, false, nullptr, "strftime format of TIMESTAMP values"},
      shared::mode(
          "overwrite (atomic replace) or append (JSON lines: new lines added; array: rewritten with old and "
          "new records)"),
  };
  set_file_source<JsonSource, JsonSourceOptions>(info);
  set_file_export(info, json_copy_spec);
  info.notes = {
      "Sources are a view over DuckDB's read_json: files are read in parallel and only the keys a query "
      "needs are kept.",
      shared::kNoteGlobsSkipHidden,
      "DuckDB's JSON reader parses numbers as DOUBLE: DECIMALs with more than 15 significant digits lose "
      "digits on the way in; export them as strings (CAST(x AS VARCHAR)) to keep every digit.",
      shared::kNoteAtomicFileExport,
  };
  return info;
}

}  // namespace
SQLFLOW_REGISTER_CONNECTOR(json_info);
}  // namespace sqlflow::connectors::json
