// Run history: each `pipeline run` leaves target/runs/<run_id>.json (its metrics document plus
// the run's variables with secrets masked, profile, exit status and error), the last N per
// pipeline kept. `pipeline runs`, `pipeline show-run`, `status` and --from-failed read it.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/project.hpp"

namespace sqlflow::pipeline {

std::filesystem::path runs_dir(const Project& project);

// Writes the record atomically (temporary file, then rename) as runs_dir/<record["run_id"]>.json,
// then removes that pipeline's oldest records beyond `keep` (keep 0: writes nothing).
void save_run(const Project& project, const nlohmann::ordered_json& record, size_t keep);

struct RunEntry {
  std::string run_id;
  std::string pipeline;
  std::string profile;
  std::string status;  // ok, failed, interrupted, invalid
  std::string started_at;
  double duration_seconds = 0;
  std::filesystem::path file;
};

// The recorded runs, newest first; of one pipeline when `pipeline` is not empty. Unreadable
// files are skipped.
std::vector<RunEntry> list_runs(const Project& project, const std::string& pipeline = {});

// The record of run `id` (a whole id or a unique prefix of one); usage error naming the recent
// runs otherwise.
nlohmann::ordered_json load_run(const Project& project, const std::string& id);

}  // namespace sqlflow::pipeline
