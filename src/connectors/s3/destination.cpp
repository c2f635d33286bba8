#include "connectors/s3/destination.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <random>
#include <thread>

#include "connectors/http_io.hpp"
#include "connectors/registry.hpp"
#include "core/error.hpp"
#include "metrics/logging.hpp"
#include "net/s3_client.hpp"

namespace sqlflow::connectors::s3 {

namespace fs = std::filesystem;

S3Destination::S3Destination(DestinationOptions options, ConnectorContext context)
    : o_(std::move(options)), ctx_(std::move(context)) {
  o_.connection.on_request_latency = ctx_.on_request_latency;
}

S3Destination::~S3Destination() = default;

void S3Destination::open(const Schema& schema, WriteMode mode, const std::vector<std::string>& keys) {
  if (mode != WriteMode::Replace)
    throw validation_error("exports replace the object; append and upsert are not supported",
                           "write a new object per run (e.g. a key with ${run_date}) instead");
  net::S3Options so = o_.connection.client_options();
  so.multipart_threshold = static_cast<std::uint64_t>(o_.multipart_threshold_mb) * net::kMiB;
  so.part_size = static_cast<std::uint64_t>(o_.part_size_mb) * net::kMiB;
  client_ = std::make_unique<net::S3Client>(std::move(so));
  // A local spill file under the project's target folder, unique per run.
  std::mt19937_64 rng{std::random_device{}()};
  fs::path dir = ctx_.base_dir / "target" / "s3-uploads";
  fs::create_directories(dir);
  std::string base = o_.key.substr(o_.key.rfind('/') + 1);
  local_ = dir / (std::to_string(::getpid()) + "-" + std::to_string(rng() % 1000000) + "-" + base);
  std::string type = o_.file_format == "tsv" ? "csv" : o_.file_format == "jsonl" ? "json" : o_.file_format;
  Params p = o_.file_options;
  if (o_.file_format == "tsv" && !p.contains("delimiter")) p["delimiter"] = "\t";
  const ConnectorInfo& info = Registry::instance().get(type, Role::Destination);
  ConnectorContext inner_ctx = ctx_;
  inner_ctx.write_anywhere = true;  // our own spill folder
  inner_ = info.make_destination(local_.string(), normalize_params(info.destination_params, p), inner_ctx);
  inner_->open(schema, mode, keys);
}

void S3Destination::commit() {
  inner_->commit();
  std::error_code ec;
  try {
    if (fs::is_directory(local_))
      upload_folder();
    else
      upload_file(local_, o_.key, {});
  } catch (...) {
    fs::remove_all(local_, ec);
    throw;
  }
  fs::remove_all(local_, ec);
}

void S3Destination::upload_file(const fs::path& file, const std::string& key,
                                std::optional<std::size_t> concurrency) {
  net::S3TransferOptions t;
  t.object_headers = o_.object_headers();
  t.concurrency = concurrency;
  // Up to the threshold one PutObject, above it a multipart upload, which the client aborts if any
  // part fails: either way S3 shows the object only once all of it arrived, and leaves no parts.
  client_->put_file(o_.bucket, key, file, t);
  std::error_code ec;
  const std::uint64_t size = fs::file_size(file, ec);
  const std::uint64_t part = client_->options().part_size;
  std::string how = size > client_->options().multipart_threshold
                        ? "multipart, " + std::to_string((size + part - 1) / part) + " parts"
                        : "one PutObject";
  spdlog::info(
      "s3: uploaded {} ({} MB, {}{})", net::s3_uri(o_.bucket, key), size >> 20, how,
      o_.server_side_encryption.empty() ? "" : ", server-side encryption " + o_.server_side_encryption);
}

void S3Destination::upload_folder() {
  // A partitioned export: DuckDB wrote col=value/…/data_N.ext below the folder; each file becomes
  // the object <key>/<its path below the folder>.
  std::string prefix = o_.key;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  std::vector<std::pair<fs::path, std::string>> files;
  for (auto it = fs::recursive_directory_iterator(local_); it != fs::recursive_directory_iterator(); ++it)
    if (it->is_regular_file())
      files.emplace_back(it->path(), prefix + "/" + it->path().lexically_relative(local_).generic_string());
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  const std::string where = net::s3_uri(o_.bucket, prefix + "/");
  if (files.empty()) {
    spdlog::warn("s3: the partitioned export to {} wrote no files (no rows): nothing uploaded", where);
    return;
  }
  // Files in parallel, each with one connection; a lone file gets every worker for its parts.
  const std::size_t workers = static_cast<std::size_t>(o_.connection.parallel_workers);
  const std::size_t threads = std::max<std::size_t>(1, std::min(workers, files.size()));
  const std::optional<std::size_t> per_file = files.size() == 1 ? std::optional<std::size_t>() : 1;
  std::atomic<std::size_t> next{0}, uploaded{0};
  std::mutex error_mutex;
  std::exception_ptr error;
  auto work = [&] {
    for (std::size_t n; (n = next.fetch_add(1)) < files.size();) {
      {
        std::lock_guard lock(error_mutex);
        if (error) return;
      }
      try {
        upload_file(files[n].first, files[n].second, per_file);
        ++uploaded;
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(metrics::with_log_context(work));
  work();
  for (auto& t : pool) t.join();
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const Error& e) {
      // S3 cannot replace a set of objects at once: say what the failed export left.
      throw Error(
          e.kind(),
          e.message() + " (partitioned export to " + where + ": " + std::to_string(uploaded.load()) + " of " +
              std::to_string(files.size()) +
              " partition files were uploaded before the failure and stay; no object is partly written)",
          e.hint().empty() ? "run the export again to replace them all" : e.hint(), e.retryable());
    }
  }
  spdlog::info("s3: partitioned export: {} files uploaded under {}", files.size(), where);
}

void S3Destination::abort() noexcept {
  if (inner_) inner_->abort();
  std::error_code ec;
  if (!local_.empty()) fs::remove_all(local_, ec);
}

IoStats S3Destination::io_stats() const {
  return client_ ? io_stats_of(client_->http()) : IoStats{};
}

}  // namespace sqlflow::connectors::s3
