#include "connectors/s3/cache.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "metrics/logging.hpp"
#include "net/sigv4.hpp"

namespace sqlflow::connectors::s3 {

namespace fs = std::filesystem;

ObjectCache::ObjectCache(fs::path dir, std::uint64_t max_bytes)
    : dir_(std::move(dir)), max_bytes_(max_bytes) {}

fs::path ObjectCache::path_for(const std::string& bucket, const net::S3Object& object) const {
  std::string etag;
  for (char c : object.etag)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') etag += c;
  std::string base = object.key.substr(object.key.rfind('/') + 1);
  // The key's hash keeps names short and unique; the base name keeps the extension DuckDB's
  // readers use to detect compression (.csv.gz).
  return dir_ / bucket / (net::sigv4::sha256_hex(object.key).substr(0, 16) + "-" + etag + "-" + base);
}

std::size_t ObjectCache::fetch(net::S3Client& client, const std::string& bucket,
                               const std::vector<net::S3Object>& objects, std::size_t workers,
                               std::vector<fs::path>& paths) {
  paths.clear();
  std::vector<std::size_t> missing;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    fs::path p = path_for(bucket, objects[i]);
    std::error_code ec;
    if (fs::exists(p, ec) && fs::file_size(p, ec) == objects[i].size) {
      fs::last_write_time(p, fs::file_time_type::clock::now(), ec);  // recently used
    } else {
      missing.push_back(i);
    }
    paths.push_back(std::move(p));
  }
  if (missing.empty()) return 0;
  fs::create_directories(dir_ / bucket);
  const std::size_t threads = std::max<std::size_t>(1, std::min(workers, missing.size()));
  net::S3TransferOptions one;
  one.concurrency = missing.size() == 1 ? workers : 1;
  std::atomic<std::size_t> next{0};
  std::mutex error_mutex;
  std::exception_ptr error;
  auto work = [&] {
    for (std::size_t n; (n = next.fetch_add(1)) < missing.size();) {
      {
        std::lock_guard lock(error_mutex);
        if (error) return;
      }
      std::size_t i = missing[n];
      try {
        client.download_file(bucket, objects[i].key, paths[i], one);  // temp file + rename inside
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
  if (error) std::rethrow_exception(error);
  return missing.size();
}

void ObjectCache::trim(const std::set<fs::path>& keep) {
  struct Entry {
    fs::path path;
    std::uint64_t size;
    fs::file_time_type used;
  };
  std::vector<Entry> entries;
  std::uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir_, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    Entry e{it->path(), it->file_size(ec), it->last_write_time(ec)};
    total += e.size;
    entries.push_back(std::move(e));
  }
  if (total <= max_bytes_) return;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.used < b.used; });
  for (const auto& e : entries) {
    if (total <= max_bytes_) break;
    if (keep.count(e.path)) continue;
    if (fs::remove(e.path, ec)) total -= e.size;
  }
  if (total > max_bytes_)
    spdlog::warn(
        "s3: the objects of this load alone ({} MB) exceed cache_max_gb; they stay until the next run",
        total >> 20);
}

}  // namespace sqlflow::connectors::s3
