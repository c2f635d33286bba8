#include "connectors/csv/destination.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "core/file_paths.hpp"

namespace sqlflow::connectors::csv {

namespace {
constexpr const char* kWhat = "CSV export";

std::string string_option(const Params& p, const char* key, std::string fallback) {
  if (!p.contains(key) || p[key].is_null()) return fallback;
  if (!p[key].is_string()) throw validation_error(std::string(kWhat) + ": `" + key + "` must be a string");
  return p[key].get<std::string>();
}
}  // namespace

files::CopySpec csv_copy_spec(const std::string& uri, const Params& p, const ConnectorContext& context) {
  files::CopySpec spec;
  spec.what = kWhat;
  spec.target = files::resolve(uri, context.base_dir);
  spec.append = files::export_append_mode(p, kWhat);
  spec.partition_by = files::export_partition_by(p, kWhat);

  const bool header = p.contains("header") && p["header"].is_boolean() ? p["header"].get<bool>() : true;
  std::string delimiter = string_option(p, "delimiter", ",");
  if (delimiter == "\\t") delimiter = "\t";
  if (delimiter.empty() || delimiter.size() > 4)
    throw validation_error(std::string(kWhat) + ": `delimiter` must be 1 to 4 characters");
  const std::string quote = string_option(p, "quote", "\"");
  if (quote.size() > 1) throw validation_error(std::string(kWhat) + ": `quote` must be one character");
  const std::string escape = string_option(p, "escape", quote);
  if (escape.size() > 1) throw validation_error(std::string(kWhat) + ": `escape` must be one character");
  std::string compression = string_option(p, "compression", "auto");
  std::transform(compression.begin(), compression.end(), compression.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (compression == "gz") compression = "gzip";
  if (compression == "zst") compression = "zstd";
  if (compression == "auto") {
    compression = files::compression_of_extension(spec.target.filename().string());
    if (compression.empty()) compression = "none";
  }
  if (compression != "none" && compression != "gzip" && compression != "zstd")
    throw validation_error(std::string(kWhat) + ": unknown compression '" + compression + "'",
                           "use none, gzip or zstd");
  std::string encoding = string_option(p, "encoding", "utf-8");
  std::transform(encoding.begin(), encoding.end(), encoding.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (encoding != "utf-8" && encoding != "utf8")
    throw validation_error(std::string(kWhat) + ": files are written in utf-8 only, not '" + encoding + "'");

  auto options = [&](bool with_header) {
    files::SqlArgs a(" ");
    a.raw("FORMAT", "csv")
        .flag("HEADER", with_header)
        .string("DELIMITER", delimiter)
        .string("QUOTE", quote)
        .string("ESCAPE", escape)
        .string("NULLSTR", string_option(p, "null_value", ""))
        .string("COMPRESSION", compression);
    if (auto f = string_option(p, "date_format", ""); !f.empty()) a.string("DATEFORMAT", f);
    if (auto f = string_option(p, "timestamp_format", ""); !f.empty()) a.string("TIMESTAMPFORMAT", f);
    return a.str();
  };
  spec.options = options(header);
  spec.append_method = files::AppendMethod::Concatenate;
  spec.append_options = options(false);  // the existing file already starts with the header
  return spec;
}

void CsvDestination::open(const Schema& schema, WriteMode mode, const std::vector<std::string>&) {
  if (mode == WriteMode::Upsert)
    throw validation_error("CSV export: a file cannot be upserted", "use mode overwrite or append");
  std::vector<std::string> names;
  for (const auto& c : schema) names.push_back(c.name);
  export_.open(names, mode == WriteMode::Append);
}

void CsvDestination::write(const DataChunk&) {
  throw internal_error("CSV export: rows are written by copy_statement(), not write()");
}

}  // namespace sqlflow::connectors::csv
