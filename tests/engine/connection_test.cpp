#include "engine/connection.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "engine/transaction.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;

TEST(Connection, SqlErrorsBecomeErrorsWithDuckDBsMessage) {
  engine::Database db;
  engine::Connection con(db);
  try {
    con.execute("SELECT * FROM no_such_table");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Data);
    EXPECT_NE(e.message().find("no_such_table"), std::string::npos) << e.message();
  }
  EXPECT_THROW(con.prepare("SELEC 1"), Error);
}

TEST(Connection, BoundParametersAreNeverPastedIntoSql) {
  engine::Database db;
  engine::Connection con(db);
  con.execute("CREATE TABLE t (s VARCHAR, i BIGINT, d DOUBLE, b BOOLEAN)");
  auto stmt = con.prepare("INSERT INTO t VALUES ($1, $2, $3, $4)");
  stmt.bind_all({std::string("'); DROP TABLE t; --"), int64_t{42}, 2.5, true});
  stmt.execute();
  stmt.bind_all({std::monostate{}, std::monostate{}, std::monostate{}, std::monostate{}});
  stmt.execute();
  EXPECT_EQ(test::query_rows(con, "SELECT * FROM t ORDER BY i NULLS LAST"),
            (std::vector<std::string>{"'); DROP TABLE t; --|42|2.5|true", "NULL|NULL|NULL|NULL"}));
  EXPECT_EQ(con.scalar("SELECT count(*) FROM t WHERE s = $1", {std::string("'); DROP TABLE t; --")}), "1");
}

TEST(Connection, StreamingResultDeliversEveryRowChunkByChunk) {
  engine::Database db;
  engine::Connection con(db);
  engine::Result r = con.stream("SELECT range AS i FROM range(100000)");
  size_t rows = 0, chunks = 0;
  int64_t sum = 0;
  while (auto c = r.next()) {
    ++chunks;
    for (size_t i = 0; i < c->size(); ++i) sum += c->column(0).get<int64_t>(i);
    rows += c->size();
  }
  EXPECT_EQ(rows, 100000u);
  EXPECT_GT(chunks, 1u);
  EXPECT_EQ(sum, int64_t{99999} * 100000 / 2);
}

TEST(Transaction, RollsBackWhenAnExceptionUnwinds) {
  engine::Database db;
  engine::Connection con(db);
  con.execute("CREATE TABLE t AS SELECT 1 AS x");
  try {
    engine::Transaction tx(con);
    con.execute("INSERT INTO t VALUES (2)");
    con.execute("DELETE FROM t WHERE x = 1");
    throw std::runtime_error("fail in the middle");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(test::query_rows(con, "SELECT x FROM t"), std::vector<std::string>{"1"});
  {
    engine::Transaction tx(con);
    con.execute("INSERT INTO t VALUES (3)");
    tx.commit();
  }
  EXPECT_EQ(test::query_value(con, "SELECT count(*) FROM t"), "2");
}

TEST(Database, SettingsAndFiles) {
  test::TempDir dir("db");
  engine::DatabaseConfig cfg;
  cfg.path = (dir / "x.duckdb").string();
  cfg.threads = 2;
  cfg.memory_limit = "512MB";
  {
    engine::Database db(cfg);
    engine::Connection con(db);
    EXPECT_EQ(test::query_value(con, "SELECT current_setting('threads')"), "2");
    con.execute("CREATE TABLE kept AS SELECT 7 AS v");
  }
  engine::Database db(cfg);
  engine::Connection con(db);
  EXPECT_EQ(test::query_value(con, "SELECT v FROM kept"), "7");
  engine::DatabaseConfig bad;
  bad.memory_limit = "lots";
  EXPECT_THROW(engine::Database{bad}, Error);
}
