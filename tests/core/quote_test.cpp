#include "core/quote.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "engine/connection.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;

TEST(Quote, Identifiers) {
  EXPECT_EQ(quote_identifier("plain"), "\"plain\"");
  EXPECT_EQ(quote_identifier("with space"), "\"with space\"");
  EXPECT_EQ(quote_identifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(quote_identifier("x\"; DROP TABLE s;--"), "\"x\"\"; DROP TABLE s;--\"");
  EXPECT_EQ(quote_identifier("ünïcødé_表"), "\"ünïcødé_表\"");
  EXPECT_EQ(quote_qualified("s.t"), "\"s\".\"t\"");
  EXPECT_THROW(quote_identifier(std::string("a\0b", 3)), Error);
}

TEST(Quote, Literals) {
  EXPECT_EQ(quote_literal("it's"), "'it''s'");
  EXPECT_EQ(quote_literal("back\\slash"), "'back\\slash'");
  EXPECT_EQ(quote_literal(""), "''");
}

// The quoted forms must mean exactly the original text to DuckDB.
TEST(Quote, RoundTripThroughDuckDB) {
  engine::Database db;
  engine::Connection con(db);
  for (std::string name : {"a\"b", "x\"; DROP TABLE s;--", "with space", "ünïcødé_表", "select"}) {
    con.execute("CREATE TABLE " + quote_identifier(name) + " (" + quote_identifier(name) + " INTEGER)");
    EXPECT_EQ(
        test::query_value(con, "SELECT column_name FROM information_schema.columns WHERE table_name = " +
                                   quote_literal(name)),
        name);
  }
  for (std::string value : {"it's", "back\\slash", "new\nline", "'; DROP TABLE x; --", "😀"}) {
    EXPECT_EQ(test::query_value(con, "SELECT " + quote_literal(value)), value);
  }
}
