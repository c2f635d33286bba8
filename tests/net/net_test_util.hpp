// Shared helpers of the HTTP client tests: fast resilience options (ms, not seconds).
#pragma once

#include <chrono>

#include "resilience/policy.hpp"

namespace sqlflow::net::testing {

inline resilience::ResilienceOptions fast_policy(int attempts = 4) {
  using namespace std::chrono_literals;
  resilience::ResilienceOptions o;
  o.retry.max_attempts = attempts;
  o.retry.initial_delay = 5ms;
  o.retry.max_delay = 50ms;
  o.circuit_breaker.failure_threshold = 1000;
  o.circuit_breaker.recovery_timeout = 1s;
  o.rate_limit.enabled = false;
  return o;
}

}  // namespace sqlflow::net::testing
