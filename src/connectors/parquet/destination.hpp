// Parquet export: DuckDB's COPY … TO (FORMAT parquet) into a temporary file or folder beside the
// target, moved into place on commit (see core/atomic_output.hpp). partition_by writes a hive
// layout; append adds files beside the old ones (partitioned) or rewrites old + new rows (one file).
#pragma once

#include "connectors/connector.hpp"
#include "core/atomic_output.hpp"

namespace sqlflow::connectors::parquet {

// Builds the COPY description of an export to `uri` (resolved against the project folder); the
// export itself is a FileExportDestination (connectors/file_export_destination.hpp).
files::CopySpec parquet_copy_spec(const std::string& uri, const Params& options,
                                  const ConnectorContext& context);

}  // namespace sqlflow::connectors::parquet
