#include "resilience/errors.hpp"

namespace sqlflow::resilience {

CircuitOpenError::CircuitOpenError(std::string endpoint, WallTime open_since, WallTime retry_at,
                                   std::string message, std::string hint)
    : Error(ErrorKind::Connection, std::move(message), std::move(hint), /*retryable=*/false),
      endpoint_(std::move(endpoint)),
      open_since_(open_since),
      retry_at_(retry_at) {}

RateLimitedError::RateLimitedError(std::string key, std::string message, std::string hint)
    : Error(ErrorKind::Connection, std::move(message), std::move(hint), /*retryable=*/false),
      key_(std::move(key)) {}

}  // namespace sqlflow::resilience
