#include "metrics/progress.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "metrics/logging.hpp"
#include "test_regex.hpp"

using namespace sqlflow::metrics;

namespace {

// Waits (up to a generous deadline, not a timing assertion) until `done` holds.
template <typename F>
bool eventually(F done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// An ostream whose contents can be read while another thread writes to it.
class LockedBuf : public std::stringbuf {
 public:
  std::string snapshot() {
    std::lock_guard lock(mutex_);
    return str();
  }

 protected:
  int sync() override { return 0; }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    std::lock_guard lock(mutex_);
    return std::stringbuf::xsputn(s, n);
  }
  int_type overflow(int_type c) override {
    std::lock_guard lock(mutex_);
    return std::stringbuf::overflow(c);
  }

 private:
  std::recursive_mutex mutex_;  // xsputn may call overflow
};

}  // namespace

TEST(ProgressLine, ShowsRowsRateBytesPercentAndTime) {
  RunMetrics run("p");
  StepMetrics& s = run.add_step("orders", StepKind::Load, "csv");
  s.mark_running();
  s.rows_in.add(1'500'000);
  s.bytes.add(3 * 1024 * 1024);
  s.set_expected_bytes(12 * 1024 * 1024);
  std::string line = progress_line(s);
  EXPECT_TRUE(std::regex_match(
      line,
      std::regex(
          R"(orders \[load csv\]  1,500,000 rows  [0-9,]+ rows/s  3\.0 MiB  [0-9.]+ [A-Za-z]+/s  25%  .+)")))
      << line;

  s.set_expected_rows(3'000'000);  // rows win over bytes
  EXPECT_NE(progress_line(s).find("  50%  "), std::string::npos);

  s.set_progress_probe([] { return 12.0; });  // a probe (DuckDB's progress) wins over both
  EXPECT_NE(progress_line(s).find("  12%  "), std::string::npos);

  StepMetrics& q = run.add_step("daily", StepKind::Sql);
  q.mark_running();
  EXPECT_TRUE(std::regex_match(progress_line(q), std::regex(R"(daily \[sql\]  [0-9.]+ m?s)")))
      << progress_line(q);
  s.set_expected_rows(1);  // overshooting estimates never claim 100% while running
  s.set_progress_probe({});
  EXPECT_NE(progress_line(s).find("  99%  "), std::string::npos);
}

TEST(Progress, RenderLinesListsOnlyRunningSteps) {
  RunMetrics run("p");
  run.add_step("pending", StepKind::Load, "csv");
  StepMetrics& done = run.add_step("done", StepKind::Load, "csv");
  done.mark_running();
  done.mark_finished(StepStatus::Ok);
  for (int i = 0; i < 4; ++i) run.add_step("run" + std::to_string(i), StepKind::Sql).mark_running();
  ProgressOptions opts;
  opts.force = true;
  opts.min_step_age = std::chrono::milliseconds(0);
  opts.max_lines = 3;
  std::ostringstream out;
  opts.out = &out;
  Progress progress(run, opts);
  auto lines = progress.render_lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].rfind("[3/6] run0 [sql]", 0), 0u);
  EXPECT_EQ(lines[2].rfind("[5/6] run2 [sql]", 0), 0u);
  EXPECT_EQ(lines[3], "\u2026 and 1 more running");
}

TEST(Progress, SilentWhenStderrIsAPipe) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
  std::cerr.flush();
  int saved = ::dup(2);
  ASSERT_GE(saved, 0);
  ASSERT_EQ(::dup2(fds[1], 2), 2);
  {
    RunMetrics run("p");
    StepMetrics& s = run.add_step("busy", StepKind::Load, "csv");
    s.mark_running();
    ProgressOptions opts;  // defaults: std::cerr, decided by isatty(2)
    opts.interval = std::chrono::milliseconds(5);
    opts.min_step_age = std::chrono::milliseconds(0);
    Progress progress(run, opts);
    EXPECT_FALSE(progress.enabled());
    progress.start();
    for (int i = 0; i < 20; ++i) {
      s.rows_in.add(1000);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // room for frames, were any drawn
    }
    progress.stop();
    EXPECT_EQ(progress.frames(), 0u);
  }
  std::cerr.flush();
  ASSERT_EQ(::dup2(saved, 2), 2);
  ::close(saved);
  ::close(fds[1]);
  char buf[256];
  ssize_t n = ::read(fds[0], buf, sizeof buf);
  ::close(fds[0]);
  EXPECT_LE(n, 0) << "progress wrote to a pipe: "
                  << std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
}

TEST(Progress, EnabledOnATerminalUnlessQuiet) {
  int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(::grantpt(master), 0);
  ASSERT_EQ(::unlockpt(master), 0);
  int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
  ASSERT_GE(slave, 0);
  RunMetrics run("p");
  std::ostringstream out;
  ProgressOptions opts;
  opts.tty_fd = slave;
  opts.out = &out;
  EXPECT_TRUE(Progress(run, opts).enabled());
  opts.quiet = true;
  EXPECT_FALSE(Progress(run, opts).enabled());
  ::close(slave);
  ::close(master);
}

TEST(Progress, ForcedRendersUpdatingLinesAndErasesThemOnStop) {
  RunMetrics run("p");
  StepMetrics& a = run.add_step("orders", StepKind::Load, "csv");
  StepMetrics& b = run.add_step("daily", StepKind::Sql);
  LockedBuf buf;
  std::ostream out(&buf);
  ProgressOptions opts;
  opts.force = true;
  opts.out = &out;
  opts.interval = std::chrono::milliseconds(5);
  opts.min_step_age = std::chrono::milliseconds(0);
  opts.width = 40;
  Progress progress(run, opts);
  ASSERT_TRUE(progress.enabled());
  progress.start();
  progress.start();  // idempotent
  a.mark_running();
  b.mark_running();
  b.set_progress_probe([] { return 40.0; });
  a.rows_in.add(2048);
  ASSERT_TRUE(eventually([&] { return buf.snapshot().find("2,048 rows") != std::string::npos; }));
  a.rows_in.add(2048);
  ASSERT_TRUE(eventually([&] { return buf.snapshot().find("4,096 rows") != std::string::npos; }));
  b.set_progress_probe({});
  b.mark_finished(StepStatus::Ok);
  const std::uint64_t frames = progress.frames();
  ASSERT_TRUE(eventually([&] { return progress.frames() >= frames + 2; }));
  progress.stop();
  progress.stop();  // idempotent
  const std::string text = buf.snapshot();

  // Lines are erased (EL) and rewritten in place: cursor up (CUU) over the previous block.
  EXPECT_NE(text.find("\x1b[2K[1/2] orders [load csv]  2,048 rows"), std::string::npos);
  EXPECT_NE(text.find("\x1b[2K[2/2] daily [sql]"), std::string::npos);
  EXPECT_NE(text.find("\x1b[2K[2/2] ok      daily  0 rows"), std::string::npos);  // printed once it finished
  EXPECT_NE(text.find("\x1b[2A\r"), std::string::npos);  // two running steps → up two lines
  EXPECT_NE(text.find("\r"), std::string::npos);
  // Width cut: no drawn line is longer than 40 columns.
  std::regex drawn("\x1b\\[2K([^\n]*)\n");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), drawn); it != std::sregex_iterator(); ++it)
    EXPECT_LE((*it)[1].length(), 40) << (*it)[1];
  // After 'daily' finished, one line remains: up 2, rewrite one, erase below.
  EXPECT_NE(text.find("\x1b[J"), std::string::npos);
  // stop() leaves the screen clean: the output ends with cursor-up over the block + erase below.
  EXPECT_TRUE(std::regex_search(text, std::regex("\x1b\\[1A\r\x1b\\[J$"))) << text.substr(text.size() - 20);
}

TEST(Progress, LogLinesEraseTheProgressBlockFirst) {
  RunMetrics run("p");
  run.add_step("orders", StepKind::Load, "csv").mark_running();
  LockedBuf buf;
  std::ostream out(&buf);
  ProgressOptions opts;
  opts.force = true;
  opts.out = &out;
  opts.interval = std::chrono::milliseconds(5);
  opts.min_step_age = std::chrono::milliseconds(0);
  Progress progress(run, opts);
  init_logging(LogLevel::Info, LogFormat::Text, false, &out);
  progress.start();
  ASSERT_TRUE(eventually([&] { return buf.snapshot().find("orders [load csv]") != std::string::npos; }));
  spdlog::info("a log line");
  progress.stop();
  static std::ostringstream sink;
  init_logging(LogLevel::Off, LogFormat::Text, false, &sink);
  const std::string text = buf.snapshot();
  // The block (one line) is erased right before the log line is written.
  EXPECT_TRUE(std::regex_search(text, std::regex("\x1b\\[1A\r\x1b\\[J\\[[^\\]]+\\] \\[info\\] a log line\n")))
      << text;
}

TEST(Progress, NothingAtAllWhenDisabledEvenIfStarted) {
  RunMetrics run("p");
  run.add_step("orders", StepKind::Load, "csv").mark_running();
  std::ostringstream out;
  ProgressOptions opts;
  opts.quiet = true;
  opts.out = &out;
  opts.tty_fd = -1;  // not a terminal
  Progress progress(run, opts);
  progress.start();
  progress.stop();
  EXPECT_TRUE(out.str().empty());
  EXPECT_EQ(progress.frames(), 0u);
}

TEST(Progress, FinishedStepsArePrintedOnceWithTheirCounter) {
  RunMetrics run("p");
  StepMetrics& a = run.add_step("load a", StepKind::Load, "csv");
  StepMetrics& b = run.add_step("load b", StepKind::Load, "csv");
  ProgressOptions opts;
  opts.force = true;
  opts.interval = std::chrono::milliseconds(1);
  std::ostringstream out;
  opts.out = &out;
  Progress progress(run, opts);
  a.mark_running();
  a.rows_out.add(42);
  a.mark_finished(StepStatus::Ok);
  b.mark_running();
  b.mark_finished(StepStatus::Failed, "boom");
  progress.start();
  while (progress.frames() < 3) std::this_thread::yield();
  progress.stop();
  const std::string text = out.str();
  EXPECT_NE(text.find("[1/2] ok      load a  42 rows"), std::string::npos) << text;
  EXPECT_NE(text.find("[2/2] failed  load b"), std::string::npos) << text;
  EXPECT_EQ(text.find("[1/2] ok", text.find("[1/2] ok") + 1), std::string::npos) << "printed twice: " << text;
}
