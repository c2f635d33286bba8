// csv connector: ParamSpecs (SQLFlow's names first, then ours) and registration.
#include "connectors/csv/destination.hpp"
#include "connectors/csv/source.hpp"
#include "connectors/registry.hpp"

namespace sqlflow::connectors::csv {
namespace {

ConnectorInfo csv_info() {
  ConnectorInfo info;
  info.type = "csv";
  info.description = "CSV files, read and written by DuckDB's own CSV reader and writer.";
  info.source_params = {
      {"path", ParamType::Any, true, nullptr,
       "a file, a glob (data/sales_*.csv) or a list of them; relative to the project"},
      {"has_header", ParamType::Bool, false, true, "the first line holds the column names", {"header"}},
      {"delimiter",
       ParamType::String,
       false,
       ",",
       "field separator (1-4 characters; \"\\t\" for tabs)",
       {"delim", "sep"}},
      {"quote_char", ParamType::String, false, "\"", "quote character (empty: no quoting)", {"quote"}},
      {"encoding", ParamType::String, false, "utf-8", "utf-8 (also ascii), latin-1 (iso-8859-1) or utf-16"},
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
      {"skip_rows", ParamType::Int, false, 0, "lines to skip before the header", {"skip"}},
      {"compression", ParamType::String, false, "auto", "auto (from the file name), none, gzip or zstd"},
      {"on_error", ParamType::String, false, "fail",
       "fail: a bad row stops the load, naming file, line and value; skip: bad rows are left out and kept in "
       "sqlflow_rejects.<source>"},
      {"union_by_name", ParamType::Bool, false, false,
       "files of a glob may have different columns; match them by name"},
      {"filename", ParamType::Bool, false, false, "add a `filename` column with each row's file"},
      {"sample_size", ParamType::Int, false, nullptr,
       "rows sampled to detect column types (-1: the whole file)"},
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
      {"compression", ParamType::String, false, "auto",
       "auto (from the file name: .gz, .zst), none, gzip or zstd"},
      {"date_format", ParamType::String, false, nullptr, "strftime format of DATE values", {"dateformat"}},
      {"timestamp_format",
       ParamType::String,
       false,
       nullptr,
       "strftime format of TIMESTAMP values",
       {"timestampformat"}},
      {"encoding", ParamType::String, false, "utf-8",
       "only utf-8 is written (accepted for compatibility with SQLFlow)"},
      {"partition_by", ParamType::Any, false, nullptr,
       "column(s): write a hive-partitioned folder (col=value/…) instead of one file"},
      {"mode", ParamType::String, false, "overwrite",
       "overwrite (atomic replace) or append (adds rows; partitioned: new files beside the old)"},
  };
  info.make_source = [](const Params& p, const ConnectorContext& ctx) -> std::unique_ptr<Source> {
    return std::make_unique<CsvSource>(CsvSourceOptions::from_params(p), ctx);
  };
  info.make_destination = [](const std::string& uri, const Params& p,
                             const ConnectorContext& ctx) -> std::unique_ptr<Destination> {
    return std::make_unique<CsvDestination>(csv_copy_spec(uri, p, ctx));
  };
  info.notes = {
      "Sources are a view over DuckDB's read_csv: files are read in parallel and only the columns and rows a "
      "query needs are parsed.",
      "`engine` (pandas/pyarrow in SQLFlow) is accepted and ignored: DuckDB's reader is always used.",
      "Globs skip names starting with '.', so half-written exports are never read.",
      "Exports are written to a temporary file beside the target and renamed on success; a failed or killed "
      "export leaves the previous file.",
  };
  return info;
}

}  // namespace
SQLFLOW_REGISTER_CONNECTOR(csv_info);
}  // namespace sqlflow::connectors::csv
