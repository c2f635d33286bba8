#include "metrics/run_metrics.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

using namespace sqlflow::metrics;

TEST(StepMetrics, LifecycleAndTimes) {
  RunMetrics run("daily", "dev");
  StepMetrics& s = run.add_step("orders", StepKind::Load, "csv", 7);
  EXPECT_EQ(s.status(), StepStatus::Pending);
  EXPECT_FALSE(s.started_at().has_value());
  EXPECT_EQ(s.elapsed().count(), 0);

  s.mark_running();
  EXPECT_EQ(s.status(), StepStatus::Running);
  EXPECT_TRUE(s.started_at().has_value());
  EXPECT_TRUE(s.error().empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  s.mark_finished(StepStatus::Failed, "file not found");
  EXPECT_EQ(s.status(), StepStatus::Failed);
  EXPECT_EQ(s.error(), "file not found");
  ASSERT_TRUE(s.finished_at().has_value());
  EXPECT_GE(*s.finished_at(), *s.started_at());
  auto frozen = s.elapsed();
  EXPECT_GE(frozen, std::chrono::milliseconds(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(s.elapsed(), frozen);  // stops counting at mark_finished

  StepMetrics& skipped = run.add_step("report", StepKind::Export, "csv", 9);
  skipped.mark_finished(StepStatus::Skipped, "upstream step 'orders' failed");
  EXPECT_FALSE(skipped.started_at().has_value());
  EXPECT_EQ(skipped.elapsed().count(), 0);
}

TEST(StepMetrics, ProgressProbe) {
  StepMetrics s("q", StepKind::Sql, "", 1);
  EXPECT_FALSE(s.probe_progress().has_value());
  double value = 42.5;
  s.set_progress_probe([&] { return value; });
  EXPECT_EQ(s.probe_progress(), 42.5);
  value = -1;  // DuckDB reports -1 while it cannot estimate
  EXPECT_FALSE(s.probe_progress().has_value());
  s.set_progress_probe([]() -> double { throw std::runtime_error("connection closed"); });
  EXPECT_FALSE(s.probe_progress().has_value());
  s.set_progress_probe({});
  EXPECT_FALSE(s.probe_progress().has_value());
}

TEST(RunMetrics, TotalsAndConnectorTotals) {
  RunMetrics run("p");
  StepMetrics& a = run.add_step("a", StepKind::Load, "postgres");
  StepMetrics& b = run.add_step("b", StepKind::Transform);
  StepMetrics& c = run.add_step("c", StepKind::Export, "postgres");
  StepMetrics& d = run.add_step("d", StepKind::Load, "rest");
  a.rows_in.add(10);
  a.rows_out.add(10);
  a.bytes.add(100);
  a.retries.add(2);
  b.rows_out.add(5);
  c.rows_in.add(5);
  c.rows_out.add(5);
  c.network_wait_ns.add(1'000);
  d.rejected_rows.add(3);
  d.throttle_waits.add(4);
  d.breaker_trips.add(1);
  a.mark_running();
  a.mark_finished(StepStatus::Ok);
  b.mark_running();
  b.mark_finished(StepStatus::Ok);
  c.mark_running();
  c.mark_finished(StepStatus::Failed, "boom");
  d.mark_finished(StepStatus::Skipped);
  run.request_latency("rest").record_ns(1'000'000);
  run.request_latency("s3").record_ns(2'000'000);  // latency without a step still shows up

  Totals t = run.totals();
  EXPECT_EQ(t.steps, 4u);
  EXPECT_EQ(t.ok, 2u);
  EXPECT_EQ(t.failed, 1u);
  EXPECT_EQ(t.skipped, 1u);
  EXPECT_EQ(t.rows_in, 15u);
  EXPECT_EQ(t.rows_out, 20u);
  EXPECT_EQ(t.bytes, 100u);
  EXPECT_EQ(t.retries, 2u);
  EXPECT_EQ(t.rejected_rows, 3u);
  EXPECT_EQ(t.throttle_waits, 4u);
  EXPECT_EQ(t.breaker_trips, 1u);
  EXPECT_EQ(t.network_wait_ns, 1'000u);
  EXPECT_FALSE(run.ok());

  auto conns = run.connector_totals();
  ASSERT_EQ(conns.size(), 3u);
  EXPECT_EQ(conns[0].connector, "postgres");
  EXPECT_EQ(conns[0].totals.steps, 2u);
  EXPECT_EQ(conns[0].totals.rows_out, 15u);
  EXPECT_FALSE(conns[0].latency.has_value());
  EXPECT_EQ(conns[1].connector, "rest");
  ASSERT_TRUE(conns[1].latency.has_value());
  EXPECT_EQ(conns[1].latency->count, 1u);
  EXPECT_EQ(conns[2].connector, "s3");
  EXPECT_EQ(conns[2].totals.steps, 0u);

  EXPECT_EQ(&run.request_latency("rest"), &run.request_latency("rest"));
  EXPECT_EQ(run.find_step("c"), &c);
  EXPECT_EQ(run.find_step("zz"), nullptr);
}

TEST(RunMetrics, RunLevelErrorFailsTheRun) {
  RunMetrics run("p");
  run.mark_started();
  EXPECT_TRUE(run.ok());
  run.mark_finished("interrupted");
  EXPECT_FALSE(run.ok());
  EXPECT_EQ(run.error(), "interrupted");
  ASSERT_TRUE(run.finished_at().has_value());
  EXPECT_GE(*run.finished_at(), *run.started_at());
}

TEST(RunMetrics, StepAddressesStayValidWhileAdding) {
  RunMetrics run("p");
  StepMetrics* first = &run.add_step("s0", StepKind::Sql);
  for (int i = 1; i < 1000; ++i) run.add_step("s" + std::to_string(i), StepKind::Sql);
  EXPECT_EQ(first, run.steps().front());
  EXPECT_EQ(first->name, "s0");
}

TEST(Format, HumanReadableForms) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_count(1000), "1,000");
  EXPECT_EQ(format_count(10'000'000), "10,000,000");
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(3ull << 30), "3.0 GiB");
  EXPECT_EQ(format_duration(std::chrono::milliseconds(850)), "850 ms");
  EXPECT_EQ(format_duration(std::chrono::milliseconds(12'340)), "12.3 s");
  EXPECT_EQ(format_duration(std::chrono::seconds(123)), "2m03s");
  EXPECT_EQ(format_duration(std::chrono::seconds(3720)), "1h02m");
  WallClock::time_point t{std::chrono::milliseconds(1'714'564'800'123)};
  EXPECT_EQ(format_timestamp(t), "2024-05-01T12:00:00.123Z");
}
