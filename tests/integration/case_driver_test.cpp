// Pipeline behaviour as data: every folder under tests/integration/cases/ is a small project
// (pipelines/, profiles/, data/) plus a `case.test` script, run against the real sqlflow binary
// in a fresh copy of the folder. Script lines:
//   run <sqlflow arguments…>        run the binary (quotes group words); then optionally:
//   exit <code>                     expected exit code (default 0)
//   stdout-contains <text>          / stderr-contains <text> / stdout-lacks <text> / stderr-lacks <text>
//   db <path>                       DuckDB file later queries read (default: in memory)
//   query <sql>                     followed by "----" and the expected rows (cells joined by
//                                   '|'), ended by a blank line or end of file
//   file-exists <path> / file-missing <path>
//   write <path>                    followed by lines of content up to a line "EOF"
//   postgres                        make sure the private PostgreSQL test server runs and its libpq
//                                   environment (PGHOST, PGPORT, …) is exported for later runs
//   psql <sql>                      run SQL with psql against that server (implies `postgres`); like
//                                   query: more SQL lines up to "----", then the expected rows
//                                   (unaligned, cells joined by '|'; none for plain statements)
//   # comment
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "engine/connection.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
namespace fs = std::filesystem;

namespace {

fs::path cases_dir() {
  return fs::path(test::source_dir()) / "tests/integration/cases";
}

std::vector<std::string> case_names() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(cases_dir()))
    if (e.is_directory() && fs::exists(e.path() / "case.test")) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> split_args(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  bool has = false;
  for (char c : line) {
    if (quote) {
      if (c == quote)
        quote = 0;
      else
        cur += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      has = true;
    } else if (c == ' ' || c == '\t') {
      if (has || !cur.empty()) out.push_back(cur);
      cur.clear();
      has = false;
    } else {
      cur += c;
    }
  }
  if (has || !cur.empty()) out.push_back(cur);
  return out;
}

// Runs SQL through psql (unaligned, tuples only, stop at the first error); returns its exit code,
// the output rows and stderr.
int run_psql(const fs::path& dir, const std::string& sql, std::vector<std::string>& rows, std::string& err) {
  test::ensure_postgres();
  static int counter = 0;
  const std::string tag = std::to_string(counter++);
  const fs::path in = dir / (".psql-in-" + tag), out = dir / (".psql-out-" + tag),
                 errf = dir / (".psql-err-" + tag);
  test::write_file(in, sql + "\n");
  const std::string cmd = "psql -X -q -t -A -F '|' -v ON_ERROR_STOP=1 -f '" + in.string() + "' >'" +
                          out.string() + "' 2>'" + errf.string() + "' </dev/null";
  const int status = std::system(cmd.c_str());
  std::istringstream text(test::read_file(out));
  for (std::string l; std::getline(text, l);) rows.push_back(l);
  err = test::read_file(errf);
  for (const auto& p : {in, out, errf}) fs::remove(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class PipelineCase : public ::testing::TestWithParam<std::string> {};

TEST_P(PipelineCase, Runs) {
  const std::string name = GetParam();
  test::TempDir dir("case-" + name);
  fs::copy(cases_dir() / name, dir.path(), fs::copy_options::recursive);
  std::ifstream script(dir.path() / "case.test");
  std::vector<std::string> lines;
  for (std::string l; std::getline(script, l);) lines.push_back(l);

  test::RunResult last;
  bool have_run = false;
  std::string db_path;
  auto check_exit = [&](int expected, size_t line_no) {
    if (have_run) {
      EXPECT_EQ(last.exit_code, expected) << "case.test:" << line_no << "\nstdout:\n"
                                          << last.out << "\nstderr:\n"
                                          << last.err;
    }
    have_run = false;
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    const size_t no = i + 1;
    if (line.empty() || line[0] == '#') continue;
    auto space = line.find(' ');
    std::string cmd = line.substr(0, space);
    std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
    if (cmd == "run") {
      check_exit(0, no);
      last = test::run_sqlflow(split_args(rest), dir.path());
      have_run = true;
    } else if (cmd == "exit") {
      check_exit(std::stoi(rest), no);
    } else if (cmd == "stdout-contains") {
      EXPECT_NE(last.out.find(rest), std::string::npos)
          << "case.test:" << no << " stdout lacks: " << rest << "\n"
          << last.out;
    } else if (cmd == "stderr-contains") {
      EXPECT_NE(last.err.find(rest), std::string::npos)
          << "case.test:" << no << " stderr lacks: " << rest << "\n"
          << last.err;
    } else if (cmd == "stdout-lacks") {
      EXPECT_EQ(last.out.find(rest), std::string::npos)
          << "case.test:" << no << " stdout has: " << rest << "\n"
          << last.out;
    } else if (cmd == "stderr-lacks") {
      EXPECT_EQ(last.err.find(rest), std::string::npos)
          << "case.test:" << no << " stderr has: " << rest << "\n"
          << last.err;
    } else if (cmd == "db") {
      db_path = (dir.path() / rest).string();
    } else if (cmd == "file-exists") {
      EXPECT_TRUE(fs::exists(dir.path() / rest)) << "case.test:" << no << " missing file " << rest;
    } else if (cmd == "file-missing") {
      EXPECT_FALSE(fs::exists(dir.path() / rest)) << "case.test:" << no << " unexpected file " << rest;
    } else if (cmd == "write") {
      std::string content;
      for (++i; i < lines.size() && lines[i] != "EOF"; ++i) content += lines[i] + "\n";
      test::write_file(dir.path() / rest, content);
    } else if (cmd == "postgres") {
      test::ensure_postgres();
    } else if (cmd == "psql") {
      check_exit(0, no);
      std::string sql = rest;
      ++i;
      while (i < lines.size() && lines[i] != "----") sql += "\n" + lines[i++];
      std::vector<std::string> expected;
      for (++i; i < lines.size() && !lines[i].empty(); ++i) expected.push_back(lines[i]);
      std::vector<std::string> actual;
      std::string err;
      const int rc = run_psql(dir.path(), sql, actual, err);
      EXPECT_EQ(rc, 0) << "case.test:" << no << " psql failed: " << err << "\nSQL: " << sql;
      EXPECT_EQ(actual, expected) << "case.test:" << no << " psql: " << sql;
    } else if (cmd == "query") {
      check_exit(0, no);
      std::string sql = rest;
      ++i;
      while (i < lines.size() && lines[i] != "----") sql += "\n" + lines[i++];
      std::vector<std::string> expected;
      for (++i; i < lines.size() && !lines[i].empty(); ++i) expected.push_back(lines[i]);
      engine::DatabaseConfig cfg;
      cfg.path = db_path;
      engine::Database db(cfg);
      engine::Connection con(db);
      std::error_code ec;
      fs::path old = fs::current_path();
      fs::current_path(dir.path());
      std::vector<std::string> actual;
      try {
        actual = test::query_rows(con, sql);
      } catch (const std::exception& e) {
        fs::current_path(old);
        ADD_FAILURE() << "case.test:" << no << " query failed: " << e.what();
        continue;
      }
      fs::current_path(old);
      EXPECT_EQ(actual, expected) << "case.test:" << no << " query: " << sql;
    } else {
      ADD_FAILURE() << "case.test:" << no << ": unknown directive '" << cmd << "'";
    }
  }
  check_exit(0, lines.size());
}

INSTANTIATE_TEST_SUITE_P(Cases, PipelineCase, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
