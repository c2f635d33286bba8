// Errors raised by the resilience layer itself: an open circuit breaker and a rate limit in
// fail-fast mode. Both name the endpoint and say when trying again makes sense.
#pragma once

#include <string>

#include "core/error.hpp"
#include "resilience/clock.hpp"

namespace sqlflow::resilience {

class CircuitOpenError : public Error {
 public:
  CircuitOpenError(std::string endpoint, WallTime open_since, WallTime retry_at, std::string message,
                   std::string hint);
  const std::string& endpoint() const { return endpoint_; }
  WallTime open_since() const { return open_since_; }
  WallTime retry_at() const { return retry_at_; }

 private:
  std::string endpoint_;
  WallTime open_since_;
  WallTime retry_at_;
};

class RateLimitedError : public Error {
 public:
  RateLimitedError(std::string key, std::string message, std::string hint);
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// Thrown by code run under ResiliencePolicy::execute to pass more than Error::retryable():
// a server-requested wait, whether the failure says the endpoint is down, whether it was throttling.
class AttemptError : public Error {
 public:
  AttemptError(ErrorKind kind, std::string message, bool retryable, std::string hint = {})
      : Error(kind, std::move(message), std::move(hint), retryable) {}
  std::optional<Duration> retry_after;
  bool counts_for_breaker = true;
  bool throttled = false;
};

}  // namespace sqlflow::resilience
