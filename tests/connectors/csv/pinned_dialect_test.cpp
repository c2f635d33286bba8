// pinned_dialect (the sniffer's result as read_csv arguments) and its use by the CSV source: a
// single file is sniffed once and read with auto_detect=false, with the same rows and types as a
// detecting read; several files are left to DuckDB's multi-file detection.
#include "connectors/csv/pinned_dialect.hpp"

#include <gtest/gtest.h>

#include "connectors/csv/file_test_util.hpp"
#include "core/quote.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using namespace sqlflow::test;
using sqlflow::connectors::csv::pinned_dialect;

namespace {

class PinnedDialect : public ::testing::Test {
 protected:
  TempDir dir{"csv-pin"};
  engine::Database db;
  engine::Connection con{db};

  std::string describe(const std::string& reader) {
    return query_value(con, "SELECT string_agg(column_name || ' ' || column_type, ', ') FROM (DESCRIBE SELECT * FROM " +
                                reader + ")");
  }
};

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_F(PinnedDialect, ReproducesWhatTheSnifferDetects) {
  write_file(dir / "eu.csv", "id;day;amount;note\r\n1;31/12/2024;10,5;\"a;b\"\r\n2;01/01/2025;3;x\r\n");
  const std::string file = quote_literal((dir / "eu.csv").string());
  auto args = pinned_dialect(con, dir / "eu.csv", "header=true");
  ASSERT_TRUE(args.has_value());
  EXPECT_TRUE(contains(*args, "auto_detect=false")) << *args;
  EXPECT_TRUE(contains(*args, "delim=';'")) << *args;
  EXPECT_TRUE(contains(*args, "new_line='\\r\\n'")) << *args;
  EXPECT_TRUE(contains(*args, "dateformat='%d/%m/%Y'")) << *args;  // not ISO: kept

  const std::string detected = "read_csv(" + file + ", header=true)";
  const std::string pinned = "read_csv(" + file + ", " + *args + ")";
  EXPECT_EQ(describe(pinned), describe(detected));
  EXPECT_EQ(query_rows(con, "SELECT * FROM " + pinned + " ORDER BY id"),
            query_rows(con, "SELECT * FROM " + detected + " ORDER BY id"));
  EXPECT_EQ(query_rows(con, "SELECT day FROM " + pinned + " ORDER BY id"),
            (std::vector<std::string>{"2024-12-31", "2025-01-01"}));
}

TEST_F(PinnedDialect, IsoDatesKeepDuckDbsOwnCast) {
  write_file(dir / "iso.csv", "id,day\n1,2024-12-31\n2,2025-01-01\n");
  auto args = pinned_dialect(con, dir / "iso.csv", "header=true");
  ASSERT_TRUE(args.has_value());
  EXPECT_FALSE(contains(*args, "dateformat")) << *args;
  EXPECT_TRUE(contains(*args, "'day': 'DATE'")) << *args;
}

TEST_F(PinnedDialect, NothingToPinInAnEmptyFile) {
  write_file(dir / "empty.csv", "");
  EXPECT_FALSE(pinned_dialect(con, dir / "empty.csv", "header=true").has_value());
}

TEST_F(PinnedDialect, TheSourcePinsOneFileButNotAGlob) {
  write_file(dir / "a.csv", "id,name\n1,x\n");
  write_file(dir / "b.csv", "id,name\n2,y\n");
  auto one = make_file_source("csv", {{"path", "a.csv"}}, dir.path());
  EXPECT_TRUE(contains(*one->view_sql(), "auto_detect=false")) << *one->view_sql();
  auto two = make_file_source("csv", {{"path", "*.csv"}}, dir.path());
  EXPECT_FALSE(contains(*two->view_sql(), "auto_detect")) << *two->view_sql();
  EXPECT_EQ(query_rows(con, "SELECT * FROM (" + *one->view_sql() + ")"), (std::vector<std::string>{"1|x"}));
  // A file with only its header reads as no rows, pinned or not.
  write_file(dir / "h.csv", "id,name\n");
  auto header_only = make_file_source("csv", {{"path", "h.csv"}}, dir.path());
  EXPECT_EQ(query_value(con, "SELECT count(*) FROM (" + *header_only->view_sql() + ")"), "0");
}
