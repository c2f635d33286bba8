// CSV source through the registry and a real DuckDB: parameters, awkward files under on_error
// fail and skip (exact reject counts and line numbers), globs, and path errors.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "connectors/csv/file_test_util.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using namespace sqlflow::test;
using nlohmann::json;

namespace {

class CsvSource : public ::testing::Test {
 protected:
  TempDir dir{"csv-src"};
  engine::Database db;
  engine::Connection con{db};

  std::unique_ptr<connectors::Source> source(json params) {
    return make_file_source("csv", params, dir.path());
  }
  // View `name` over a CSV source with these params.
  std::unique_ptr<connectors::Source> view(const std::string& name, json params) {
    auto s = source(std::move(params));
    create_source_view(con, name, *s);
    return s;
  }
};

TEST_F(CsvSource, ReadsWithDetectedTypesAndSqlflowParams) {
  write_file(dir / "a.csv", "id;name;price\n1;x;1.5\n2;y;2.25\n");
  auto s = view("src", {{"path", "a.csv"}, {"delimiter", ";"}});
  EXPECT_EQ(query_rows(con, "SELECT * FROM src ORDER BY id"),
            (std::vector<std::string>{"1|x|1.5", "2|y|2.25"}));
  const auto& schema = s->schema();
  ASSERT_EQ(schema.size(), 3u);
  EXPECT_EQ(schema[0].name, "id");
  EXPECT_EQ(schema[0].type.to_sql(), "BIGINT");
  EXPECT_EQ(schema[2].type.to_sql(), "DOUBLE");
  EXPECT_NE(s->test_connection().find("1 file"), std::string::npos);
}

TEST_F(CsvSource, ColumnTypeOverridesNullValuesFormatsAndSkipRows) {
  write_file(dir / "b.csv",
             "# exported by a tool\nid,day,amount,note\n1,31/12/2024,10.50,NA\n2,01/01/2025,3,hello\n");
  view("src", {{"path", "b.csv"},
               {"skip_rows", 1},
               {"columns", {{"amount", "DECIMAL(10,2)"}, {"id", "INTEGER"}}},
               {"date_format", "%d/%m/%Y"},
               {"null_values", json::array({"NA"})}});
  EXPECT_EQ(query_value(con, "SELECT string_agg(column_type, ',' ORDER BY column_name) FROM (DESCRIBE src)"),
            "DECIMAL(10,2),DATE,INTEGER,VARCHAR");
  EXPECT_EQ(query_rows(con, "SELECT id, day, amount, note IS NULL FROM src ORDER BY id"),
            (std::vector<std::string>{"1|2024-12-31|10.50|true", "2|2025-01-01|3.00|false"}));
}

TEST_F(CsvSource, HeaderlessFileWithNames) {
  write_file(dir / "c.tsv", "1\tx\n2\ty\n");
  view("src", {{"path", "c.tsv"}, {"has_header", false}, {"delimiter", "\t"}, {"names", {"k", "v"}}});
  EXPECT_EQ(query_rows(con, "SELECT k, v FROM src ORDER BY k"), (std::vector<std::string>{"1|x", "2|y"}));
}

TEST_F(CsvSource, AwkwardButValidCsv) {
  // BOM, CRLF line ends, a quoted delimiter, an embedded newline, a doubled quote, and the
  // difference between an empty field (NULL) and an empty quoted string ("").
  write_file(dir / "w.csv",
             "\xEF\xBB\xBFid,text,other\r\n"
             "1,\"a,b\",x\r\n"
             "2,\"line1\r\nline2\",y\r\n"
             "3,\"say \"\"hi\"\"\",z\r\n"
             "4,,\"\"\r\n");
  view("src", {{"path", "w.csv"}});
  EXPECT_EQ(query_value(con, "SELECT string_agg(column_name, ',') FROM (DESCRIBE src)"), "id,text,other");
  EXPECT_EQ(query_value(con, "SELECT text FROM src WHERE id = 1"), "a,b");
  EXPECT_EQ(query_value(con, "SELECT text FROM src WHERE id = 2"), "line1\r\nline2");
  EXPECT_EQ(query_value(con, "SELECT text FROM src WHERE id = 3"), "say \"hi\"");
  EXPECT_EQ(query_value(con, "SELECT text IS NULL FROM src WHERE id = 4"), "true");
  EXPECT_EQ(query_value(con, "SELECT other IS NULL FROM src WHERE id = 4"), "false");
  EXPECT_EQ(query_value(con, "SELECT length(other) FROM src WHERE id = 4"), "0");
}

TEST_F(CsvSource, Latin1Encoding) {
  write_file(dir / "l.csv", "id,name\n1,caf\xE9\n");
  view("src", {{"path", "l.csv"}, {"encoding", "ISO-8859-1"}});
  EXPECT_EQ(query_value(con, "SELECT name FROM src"), "caf\xC3\xA9");
  auto err = error_of([&] { source({{"path", "l.csv"}, {"encoding", "ebcdic"}}); });
  EXPECT_NE(err.find("unsupported encoding 'ebcdic'"), std::string::npos) << err;
}

TEST_F(CsvSource, CompressedFiles) {
  con.execute("COPY (SELECT range AS id FROM range(1000)) TO " + quote_literal((dir / "z.csv.zst").string()) +
              " (FORMAT csv, COMPRESSION zstd)");
  con.execute("COPY (SELECT range AS id FROM range(500)) TO " + quote_literal((dir / "g.csv.gz").string()) +
              " (FORMAT csv, COMPRESSION gzip)");
  view("z", {{"path", "z.csv.zst"}});
  view("g", {{"path", "g.csv.gz"}, {"compression", "gzip"}});
  EXPECT_EQ(query_value(con, "SELECT sum(id) FROM z"), "499500");
  EXPECT_EQ(query_value(con, "SELECT count(*) FROM g"), "500");
}

// ---- bad rows -------------------------------------------------------------------------------

// Records 3 (cast), 6 (too many columns), 8 (invalid UTF-8) are bad; 5 is short (padded with NULL
// by default, as SQLFlow/pandas read it; bad with null_padding false); 2, 4, 7, 9 good.
// DuckDB numbers lines by record (the header is line 1; the quoted field spanning two lines of
// record 4 counts once); the byte offset of each bad line is kept too.
const char* kBad =
    "id,qty,name\n"
    "1,10,a\n"
    "2,ten,b\n"
    "3,30,\"c\nc\"\n"
    "4,40\n"
    "5,50,e,extra\n"
    "6,60,f\n"
    "7,70,g\xFF\n"
    "8,80,h\n";

TEST_F(CsvSource, OnErrorFailNamesFileLineAndValue) {
  // (DuckDB's serial reader, which padding next to a quoted newline needs, checks the encoding of
  // a whole buffer before its rows: the invalid byte would be reported first.)
  std::string bad = kBad;
  bad.erase(bad.find('\xFF'), 1);
  write_file(dir / "bad.csv", bad);
  auto s = source({{"path", "bad.csv"}, {"columns", {{"qty", "INTEGER"}}}});
  std::string err = error_of([&] {
    create_source_view(con, "src", *s);
    load_source(con, "t", "src", *s);
  });
  EXPECT_NE(err.find("bad.csv"), std::string::npos) << err;
  EXPECT_NE(err.find("line 3") == std::string::npos ? err.find("Line: 3") : 0, std::string::npos) << err;
  EXPECT_NE(err.find("ten"), std::string::npos) << err;
  EXPECT_EQ(query_value(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 't'"), "0");
}

TEST_F(CsvSource, OnErrorSkipKeepsRejectsWithFileAndLine) {
  // The invalid byte makes DuckDB's sniffer refuse to pin the file, and detection with padding
  // would add a column for the long record 6: such a file is read strictly, so the short record
  // 5 is a reject too (one row per bad line).
  write_file(dir / "bad.csv", kBad);
  auto s = view("src", {{"path", "bad.csv"}, {"columns", {{"qty", "INTEGER"}}}, {"on_error", "skip"}});
  auto r = load_source(con, "t", "src", *s);
  EXPECT_EQ(r.rejected, 4u);
  EXPECT_EQ(query_value(con, "SELECT count(*) FROM t"), "4");
  EXPECT_EQ(query_value(con, "SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM t"), "1,3,6,8");
  EXPECT_EQ(query_value(con, "SELECT name FROM t WHERE id = 3"), "c\nc");
  EXPECT_EQ(
      query_rows(con, "SELECT line, error_type FROM sqlflow_rejects.src ORDER BY line"),
      (std::vector<std::string>{"3|CAST", "5|MISSING COLUMNS", "6|TOO MANY COLUMNS", "8|INVALID ENCODING"}));
  // The offset points at the bad line's first byte.
  EXPECT_EQ(query_value(con, "SELECT byte_offset FROM sqlflow_rejects.src WHERE line = 5"),
            std::to_string(std::string(kBad).find("4,40")));
  EXPECT_EQ(query_value(con, "SELECT DISTINCT file FROM sqlflow_rejects.src"), (dir / "bad.csv").string());
  EXPECT_EQ(query_value(con, "SELECT raw_line FROM sqlflow_rejects.src WHERE line = 3"), "2,ten,b");
  EXPECT_EQ(query_value(con, "SELECT \"column\" FROM sqlflow_rejects.src WHERE line = 3"), "qty");

  // A second load of a clean file through the same connection reports only its own rejects.
  write_file(dir / "bad.csv", "id,qty,name\n1,10,a\n");
  auto clean = view("src", {{"path", "bad.csv"}, {"columns", {{"qty", "INTEGER"}}}, {"on_error", "skip"}});
  EXPECT_EQ(load_source(con, "t", "src", *clean).rejected, 0u);
  EXPECT_EQ(query_value(con, "SELECT count(*) FROM sqlflow_rejects.src"), "0");
}

TEST_F(CsvSource, ShortRowsArePaddedWithNullAndCounted) {
  // SQLFlow (pandas) reads a missing trailing field as NULL; so do we, by default, and say how often.
  write_file(dir / "r.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n9\n");
  auto s = view("src", {{"path", "r.csv"}});
  auto r = load_source(con, "t", "src", *s);
  EXPECT_EQ(
      query_rows(con, "SELECT a, coalesce(b::VARCHAR, '-'), coalesce(c::VARCHAR, '-') FROM t ORDER BY a"),
      (std::vector<std::string>{"1|2|3", "4|5|-", "6|7|8", "9|-|-"}));
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("2 rows had fewer fields than the header"), std::string::npos)
      << r.warnings[0];
  // A NULL in the last column that was written as such is not counted as padding.
  write_file(dir / "n.csv", "a,b\n1,\n2,3\n");
  auto n = view("nulls", {{"path", "n.csv"}});
  EXPECT_TRUE(load_source(con, "t2", "nulls", *n).warnings.empty());
}

TEST_F(CsvSource, OnErrorSkipPadsShortRowsAndRejectsTheRest) {
  // One rejected row per bad input line, whatever the number of errors on it: loaded + rejected =
  // input rows. The short row is padded.
  write_file(dir / "s.csv", "id,name\n1,a\n2,b,extra\n3,c\n4,d,e,f\n5\n");
  auto s = view("src", {{"path", "s.csv"}, {"on_error", "skip"}});
  auto r = load_source(con, "t", "src", *s);
  EXPECT_EQ(r.rows, 3u);
  EXPECT_EQ(r.rejected, 2u);
  EXPECT_EQ(query_rows(con, "SELECT line FROM sqlflow_rejects.src ORDER BY line"),
            (std::vector<std::string>{"3", "5"}));
  EXPECT_EQ(query_value(con, "SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM t"), "1,3,5");
}

TEST_F(CsvSource, ShortRowsAreBadWithNullPaddingOff) {
  // A ragged line where DuckDB's sniffer samples is named with its line.
  write_file(dir / "r.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n");
  auto s = source({{"path", "r.csv"}, {"null_padding", false}});
  auto err = error_of([&] { s->view_sql(); });
  EXPECT_NE(err.find("r.csv' line 3"), std::string::npos) << err;
  EXPECT_NE(err.find("4,5"), std::string::npos) << err;
  EXPECT_NE(err.find("on_error"), std::string::npos) << err;
}

TEST_F(CsvSource, RowsWithTooManyFieldsStayAnError) {
  // The sniffer would widen the table to the longest row; the header decides the width.
  write_file(dir / "l.csv", "a,b,c\n1,2,3\n4,5,6,7\n");
  auto s = view("src", {{"path", "l.csv"}});
  EXPECT_EQ(query_rows(con, "SELECT column_name FROM (DESCRIBE src)"),
            (std::vector<std::string>{"a", "b", "c"}));
  auto err = error_of([&] { load_source(con, "t", "src", *s); });
  EXPECT_NE(err.find("Expected Number of Columns: 3 Found: 4"), std::string::npos) << err;
  // A header whose last name is empty is a real column, not a widened one.
  write_file(dir / "e.csv", "a,b,\n1,2,3\n4,5,6\n");
  auto e = view("empty_name", {{"path", "e.csv"}});
  EXPECT_EQ(query_value(con, "SELECT count(*) FROM (DESCRIBE empty_name)"), "3");
}

TEST_F(CsvSource, RejectsAcrossFilesOfAGlobAreCountedPerFile) {
  std::string big = "id,v\n";
  for (int i = 0; i < 50000; ++i) big += std::to_string(i) + "," + std::to_string(i * 2) + "\n";
  write_file(dir / "in" / "p1.csv", big + "x,1\n");  // line 50002
  write_file(dir / "in" / "p2.csv", "id,v\n1,2\nthree,3\n5,6\n");
  auto s = view(
      "src", {{"path", "in/p*.csv"}, {"columns", {{"id", "BIGINT"}, {"v", "BIGINT"}}}, {"on_error", "skip"}});
  auto r = load_source(con, "t", "src", *s);
  EXPECT_EQ(r.rejected, 2u);
  EXPECT_EQ(r.rows, 50002u);
  EXPECT_EQ(query_rows(con, "SELECT parse_filename(file), line FROM sqlflow_rejects.src ORDER BY file"),
            (std::vector<std::string>{"p1.csv|50002", "p2.csv|3"}));
}

TEST_F(CsvSource, OnErrorFailBeyondTheSampleNamesFileLineAndValue) {
  std::string big = "id,v\n";
  for (int i = 0; i < 60000; ++i) big += std::to_string(i) + "," + std::to_string(i * 2) + "\n";
  write_file(dir / "late.csv", big + "oops,1\n");  // line 60002, far beyond DuckDB's sniffing sample
  auto s = source({{"path", "late.csv"}, {"columns", {{"id", "BIGINT"}}}});
  std::string err = error_of([&] {
    create_source_view(con, "src", *s);
    load_source(con, "t", "src", *s);
  });
  EXPECT_NE(err.find("Line: 60002"), std::string::npos) << err;
  EXPECT_NE(err.find("\"oops\""), std::string::npos) << err;
  EXPECT_NE(err.find((dir / "late.csv").string()), std::string::npos) << err;
  EXPECT_EQ(query_value(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 't'"), "0");
}

// ---- several files --------------------------------------------------------------------------

TEST_F(CsvSource, GlobsListsAndUnionByName) {
  write_file(dir / "d" / "s_1.csv", "id,a\n1,x\n");
  write_file(dir / "d" / "s_2.csv", "id,b,a\n2,true,y\n");
  write_file(dir / "d" / ".s_3.csv", "id,a\n3,hidden\n");  // e.g. an export still being written
  view("src", {{"path", "d/s_*.csv"}, {"union_by_name", true}, {"filename", true}});
  EXPECT_EQ(query_rows(con, "SELECT id, a, b, parse_filename(filename) FROM src ORDER BY id"),
            (std::vector<std::string>{"1|x|NULL|s_1.csv", "2|y|true|s_2.csv"}));
  view("lst", {{"path", {"d/s_2.csv", (dir / "d" / "s_1.csv").string()}}, {"union_by_name", true}});
  EXPECT_EQ(query_value(con, "SELECT count(*) FROM lst"), "2");
  write_file(dir / "d" / "deep" / "s_9.csv", "id,a\n9,z\n");
  view("rec", {{"path", "d/**/s_*.csv"}, {"union_by_name", true}});
  EXPECT_EQ(query_value(con, "SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM rec"), "1,2,9");
}

// ---- path errors ----------------------------------------------------------------------------

TEST_F(CsvSource, MissingFileEmptyGlobAndFolderAreErrorsNamingThePath) {
  auto missing = error_of([&] { source({{"path", "nope/missing.csv"}})->view_sql(); });
  EXPECT_NE(missing.find("file not found: 'nope/missing.csv'"), std::string::npos) << missing;
  auto glob = error_of([&] { source({{"path", "nothing_*.csv"}})->view_sql(); });
  EXPECT_NE(glob.find("no file matches 'nothing_*.csv'"), std::string::npos) << glob;
  std::filesystem::create_directories(dir / "folder.csv");
  auto folder = error_of([&] { source({{"path", "folder.csv"}})->view_sql(); });
  EXPECT_NE(folder.find("'folder.csv'"), std::string::npos) << folder;
  EXPECT_NE(folder.find("is a folder"), std::string::npos) << folder;
}

TEST_F(CsvSource, UnreadableFolderIsAnErrorNamingThePath) {
  write_file(dir / "locked" / "x.csv", "a\n1\n");
  ::chmod((dir / "locked").c_str(), 0);
  // root reads everything, so the check runs in a child that drops to an unprivileged user.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) _exit(3);
    std::string msg = error_of([&] { source({{"path", "locked/x.csv"}})->view_sql(); });
    if (::write(fds[1], msg.data(), msg.size()) < 0) _exit(4);
    _exit(0);
  }
  ::close(fds[1]);
  std::string msg;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) msg.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::chmod((dir / "locked").c_str(), 0755);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_NE(msg.find("locked/x.csv"), std::string::npos) << msg;
  EXPECT_NE(msg.find("ermission denied"), std::string::npos) << msg;
}

TEST_F(CsvSource, InvalidParamsFailBeforeAnyIo) {
  EXPECT_NE(error_of([&] {
              source({{"path", "x.csv"}, {"on_error", "ignore"}});
            }).find("on_error"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              source({{"path", "x.csv"}, {"delimiter", ""}});
            }).find("delimiter"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              source({{"path", "x.csv"}, {"compression", "lzma"}});
            }).find("lzma"),
            std::string::npos);
  const auto& info = connectors::Registry::instance().get("csv", connectors::Role::Source);
  auto errors =
      connectors::check_params(info, connectors::Role::Source, {{"path", "x.csv"}, {"delimeter", ","}});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(std::string(errors[0].what()).find("did you mean 'delimiter'"), std::string::npos)
      << errors[0].what();
  // SQLFlow's compatibility-only keys are accepted.
  EXPECT_TRUE(connectors::check_params(info, connectors::Role::Source,
                                       {{"path", "x.csv"}, {"engine", "pyarrow"}, {"batch_size", 1000}})
                  .empty());
}

}  // namespace
