// Ctrl-C and SIGTERM through the real binary, sent at moments the test observes (a temporary
// export growing, the WAL of a load, requests reaching the REST fixture), never after a fixed
// delay: the exit code and message, no debris, previous outputs, tables and watermarks intact.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine/connection.hpp"
#include "fixtures/rest/rest_api_fixture.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
namespace fs = std::filesystem;

namespace {

struct Finished {
  int exit_code = -1;
  std::string err;
};

// The sqlflow binary started in `cwd` with `args`; stderr goes to a file read when it ends.
class Running {
 public:
  Running(const fs::path& cwd, const std::vector<std::string>& args) : err_(cwd / "stderr.txt") {
    pid_ = ::fork();
    if (pid_ == 0) {
      if (::chdir(cwd.c_str()) != 0) ::_exit(120);
      FILE* e = std::freopen(err_.c_str(), "w", stderr);
      FILE* o = std::freopen("/dev/null", "w", stdout);
      (void)e;
      (void)o;
      std::vector<char*> argv{const_cast<char*>(SQLFLOW_BIN)};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(SQLFLOW_BIN, argv.data());
      ::_exit(121);
    }
  }
  ~Running() {
    if (pid_ > 0 && !waited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  // Polls `ready` (every 10 ms, up to a minute); false when the process ended first.
  bool wait_until(const std::function<bool()>& ready) {
    for (int i = 0; i < 6000; ++i) {
      if (ready()) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        waited_ = true;
        status_ = status;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  void signal(int sig) { ::kill(pid_, sig); }
  // Bytes the process has read so far (/proc/<pid>/io rchar): how far a load got.
  uintmax_t bytes_read() const {
    std::string io = test::read_file("/proc/" + std::to_string(pid_) + "/io");
    auto at = io.find("rchar: ");
    return at == std::string::npos ? 0 : std::stoull(io.substr(at + 7));
  }
  Finished finish() {
    if (!waited_) ::waitpid(pid_, &status_, 0);
    waited_ = true;
    Finished f;
    f.exit_code = WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
    f.err = test::read_file(err_);
    return f;
  }

 private:
  fs::path err_;
  pid_t pid_ = -1;
  bool waited_ = false;
  int status_ = 0;
};

std::vector<std::string> debris(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find(".sqlflow-tmp-") != std::string::npos)
      out.push_back(e.path().string());
  return out;
}

uintmax_t size_or_zero(const fs::path& p) {
  std::error_code ec;
  auto n = fs::file_size(p, ec);
  return ec ? 0 : n;
}

const char* kPersistent = "engines:\n  duckdb:\n    mode: persistent\n    path: target/run.duckdb\n";

}  // namespace

TEST(Interrupt, SigintDuringAnExportKeepsThePreviousFileAndLeavesNoDebris) {
  test::TempDir dir("interrupt-export");
  test::write_file(dir / "output/big.csv", "v\nprevious\n");
  test::write_file(
      dir / "pipelines/big.sf",
      "EXPORT SELECT range AS id, md5(range::VARCHAR) AS a FROM range(200000000) TO \"output/big.csv\" "
      "TYPE CSV OPTIONS {};\n");
  Running run(dir.path(), {"pipeline", "run", "big", "--metrics-json", "m.json"});
  ASSERT_TRUE(run.wait_until([&] {
    for (const auto& d : debris(dir / "output"))
      if (size_or_zero(d) > (1 << 20)) return true;
    return false;
  })) << "the export never started writing";
  run.signal(SIGINT);
  Finished f = run.finish();
  EXPECT_EQ(f.exit_code, 130) << f.err;
  EXPECT_NE(f.err.find("sqlflow: interrupted by SIGINT"), std::string::npos) << f.err;
  EXPECT_NE(f.err.find("pipeline big interrupted"), std::string::npos) << f.err;
  EXPECT_EQ(test::read_file(dir / "output/big.csv"), "v\nprevious\n");
  EXPECT_TRUE(debris(dir / "output").empty());
  auto metrics = nlohmann::json::parse(test::read_file(dir / "m.json"));
  EXPECT_EQ(metrics["status"], "interrupted");
  EXPECT_EQ(metrics["steps"][0]["status"], "failed");
}

TEST(Interrupt, SigtermDuringAnIncrementalLoadLeavesTableAndWatermark) {
  test::TempDir dir("interrupt-load");
  test::write_file(dir / "profiles/dev.yml", kPersistent);
  test::write_file(dir / "pipelines/first.sf",
                   "CREATE TABLE gen AS SELECT range AS id, TIMESTAMP '2024-01-01' + to_seconds(range) AS ts "
                   "FROM range(10);\n"
                   "EXPORT SELECT * FROM gen TO \"data/events.csv\" TYPE CSV OPTIONS {};\n");
  ASSERT_EQ(test::run_sqlflow({"pipeline", "run", "first"}, dir.path()).exit_code, 0);
  const std::string load =
      "SOURCE ev TYPE CSV PARAMS {\"path\": \"data/events.csv\", \"sync_mode\": \"incremental\", "
      "\"cursor_field\": \"ts\"};\n"
      "LOAD events FROM ev;\n";
  test::write_file(dir / "pipelines/load.sf", load);
  ASSERT_EQ(test::run_sqlflow({"pipeline", "run", "load"}, dir.path()).exit_code, 0);
  // Many new rows after the watermark: the second run's load is long enough to interrupt.
  test::write_file(
      dir / "pipelines/more.sf",
      "EXPORT SELECT range AS id, TIMESTAMP '2025-01-01' + to_seconds(range) AS ts FROM range(20000000) "
      "TO \"data/events.csv\" TYPE CSV OPTIONS {};\n");
  ASSERT_EQ(test::run_sqlflow({"pipeline", "run", "more"}, dir.path()).exit_code, 0);
  Running run(dir.path(), {"pipeline", "run", "load"});
  // Interrupted once the load has read a good part of the 600 MB file.
  ASSERT_TRUE(run.wait_until([&] { return run.bytes_read() > (100u << 20); }))
      << "the load ended before it was interrupted";
  run.signal(SIGTERM);
  Finished f = run.finish();
  EXPECT_EQ(f.exit_code, 143) << f.err;
  EXPECT_NE(f.err.find("interrupted by SIGTERM"), std::string::npos) << f.err;
  engine::DatabaseConfig cfg;
  cfg.path = (dir / "target/run.duckdb").string();
  engine::Database db(cfg);
  engine::Connection con(db);
  EXPECT_EQ(test::query_value(con, "SELECT count(*) FROM events"), "10");
  EXPECT_EQ(test::query_value(con, "SELECT value FROM sqlflow_state.watermarks"), "2024-01-01 00:00:09");
}

TEST(Interrupt, SigintDuringARestFetchStopsWithoutWaitingForEveryPage) {
  test::RestApiFixture::Options o;
  o.records = 100000;
  o.page_size = 10;
  o.latency = std::chrono::milliseconds(100);
  test::RestApiFixture api(o);
  test::TempDir dir("interrupt-rest");
  test::write_file(
      dir / "pipelines/api.sf",
      "SOURCE items TYPE REST PARAMS {\"url\": \"" + api.url("/items/page_nototal") +
          "\", \"data_path\": \"data\", \"pagination\": {\"type\": \"page_number\", \"page_size\": 10}};\n"
          "LOAD items_table FROM items;\n");
  Running run(dir.path(), {"pipeline", "run", "api"});
  ASSERT_TRUE(run.wait_until([&] { return api.count("/items/page_nototal") > 3; }))
      << "no request reached the API";
  run.signal(SIGINT);
  Finished f = run.finish();
  EXPECT_EQ(f.exit_code, 130) << f.err;
  EXPECT_NE(f.err.find("interrupted by SIGINT"), std::string::npos) << f.err;
  // 10,000 pages at 100 ms would take minutes; the run stopped after a handful.
  EXPECT_LT(api.count("/items/page_nototal"), 1000u);
}

TEST(Interrupt, SigintDuringAPostgresCopyRollsBackAndDropsItsStagingTable) {
  test::ensure_postgres();
  test::psql_value("DROP SCHEMA IF EXISTS it_interrupt CASCADE; CREATE SCHEMA it_interrupt");
  test::TempDir dir("interrupt-pg");
  test::write_file(dir / "pipelines/first.sf",
                   "EXPORT SELECT 7 AS id, 'previous' AS v TO \"it_interrupt.target\" TYPE POSTGRES OPTIONS "
                   "{\"mode\": \"replace\"};\n");
  ASSERT_EQ(test::run_sqlflow({"pipeline", "run", "first"}, dir.path()).exit_code, 0);
  test::write_file(dir / "pipelines/big.sf",
                   "EXPORT SELECT range AS id, md5(range::VARCHAR) AS v FROM range(300000000) "
                   "TO \"it_interrupt.target\" TYPE POSTGRES OPTIONS {\"mode\": \"replace\"};\n");
  Running run(dir.path(), {"pipeline", "run", "big"});
  // Interrupted while its COPY streams rows into the server.
  ASSERT_TRUE(run.wait_until([&] {
    return test::psql_value(
               "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY %' AND pid <> "
               "pg_backend_pid()") != "0";
  })) << "no COPY reached the server";
  run.signal(SIGINT);
  Finished f = run.finish();
  EXPECT_EQ(f.exit_code, 130) << f.err;
  EXPECT_NE(f.err.find("interrupted by SIGINT"), std::string::npos) << f.err;
  EXPECT_EQ(test::psql_value("SELECT id || ':' || v FROM it_interrupt.target"), "7:previous");
  EXPECT_EQ(
      test::psql_value("SELECT count(*) FROM pg_tables WHERE schemaname = 'it_interrupt' AND tablename LIKE "
                       "'sqlflow_stage%'"),
      "0");
  test::psql_value("DROP SCHEMA it_interrupt CASCADE");
}
