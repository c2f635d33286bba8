#include "pipeline/run_history.hpp"

#include <algorithm>
#include <fstream>

#include "core/atomic_output.hpp"
#include "core/error.hpp"

namespace sqlflow::pipeline {

namespace fs = std::filesystem;

fs::path runs_dir(const Project& project) {
  return project.root() / "target" / "runs";
}

namespace {

std::optional<nlohmann::ordered_json> read_record(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  auto doc = nlohmann::ordered_json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("run_id")) return std::nullopt;
  return doc;
}

std::string text_of(const nlohmann::ordered_json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

RunEntry entry_of(const nlohmann::ordered_json& doc, const fs::path& file) {
  RunEntry e;
  e.run_id = text_of(doc, "run_id");
  e.pipeline = text_of(doc, "pipeline");
  e.profile = text_of(doc, "profile");
  e.status = text_of(doc, "status");
  e.started_at = text_of(doc, "started_at");
  if (auto it = doc.find("duration_seconds"); it != doc.end() && it->is_number())
    e.duration_seconds = it->get<double>();
  e.file = file;
  return e;
}

}  // namespace

std::vector<RunEntry> list_runs(const Project& project, const std::string& pipeline) {
  std::vector<RunEntry> runs;
  std::error_code ec;
  for (fs::directory_iterator it(runs_dir(project), ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".json" || it->path().filename().string().front() == '.') continue;
    auto doc = read_record(it->path());
    if (!doc) continue;
    RunEntry e = entry_of(*doc, it->path());
    if (pipeline.empty() || e.pipeline == pipeline) runs.push_back(std::move(e));
  }
  std::sort(runs.begin(), runs.end(),
            [](const RunEntry& a, const RunEntry& b) { return a.run_id > b.run_id; });
  return runs;
}

void save_run(const Project& project, const nlohmann::ordered_json& record, size_t keep) {
  if (keep == 0) return;
  const std::string id = record.at("run_id").get<std::string>();
  files::write_file_atomically(
      runs_dir(project) / (id + ".json"),
      record.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + '\n', "the run record",
      ErrorKind::Data, "check that target/runs is writable and the disk not full");
  auto runs = list_runs(project, text_of(record, "pipeline"));
  for (size_t i = keep; i < runs.size(); ++i) {
    std::error_code ec;
    fs::remove(runs[i].file, ec);  // a record that cannot be removed now goes at a later run
  }
}

nlohmann::ordered_json load_run(const Project& project, const std::string& id) {
  auto runs = list_runs(project);
  std::vector<const RunEntry*> matches;
  for (const auto& r : runs)
    if (r.run_id == id) return *read_record(r.file);
  for (const auto& r : runs)
    if (r.run_id.rfind(id, 0) == 0) matches.push_back(&r);
  if (matches.size() == 1) {
    if (auto doc = read_record(matches.front()->file)) return *doc;
  }
  std::string recent;
  for (size_t i = 0; i < std::min<size_t>(runs.size(), 5); ++i)
    recent += (recent.empty() ? "" : ", ") + runs[i].run_id + " (" + runs[i].pipeline + ")";
  if (matches.size() > 1)
    throw usage_error("run id '" + id + "' matches " + std::to_string(matches.size()) + " runs",
                      "give more of the id; recent runs: " + recent);
  throw usage_error("no recorded run '" + id + "' in " + runs_dir(project).string(),
                    runs.empty() ? "runs are recorded by `sqlflow pipeline run`" : "recent runs: " + recent);
}

}  // namespace sqlflow::pipeline
