#include "resilience/retry.hpp"

#include <atomic>
#include <cmath>
#include <random>

#include "core/error.hpp"

namespace sqlflow::resilience {

void RetryOptions::validate() const {
  if (max_attempts < 1)
    throw validation_error("resilience.retry.max_attempts must be at least 1, got " +
                           std::to_string(max_attempts));
  if (initial_delay < Duration(0))
    throw validation_error("resilience.retry.initial_delay must not be negative");
  if (max_delay < initial_delay)
    throw validation_error("resilience.retry.max_delay must be at least initial_delay (" +
                           format_duration(initial_delay) + "), got " + format_duration(max_delay));
  if (!(multiplier >= 1.0) || !std::isfinite(multiplier))
    throw validation_error("resilience.retry.multiplier must be a number >= 1");
  if (total_budget < Duration(0))
    throw validation_error("resilience.retry.total_budget must not be negative");
  if (max_retry_after < Duration(0))
    throw validation_error("resilience.retry.max_retry_after must not be negative");
}

Duration backoff_ceiling(const RetryOptions& o, int retry) {
  double ns = static_cast<double>(o.initial_delay.count()) * std::pow(o.multiplier, std::max(0, retry - 1));
  double cap = static_cast<double>(o.max_delay.count());
  return Duration(static_cast<std::int64_t>(std::min(ns, cap)));
}

namespace {
std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

std::uint64_t new_rng_seed() {
  static std::atomic<std::uint64_t> counter{std::random_device{}()};
  return splitmix(counter.fetch_add(0x9e3779b97f4a7c15ULL, std::memory_order_relaxed)) | 1;
}

Duration backoff_delay(const RetryOptions& o, int retry, std::uint64_t& rng) {
  Duration ceiling = backoff_ceiling(o, retry);
  if (!o.jitter || ceiling.count() <= 0) return ceiling;
  // xorshift64*
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  std::uint64_t r = rng * 0x2545F4914F6CDD1DULL;
  double u = static_cast<double>(r >> 11) * (1.0 / 9007199254740992.0);  // [0, 1)
  return Duration(static_cast<std::int64_t>(u * static_cast<double>(ceiling.count())));
}

}  // namespace sqlflow::resilience
