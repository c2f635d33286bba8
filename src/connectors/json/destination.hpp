// JSON export: DuckDB's COPY … TO (FORMAT json) as JSON lines or one array, into a temporary file
// beside the target, moved into place on commit (see core/atomic_output.hpp).
#pragma once

#include "connectors/connector.hpp"
#include "core/atomic_output.hpp"

namespace sqlflow::connectors::json {

// Builds the COPY description of an export to `uri` (resolved against the project folder); the
// export itself is a FileExportDestination (connectors/file_export_destination.hpp).
files::CopySpec json_copy_spec(const std::string& uri, const Params& options,
                               const ConnectorContext& context);

}  // namespace sqlflow::connectors::json
