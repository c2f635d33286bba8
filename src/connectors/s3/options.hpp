// S3 PARAMS and OPTIONS (SQLFlow's names kept, with their aliases in params.cpp) as plain structs
// with defaults; parsing in from_params, checks in validate().
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "net/s3_client.hpp"

namespace sqlflow::connectors::s3 {

struct ConnectionOptions {
  std::string region;
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string endpoint_url;
  bool use_ssl = true;
  int parallel_workers = 8;                    // ranged GETs / upload parts in flight
  std::optional<int> max_retries;              // attempts after the first; default: the s3 profile's
  std::optional<double> timeout;               // seconds per request; default: S3Options' (30 min)
  nlohmann::json resilience = nullptr;         // overrides of the s3 resilience profile
  RequestLatencySink on_request_latency = {};  // the run's histograms (set by source/destination)
  net::S3Options client_options() const;
};

// What an incremental source's cursor_field names: a column of the data (the file source filters
// on it, every object is read), or the object's metadata (only newer objects are downloaded).
enum class MetadataCursor { None, LastModified, KeyDate };

struct SourceOptions {
  ConnectionOptions connection;
  std::string bucket;
  std::string key;                  // one object, or a glob (data/*.csv)
  std::string prefix;               // every object below it
  std::string file_format = "csv";  // csv, tsv, parquet, json, jsonl
  std::string compression = "auto";
  // Cost guards, checked against the listing before anything is downloaded.
  std::optional<double> cost_limit_usd;
  std::optional<std::int64_t> max_files_per_run;
  std::optional<double> max_data_size_gb;
  std::optional<double> dev_sampling;  // share of the objects (0, 1]
  std::optional<std::int64_t> dev_max_files;
  std::map<std::string, std::vector<std::string>> partition_filter;  // hive key → accepted values
  // Format options, passed to the file connector.
  std::string csv_delimiter = ",";
  bool csv_header = true;
  std::vector<std::string> parquet_columns;
  std::string cache_dir = "target/s3-cache";  // relative to the project
  double cache_max_gb = 10;
  // Incremental by object metadata (sync_mode incremental with cursor_field _last_modified or _key_date).
  MetadataCursor metadata_cursor = MetadataCursor::None;
  std::string cursor_field;      // with sync_mode incremental
  std::string key_date_pattern;  // the date in the keys, for _key_date (see cursor.hpp)
  // _last_modified: objects modified less than this long before the listing (by the server's
  // clock; always those of the listing's own second) wait for a later run, so an upload still
  // running when the bucket is listed, whose LastModified is its start, is not passed by the watermark.
  double settle_seconds = 60;

  static SourceOptions from_params(const Params& params);
  void validate() const;
};

struct DestinationOptions {
  ConnectionOptions connection;
  std::string bucket;
  std::string key;
  std::string file_format;   // default: from the key's extension
  Params file_options;       // everything else, for the file destination (compression, header…)
  bool partitioned = false;  // partition_by given: the key is a prefix, every file of the folder is uploaded
  std::string server_side_encryption;        // x-amz-server-side-encryption: AES256, aws:kms or aws:kms:dsse
  std::string sse_kms_key_id;                // x-amz-server-side-encryption-aws-kms-key-id (with aws:kms)
  std::int64_t multipart_threshold_mb = 64;  // files above it go as multipart uploads
  std::int64_t part_size_mb = 8;             // multipart part size (S3: 5 MiB to 5 GiB)

  // The headers that go with PutObject / CreateMultipartUpload.
  net::S3Headers object_headers() const;

  static DestinationOptions from_params(const std::string& uri, const Params& params);
  void validate() const;
};

// "s3://bucket/some/key" → {bucket, key}; throws a validation Error otherwise.
std::pair<std::string, std::string> split_s3_uri(const std::string& uri);

}  // namespace sqlflow::connectors::s3
