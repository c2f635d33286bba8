// files_bench: runs ONE file path per process, so `/usr/bin/time -v` reports the peak RSS of that
// path alone. bench/files/run.sh drives it; see bench/files/README.md. (Not a Google Benchmark
// micro-benchmark, though bench/CMakeLists.txt builds every bench/*_bench.cpp: `--benchmark_*`
// arguments, as bench/run.sh MICRO=1 passes, make it exit at once.)
//
//   gen-csv FILE ROWS                 the benchmark data (12 mixed columns) as one CSV file
//   gen-parquet DIR ROWS FILES        the same rows as FILES Parquet files of consecutive ids
//   csv-load FILE                     LOAD through the csv connector: source view → CREATE TABLE AS
//   csv-load-duckdb FILE              baseline: CREATE TABLE AS SELECT * FROM read_csv(FILE)
//   parquet-load GLOB [--columns a,b] [--filters JSON]   LOAD through the parquet connector
//   parquet-scan GLOB [--columns a,b] [--filters JSON]   read the parquet source's view: every selected
//                                     column decoded (min of each) without building a table
//   export TYPE PARQUET_GLOB OUT      table (loaded first, untimed) → EXPORT through the connector
//   export-duckdb TYPE PARQUET_GLOB OUT   baseline: the same table → COPY … TO OUT with the same options
//   csv-to-parquet FILE OUT           csv source view → parquet destination (streaming; peak RSS)
//   version                           DuckDB's version
// Options: --threads T (DuckDB threads; default: all cores).
//
// Databases are in memory, so the paths differ only in how rows enter or leave DuckDB. One JSON
// line is printed: {"mode","rows","seconds",...}; seconds covers the measured step only (for our
// paths: connector construction, file checks, view and the statement, commit included).
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "connectors/registry.hpp"
#include "core/error.hpp"
#include "core/quote.hpp"
#include "engine/connection.hpp"
#include "engine/database.hpp"

using namespace sqlflow;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "files_bench: " << why << "\nsee the header of bench/files_bench.cpp for the modes\n";
  std::exit(2);
}

// The benchmark rows: 12 columns of mixed types, about 110 bytes a row as CSV. `year` grows with
// id (2015 … 2024 in ten equal bands), so a filter on it selects whole row groups.
std::string rows_sql(uint64_t begin, uint64_t end, uint64_t total) {
  const std::string band = std::to_string(std::max<uint64_t>(1, total / 10));
  return "SELECT range AS id, (range % 100000)::INTEGER AS customer_id, "
         "['EU','US','APAC','LATAM','MEA'][range % 5 + 1] AS region, "
         "'product-' || lpad((hash(range) % 50000)::VARCHAR, 5, '0') AS product, "
         "((hash(range * 7) % 100000) / 100)::DECIMAL(10,2) AS price, (range % 20 + 1)::SMALLINT AS "
         "quantity, "
         "(DATE '2015-01-01' + (range // " +
         band +
         " * 365 + range % 365)::INTEGER) AS order_date, "
         "TIMESTAMP '2015-01-01' + to_seconds(range) AS created_at, (range % 3 = 0) AS is_member, "
         "(hash(range) % 1000000) / 1000.0 AS score, left(md5(range::VARCHAR), 16) AS token, "
         "(2015 + range // " +
         band +
         ")::INTEGER AS year "
         "FROM range(" +
         std::to_string(begin) + ", " + std::to_string(end) + ")";
}

uintmax_t bytes_of(const fs::path& p) {
  std::error_code ec;
  if (fs::is_regular_file(p, ec)) return fs::file_size(p, ec);
  uintmax_t total = 0;
  if (fs::is_directory(p, ec))
    for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file(ec)) total += it->file_size(ec);
  return total;
}

uintmax_t bytes_of_glob(engine::Connection& con, const std::string& glob) {
  auto v = con.scalar("SELECT sum(size)::BIGINT FROM read_blob(" + quote_literal(glob) + ")");
  return v ? std::stoull(*v) : 0;
}

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

uint64_t count_of(engine::Connection& con, const std::string& sql) {
  auto rows = con.query(sql).rows();
  return rows.empty() ? 0 : std::stoull(rows[0][0]);
}

std::unique_ptr<connectors::Source> make_source(const std::string& type, const nlohmann::json& params) {
  using namespace connectors;
  const auto& info = Registry::instance().get(type, Role::Source);
  auto errors = check_params(info, Role::Source, params);
  if (!errors.empty()) throw errors[0];
  return info.make_source(normalize_params(info.source_params, params), ConnectorContext{fs::current_path()});
}

std::unique_ptr<connectors::Destination> make_destination(const std::string& type, const std::string& uri,
                                                          const nlohmann::json& options) {
  using namespace connectors;
  const auto& info = Registry::instance().get(type, Role::Destination);
  auto errors = check_params(info, Role::Destination, options);
  if (!errors.empty()) throw errors[0];
  return info.make_destination(uri, normalize_params(info.destination_params, options),
                               ConnectorContext{fs::current_path()});
}

// LOAD t FROM the source (as the pipeline executor runs it). Returns rows loaded.
uint64_t load(engine::Connection& con, connectors::Source& source) {
  con.execute("CREATE OR REPLACE TEMP VIEW src AS " + *source.view_sql());
  con.execute("BEGIN");
  uint64_t rows = count_of(con, "CREATE OR REPLACE TABLE t AS SELECT * FROM src");
  source.after_read(con, "src", "t");
  con.execute("COMMIT");
  return rows;
}

// EXPORT select TO out through a destination (as the pipeline executor runs it). Returns rows written.
uint64_t export_through(engine::Connection& con, const std::string& type, const std::string& select,
                        const std::string& out) {
  auto dest = make_destination(type, out, nlohmann::json::object());
  try {
    dest->open(con.query("SELECT * FROM (" + select + ") LIMIT 0").schema(), connectors::WriteMode::Replace,
               {});
    uint64_t rows = count_of(con, *dest->copy_statement(select));
    dest->commit();
    return rows;
  } catch (...) {
    dest->abort();
    throw;
  }
}

// COPY options equal to the destinations' defaults, for the baselines.
std::string copy_options(const std::string& type) {
  if (type == "csv") return "FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"', NULLSTR ''";
  if (type == "parquet") return "FORMAT parquet, COMPRESSION 'zstd'";
  usage("export type must be csv or parquet");
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 2) usage("missing mode");
  if (std::string(argv[1]).rfind("--benchmark", 0) == 0) {
    std::cerr << "files_bench is an end-to-end driver, not a micro-benchmark: run bench/files/run.sh\n";
    return 0;
  }
  std::vector<std::string> args;
  engine::DatabaseConfig config;
  std::string columns, filters;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--threads" || a == "--columns" || a == "--filters") {
      if (i + 1 >= argc) usage(a + " needs a value");
      std::string v = argv[++i];
      if (a == "--threads")
        config.threads = std::stoi(v);
      else if (a == "--columns")
        columns = v;
      else
        filters = v;
    } else {
      args.push_back(a);
    }
  }
  const std::string mode = argv[1];
  auto need = [&](size_t n) {
    if (args.size() != n) usage(mode + " takes " + std::to_string(n) + " arguments");
  };
  if (mode == "version") {
    std::cout << engine::duckdb_version() << "\n";
    return 0;
  }
  engine::Database db(config);
  engine::Connection con(db);
  nlohmann::json out = {{"mode", mode}};
  if (config.threads) out["threads"] = *config.threads;

  if (mode == "gen-csv") {
    need(2);
    const uint64_t rows = std::stoull(args[1]);
    fs::create_directories(fs::absolute(args[0]).parent_path());
    auto t0 = Clock::now();
    out["rows"] = count_of(
        con, "COPY (" + rows_sql(0, rows, rows) + ") TO " + quote_literal(args[0]) + " (FORMAT csv, HEADER)");
    out["seconds"] = since(t0);
    out["bytes"] = bytes_of(args[0]);
  } else if (mode == "gen-parquet") {
    need(3);
    const uint64_t rows = std::stoull(args[1]), files = std::stoull(args[2]);
    fs::remove_all(args[0]);
    fs::create_directories(args[0]);
    auto t0 = Clock::now();
    uint64_t written = 0;
    for (uint64_t k = 0; k < files; ++k) {
      char name[32];
      std::snprintf(name, sizeof name, "part-%02llu.parquet", static_cast<unsigned long long>(k));
      written += count_of(con, "COPY (" + rows_sql(rows * k / files, rows * (k + 1) / files, rows) + ") TO " +
                                   quote_literal((fs::path(args[0]) / name).string()) +
                                   " (FORMAT parquet, COMPRESSION zstd)");
    }
    out["rows"] = written;
    out["seconds"] = since(t0);
    out["bytes"] = bytes_of(args[0]);
  } else if (mode == "csv-load") {
    need(1);
    auto t0 = Clock::now();
    auto source = make_source("csv", {{"path", args[0]}});
    out["rows"] = load(con, *source);
    out["seconds"] = since(t0);
    out["bytes_in"] = bytes_of(args[0]);
  } else if (mode == "csv-load-duckdb") {
    need(1);
    auto t0 = Clock::now();
    out["rows"] = count_of(con, "CREATE TABLE t AS SELECT * FROM read_csv(" + quote_literal(args[0]) + ")");
    out["seconds"] = since(t0);
    out["bytes_in"] = bytes_of(args[0]);
  } else if (mode == "parquet-load" || mode == "parquet-scan") {
    need(1);
    nlohmann::json params = {{"path", args[0]}};
    if (!columns.empty()) {
      nlohmann::json list = nlohmann::json::array();
      for (size_t s = 0, e; s <= columns.size(); s = e + 1) {
        e = columns.find(',', s);
        if (e == std::string::npos) e = columns.size();
        list.push_back(columns.substr(s, e - s));
      }
      params["columns"] = list;
      out["columns"] = list;
    }
    if (!filters.empty()) {
      params["filters"] = nlohmann::json::parse(filters);
      out["filters"] = params["filters"];
    }
    auto t0 = Clock::now();
    auto source = make_source("parquet", params);
    if (mode == "parquet-load") {
      out["rows"] = load(con, *source);
    } else {
      // A read that decodes every value of every selected column, in parallel, and keeps nothing.
      con.execute("CREATE OR REPLACE TEMP VIEW src AS " + *source->view_sql());
      auto r = con.query("SELECT count(*), min(COLUMNS(*)) FROM src").rows();
      out["rows"] = std::stoull(r.at(0).at(0));
    }
    out["seconds"] = since(t0);
    out["bytes_in"] = bytes_of_glob(con, args[0]);
  } else if (mode == "export" || mode == "export-duckdb") {
    need(3);
    const std::string& type = args[0];
    con.execute("CREATE TABLE t AS SELECT * FROM read_parquet(" + quote_literal(args[1]) + ")");
    fs::remove_all(args[2]);
    auto t0 = Clock::now();
    if (mode == "export") {
      out["rows"] = export_through(con, type, "SELECT * FROM t", args[2]);
    } else {
      out["rows"] = count_of(con, "COPY t TO " + quote_literal(args[2]) + " (" + copy_options(type) + ")");
    }
    out["seconds"] = since(t0);
    out["type"] = type;
    out["bytes_out"] = bytes_of(args[2]);
  } else if (mode == "csv-to-parquet") {
    need(2);
    auto t0 = Clock::now();
    auto source = make_source("csv", {{"path", args[0]}});
    con.execute("CREATE OR REPLACE TEMP VIEW src AS " + *source.get()->view_sql());
    out["rows"] = export_through(con, "parquet", "SELECT * FROM src", args[1]);
    out["seconds"] = since(t0);
    out["bytes_in"] = bytes_of(args[0]);
    out["bytes_out"] = bytes_of(args[1]);
  } else {
    usage("unknown mode '" + mode + "'");
  }
  std::cout << out.dump() << std::endl;
  return 0;
} catch (const std::exception& e) {
  std::cerr << "files_bench: " << e.what() << "\n";
  return 1;
}
