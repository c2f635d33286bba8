// Parquet export: DuckDB's COPY … TO (FORMAT parquet) into a temporary file or folder beside the
// target, moved into place on commit (see core/atomic_output.hpp). partition_by writes a hive
// layout; append adds files beside the old ones (partitioned) or rewrites old + new rows (one file).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "connectors/connector.hpp"
#include "core/atomic_output.hpp"

namespace sqlflow::connectors::parquet {

// An export's OPTIONS: a plain struct whose initialisers are the defaults (`connect describe` shows
// them from here, parquet/params.cpp), parsed by from() and checked by validate() before any I/O.
// `partition_by` and `mode` are the file exports' own (file_export_destination.hpp).
struct ParquetExportOptions {
  std::string compression = "zstd";  // lower-cased; "none" becomes DuckDB's "uncompressed"
  std::optional<int64_t> compression_level;
  std::optional<int64_t> row_group_size;  // DuckDB's default when unset
  bool overwrite_or_ignore = false;       // partitioned: keep the previous files not replaced
  bool partitioned = false;               // the export has a partition_by

  // Parses OPTIONS (normalized) and validates the result.
  static ParquetExportOptions from(const Params& params, bool partitioned);
  // Throws a validation Error naming the first bad value.
  void validate() const;
};

// Builds the COPY description of an export to `uri` (resolved against the project folder); the
// export itself is a FileExportDestination (connectors/file_export_destination.hpp).
files::CopySpec parquet_copy_spec(const std::string& uri, const Params& options,
                                  const ConnectorContext& context);

}  // namespace sqlflow::connectors::parquet
