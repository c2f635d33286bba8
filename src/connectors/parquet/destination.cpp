#include "connectors/parquet/destination.hpp"

#include <algorithm>

#include "connectors/file_export_destination.hpp"
#include "connectors/file_params.hpp"
#include "core/error.hpp"
#include "core/file_paths.hpp"

namespace sqlflow::connectors::parquet {

namespace {
// Empty: the framework puts "parquet destination '<name>'" before this connector's errors
// (connector_error.hpp).
constexpr const char* kExportWhat = "";
}  // namespace

ParquetExportOptions ParquetExportOptions::from(const Params& p, bool partitioned) {
  ParquetExportOptions o;
  o.partitioned = partitioned;
  o.overwrite_or_ignore = file_params::bool_or(p, "overwrite_or_ignore", o.overwrite_or_ignore);
  if (p.contains("compression") && p["compression"].is_string())
    o.compression = p["compression"].get<std::string>();
  o.compression = file_params::ascii_lower(std::move(o.compression));
  if (o.compression == "none") o.compression = "uncompressed";
  if (p.contains("row_group_size") && p["row_group_size"].is_number_integer())
    o.row_group_size = p["row_group_size"].get<int64_t>();
  if (p.contains("compression_level") && p["compression_level"].is_number_integer())
    o.compression_level = p["compression_level"].get<int64_t>();
  o.validate();
  return o;
}

void ParquetExportOptions::validate() const {
  if (overwrite_or_ignore && !partitioned)
    throw validation_error("overwrite_or_ignore applies to partitioned exports only",
                           "add partition_by, or drop overwrite_or_ignore");
  static const std::vector<std::string> known = {"zstd",    "snappy", "gzip",        "lz4",
                                                 "lz4_raw", "brotli", "uncompressed"};
  if (std::find(known.begin(), known.end(), compression) == known.end())
    throw validation_error("unknown compression '" + compression + "'",
                           "use zstd (default), snappy, gzip, lz4, brotli or none");
  if (row_group_size && *row_group_size <= 0) throw validation_error("`row_group_size` must be > 0");
}

files::CopySpec parquet_copy_spec(const std::string& uri, const Params& p, const ConnectorContext& context) {
  files::CopySpec spec = file_export_spec(kExportWhat, uri, p, context);
  spec.partition_by = files::export_partition_by(p, kExportWhat);
  const ParquetExportOptions o = ParquetExportOptions::from(p, !spec.partition_by.empty());
  spec.overwrite_or_ignore = o.overwrite_or_ignore;

  files::SqlArgs a(" ");
  a.raw("FORMAT", "parquet").string("COMPRESSION", o.compression);
  if (o.row_group_size) a.integer("ROW_GROUP_SIZE", *o.row_group_size);
  if (o.compression_level) a.integer("COMPRESSION_LEVEL", *o.compression_level);
  spec.options = a.str();
  spec.append_method = files::AppendMethod::Rewrite;
  spec.read_existing = [](const std::string& path_literal) {
    return "SELECT * FROM read_parquet(" + path_literal + ")";
  };
  return spec;
}

}  // namespace sqlflow::connectors::parquet
