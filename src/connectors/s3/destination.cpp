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
#include "core/atomic_output.hpp"
#include "core/error.hpp"
#include "core/time_ordered_id.hpp"
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

namespace {

// "region=EU/data_0.parquet" → "region=EU/data_0-<tag>.parquet". The tag is unique to the export,
// so new objects never replace old ones: until the whole set is up, the previous set stays intact
// (Spark names its part files with a job uuid for the same reason).
std::string tagged(const std::string& relative, const std::string& tag) {
  const auto slash = relative.rfind('/');
  const auto dot = relative.find('.', slash == std::string::npos ? 0 : slash + 1);
  if (dot == std::string::npos) return relative + "-" + tag;
  return relative.substr(0, dot) + "-" + tag + relative.substr(dot);
}

}  // namespace

void S3Destination::upload_folder() {
  // A partitioned export replaces the partition set below the key, as the local export replaces
  // its folder. S3 cannot swap a set of objects at once, so: upload the new files under names no
  // earlier export used; if any upload fails, delete the ones that arrived (the old set is then
  // untouched); once all arrived, delete the old set. Readers see old and new together only for
  // the moment of those deletes, and a failed export leaves the prefix as it was.
  std::string prefix = o_.key;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  const std::string where = net::s3_uri(o_.bucket, prefix + "/");
  const std::vector<std::string> columns = files::export_partition_by(o_.file_options, "");
  // The old set: objects below the prefix laid out by the first partition column. Anything else
  // there (a README, another export's folder) is not ours to remove.
  const std::string layout = prefix + "/" + columns.front() + "=";
  net::S3ListOptions listing;
  listing.prefix = layout;
  std::vector<std::string> old_keys;
  try {
    for (const auto& o : client_->list_objects(o_.bucket, listing).objects) old_keys.push_back(o.key);
  } catch (const net::S3Error& e) {
    // Write-only credentials (PutObject without ListBucket) are common for exports: upload as
    // before, but the previous files cannot be found, so they stay.
    if (e.status() != 403) throw;
    spdlog::warn("s3: cannot list {} ({}): any partition files of a previous export stay beside the new ones",
                 where, e.code().empty() ? "HTTP 403" : e.code());
  }

  const std::string tag = time_ordered_id();
  std::vector<std::pair<fs::path, std::string>> files;
  for (auto it = fs::recursive_directory_iterator(local_); it != fs::recursive_directory_iterator(); ++it)
    if (it->is_regular_file())
      files.emplace_back(it->path(),
                         prefix + "/" + tagged(it->path().lexically_relative(local_).generic_string(), tag));
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.second < b.second; });

  // Files in parallel, each with one connection; a lone file gets every worker for its parts.
  std::vector<std::string> arrived;
  std::mutex arrived_mutex;
  std::exception_ptr error = for_each_parallel(files.size(), [&](std::size_t n) {
    upload_file(files[n].first, files[n].second, files.size() == 1 ? std::optional<std::size_t>() : 1);
    std::lock_guard lock(arrived_mutex);
    arrived.push_back(files[n].second);
  });
  if (error) {
    const std::size_t left = delete_objects(arrived);
    try {
      std::rethrow_exception(error);
    } catch (const Error& e) {
      std::string what = left == 0 ? "the " + std::to_string(arrived.size()) +
                                         " partition files uploaded before the failure were deleted again, "
                                         "and the objects there before are unchanged"
                                   : std::to_string(left) + " of the " + std::to_string(arrived.size()) +
                                         " partition files uploaded before the failure could not be deleted "
                                         "again and stay beside the objects there before";
      throw Error(e.kind(), e.message() + " (partitioned export to " + where + ": " + what + ")",
                  e.hint().empty() ? "run the export again" : e.hint(), e.retryable());
    }
  }
  const std::size_t stale = delete_objects(old_keys);
  if (stale > 0)
    throw data_error("partitioned export to " + where + ": all " + std::to_string(files.size()) +
                         " partition files were uploaded, but " + std::to_string(stale) + " of the " +
                         std::to_string(old_keys.size()) +
                         " objects of the previous export could not be deleted, so readers see both",
                     "check that the credentials may s3:DeleteObject, then run the export again (it "
                     "removes every older partition file)");
  if (files.empty())
    spdlog::warn(
        "s3: the partitioned export to {} wrote no files (no rows): {} older partition files removed", where,
        old_keys.size());
  else
    spdlog::info("s3: partitioned export: {} files uploaded under {}, {} older partition files removed",
                 files.size(), where, old_keys.size());
}

std::exception_ptr S3Destination::for_each_parallel(std::size_t count,
                                                    const std::function<void(std::size_t)>& task) {
  const std::size_t workers = static_cast<std::size_t>(o_.connection.parallel_workers);
  const std::size_t threads = std::max<std::size_t>(1, std::min(workers, count));
  std::atomic<std::size_t> next{0};
  std::mutex error_mutex;
  std::exception_ptr error;
  auto work = [&] {
    for (std::size_t n; (n = next.fetch_add(1)) < count;) {
      {
        std::lock_guard lock(error_mutex);
        if (error) return;
      }
      try {
        task(n);
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
  return error;
}

std::size_t S3Destination::delete_objects(const std::vector<std::string>& keys) {
  // One DeleteObject each (DeleteObjects would need a Content-MD5 of its body); each is retried by
  // the client's policy, and a key that still fails is counted, logged and left.
  std::atomic<std::size_t> failed{0};
  for_each_parallel(keys.size(), [&](std::size_t n) {
    try {
      client_->delete_object(o_.bucket, keys[n]);
    } catch (const std::exception& e) {
      ++failed;
      spdlog::warn("s3: could not delete {}: {}", net::s3_uri(o_.bucket, keys[n]), e.what());
    }
  });
  return failed.load();
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
