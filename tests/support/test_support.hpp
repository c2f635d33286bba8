// Helpers shared by tests: temp dirs, running the sqlflow binary, small query helpers.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/connection.hpp"

namespace sqlflow::test {

// A fresh directory under the build tree, removed when the object dies.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "t");
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs the sqlflow binary with `args` in `cwd` (shell-quoted for you), capturing its output.
RunResult run_sqlflow(const std::vector<std::string>& args, const std::filesystem::path& cwd = {},
                      const std::string& env = {});

// Rows of a query rendered as text, each row's cells joined by '|'.
std::vector<std::string> query_rows(engine::Connection& con, const std::string& sql);
// The single value of a query as text.
std::string query_value(engine::Connection& con, const std::string& sql);

void write_file(const std::filesystem::path& path, const std::string& content);
std::string read_file(const std::filesystem::path& path);

std::string source_dir();
std::string build_dir();

// Makes sure a PostgreSQL server is reachable through PGHOST/PGPORT/…: the one run-tests.sh
// started, or one this process starts with scripts/pg-test-server.sh (idempotent, so the next test
// process reuses it; its watchdog stops it after a minute without clients, since plain ctest has
// no cleanup step). Its libpq environment is exported, so child processes inherit it.
void ensure_postgres();

// Runs `sql` on that server through psql (ensure_postgres first) and returns its output, trimmed
// (tuples only, unaligned: one value per line, columns separated by '|'); error text on failure.
std::string psql_value(const std::string& sql);

}  // namespace sqlflow::test
