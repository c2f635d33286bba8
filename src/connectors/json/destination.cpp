#include "connectors/json/destination.hpp"

#include "connectors/file_export_destination.hpp"
#include "connectors/file_params.hpp"
#include "core/error.hpp"
#include "core/file_paths.hpp"

namespace sqlflow::connectors::json {

namespace {
constexpr const char* kExportWhat = "JSON export";
}  // namespace

files::CopySpec json_copy_spec(const std::string& uri, const Params& p, const ConnectorContext& context) {
  using file_params::string_or;
  files::CopySpec spec = file_export_spec(kExportWhat, uri, p, context);

  std::string format = file_params::ascii_lower(string_or(p, "format", "newline_delimited", kExportWhat));
  bool array = false;
  if (format == "array")
    array = true;
  else if (format != "newline_delimited" && format != "lines" && format != "jsonl" && format != "ndjson")
    throw validation_error(std::string(kExportWhat) + ": unknown format '" + format + "'",
                           "use newline_delimited (JSON lines) or array");
  const std::string compression = file_params::export_compression_value(p, spec.target, kExportWhat);

  files::SqlArgs a(" ");
  a.raw("FORMAT", "json").flag("ARRAY", array).string("COMPRESSION", compression);
  if (auto f = string_or(p, "date_format", "", kExportWhat); !f.empty()) a.string("DATEFORMAT", f);
  if (auto f = string_or(p, "timestamp_format", "", kExportWhat); !f.empty()) a.string("TIMESTAMPFORMAT", f);
  spec.options = a.str();
  if (array) {
    // One array cannot be extended by concatenation: rewrite old and new records.
    spec.append_method = files::AppendMethod::Rewrite;
    spec.read_existing = [compression](const std::string& path_literal) {
      return "SELECT * FROM read_json(" + path_literal + ", format='array', compression='" +
             (compression == "none" ? std::string("uncompressed") : compression) + "')";
    };
  } else {
    spec.append_method = files::AppendMethod::Concatenate;
    spec.append_options = spec.options;
  }
  return spec;
}

}  // namespace sqlflow::connectors::json
