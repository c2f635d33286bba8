// Runs a validated plan on a DuckDB database: steps in dependency order, independent steps
// concurrently on separate connections (bounded by `jobs`). Each step is one transaction, so a
// failed step leaves its target exactly as before; after a failure only the steps that depend on
// it are left unrun (all not yet started with fail_fast).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "engine/database.hpp"
#include "engine/scan_function.hpp"
#include "engine/session.hpp"
#include "pipeline/planner.hpp"
#include "pipeline/validator.hpp"
#include "udf/catalog.hpp"

namespace sqlflow::pipeline {

// The statuses the run's metrics know (metrics/run_metrics.hpp): one enum for executor and metrics.
using StepStatus = metrics::StepStatus;

struct StepResult {
  StepStatus status = StepStatus::Pending;
  uint64_t rows = 0;           // rows loaded / written / changed
  uint64_t rejected_rows = 0;  // rows a source skipped (on_error: skip)
  double seconds = 0;
  int attempts = 0;
  std::optional<Error> error;
  std::string note;                   // e.g. "incremental: 12 new rows since 2024-01-02"
  std::vector<std::string> warnings;  // e.g. input rows collapsed by an UPSERT
  connectors::IoStats io;             // what the step's connectors moved and waited for (over all attempts)
  std::optional<size_t> blocked_by;   // Skipped: the failed step (id) it depends on, if that is why
};

struct ExecutorOptions {
  std::string pipeline_name;
  int jobs = 1;
  connectors::ConnectorContext context;
  // Called (from worker threads, serialised) when a step starts and when it ends. `progress`
  // reports the step's SQL completion in percent (DuckDB's query progress; negative: unknown)
  // and may be called from any thread until on_finish returns.
  std::function<void(const Step&, std::function<double()> progress)> on_start;
  std::function<void(const Step&, const StepResult&)> on_finish;
  // After a failed step: false runs on every step that does not depend on it; true starts no
  // new step (--fail-fast).
  bool fail_fast = false;
  int max_attempts = 3;         // for retryable errors (e.g. a dropped source connection)
  bool track_progress = false;  // let DuckDB compute query progress (for a live progress display)
  // The project's Python UDFs, registered before the first step (null: the pipeline calls none).
  std::shared_ptr<const udf::Catalog> udfs;
  // Where the pipeline's tables live and its SQL runs (null: the run's DuckDB database).
  std::shared_ptr<engine::Engine> engine;
};

// The connector a step moves data through (LOAD: its source's type, EXPORT: its TYPE; empty for SQL).
std::string step_connector(const Step& step, const ValidatedPipeline& validated);

class Executor {
 public:
  Executor(engine::Database& db, const Plan& plan, const ValidatedPipeline& validated,
           ExecutorOptions options);
  ~Executor();
  // Runs every step; returns true when all succeeded. Results are indexed by step id.
  bool run();
  const std::vector<StepResult>& results() const { return results_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<StepResult> results_;
};

}  // namespace sqlflow::pipeline
