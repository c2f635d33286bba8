// DuckDB's "LINE n" positions, moved from the statement it ran to the .sf file.
#include "pipeline/sql_errors.hpp"

#include <gtest/gtest.h>

#include "engine/connection.hpp"

using namespace sqlflow;
using namespace sqlflow::pipeline;

namespace {

// The error DuckDB gives for `sql`, as the engine wrapper throws it.
Error duckdb_error(const std::string& sql) {
  engine::Database db;
  engine::Connection con(db);
  con.execute("CREATE TABLE t AS SELECT 1 AS id");
  try {
    con.query(sql);
  } catch (const Error& e) {
    return e;
  }
  throw std::runtime_error("no error from: " + sql);
}

}  // namespace

TEST(SqlErrors, LineAndColumnMapIntoTheFile) {
  // The user's query starts at line 10, column 20 of the file, after "CREATE TABLE x AS ".
  const std::string user = "SELECT id,\n       nme\nFROM t";
  Error e = locate_sql_error(duckdb_error("CREATE TABLE x AS " + user), user, {"p.sf", 10, 20});
  ASSERT_TRUE(e.location());
  EXPECT_EQ(e.location()->line, 11);
  EXPECT_EQ(e.location()->column, 8);
  EXPECT_EQ(e.message().find("LINE"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("\"nme\" not found"), std::string::npos) << e.message();
}

TEST(SqlErrors, FirstLineColumnsCountFromWhereTheQueryStarts) {
  const std::string user = "SELECT nosuch(id) FROM t";
  Error e = locate_sql_error(duckdb_error("CREATE TABLE x AS " + user), user, {"p.sf", 3, 20});
  EXPECT_EQ(e.location()->line, 3);
  EXPECT_EQ(e.location()->column, 27);  // 20 + the 7 characters before "nosuch"
}

TEST(SqlErrors, LongLinesCutToAWindowStillFindTheColumn) {
  std::string user = "SELECT ";
  for (int i = 0; i < 30; ++i) user += std::to_string(i) + " AS c" + std::to_string(i) + ", ";
  const size_t at = user.size();
  user += "nosuch(1) AS z FROM t";
  Error e = locate_sql_error(duckdb_error(user), user, {"p.sf", 1, 1});
  EXPECT_EQ(e.location()->column, static_cast<int>(at) + 1) << e.message();
}

TEST(SqlErrors, WithoutAPositionTheStatementStartIsUsed) {
  Error e = locate_sql_error(data_error("Conversion Error: boom"), "SELECT 1", {"p.sf", 4, 9});
  EXPECT_EQ(e.location()->line, 4);
  EXPECT_EQ(e.location()->column, 9);
  EXPECT_EQ(e.message(), "Conversion Error: boom");
}
