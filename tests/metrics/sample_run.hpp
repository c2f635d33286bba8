// A small finished run shared by the exporter tests: three steps (ok, failed, skipped), counters
// on each, request latency for one connector.
#pragma once

#include <memory>
#include <string>

#include "metrics/run_metrics.hpp"

namespace sqlflow::metrics::test {

inline std::unique_ptr<RunMetrics> sample_run(
    const std::string& step_name = "load_orders",
    const std::string& failed_error = "HTTP 503 from api.example.com") {
  auto run = std::make_unique<RunMetrics>("daily_sales", "prod");
  run->mark_started();
  StepMetrics& load = run->add_step(step_name, StepKind::Load, "rest", 3);
  StepMetrics& transform = run->add_step("totals", StepKind::Transform, "", 10);
  StepMetrics& exp = run->add_step("export_totals", StepKind::Export, "csv", 14);
  load.mark_running();
  load.rows_in.add(12345);
  load.rows_out.add(12340);
  load.rejected_rows.add(5);
  load.bytes.add(987654);
  load.retries.add(2);
  load.throttle_waits.add(1);
  load.network_wait_ns.add(1'500'000'000);
  load.mark_finished(StepStatus::Ok);
  transform.mark_running();
  transform.rows_out.add(31);
  transform.mark_finished(StepStatus::Failed, failed_error);
  exp.mark_finished(StepStatus::Skipped, "upstream step 'totals' failed");
  Histogram& h = run->request_latency("rest");
  h.record_ns(15'000);
  h.record_ns(1'500'000);
  h.record_ns(1'500'000);
  h.record_ns(200'000'000'000);
  run->mark_finished();
  return run;
}

}  // namespace sqlflow::metrics::test
