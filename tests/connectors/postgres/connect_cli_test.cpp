// `sqlflow connect test` and `connect discover` on PostgreSQL profile connectors without a table,
// through the binary against the private test server: the server, the login's privileges, and the
// schemas and tables it offers (text and JSON); passwords never printed.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "connectors/postgres/pg_test_util.hpp"
#include "support/test_support.hpp"

namespace {

using namespace sqlflow;

constexpr const char* kReaderPassword = "pw-C18-not-shown";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class PgConnectCli : public ::testing::Test {
 protected:
  void SetUp() override {
    // The tests share one role and two schemas, and ctest runs them in parallel processes: each
    // holds a session advisory lock for its whole life, so they take turns.
    serial_ = std::make_unique<pgtest::Admin>();
    serial_->exec("SELECT pg_advisory_lock(18018)");
    pgtest::Admin admin;
    admin.exec(
        "DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'c18_reader') THEN "
        "EXECUTE 'DROP OWNED BY c18_reader'; EXECUTE 'DROP ROLE c18_reader'; END IF; END $$");
    admin.exec("DROP SCHEMA IF EXISTS c18_sales CASCADE; DROP SCHEMA IF EXISTS c18_secret CASCADE");
    admin.exec("CREATE SCHEMA c18_sales; CREATE SCHEMA c18_secret");
    admin.exec(
        "CREATE TABLE c18_sales.orders (id integer PRIMARY KEY, amount numeric(10,2), note text);"
        "INSERT INTO c18_sales.orders SELECT g, g * 1.5, 'n' || g FROM generate_series(1, 1000) g;"
        "ANALYZE c18_sales.orders;"
        "CREATE TABLE c18_sales.\"Odd Name\" (\"a b\" int);"
        "CREATE VIEW c18_sales.v AS SELECT id FROM c18_sales.orders;"
        "CREATE TABLE c18_secret.keys (k text)");
    admin.exec(std::string("CREATE ROLE c18_reader LOGIN NOSUPERUSER PASSWORD '") + kReaderPassword + "'");
    admin.exec(
        "GRANT USAGE ON SCHEMA c18_sales TO c18_reader; GRANT SELECT ON c18_sales.orders TO c18_reader");
    const std::string connection =
        "      host: ${PGHOST}\n      port: ${PGPORT}\n      dbname: ${PGDATABASE}\n";
    test::write_file(dir / "profiles/dev.yml",
                     "connectors:\n"
                     "  admin:\n    type: postgres\n    params:\n" +
                         connection +
                         "      user: ${PGUSER}\n      password: ${PGPASSWORD}\n"
                         "  sales:\n    type: postgres\n    params:\n" +
                         connection +
                         "      user: ${PGUSER}\n      password: ${PGPASSWORD}\n      schema: c18_sales\n"
                         "  reader:\n    type: postgres\n    params:\n" +
                         connection + "      user: c18_reader\n      password: " + kReaderPassword +
                         "\n"
                         "  reader_orders:\n    type: postgres\n    params:\n" +
                         connection + "      user: c18_reader\n      password: " + kReaderPassword +
                         "\n      schema: c18_sales\n      table: orders\n"
                         "  reader_secret:\n    type: postgres\n    params:\n" +
                         connection + "      user: c18_reader\n      password: " + kReaderPassword +
                         "\n      schema: c18_secret\n      table: keys\n"
                         "  reader_missing:\n    type: postgres\n    params:\n" +
                         connection + "      user: c18_reader\n      password: " + kReaderPassword +
                         "\n      table: nope\n"
                         "  wrong_password:\n    type: postgres\n    params:\n" +
                         connection + "      user: c18_reader\n      password: wrong-" + kReaderPassword +
                         "\n      max_retries: 0\n");
  }

  void expect_no_password(const test::RunResult& r) {
    EXPECT_FALSE(contains(r.out, kReaderPassword)) << r.out;
    EXPECT_FALSE(contains(r.err, kReaderPassword)) << r.err;
    const std::string admin_password = pgtest::env("PGPASSWORD");
    EXPECT_FALSE(contains(r.out, admin_password)) << r.out;
    EXPECT_FALSE(contains(r.err, admin_password)) << r.err;
  }

  std::unique_ptr<pgtest::Admin> serial_;  // holds the advisory lock until the test ends
  test::TempDir dir{"pgconnect"};
};

TEST_F(PgConnectCli, TestWithoutATableReportsVersionAndPrivileges) {
  auto r = test::run_sqlflow({"connect", "test", "reader"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "ok  reader (postgres): PostgreSQL 1")) << r.out;
  EXPECT_TRUE(contains(r.out, "as c18_reader")) << r.out;
  EXPECT_TRUE(contains(r.out, "ms, no Citus")) << r.out;  // whether the server is a Citus coordinator
  EXPECT_TRUE(contains(r.out, "user c18_reader: not a superuser")) << r.out;
  EXPECT_TRUE(contains(r.out, "CREATE TEMP yes")) << r.out;
  EXPECT_TRUE(contains(r.out, "schema c18_sales: read; 1 of 3 tables readable")) << r.out;
  EXPECT_TRUE(contains(r.out, "schema c18_secret: no access")) << r.out;
  // PostgreSQL 15 lets only the database owner create in public.
  EXPECT_TRUE(contains(r.out, "schema public: read;")) << r.out;
  expect_no_password(r);

  auto admin = test::run_sqlflow({"connect", "test", "admin"}, dir.path());
  ASSERT_EQ(admin.exit_code, 0) << admin.out << admin.err;
  EXPECT_TRUE(contains(admin.out, "user " + pgtest::env("PGUSER") + ": superuser")) << admin.out;
  EXPECT_TRUE(contains(admin.out, "schema c18_secret: read, create; 1 of 1 tables readable")) << admin.out;
  expect_no_password(admin);
}

TEST_F(PgConnectCli, TestWithATableSaysWhetherItIsReadable) {
  auto r = test::run_sqlflow({"connect", "test", "reader_orders"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "table \"c18_sales\".\"orders\": readable")) << r.out;
  expect_no_password(r);
  auto secret = test::run_sqlflow({"connect", "test", "reader_secret"}, dir.path());
  EXPECT_EQ(secret.exit_code, 1) << secret.out << secret.err;
  EXPECT_TRUE(
      contains(secret.out, "FAILED  reader_secret (postgres): table \"c18_secret\".\"keys\": no SELECT"))
      << secret.out;
  auto missing = test::run_sqlflow({"connect", "test", "reader_missing"}, dir.path());
  EXPECT_EQ(missing.exit_code, 1) << missing.out << missing.err;
  EXPECT_TRUE(
      contains(missing.out, "FAILED  reader_missing (postgres): table \"public\".\"nope\" does not exist"))
      << missing.out;
  expect_no_password(missing);
}

TEST_F(PgConnectCli, TestWithAWrongPasswordFailsWithoutPrintingIt) {
  auto r = test::run_sqlflow({"connect", "test", "wrong_password"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "FAILED  wrong_password (postgres)")) << r.out;
  EXPECT_TRUE(contains(r.out, "password")) << r.out;  // "password authentication failed"
  expect_no_password(r);
}

TEST_F(PgConnectCli, DiscoverListsTablesWithRowEstimatesAndColumns) {
  auto r = test::run_sqlflow({"connect", "discover", "sales"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(
      contains(r.out, "  c18_sales.orders (table, ~1000 rows): id integer, amount numeric(10,2), note text"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "  c18_sales.v (view): id integer")) << r.out;
  EXPECT_TRUE(contains(r.out, "  c18_sales.Odd Name (table")) << r.out;
  EXPECT_FALSE(contains(r.out, "c18_secret")) << r.out;  // the connector names its schema
  expect_no_password(r);

  auto j = test::run_sqlflow({"connect", "discover", "sales", "--format", "json"}, dir.path());
  ASSERT_EQ(j.exit_code, 0) << j.out << j.err;
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["connector"], "sales");
  EXPECT_EQ(doc["type"], "postgres");
  ASSERT_EQ(doc["items"].size(), 3u) << j.out;
  const auto& odd = doc["items"][0];  // "Odd Name" sorts before "orders"
  EXPECT_EQ(odd["name"], "c18_sales.Odd Name");
  EXPECT_EQ(odd["params"], nlohmann::json({{"schema", "c18_sales"}, {"table", "Odd Name"}}));
  EXPECT_EQ(odd["columns"], nlohmann::json::parse(R"([{"name": "a b", "type": "integer"}])"));
  const auto& orders = doc["items"][1];
  EXPECT_EQ(orders["kind"], "table");
  EXPECT_EQ(orders["rows"], 1000);
  EXPECT_EQ(orders["rows_estimated"], true);
  EXPECT_EQ(orders["columns"][1], nlohmann::json({{"name", "amount"}, {"type", "numeric(10,2)"}}));
  EXPECT_EQ(doc["items"][2]["kind"], "view");
  EXPECT_FALSE(doc["items"][2].contains("rows"));
  expect_no_password(j);

  // A discovered table's params read it.
  test::write_file(
      dir / "pipelines/p.sf",
      "SOURCE o FROM \"sales\" OPTIONS " + orders["params"].dump() +
          ";\nLOAD o_t FROM o;\n"
          "EXPORT SELECT count(*) AS n FROM o_t TO \"out/n.csv\" TYPE CSV OPTIONS {\"header\": true};\n");
  auto run = test::run_sqlflow({"pipeline", "run", "p"}, dir.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(test::read_file(dir / "out/n.csv"), "n\n1000\n");
}

TEST_F(PgConnectCli, DiscoverShowsWhatTheLoginCannotRead) {
  auto j = test::run_sqlflow({"connect", "discover", "reader", "--format", "json"}, dir.path());
  ASSERT_EQ(j.exit_code, 0) << j.out << j.err;
  auto doc = nlohmann::json::parse(j.out);
  bool saw_orders = false, saw_keys = false;
  for (const auto& item : doc["items"]) {
    if (item["name"] == "c18_sales.orders") {
      saw_orders = true;
      EXPECT_FALSE(item.contains("note")) << item.dump();
    }
    if (item["name"] == "c18_secret.keys") {
      saw_keys = true;
      EXPECT_EQ(item["note"], "no SELECT privilege") << item.dump();
    }
  }
  EXPECT_TRUE(saw_orders) << j.out;
  EXPECT_TRUE(saw_keys) << j.out;
  expect_no_password(j);
}

}  // namespace
