#include "connectors/json/destination.hpp"

#include "connectors/file_export_destination.hpp"
#include "connectors/file_params.hpp"
#include "core/error.hpp"
#include "core/file_paths.hpp"

namespace sqlflow::connectors::json {

namespace {
// Empty: the framework puts "json destination '<name>'" before this connector's errors (connector_error.hpp).
constexpr const char* kExportWhat = "";
}  // namespace

JsonExportOptions JsonExportOptions::from(const Params& p) {
  using file_params::string_or;
  JsonExportOptions o;
  o.format = file_params::ascii_lower(string_or(p, "format", o.format, kExportWhat));
  o.date_format = string_or(p, "date_format", o.date_format, kExportWhat);
  o.timestamp_format = string_or(p, "timestamp_format", o.timestamp_format, kExportWhat);
  o.validate();
  return o;
}

void JsonExportOptions::validate() const {
  if (format != "array" && format != "newline_delimited" && format != "lines" && format != "jsonl" &&
      format != "ndjson")
    throw validation_error("unknown format '" + format + "'", "use newline_delimited (JSON lines) or array");
}

files::CopySpec json_copy_spec(const std::string& uri, const Params& p, const ConnectorContext& context) {
  files::CopySpec spec = file_export_spec(kExportWhat, uri, p, context);
  const JsonExportOptions o = JsonExportOptions::from(p);
  const bool array = o.array();
  const std::string compression = file_params::export_compression_value(p, spec.target, kExportWhat);

  files::SqlArgs a(" ");
  a.raw("FORMAT", "json").flag("ARRAY", array).string("COMPRESSION", compression);
  if (!o.date_format.empty()) a.string("DATEFORMAT", o.date_format);
  if (!o.timestamp_format.empty()) a.string("TIMESTAMPFORMAT", o.timestamp_format);
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
