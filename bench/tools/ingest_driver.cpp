// sqlflow_bench_ingest: runs ONE ingest path per process, so `/usr/bin/time -v` reports the peak
// RSS of that path alone. bench/ingest/run.sh drives it; see bench/README.md.
//
//   sqlflow_bench_ingest source N   generate source → sqlflow_scan table function → table
//   sqlflow_bench_ingest range N    DuckDB builds the same rows itself from range(N) in SQL
//   sqlflow_bench_ingest naive N    one prepared INSERT executed per row (one transaction)
//   sqlflow_bench_ingest version    prints DuckDB's version
// Options after N: --threads T, --set name=value (any DuckDB setting), --partition-rows P.
//
// Every mode opens an in-memory database: the three paths then differ only in how rows reach the
// table (no disk I/O, WAL or checkpoint timing in the comparison), and the table's data is held
// in RAM by all three, so "peak RSS vs table size" compares like with like. It prints one JSON
// line: {"mode","rows","seconds","table_bytes",...}; seconds covers the INSERT only (not process
// start or CREATE TABLE); table_bytes is DuckDB's own accounting of the in-memory table's blocks
// (duckdb_memory(), tag IN_MEMORY_TABLE), checked against the table's row count.
#include <duckdb.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "connectors/generate/source.hpp"
#include "core/error.hpp"
#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "engine/scan_function.hpp"

using namespace sqlflow;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kCreate = "CREATE TABLE t(id BIGINT, value DOUBLE, name VARCHAR, ts TIMESTAMP)";

struct Options {
  std::string mode;
  uint64_t rows = 0;
  uint64_t partition_rows = 122880;  // the generate connector's default
  engine::DatabaseConfig db;
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "sqlflow_bench_ingest: " << why
            << "\nusage: sqlflow_bench_ingest (source|range|naive) ROWS [--threads T] [--set name=value]... "
               "[--partition-rows P]\n       sqlflow_bench_ingest version\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  if (argc < 2) usage("missing mode");
  o.mode = argv[1];
  if (o.mode == "version") return o;
  if (o.mode != "source" && o.mode != "range" && o.mode != "naive") usage("unknown mode '" + o.mode + "'");
  if (argc < 3) usage("missing ROWS");
  o.rows = std::stoull(argv[2]);
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) usage("option " + a + " needs a value");
    std::string v = argv[++i];
    if (a == "--threads") {
      o.db.threads = std::stoi(v);
    } else if (a == "--partition-rows") {
      o.partition_rows = std::stoull(v);
    } else if (a == "--set") {
      auto eq = v.find('=');
      if (eq == std::string::npos) usage("--set wants name=value");
      o.db.settings[v.substr(0, eq)] = v.substr(eq + 1);
    } else {
      usage("unknown option " + a);
    }
  }
  return o;
}

void check(duckdb_state st, duckdb_prepared_statement stmt, const char* what) {
  if (st != DuckDBSuccess) {
    const char* err = duckdb_prepare_error(stmt);
    throw data_error(std::string("naive insert: ") + what + " failed: " + (err ? err : "unknown error"));
  }
}

// The naive path as an application would write it against the C API: one prepared INSERT,
// four binds and one execute per row. All rows go in one transaction; with a commit per row it
// would be far slower, so this is the stronger of the two naive baselines.
void naive_insert(engine::Connection& con, uint64_t rows) {
  duckdb_prepared_statement stmt = nullptr;
  if (duckdb_prepare(con.handle(), "INSERT INTO t VALUES ($1, $2, $3, $4)", &stmt) != DuckDBSuccess) {
    std::string err = duckdb_prepare_error(stmt);
    duckdb_destroy_prepare(&stmt);
    throw data_error("naive insert: prepare failed: " + err);
  }
  std::unique_ptr<_duckdb_prepared_statement*, void (*)(duckdb_prepared_statement*)> guard(
      &stmt, [](duckdb_prepared_statement* s) { duckdb_destroy_prepare(s); });
  con.execute("BEGIN TRANSACTION");
  char buf[32];
  for (uint64_t id = 0; id < rows; ++id) {
    const auto i = static_cast<int64_t>(id);
    int len = std::snprintf(buf, sizeof buf, "name-%011llu", static_cast<unsigned long long>(id));
    check(duckdb_bind_int64(stmt, 1, i), stmt, "bind id");
    check(duckdb_bind_double(stmt, 2, connectors::generate::GenerateSource::value_of(i)), stmt, "bind value");
    check(duckdb_bind_varchar_length(stmt, 3, buf, static_cast<idx_t>(len)), stmt, "bind name");
    check(duckdb_bind_timestamp(
              stmt, 4, duckdb_timestamp{connectors::generate::GenerateSource::kEpochMicros + i * 1000000}),
          stmt, "bind ts");
    duckdb_result res;
    if (duckdb_execute_prepared(stmt, &res) != DuckDBSuccess) {
      std::string err = duckdb_result_error(&res);
      duckdb_destroy_result(&res);
      throw data_error("naive insert: row " + std::to_string(id) + ": " + err);
    }
    duckdb_destroy_result(&res);
  }
  con.execute("COMMIT");
}

int run(const Options& o) {
  if (o.mode == "version") {
    std::cout << engine::duckdb_version() << "\n";
    return 0;
  }
  engine::Database db(o.db);
  engine::Connection con(db);
  con.execute(kCreate);
  engine::SourceCatalog catalog;
  if (o.mode == "source") {
    catalog.install(con);
    catalog.add("g", std::make_shared<connectors::generate::GenerateSource>(o.rows, o.partition_rows));
  }

  const auto start = Clock::now();
  if (o.mode == "source") {
    con.execute("INSERT INTO t SELECT id, value, name, ts FROM sqlflow_scan('g')");
  } else if (o.mode == "range") {
    con.execute("INSERT INTO t " + connectors::generate::GenerateSource::equivalent_sql(o.rows));
  } else {
    naive_insert(con, o.rows);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  const auto count = std::stoull(con.scalar("SELECT count(*) FROM t").value_or("0"));
  if (count != o.rows)
    throw internal_error("table t holds " + std::to_string(count) + " rows, expected " +
                         std::to_string(o.rows));
  const auto table_bytes =
      std::stoull(con.scalar("SELECT memory_usage_bytes FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'")
                      .value_or("0"));
  const auto threads = con.scalar("SELECT current_setting('threads')").value_or("?");

  nlohmann::json line = {{"mode", o.mode},
                         {"rows", o.rows},
                         {"seconds", seconds},
                         {"rows_per_second", seconds > 0 ? static_cast<double>(o.rows) / seconds : 0.0},
                         {"table_bytes", table_bytes},
                         {"threads", std::stoi(threads)}};
  if (o.mode == "source") line["partition_rows"] = o.partition_rows;
  if (!o.db.settings.empty()) line["settings"] = o.db.settings;
  std::cout << line.dump() << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "sqlflow_bench_ingest: error: " << e.what() << "\n";
    return 1;
  }
}
