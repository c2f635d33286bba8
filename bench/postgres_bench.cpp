// postgres_bench: runs ONE PostgreSQL path per process, so `/usr/bin/time -v` reports that path's
// peak RSS alone. bench/postgres/run.sh drives it against the test server (PGHOST, PGPORT, … from
// scripts/pg-test-server.sh env) and compares with baselines measured in the same run.
//
//   postgres_bench load PG_TABLE DUCKDB_FILE [--partitions auto|off|N] [--threads T] [--set k=v]...
//       PG table → DuckDB table `t` in a database file, through the postgres source (binary COPY,
//       sqlflow_scan table function, CREATE TABLE AS in one DuckDB transaction)
//   postgres_bench export DUCKDB_FILE PG_TABLE [--mode replace|append]
//       DuckDB table `t` → PG table through the postgres destination (binary COPY FROM STDIN)
//   postgres_bench insert DUCKDB_FILE PG_TABLE [--batch N]
//       baseline: the same rows as multi-row INSERT … VALUES statements (N rows each, one transaction)
//   postgres_bench version
// Each prints one JSON line: {"mode","rows","seconds",…}; seconds covers the data movement only.
#include <libpq-fe.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "connectors/postgres/connection_pool.hpp"
#include "connectors/registry.hpp"
#include "core/error.hpp"
#include "core/quote.hpp"
#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "engine/scan_function.hpp"

using namespace sqlflow;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void usage(const std::string& why) {
  std::cerr
      << "postgres_bench: " << why
      << "\nusage: postgres_bench load PG_TABLE DUCKDB_FILE [--partitions P] [--threads T] [--set k=v]...\n"
         "       postgres_bench export DUCKDB_FILE PG_TABLE [--mode replace|append]\n"
         "       postgres_bench insert DUCKDB_FILE PG_TABLE [--batch N]\n"
         "       postgres_bench version\n";
  std::exit(2);
}

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Connection parameters come from libpq's environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, …).
nlohmann::json conn_params() {
  return {{"application_name", "sqlflow_bench"}, {"max_connections", 16}};
}

int load(const std::string& table, const std::string& db_file, const std::vector<std::string>& args) {
  engine::DatabaseConfig config;
  config.path = db_file;
  std::string partitions = "auto";
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--partitions")
      partitions = args[i + 1];
    else if (args[i] == "--threads")
      config.threads = std::stoi(args[i + 1]);
    else if (args[i] == "--set") {
      auto eq = args[i + 1].find('=');
      if (eq == std::string::npos) usage("--set needs name=value");
      config.settings[args[i + 1].substr(0, eq)] = args[i + 1].substr(eq + 1);
    } else
      usage("unknown option " + args[i]);
  }
  std::remove(db_file.c_str());
  std::remove((db_file + ".wal").c_str());
  engine::Database db(config);
  engine::Connection con(db);
  engine::SourceCatalog catalog;
  catalog.install(con);
  auto params = conn_params();
  params["table"] = table;
  params["partitions"] = partitions;
  const auto& info = connectors::Registry::instance().get("postgres", connectors::Role::Source);
  std::shared_ptr<connectors::Source> source = info.make_source(params, {});
  auto t0 = Clock::now();
  const size_t parts = source->partition_count();
  catalog.add("src", source);
  catalog.create_view(con, "src");
  con.execute("BEGIN");
  con.execute("CREATE TABLE t AS SELECT * FROM src");
  con.execute("COMMIT");
  const double seconds = since(t0);
  const auto rows = std::stoull(*con.scalar("SELECT count(*) FROM t"));
  con.execute("CHECKPOINT");
  std::cout << nlohmann::json{{"mode", "load"},
                              {"rows", rows},
                              {"seconds", seconds},
                              {"partitions", parts},
                              {"threads", config.threads ? *config.threads : 0}}
                   .dump()
            << std::endl;
  return 0;
}

int export_table(const std::string& db_file, const std::string& table, const std::vector<std::string>& args) {
  std::string mode = "replace";
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--mode")
      mode = args[i + 1];
    else
      usage("unknown option " + args[i]);
  }
  engine::DatabaseConfig config;
  config.path = db_file;
  engine::Database db(config);
  engine::Connection con(db);
  auto params = conn_params();
  params["mode"] = mode;
  const auto& info = connectors::Registry::instance().get("postgres", connectors::Role::Destination);
  auto dest = info.make_destination(table, params, {});
  auto t0 = Clock::now();
  auto result = con.stream("SELECT * FROM t");
  dest->open(result.schema(), connectors::WriteMode::Replace, {});
  uint64_t rows = 0;
  while (auto chunk = result.next()) {
    dest->write(*chunk);
    rows += chunk->size();
  }
  dest->commit();
  const double seconds = since(t0);
  std::cout << nlohmann::json{{"mode", "export-" + mode}, {"rows", rows}, {"seconds", seconds}}.dump()
            << std::endl;
  return 0;
}

// Baseline: rows rendered as SQL literals into INSERT … VALUES (…), (…) statements.
int insert(const std::string& db_file, const std::string& table, const std::vector<std::string>& args) {
  size_t batch = 1000;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--batch")
      batch = std::stoul(args[i + 1]);
    else
      usage("unknown option " + args[i]);
  }
  engine::DatabaseConfig config;
  config.path = db_file;
  engine::Database db(config);
  engine::Connection con(db);
  PGconn* pg = PQconnectdb("application_name=sqlflow_bench_insert");
  if (PQstatus(pg) != CONNECTION_OK) {
    std::cerr << PQerrorMessage(pg);
    return 1;
  }
  auto run = [&](const std::string& sql) {
    PGresult* r = PQexec(pg, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      std::cerr << PQresultErrorMessage(r);
      std::exit(1);
    }
    PQclear(r);
  };
  auto t0 = Clock::now();
  auto result = con.stream("SELECT * FROM t");
  const Schema schema = result.schema();
  std::string head = "INSERT INTO " + quote_qualified(table) + " VALUES ";
  std::string sql = head;
  size_t in_batch = 0;
  uint64_t rows = 0;
  run("BEGIN");
  while (auto chunk = result.next()) {
    for (size_t r = 0; r < chunk->size(); ++r) {
      sql += in_batch ? ",(" : "(";
      for (size_t c = 0; c < schema.size(); ++c) {
        if (c) sql += ',';
        Vector v = chunk->column(c);
        sql += v.is_valid(r) ? quote_literal(v.to_string(r, schema[c].type)) : "NULL";
      }
      sql += ')';
      ++rows;
      if (++in_batch == batch) {
        run(sql);
        sql = head;
        in_batch = 0;
      }
    }
  }
  if (in_batch) run(sql);
  run("COMMIT");
  const double seconds = since(t0);
  PQfinish(pg);
  std::cout << nlohmann::json{{"mode", "insert-batched"},
                              {"rows", rows},
                              {"seconds", seconds},
                              {"batch", batch}}
                   .dump()
            << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) usage("missing mode");
  try {
    const std::string mode = args[0];
    if (mode == "version") {
      std::cout << engine::duckdb_version() << std::endl;
      return 0;
    }
    if (args.size() < 3) usage("missing arguments");
    std::vector<std::string> rest(args.begin() + 3, args.end());
    int rc;
    if (mode == "load")
      rc = load(args[1], args[2], rest);
    else if (mode == "export")
      rc = export_table(args[1], args[2], rest);
    else if (mode == "insert")
      rc = insert(args[1], args[2], rest);
    else
      usage("unknown mode " + mode);
    connectors::postgres::ConnectionPool::close_all_pools();
    return rc;
  } catch (const std::exception& e) {
    std::cerr << "postgres_bench: " << e.what() << std::endl;
    return 1;
  }
}
