#include "connectors/json/destination.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "core/file_paths.hpp"

namespace sqlflow::connectors::json {

namespace {
constexpr const char* kWhat = "JSON export";

std::string string_option(const Params& p, const char* key, std::string fallback) {
  if (!p.contains(key) || p[key].is_null()) return fallback;
  if (!p[key].is_string()) throw validation_error(std::string(kWhat) + ": `" + key + "` must be a string");
  std::string v = p[key].get<std::string>();
  return v;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}
}  // namespace

files::CopySpec json_copy_spec(const std::string& uri, const Params& p, const ConnectorContext& context) {
  files::CopySpec spec;
  spec.what = kWhat;
  spec.target = files::resolve(uri, context.base_dir);
  spec.append = files::export_append_mode(p, kWhat);

  std::string format = lower(string_option(p, "format", "newline_delimited"));
  bool array = false;
  if (format == "array")
    array = true;
  else if (format != "newline_delimited" && format != "lines" && format != "jsonl" && format != "ndjson")
    throw validation_error(std::string(kWhat) + ": unknown format '" + format + "'",
                           "use newline_delimited (JSON lines) or array");
  std::string compression = lower(string_option(p, "compression", "auto"));
  if (compression == "gz") compression = "gzip";
  if (compression == "zst") compression = "zstd";
  if (compression == "auto") {
    compression = files::compression_of_extension(spec.target.filename().string());
    if (compression.empty()) compression = "none";
  }
  if (compression != "none" && compression != "gzip" && compression != "zstd")
    throw validation_error(std::string(kWhat) + ": unknown compression '" + compression + "'",
                           "use none, gzip or zstd");

  files::SqlArgs a(" ");
  a.raw("FORMAT", "json").flag("ARRAY", array).string("COMPRESSION", compression);
  if (auto f = string_option(p, "date_format", ""); !f.empty()) a.string("DATEFORMAT", f);
  if (auto f = string_option(p, "timestamp_format", ""); !f.empty()) a.string("TIMESTAMPFORMAT", f);
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

void JsonDestination::open(const Schema& schema, WriteMode mode, const std::vector<std::string>&) {
  if (mode == WriteMode::Upsert)
    throw validation_error("JSON export: a file cannot be upserted", "use mode overwrite or append");
  std::vector<std::string> names;
  for (const auto& c : schema) names.push_back(c.name);
  export_.open(names, mode == WriteMode::Append);
}

void JsonDestination::write(const DataChunk&) {
  throw internal_error("JSON export: rows are written by copy_statement(), not write()");
}

}  // namespace sqlflow::connectors::json
