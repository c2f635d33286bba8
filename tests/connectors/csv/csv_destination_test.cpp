// CSV export through the registry and a real DuckDB: options, type round trips, append,
// partitioned outputs, atomicity (failed and SIGKILLed exports) and path errors.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "connectors/csv/file_test_util.hpp"
#include "core/atomic_output.hpp"
#include "core/file_paths.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using namespace sqlflow::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

class CsvExport : public ::testing::Test {
 protected:
  TempDir dir{"csv-dst"};
  engine::Database db;
  engine::Connection con{db};

  void SetUp() override { con.execute("SET TimeZone = 'UTC'"); }
  size_t export_csv(const std::string& select, const std::string& uri, json options = json::object(),
                    connectors::WriteMode mode = connectors::WriteMode::Replace) {
    return export_query(con, "csv", select, uri, options, dir.path(), mode);
  }
};

TEST_F(CsvExport, WritesHeaderDelimiterQuoteAndNullValue) {
  EXPECT_EQ(export_csv("SELECT * FROM (VALUES (1, 'a;b', NULL), (2, '', 'q\"x')) t(id, s, n)", "out/a.csv",
                       {{"delimiter", ";"}, {"null_value", "NULL"}}),
            2u);
  EXPECT_EQ(read_file(dir / "out" / "a.csv"), "id;s;n\n1;\"a;b\";NULL\n2;;\"q\"\"x\"\n");
  // With the default null_value (empty), an empty string is written quoted so it reads back as ''.
  export_csv("SELECT '' AS s, NULL AS n", "e.csv");
  EXPECT_EQ(read_file(dir / "e.csv"), "s,n\n\"\",\n");
  export_csv("SELECT 1 AS id, DATE '2024-03-01' AS d", "b.csv",
             {{"header", false}, {"date_format", "%d/%m/%Y"}});
  EXPECT_EQ(read_file(dir / "b.csv"), "1,01/03/2024\n");
  EXPECT_EQ(dir_names(dir.path()),
            (std::vector<std::string>{"b.csv", "e.csv", "out"}));  // no temporary leftovers
}

TEST_F(CsvExport, CompressionFromTheFileNameOrTheOption) {
  export_csv("SELECT range AS id FROM range(1000)", "c.csv.gz");
  export_csv("SELECT range AS id FROM range(1000)", "c.csv.zst");
  export_csv("SELECT range AS id FROM range(1000)", "plain.csv", {{"compression", "gzip"}});
  EXPECT_EQ(read_file(dir / "c.csv.gz").substr(0, 2), "\x1f\x8b");
  EXPECT_EQ(read_file(dir / "plain.csv").substr(0, 2), "\x1f\x8b");
  EXPECT_EQ(read_file(dir / "c.csv.zst").substr(0, 4), "\x28\xb5\x2f\xfd");
  EXPECT_EQ(
      query_value(con, "SELECT sum(id) FROM read_csv(" + quote_literal((dir / "c.csv.zst").string()) + ")"),
      "499500");
}

TEST_F(CsvExport, EveryTypeRoundTripsWithDeclaredColumnTypes) {
  con.execute(create_type_table_sql("src"));
  export_csv("SELECT * FROM src", "types.csv");
  json types = {{"id", "INTEGER"}};
  for (const auto& s : type_samples()) types[s.column] = s.type;
  auto source = make_file_source("csv", {{"path", "types.csv"}, {"columns", types}}, dir.path());
  create_source_view(con, "back", *source);
  EXPECT_EQ(differing_columns(con, "src", "back"), std::vector<std::string>{});
  // The comparison itself notices a changed value.
  con.execute(
      "CREATE TABLE changed AS SELECT * REPLACE (CASE WHEN id = 2 THEN s || '!' ELSE s END AS s) FROM src");
  EXPECT_EQ(differing_columns(con, "changed", "back"), std::vector<std::string>{"s (row 2): ! vs "});
}

TEST_F(CsvExport, ExtensionMustMatchType) {
  EXPECT_NO_THROW(files::check_export_type_matches_extension("CSV", "out/x.csv.gz"));
  EXPECT_NO_THROW(files::check_export_type_matches_extension("csv", "out/folder"));
  EXPECT_NO_THROW(files::check_export_type_matches_extension("postgres", "x.parquet"));
  auto err = error_of([] { files::check_export_type_matches_extension("CSV", "out/x.parquet"); });
  EXPECT_NE(err.find("'out/x.parquet'"), std::string::npos) << err;
  EXPECT_NE(err.find("TYPE CSV"), std::string::npos) << err;
  EXPECT_NE(err.find("PARQUET"), std::string::npos) << err;
  EXPECT_NE(error_of([] { files::check_export_type_matches_extension("json", "x.CSV"); }), "");
}

// ---- modes ----------------------------------------------------------------------------------

TEST_F(CsvExport, OverwriteReplacesAndAppendAddsRowsBelowOneHeader) {
  export_csv("SELECT 1 AS id, 'a' AS s", "m.csv");
  export_csv("SELECT 2 AS id, 'b' AS s", "m.csv");
  EXPECT_EQ(read_file(dir / "m.csv"), "id,s\n2,b\n");
  export_csv("SELECT 3 AS id, 'c' AS s", "m.csv", {{"mode", "append"}});
  export_csv("SELECT 4 AS id, 'd' AS s", "m.csv", json::object(), connectors::WriteMode::Append);
  EXPECT_EQ(read_file(dir / "m.csv"), "id,s\n2,b\n3,c\n4,d\n");
  // Appending to a file that does not exist yet writes the header.
  export_csv("SELECT 5 AS id", "new.csv", {{"mode", "append"}});
  EXPECT_EQ(read_file(dir / "new.csv"), "id\n5\n");
  // A compressed file is appended to as another gzip member, which readers concatenate.
  export_csv("SELECT range AS id FROM range(10)", "g.csv.gz");
  export_csv("SELECT range AS id FROM range(10, 15)", "g.csv.gz", {{"mode", "append"}});
  EXPECT_EQ(query_value(con, "SELECT count(*) || '/' || sum(id) FROM read_csv(" +
                                 quote_literal((dir / "g.csv.gz").string()) + ")"),
            "15/105");
  EXPECT_EQ(dir_names(dir.path()), (std::vector<std::string>{"g.csv.gz", "m.csv", "new.csv"}));
  EXPECT_NE(error_of([&] {
              export_csv("SELECT 1 AS id", "m.csv", {{"mode", "merge"}});
            }).find("unknown mode 'merge'"),
            std::string::npos);
}

TEST_F(CsvExport, PartitionedExportReExportAndAppend) {
  const std::string rows = "SELECT range AS id, ['EU','US','APAC'][range % 3 + 1] AS region FROM range(30)";
  EXPECT_EQ(export_csv(rows, "parts", {{"partition_by", "region"}}), 30u);
  EXPECT_EQ(dir_names(dir / "parts"), (std::vector<std::string>{"region=APAC", "region=EU", "region=US"}));
  const std::string glob = quote_literal((dir / "parts" / "**" / "*.csv").string());
  auto count = [&] {
    return query_value(con, "SELECT count(*) FROM read_csv(" + glob + ", hive_partitioning=true)");
  };
  EXPECT_EQ(count(), "30");
  // Re-export (overwrite): the folder is swapped, partitions that no longer exist disappear.
  export_csv("SELECT range AS id, 'EU' AS region FROM range(5)", "parts",
             {{"partition_by", json::array({"region"})}});
  EXPECT_EQ(dir_names(dir / "parts"), (std::vector<std::string>{"region=EU"}));
  EXPECT_EQ(count(), "5");
  // Append: new files beside the old ones.
  export_csv("SELECT range AS id, ['EU','US'][range % 2 + 1] AS region FROM range(4)", "parts",
             {{"partition_by", "region"}, {"mode", "append"}});
  EXPECT_EQ(dir_names(dir / "parts"), (std::vector<std::string>{"region=EU", "region=US"}));
  EXPECT_EQ(dir_names(dir / "parts" / "region=EU").size(), 2u);
  EXPECT_EQ(count(), "9");
  EXPECT_EQ(dir_names(dir.path()), (std::vector<std::string>{"parts"}));
  auto err = error_of([&] { export_csv(rows, "parts2", {{"partition_by", "regoin"}}); });
  EXPECT_NE(err.find("partition_by column 'regoin'"), std::string::npos) << err;
  EXPECT_NE(err.find("did you mean 'region'"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir / "parts2"));
}

// ---- atomicity ------------------------------------------------------------------------------

TEST_F(CsvExport, FailedExportLeavesThePreviousFileAndNoDebris) {
  export_csv("SELECT 1 AS id", "keep/k.csv");
  const std::string before = read_file(dir / "keep" / "k.csv");
  // Fails at run time, after the COPY has started writing.
  auto err = error_of([&] {
    export_csv(
        "SELECT CASE WHEN range < 200000 THEN range::VARCHAR ELSE 'x' END::INTEGER AS id FROM range(300000)",
        "keep/k.csv");
  });
  EXPECT_NE(err, "");
  EXPECT_EQ(read_file(dir / "keep" / "k.csv"), before);
  EXPECT_EQ(dir_names(dir / "keep"), (std::vector<std::string>{"k.csv"}));
  // A failed export into folders that did not exist removes the folders it made.
  EXPECT_NE(error_of([&] { export_csv("SELECT 'x'::INTEGER AS id", "new/deeper/k.csv"); }), "");
  EXPECT_FALSE(fs::exists(dir / "new"));
}

TEST_F(CsvExport, SigkillDuringALargeExportLeavesThePreviousFileAndTheNextRunCleansUp) {
  export_csv("SELECT 'previous' AS v", "big.csv");
  const std::string before = read_file(dir / "big.csv");
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // A fresh database made after fork; exits without running the parent's destructors.
    try {
      engine::Database cdb;
      engine::Connection ccon(cdb);
      export_query(
          ccon, "csv",
          "SELECT range AS id, md5(range::VARCHAR) AS a, md5((range + 1)::VARCHAR) AS b FROM range(50000000)",
          "big.csv", json::object(), dir.path());
    } catch (...) {
      _exit(2);
    }
    _exit(0);
  }
  // Wait until the child's temporary file holds some data, then kill it mid-write.
  fs::path temp;
  for (int i = 0; i < 3000 && temp.empty(); ++i) {
    for (const auto& name : dir_names(dir.path()))
      if (name.find(".sqlflow-tmp-" + std::to_string(child)) != std::string::npos &&
          fs::file_size(dir / name) > (1 << 20))
        temp = dir / name;
    if (temp.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_FALSE(temp.empty()) << "the child never started writing";
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the export finished before the kill";
  EXPECT_EQ(read_file(dir / "big.csv"), before);
  EXPECT_TRUE(fs::exists(temp));  // the killed run's debris…
  // …is removed by the next export of the same target, which then succeeds.
  export_csv("SELECT 'next' AS v", "big.csv");
  EXPECT_EQ(read_file(dir / "big.csv"), "v\nnext\n");
  EXPECT_EQ(dir_names(dir.path()), (std::vector<std::string>{"big.csv"}));
}

// ---- path errors ----------------------------------------------------------------------------

TEST_F(CsvExport, TargetThatIsAFolderOrUnderAFileIsAnErrorNamingIt) {
  fs::create_directories(dir / "folder.csv");
  auto err = error_of([&] { export_csv("SELECT 1 AS id", "folder.csv"); });
  EXPECT_NE(err.find("folder.csv' is a folder"), std::string::npos) << err;
  write_file(dir / "file", "x");
  err = error_of([&] { export_csv("SELECT 1 AS id", "file/x.csv"); });
  EXPECT_NE(err.find("file/x.csv"), std::string::npos) << err;
  EXPECT_NE(err.find("not a folder"), std::string::npos) << err;
  err = error_of([&] { export_csv("SELECT 1 AS id, 2 AS k", "file", {{"partition_by", "k"}}); });
  EXPECT_NE(err.find("is a file"), std::string::npos) << err;
}

TEST_F(CsvExport, FolderWithoutWritePermissionIsAnErrorNamingIt) {
  fs::create_directories(dir / "ro");
  ::chmod((dir / "ro").c_str(), 0555);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    // root writes everywhere, so the export runs in a child that drops to an unprivileged user.
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) _exit(3);
    std::string msg = error_of([&] {
      engine::Database cdb;
      engine::Connection ccon(cdb);
      export_query(ccon, "csv", "SELECT 1 AS id", "ro/x.csv", json::object(), dir.path());
    });
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
  ::chmod((dir / "ro").c_str(), 0755);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_NE(msg.find((dir / "ro").string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("ermission denied"), std::string::npos) << msg;
  EXPECT_EQ(dir_names(dir / "ro"), std::vector<std::string>{});
}

TEST_F(CsvExport, UpsertIsRefused) {
  auto err =
      error_of([&] { export_csv("SELECT 1 AS id", "u.csv", json::object(), connectors::WriteMode::Upsert); });
  EXPECT_NE(err.find("cannot be upserted"), std::string::npos) << err;
}

}  // namespace
