// What one pipeline run measured: a StepMetrics per step (counters written from any thread,
// lifecycle written by the executor) and per-connector request latency, plus totals.
// Exporters (exporters.hpp) and the progress line (progress.hpp) read it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/counters.hpp"
#include "metrics/histogram.hpp"

namespace sqlflow::metrics {

enum class StepKind { Source, Load, Transform, Export, Sql };
enum class StepStatus { Pending, Running, Ok, Failed, Skipped };

// Lower-case names used in every output: "source", "load", … and "pending", "running", "ok", …
const char* to_string(StepKind kind);
const char* to_string(StepStatus status);

using SteadyClock = std::chrono::steady_clock;
using WallClock = std::chrono::system_clock;

// One step of a run. Identity is fixed at construction; the counters may be added to from any
// thread at any time (once per chunk or request, never per row); the lifecycle calls
// (mark_running, mark_finished, set_progress_probe) come from the thread that runs the step.
class StepMetrics {
 public:
  StepMetrics(std::string name, StepKind kind, std::string connector, int line);
  StepMetrics(const StepMetrics&) = delete;
  StepMetrics& operator=(const StepMetrics&) = delete;

  const std::string name;  // step name as the pipeline names it (e.g. the target table)
  const StepKind kind;
  const std::string connector;  // connector type ("csv", "postgres"); empty for pure SQL steps
  const int line;               // line of the step in the .sf file; 0 if unknown

  Counter rows_in;          // rows read from the source / input
  Counter rows_out;         // rows written to the target (the "rows" of the summary)
  Counter bytes;            // bytes read or written over the connector
  Counter rejected_rows;    // rows dropped by the connector's error policy
  Counter retries;          // remote calls retried
  Counter throttle_waits;   // times the rate limiter made a call wait
  Counter breaker_trips;    // times the circuit breaker opened
  Counter network_wait_ns;  // time blocked on the network (sum over threads, may exceed wall time)

  // Totals known in advance, for the progress percentage (0 = unknown), e.g. a file's size.
  void set_expected_rows(std::uint64_t rows) noexcept {
    expected_rows_.store(rows, std::memory_order_relaxed);
  }
  void set_expected_bytes(std::uint64_t n) noexcept { expected_bytes_.store(n, std::memory_order_relaxed); }
  std::uint64_t expected_rows() const noexcept { return expected_rows_.load(std::memory_order_relaxed); }
  std::uint64_t expected_bytes() const noexcept { return expected_bytes_.load(std::memory_order_relaxed); }

  // A function returning the step's completion in percent (0..100; negative = unknown), polled
  // by the progress thread at ~10 Hz — for SQL steps one that calls duckdb_query_progress on the
  // step's connection. Pass {} to remove it; once that call returns the old probe is no longer
  // running and will not be called again, so remove it before its connection goes away.
  void set_progress_probe(std::function<double()> probe);
  // Calls the probe, if any and if it reports a value in [0, 100]. Exceptions count as unknown.
  std::optional<double> probe_progress() const;

  // Lifecycle. mark_running once, then mark_finished once with Ok, Failed or Skipped (a step
  // that never ran is marked Skipped without mark_running). `error` is kept for Failed/Skipped.
  void mark_running();
  // `note`: one line on what the step did (e.g. the incremental window); `warnings`: things the
  // user should know although the step succeeded (e.g. rows collapsed by an UPSERT).
  void mark_finished(StepStatus status, std::string error = {}, std::string note = {},
                     std::vector<std::string> warnings = {});

  StepStatus status() const noexcept { return status_.load(std::memory_order_acquire); }
  // The error message, note and warnings given to mark_finished; empty until then.
  const std::string& error() const;
  const std::string& note() const;
  const std::vector<std::string>& warnings() const;
  std::optional<WallClock::time_point> started_at() const;
  std::optional<WallClock::time_point> finished_at() const;
  // Time from mark_running to mark_finished, or to now while running; 0 if it never ran.
  std::chrono::nanoseconds elapsed() const;

 private:
  std::atomic<std::uint64_t> expected_rows_{0};
  std::atomic<std::uint64_t> expected_bytes_{0};
  std::atomic<StepStatus> status_{StepStatus::Pending};
  // Nanoseconds since the clocks' epochs; 0 = not yet.
  std::atomic<std::int64_t> start_steady_{0}, end_steady_{0}, start_wall_{0}, end_wall_{0};
  // Written before the final status is published (release), read after.
  std::string error_;
  std::string note_;
  std::vector<std::string> warnings_;
  mutable std::mutex probe_mutex_;
  std::function<double()> probe_;
};

// Sums over steps (or over one connector's steps).
struct Totals {
  std::size_t steps = 0, ok = 0, failed = 0, skipped = 0, pending = 0, running = 0;
  std::uint64_t rows_in = 0, rows_out = 0, bytes = 0, rejected_rows = 0, retries = 0, throttle_waits = 0,
                breaker_trips = 0, network_wait_ns = 0;
  void add(const StepMetrics& step);
};

struct ConnectorTotals {
  std::string connector;
  Totals totals;                               // over the steps using this connector
  std::optional<Histogram::Snapshot> latency;  // if any request latency was recorded
};

class RunMetrics {
 public:
  explicit RunMetrics(std::string pipeline, std::string profile = {});
  RunMetrics(const RunMetrics&) = delete;
  RunMetrics& operator=(const RunMetrics&) = delete;

  const std::string pipeline;  // pipeline name (the .sf file's stem)
  const std::string profile;   // profile name; empty if none

  // Adds a step; the reference stays valid for the RunMetrics' lifetime. Thread-safe, but add the
  // plan's steps before start so outputs list them in plan order.
  StepMetrics& add_step(std::string name, StepKind kind, std::string connector = {}, int line = 0);
  // The steps in the order they were added (a snapshot of the list; the steps themselves are live).
  std::vector<StepMetrics*> steps();
  std::vector<const StepMetrics*> steps() const;
  // The first step with this name, or null.
  StepMetrics* find_step(std::string_view name);

  // The request-latency histogram of a connector type, created on first use; the reference stays
  // valid for the RunMetrics' lifetime, so fetch it once and record into it from any thread.
  Histogram& request_latency(std::string_view connector);

  void mark_started();
  // `error`: a run-level failure not tied to one step (interrupted, plan failed…); empty if none.
  void mark_finished(std::string error = {});
  std::optional<WallClock::time_point> started_at() const;
  std::optional<WallClock::time_point> finished_at() const;
  std::chrono::nanoseconds elapsed() const;  // start→finish, or start→now while running
  const std::string& error() const;          // valid after mark_finished

  // False if any step failed or mark_finished got an error.
  bool ok() const;
  Totals totals() const;
  // One entry per connector type that has a step or recorded latency, sorted by name.
  std::vector<ConnectorTotals> connector_totals() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<StepMetrics>> steps_;
  std::map<std::string, std::unique_ptr<Histogram>, std::less<>> latency_;
  std::optional<WallClock::time_point> started_wall_, finished_wall_;
  std::optional<SteadyClock::time_point> started_steady_, finished_steady_;
  std::string error_;
};

// Human-readable short forms shared by the summary and the progress line.
std::string format_count(std::uint64_t n);                // 1234567 → "1,234,567"
std::string format_bytes(std::uint64_t n);                // 1536 → "1.5 KiB"
std::string format_duration(std::chrono::nanoseconds d);  // "850 ms", "12.3 s", "2m03s", "1h02m"
// ISO 8601 UTC with milliseconds: "2024-05-01T12:00:00.123Z".
std::string format_timestamp(WallClock::time_point t);

}  // namespace sqlflow::metrics
