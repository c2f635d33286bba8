// Metrics micro-benchmarks (Google Benchmark) and the end-to-end overhead check of issue 6
// (bench/metrics/run.sh):
// - Counter::add, Histogram::record on 1 and 2 threads (shared instance: the contended worst
//   case), against a plain non-atomic increment; the per-chunk accounting a connector does
//   (rows in, rows out, bytes); a progress frame; masking a log line.
// - `metrics_bench --e2e ROWS REPEATS DIR`: a ROWS-row CSV → table load through DuckDB's
//   read_csv, alternating runs with metrics off and on (progress thread forced on at 10 Hz with a
//   duckdb_query_progress probe, logging, JSON + Prometheus + summary at the end), and with only
//   DuckDB's progress tracking on, printing JSON with every time, the medians and the ratios to
//   off (bar: on/off ≤ 1.02).
#include <benchmark/benchmark.h>
#include <duckdb.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "metrics/exporters.hpp"
#include "metrics/logging.hpp"
#include "metrics/progress.hpp"
#include "metrics/run_metrics.hpp"
#include "metrics/secrets.hpp"

using namespace sqlflow;

namespace {

// ---- micro ----

void BM_PlainIncrement(benchmark::State& state) {
  std::uint64_t v = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(v += 1);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PlainIncrement)->UseRealTime();

void BM_CounterAdd(benchmark::State& state) {
  static metrics::Counter counter;
  for (auto _ : state) counter.add(2048);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CounterAdd)->Threads(1)->Threads(2)->UseRealTime();

void BM_HistogramRecord(benchmark::State& state) {
  static metrics::Histogram histogram;
  std::uint64_t ns = 1'000 + static_cast<std::uint64_t>(state.thread_index()) * 7;
  for (auto _ : state) {
    histogram.record_ns(ns);
    ns = ns * 3 % 1'000'000'007;  // spread over the buckets
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord)->Threads(1)->Threads(2)->UseRealTime();

void BM_ScopedLatency(benchmark::State& state) {
  static metrics::Histogram histogram;
  static metrics::Counter wait;
  for (auto _ : state) {
    metrics::ScopedLatency t(&histogram, &wait);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScopedLatency)->UseRealTime();

// What a connector does per 2048-row chunk.
void BM_ChunkAccounting(benchmark::State& state) {
  static metrics::RunMetrics run("bench");
  static metrics::StepMetrics& step = run.add_step("t", metrics::StepKind::Load, "csv");
  for (auto _ : state) {
    step.rows_in.add(2048);
    step.rows_out.add(2048);
    step.bytes.add(2048 * 40);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ChunkAccounting)->Threads(1)->Threads(2)->UseRealTime();

void BM_ProgressFrame(benchmark::State& state) {
  metrics::RunMetrics run("bench");
  for (int i = 0; i < 4; ++i) {
    auto& s = run.add_step("step_" + std::to_string(i), metrics::StepKind::Load, "csv");
    s.mark_running();
    s.rows_in.add(123'456'789);
    s.bytes.add(987'654'321);
    s.set_expected_bytes(2'000'000'000);
  }
  metrics::ProgressOptions opts;
  opts.force = true;
  opts.min_step_age = std::chrono::milliseconds(0);
  metrics::Progress progress(run, opts);  // not started: render only
  for (auto _ : state) benchmark::DoNotOptimize(progress.render_lines());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProgressFrame);

void BM_MaskLogLine(benchmark::State& state) {
  for (int i = 0; i < 5; ++i) metrics::register_secret("bench-secret-value-" + std::to_string(i));
  const std::string line =
      "GET https://api.example.com/v1/orders?page=17&limit=250&updated_since=2024-05-01 -> 200 in 183 ms "
      "(1,024 rows, step load_orders)";
  for (auto _ : state) benchmark::DoNotOptimize(metrics::mask_secrets(line));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MaskLogLine);

// ---- end to end ----

// Discards output but keeps the formatting work (unlike a stream with no buffer).
class NullBuf : public std::streambuf {
 protected:
  int_type overflow(int_type c) override { return c; }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

// User + system CPU time of the whole process (all DuckDB threads and ours) so far.
double process_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

struct E2eRun {
  double seconds;
  std::uint64_t rows;
  double max_probe_percent;  // -1 if the probe never reported
  std::uint64_t frames;
  double cpu_seconds = 0;  // filled by the caller
};

// CREATE TABLE AS reports its row count as a one-cell result ("Count"), not as rows changed.
std::uint64_t created_rows(engine::Result& result) {
  auto rows = result.rows();
  return rows.empty() || rows[0].empty() ? 0 : std::stoull(rows[0][0]);
}

// off: the bare load; duckdb_progress: only DuckDB's own progress tracking switched on (what
// the probe needs), to tell its cost from ours; on: everything the executor adds.
enum class Mode { Off, DuckdbProgress, On };
const char* mode_name(Mode m) {
  return m == Mode::Off ? "off" : m == Mode::On ? "on" : "duckdb_progress";
}

E2eRun run_load(const std::filesystem::path& csv, const std::filesystem::path& dir, Mode mode) {
  engine::Database db;
  engine::Connection con(db);
  NullBuf null_buf;
  std::ostream null_out(&null_buf);
  const std::string sql = "CREATE TABLE t AS SELECT * FROM read_csv('" + csv.string() + "')";
  if (mode != Mode::On) {
    if (mode == Mode::DuckdbProgress)
      con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false");
    auto t0 = std::chrono::steady_clock::now();
    auto result = con.query(sql);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return {secs, created_rows(result), -1, 0};
  }
  // What the executor does around a step when metrics and progress are on.
  auto t0 = std::chrono::steady_clock::now();
  metrics::init_logging(metrics::LogLevel::Info, metrics::LogFormat::Text, false, &null_out);
  con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false");
  metrics::RunMetrics run("bench", "default");
  run.mark_started();
  metrics::StepMetrics& step = run.add_step("t", metrics::StepKind::Load, "csv", 1);
  const auto size = std::filesystem::file_size(csv);
  step.set_expected_bytes(size);
  metrics::ProgressOptions opts;
  opts.force = true;
  opts.out = &null_out;
  metrics::Progress progress(run, opts);
  progress.start();
  std::atomic<double> max_probe{-1};
  metrics::LogContext ctx("t", "csv");
  spdlog::info("loading {}", csv.string());
  step.mark_running();
  step.set_progress_probe([&] {
    double p = con.progress();
    double seen = max_probe.load();
    while (p > seen && !max_probe.compare_exchange_weak(seen, p)) {
    }
    return p;
  });
  auto result = con.query(sql);
  step.set_progress_probe({});
  step.rows_out.add(created_rows(result));
  step.bytes.add(size);
  step.mark_finished(metrics::StepStatus::Ok);
  spdlog::info("loaded {} rows", step.rows_out.value());
  progress.stop();
  run.mark_finished();
  metrics::write_json(run, dir / "metrics.json");
  metrics::write_prometheus(run, dir / "metrics.prom");
  metrics::print_summary(run, null_out);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {secs, step.rows_out.value(), max_probe.load(), progress.frames()};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

int run_e2e(std::uint64_t rows, int repeats, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const auto csv = dir / "input.csv";
  {
    engine::Database db;
    engine::Connection con(db);
    con.execute(
        "COPY (SELECT i AS id, i * 0.5 AS value, 'name_' || (i % 1000) AS name, "
        "TIMESTAMP '2024-01-01' + INTERVAL (i % 86400) SECOND AS ts FROM range(" +
        std::to_string(rows) + ") r(i)) TO '" + csv.string() + "' (HEADER)");
  }
  run_load(csv, dir, Mode::Off);  // warm the page cache
  std::vector<double> off, on, duckdb_progress, cpu_off, cpu_on, cpu_progress;
  nlohmann::json runs = nlohmann::json::array();
  for (int i = 0; i < repeats; ++i) {
    // Rotate the order so drift on a shared machine hits every mode alike.
    std::vector<Mode> order{Mode::Off, Mode::On, Mode::DuckdbProgress};
    std::rotate(order.begin(), order.begin() + i % 3, order.end());
    for (Mode mode : order) {
      const double cpu0 = process_cpu_seconds();
      E2eRun r = run_load(csv, dir, mode);
      r.cpu_seconds = process_cpu_seconds() - cpu0;
      if (r.rows != rows) {
        std::cerr << "metrics_bench: loaded " << r.rows << " rows, expected " << rows << "\n";
        return 1;
      }
      (mode == Mode::Off ? off : mode == Mode::On ? on : duckdb_progress).push_back(r.seconds);
      (mode == Mode::Off ? cpu_off : mode == Mode::On ? cpu_on : cpu_progress).push_back(r.cpu_seconds);
      runs.push_back({{"mode", mode_name(mode)},
                      {"seconds", r.seconds},
                      {"cpu_seconds", r.cpu_seconds},
                      {"frames", r.frames},
                      {"max_probe_percent", r.max_probe_percent}});
    }
  }
  const auto csv_bytes = std::filesystem::file_size(csv);
  std::filesystem::remove(csv);
  double m_off = median(off), m_on = median(on), m_progress = median(duckdb_progress);
  nlohmann::json out = {{"rows", rows},
                        {"csv_bytes", csv_bytes},
                        {"repeats", repeats},
                        {"runs", runs},
                        {"median_off_seconds", m_off},
                        {"median_on_seconds", m_on},
                        {"median_duckdb_progress_seconds", m_progress},
                        {"ratio_on_off", m_on / m_off},
                        {"ratio_duckdb_progress_off", m_progress / m_off},
                        // CPU time is less sensitive to other load on a shared machine than wall time.
                        {"median_cpu_off_seconds", median(cpu_off)},
                        {"median_cpu_on_seconds", median(cpu_on)},
                        {"median_cpu_duckdb_progress_seconds", median(cpu_progress)},
                        {"cpu_ratio_on_off", median(cpu_on) / median(cpu_off)},
                        {"cpu_ratio_duckdb_progress_off", median(cpu_progress) / median(cpu_off)},
                        {"rows_per_second_off", static_cast<double>(rows) / m_off},
                        {"rows_per_second_on", static_cast<double>(rows) / m_on}};
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "--e2e") {
    if (argc != 5) {
      std::cerr << "usage: metrics_bench --e2e ROWS REPEATS DIR\n";
      return 2;
    }
    return run_e2e(std::stoull(argv[2]), std::stoi(argv[3]), argv[4]);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
