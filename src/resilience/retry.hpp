// Retry schedule: exponential backoff with full jitter ("Exponential Backoff And Jitter", AWS
// Architecture Blog, 2015): the n-th retry waits a uniform random time in
// [0, min(max_delay, initial_delay * multiplier^(n-1))], so many clients that failed together
// do not retry together.
#pragma once

#include <cstdint>

#include "resilience/clock.hpp"

namespace sqlflow::resilience {

struct RetryOptions {
  int max_attempts = 3;  // attempts in total, the first one included; 1 disables retries
  Duration initial_delay = std::chrono::seconds(1);
  Duration max_delay = std::chrono::seconds(30);
  double multiplier = 2.0;
  bool jitter = true;  // false: wait the full exponential delay (deterministic tests)
  // Time from the first attempt after which no further attempt starts (0: no budget).
  Duration total_budget = Duration(0);
  // A server-requested wait (Retry-After) longer than this fails the call instead of stalling it.
  Duration max_retry_after = std::chrono::minutes(5);
  // Throws a validation Error naming the bad field.
  void validate() const;
};

// The ceiling of the n-th retry's delay (n >= 1), before jitter.
Duration backoff_ceiling(const RetryOptions& options, int retry);
// The n-th retry's delay: the ceiling, or a uniform draw below it with jitter. `rng` is the
// caller's xorshift state (per call, so no shared state between threads).
Duration backoff_delay(const RetryOptions& options, int retry, std::uint64_t& rng);
// A fresh, well-mixed seed for `rng`.
std::uint64_t new_rng_seed();

}  // namespace sqlflow::resilience
