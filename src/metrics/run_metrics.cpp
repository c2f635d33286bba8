#include "metrics/run_metrics.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <utility>

namespace sqlflow::metrics {

namespace {

std::int64_t since_epoch_ns(SteadyClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
std::int64_t since_epoch_ns(WallClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
std::optional<WallClock::time_point> wall_from_ns(std::int64_t ns) {
  if (ns == 0) return std::nullopt;
  return WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(std::chrono::nanoseconds(ns)));
}

}  // namespace

const char* to_string(StepKind kind) {
  switch (kind) {
    case StepKind::Source:
      return "source";
    case StepKind::Load:
      return "load";
    case StepKind::Transform:
      return "transform";
    case StepKind::Export:
      return "export";
    case StepKind::Sql:
      return "sql";
  }
  return "unknown";
}

const char* to_string(StepStatus status) {
  switch (status) {
    case StepStatus::Pending:
      return "pending";
    case StepStatus::Running:
      return "running";
    case StepStatus::Ok:
      return "ok";
    case StepStatus::Failed:
      return "failed";
    case StepStatus::Skipped:
      return "skipped";
  }
  return "unknown";
}

// ---- StepMetrics ----

StepMetrics::StepMetrics(std::string name_in, StepKind kind_in, std::string connector_in, int line_in)
    : name(std::move(name_in)), kind(kind_in), connector(std::move(connector_in)), line(line_in) {}

void StepMetrics::set_progress_probe(std::function<double()> probe) {
  // Swap under the lock the progress thread holds while calling, so after this returns the old
  // probe is neither running nor reachable; destroy it outside the lock.
  std::function<double()> old;
  {
    std::lock_guard lock(probe_mutex_);
    old = std::exchange(probe_, std::move(probe));
  }
}

std::optional<double> StepMetrics::probe_progress() const {
  std::lock_guard lock(probe_mutex_);
  if (!probe_) return std::nullopt;
  try {
    double p = probe_();
    if (p >= 0.0 && p <= 100.0) return p;
  } catch (...) {
    // A probe that fails only costs the percentage.
  }
  return std::nullopt;
}

void StepMetrics::mark_running() {
  start_wall_.store(since_epoch_ns(WallClock::now()), std::memory_order_relaxed);
  start_steady_.store(since_epoch_ns(SteadyClock::now()), std::memory_order_relaxed);
  status_.store(StepStatus::Running, std::memory_order_release);
}

void StepMetrics::mark_finished(StepStatus status, std::string error, std::string note,
                                std::vector<std::string> warnings) {
  if (start_steady_.load(std::memory_order_relaxed) != 0) {
    end_wall_.store(since_epoch_ns(WallClock::now()), std::memory_order_relaxed);
    end_steady_.store(since_epoch_ns(SteadyClock::now()), std::memory_order_relaxed);
  }
  error_ = std::move(error);
  note_ = std::move(note);
  warnings_ = std::move(warnings);
  status_.store(status, std::memory_order_release);
}

namespace {
bool finished(StepStatus s) {
  return s != StepStatus::Pending && s != StepStatus::Running;
}
}  // namespace

const std::string& StepMetrics::error() const {
  static const std::string kNone;
  return finished(status()) ? error_ : kNone;
}

const std::string& StepMetrics::note() const {
  static const std::string kNone;
  return finished(status()) ? note_ : kNone;
}

const std::vector<std::string>& StepMetrics::warnings() const {
  static const std::vector<std::string> kNone;
  return finished(status()) ? warnings_ : kNone;
}

std::optional<WallClock::time_point> StepMetrics::started_at() const {
  return wall_from_ns(start_wall_.load(std::memory_order_relaxed));
}

std::optional<WallClock::time_point> StepMetrics::finished_at() const {
  return wall_from_ns(end_wall_.load(std::memory_order_relaxed));
}

std::chrono::nanoseconds StepMetrics::elapsed() const {
  std::int64_t start = start_steady_.load(std::memory_order_relaxed);
  if (start == 0) return std::chrono::nanoseconds(0);
  std::int64_t end = end_steady_.load(std::memory_order_relaxed);
  if (end == 0) end = since_epoch_ns(SteadyClock::now());
  return std::chrono::nanoseconds(end > start ? end - start : 0);
}

// ---- Totals ----

void Totals::add(const StepMetrics& step) {
  ++steps;
  switch (step.status()) {
    case StepStatus::Pending:
      ++pending;
      break;
    case StepStatus::Running:
      ++running;
      break;
    case StepStatus::Ok:
      ++ok;
      break;
    case StepStatus::Failed:
      ++failed;
      break;
    case StepStatus::Skipped:
      ++skipped;
      break;
  }
  rows_in += step.rows_in.value();
  rows_out += step.rows_out.value();
  bytes += step.bytes.value();
  rejected_rows += step.rejected_rows.value();
  retries += step.retries.value();
  throttle_waits += step.throttle_waits.value();
  breaker_trips += step.breaker_trips.value();
  network_wait_ns += step.network_wait_ns.value();
}

// ---- RunMetrics ----

RunMetrics::RunMetrics(std::string pipeline_in, std::string profile_in)
    : pipeline(std::move(pipeline_in)), profile(std::move(profile_in)) {}

StepMetrics& RunMetrics::add_step(std::string name, StepKind kind, std::string connector, int line) {
  auto step = std::make_unique<StepMetrics>(std::move(name), kind, std::move(connector), line);
  std::lock_guard lock(mutex_);
  steps_.push_back(std::move(step));
  return *steps_.back();
}

std::vector<StepMetrics*> RunMetrics::steps() {
  std::lock_guard lock(mutex_);
  std::vector<StepMetrics*> out;
  out.reserve(steps_.size());
  for (auto& s : steps_) out.push_back(s.get());
  return out;
}

std::vector<const StepMetrics*> RunMetrics::steps() const {
  std::lock_guard lock(mutex_);
  std::vector<const StepMetrics*> out;
  out.reserve(steps_.size());
  for (auto& s : steps_) out.push_back(s.get());
  return out;
}

StepMetrics* RunMetrics::find_step(std::string_view name) {
  std::lock_guard lock(mutex_);
  for (auto& s : steps_)
    if (s->name == name) return s.get();
  return nullptr;
}

Histogram& RunMetrics::request_latency(std::string_view connector) {
  std::lock_guard lock(mutex_);
  auto it = latency_.find(connector);
  if (it == latency_.end())
    it = latency_.emplace(std::string(connector), std::make_unique<Histogram>()).first;
  return *it->second;
}

void RunMetrics::mark_started() {
  std::lock_guard lock(mutex_);
  started_wall_ = WallClock::now();
  started_steady_ = SteadyClock::now();
}

void RunMetrics::mark_finished(std::string error) {
  std::lock_guard lock(mutex_);
  finished_wall_ = WallClock::now();
  finished_steady_ = SteadyClock::now();
  error_ = std::move(error);
}

std::optional<WallClock::time_point> RunMetrics::started_at() const {
  std::lock_guard lock(mutex_);
  return started_wall_;
}

std::optional<WallClock::time_point> RunMetrics::finished_at() const {
  std::lock_guard lock(mutex_);
  return finished_wall_;
}

std::chrono::nanoseconds RunMetrics::elapsed() const {
  std::lock_guard lock(mutex_);
  if (!started_steady_) return std::chrono::nanoseconds(0);
  auto end = finished_steady_.value_or(SteadyClock::now());
  return std::chrono::duration_cast<std::chrono::nanoseconds>(end - *started_steady_);
}

const std::string& RunMetrics::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

bool RunMetrics::ok() const {
  {
    std::lock_guard lock(mutex_);
    if (!error_.empty()) return false;
  }
  for (const StepMetrics* s : steps())
    if (s->status() == StepStatus::Failed) return false;
  return true;
}

Totals RunMetrics::totals() const {
  Totals t;
  for (const StepMetrics* s : steps()) t.add(*s);
  return t;
}

std::vector<ConnectorTotals> RunMetrics::connector_totals() const {
  std::map<std::string, ConnectorTotals> by_name;
  for (const StepMetrics* s : steps()) {
    if (s->connector.empty()) continue;
    auto& entry = by_name[s->connector];
    entry.connector = s->connector;
    entry.totals.add(*s);
  }
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, hist] : latency_) {
      auto& entry = by_name[name];
      entry.connector = name;
      entry.latency = hist->snapshot();
    }
  }
  std::vector<ConnectorTotals> out;
  out.reserve(by_name.size());
  for (auto& [name, entry] : by_name) out.push_back(std::move(entry));
  return out;
}

// ---- formatting ----

std::string format_count(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string format_bytes(std::uint64_t n) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  if (n < 1024) return fmt::format("{} B", n);
  double v = static_cast<double>(n);
  std::size_t unit = 0;
  while (v >= 1024.0 && unit + 1 < std::size(kUnits)) {
    v /= 1024.0;
    ++unit;
  }
  return fmt::format("{:.1f} {}", v, kUnits[unit]);
}

std::string format_duration(std::chrono::nanoseconds d) {
  const double s = static_cast<double>(std::max<std::int64_t>(0, d.count())) / 1e9;
  if (s < 1.0) return fmt::format("{} ms", d.count() / 1'000'000);
  if (s < 60.0) return fmt::format("{:.1f} s", s);
  auto total = static_cast<std::uint64_t>(s);
  if (total < 3600) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}h{:02}m", total / 3600, (total % 3600) / 60);
}

std::string format_timestamp(WallClock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  long frac = static_cast<long>(ms % 1000);
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", tm, frac);
}

}  // namespace sqlflow::metrics
