#include "connectors/parquet/destination.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "core/file_paths.hpp"

namespace sqlflow::connectors::parquet {

namespace {
constexpr const char* kWhat = "Parquet export";
}  // namespace

files::CopySpec parquet_copy_spec(const std::string& uri, const Params& p, const ConnectorContext& context) {
  files::CopySpec spec;
  spec.what = kWhat;
  spec.target = files::resolve(uri, context.base_dir);
  spec.append = files::export_append_mode(p, kWhat);
  spec.partition_by = files::export_partition_by(p, kWhat);
  if (p.contains("overwrite_or_ignore") && p["overwrite_or_ignore"].is_boolean())
    spec.overwrite_or_ignore = p["overwrite_or_ignore"].get<bool>();
  if (spec.overwrite_or_ignore && spec.partition_by.empty())
    throw validation_error(std::string(kWhat) + ": overwrite_or_ignore applies to partitioned exports only",
                           "add partition_by, or drop overwrite_or_ignore");

  std::string compression = "zstd";
  if (p.contains("compression") && p["compression"].is_string())
    compression = p["compression"].get<std::string>();
  std::transform(compression.begin(), compression.end(), compression.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (compression == "none") compression = "uncompressed";
  static const std::vector<std::string> known = {"zstd",    "snappy", "gzip",        "lz4",
                                                 "lz4_raw", "brotli", "uncompressed"};
  if (std::find(known.begin(), known.end(), compression) == known.end())
    throw validation_error(std::string(kWhat) + ": unknown compression '" + compression + "'",
                           "use zstd (default), snappy, gzip, lz4, brotli or none");
  files::SqlArgs a(" ");
  a.raw("FORMAT", "parquet").string("COMPRESSION", compression);
  if (p.contains("row_group_size") && p["row_group_size"].is_number_integer()) {
    auto n = p["row_group_size"].get<int64_t>();
    if (n <= 0) throw validation_error(std::string(kWhat) + ": `row_group_size` must be > 0");
    a.integer("ROW_GROUP_SIZE", n);
  }
  if (p.contains("compression_level") && p["compression_level"].is_number_integer())
    a.integer("COMPRESSION_LEVEL", p["compression_level"].get<int64_t>());
  spec.options = a.str();
  spec.append_method = files::AppendMethod::Rewrite;
  spec.read_existing = [](const std::string& path_literal) {
    return "SELECT * FROM read_parquet(" + path_literal + ")";
  };
  return spec;
}

void ParquetDestination::open(const Schema& schema, WriteMode mode, const std::vector<std::string>&) {
  if (mode == WriteMode::Upsert)
    throw validation_error("Parquet export: a file cannot be upserted", "use mode overwrite or append");
  std::vector<std::string> names;
  for (const auto& c : schema) names.push_back(c.name);
  export_.open(names, mode == WriteMode::Append);
}

void ParquetDestination::write(const DataChunk&) {
  throw internal_error("Parquet export: rows are written by copy_statement(), not write()");
}

}  // namespace sqlflow::connectors::parquet
