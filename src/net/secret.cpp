#include "net/secret.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

namespace sqlflow::net {

namespace {

struct Registry {
  std::mutex mutex;
  std::vector<std::string> values;  // longest first, so a secret containing another is replaced whole
  std::atomic<bool> any{false};
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

SecretString::SecretString(std::string value) : value_(std::move(value)) {
  register_secret(value_);
}

void register_secret(std::string_view value) {
  if (value.size() < 6) return;
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  if (std::find(r.values.begin(), r.values.end(), value) != r.values.end()) return;
  r.values.emplace_back(value);
  std::sort(r.values.begin(), r.values.end(),
            [](const auto& a, const auto& b) { return a.size() > b.size(); });
  r.any.store(true);
}

std::string scrub_secrets(std::string text) {
  Registry& r = registry();
  if (!r.any.load()) return text;
  std::lock_guard lock(r.mutex);
  for (const auto& s : r.values) {
    size_t pos = 0;
    while ((pos = text.find(s, pos)) != std::string::npos) {
      text.replace(pos, s.size(), "***");
      pos += 3;
    }
  }
  return text;
}

}  // namespace sqlflow::net
