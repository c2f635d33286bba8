#include "connectors/s3/source.hpp"

#include <spdlog/spdlog.h>

#include "connectors/http_io.hpp"
#include "connectors/registry.hpp"
#include "connectors/s3/cache.hpp"
#include "connectors/s3/selection.hpp"
#include "net/s3_client.hpp"

namespace sqlflow::connectors::s3 {

S3Source::S3Source(SourceOptions options, ConnectorContext context)
    : o_(std::move(options)), ctx_(std::move(context)) {}

S3Source::~S3Source() = default;

net::S3Client& S3Source::client() {
  if (!client_) client_ = std::make_unique<net::S3Client>(o_.connection.client_options());
  return *client_;
}

void S3Source::set_cursor(const std::string& field, const std::optional<std::string>& lower_bound) {
  std::lock_guard lock(mutex_);
  if (inner_)
    inner_->set_cursor(field, lower_bound);
  else
    cursor_ = std::make_pair(field, lower_bound);
}

Source& S3Source::inner() {
  std::lock_guard lock(mutex_);
  if (inner_) return *inner_;
  net::S3ListOptions lo;
  lo.prefix = list_prefix(o_);
  std::vector<net::S3Object> objects = select_objects(o_, client().list_objects(o_.bucket, lo).objects);

  std::filesystem::path dir(o_.cache_dir);
  if (dir.is_relative()) dir = ctx_.base_dir / dir;
  ObjectCache cache(dir, static_cast<std::uint64_t>(o_.cache_max_gb * 1e9));
  std::vector<std::filesystem::path> paths;
  downloaded_ = cache.fetch(client(), o_.bucket, objects,
                            static_cast<std::size_t>(o_.connection.parallel_workers), paths);
  spdlog::info("s3: {} objects selected under s3://{}/{}, {} downloaded, {} from the cache", objects.size(),
               o_.bucket, list_prefix(o_), downloaded_, objects.size() - downloaded_);
  cache.trim(std::set<std::filesystem::path>(paths.begin(), paths.end()));

  // The file connector of the format reads the local copies.
  Params p = Params::object();
  Params files = Params::array();
  for (const auto& f : paths) files.push_back(f.string());
  p["path"] = files;
  std::string type = o_.file_format;
  if (type == "csv" || type == "tsv") {
    type = "csv";
    p["has_header"] = o_.csv_header;
    p["delimiter"] = o_.csv_delimiter;
    p["compression"] = o_.compression;
  } else if (type == "parquet") {
    if (!o_.parquet_columns.empty()) p["columns"] = o_.parquet_columns;
  } else {
    p["format"] = type == "jsonl" ? "newline_delimited" : "auto";
    type = "json";
    p["compression"] = o_.compression;
  }
  const ConnectorInfo& info = Registry::instance().get(type, Role::Source);
  inner_ = info.make_source(normalize_params(info.source_params, p), ctx_);
  if (cursor_) inner_->set_cursor(cursor_->first, cursor_->second);
  return *inner_;
}

std::string S3Source::test_connection() {
  net::S3ListOptions lo;
  lo.prefix = list_prefix(o_);
  lo.max_keys = 1000;
  net::S3ListPage page = client().list_objects_page(o_.bucket, lo);
  std::uint64_t bytes = 0;
  for (const auto& obj : page.objects) bytes += obj.size;
  return "bucket " + o_.bucket + ": " + std::to_string(page.objects.size()) + (page.truncated ? "+" : "") +
         " objects (" + std::to_string(bytes >> 20) + " MB) under '" + lo.prefix + "' as " +
         client().config().credentials_source;
}

IoStats S3Source::io_stats() const {
  return client_ ? io_stats_of(client_->http()) : IoStats{};
}

}  // namespace sqlflow::connectors::s3
