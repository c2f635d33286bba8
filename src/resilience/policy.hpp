// The resilience policy every remote call goes through: rate limit (token bucket per host or API
// key) → circuit breaker (per endpoint) → the attempt → retry with backoff on retryable failures.
// Two ways in: execute() runs a blocking callable; the step API (begin/admit/on_success/
// on_failure) lets an event loop (the curl multi engine) drive many calls on one thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>

#include "core/error.hpp"
#include "resilience/circuit_breaker.hpp"
#include "resilience/classify.hpp"
#include "resilience/clock.hpp"
#include "resilience/errors.hpp"
#include "resilience/retry.hpp"
#include "resilience/server_quota.hpp"
#include "resilience/token_bucket.hpp"

namespace sqlflow::resilience {

struct RateLimitOptions {
  enum class OnLimit { Wait, Fail };
  enum class Scope { Host, ApiKey };
  bool enabled = true;
  double requests_per_minute = 60;
  double burst = 10;
  OnLimit on_limit = OnLimit::Wait;
  Scope per = Scope::Host;
  // Follow what servers say about the quota: Retry-After pauses, RateLimit-* / X-RateLimit-*
  // headers (hold requests back once the window's quota is used up) and Shopify's call-limit
  // header. Applies with or without the client-side bucket (`enabled`).
  bool server_driven = true;
  void validate() const;
};

struct ResilienceOptions {
  RetryOptions retry;
  BreakerOptions circuit_breaker;
  RateLimitOptions rate_limit;
  void validate() const;
  // {"retry": {...}, "circuit_breaker": {...}, "rate_limit": {...}}, durations in seconds.
  nlohmann::json to_json() const;
};

// Counters the metrics layer reads. Relaxed atomics; each on its own cache line where written on
// the success path.
struct PolicyStats {
  alignas(64) std::atomic<std::uint64_t> calls{0};
  alignas(64) std::atomic<std::uint64_t> attempts{0};
  alignas(64) std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> failures{0};            // calls that gave up
  std::atomic<std::uint64_t> breaker_rejections{0};  // attempts not sent because a breaker was open
  std::atomic<std::uint64_t> breaker_opens{0};
  std::atomic<std::uint64_t> throttled{0};         // attempts the server throttled (429 & co.)
  std::atomic<std::uint64_t> rate_limit_waits{0};  // attempts that waited for the token bucket
  std::atomic<std::uint64_t> rate_limit_wait_ns{0};
  std::atomic<std::uint64_t> rate_limit_rejections{0};
  std::atomic<std::uint64_t> retry_wait_ns{0};  // time spent in backoff / Retry-After waits
  // Wall time during which at least one call waited for the token bucket (the waits of parallel
  // calls overlap: this is their union, comparable with a step's elapsed time).
  std::atomic<std::uint64_t> rate_limit_bound_ns{0};
  // Attempts held back because the server's quota (RateLimit-* headers) was used up or it asked for
  // a pause (Retry-After), and how long they were told to wait.
  std::atomic<std::uint64_t> server_waits{0};
  std::atomic<std::uint64_t> server_wait_ns{0};

  struct Snapshot {
    std::uint64_t calls, attempts, retries, failures, breaker_rejections, breaker_opens, throttled,
        rate_limit_waits, rate_limit_wait_ns, rate_limit_rejections, retry_wait_ns, rate_limit_bound_ns,
        server_waits, server_wait_ns;
  };
  Snapshot snapshot() const;
};

// Optional hooks (logging, metrics). Called on the thread that runs the call; must not throw.
// Endpoint names passed here are what the caller registered (the HTTP client passes
// scheme://host:port, never a URL with a query).
class PolicyObserver {
 public:
  virtual ~PolicyObserver() = default;
  virtual void on_retry(const std::string& endpoint, int next_attempt, Duration delay,
                        const Failure& failure) {
    (void)endpoint, (void)next_attempt, (void)delay, (void)failure;
  }
  virtual void on_give_up(const std::string& endpoint, int attempts, const Failure& failure) {
    (void)endpoint, (void)attempts, (void)failure;
  }
  virtual void on_breaker_transition(const std::string& endpoint, BreakerState from, BreakerState to) {
    (void)endpoint, (void)from, (void)to;
  }
  virtual void on_rate_limit_wait(const std::string& key, Duration wait) { (void)key, (void)wait; }
};

// Per-endpoint state: its breaker and the bucket it draws from (several endpoints may share one
// bucket, e.g. per API key). Owned by the policy; the address is stable for the policy's life.
class Endpoint {
 public:
  const std::string& key() const { return key_; }
  CircuitBreaker* breaker() { return breaker_.get(); }
  TokenBucket* bucket() { return bucket_.get(); }
  ServerQuota* quota() { return quota_.get(); }

 private:
  friend class ResiliencePolicy;
  std::string key_;
  std::unique_ptr<CircuitBreaker> breaker_;
  std::shared_ptr<TokenBucket> bucket_;
  std::unique_ptr<ServerQuota> quota_;  // when rate_limit.server_driven
};

// What one call carries between attempts (step API).
struct CallState {
  int attempt = 0;  // attempts started so far
  TimePoint started{};
  std::uint64_t rng = 0;
  bool slot_reserved = false;  // a token-bucket slot is held for the next attempt
  bool quota_held = false;     // the attempt counts as in flight in the endpoint's ServerQuota
  CircuitBreaker::Permit permit;
};

struct Admission {
  enum class Kind { Go, WaitUntil, Reject };
  Kind kind = Kind::Go;
  TimePoint at{};                // WaitUntil: call admit() again at or after this time
  std::shared_ptr<Error> error;  // Reject: why (CircuitOpenError, RateLimitedError)
};

struct RetryDecision {
  bool retry = false;
  TimePoint at{};  // when to call admit() again
  // Why not: "gave up after 3 attempts", "Retry-After 600 s exceeds max_retry_after", ... (empty when
  // retrying or when the failure was not retryable at all).
  std::string give_up_reason;
};

class ResiliencePolicy {
 public:
  // A policy that never retries, breaks or limits (one attempt, pass-through).
  ResiliencePolicy();
  explicit ResiliencePolicy(ResilienceOptions options, Clock& clock = steady_clock());

  // Copies share the same breakers, buckets and stats (a policy is a handle).
  ResiliencePolicy(const ResiliencePolicy&) = default;
  ResiliencePolicy& operator=(const ResiliencePolicy&) = default;

  const ResilienceOptions& options() const { return state_->options; }
  Clock& clock() const { return *state_->clock; }
  PolicyStats& stats() const { return state_->stats; }
  void set_observer(std::shared_ptr<PolicyObserver> observer);

  // The state for `endpoint_key` (created on first use; thread-safe). `bucket_key` picks the
  // token bucket (default: the endpoint's own); callers with per-API-key limits pass a key
  // derived from the credential (never the credential itself).
  Endpoint& endpoint(std::string_view endpoint_key, std::string_view bucket_key = {});

  // --- step API (non-blocking) ---
  CallState begin(TimePoint now) const;
  // Whether the next attempt may be sent now. Go: send it, then report on_success/on_failure.
  Admission admit(Endpoint& ep, CallState& call, TimePoint now);
  void on_success(Endpoint& ep, CallState& call);
  // Records the failure, and decides whether and when to try again.
  RetryDecision on_failure(Endpoint& ep, CallState& call, const Failure& failure, TimePoint now);
  // The attempt ended without a verdict (the caller cancelled it).
  void on_abandon(Endpoint& ep, CallState& call);
  // Apply server-side throttle signals seen on any response (Retry-After on a 429/503, Shopify
  // call-limit header) to the endpoint's bucket.
  void observe_throttle(Endpoint& ep, const Failure& failure, TimePoint now);
  void observe_call_limit(Endpoint& ep, const ServerBucketState& state, TimePoint now);
  // What a response said about the quota (RateLimit-* / X-RateLimit-* headers); call before
  // on_success / on_failure for that attempt.
  void observe_server_quota(Endpoint& ep, const ServerQuotaState& state, TimePoint now);

  // --- blocking API ---
  // Runs `fn()` under the policy. fn signals failure by throwing: AttemptError (carries
  // retry_after / throttled / breaker hints), or any sqlflow::Error (retried when retryable()).
  // Other exceptions propagate at once. Returns fn's result; after the last attempt rethrows the
  // last error with "(gave up after N attempts in T)" appended. Throws CircuitOpenError or
  // RateLimitedError without calling fn when the endpoint is guarded off.
  template <class F>
  auto execute(Endpoint& ep, F&& fn) -> std::invoke_result_t<F&>;
  template <class F>
  auto execute(std::string_view endpoint_key, F&& fn) -> std::invoke_result_t<F&> {
    return execute(endpoint(endpoint_key), std::forward<F>(fn));
  }

  // Turns a caught error into a Failure (used by execute; public for callers with own loops).
  static Failure failure_from(const Error& e);

 private:
  [[noreturn]] void give_up(const Error& last, const CallState& call, const RetryDecision& d) const;
  void wait_until(TimePoint t, bool rate_limit, const std::string& key);
  void release_quota(Endpoint& ep, CallState& call);
  void note_bucket_wait(TimePoint from, TimePoint until);

  struct State {
    ResilienceOptions options;
    Clock* clock = nullptr;
    bool passthrough = false;
    PolicyStats stats;
    std::atomic<std::shared_ptr<PolicyObserver>> observer;
    std::mutex mutex;  // guards the maps (first lookup of an endpoint only)
    std::unordered_map<std::string, std::unique_ptr<Endpoint>> endpoints;
    std::unordered_map<std::string, std::shared_ptr<TokenBucket>> buckets;
    std::mutex bound_mutex;  // guards bound_until (taken only when a call waits for the bucket)
    TimePoint bound_until{};
  };
  std::shared_ptr<State> state_;
};

template <class F>
auto ResiliencePolicy::execute(Endpoint& ep, F&& fn) -> std::invoke_result_t<F&> {
  Clock& clk = *state_->clock;
  CallState call = begin(clk.now());
  TimePoint now = call.started;
  for (;;) {
    Admission adm = admit(ep, call, now);
    if (adm.kind == Admission::Kind::WaitUntil) {
      wait_until(adm.at, true, ep.key());
      now = clk.now();
      continue;
    }
    if (adm.kind == Admission::Kind::Reject) {
      state_->stats.failures.fetch_add(1, std::memory_order_relaxed);
      if (auto* open = dynamic_cast<CircuitOpenError*>(adm.error.get())) throw *open;
      if (auto* limited = dynamic_cast<RateLimitedError*>(adm.error.get())) throw *limited;
      throw *adm.error;
    }
    try {
      if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
        fn();
        on_success(ep, call);
        return;
      } else {
        auto result = fn();
        on_success(ep, call);
        return result;
      }
    } catch (const Error& e) {
      Failure f = failure_from(e);
      now = clk.now();
      RetryDecision d = on_failure(ep, call, f, now);
      if (!d.retry) {
        if (d.give_up_reason.empty()) throw;  // not retryable: the caller's error as it was
        give_up(e, call, d);
      }
      wait_until(d.at, false, ep.key());
      now = clk.now();
    } catch (...) {
      on_abandon(ep, call);
      throw;
    }
  }
}

}  // namespace sqlflow::resilience
