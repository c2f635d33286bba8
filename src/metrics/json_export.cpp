// JSON exporter; the document is specified in docs/metrics-schema.md (keep both in step, and
// bump schema_version on any change that is not a pure addition).
#include <nlohmann/json.hpp>

#include "core/atomic_output.hpp"
#include "metrics/exporters.hpp"
#include "metrics/secrets.hpp"

namespace sqlflow::metrics {

namespace {

using Json = nlohmann::ordered_json;

constexpr int kSchemaVersion = 1;

double seconds(std::uint64_t ns) {
  return static_cast<double>(ns) / 1e9;
}
double seconds(std::chrono::nanoseconds d) {
  return static_cast<double>(d.count()) / 1e9;
}

Json masked_or_null(const std::string& s) {
  return s.empty() ? Json(nullptr) : Json(mask_secrets(s));
}

Json timestamp_or_null(const std::optional<WallClock::time_point>& t) {
  return t ? Json(format_timestamp(*t)) : Json(nullptr);
}

void put_counters(Json& j, const Totals& t) {
  j["rows_in"] = t.rows_in;
  j["rows_out"] = t.rows_out;
  j["bytes"] = t.bytes;
  j["rejected_rows"] = t.rejected_rows;
  j["retries"] = t.retries;
  j["throttle_waits"] = t.throttle_waits;
  j["breaker_trips"] = t.breaker_trips;
  j["network_wait_seconds"] = seconds(t.network_wait_ns);
}

Json totals_json(const Totals& t) {
  Json j = Json::object();
  j["steps"] = t.steps;
  j["steps_ok"] = t.ok;
  j["steps_failed"] = t.failed;
  j["steps_skipped"] = t.skipped;
  j["steps_pending"] = t.pending;
  j["steps_running"] = t.running;
  put_counters(j, t);
  return j;
}

Json step_json(const StepMetrics& s) {
  Json j = Json::object();
  j["name"] = mask_secrets(s.name);
  j["kind"] = to_string(s.kind);
  j["connector"] = masked_or_null(s.connector);
  j["line"] = s.line > 0 ? Json(s.line) : Json(nullptr);
  j["status"] = to_string(s.status());
  j["started_at"] = timestamp_or_null(s.started_at());
  j["finished_at"] = timestamp_or_null(s.finished_at());
  j["duration_seconds"] = seconds(s.elapsed());
  Totals t;
  t.add(s);
  put_counters(j, t);
  j["error"] = masked_or_null(s.error());
  j["note"] = masked_or_null(s.note());
  Json warnings = Json::array();
  for (const auto& w : s.warnings()) warnings.push_back(mask_secrets(w));
  j["warnings"] = warnings;
  return j;
}

Json latency_json(const Histogram::Snapshot& h) {
  Json j = Json::object();
  j["count"] = h.count;
  j["sum_seconds"] = seconds(h.sum_ns);
  j["max_seconds"] = seconds(h.max_ns);
  j["p50_seconds"] = h.quantile_seconds(0.50);
  j["p90_seconds"] = h.quantile_seconds(0.90);
  j["p99_seconds"] = h.quantile_seconds(0.99);
  Json buckets = Json::array();
  for (std::size_t i = 0; i < Histogram::kBuckets; ++i) {
    Json b = Json::object();
    b["le_seconds"] =
        i < Histogram::kUpperBoundsNs.size() ? Json(seconds(Histogram::kUpperBoundsNs[i])) : Json(nullptr);
    b["count"] = h.buckets[i];
    buckets.push_back(std::move(b));
  }
  j["buckets"] = std::move(buckets);
  return j;
}

}  // namespace

std::string to_json(const RunMetrics& run) {
  Json doc = Json::object();
  doc["schema_version"] = kSchemaVersion;
  doc["generator"] = std::string("sqlflow ") + SQLFLOW_VERSION;
  doc["pipeline"] = mask_secrets(run.pipeline);
  doc["profile"] = masked_or_null(run.profile);
  doc["status"] = run.ok() ? "ok" : run.error().rfind("interrupted", 0) == 0 ? "interrupted" : "failed";
  doc["error"] = masked_or_null(run.error());
  doc["started_at"] = timestamp_or_null(run.started_at());
  doc["finished_at"] = timestamp_or_null(run.finished_at());
  doc["duration_seconds"] = seconds(run.elapsed());
  doc["totals"] = totals_json(run.totals());
  Json steps = Json::array();
  for (const StepMetrics* s : run.steps()) steps.push_back(step_json(*s));
  doc["steps"] = std::move(steps);
  Json connectors = Json::array();
  for (const ConnectorTotals& c : run.connector_totals()) {
    Json j = Json::object();
    j["connector"] = mask_secrets(c.connector);
    j["steps"] = c.totals.steps;
    put_counters(j, c.totals);
    j["request_latency"] = c.latency ? latency_json(*c.latency) : Json(nullptr);
    connectors.push_back(std::move(j));
  }
  doc["connectors"] = std::move(connectors);
  // Invalid UTF-8 in names or messages must not make the whole file unwritable.
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

void write_json(const RunMetrics& run, const std::filesystem::path& path) {
  files::write_file_atomically(path, to_json(run), "metrics file", ErrorKind::Usage,
                               "check that the directory is writable and the disk not full");
}

}  // namespace sqlflow::metrics
