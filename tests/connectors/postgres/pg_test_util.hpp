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

// Makes sure the private test server runs (test_support.hpp).
inline void ensure_server() {
  test::ensure_postgres();
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
