#include "support/test_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "core/quote.hpp"

namespace sqlflow::test {

namespace fs = std::filesystem;

std::string source_dir() {
  return SQLFLOW_SOURCE_DIR;
}
std::string build_dir() {
  return SQLFLOW_BUILD_DIR;
}

TempDir::TempDir(const std::string& prefix) {
  static std::atomic<int> counter{0};
  path_ = fs::path(build_dir()) / "test-tmp" /
          (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

namespace {
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}
}  // namespace

RunResult run_sqlflow(const std::vector<std::string>& args, const fs::path& cwd, const std::string& env) {
  static std::atomic<int> counter{0};
  fs::path dir = fs::path(build_dir()) / "test-tmp";
  fs::create_directories(dir);
  std::string tag = std::to_string(::getpid()) + "-" + std::to_string(counter++);
  fs::path out_file = dir / ("out-" + tag), err_file = dir / ("err-" + tag);
  std::string cmd;
  if (!cwd.empty()) cmd += "cd " + shell_quote(cwd.string()) + " && ";
  if (!env.empty()) cmd += env + " ";
  cmd += shell_quote(SQLFLOW_BIN);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " >" + shell_quote(out_file.string()) + " 2>" + shell_quote(err_file.string()) + " </dev/null";
  int status = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(out_file);
  r.err = read_file(err_file);
  fs::remove(out_file);
  fs::remove(err_file);
  return r;
}

std::vector<std::string> query_rows(engine::Connection& con, const std::string& sql) {
  std::vector<std::string> out;
  for (const auto& row : con.query(sql).rows()) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + row[i];
    out.push_back(line);
  }
  return out;
}

std::string query_value(engine::Connection& con, const std::string& sql) {
  auto v = con.scalar(sql);
  return v ? *v : "NULL";
}

void write_file(const fs::path& path, const std::string& content) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream f(path, std::ios::binary);
  f << content;
}

std::string read_file(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void ensure_postgres() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (std::getenv("PGHOST") && std::getenv("PGPORT") && std::getenv("PGPASSWORD")) return;
    const std::string script = source_dir() + "/scripts/pg-test-server.sh";
    if (!std::getenv("SQLFLOW_PG_DIR")) setenv("SQLFLOW_PG_DIR", (build_dir() + "/pg-test").c_str(), 1);
    if (std::system((script + " start --idle-stop 60 >&2").c_str()) != 0)
      throw std::runtime_error("cannot start the PostgreSQL test server");
    FILE* f = popen((script + " env").c_str(), "r");
    if (!f) throw std::runtime_error("cannot run " + script + " env");
    char buf[4096];
    while (std::fgets(buf, sizeof buf, f)) {
      // "export PGHOST=… PGPORT=…": every NAME=value word.
      std::istringstream words(buf);
      std::string w;
      while (words >> w)
        if (auto eq = w.find('='); eq != std::string::npos)
          setenv(w.substr(0, eq).c_str(), w.substr(eq + 1).c_str(), 1);
    }
    pclose(f);
    if (!std::getenv("PGPORT"))
      throw std::runtime_error("the PostgreSQL test server did not report its port");
  });
}

}  // namespace sqlflow::test

namespace sqlflow::test {

std::string psql_value(const std::string& sql) {
  const std::string cmd = "psql -XAtq -v ON_ERROR_STOP=1 -c " + shell_quote(sql) + " 2>&1";
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace sqlflow::test
