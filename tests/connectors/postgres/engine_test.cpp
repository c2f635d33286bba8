// The PostgreSQL engine (profile `engine: postgres`), through the sqlflow binary against the private
// test server: the example projects produce the same outputs as on DuckDB while their tables live
// in PostgreSQL; every table write mode runs there; a load killed before its commit leaves table
// and watermark as they were; Citus distribution goes through create_distributed_table (a stand-in
// that records its calls, since Citus is not packaged here).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "connectors/postgres/pg_test_util.hpp"
#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "support/test_support.hpp"

namespace {

namespace fs = std::filesystem;
using namespace sqlflow;

std::string postgres_profile(const std::string& schema, const std::string& extra = {}) {
  return "engine: postgres\n"
         "engines:\n"
         "  postgres:\n"
         "    host: ${PGHOST}\n    port: ${PGPORT}\n    dbname: ${PGDATABASE}\n"
         "    user: ${PGUSER}\n    password: ${PGPASSWORD}\n"
         "    schema: " +
         schema + "\n" + extra;
}

// Every file under `dir`, by relative path: CSV files as their sorted lines, Parquet files as
// their sorted rows read by DuckDB.
std::map<std::string, std::vector<std::string>> outputs(const fs::path& dir) {
  std::map<std::string, std::vector<std::string>> out;
  engine::Database db;
  engine::Connection con(db);
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const std::string rel = fs::relative(e.path(), dir).string();
    std::vector<std::string> lines;
    if (e.path().extension() == ".parquet") {
      lines = test::query_rows(con, "SELECT * FROM read_parquet('" + e.path().string() + "') ORDER BY ALL");
      lines.push_back("types: " +
                      test::query_value(con,
                                        "SELECT string_agg(column_type, ',') FROM (DESCRIBE SELECT * FROM "
                                        "read_parquet('" +
                                            e.path().string() + "'))"));
    } else {
      std::istringstream in(test::read_file(e.path()));
      for (std::string line; std::getline(in, line);) lines.push_back(line);
      std::sort(lines.begin(), lines.end());
    }
    out[rel] = lines;
  }
  return out;
}

class PgEngine : public ::testing::Test {
 protected:
  void SetUp() override { pgtest::ensure_server(); }

  // A copy of examples/<name> with a profiles/pg.yml selecting the PostgreSQL engine, with the
  // variables of its dev profile.
  fs::path copy_example(const std::string& name, const fs::path& to, const std::string& schema,
                        const std::string& engine_extra = {}) {
    fs::copy(fs::path(test::source_dir()) / "examples" / name, to, fs::copy_options::recursive);
    fs::remove_all(to / "output");
    fs::remove_all(to / "target");
    const std::string dev = test::read_file(to / "profiles/dev.yml");
    const size_t vars = dev.find("variables:");
    test::write_file(to / "profiles/pg.yml", postgres_profile(schema, engine_extra) +
                                                 (vars == std::string::npos ? "" : dev.substr(vars)));
    if (engine_extra.empty()) admin.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    return to;
  }

  pgtest::Admin admin;
  test::TempDir dir{"pgengine"};
};

struct ExampleRun {
  std::string example;
  std::vector<std::string> pipelines;
  std::string vars;
};

TEST_F(PgEngine, ExamplesProduceTheDuckDbEnginesOutputsWithTheirTablesInPostgres) {
  const std::vector<ExampleRun> runs = {
      {"ecommerce", {"sales_report"}, ""},
      {"load_modes", {"basic_load_modes", "composite_keys"}, ""},
      {"conditional_pipelines", {"environment_based", "feature_flags"}, "env=dev,region=eu,min_amount=9"},
  };
  for (const auto& r : runs) {
    SCOPED_TRACE(r.example);
    const std::string schema = "e20_" + r.example;
    fs::path on_duckdb = copy_example(r.example, dir / (r.example + "_duckdb"), schema);
    fs::path on_pg = copy_example(r.example, dir / (r.example + "_pg"), schema);
    for (const auto& p : r.pipelines) {
      std::vector<std::string> args = {"pipeline", "run", p, "--quiet"};
      if (!r.vars.empty()) args.insert(args.end(), {"--vars", r.vars});
      auto duck = test::run_sqlflow(args, on_duckdb);
      ASSERT_EQ(duck.exit_code, 0) << duck.err;
      args.insert(args.end(), {"--profile", "pg"});
      auto pg = test::run_sqlflow(args, on_pg);
      ASSERT_EQ(pg.exit_code, 0) << pg.err;
    }
    auto expected = outputs(on_duckdb / "output");
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(outputs(on_pg / "output"), expected);
  }
  // The tables were made by PostgreSQL, in the profile's schema, and nothing staged was left.
  EXPECT_EQ(admin.value("SELECT count(*) FROM e20_ecommerce.monthly_category"), "18");
  EXPECT_EQ(admin.value("SELECT count(*) FROM e20_load_modes.users_table"), "6");
  EXPECT_EQ(admin.value("SELECT count(*) FROM e20_conditional_pipelines.region_totals"), "3");
  EXPECT_EQ(admin.value("SELECT count(*) FROM pg_class WHERE relname LIKE '__sqlflow_stage%' AND "
                        "relpersistence <> 't'"),
            "0");
}

// APPEND, UPSERT and INCREMENTAL BY transforms run as SQL inside PostgreSQL with DuckDB's results.
TEST_F(PgEngine, TransformModesMatchTheDuckDbEngine) {
  admin.exec("DROP SCHEMA IF EXISTS e20_modes CASCADE");
  auto project = [&](const std::string& name, const std::string& profile) {
    fs::path root = dir / name;
    test::write_file(root / "profiles/pg.yml", postgres_profile("e20_modes"));
    test::write_file(root / "profiles/dev.yml",
                     "engines:\n  duckdb:\n    mode: persistent\n    path: target/t.duckdb\n");
    test::write_file(root / "data/events.csv",
                     "id,ts,amount\n1,2024-01-01 10:00:00,5.25\n2,2024-01-02 10:00:00,7.50\n"
                     "2,2024-01-03 10:00:00,8.00\n3,2024-01-03 11:00:00,1.00\n");
    test::write_file(
        root / "pipelines/modes.sf",
        "SOURCE ev TYPE CSV PARAMS {\"path\": \"data/events.csv\"};\n"
        "LOAD events FROM ev;\n"
        "CREATE TABLE history MODE APPEND AS SELECT count(*) AS n, sum(amount) AS total FROM events;\n"
        "CREATE TABLE latest MODE UPSERT KEY (id) AS SELECT id, amount FROM events ORDER BY ts;\n"
        "CREATE TABLE daily MODE INCREMENTAL BY ts LOOKBACK 1 DAY AS\n"
        "  SELECT id, ts, amount FROM events WHERE ts > @start_dt AND ts <= @end_dt;\n"
        "EXPORT SELECT * FROM history TO \"output/history.csv\" TYPE CSV;\n"
        "EXPORT SELECT * FROM latest TO \"output/latest.csv\" TYPE CSV;\n"
        "EXPORT SELECT * FROM daily TO \"output/daily.csv\" TYPE CSV;\n");
    for (int run = 0; run < 2; ++run) {
      auto r = test::run_sqlflow({"pipeline", "run", "modes", "--quiet", "--profile", profile}, root);
      EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    return root;
  };
  fs::path duck = project("modes_duckdb", "dev");
  fs::path pg = project("modes_pg", "pg");
  auto expected = outputs(duck / "output");
  EXPECT_EQ(expected["history.csv"].size(), 3u);  // header + one row per run
  EXPECT_EQ(outputs(pg / "output"), expected);
  EXPECT_EQ(admin.value("SELECT string_agg(id || ':' || amount, ',' ORDER BY id) FROM e20_modes.latest"),
            "1:5.25,2:8,3:1");
}

// SQL only PostgreSQL understands runs on its engine; `compile --engine postgres` finds what it
// reads with PostgreSQL's EXPLAIN once the tables exist, and says so.
TEST_F(PgEngine, PostgresOnlySqlRunsAndCompileFindsItsReadsWithExplain) {
  admin.exec("DROP SCHEMA IF EXISTS e20_explain CASCADE");
  fs::path root = dir / "explain";
  test::write_file(root / "profiles/pg.yml", postgres_profile("e20_explain"));
  test::write_file(root / "data/events.csv", "id,amount\n1,5\n2,7\n3,7\n");
  test::write_file(root / "pipelines/top.sf",
                   "SOURCE ev TYPE CSV PARAMS {\"path\": \"data/events.csv\"};\n"
                   "LOAD events FROM ev;\n"
                   "CREATE TABLE top_amounts AS SELECT * FROM ONLY events ORDER BY amount DESC\n"
                   "  FETCH FIRST 1 ROW WITH TIES;\n");
  auto before = test::run_sqlflow({"pipeline", "compile", "top", "--engine", "postgres", "-p", "pg"}, root);
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_NE(before.out.find("[barrier]"), std::string::npos) << before.out;
  EXPECT_NE(before.out.find("reads found by: nothing"), std::string::npos) << before.out;
  EXPECT_NE(before.out.find("runs on: postgres (SQL runs there"), std::string::npos) << before.out;

  auto r = test::run_sqlflow({"pipeline", "run", "top", "--quiet", "-p", "pg"}, root);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(admin.value("SELECT string_agg(id::text, ',' ORDER BY id) FROM e20_explain.top_amounts"), "2,3");

  auto after = test::run_sqlflow({"pipeline", "compile", "top", "--engine", "postgres", "-p", "pg"}, root);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_NE(after.out.find("transform top_amounts  (line 3)  reads: events  after: 1"), std::string::npos)
      << after.out;
  EXPECT_NE(after.out.find("reads found by: PostgreSQL's EXPLAIN"), std::string::npos) << after.out;
  // The DuckDB engine cannot parse it: the step stays a barrier there.
  auto duck = test::run_sqlflow({"pipeline", "compile", "top", "--engine", "duckdb", "-p", "pg"}, root);
  EXPECT_NE(duck.out.find("[barrier]"), std::string::npos) << duck.out;

  // `sqlflow query` runs on the profile's engine too: the table is only in PostgreSQL, and so is
  // this SQL; statements before the last one run there first.
  auto q =
      test::run_sqlflow({"query", "SELECT id FROM ONLY top_amounts ORDER BY id FETCH FIRST 1 ROW WITH TIES",
                         "-p", "pg", "--format", "csv"},
                        root);
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(q.out, "id\n2\n");
  q = test::run_sqlflow({"query",
                         "CREATE TABLE made_by_query AS SELECT 5 AS v, 2.50::numeric AS m; "
                         "SELECT v, m, current_schema() AS s FROM made_by_query",
                         "-p", "pg", "--format", "csv"},
                        root);
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(q.out, "v,m,s\n5,2.50,e20_explain\n");
  EXPECT_EQ(admin.value("SELECT count(*) FROM e20_explain.made_by_query"), "1");
  q = test::run_sqlflow({"query", "DROP TABLE made_by_query", "-p", "pg"}, root);
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(admin.value("SELECT count(*) FROM pg_tables WHERE tablename = 'made_by_query'"), "0");
  q = test::run_sqlflow({"query", "SELECT * FROM no_such_table", "-p", "pg"}, root);
  EXPECT_NE(q.exit_code, 0);
  EXPECT_NE(q.err.find("no_such_table"), std::string::npos) << q.err;
  EXPECT_EQ(q.err.find(std::getenv("PGPASSWORD")), std::string::npos) << q.err;
}

// `pipeline validate` on this engine asks PostgreSQL, in a transaction it rolls back: what DuckDB
// accepts but PostgreSQL does not is an error at its line, and nothing is left behind. A pipeline
// may read tables the engine's schema already holds.
TEST_F(PgEngine, ValidateChecksTheSqlInPostgresAndRollsBack) {
  admin.exec(
      "DROP SCHEMA IF EXISTS e20_validate CASCADE; CREATE SCHEMA e20_validate;"
      "CREATE TABLE e20_validate.customers (id int, country text);"
      "INSERT INTO e20_validate.customers VALUES (1, 'fr'), (2, 'de'), (3, 'fr')");
  fs::path root = dir / "validate";
  test::write_file(root / "profiles/pg.yml", postgres_profile("e20_validate"));
  test::write_file(root / "data/orders.csv", "id,customer_id,amount\n1,1,5\n2,3,7\n");
  test::write_file(
      root / "pipelines/good.sf",
      "SOURCE o TYPE CSV PARAMS {\"path\": \"data/orders.csv\"};\n"
      "LOAD orders FROM o;\n"
      "CREATE TABLE by_country AS SELECT c.country, sum(o.amount) AS total\n"
      "  FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY 1;\n"
      "EXPORT SELECT * FROM by_country ORDER BY country TO \"output/by_country.csv\" TYPE CSV;\n");
  test::write_file(root / "pipelines/bad.sf",
                   "SOURCE o TYPE CSV PARAMS {\"path\": \"data/orders.csv\"};\n"
                   "LOAD orders FROM o;\n"
                   "CREATE TABLE by_country AS SELECT c.country, sum(o.amount) AS total\n"
                   "  FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY ALL;\n");
  auto good = test::run_sqlflow({"pipeline", "validate", "good", "-p", "pg"}, root);
  EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
  auto bad = test::run_sqlflow({"pipeline", "validate", "bad", "-p", "pg"}, root);
  EXPECT_EQ(bad.exit_code, 2) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("bad.sf:3:1: error:"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("on PostgreSQL"), std::string::npos) << bad.err;
  // --offline does not ask PostgreSQL: the SQL is left unchecked, and says so.
  auto offline = test::run_sqlflow({"pipeline", "validate", "bad", "-p", "pg", "--offline"}, root);
  EXPECT_EQ(offline.exit_code, 0) << offline.err;
  EXPECT_NE(offline.err.find("not checked: it runs on the postgres engine, which --offline does not ask"),
            std::string::npos)
      << offline.err;
  // Rolled back: no table was made by validating.
  EXPECT_EQ(admin.value("SELECT count(*) FROM pg_tables WHERE schemaname = 'e20_validate'"), "1");

  // Python UDFs run in the local DuckDB: on this engine they are refused at their line.
  test::write_file(root / "pipelines/udf.sf", "CREATE TABLE x AS\nSELECT PYTHON_FUNC(\"m.f\", 1) AS v;\n");
  auto udf = test::run_sqlflow({"pipeline", "validate", "udf", "-p", "pg"}, root);
  EXPECT_EQ(udf.exit_code, 2) << udf.err;
  EXPECT_NE(
      udf.err.find("udf.sf:1:1: error: PYTHON_FUNC runs in DuckDB, but profile pg runs the pipeline's SQL "
                   "on the postgres engine"),
      std::string::npos)
      << udf.err;

  auto run = test::run_sqlflow({"pipeline", "run", "good", "--quiet", "-p", "pg"}, root);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(test::read_file(root / "output/by_country.csv"), "country,total\nfr,12\n");
}

// A LOAD killed after the rows and the watermark were written, before its commit, leaves both as
// they were; the re-run loads exactly the new rows once.
TEST_F(PgEngine, AKilledIncrementalLoadLeavesTableAndWatermark) {
  admin.exec("DROP SCHEMA IF EXISTS e20_incr CASCADE");
  fs::path root = dir / "incr";
  test::write_file(root / "profiles/pg.yml", postgres_profile("e20_incr"));
  test::write_file(
      root / "pipelines/incr.sf",
      "SOURCE ev TYPE CSV PARAMS {\"path\": \"data/events.csv\", \"sync_mode\": \"incremental\", "
      "\"cursor_field\": \"id\"};\n"
      "LOAD events FROM ev MODE APPEND;\n");
  test::write_file(root / "data/events.csv", "id,name\n1,a\n2,b\n3,c\n");
  auto first = test::run_sqlflow({"pipeline", "run", "incr", "--quiet", "--profile", "pg"}, root);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(admin.value("SELECT value FROM e20_incr.sqlflow_state"), "3");

  test::write_file(root / "data/events.csv", "id,name\n1,a\n2,b\n3,c\n4,d\n5,e\n");
  auto killed = test::run_sqlflow({"pipeline", "run", "incr", "--quiet", "--profile", "pg"}, root,
                                  "SQLFLOW_TEST_CRASH_AT=load.watermark_set");
  EXPECT_NE(killed.exit_code, 0);
  EXPECT_EQ(admin.value("SELECT count(*) FROM e20_incr.events"), "3");
  EXPECT_EQ(admin.value("SELECT value FROM e20_incr.sqlflow_state"), "3");

  auto rerun = test::run_sqlflow({"pipeline", "run", "incr", "--quiet", "--profile", "pg"}, root);
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(admin.value("SELECT string_agg(id::text, ',' ORDER BY id) FROM e20_incr.events"), "1,2,3,4,5");
  EXPECT_EQ(admin.value("SELECT value FROM e20_incr.sqlflow_state"), "5");
}

// With `distribution`, each listed table is handed to create_distributed_table (or
// create_reference_table) in the step that creates it. The stand-ins record their calls.
TEST_F(PgEngine, CitusDistributionCallsCreateDistributedTableInTheCreatingStep) {
  admin.exec("DROP SCHEMA IF EXISTS e20_citus CASCADE; CREATE SCHEMA e20_citus");
  admin.exec(
      "CREATE TABLE e20_citus.citus_calls (fn text, tbl text, col text);"
      "CREATE FUNCTION e20_citus.create_distributed_table(table_name regclass, distribution_column text) "
      "RETURNS void LANGUAGE sql AS $$ INSERT INTO e20_citus.citus_calls VALUES ('distributed', "
      "table_name::text, distribution_column) $$;"
      "CREATE FUNCTION e20_citus.create_reference_table(table_name regclass) RETURNS void LANGUAGE sql AS "
      "$$ INSERT INTO e20_citus.citus_calls VALUES ('reference', table_name::text, NULL) $$");
  fs::path root = copy_example("ecommerce", dir / "citus", "e20_citus",
                               "    distribution:\n      order_lines: customer_id\n"
                               "      products_table: reference\n");
  auto r = test::run_sqlflow({"pipeline", "run", "sales_report", "--quiet", "--profile", "pg"}, root);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // `compile --engine postgres` says where each step runs.
  auto plan =
      test::run_sqlflow({"pipeline", "compile", "sales_report", "--engine", "postgres", "-p", "pg"}, root);
  EXPECT_NE(plan.out.find("[4] transform order_lines"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("runs on: DuckDB reads the source; rows go to postgres by binary COPY"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("runs on: postgres runs the query; rows come back by binary COPY"),
            std::string::npos)
      << plan.out;
  EXPECT_EQ(admin.value("SELECT string_agg(fn || ' ' || tbl || ' ' || coalesce(col, '-'), ', ' ORDER BY fn) "
                        "FROM e20_citus.citus_calls"),
            "distributed order_lines customer_id, reference products_table -");

  // Without Citus (no such functions), a configured distribution is a clear error before any step.
  admin.exec("DROP FUNCTION e20_citus.create_distributed_table(regclass, text)");
  auto no_citus = test::run_sqlflow({"pipeline", "run", "sales_report", "--profile", "pg"}, root);
  EXPECT_EQ(no_citus.exit_code, 2) << no_citus.err;
  EXPECT_NE(no_citus.err.find("engines.postgres.distribution is set"), std::string::npos) << no_citus.err;
  EXPECT_NE(no_citus.err.find("CREATE EXTENSION citus"), std::string::npos) << no_citus.err;
  EXPECT_EQ(no_citus.err.find(pgtest::env("PGPASSWORD")), std::string::npos);
}

}  // namespace
