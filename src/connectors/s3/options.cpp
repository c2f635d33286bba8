#include "connectors/s3/options.hpp"

#include <algorithm>
#include <cctype>

#include "connectors/http_io.hpp"
#include "connectors/s3/cursor.hpp"
#include "core/error.hpp"
#include "resilience/profiles.hpp"

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
  if (p.contains("max_retries") && p["max_retries"].is_number_integer())
    c.max_retries = p["max_retries"].get<int>();
  if (p.contains("timeout") && p["timeout"].is_number()) c.timeout = p["timeout"].get<double>();
  if (p.contains("resilience") && !p["resilience"].is_null()) c.resilience = p["resilience"];
  return c;
}

// The s3 profile with max_retries and the resilience object applied (the latter refines the former).
resilience::ResilienceOptions resilience_of(const ConnectionOptions& c) {
  nlohmann::json overrides = nlohmann::json::object();
  if (c.max_retries) {
    overrides["retry"]["max_attempts"] = *c.max_retries + 1;
    // The breaker counts failed attempts: below the attempts of one call it would cut the retries
    // short (3 SlowDowns in a row open it and fail fast for 30 s).
    const int threshold = resilience::default_profile("s3").circuit_breaker.failure_threshold;
    if (*c.max_retries + 1 > threshold)
      overrides["circuit_breaker"]["failure_threshold"] = *c.max_retries + 1;
  }
  if (c.resilience.is_object()) overrides.merge_patch(c.resilience);
  return resilience::apply_overrides(resilience::default_profile("s3"), overrides, "PARAMS resilience");
}

void validate_connection(const ConnectionOptions& c) {
  if (c.parallel_workers < 1 || c.parallel_workers > 64)
    throw validation_error("parallel_workers must be 1 to 64");
  if (c.max_retries && *c.max_retries < 0) throw validation_error("max_retries must be 0 or more");
  if (c.timeout && !(*c.timeout > 0)) throw validation_error("timeout must be a positive number of seconds");
  if (!c.resilience.is_null() && !c.resilience.is_object())
    throw validation_error("resilience must be an object",
                           "e.g. {\"retry\": {\"max_attempts\": 5, \"initial_delay\": \"500ms\"}}");
  (void)resilience_of(c);  // names a bad key or value now, before any I/O
  if (c.access_key_id.empty() != c.secret_access_key.empty())
    throw validation_error("give both access_key_id and secret_access_key, or neither",
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
  o.resilience = resilience_of(*this);
  if (timeout)
    o.http.timeout = std::chrono::duration_cast<net::Duration>(std::chrono::duration<double>(*timeout));
  o.http.observer = latency_observer("s3", on_request_latency);
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
      throw validation_error("uri '" + uri + "' names bucket '" + b + "' but bucket is '" + o.bucket + "'");
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
  if (str(p, "sync_mode") == "incremental") o.cursor_field = str(p, "cursor_field");
  if (o.cursor_field == kLastModifiedColumn) o.metadata_cursor = MetadataCursor::LastModified;
  if (o.cursor_field == kKeyDateColumn) o.metadata_cursor = MetadataCursor::KeyDate;
  o.key_date_pattern = str(p, "key_date_pattern");
  if (p.contains("settle_seconds") && p["settle_seconds"].is_number())
    o.settle_seconds = p["settle_seconds"].get<double>();
  o.validate();
  return o;
}

void SourceOptions::validate() const {
  validate_connection(connection);
  if (bucket.empty()) throw validation_error("a bucket is required (or a uri s3://bucket/key)");
  if (key.empty() && prefix.empty())
    throw validation_error("a key, a path_prefix or a uri is required",
                           "e.g. \"key\": \"data/orders.csv\", \"path_prefix\": \"data/\" or \"uri\": "
                           "\"s3://bucket/data/*.parquet\"");
  if (std::find(kFormats.begin(), kFormats.end(), file_format) == kFormats.end())
    throw validation_error("file_format '" + file_format + "' is not one of csv, tsv, parquet, json, jsonl");
  if (cost_limit_usd && *cost_limit_usd < 0) throw validation_error("cost_limit_usd must be 0 or more");
  if (max_files_per_run && *max_files_per_run < 1)
    throw validation_error("max_files_per_run must be 1 or more");
  if (max_data_size_gb && *max_data_size_gb <= 0) throw validation_error("max_data_size_gb must be positive");
  if (dev_sampling && (*dev_sampling <= 0 || *dev_sampling > 1))
    throw validation_error("dev_sampling must be a share between 0 (exclusive) and 1");
  if (dev_max_files && *dev_max_files < 1) throw validation_error("dev_max_files must be 1 or more");
  if (!(cache_max_gb > 0)) throw validation_error("cache_max_gb must be positive");
  if (!(settle_seconds >= 0) || settle_seconds > 7 * 86400)
    throw validation_error("settle_seconds must be 0 to 604800 (a week)");
  if (metadata_cursor == MetadataCursor::KeyDate && key_date_pattern.empty())
    throw validation_error(
        "cursor_field _key_date needs key_date_pattern",
        "e.g. \"key_date_pattern\": \"dt=%Y-%m-%d\" for keys like events/dt=2024-05-01/part-0.csv");
  if (!key_date_pattern.empty()) {
    if (metadata_cursor != MetadataCursor::KeyDate)
      throw validation_error(
          "key_date_pattern is used only with sync_mode incremental and cursor_field _key_date",
          "add \"sync_mode\": \"incremental\", \"cursor_field\": \"_key_date\", or drop "
          "key_date_pattern");
    (void)KeyDatePattern(key_date_pattern);
  }
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
  o.sse_kms_key_id = str(p, "sse_kms_key_id");
  if (p.contains("multipart_threshold_mb") && p["multipart_threshold_mb"].is_number_integer())
    o.multipart_threshold_mb = p["multipart_threshold_mb"].get<std::int64_t>();
  if (p.contains("part_size_mb") && p["part_size_mb"].is_number_integer())
    o.part_size_mb = p["part_size_mb"].get<std::int64_t>();
  o.file_options = Params::object();
  static const std::vector<std::string> ours = {"region",
                                                "access_key_id",
                                                "secret_access_key",
                                                "session_token",
                                                "endpoint_url",
                                                "use_ssl",
                                                "parallel_workers",
                                                "bucket",
                                                "uri",
                                                "file_format",
                                                "server_side_encryption",
                                                "sse_kms_key_id",
                                                "max_retries",
                                                "timeout",
                                                "resilience",
                                                "multipart_threshold_mb",
                                                "part_size_mb"};
  for (const auto& [k2, v] : p.items())
    if (std::find(ours.begin(), ours.end(), k2) == ours.end() && !v.is_null()) o.file_options[k2] = v;
  o.partitioned = o.file_options.contains("partition_by");
  o.validate();
  return o;
}

net::S3Headers DestinationOptions::object_headers() const {
  net::S3Headers h;
  if (!server_side_encryption.empty()) h.emplace_back("x-amz-server-side-encryption", server_side_encryption);
  if (!sse_kms_key_id.empty()) h.emplace_back("x-amz-server-side-encryption-aws-kms-key-id", sse_kms_key_id);
  return h;
}

void DestinationOptions::validate() const {
  validate_connection(connection);
  if (std::find(kFormats.begin(), kFormats.end(), file_format) == kFormats.end())
    throw validation_error("export format '" + file_format + "' is not one of csv, tsv, parquet, json, jsonl",
                           "name the object with its extension (.csv, .parquet, .json) or set file_format");
  if (partitioned && (file_format == "json" || file_format == "jsonl"))
    throw validation_error("partition_by works for csv, tsv and parquet, not " + file_format,
                           "export Parquet or CSV, or drop partition_by");
  static const std::vector<std::string> sse = {"AES256", "aws:kms", "aws:kms:dsse"};
  if (!server_side_encryption.empty() &&
      std::find(sse.begin(), sse.end(), server_side_encryption) == sse.end())
    throw validation_error(
        "server_side_encryption '" + server_side_encryption + "' is not one of AES256, aws:kms, aws:kms:dsse",
        "AES256 for S3-managed keys (SSE-S3), aws:kms for KMS keys (SSE-KMS)");
  if (!sse_kms_key_id.empty() && server_side_encryption.rfind("aws:kms", 0) != 0)
    throw validation_error("sse_kms_key_id needs server_side_encryption aws:kms or aws:kms:dsse");
  if (multipart_threshold_mb < 5 || multipart_threshold_mb > 5 * 1024)
    throw validation_error("multipart_threshold_mb must be 5 to 5120",
                           "S3 takes up to 5 GiB in one PutObject, and parts of at least 5 MiB");
  if (part_size_mb < 5 || part_size_mb > 5 * 1024)
    throw validation_error("part_size_mb must be 5 to 5120 (S3's part limits: 5 MiB to 5 GiB)");
  if (key.find_first_not_of('/') == std::string::npos)
    throw validation_error("export to s3://" + bucket + "/ names no object key",
                           partitioned
                               ? "give a key prefix for the partition files, e.g. s3://bucket/exports/sales"
                               : "write s3://bucket/path/to/object");
}

}  // namespace sqlflow::connectors::s3
