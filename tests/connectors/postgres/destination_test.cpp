// The PostgreSQL destination against the real test server: the three modes, readers never seeing
// a partial load, failures injected mid-load (backend terminated, process SIGKILLed) leaving the
// target exactly as it was, schema mismatches reported before any data moves, hostile names.
#include "connectors/postgres/destination.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "pg_test_util.hpp"

using namespace sqlflow;
using namespace pgtest;
namespace pg = sqlflow::connectors::postgres;
using connectors::WriteMode;

namespace {

class PgDestination : public PgTest {
 protected:
  // target(id int primary key, name text, amount numeric(12,2)) holding ids 1..rows.
  void create_target(int rows) {
    admin->exec("CREATE TABLE " + q("target") + " (id serial PRIMARY KEY, name text, amount numeric(12,2))");
    admin->exec("CREATE INDEX target_name_idx ON " + q("target") + " (name)");
    admin->exec("INSERT INTO " + q("target") +
                " (id, name, amount) SELECT g, 'old' || g, g * 1.5 FROM generate_series(1, " +
                std::to_string(rows) + ") g");
    admin->exec("SELECT setval(pg_get_serial_sequence('" + q("target") + "', 'id'), " + std::to_string(rows) +
                ")");
  }
  std::string fingerprint(const std::string& table = "target") {
    return admin->value(
        "SELECT count(*) || ':' || coalesce(md5(string_agg(id || '/' || coalesce(name, '') || '/' || "
        "coalesce(amount::text, ''), ',' ORDER BY id)), '') FROM " +
        q(table));
  }
  std::string staging_tables() {
    return admin->value(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '" +
        schema + "' AND c.relname LIKE 'sqlflow\\_stage\\_%'");
  }
  // DuckDB rows (id, name, amount) for ids [from, to].
  std::string new_rows(int from, int to) {
    return "SELECT g::INTEGER AS id, 'new' || g AS name, (g * 2.25)::DECIMAL(12,2) AS amount FROM range(" +
           std::to_string(from) + ", " + std::to_string(to + 1) + ") t(g)";
  }
  std::unique_ptr<connectors::Destination> dest(const nlohmann::json& extra = nlohmann::json::object()) {
    return make_destination(schema + ".target", dest_params(extra));
  }
  void wait_gone(const std::string& pid) {
    for (int i = 0; i < 500; ++i) {
      if (admin->value("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid) == "0") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "backend " << pid << " did not go away";
  }
};

TEST_F(PgDestination, ReplaceSwapsTheTableAndKeepsItsDefinition) {
  create_target(100);
  Duck duck;
  auto d = dest();
  EXPECT_EQ(duck.export_to(new_rows(1, 50), *d, WriteMode::Replace), 50u);
  EXPECT_EQ(admin->value("SELECT count(*) || ' ' || min(name) FROM " + q("target")), "50 new1");
  // Indexes, primary key and the serial column's sequence survive the swap under their names.
  EXPECT_EQ(admin->value(
                "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = '" +
                schema + "' AND tablename = 'target'"),
            "target_name_idx,target_pkey");
  admin->exec("INSERT INTO " + q("target") + " (name) VALUES ('serial')");
  EXPECT_EQ(admin->value("SELECT id FROM " + q("target") + " WHERE name = 'serial'"), "101");
  EXPECT_EQ(staging_tables(), "0");
}

TEST_F(PgDestination, AppendAddsInOneTransaction) {
  create_target(10);
  Duck duck;
  auto d = dest({{"mode", "append"}});
  duck.export_to(new_rows(11, 20), *d, WriteMode::Replace);  // OPTIONS mode wins over the EXPORT's
  EXPECT_EQ(admin->value("SELECT count(*) FROM " + q("target")), "20");
}

TEST_F(PgDestination, UpsertUpdatesAndInserts) {
  create_target(10);
  Duck duck;
  auto d = dest({{"mode", "upsert"}, {"upsert_keys", {"id"}}});
  duck.export_to(new_rows(6, 15), *d, WriteMode::Replace);
  EXPECT_EQ(admin->value("SELECT count(*) FROM " + q("target")), "15");
  EXPECT_EQ(admin->value("SELECT name || ' ' || amount FROM " + q("target") + " WHERE id = 5"), "old5 7.50");
  EXPECT_EQ(admin->value("SELECT name || ' ' || amount FROM " + q("target") + " WHERE id = 6"), "new6 13.50");
  // Duplicate keys within the exported rows are an error, and nothing changes.
  std::string before = fingerprint();
  auto d2 = dest({{"mode", "upsert"}, {"upsert_keys", {"id"}}});
  try {
    duck.export_to(new_rows(1, 3) + " UNION ALL " + new_rows(3, 3), *d2, WriteMode::Upsert);
    FAIL() << "expected a duplicate key error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("more than once"), std::string::npos) << e.what();
  }
  EXPECT_EQ(fingerprint(), before);
}

TEST_F(PgDestination, UpsertCreatesTheTableWithAUniqueIndex) {
  Duck duck;
  auto d = make_destination(schema + ".fresh", dest_params({{"mode", "upsert"}, {"upsert_keys", {"id"}}}));
  duck.export_to(new_rows(1, 5), *d, WriteMode::Upsert);
  auto d2 = make_destination(schema + ".fresh", dest_params({{"mode", "upsert"}, {"upsert_keys", {"id"}}}));
  duck.export_to("SELECT 3 AS id, 'changed' AS name, 0.5::DECIMAL(12,2) AS amount", *d2, WriteMode::Upsert);
  EXPECT_EQ(admin->value("SELECT count(*) || ' ' || max(name) FILTER (WHERE id = 3) FROM " + q("fresh")),
            "5 changed");
  // Without a unique index an existing table is refused before anything moves.
  admin->exec("CREATE TABLE " + q("nokey") + " (id int, name text, amount numeric(12,2))");
  auto d3 = make_destination(schema + ".nokey", dest_params({{"mode", "upsert"}, {"upsert_keys", {"id"}}}));
  try {
    duck.export_to(new_rows(1, 2), *d3, WriteMode::Upsert);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unique index"), std::string::npos) << e.what();
  }
}

TEST_F(PgDestination, ReadersNeverSeeAPartialLoad) {
  for (const char* mode : {"replace", "append", "upsert"}) {
    SCOPED_TRACE(mode);
    admin->exec("DROP TABLE IF EXISTS " + q("target"));
    create_target(1000);
    const std::string before = fingerprint();
    Duck duck;
    const bool append = mode == std::string("append");
    auto result = duck.con.stream(new_rows(append ? 1001 : 500, 300000));
    auto d = dest({{"mode", mode}, {"upsert_keys", {"id"}}});
    d->open(result.schema(), WriteMode::Replace, {});
    int chunks = 0;
    while (auto chunk = result.next()) {
      d->write(*chunk);
      if (++chunks == 100) {
        EXPECT_EQ(fingerprint(), before);  // ~200k rows already sent
      }
    }
    EXPECT_EQ(fingerprint(), before);
    d->commit();
    EXPECT_NE(fingerprint(), before);
    EXPECT_EQ(staging_tables(), "0");
  }
}

TEST_F(PgDestination, TerminatedBackendMidLoadLeavesTheTargetAsItWas) {
  for (const char* mode : {"replace", "append", "upsert"}) {
    SCOPED_TRACE(mode);
    admin->exec("DROP TABLE IF EXISTS " + q("target"));
    create_target(1000);
    const std::string before = fingerprint();
    Duck duck;
    const bool append = mode == std::string("append");
    auto result = duck.con.stream(new_rows(append ? 1001 : 1, 200000));
    auto d = dest({{"mode", mode}, {"upsert_keys", {"id"}}});
    d->open(result.schema(), WriteMode::Replace, {});
    const int pid = dynamic_cast<pg::PostgresDestination&>(*d).backend_pid();
    ASSERT_GT(pid, 0);
    bool failed = false;
    int chunks = 0;
    try {
      while (auto chunk = result.next()) {
        d->write(*chunk);
        if (++chunks == 20) {
          admin->exec("SELECT pg_terminate_backend(" + std::to_string(pid) + ")");
          wait_gone(std::to_string(pid));
        }
      }
      d->commit();
    } catch (const Error& e) {
      failed = true;
      EXPECT_TRUE(e.retryable()) << e.what();
      d->abort();
    }
    EXPECT_TRUE(failed);
    EXPECT_EQ(fingerprint(), before);
    EXPECT_EQ(staging_tables(), "0");
    // The next run succeeds and leaves nothing behind.
    auto again = dest({{"mode", mode}, {"upsert_keys", {"id"}}});
    duck.export_to(new_rows(append ? 1001 : 1, 2000), *again, WriteMode::Replace);
    EXPECT_EQ(admin->value("SELECT count(*) FROM " + q("target")), "2000");
    EXPECT_EQ(staging_tables(), "0");
  }
}

TEST_F(PgDestination, KilledProcessMidLoadLeavesTheTargetAsItWas) {
  for (const char* mode : {"replace", "append", "upsert"}) {
    SCOPED_TRACE(mode);
    admin->exec("DROP TABLE IF EXISTS " + q("target"));
    create_target(1000);
    const std::string before = fingerprint();
    // The chunks are made before fork(); the child only encodes and sends them.
    std::vector<DataChunk> chunks;
    Schema schema_of;
    {
      Duck duck;
      auto result = duck.con.query(new_rows(mode == std::string("append") ? 1001 : 1, 100000));
      schema_of = result.schema();
      while (auto c = result.next()) chunks.push_back(std::move(*c));
    }
    const std::string child_app = app() + "_child";
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(ready[0]);
      try {
        auto d = make_destination(schema + ".target",
                                  merged(conn_params(child_app), {{"mode", mode}, {"upsert_keys", {"id"}}}));
        d->open(schema_of, WriteMode::Replace, {});
        for (const auto& c : chunks) d->write(c);
        if (write(ready[1], "x", 1) != 1) _exit(3);
        pause();  // killed here, mid-COPY
      } catch (...) {
        _exit(2);
      }
      _exit(1);
    }
    close(ready[1]);
    char byte = 0;
    ASSERT_EQ(read(ready[0], &byte, 1), 1) << "the child failed before writing";
    close(ready[0]);
    // The COPY is under way on the server: rows were sent but not committed.
    EXPECT_EQ(
        admin->value("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + child_app + "'"),
        "1");
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE(WIFSIGNALED(status));
    for (int i = 0; i < 500; ++i) {
      if (admin->value("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + child_app +
                       "'") == "0")
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(fingerprint(), before);
    Duck duck;
    auto again = dest({{"mode", mode}, {"upsert_keys", {"id"}}});
    const bool append = mode == std::string("append");
    duck.export_to(new_rows(append ? 1001 : 1, 1500), *again, WriteMode::Replace);
    EXPECT_EQ(admin->value("SELECT count(*) FROM " + q("target")), "1500");
    EXPECT_EQ(staging_tables(), "0");
  }
}

TEST_F(PgDestination, LeftoverStagingTablesAreDroppedByTheNextRun) {
  create_target(10);
  auto probe = dest();
  const std::string prefix = dynamic_cast<pg::PostgresDestination&>(*probe).staging_prefix();
  // As if an older version had committed a staging table and died.
  admin->exec("CREATE TABLE " + q(prefix + "deadbeef") + " (x int)");
  EXPECT_EQ(staging_tables(), "1");
  Duck duck;
  duck.export_to(new_rows(1, 3), *probe, WriteMode::Replace);
  EXPECT_EQ(staging_tables(), "0");
}

TEST_F(PgDestination, SchemaMismatchIsReportedBeforeAnyDataMoves) {
  create_target(10);
  const std::string before = fingerprint();
  Duck duck;
  auto d = dest({{"mode", "append"}});
  try {
    duck.export_to("SELECT 1 AS id, 'x' AS nmae, 'not a number' AS amount, 42 AS extra", *d,
                   WriteMode::Append);
    FAIL() << "expected a mismatch";
  } catch (const Error& e) {
    std::string text = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::Validation);
    EXPECT_NE(text.find("\"nmae\" is not in the target"), std::string::npos) << text;
    EXPECT_NE(text.find("did you mean 'name'"), std::string::npos) << text;
    EXPECT_NE(text.find("\"extra\""), std::string::npos) << text;
  }
  EXPECT_EQ(fingerprint(), before);
  auto d2 = dest({{"mode", "append"}});
  try {
    duck.export_to("SELECT 1 AS id, 'x' AS name, DATE '2024-01-01' AS amount", *d2, WriteMode::Append);
    FAIL() << "expected a type mismatch";
  } catch (const Error& e) {
    std::string text = e.what();
    EXPECT_NE(text.find("\"amount\""), std::string::npos) << text;
    EXPECT_NE(text.find("DATE"), std::string::npos) << text;
  }
  EXPECT_EQ(fingerprint(), before);
  // A value that does not fit is a data error naming the column, and the load rolls back.
  admin->exec("CREATE TABLE " + q("small") + " (id smallint)");
  auto d3 = make_destination(schema + ".small", dest_params({{"mode", "append"}}));
  try {
    duck.export_to("SELECT 70000 AS id", *d3, WriteMode::Append);
    FAIL() << "expected an out of range error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"id\""), std::string::npos) << e.what();
  }
  EXPECT_EQ(admin->value("SELECT count(*) FROM " + q("small")), "0");
  // if_exists: fail (SQLFlow's form) refuses an existing table.
  auto d4 = make_destination(
      "ignored", dest_params({{"table_name", "target"}, {"schema", schema}, {"if_exists", "fail"}}));
  EXPECT_THROW(duck.export_to(new_rows(1, 1), *d4, WriteMode::Replace), Error);
  EXPECT_EQ(fingerprint(), before);
}

TEST_F(PgDestination, HostileIdentifiersRoundTripAndTheSentinelSurvives) {
  admin->exec("CREATE TABLE " + q("sentinel") + " (x int)");
  const std::string column = "x\"; DROP TABLE sentinel;--";
  const std::string table = "t\"; DROP TABLE sentinel;--";
  Duck duck;
  duck.con.execute("CREATE TABLE h AS SELECT 1 AS " + quote_identifier(column) + ", 'a''b\"c' AS \"select\"");
  for (const char* mode : {"upsert", "replace", "upsert"}) {
    auto d = make_destination(schema + "." + table, dest_params({{"mode", mode}, {"upsert_keys", {column}}}));
    duck.export_to("SELECT * FROM h", *d, WriteMode::Replace);
  }
  for (int run = 0; run < 2; ++run) {
    auto d = make_destination(schema + "." + table + "2", dest_params({{"mode", "append"}}));
    duck.export_to("SELECT * FROM h", *d, WriteMode::Append);
  }
  EXPECT_EQ(admin->value("SELECT count(*) FROM " + q(table + "2")), "2");
  EXPECT_EQ(admin->value("SELECT " + quote_identifier(column) + " || '|' || \"select\" FROM " + q(table)),
            "1|a'b\"c");
  EXPECT_EQ(admin->value("SELECT count(*) FROM " + q("sentinel")), "0");
  // And back into DuckDB through the source.
  duck.load("back", make_source(source_params(table)));
  EXPECT_EQ(test::query_value(duck.con, "SELECT " + quote_identifier(column) + " FROM back"), "1");
}

TEST_F(PgDestination, TypeConversionsIntoExistingColumns) {
  admin->exec("CREATE TYPE " + q("color") + " AS ENUM ('red', 'green')");
  admin->exec("CREATE TABLE " + q("conv") + " (a bigint, b numeric, c double precision, d jsonb, e " +
              q("color") + ", f inet, g uuid, h text[], i oid)");
  Duck duck;
  auto d = make_destination(schema + ".conv", dest_params({{"mode", "append"}}));
  duck.export_to(
      "SELECT 7::TINYINT AS a, 12345678901234567890::UBIGINT AS b, 1.5::FLOAT AS c, '{\"k\": [1]}' AS d, "
      "'green' AS e, '10.0.0.1/8' AS f, '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}' AS g, ['x', NULL] AS h, "
      "4000000000 AS i",
      *d, WriteMode::Append);
  EXPECT_EQ(admin->value("SELECT concat_ws('|', a, b, c, d, e, f, g, h, i) FROM " + q("conv")),
            "7|12345678901234567890|1.5|{\"k\": "
            "[1]}|green|10.0.0.1/8|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|{x,NULL}|4000000000");
}

}  // namespace
