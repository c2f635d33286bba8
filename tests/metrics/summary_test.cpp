#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "metrics/exporters.hpp"
#include "metrics/secrets.hpp"
#include "sample_run.hpp"
#include "test_regex.hpp"

using namespace sqlflow::metrics;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

std::string summary_of(const RunMetrics& run) {
  std::ostringstream out;
  print_summary(run, out);
  return out.str();
}

}  // namespace

TEST(Summary, AlignedTableHintsAndExitLine) {
  auto run = test::sample_run();
  auto lines = lines_of(summary_of(*run));
  ASSERT_GE(lines.size(), 5u);
  // Header: optional columns appear because the load step rejected, retried and was throttled.
  EXPECT_TRUE(std::regex_match(
      lines[0], std::regex(R"(STEP +KIND +CONNECTOR +ROWS +REJECTED +RETRIES +THROTTLED +TIME +STATUS)")))
      << lines[0];
  EXPECT_TRUE(std::regex_match(lines[1], std::regex(R"(load_orders +load +rest +12,340 +5 +2 +1 +.+ +ok)")))
      << lines[1];
  EXPECT_TRUE(std::regex_match(lines[2], std::regex(R"(totals +transform +- +31 +0 +0 +0 +.+ +failed)")))
      << lines[2];
  EXPECT_TRUE(std::regex_match(lines[3], std::regex(R"(export_totals +export +csv +- +0 +0 +0 +- +skipped)")))
      << lines[3];
  // Columns line up: STATUS starts at the same offset on every row; numbers end where their title ends.
  const std::size_t status_col = lines[0].find("STATUS");
  EXPECT_EQ(lines[1].rfind("ok"), status_col);
  EXPECT_EQ(lines[2].rfind("failed"), status_col);
  EXPECT_EQ(lines[3].rfind("skipped"), status_col);
  const std::size_t rows_end = lines[0].find("ROWS") + 4;
  EXPECT_EQ(lines[1].find("12,340") + 6, rows_end);
  EXPECT_EQ(lines[2].find("31") + 2, rows_end);

  std::vector<std::string> hints;
  for (const auto& l : lines)
    if (l.starts_with("hint: ")) hints.push_back(l);
  // Throttled, retried and rejected rows on the load step (it is too short to be network-bound).
  ASSERT_EQ(hints.size(), 3u);
  EXPECT_NE(hints[0].find("throttled 1 time (a configured rate limit, or the server"), std::string::npos)
      << hints[0];
  EXPECT_NE(hints[1].find("retried 2 requests"), std::string::npos) << hints[1];
  EXPECT_NE(hints[2].find("rejected 5 rows"), std::string::npos) << hints[2];

  EXPECT_TRUE(std::regex_match(
      lines.back(),
      std::regex(
          R"(sqlflow: pipeline daily_sales failed \xE2\x80\x94 3 steps \(1 failed, 1 skipped\), 12,371 rows, .+)")))
      << lines.back();
}

TEST(Summary, SuccessfulRunWithoutOptionalColumns) {
  RunMetrics run("nightly");
  run.mark_started();
  for (const char* name : {"a", "bbbbbbbbbbbb"}) {
    StepMetrics& s = run.add_step(name, StepKind::Sql);
    s.mark_running();
    s.rows_out.add(1000);
    s.mark_finished(StepStatus::Ok);
  }
  run.mark_finished();
  auto lines = lines_of(summary_of(run));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_TRUE(std::regex_match(lines[0], std::regex(R"(STEP +KIND +CONNECTOR +ROWS +TIME +STATUS)")))
      << lines[0];
  EXPECT_TRUE(std::regex_match(lines[1], std::regex(R"(a +sql +- +1,000 +[0-9.]+ m?s +ok)"))) << lines[1];
  EXPECT_TRUE(std::regex_match(
      lines[3], std::regex(R"(sqlflow: pipeline nightly ok \xE2\x80\x94 2 steps, 2,000 rows, [0-9.]+ m?s)")))
      << lines[3];
  EXPECT_EQ(exit_line(run), lines[3]);
}

TEST(Summary, IdenticalRunToRunExceptTimes) {
  auto drop_times = [](std::string s) {
    return std::regex_replace(s, std::regex(R"([0-9.]+ (ms|s)\b|[0-9]+m[0-9]{2}s)"), "T");
  };
  auto a = test::sample_run();
  auto b = test::sample_run();
  EXPECT_EQ(drop_times(summary_of(*a)), drop_times(summary_of(*b)));
}

TEST(Summary, ShortStepsGetNoNetworkHint) {
  RunMetrics run("p");
  StepMetrics& s = run.add_step("pages", StepKind::Load, "rest");
  s.mark_running();
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  s.mark_finished(StepStatus::Ok);
  // Under a second of wall time, waiting on the network is not worth a hint.
  s.network_wait_ns.add(10'000'000'000);
  EXPECT_TRUE(performance_hints(s).empty());
}

TEST(Summary, SecretsAreMasked) {
  const std::string canary = "CANARY-sum-3e3e";
  register_secret(canary);
  auto run = test::sample_run("load_" + canary);
  std::string text = summary_of(*run);
  EXPECT_EQ(text.find(canary), std::string::npos);
  EXPECT_NE(text.find("load_***"), std::string::npos);
}
