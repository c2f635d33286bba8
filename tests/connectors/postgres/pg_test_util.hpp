// Shared helpers of the postgres connector tests: the private test server (started through
// scripts/pg-test-server.sh when the run did not start it), an admin connection, a schema per test,
// and moving data PG → DuckDB (through the scan table function) and DuckDB → PG (chunk by chunk).
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "connectors/registry.hpp"
#include "core/error.hpp"
#include "core/quote.hpp"
#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "engine/scan_function.hpp"
#include "support/test_support.hpp"

namespace pgtest {

using namespace sqlflow;

// Makes sure a server is reachable through PGHOST/PGPORT/…: the one run-tests.sh started, or one
// this process starts with the script (idempotent, so the next test process reuses it; its
// watchdog stops it after a minute without clients, since plain ctest has no cleanup step).
inline void ensure_server() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (std::getenv("PGHOST") && std::getenv("PGPORT") && std::getenv("PGPASSWORD")) return;
    const std::string script = test::source_dir() + "/scripts/pg-test-server.sh";
    if (!std::getenv("SQLFLOW_PG_DIR")) setenv("SQLFLOW_PG_DIR", (test::build_dir() + "/pg-test").c_str(), 1);
    if (std::system((script + " start --idle-stop 60 >&2").c_str()) != 0)
      throw std::runtime_error("cannot start the PostgreSQL test server");
    FILE* f = popen((script + " env").c_str(), "r");
    if (!f) throw std::runtime_error("cannot run " + script + " env");
    char line[4096];
    while (std::fgets(line, sizeof line, f)) {
      std::string s = line;
      if (s.rfind("export ", 0) != 0) continue;
      s = s.substr(7);
      size_t pos = 0;
      while (pos < s.size()) {
        size_t end = s.find_first_of(" \n", pos);
        if (end == std::string::npos) end = s.size();
        std::string kv = s.substr(pos, end - pos);
        if (auto eq = kv.find('='); eq != std::string::npos)
          setenv(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);
        pos = end + 1;
      }
    }
    pclose(f);
    if (!std::getenv("PGPORT"))
      throw std::runtime_error("the PostgreSQL test server did not report its port");
  });
}

inline std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// A plain libpq connection for setting up and checking (never the code under test).
class Admin {
 public:
  Admin() {
    ensure_server();
    conn_ = PQconnectdb("application_name=sqlflow_test_admin");
    if (PQstatus(conn_) != CONNECTION_OK)
      throw std::runtime_error(std::string("admin connection: ") + PQerrorMessage(conn_));
    exec("SET client_min_messages = warning");
  }
  ~Admin() { PQfinish(conn_); }
  Admin(const Admin&) = delete;
  Admin& operator=(const Admin&) = delete;

  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    auto st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
      std::string msg = PQresultErrorMessage(r);
      PQclear(r);
      throw std::runtime_error("admin SQL failed: " + msg + " in: " + sql.substr(0, 300));
    }
    std::vector<std::vector<std::string>> out;
    for (int i = 0; i < PQntuples(r); ++i) {
      std::vector<std::string> row;
      for (int j = 0; j < PQnfields(r); ++j)
        row.push_back(PQgetisnull(r, i, j) ? "NULL" : PQgetvalue(r, i, j));
      out.push_back(std::move(row));
    }
    PQclear(r);
    return out;
  }
  void exec(const std::string& sql) { rows(sql); }
  std::string value(const std::string& sql) {
    auto r = rows(sql);
    return r.empty() || r[0].empty() ? "NULL" : r[0][0];
  }
  PGconn* get() { return conn_; }

 private:
  PGconn* conn_;
};

// Connection parameters spelled out as a pipeline would (not through the environment).
inline nlohmann::json conn_params(const std::string& application_name = "sqlflow_test") {
  ensure_server();
  return {{"host", env("PGHOST")}, {"port", std::stoi(env("PGPORT"))}, {"dbname", env("PGDATABASE")},
          {"user", env("PGUSER")}, {"password", env("PGPASSWORD")},    {"application_name", application_name},
          {"connect_timeout", 5}};
}

inline nlohmann::json merged(nlohmann::json base, const nlohmann::json& extra) {
  for (auto& [k, v] : extra.items()) base[k] = v;
  return base;
}

inline std::unique_ptr<connectors::Source> make_source(const nlohmann::json& params) {
  const auto& info = connectors::Registry::instance().get("postgres", connectors::Role::Source);
  auto errors = connectors::check_params(info, connectors::Role::Source, params);
  if (!errors.empty()) throw errors.front();
  return info.make_source(params, {});
}

inline std::unique_ptr<connectors::Destination> make_destination(const std::string& uri,
                                                                 const nlohmann::json& params) {
  const auto& info = connectors::Registry::instance().get("postgres", connectors::Role::Destination);
  auto errors = connectors::check_params(info, connectors::Role::Destination, params);
  if (!errors.empty()) throw errors.front();
  return info.make_destination(uri, params, {});
}

// A DuckDB database with the scan table function installed.
struct Duck {
  explicit Duck(int threads = 2) : db(engine::DatabaseConfig{"", threads, "", {}}), con(db) {
    catalog.install(con);
  }
  // CREATE TABLE `table` AS SELECT * FROM the source, inside one DuckDB transaction.
  void load(const std::string& table, std::shared_ptr<connectors::Source> source,
            const std::string& select = "*") {
    catalog.add("src_" + table, source);
    catalog.create_view(con, "src_" + table);
    con.execute("BEGIN");
    try {
      con.execute("CREATE OR REPLACE TABLE " + quote_identifier(table) + " AS SELECT " + select + " FROM " +
                  quote_identifier("src_" + table));
      con.execute("COMMIT");
    } catch (...) {
      con.execute("ROLLBACK");
      throw;
    }
  }
  // Streams `sql`'s result into `dest` and commits (aborts on failure).
  uint64_t export_to(const std::string& sql, connectors::Destination& dest, connectors::WriteMode mode,
                     const std::vector<std::string>& keys = {}) {
    auto result = con.stream(sql);
    dest.open(result.schema(), mode, keys);
    uint64_t rows = 0;
    try {
      while (auto chunk = result.next()) {
        dest.write(*chunk);
        rows += chunk->size();
      }
      dest.commit();
    } catch (...) {
      dest.abort();
      throw;
    }
    return rows;
  }
  engine::Database db;
  engine::Connection con;
  engine::SourceCatalog catalog;
};

// A fresh schema per test (parallel test processes do not collide), dropped afterwards.
class PgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin = std::make_unique<Admin>();
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    std::string clean;
    for (char c : name)
      clean += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
    schema = "t_" + clean.substr(0, 40) + "_" + std::to_string(getpid());
    admin->exec("DROP SCHEMA IF EXISTS " + quote_identifier(schema) + " CASCADE");
    admin->exec("CREATE SCHEMA " + quote_identifier(schema));
    admin->exec("SET search_path = " + quote_identifier(schema) + ", public");
  }
  void TearDown() override {
    if (admin) admin->exec("DROP SCHEMA IF EXISTS " + quote_identifier(schema) + " CASCADE");
  }
  std::string q(const std::string& table) const {
    return quote_identifier(schema) + "." + quote_identifier(table);
  }
  nlohmann::json source_params(const std::string& table,
                               const nlohmann::json& extra = nlohmann::json::object()) {
    return merged(merged(conn_params(app()), {{"schema", schema}, {"table", table}}), extra);
  }
  nlohmann::json dest_params(const nlohmann::json& extra = nlohmann::json::object()) {
    return merged(conn_params(app()), extra);
  }
  // An application_name unique to this test, so its connections can be found in pg_stat_activity.
  std::string app() const { return "sqlflow_" + schema.substr(0, 50); }

  std::unique_ptr<Admin> admin;
  std::string schema;
};

}  // namespace pgtest
