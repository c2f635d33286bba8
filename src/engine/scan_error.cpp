#include "engine/scan_error.hpp"

#include <atomic>
#include <map>
#include <mutex>

namespace sqlflow::engine {

namespace {
std::mutex g_mutex;
std::map<uint64_t, Error> g_errors;
std::atomic<uint64_t> g_next{1};
constexpr const char* kTag = "[sqlflow-error#";
}  // namespace

std::string stash_scan_error(const Error& error) {
  uint64_t id = g_next++;
  {
    std::lock_guard lock(g_mutex);
    g_errors.insert_or_assign(id, error);
  }
  return std::string(kTag) + std::to_string(id) + "] " + error.message();
}

void rethrow_scan_error_if_any(const std::string& duckdb_message) {
  size_t pos = duckdb_message.find(kTag);
  if (pos == std::string::npos) return;
  uint64_t id =
      std::strtoull(duckdb_message.c_str() + pos + std::char_traits<char>::length(kTag), nullptr, 10);
  std::lock_guard lock(g_mutex);
  auto it = g_errors.find(id);
  if (it == g_errors.end()) return;
  Error e = it->second;
  g_errors.erase(it);
  throw e;
}

}  // namespace sqlflow::engine
