#include "core/time_ordered_id.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

namespace sqlflow {

std::string time_ordered_id() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
  std::random_device rd;
  char id[64];
  std::snprintf(id, sizeof id, "%s%03dZ-%04x", stamp, static_cast<int>(ms % 1000), rd() & 0xffffu);
  return id;
}

}  // namespace sqlflow
