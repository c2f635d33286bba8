// Token bucket rate limiter (per host or per API key), implemented as GCRA — the "virtual
// scheduling" form of the token bucket (ITU-T I.371) — on one atomic timestamp, so acquiring is
// a lock-free compare-and-swap. It can follow a server-side bucket it is told about (Shopify's
// X-Shopify-Shop-Api-Call-Limit, GraphQL throttleStatus, Retry-After pauses).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "resilience/clock.hpp"

namespace sqlflow::resilience {

class TokenBucket {
 public:
  // `requests_per_minute` > 0 is the sustained rate; `burst` >= 1 how many may go at once after idling.
  TokenBucket(std::string key, double requests_per_minute, double burst, Clock& clock);
  TokenBucket(const TokenBucket&) = delete;
  TokenBucket& operator=(const TokenBucket&) = delete;

  // Reserves the next slot for a request costing `cost` tokens and returns when it may be sent
  // (<= now: at once). The reservation is taken even if the caller then waits: callers must not
  // send before the returned time. Lock-free.
  TimePoint reserve(TimePoint now, double cost = 1.0);
  // Takes `cost` tokens only if they are available now (fail-fast mode). Lock-free.
  bool try_acquire(TimePoint now, double cost = 1.0);
  // reserve() then sleep until the slot; returns how long it waited.
  Duration acquire(double cost = 1.0);

  // The server told us not to send before `t` (429 + Retry-After): nobody proceeds earlier, and
  // the burst starts empty after it.
  void pause_until(TimePoint t);
  // A server-side bucket reported `used` of `capacity` (Shopify "32/40"): the local burst follows
  // the server's capacity, and no more than what the server has left may go out at once.
  void observe_server_usage(double used, double capacity, TimePoint now);
  // A cost-based server bucket (Shopify GraphQL throttleStatus: maximumAvailable,
  // currentlyAvailable, restoreRate per second): adopts its rate and size, and its current level.
  void observe_server_bucket(double maximum_available, double currently_available, double restore_per_second,
                             TimePoint now);

  double requests_per_minute() const;
  double burst() const;
  // Tokens available at `now` (for tests and progress).
  double available(TimePoint now) const;
  const std::string& key() const { return key_; }

 private:
  void set_shape(double requests_per_minute, double burst);
  void raise_tat(std::int64_t at_least);

  std::string key_;
  Clock& clock_;
  // Theoretical arrival time: when the bucket would be full again (ns). A request is conforming
  // while tat - now <= tolerance.
  alignas(64) std::atomic<std::int64_t> tat_ns_{0};
  std::atomic<double> interval_ns_;   // ns per token
  std::atomic<double> tolerance_ns_;  // (burst - 1) * interval
};

}  // namespace sqlflow::resilience
