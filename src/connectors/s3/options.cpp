#include "connectors/s3/options.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"

namespace sqlflow::connectors::s3 {

namespace {
std::string str(const Params& p, const char* key, const std::string& fallback = {}) {
  return p.contains(key) && p[key].is_string() ? p[key].get<std::string>() : fallback;
}
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

ConnectionOptions connection_from(const Params& p) {
  ConnectionOptions c;
  c.region = str(p, "region");
  c.access_key_id = str(p, "access_key_id");
  c.secret_access_key = str(p, "secret_access_key");
  c.session_token = str(p, "session_token");
  c.endpoint_url = str(p, "endpoint_url");
  if (p.contains("use_ssl") && p["use_ssl"].is_boolean()) c.use_ssl = p["use_ssl"].get<bool>();
  if (p.contains("parallel_workers") && p["parallel_workers"].is_number_integer())
    c.parallel_workers = p["parallel_workers"].get<int>();
  return c;
}

void validate_connection(const ConnectionOptions& c) {
  if (c.parallel_workers < 1 || c.parallel_workers > 64)
    throw validation_error("S3 parallel_workers must be 1 to 64");
  if (c.access_key_id.empty() != c.secret_access_key.empty())
    throw validation_error("S3 needs both access_key_id and secret_access_key, or neither",
                           "without both, credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or "
                           "~/.aws/credentials");
}

const std::vector<std::string> kFormats = {"csv", "tsv", "parquet", "json", "jsonl"};
}  // namespace

net::S3Options ConnectionOptions::client_options() const {
  net::S3Options o;
  o.region = region;
  o.endpoint_url = endpoint_url;
  o.use_ssl = use_ssl;
  o.access_key_id = access_key_id;
  o.secret_access_key = net::SecretString(secret_access_key);
  o.session_token = net::SecretString(session_token);
  o.concurrency = static_cast<std::size_t>(parallel_workers);
  return o;
}

std::pair<std::string, std::string> split_s3_uri(const std::string& uri) {
  if (uri.rfind("s3://", 0) != 0)
    throw validation_error("'" + uri + "' is not an s3:// URI", "write s3://bucket/path/to/object");
  std::string rest = uri.substr(5);
  auto slash = rest.find('/');
  if (slash == std::string::npos || slash == 0)
    throw validation_error("'" + uri + "' names no object key", "write s3://bucket/path/to/object");
  return {rest.substr(0, slash), rest.substr(slash + 1)};
}

SourceOptions SourceOptions::from_params(const Params& p) {
  SourceOptions o;
  o.connection = connection_from(p);
  o.bucket = str(p, "bucket");
  o.key = str(p, "key");
  o.prefix = str(p, "path_prefix");
  if (std::string uri = str(p, "uri"); !uri.empty()) {
    auto [b, k] = split_s3_uri(uri);
    if (!o.bucket.empty() && o.bucket != b)
      throw validation_error("S3 uri '" + uri + "' names bucket '" + b + "' but bucket is '" + o.bucket +
                             "'");
    o.bucket = b;
    o.key = k;
  }
  o.file_format = lower(str(p, "file_format", o.file_format));
  o.compression = lower(str(p, "compression", o.compression));
  if (p.contains("cost_limit_usd") && p["cost_limit_usd"].is_number())
    o.cost_limit_usd = p["cost_limit_usd"].get<double>();
  if (p.contains("max_files_per_run") && p["max_files_per_run"].is_number_integer())
    o.max_files_per_run = p["max_files_per_run"].get<std::int64_t>();
  if (p.contains("max_data_size_gb") && p["max_data_size_gb"].is_number())
    o.max_data_size_gb = p["max_data_size_gb"].get<double>();
  if (p.contains("dev_sampling") && p["dev_sampling"].is_number())
    o.dev_sampling = p["dev_sampling"].get<double>();
  if (p.contains("dev_max_files") && p["dev_max_files"].is_number_integer())
    o.dev_max_files = p["dev_max_files"].get<std::int64_t>();
  if (p.contains("partition_filter") && p["partition_filter"].is_object())
    for (const auto& [k, v] : p["partition_filter"].items()) {
      auto& values = o.partition_filter[k];
      auto text = [](const nlohmann::json& x) { return x.is_string() ? x.get<std::string>() : x.dump(); };
      if (v.is_array())
        for (const auto& x : v) values.push_back(text(x));
      else
        values.push_back(text(v));
    }
  o.csv_delimiter = str(p, "csv_delimiter", o.file_format == "tsv" ? "\t" : o.csv_delimiter);
  if (p.contains("csv_header") && p["csv_header"].is_boolean()) o.csv_header = p["csv_header"].get<bool>();
  if (p.contains("parquet_columns") && p["parquet_columns"].is_array())
    for (const auto& c : p["parquet_columns"])
      if (c.is_string()) o.parquet_columns.push_back(c.get<std::string>());
  o.cache_dir = str(p, "cache_dir", o.cache_dir);
  if (p.contains("cache_max_gb") && p["cache_max_gb"].is_number())
    o.cache_max_gb = p["cache_max_gb"].get<double>();
  o.validate();
  return o;
}

void SourceOptions::validate() const {
  validate_connection(connection);
  if (bucket.empty()) throw validation_error("S3 needs a bucket (or a uri s3://bucket/key)");
  if (key.empty() && prefix.empty())
    throw validation_error("S3 needs a key, a path_prefix or a uri",
                           "e.g. \"key\": \"data/orders.csv\", \"path_prefix\": \"data/\" or \"uri\": "
                           "\"s3://bucket/data/*.parquet\"");
  if (std::find(kFormats.begin(), kFormats.end(), file_format) == kFormats.end())
    throw validation_error("S3 file_format '" + file_format +
                           "' is not one of csv, tsv, parquet, json, jsonl");
  if (cost_limit_usd && *cost_limit_usd < 0) throw validation_error("S3 cost_limit_usd must be 0 or more");
  if (max_files_per_run && *max_files_per_run < 1)
    throw validation_error("S3 max_files_per_run must be 1 or more");
  if (max_data_size_gb && *max_data_size_gb <= 0)
    throw validation_error("S3 max_data_size_gb must be positive");
  if (dev_sampling && (*dev_sampling <= 0 || *dev_sampling > 1))
    throw validation_error("S3 dev_sampling must be a share between 0 (exclusive) and 1");
  if (dev_max_files && *dev_max_files < 1) throw validation_error("S3 dev_max_files must be 1 or more");
  if (!(cache_max_gb > 0)) throw validation_error("S3 cache_max_gb must be positive");
}

DestinationOptions DestinationOptions::from_params(const std::string& uri, const Params& p) {
  DestinationOptions o;
  o.connection = connection_from(p);
  auto [b, k] = split_s3_uri(str(p, "uri", uri));
  o.bucket = str(p, "bucket", b);
  o.key = k;
  o.file_format = lower(str(p, "file_format"));
  if (o.file_format.empty()) {
    std::string name = lower(o.key);
    for (const char* ext : {".gz", ".gzip", ".zst"})
      if (name.size() > std::string(ext).size() && name.ends_with(ext))
        name.resize(name.size() - std::string(ext).size());
    auto dot = name.rfind('.');
    o.file_format = dot == std::string::npos ? "csv" : name.substr(dot + 1);
    if (o.file_format == "pq") o.file_format = "parquet";
    if (o.file_format == "ndjson") o.file_format = "jsonl";
  }
  o.server_side_encryption = str(p, "server_side_encryption");
  o.file_options = Params::object();
  static const std::vector<std::string> ours = {
      "region",       "access_key_id", "secret_access_key",     "session_token",
      "endpoint_url", "use_ssl",       "parallel_workers",      "bucket",
      "uri",          "file_format",   "server_side_encryption"};
  for (const auto& [k2, v] : p.items())
    if (std::find(ours.begin(), ours.end(), k2) == ours.end() && !v.is_null()) o.file_options[k2] = v;
  o.validate();
  return o;
}

void DestinationOptions::validate() const {
  validate_connection(connection);
  if (std::find(kFormats.begin(), kFormats.end(), file_format) == kFormats.end())
    throw validation_error(
        "S3 export format '" + file_format + "' is not one of csv, tsv, parquet, json, jsonl",
        "name the object with its extension (.csv, .parquet, .json) or set file_format");
}

}  // namespace sqlflow::connectors::s3
