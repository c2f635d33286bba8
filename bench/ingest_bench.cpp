// Micro-benchmarks under the ingest benchmark (bench/ingest/run.sh): how fast a GenerateSource
// reader fills chunks (per column and all four), and a 1M-row scan into a table through
// sqlflow_scan, with and without DuckDB's insertion-order preservation.
#include <benchmark/benchmark.h>

#include <memory>

#include "connectors/generate/source.hpp"
#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "engine/scan_function.hpp"

using namespace sqlflow;
using connectors::generate::GenerateSource;

namespace {

constexpr uint64_t kPartitionRows = 122880;

// Fills chunks of one 122 880-row partition with the projected columns; arg: column index, or 4
// for all four columns.
void BM_GenerateReader(benchmark::State& state) {
  const auto arg = static_cast<size_t>(state.range(0));
  std::vector<size_t> projection = arg == 4 ? std::vector<size_t>{0, 1, 2, 3} : std::vector<size_t>{arg};
  GenerateSource source(kPartitionRows, kPartitionRows);
  std::vector<LogicalType> types;
  for (size_t c : projection) types.push_back(source.schema()[c].type);
  DataChunk chunk(types);
  size_t chunks = 0, rows = 0;
  for (auto _ : state) {
    auto reader = source.open(0, projection);
    while (size_t n = reader->next(chunk)) {
      rows += n;
      ++chunks;
      chunk.reset();  // VARCHAR: drop the previous chunk's string heap, as DuckDB does between calls
    }
    benchmark::DoNotOptimize(rows);
  }
  state.SetItemsProcessed(static_cast<int64_t>(rows));
  state.counters["chunks/s"] = benchmark::Counter(static_cast<double>(chunks), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GenerateReader)->ArgName("column")->DenseRange(0, 4)->Unit(benchmark::kMillisecond);

// INSERT of 1M generated rows into an in-memory table; arg 1: preserve_insertion_order (DuckDB's
// default), 0: off.
void BM_ScanIntoTable(benchmark::State& state) {
  constexpr uint64_t kRows = 1000000;
  engine::DatabaseConfig config;
  if (state.range(0) == 0) config.settings["preserve_insertion_order"] = "false";
  engine::Database db(config);
  engine::Connection con(db);
  engine::SourceCatalog catalog;
  catalog.install(con);
  catalog.add("g", std::make_shared<GenerateSource>(kRows, kPartitionRows));
  for (auto _ : state) {
    state.PauseTiming();
    con.execute("CREATE OR REPLACE TABLE t(id BIGINT, value DOUBLE, name VARCHAR, ts TIMESTAMP)");
    state.ResumeTiming();
    con.execute("INSERT INTO t SELECT * FROM sqlflow_scan('g')");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kRows));
}
BENCHMARK(BM_ScanIntoTable)
    ->ArgName("preserve_order")
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
