// s3 connector: ParamSpecs (SQLFlow's names and aliases) and registration.
#include "connectors/registry.hpp"
#include "connectors/s3/destination.hpp"
#include "connectors/s3/source.hpp"
#include "resilience/profiles.hpp"

namespace sqlflow::connectors::s3 {
namespace {

std::vector<ParamSpec> connection_params(const ConnectionOptions& d) {
  return {
      {"region", ParamType::String, false, nullptr,
       "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, us-east-1)"},
      {"access_key_id",
       ParamType::String,
       false,
       nullptr,
       "default: AWS_ACCESS_KEY_ID or ~/.aws/credentials",
       {"access_key", "aws_access_key_id"}},
      {"secret_access_key",
       ParamType::Secret,
       false,
       nullptr,
       "with access_key_id",
       {"secret_key", "aws_secret_access_key"}},
      {"session_token",
       ParamType::Secret,
       false,
       nullptr,
       "temporary credentials' token",
       {"aws_session_token"}},
      {"endpoint_url",
       ParamType::String,
       false,
       nullptr,
       "an S3-compatible server (MinIO, s3rver…), addressed path-style",
       {"endpoint"}},
      {"use_ssl", ParamType::Bool, false, d.use_ssl,
       "https for AWS and for an endpoint_url without a scheme"},
      {"parallel_workers", ParamType::Int, false, d.parallel_workers,
       "downloads or upload parts in flight at once"},
      {"max_retries", ParamType::Int, false, nullptr,
       "attempts after a retryable failure (503 SlowDown, 500, reset connections); default 2"},
      {"timeout", ParamType::Number, false, nullptr,
       "seconds one request may take (default 1800: a large part over a slow link)"},
      {"resilience", ParamType::Object, false, nullptr, resilience::describe_param_doc("s3")},
  };
}

ConnectorInfo s3_info() {
  const SourceOptions src;
  const DestinationOptions dst;
  ConnectorInfo info;
  info.type = "s3";
  info.aliases = {"aws_s3"};
  info.schema_discovery = SchemaDiscovery::Remote;
  info.description =
      "Amazon S3 and S3-compatible servers: objects fetched into a local cache with parallel ranged GETs and "
      "read by DuckDB's readers; exports uploaded with multipart uploads.";
  info.source_params = connection_params(src.connection);
  std::vector<ParamSpec> more = {
      {"bucket", ParamType::String, false, nullptr, "the bucket (or give uri)"},
      {"key", ParamType::String, false, nullptr, "an object key, or a glob such as data/2024-*.csv"},
      {"path_prefix", ParamType::String, false, nullptr, "every object below this prefix", {"prefix"}},
      {"uri", ParamType::String, false, nullptr, "s3://bucket/key, globs allowed"},
      {"file_format",
       ParamType::String,
       false,
       src.file_format,
       "csv, tsv, parquet, json or jsonl",
       {"format"}},
      {"compression", ParamType::String, false, src.compression, "auto (from the name), none, gzip or zstd"},
      {"cost_limit_usd", ParamType::Number, false, nullptr,
       "refuse a load whose download would cost more (S3 standard GET and transfer-out prices)"},
      {"max_files_per_run", ParamType::Int, false, nullptr, "refuse a load selecting more objects"},
      {"max_data_size_gb", ParamType::Number, false, nullptr, "refuse a load selecting more data"},
      {"dev_sampling", ParamType::Number, false, nullptr,
       "read this share of the objects (every k-th), for development"},
      {"dev_max_files", ParamType::Int, false, nullptr, "read at most this many objects, for development"},
      {"partition_keys", ParamType::Any, false, nullptr,
       "accepted for compatibility: hive keys are found in the names"},
      {"partition_filter", ParamType::Object, false, nullptr,
       "hive key → value or list, e.g. {\"year\": 2024, \"month\": [\"01\", \"02\"]}: other objects are not "
       "downloaded"},
      {"csv_delimiter", ParamType::String, false, nullptr, "CSV field separator (default , and tab for tsv)"},
      {"csv_header", ParamType::Bool, false, src.csv_header, "CSV files start with a header line"},
      {"csv_encoding", ParamType::String, false, nullptr, "accepted for compatibility (UTF-8)"},
      {"json_flatten", ParamType::Bool, false, nullptr, "accepted for compatibility"},
      {"json_max_depth", ParamType::Int, false, nullptr, "accepted for compatibility"},
      {"parquet_columns", ParamType::List, false, nullptr, "read only these columns"},
      {"parquet_filters", ParamType::Any, false, nullptr,
       "accepted for compatibility: filters in SQL are pushed down"},
      {"cache_dir", ParamType::String, false, src.cache_dir,
       "where downloaded objects are kept, relative to the project"},
      {"cache_max_gb", ParamType::Number, false, src.cache_max_gb,
       "least recently used objects beyond this are removed"},
      {"sync_mode", ParamType::String, false, "full_refresh",
       "full_refresh, or incremental: only rows after the stored watermark (with cursor_field)"},
      {"cursor_field", ParamType::String, false, nullptr,
       "incremental: a column of the data (every object is read), or _last_modified / _key_date: "
       "only objects newer than the watermark are downloaded (see the notes)"},
      {"key_date_pattern", ParamType::String, false, nullptr,
       "with cursor_field _key_date: the date in the keys, e.g. \"dt=%Y-%m-%d\" or \"%Y/%m/%d/\" "
       "(%Y %m %d %H %M %S)"},
      {"settle_seconds", ParamType::Number, false, src.settle_seconds,
       "with cursor_field _last_modified: objects modified this recently before the listing (server clock) "
       "wait for a later run"},
  };
  info.source_params.insert(info.source_params.end(), more.begin(), more.end());
  info.destination_params = connection_params(src.connection);
  std::vector<ParamSpec> dest = {
      {"bucket", ParamType::String, false, nullptr,
       "default: the bucket of the EXPORT target s3://bucket/key"},
      {"file_format",
       ParamType::String,
       false,
       nullptr,
       "csv, tsv, parquet, json or jsonl (default: the key's extension)",
       {"format"}},
      {"server_side_encryption", ParamType::String, false, nullptr,
       "AES256 (SSE-S3), aws:kms or aws:kms:dsse: sent as x-amz-server-side-encryption"},
      {"sse_kms_key_id", ParamType::String, false, nullptr,
       "with aws:kms: the KMS key (x-amz-server-side-encryption-aws-kms-key-id; default: the account's)"},
      {"multipart_threshold_mb", ParamType::Int, false, dst.multipart_threshold_mb,
       "files larger than this go as multipart uploads (5 to 5120)"},
      {"part_size_mb", ParamType::Int, false, dst.part_size_mb,
       "multipart part size (5 to 5120; raised when a file needs more than 10,000 parts)"},
      {"partition_by", ParamType::Any, false, nullptr,
       "column(s): the key is a prefix and every partition file is uploaded as <key>/col=value/data_0.<ext>"},
      {"compression", ParamType::String, false, nullptr, "as the file connector of the format"},
      {"compression_level", ParamType::Int, false, nullptr, "Parquet: codec level"},
      {"row_group_size", ParamType::Int, false, nullptr, "Parquet: rows per row group"},
      {"header", ParamType::Bool, false, nullptr, "CSV: write a header line"},
      {"delimiter", ParamType::String, false, nullptr, "CSV: field separator"},
  };
  info.destination_params.insert(info.destination_params.end(), dest.begin(), dest.end());
  info.make_source = [](const Params& p, const ConnectorContext& ctx) -> std::unique_ptr<Source> {
    return std::make_unique<S3Source>(SourceOptions::from_params(p), ctx);
  };
  info.check_source = [](const Params& p) { (void)SourceOptions::from_params(p); };
  info.make_destination = [](const std::string& uri, const Params& p,
                             const ConnectorContext& ctx) -> std::unique_ptr<Destination> {
    return std::make_unique<S3Destination>(DestinationOptions::from_params(uri, p), ctx);
  };
  info.check_destination = [](const std::string& uri, const Params& p, const ConnectorContext&) {
    (void)DestinationOptions::from_params(uri, p);
  };
  info.notes = {
      "DuckDB's httpfs is not used: objects are listed (every page), filtered by key glob and "
      "partition_filter, "
      "checked against the cost guards, then downloaded with parallel ranged GETs into cache_dir (keyed by "
      "bucket, key and ETag, so unchanged objects are not fetched again) and read by DuckDB's own readers.",
      "Requests are signed with AWS Signature V4; secrets never appear in messages or logs.",
      "Exports write a local file with the file connector of the format and upload it on commit (multipart "
      "above multipart_threshold_mb, aborted on failure, so no parts are left); the object appears only when "
      "the upload completes. With partition_by the export replaces the partition files below the key (a "
      "prefix): the new files go up under names unique to the run, then the previous export's col=value/ "
      "files are deleted; if an upload fails, the new files are deleted instead and the prefix stays as it "
      "was. server_side_encryption is sent with every upload.",
      "Incremental by object: \"sync_mode\": \"incremental\", \"cursor_field\": \"_last_modified\" adds a "
      "TIMESTAMP column _last_modified (the object's LastModified, UTC) to the rows; only objects modified "
      "after the watermark are downloaded, and the watermark advances when the LOAD commits. S3 dates an "
      "upload by its start, so objects modified less than settle_seconds (default 60) before the listing "
      "wait "
      "for the next run: raise it above your longest upload. \"cursor_field\": \"_key_date\" with "
      "key_date_pattern reads a date from each key instead (column _key_date): objects added later under an "
      "already loaded date are not read. A cursor_field naming a data column reads every object and keeps "
      "the rows after the watermark, as the file sources do.",
  };
  return info;
}

}  // namespace
SQLFLOW_REGISTER_CONNECTOR(s3_info);
}  // namespace sqlflow::connectors::s3
