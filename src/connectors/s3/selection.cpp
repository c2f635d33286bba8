#include "connectors/s3/selection.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cstdio>

#include "core/error.hpp"

namespace sqlflow::connectors::s3 {

namespace {
bool has_glob(const std::string& s) {
  return s.find_first_of("*?[") != std::string::npos;
}

// The value of hive key `k` in an object key ("…/year=2024/…" → "2024"), or nullopt.
std::optional<std::string> partition_value(const std::string& key, const std::string& k) {
  std::string needle = k + "=";
  for (std::size_t pos = 0; (pos = key.find(needle, pos)) != std::string::npos; ++pos) {
    if (pos != 0 && key[pos - 1] != '/') continue;
    std::size_t start = pos + needle.size();
    std::size_t end = key.find('/', start);
    if (end == std::string::npos) continue;  // the file name itself is no partition
    return key.substr(start, end - start);
  }
  return std::nullopt;
}

std::string gb(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f GB", bytes / 1e9);
  return buf;
}
}  // namespace

double estimated_cost_usd(std::size_t objects, std::uint64_t bytes) {
  // $0.0004 per 1,000 GET requests (one per 8 MiB part, at least one per object) + $0.09 per GB out.
  double gets = static_cast<double>(objects) + static_cast<double>(bytes) / (8.0 * 1024 * 1024);
  return gets * 0.0004 / 1000 + static_cast<double>(bytes) / 1e9 * 0.09;
}

std::string list_prefix(const SourceOptions& o) {
  if (!o.key.empty()) {
    auto glob = o.key.find_first_of("*?[");
    return glob == std::string::npos ? o.key : o.key.substr(0, glob);
  }
  return o.prefix;
}

std::vector<net::S3Object> match_objects(const SourceOptions& o, std::vector<net::S3Object> listed) {
  std::vector<net::S3Object> out;
  for (auto& obj : listed) {
    if (obj.key.empty() || obj.key.back() == '/') continue;  // "folder" placeholders
    if (!o.key.empty()) {
      if (has_glob(o.key) ? fnmatch(o.key.c_str(), obj.key.c_str(), FNM_PATHNAME) != 0 : obj.key != o.key)
        continue;
    }
    bool keep = true;
    for (const auto& [k, values] : o.partition_filter) {
      auto v = partition_value(obj.key, k);
      if (!v || std::find(values.begin(), values.end(), *v) == values.end()) keep = false;
    }
    if (keep) out.push_back(std::move(obj));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  if (out.empty()) {
    std::string where = "s3://" + o.bucket + "/" + (o.key.empty() ? o.prefix : o.key);
    throw validation_error("no S3 object matches " + where +
                               (o.partition_filter.empty() ? std::string() : " and the partition_filter"),
                           "check bucket, key/path_prefix and the credentials' access to the bucket");
  }
  return out;
}

std::vector<net::S3Object> select_objects(const SourceOptions& o, std::vector<net::S3Object> listed) {
  return sample_and_guard(o, match_objects(o, std::move(listed)));
}

std::vector<net::S3Object> sample_and_guard(const SourceOptions& o, std::vector<net::S3Object> out,
                                            const std::string& which) {
  if (o.dev_sampling && *o.dev_sampling < 1) {
    // Every k-th object: the same sample on every run.
    std::vector<net::S3Object> sample;
    double step = 1.0 / *o.dev_sampling, next = 0;
    for (std::size_t i = 0; i < out.size(); ++i)
      if (static_cast<double>(i) >= next) {
        sample.push_back(out[i]);
        next += step;
      }
    out = std::move(sample);
  }
  if (o.dev_max_files && static_cast<std::int64_t>(out.size()) > *o.dev_max_files)
    out.resize(static_cast<std::size_t>(*o.dev_max_files));

  std::uint64_t bytes = 0;
  for (const auto& obj : out) bytes += obj.size;
  const std::string what =
      std::to_string(out.size()) + " objects (" + gb(static_cast<double>(bytes)) + ")" + which;
  if (o.max_files_per_run && static_cast<std::int64_t>(out.size()) > *o.max_files_per_run)
    throw validation_error("guard max_files_per_run: the listing selects " + what + ", " +
                               std::to_string(static_cast<std::int64_t>(out.size()) - *o.max_files_per_run) +
                               " over the limit of " + std::to_string(*o.max_files_per_run),
                           "narrow key/path_prefix or partition_filter, or raise max_files_per_run");
  if (o.max_data_size_gb && static_cast<double>(bytes) / 1e9 > *o.max_data_size_gb)
    throw validation_error("guard max_data_size_gb: the listing selects " + what + ", " +
                               gb(static_cast<double>(bytes) - *o.max_data_size_gb * 1e9) +
                               " over the limit of " + gb(*o.max_data_size_gb * 1e9),
                           "narrow the selection or raise max_data_size_gb");
  if (o.cost_limit_usd) {
    double cost = estimated_cost_usd(out.size(), bytes);
    if (cost > *o.cost_limit_usd) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "about $%.4f to download, $%.4f over the limit of $%.4f", cost,
                    cost - *o.cost_limit_usd, *o.cost_limit_usd);
      throw validation_error(
          "guard cost_limit_usd: the listing selects " + what + ", " + buf,
          "narrow the selection or raise cost_limit_usd (the estimate uses S3 standard GET "
          "and transfer-out prices)");
    }
  }
  return out;
}

}  // namespace sqlflow::connectors::s3
