// parquet connector: ParamSpecs (SQLFlow's names first, then ours) and registration.
#include "connectors/file_export_destination.hpp"
#include "connectors/file_params.hpp"
#include "connectors/parquet/destination.hpp"
#include "connectors/parquet/source.hpp"
#include "connectors/registry.hpp"

namespace sqlflow::connectors::parquet {
namespace {

ConnectorInfo parquet_info() {
  namespace shared = file_params;
  // The ParamSpecs' defaults come from these, so they cannot drift from what the code does.
  const ParquetSourceOptions defaults{};
  const ParquetExportOptions export_defaults{};
  ConnectorInfo info;
  info.type = "parquet";
  info.description = "Parquet files, read and written by DuckDB's own Parquet reader and writer.";
  info.source_params = shared::join({
      {{"path", ParamType::Any, true, nullptr,
        "a file, a glob (data/sales_2024_*.parquet), a folder (read as folder/**/*.parquet) or a list; "
        "relative to the project"},
       {"columns", ParamType::List, false, nullptr, "read only these columns (the others are never decoded)"},
       {"combine_files", ParamType::Bool, false, nullptr,
        "accepted for compatibility with SQLFlow: the files are always read as one table"},
       {"batch_size", ParamType::Int, false, nullptr,
        "accepted for compatibility with SQLFlow; DuckDB reads in its own vectors"},
       {"parallel_reading", ParamType::Bool, false, nullptr,
        "accepted for compatibility with SQLFlow: files and row groups are always read in parallel"},
       {"filters", ParamType::List, false, nullptr,
        "row filters pushed into the reader, e.g. [[\"year\", \">=\", 2024], [\"region\", \"in\", [\"EU\", "
        "\"US\"]]] (a list of such lists: OR)"},
       {"verify_checksums", ParamType::Bool, false, defaults.verify_checksums,
        "check pages that carry a CRC-32 (written by Spark, parquet-mr, pyarrow with page checksums) before "
        "loading; "
        "DuckDB's reader checks none"},
       {"hive_partitioning", ParamType::Bool, false, nullptr,
        "read col=value/ folder names as columns (default: detected)"}},
      shared::multi_file("files with different columns: match them by name, missing ones are NULL"),
      shared::retry_and_timeout(),
  });
  info.destination_params = {
      {"compression", ParamType::String, false, export_defaults.compression,
       "zstd, snappy, gzip, lz4, brotli or none"},
      {"compression_level", ParamType::Int, false, nullptr, "codec level (zstd: 1-22)"},
      {"row_group_size", ParamType::Int, false, nullptr, "rows per row group (DuckDB's default: 122880)"},
      shared::partition_by(),
      {"overwrite_or_ignore", ParamType::Bool, false, export_defaults.overwrite_or_ignore,
       "partitioned: keep the previous files the new output does not replace"},
      shared::mode(
          "overwrite (atomic replace) or append (partitioned: new files beside the old; one file: rewritten "
          "with old and new rows)"),
  };
  set_file_source<ParquetSource, ParquetSourceOptions>(info);
  set_file_export(info, parquet_copy_spec);
  info.notes = {
      "Sources are a view over DuckDB's read_parquet: `columns` and `filters` are pushed into the reader, so "
      "unread columns are never decoded and row groups whose statistics exclude the filter are skipped.",
      shared::kNoteGlobsSkipHidden,
      "HUGEINT is written as DOUBLE by DuckDB's Parquet writer (Parquet has no 128-bit integer); cast to "
      "DECIMAL(38,0) or VARCHAR to keep every digit; negative INTERVALs cannot be written (DuckDB refuses "
      "them with an error).",
      "Exports are written to a temporary file or folder beside the target, flushed to disk and renamed on "
      "success; a failed or killed export, or a crash, leaves the previous output.",
      "Pages that carry a CRC-32 are checked before a load (verify_checksums); a damaged page fails the load "
      "naming file, column and byte. Files without page checksums, DuckDB's own exports among them (its "
      "writer has no option for them), cannot be checked: damage that still decodes loads wrong values "
      "unnoticed.",
  };
  return info;
}

}  // namespace
SQLFLOW_REGISTER_CONNECTOR(parquet_info);
}  // namespace sqlflow::connectors::parquet
