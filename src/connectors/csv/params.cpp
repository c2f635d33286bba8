// csv connector: ParamSpecs (SQLFlow's names first, then ours) and registration.
#include "connectors/csv/destination.hpp"
#include "connectors/csv/source.hpp"
#include "connectors/file_export_destination.hpp"
#include "connectors/file_params.hpp"
#include "connectors/registry.hpp"

namespace sqlflow::connectors::csv {
namespace {

ConnectorInfo csv_info() {
  namespace shared = file_params;
  const CsvSourceOptions defaults;  // the ParamSpecs' defaults come from here, so they cannot drift
  ConnectorInfo info;
  info.type = "csv";
  info.description = "CSV files, read and written by DuckDB's own CSV reader and writer.";
  info.source_params = shared::join({
      {{"path", ParamType::Any, true, nullptr,
        "a file, a glob (data/sales_*.csv) or a list of them; relative to the project"},
       {"has_header",
        ParamType::Bool,
        false,
        defaults.has_header,
        "the first line holds the column names",
        {"header"}},
       {"delimiter",
        ParamType::String,
        false,
        defaults.delimiter,
        "field separator (1-4 characters; \"\\t\" for tabs)",
        {"delim", "sep"}},
       {"quote_char",
        ParamType::String,
        false,
        defaults.quote,
        "quote character (empty: no quoting)",
        {"quote"}},
       {"encoding", ParamType::String, false, nullptr,
        "utf-8 (also ascii), latin-1 (iso-8859-1) or utf-16; default: utf-8, or utf-16 when the file "
        "starts with its byte order mark"},
       {"engine", ParamType::String, false, nullptr,
        "accepted for compatibility with SQLFlow and ignored: DuckDB's reader is always used"},
       {"escape_char",
        ParamType::String,
        false,
        nullptr,
        "escape character inside quotes (default: the quote character, as RFC 4180)",
        {"escape"}},
       {"columns",
        ParamType::Object,
        false,
        nullptr,
        "column name → DuckDB type overrides, e.g. {\"id\": \"BIGINT\"}; other columns are detected",
        {"types", "dtypes"}},
       {"names", ParamType::List, false, nullptr, "column names for files without a header line"},
       {"null_values",
        ParamType::Any,
        false,
        nullptr,
        "text(s) read as NULL (default: the empty unquoted field); a quoted \"\" stays an empty string",
        {"nullstr", "na_values"}},
       {"date_format",
        ParamType::String,
        false,
        nullptr,
        "strptime format of DATE columns, e.g. %d/%m/%Y",
        {"dateformat"}},
       {"timestamp_format",
        ParamType::String,
        false,
        nullptr,
        "strptime format of TIMESTAMP columns",
        {"timestampformat"}},
       {"skip_rows", ParamType::Int, false, defaults.skip_rows, "lines to skip before the header", {"skip"}},
       shared::source_compression(),
       {"on_error", ParamType::String, false, defaults.on_error,
        "fail: a bad row stops the load, naming file, line and value; skip: bad rows are left out and kept "
        "in sqlflow_rejects.<source>"},
       {"null_padding", ParamType::Bool, false, defaults.null_padding,
        "a row with fewer fields than the header gets NULL for the missing ones (as SQLFlow/pandas), counted "
        "in the summary; false: such a row is an error (or a reject). Too many fields is always one"}},
      shared::multi_file("files of a glob may have different columns; match them by name"),
      {{"sample_size", ParamType::Int, false, nullptr,
        "rows sampled to detect column types (-1: the whole file)"},
       {"max_line_size", ParamType::Int, false, nullptr,
        "longest line in bytes (DuckDB's default: 2,000,000); raise it for files with very large fields"}},
      {shared::batch_size()},
      shared::retry_and_timeout(),
  });
  info.destination_params = {
      {"header", ParamType::Bool, false, true, "write the column names as the first line", {"has_header"}},
      {"delimiter", ParamType::String, false, ",", "field separator", {"delim", "sep"}},
      {"quote", ParamType::String, false, "\"", "quote character", {"quote_char"}},
      {"escape",
       ParamType::String,
       false,
       nullptr,
       "escape character inside quotes (default: the quote character)",
       {"escape_char"}},
      {"null_value",
       ParamType::String,
       false,
       "",
       "text written for NULL (default: an empty field)",
       {"nullstr", "na_rep"}},
      shared::export_compression(),
      {"date_format", ParamType::String, false, nullptr, "strftime format of DATE values", {"dateformat"}},
      {"timestamp_format",
       ParamType::String,
       false,
       nullptr,
       "strftime format of TIMESTAMP values",
       {"timestampformat"}},
      {"encoding", ParamType::String, false, "utf-8",
       "only utf-8 is written (accepted for compatibility with SQLFlow)"},
      shared::partition_by(),
      shared::mode("overwrite (atomic replace) or append (adds rows; partitioned: new files beside the old)"),
  };
  set_file_source<CsvSource, CsvSourceOptions>(info);
  set_file_export(info, csv_copy_spec);
  info.notes = {
      "Sources are a view over DuckDB's read_csv: files are read in parallel and only the columns and rows a "
      "query needs are parsed.",
      "`engine` (pandas/pyarrow in SQLFlow) is accepted and ignored: DuckDB's reader is always used.",
      shared::kNoteGlobsSkipHidden,
      shared::kNoteAtomicFileExport,
  };
  return info;
}

}  // namespace
SQLFLOW_REGISTER_CONNECTOR(csv_info);
}  // namespace sqlflow::connectors::csv
