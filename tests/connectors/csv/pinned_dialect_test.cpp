// pinned_dialect (the sniffer's result as read_csv arguments) and its use by the CSV source: a
// single file is sniffed once and read with auto_detect=false, with the same rows and types as a
// detecting read; several files are left to DuckDB's multi-file detection.
#include "connectors/csv/pinned_dialect.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

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
    return query_value(
        con, "SELECT string_agg(column_name || ' ' || column_type, ', ') FROM (DESCRIBE SELECT * FROM " +
                 reader + ")");
  }
};

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_F(PinnedDialect, ReproducesWhatTheSnifferDetects) {
  write_file(dir / "eu.csv", "id;day;amount;note\r\n1;31/12/2024;10,5;\"a;b\"\r\n2;01/01/2025;3;x\r\n");
  const std::string file = quote_literal((dir / "eu.csv").string());
  auto args = pinned_dialect(con, dir / "eu.csv", "header=true", false);
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

TEST_F(PinnedDialect, AwkwardFilesReadTheSamePinnedAsDetected) {
  const std::vector<std::pair<std::string, std::string>> files = {
      {"tz.csv", "id,at,t\n1,2024-01-01 10:00:00.123+02,10:00:01\n2,2024-06-30 23:59:59+00,23:59:59.5\n"},
      {"us.csv", "id,day,stamp\n1,01/31/2024,01/31/2024 10:00:00\n2,12/01/2023,12/01/2023 23:00:00\n"},
      {"mixed.csv", "a,b,c,d,e\n1,1.5,true,\"7\",\n2,2,false,\"x\",\n3,1e3,TRUE,\"\",\n"},
      {"tabs.tsv", "# note\nk\tv\n1\t\"a\tb\"\n2\t\"line\nbreak\"\n"},
      {"bom.csv", "\xEF\xBB\xBFid,name\r\n1,\"x,y\"\r\n2,\r\n"},
  };
  for (const auto& [name, content] : files) {
    SCOPED_TRACE(name);
    write_file(dir / name, content);
    const std::string file = quote_literal((dir / name).string());
    auto args = pinned_dialect(con, dir / name, "allow_quoted_nulls=false", false);
    ASSERT_TRUE(args.has_value());
    const std::string detected = "read_csv(" + file + ", allow_quoted_nulls=false)";
    const std::string pinned = "read_csv(" + file + ", allow_quoted_nulls=false, " + *args + ")";
    EXPECT_EQ(describe(pinned), describe(detected)) << *args;
    EXPECT_EQ(query_rows(con, "SELECT * FROM " + pinned), query_rows(con, "SELECT * FROM " + detected))
        << *args;
  }
}

TEST_F(PinnedDialect, IsoDatesKeepDuckDbsOwnCast) {
  write_file(dir / "iso.csv", "id,day\n1,2024-12-31\n2,2025-01-01\n");
  auto args = pinned_dialect(con, dir / "iso.csv", "header=true", false);
  ASSERT_TRUE(args.has_value());
  EXPECT_FALSE(contains(*args, "dateformat")) << *args;
  EXPECT_TRUE(contains(*args, "'day': 'DATE'")) << *args;
}

TEST_F(PinnedDialect, NothingToPinInAnEmptyFile) {
  write_file(dir / "empty.csv", "");
  EXPECT_FALSE(pinned_dialect(con, dir / "empty.csv", "header=true", false).has_value());
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
