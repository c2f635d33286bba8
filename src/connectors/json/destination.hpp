// JSON export: DuckDB's COPY … TO (FORMAT json) as JSON lines or one array, into a temporary file
// beside the target, moved into place on commit (see core/atomic_output.hpp).
#pragma once

#include "connectors/connector.hpp"
#include "core/atomic_output.hpp"

namespace sqlflow::connectors::json {

// An export's OPTIONS: a plain struct whose initialisers are the defaults (`connect describe` shows
// them from here, json/params.cpp), parsed by from() and checked by validate() before any I/O.
// `compression` and `mode` are the file exports' own (file_params.hpp, file_export_destination.hpp).
struct JsonExportOptions {
  std::string format = "newline_delimited";  // as given, lower-cased: array, or JSON lines by any name
  std::string date_format;                   // empty: DuckDB's default
  std::string timestamp_format;

  // Parses OPTIONS (normalized) and validates the result.
  static JsonExportOptions from(const Params& params);
  // Throws a validation Error naming the first bad value.
  void validate() const;
  bool array() const { return format == "array"; }
};

// Builds the COPY description of an export to `uri` (resolved against the project folder); the
// export itself is a FileExportDestination (connectors/file_export_destination.hpp).
files::CopySpec json_copy_spec(const std::string& uri, const Params& options,
                               const ConnectorContext& context);

}  // namespace sqlflow::connectors::json
