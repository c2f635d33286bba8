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
  int parallel_workers = 8;  // ranged GETs / upload parts in flight
  net::S3Options client_options() const;
};

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

  static SourceOptions from_params(const Params& params);
  void validate() const;
};

struct DestinationOptions {
  ConnectionOptions connection;
  std::string bucket;
  std::string key;
  std::string file_format;  // default: from the key's extension
  Params file_options;      // everything else, for the file destination (compression, header…)
  std::string server_side_encryption;

  static DestinationOptions from_params(const std::string& uri, const Params& params);
  void validate() const;
};

// "s3://bucket/some/key" → {bucket, key}; throws a validation Error otherwise.
std::pair<std::string, std::string> split_s3_uri(const std::string& uri);

}  // namespace sqlflow::connectors::s3
