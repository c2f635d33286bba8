// Prometheus text exposition format 0.0.4
// (https://github.com/prometheus/docs/blob/main/content/docs/instrumenting/exposition_formats.md):
// one "# HELP" and one "# TYPE" line per family, its samples contiguous; label values escape
// backslash, double quote and line feed; HELP text escapes backslash and line feed.
#include <fmt/format.h>

#include <map>

#include "core/atomic_output.hpp"
#include "metrics/exporters.hpp"
#include "metrics/secrets.hpp"

namespace sqlflow::metrics {

namespace {

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
  return out;
}

using Labels = std::vector<std::pair<std::string_view, std::string>>;

// {a="x",b="y"} with escaped values (callers mask the values that come from the user).
std::string label_set(const Labels& labels) {
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out.push_back(',');
    out += labels[i].first;
    out += "=\"";
    out += escape_label_value(labels[i].second);
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

// Go's ParseFloat accepts fmt's shortest round-trip form ("1e-05", "0.25").
std::string number(double v) {
  return fmt::format("{}", v);
}
std::string number(std::uint64_t v) {
  return std::to_string(v);
}

class Writer {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  void sample(std::string_view name, const Labels& labels, const std::string& value) {
    out_ += fmt::format("{}{} {}\n", name, label_set(labels), value);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

struct StepRow {
  const StepMetrics* step;
  Labels labels;
};

// The run's own series: info, success, duration and start time.
void write_run(Writer& w, const RunMetrics& run, const std::string& pipeline) {
  const Labels run_labels{{"pipeline", pipeline}};
  w.family("sqlflow_run_info", "gauge", "Always 1; labels name the pipeline, profile and sqlflow version.");
  w.sample("sqlflow_run_info",
           {{"pipeline", pipeline}, {"profile", mask_secrets(run.profile)}, {"version", SQLFLOW_VERSION}},
           "1");
  w.family("sqlflow_run_success", "gauge", "1 if the run succeeded, 0 if it failed.");
  w.sample("sqlflow_run_success", run_labels, run.ok() ? "1" : "0");
  w.family("sqlflow_run_duration_seconds", "gauge", "Wall time of the run.");
  w.sample("sqlflow_run_duration_seconds", run_labels,
           number(static_cast<double>(run.elapsed().count()) / 1e9));
  if (auto started = run.started_at()) {
    w.family("sqlflow_run_start_timestamp_seconds", "gauge", "Unix time the run started.");
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(started->time_since_epoch()).count();
    w.sample("sqlflow_run_start_timestamp_seconds", run_labels, number(static_cast<double>(ms) / 1e3));
  }
}

// Each step with its labels. Series must be unique: a repeated step name gets "#2", "#3", … appended.
std::vector<StepRow> step_rows(const RunMetrics& run, const std::string& pipeline) {
  std::vector<StepRow> rows;
  std::map<std::string, int> seen;
  for (const StepMetrics* s : run.steps()) {
    int n = ++seen[s->name];
    std::string name = n == 1 ? s->name : s->name + "#" + std::to_string(n);
    rows.push_back({s,
                    {{"pipeline", pipeline},
                     {"step", mask_secrets(name)},
                     {"kind", to_string(s->kind)},
                     {"connector", mask_secrets(s->connector)}}});
  }
  return rows;
}

void write_steps(Writer& w, const std::vector<StepRow>& rows) {
  w.family("sqlflow_step_status", "gauge", "Step state set: 1 for the step's status, 0 for the others.");
  for (const auto& r : rows) {
    for (StepStatus st : {StepStatus::Pending, StepStatus::Running, StepStatus::Ok, StepStatus::Failed,
                          StepStatus::Skipped}) {
      Labels l = r.labels;
      l.emplace_back("status", to_string(st));
      w.sample("sqlflow_step_status", l, r.step->status() == st ? "1" : "0");
    }
  }
  w.family("sqlflow_step_duration_seconds", "gauge", "Wall time of the step.");
  for (const auto& r : rows)
    w.sample("sqlflow_step_duration_seconds", r.labels,
             number(static_cast<double>(r.step->elapsed().count()) / 1e9));

  struct CounterFamily {
    const char* name;
    const char* help;
    const Counter StepMetrics::*counter;
  };
  static const CounterFamily kCounters[] = {
      {"sqlflow_step_rows_in_total", "Rows the step read.", &StepMetrics::rows_in},
      {"sqlflow_step_rows_total", "Rows the step wrote (its output).", &StepMetrics::rows_out},
      {"sqlflow_step_bytes_total", "Bytes the step read or wrote through its connector.",
       &StepMetrics::bytes},
      {"sqlflow_step_rejected_rows_total", "Rows rejected by the connector's error policy.",
       &StepMetrics::rejected_rows},
      {"sqlflow_step_retries_total", "Remote calls retried.", &StepMetrics::retries},
      {"sqlflow_step_throttle_waits_total", "Times the rate limiter delayed a call.",
       &StepMetrics::throttle_waits},
      {"sqlflow_step_breaker_trips_total", "Times the circuit breaker opened.", &StepMetrics::breaker_trips},
  };
  for (const auto& f : kCounters) {
    w.family(f.name, "counter", f.help);
    for (const auto& r : rows) w.sample(f.name, r.labels, number((r.step->*f.counter).value()));
  }
  w.family("sqlflow_step_network_wait_seconds_total", "counter",
           "Time spent blocked on the network, summed over the step's threads.");
  for (const auto& r : rows)
    w.sample("sqlflow_step_network_wait_seconds_total", r.labels,
             number(static_cast<double>(r.step->network_wait_ns.value()) / 1e9));
}

// One histogram per connector type that made remote requests (the family only when one did).
void write_request_latency(Writer& w, const RunMetrics& run, const std::string& pipeline) {
  bool histogram_family = false;
  for (const ConnectorTotals& c : run.connector_totals()) {
    if (!c.latency) continue;
    if (!histogram_family) {
      w.family("sqlflow_request_duration_seconds", "histogram",
               "Latency of remote requests per connector type.");
      histogram_family = true;
    }
    const Histogram::Snapshot& h = *c.latency;
    const std::string connector = mask_secrets(c.connector);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < Histogram::kBuckets; ++i) {
      cumulative += h.buckets[i];
      std::string le = i < Histogram::kUpperBoundsNs.size()
                           ? number(static_cast<double>(Histogram::kUpperBoundsNs[i]) / 1e9)
                           : std::string("+Inf");
      w.sample("sqlflow_request_duration_seconds_bucket",
               {{"pipeline", pipeline}, {"connector", connector}, {"le", le}}, number(cumulative));
    }
    Labels l{{"pipeline", pipeline}, {"connector", connector}};
    w.sample("sqlflow_request_duration_seconds_sum", l, number(static_cast<double>(h.sum_ns) / 1e9));
    w.sample("sqlflow_request_duration_seconds_count", l, number(h.count));
  }
}

}  // namespace

std::string to_prometheus(const RunMetrics& run) {
  Writer w;
  // Names come from the user's files and may carry a secret by accident; fixed strings do not.
  const std::string pipeline = mask_secrets(run.pipeline);
  write_run(w, run, pipeline);
  write_steps(w, step_rows(run, pipeline));
  write_request_latency(w, run, pipeline);
  return w.take();
}

void write_prometheus(const RunMetrics& run, const std::filesystem::path& path) {
  files::write_file_atomically(path, to_prometheus(run), "metrics file", ErrorKind::Usage,
                               "check that the directory is writable and the disk not full");
}

}  // namespace sqlflow::metrics
