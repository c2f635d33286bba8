// End-of-run outputs of a RunMetrics: the JSON document of docs/metrics-schema.md, the
// Prometheus text exposition file, and the summary table with its exit line for stderr.
// Every string that leaves through them passes through mask_secrets.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "metrics/run_metrics.hpp"

namespace sqlflow::metrics {

// The JSON document ("schema_version": 1, see docs/metrics-schema.md), keys in a fixed order.
std::string to_json(const RunMetrics& run);
// Writes to_json(run) to `path` atomically (temporary file + rename; missing parent folders are
// created). Throws sqlflow::Error naming the path when it cannot be written.
void write_json(const RunMetrics& run, const std::filesystem::path& path);

// Prometheus text exposition format 0.0.4 (HELP/TYPE per family, label values escaped), for
// node_exporter's textfile collector or a Pushgateway.
std::string to_prometheus(const RunMetrics& run);
void write_prometheus(const RunMetrics& run, const std::filesystem::path& path);

// The aligned table (STEP KIND CONNECTOR ROWS TIME STATUS, plus REJECTED/RETRIES/THROTTLED/TRIPS
// columns when any step has them), hint lines, then exit_line(). Identical run to run but for
// the TIME column and the time in the exit line.
void print_summary(const RunMetrics& run, std::ostream& out);
// "sqlflow: pipeline NAME ok — 3 steps, 1,234 rows, 2.1 s" or
// "sqlflow: pipeline NAME failed — 3 steps (1 failed, 1 skipped), 1,234 rows, 2.1 s".
// Rows are the sum of the steps' rows_out.
std::string exit_line(const RunMetrics& run);

// Performance hints for a finished step (network-bound, throttled, retried, breaker trips,
// rejected rows), each a sentence naming the step; empty when nothing stands out. The executor
// may append them to error messages; print_summary prints them as "hint: …" lines.
std::vector<std::string> performance_hints(const StepMetrics& step);

}  // namespace sqlflow::metrics
