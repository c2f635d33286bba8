// AtomicOutput (temporary sibling + rename, debris of dead processes, folder swaps) and the path
// helpers of the file connectors (resolution, globs, extensions).
#include "core/atomic_output.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/file_paths.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using namespace sqlflow::files;
using sqlflow::test::read_file;
using sqlflow::test::TempDir;
using sqlflow::test::write_file;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> names(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// A pid that no longer runs: a child that exited and was reaped.
pid_t dead_pid() {
  pid_t pid = ::fork();
  if (pid == 0) _exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

TEST(AtomicOutput, FileIsInvisibleUntilCommitThenReplacesTheTarget) {
  TempDir dir("atomic");
  write_file(dir / "a.csv", "old");
  AtomicOutput out(dir / "a.csv", AtomicOutput::Layout::File, "test export");
  out.prepare();
  EXPECT_TRUE(out.target_exists());
  EXPECT_EQ(out.temp_path().parent_path(), dir.path());
  EXPECT_EQ(
      out.temp_path().filename().string().rfind(".a.csv.sqlflow-tmp-" + std::to_string(::getpid()) + "-", 0),
      0u);
  write_file(out.temp_path(), "new");
  EXPECT_EQ(read_file(dir / "a.csv"), "old");
  out.commit();
  EXPECT_EQ(read_file(dir / "a.csv"), "new");
  EXPECT_EQ(names(dir.path()), std::vector<std::string>{"a.csv"});
}

TEST(AtomicOutput, AbortRemovesTheTemporaryFileAndTheFoldersItCreated) {
  TempDir dir("atomic");
  {
    AtomicOutput out(dir / "x" / "y" / "a.csv", AtomicOutput::Layout::File, "test export");
    out.prepare();
    EXPECT_TRUE(fs::is_directory(dir / "x" / "y"));
    write_file(out.temp_path(), "partial");
    out.abort();
  }
  EXPECT_EQ(names(dir.path()), std::vector<std::string>{});
  {
    // Destroyed without commit: same as abort.
    AtomicOutput out(dir / "b.csv", AtomicOutput::Layout::File, "test export");
    out.prepare();
  }
  EXPECT_EQ(names(dir.path()), std::vector<std::string>{});
}

TEST(AtomicOutput, AppendByConcatenationKeepsTheOldBytesFirst) {
  TempDir dir("atomic");
  write_file(dir / "a.csv", "h\n1\n");
  AtomicOutput out(dir / "a.csv", AtomicOutput::Layout::File, "test export");
  out.prepare();
  write_file(out.temp_path(), "2\n");
  out.prepend_existing_target();
  EXPECT_EQ(read_file(dir / "a.csv"), "h\n1\n");
  out.commit();
  EXPECT_EQ(read_file(dir / "a.csv"), "h\n1\n2\n");
  EXPECT_EQ(names(dir.path()), std::vector<std::string>{"a.csv"});
}

TEST(AtomicOutput, FolderSwapAndMerge) {
  TempDir dir("atomic");
  write_file(dir / "out" / "k=1" / "data_0.parquet", "old1");
  write_file(dir / "out" / "k=2" / "data_0.parquet", "old2");
  {
    AtomicOutput out(dir / "out", AtomicOutput::Layout::Folder, "test export");
    out.prepare();
    EXPECT_TRUE(fs::is_directory(out.temp_path()));
    write_file(out.temp_path() / "k=1" / "data_0.parquet", "new1");
    out.merge_existing_target();  // keeps k=2, which the new output does not replace
    out.commit();
  }
  EXPECT_EQ(read_file(dir / "out" / "k=1" / "data_0.parquet"), "new1");
  EXPECT_EQ(read_file(dir / "out" / "k=2" / "data_0.parquet"), "old2");
  {
    AtomicOutput out(dir / "out", AtomicOutput::Layout::Folder, "test export");
    out.prepare();
    write_file(out.temp_path() / "k=3" / "data_0.parquet", "new3");
    out.commit();  // plain overwrite: the whole previous tree goes
  }
  EXPECT_EQ(names(dir / "out"), std::vector<std::string>{"k=3"});
  EXPECT_EQ(names(dir.path()), std::vector<std::string>{"out"});
}

TEST(AtomicOutput, DebrisOfDeadProcessesIsCleanedAndLiveOnesAreLeft) {
  TempDir dir("atomic");
  const std::string dead = std::to_string(dead_pid());
  const std::string live = std::to_string(::getppid());
  write_file(dir / "a.csv", "current");
  write_file(dir / (".a.csv.sqlflow-tmp-" + dead + "-0001"), "killed run");
  write_file(dir / (".a.csv.sqlflow-tmp-" + dead + "-0002.cat"), "killed append");
  write_file(dir / (".a.csv.sqlflow-tmp-" + live + "-0003"), "a run still going");
  write_file(dir / (".b.csv.sqlflow-tmp-" + dead + "-0004"), "another target's");
  write_file(dir / (".a.csv.sqlflow-tmp-notapid-0005"), "not ours");
  EXPECT_EQ(AtomicOutput::clean_debris(dir / "a.csv"), 2u);
  EXPECT_EQ(names(dir.path()), (std::vector<std::string>{".a.csv.sqlflow-tmp-" + live + "-0003",
                                                         ".a.csv.sqlflow-tmp-notapid-0005",
                                                         ".b.csv.sqlflow-tmp-" + dead + "-0004", "a.csv"}));
}

TEST(AtomicOutput, InterruptedFolderSwapIsRolledBack) {
  // A fallback swap killed between "previous → backup" and "new → target" leaves no target, the
  // backup and the new folder; the next run restores the previous output.
  TempDir dir("atomic");
  const std::string dead = std::to_string(dead_pid());
  write_file(dir / (".out.sqlflow-old-" + dead + "-0001") / "data_0.csv", "previous");
  write_file(dir / (".out.sqlflow-tmp-" + dead + "-0002") / "data_0.csv", "new");
  AtomicOutput out(dir / "out", AtomicOutput::Layout::Folder, "test export");
  out.prepare();
  EXPECT_TRUE(out.target_exists());
  EXPECT_EQ(read_file(dir / "out" / "data_0.csv"), "previous");
  out.abort();
  EXPECT_EQ(names(dir.path()), std::vector<std::string>{"out"});
}

TEST(AtomicOutput, WrongKindOfTargetIsAnErrorNamingIt) {
  TempDir dir("atomic");
  fs::create_directories(dir / "d.csv");
  AtomicOutput a(dir / "d.csv", AtomicOutput::Layout::File, "test export");
  try {
    a.prepare();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find((dir / "d.csv").string() + "' is a folder"), std::string::npos) << e.what();
  }
  write_file(dir / "f", "x");
  AtomicOutput b(dir / "f", AtomicOutput::Layout::Folder, "test export");
  EXPECT_THROW(b.prepare(), Error);
  EXPECT_EQ(names(dir.path()), (std::vector<std::string>{"d.csv", "f"}));
}

// ---- paths ----------------------------------------------------------------------------------

TEST(FilePaths, ResolveAgainstTheProjectFolder) {
  EXPECT_EQ(resolve("data/x.csv", "/proj"), fs::path("/proj/data/x.csv"));
  EXPECT_EQ(resolve("../x.csv", "/proj/sub"), fs::path("/proj/x.csv"));
  EXPECT_EQ(resolve("/abs/x.csv", "/proj"), fs::path("/abs/x.csv"));
  EXPECT_THROW(resolve("", "/proj"), Error);
}

TEST(FilePaths, GlobsMatchLikeDuckDBButSkipHiddenNames) {
  TempDir dir("glob");
  for (const char* f :
       {"a.csv", "b.csv", "c.txt", ".hidden.csv", "sub/d.csv", "sub/deep/e.csv", ".dot/f.csv"})
    write_file(dir / f, "x");
  auto rel = [&](const std::string& pattern) {
    std::vector<std::string> out;
    for (const auto& p : expand_glob(dir / pattern)) out.push_back(fs::relative(p, dir.path()).string());
    return out;
  };
  EXPECT_EQ(rel("*.csv"), (std::vector<std::string>{"a.csv", "b.csv"}));
  EXPECT_EQ(rel("[ab].csv"), (std::vector<std::string>{"a.csv", "b.csv"}));
  EXPECT_EQ(rel("?.*"), (std::vector<std::string>{"a.csv", "b.csv", "c.txt"}));
  EXPECT_EQ(rel("**/*.csv"), (std::vector<std::string>{"a.csv", "b.csv", "sub/d.csv", "sub/deep/e.csv"}));
  EXPECT_EQ(rel("sub/**"), (std::vector<std::string>{"sub/d.csv", "sub/deep/e.csv"}));
  EXPECT_EQ(rel(".*.csv"), (std::vector<std::string>{".hidden.csv"}));
  EXPECT_EQ(rel("missing/*.csv"), std::vector<std::string>{});
}

TEST(FilePaths, InputsAreCheckedWithErrorsNamingThePath) {
  TempDir dir("inputs");
  write_file(dir / "a.parquet", "x");
  write_file(dir / "parts" / "k=1" / "b.parquet", "xy");
  auto in = resolve_inputs(nlohmann::json::array({"a.parquet", "parts"}), dir.path(), "Parquet source",
                           "**/*.parquet");
  ASSERT_EQ(in.files.size(), 2u);
  EXPECT_EQ(in.total_bytes, 3u);
  auto message = [&](const nlohmann::json& path) {
    try {
      resolve_inputs(path, dir.path(), "CSV source");
    } catch (const Error& e) {
      return e.message();
    }
    return std::string();
  };
  EXPECT_NE(message("nope.csv").find("file not found: 'nope.csv'"), std::string::npos);
  EXPECT_NE(message("*.csv").find("no file matches '*.csv'"), std::string::npos);
  EXPECT_NE(message("parts").find("'parts'"), std::string::npos);
  EXPECT_NE(message(nlohmann::json::array()).find("empty list"), std::string::npos);
  EXPECT_NE(message(42).find("string or a list"), std::string::npos);
}

TEST(FilePaths, FormatAndCompressionFromTheExtension) {
  EXPECT_EQ(format_of_extension("a/b.CSV"), "csv");
  EXPECT_EQ(format_of_extension("b.csv.gz"), "csv");
  EXPECT_EQ(format_of_extension("b.jsonl.zst"), "json");
  EXPECT_EQ(format_of_extension("b.parquet"), "parquet");
  EXPECT_EQ(format_of_extension("folder"), "");
  EXPECT_EQ(format_of_extension("b.gz"), "");
  EXPECT_EQ(compression_of_extension("b.csv.gz"), "gzip");
  EXPECT_EQ(compression_of_extension("b.csv.zst"), "zstd");
  EXPECT_EQ(compression_of_extension("b.csv"), "");
}

TEST(FilePaths, SqlArgsQuoteEveryValue) {
  SqlArgs args;
  args.flag("header", true).integer("skip", 2).string("delim", "'").strings("nullstr", {"NA", "x'y"});
  args.string_map("types", {{"a'b", "INTEGER"}});
  EXPECT_EQ(args.str(), "header=true, skip=2, delim='''', nullstr=['NA', 'x''y'], types={'a''b': 'INTEGER'}");
  SqlArgs copy(" ");
  copy.raw("FORMAT", "csv").flag("HEADER", false);
  EXPECT_EQ(copy.str(), "FORMAT csv, HEADER false");
}

}  // namespace
