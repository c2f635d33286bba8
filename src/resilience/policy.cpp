#include "resilience/policy.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "metrics/logging.hpp"

namespace sqlflow::resilience {

PolicyStats::Snapshot PolicyStats::snapshot() const {
  auto r = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  return {r(calls),
          r(attempts),
          r(retries),
          r(failures),
          r(breaker_rejections),
          r(breaker_opens),
          r(throttled),
          r(rate_limit_waits),
          r(rate_limit_wait_ns),
          r(rate_limit_rejections),
          r(retry_wait_ns),
          r(rate_limit_bound_ns),
          r(server_waits),
          r(server_wait_ns)};
}

ResiliencePolicy::ResiliencePolicy() : state_(std::make_shared<State>()) {
  state_->options.retry.max_attempts = 1;
  state_->options.circuit_breaker.enabled = false;
  state_->options.rate_limit.enabled = false;
  state_->clock = &steady_clock();
  state_->passthrough = true;
}

ResiliencePolicy::ResiliencePolicy(ResilienceOptions options, Clock& clock)
    : state_(std::make_shared<State>()) {
  options.validate();
  state_->options = std::move(options);
  state_->clock = &clock;
}

void ResiliencePolicy::set_observer(std::shared_ptr<PolicyObserver> observer) {
  state_->observer.store(std::move(observer));
}

Endpoint& ResiliencePolicy::endpoint(std::string_view endpoint_key, std::string_view bucket_key) {
  State& st = *state_;
  std::lock_guard lock(st.mutex);
  std::string key(endpoint_key);
  std::string bkey = bucket_key.empty() ? key : std::string(bucket_key);
  auto it = st.endpoints.find(key + '\x1f' + bkey);
  if (it != st.endpoints.end()) return *it->second;
  auto ep = std::make_unique<Endpoint>();
  ep->key_ = key;
  if (!st.passthrough && st.options.circuit_breaker.enabled) {
    State* raw = &st;  // endpoints live inside the state, so the listener never outlives it
    ep->breaker_ = std::make_unique<CircuitBreaker>(
        key, st.options.circuit_breaker, *st.clock,
        [raw](const std::string& name, BreakerState from, BreakerState to) {
          if (to == BreakerState::Open) raw->stats.breaker_opens.fetch_add(1, std::memory_order_relaxed);
          // Endpoint keys are scheme://host:port (or a connection name): nothing secret in them.
          if (to == BreakerState::Open)
            metrics::log_event(metrics::LogLevel::Warn, "breaker_open",
                               fmt::format("circuit breaker for {} opened; calls fail fast for {}", name,
                                           format_duration(raw->options.circuit_breaker.recovery_timeout)),
                               nlohmann::ordered_json{{"endpoint", name}});
          else if (to == BreakerState::Closed)
            metrics::log_event(metrics::LogLevel::Info, "breaker_closed",
                               fmt::format("circuit breaker for {} closed again", name),
                               nlohmann::ordered_json{{"endpoint", name}});
          if (auto obs = raw->observer.load()) obs->on_breaker_transition(name, from, to);
        });
  }
  if (!st.passthrough && st.options.rate_limit.enabled) {
    auto& bucket = st.buckets[bkey];
    if (!bucket)
      bucket = std::make_shared<TokenBucket>(bkey, st.options.rate_limit.requests_per_minute,
                                             st.options.rate_limit.burst, *st.clock);
    ep->bucket_ = bucket;
  }
  if (!st.passthrough && st.options.rate_limit.server_driven) ep->quota_ = std::make_unique<ServerQuota>();
  auto& slot = st.endpoints[key + '\x1f' + bkey];
  slot = std::move(ep);
  return *slot;
}

CallState ResiliencePolicy::begin(TimePoint now) const {
  state_->stats.calls.fetch_add(1, std::memory_order_relaxed);
  CallState c;
  c.started = now;
  return c;
}

Admission ResiliencePolicy::admit(Endpoint& ep, CallState& call, TimePoint now) {
  State& st = *state_;
  CircuitBreaker* br = ep.breaker();
  if (br && !call.slot_reserved && br->rejects_now()) {
    st.stats.breaker_rejections.fetch_add(1, std::memory_order_relaxed);
    return {Admission::Kind::Reject, {}, std::make_shared<CircuitOpenError>(br->open_error())};
  }
  if (TokenBucket* b = ep.bucket(); b && !call.slot_reserved) {
    if (st.options.rate_limit.on_limit == RateLimitOptions::OnLimit::Fail) {
      if (!b->try_acquire(now)) {
        st.stats.rate_limit_rejections.fetch_add(1, std::memory_order_relaxed);
        char rate[64];
        std::snprintf(rate, sizeof rate, "%g requests/minute, burst %g", b->requests_per_minute(),
                      b->burst());
        return {
            Admission::Kind::Reject,
            {},
            std::make_shared<RateLimitedError>(
                b->key(), "rate limit for " + b->key() + " reached (" + rate + "); the request was not sent",
                "set PARAMS resilience.rate_limit.on_limit to \"wait\" to queue instead of failing")};
      }
    } else {
      TimePoint at = b->reserve(now);
      if (at > now) {
        call.slot_reserved = true;
        st.stats.rate_limit_waits.fetch_add(1, std::memory_order_relaxed);
        st.stats.rate_limit_wait_ns.fetch_add(static_cast<std::uint64_t>((at - now).count()),
                                              std::memory_order_relaxed);
        note_bucket_wait(now, at);
        if (auto obs = st.observer.load()) obs->on_rate_limit_wait(b->key(), at - now);
        return {Admission::Kind::WaitUntil, at, {}};
      }
    }
  }
  if (ServerQuota* q = ep.quota(); q && !call.quota_held) {
    if (auto at = q->admit(now, st.options.retry.max_retry_after)) {
      // The bucket's slot (if any) stays taken: the attempt goes when the server allows it.
      call.slot_reserved = ep.bucket() != nullptr;
      st.stats.server_waits.fetch_add(1, std::memory_order_relaxed);
      st.stats.server_wait_ns.fetch_add(static_cast<std::uint64_t>((*at - now).count()),
                                        std::memory_order_relaxed);
      return {Admission::Kind::WaitUntil, *at, {}};
    }
    call.quota_held = true;
  }
  call.slot_reserved = false;
  if (br) {
    call.permit = br->try_acquire();
    if (!call.permit.allowed) {
      release_quota(ep, call);
      st.stats.breaker_rejections.fetch_add(1, std::memory_order_relaxed);
      return {Admission::Kind::Reject, {}, std::make_shared<CircuitOpenError>(br->open_error())};
    }
  }
  ++call.attempt;
  st.stats.attempts.fetch_add(1, std::memory_order_relaxed);
  return {};
}

void ResiliencePolicy::release_quota(Endpoint& ep, CallState& call) {
  if (!call.quota_held) return;
  call.quota_held = false;
  if (ServerQuota* q = ep.quota()) q->done();
}

void ResiliencePolicy::note_bucket_wait(TimePoint from, TimePoint until) {
  State& st = *state_;
  std::lock_guard lock(st.bound_mutex);
  if (until <= st.bound_until) return;
  const TimePoint start = std::max(from, st.bound_until);
  st.stats.rate_limit_bound_ns.fetch_add(static_cast<std::uint64_t>((until - start).count()),
                                         std::memory_order_relaxed);
  st.bound_until = until;
}

void ResiliencePolicy::on_success(Endpoint& ep, CallState& call) {
  if (ServerQuota* q = ep.quota()) q->record_answer(false);
  release_quota(ep, call);
  if (CircuitBreaker* br = ep.breaker()) br->record_success(call.permit);
}

void ResiliencePolicy::on_abandon(Endpoint& ep, CallState& call) {
  release_quota(ep, call);
  if (CircuitBreaker* br = ep.breaker()) br->release(call.permit);
}

void ResiliencePolicy::observe_throttle(Endpoint& ep, const Failure& failure, TimePoint now) {
  if (!state_->options.rate_limit.server_driven || !failure.retry_after) return;
  // A configured bucket stands for a documented quota: a refusal means it is spent.
  if (TokenBucket* b = ep.bucket()) b->pause_until(now + *failure.retry_after);
  // Without one, the request that was refused waits its Retry-After (on_failure), and the others
  // wait too once refusals cluster (RFC 6585 §4): then it is the client's pace being refused.
  // A pause longer than max_retry_after is not imposed on the others: each gets its own refusal.
  if (ServerQuota* q = ep.quota();
      q && q->refusals_cluster() && *failure.retry_after <= state_->options.retry.max_retry_after)
    q->pause_until(now + *failure.retry_after);
}

void ResiliencePolicy::observe_server_quota(Endpoint& ep, const ServerQuotaState& s, TimePoint now) {
  if (ServerQuota* q = ep.quota()) q->observe(s, now);
}

void ResiliencePolicy::observe_call_limit(Endpoint& ep, const ServerBucketState& s, TimePoint now) {
  TokenBucket* b = ep.bucket();
  if (!b || !state_->options.rate_limit.server_driven) return;
  b->observe_server_usage(s.used, s.capacity, now);
}

RetryDecision ResiliencePolicy::on_failure(Endpoint& ep, CallState& call, const Failure& f, TimePoint now) {
  State& st = *state_;
  const RetryOptions& ro = st.options.retry;
  release_quota(ep, call);
  if (ServerQuota* q = ep.quota()) q->record_answer(f.throttled);
  if (f.throttled) {
    st.stats.throttled.fetch_add(1, std::memory_order_relaxed);
    observe_throttle(ep, f, now);
  }
  if (CircuitBreaker* br = ep.breaker()) {
    // A 4xx or a throttle is an answer from a live endpoint: it counts as health, not failure.
    if (f.counts_for_breaker)
      br->record_failure(call.permit, f.reason);
    else
      br->record_success(call.permit);
  }
  RetryDecision d;
  auto finish = [&](std::string why) {
    st.stats.failures.fetch_add(1, std::memory_order_relaxed);
    if (auto obs = st.observer.load()) obs->on_give_up(ep.key(), call.attempt, f);
    d.give_up_reason = std::move(why);
    return d;
  };
  if (!f.retryable) return finish({});
  if (call.attempt >= ro.max_attempts)
    return finish("gave up after " + std::to_string(call.attempt) +
                  (call.attempt == 1 ? " attempt" : " attempts"));
  Duration delay;
  if (f.retry_after) {
    if (*f.retry_after > ro.max_retry_after)
      return finish("the server asked to wait " + format_duration(*f.retry_after) +
                    " (Retry-After), more than resilience.retry.max_retry_after (" +
                    format_duration(ro.max_retry_after) + "); gave up after " + std::to_string(call.attempt) +
                    " attempts");
    delay = *f.retry_after;
  } else if (f.cut_off && call.attempt == 1) {
    // RFC 9110 §9.2.2: an idempotent request may be repeated when its connection closed before
    // the answer was complete; the first time at once, on a new connection. Another break backs off.
    delay = Duration(0);
  } else {
    if (call.rng == 0) call.rng = new_rng_seed();
    delay = backoff_delay(ro, call.attempt, call.rng);
  }
  if (ro.total_budget > Duration(0) && (now + delay) - call.started > ro.total_budget)
    return finish("the next retry would exceed resilience.retry.total_budget (" +
                  format_duration(ro.total_budget) + "); gave up after " + std::to_string(call.attempt) +
                  " attempts");
  st.stats.retries.fetch_add(1, std::memory_order_relaxed);
  st.stats.retry_wait_ns.fetch_add(static_cast<std::uint64_t>(delay.count()), std::memory_order_relaxed);
  if (auto obs = st.observer.load()) obs->on_retry(ep.key(), call.attempt + 1, delay, f);
  d.retry = true;
  d.at = now + delay;
  return d;
}

Failure ResiliencePolicy::failure_from(const Error& e) {
  Failure f;
  f.retryable = e.retryable();
  f.reason = e.message().substr(0, 200);
  if (auto* a = dynamic_cast<const AttemptError*>(&e)) {
    f.retry_after = a->retry_after;
    f.counts_for_breaker = a->counts_for_breaker;
    f.throttled = a->throttled;
  } else {
    // A plain Error: connection trouble says the endpoint is unhealthy; a data or validation error does not.
    f.counts_for_breaker = e.kind() == ErrorKind::Connection;
  }
  return f;
}

void ResiliencePolicy::give_up(const Error& last, const CallState& call, const RetryDecision& d) const {
  Duration took = state_->clock->now() - call.started;
  throw Error(last.kind(), last.message() + " (" + d.give_up_reason + " in " + format_duration(took) + ")",
              last.hint(), last.retryable());
}

void ResiliencePolicy::wait_until(TimePoint t, bool rate_limit, const std::string& key) {
  (void)rate_limit;
  (void)key;
  state_->clock->sleep_until(t);
}

}  // namespace sqlflow::resilience
