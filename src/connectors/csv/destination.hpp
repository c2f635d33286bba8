// CSV export: DuckDB's COPY … TO (FORMAT csv) into a temporary file beside the target, moved into
// place on commit (see core/atomic_output.hpp); append concatenates a header-less part.
#pragma once

#include "connectors/connector.hpp"
#include "core/atomic_output.hpp"

namespace sqlflow::connectors::csv {

// Builds the COPY description of an export to `uri` (resolved against the project folder); the
// export itself is a FileExportDestination (connectors/file_export_destination.hpp).
files::CopySpec csv_copy_spec(const std::string& uri, const Params& options, const ConnectorContext& context);

}  // namespace sqlflow::connectors::csv
