// Operating a pipeline through the binary: failures isolated to their branch, --fail-fast,
// --select/--exclude with graph operators, --from-failed, the run history, --project-dir.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

using namespace sqlflow;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// Two independent branches: `a` feeds a transform that fails while data/late.csv is missing,
// `b` is exported on its own.
void write_branching_project(const fs::path& dir, bool persistent = false) {
  test::write_file(dir / "data/a.csv", "id,v\n1,10\n2,20\n");
  test::write_file(dir / "data/b.csv", "id,w\n1,x\n2,y\n3,z\n");
  test::write_file(
      dir / "pipelines/branches.sf",
      "SOURCE a TYPE CSV PARAMS {\"path\": \"data/a.csv\", \"has_header\": true};\n"
      "SOURCE b TYPE CSV PARAMS {\"path\": \"data/b.csv\", \"has_header\": true};\n"
      "LOAD a_table FROM a;\n"
      "LOAD b_table FROM b;\n"
      "CREATE TABLE late AS SELECT l.*, a.v FROM read_csv('data/late.csv') l JOIN a_table a USING (id);\n"
      "EXPORT SELECT * FROM late TO \"output/late.csv\" TYPE CSV OPTIONS {\"header\": true};\n"
      "EXPORT SELECT * FROM b_table ORDER BY id TO \"output/b.csv\" TYPE CSV OPTIONS {\"header\": "
      "true};\n");
  if (persistent)
    test::write_file(
        dir / "profiles/dev.yml",
        "engines:\n  duckdb:\n    mode: persistent\n    path: target/dev.duckdb\nrun_history: 3\n");
}

Json read_json(const fs::path& p) {
  return Json::parse(test::read_file(p));
}

// Step name → status from a metrics document.
std::map<std::string, std::string> statuses(const Json& metrics) {
  std::map<std::string, std::string> out;
  for (const auto& s : metrics["steps"]) out[s["name"]] = s["status"];
  return out;
}

}  // namespace

TEST(Operating, AFailedStepSkipsOnlyWhatDependsOnIt) {
  test::TempDir dir("op-isolate");
  write_branching_project(dir.path());
  auto r =
      test::run_sqlflow({"pipeline", "run", "branches", "-j", "1", "--metrics-json", "m.json"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  // The independent branch finished: its export is written.
  EXPECT_EQ(test::read_file(dir / "output/b.csv"), "id,w\n1,x\n2,y\n3,z\n");
  EXPECT_FALSE(fs::exists(dir / "output/late.csv"));
  auto st = statuses(read_json(dir / "m.json"));
  EXPECT_EQ(st["transform late"], "failed");
  EXPECT_EQ(st["export output/late.csv"], "skipped");
  EXPECT_EQ(st["export output/b.csv"], "ok");
  EXPECT_NE(r.err.find("export output/late.csv: not run: depends on failed step 'transform late'"),
            std::string::npos)
      << r.err;
  // The run's metrics carry the failure.
  EXPECT_NE(read_json(dir / "m.json")["error"].get<std::string>().find("step 'transform late' failed"),
            std::string::npos);
}

TEST(Operating, FailFastStartsNothingAfterAFailure) {
  test::TempDir dir("op-failfast");
  write_branching_project(dir.path());
  auto r = test::run_sqlflow(
      {"pipeline", "run", "branches", "-j", "1", "--fail-fast", "--metrics-json", "m.json"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_FALSE(fs::exists(dir / "output/b.csv"));
  auto st = statuses(read_json(dir / "m.json"));
  EXPECT_EQ(st["export output/b.csv"], "skipped");
  EXPECT_NE(r.err.find("not run: an earlier step failed (--fail-fast)"), std::string::npos) << r.err;
}

TEST(Operating, SelectAndExcludeWithGraphOperators) {
  test::TempDir dir("op-select");
  write_branching_project(dir.path());
  auto steps_run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"pipeline", "run", "branches", "--metrics-json", "m.json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = test::run_sqlflow(args, dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> names;
    const Json metrics = read_json(dir / "m.json");
    for (const auto& s : metrics["steps"]) names.push_back(s["name"]);
    return names;
  };
  // Upstream of the export (+step), by the step's full name.
  EXPECT_EQ(steps_run({"--select", "+export output/b.csv"}),
            (std::vector<std::string>{"load b_table", "export output/b.csv"}));
  // Downstream of a target (step+), by the target alone.
  EXPECT_EQ(steps_run({"--select", "b_table+"}),
            (std::vector<std::string>{"load b_table", "export output/b.csv"}));
  // Everything but the failing branch, by number and name.
  EXPECT_EQ(steps_run({"--exclude", "3,export output/late.csv"}),
            (std::vector<std::string>{"load a_table", "load b_table", "export output/b.csv"}));

  auto bad = test::run_sqlflow({"pipeline", "run", "branches", "--select", "b_tabel"}, dir.path());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--select: the pipeline has no step 'b_tabel' (did you mean 'b_table'?)"),
            std::string::npos)
      << bad.err;
  // An in-memory engine has none of the tables an unselected step would write: said before running.
  auto cut =
      test::run_sqlflow({"pipeline", "run", "branches", "--select", "export output/b.csv"}, dir.path());
  EXPECT_EQ(cut.exit_code, 1);
  EXPECT_NE(cut.err.find("the engine is in memory, so those tables do not exist"), std::string::npos)
      << cut.err;
}

TEST(Operating, FromFailedRerunsOnlyWhatTheLastRunDidNotFinish) {
  test::TempDir dir("op-fromfailed");
  write_branching_project(dir.path(), /*persistent=*/true);
  auto first = test::run_sqlflow({"pipeline", "run", "branches", "-j", "1"}, dir.path());
  ASSERT_EQ(first.exit_code, 1) << first.err;
  EXPECT_NE(first.err.find("--from-failed re-runs only the steps that did not finish"), std::string::npos);

  test::write_file(dir / "data/late.csv", "id,extra\n2,late\n");
  fs::remove(dir / "output/b.csv");  // a re-run of the finished branch would write it again
  auto again = test::run_sqlflow({"pipeline", "run", "branches", "--from-failed", "--metrics-json", "m.json"},
                                 dir.path());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto st = statuses(read_json(dir / "m.json"));
  EXPECT_EQ(st.size(), 2u);
  EXPECT_EQ(st["transform late"], "ok");
  EXPECT_EQ(st["export output/late.csv"], "ok");
  EXPECT_EQ(test::read_file(dir / "output/late.csv"), "id,extra,v\n2,late,20\n");
  EXPECT_FALSE(fs::exists(dir / "output/b.csv"));

  auto nothing = test::run_sqlflow({"pipeline", "run", "branches", "--from-failed"}, dir.path());
  EXPECT_EQ(nothing.exit_code, 0) << nothing.err;
  EXPECT_NE(nothing.err.find("finished every step: nothing to re-run"), std::string::npos) << nothing.err;

  test::TempDir mem("op-fromfailed-mem");
  write_branching_project(mem.path());
  auto refused = test::run_sqlflow({"pipeline", "run", "branches", "--from-failed"}, mem.path());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--from-failed needs a persistent engine"), std::string::npos) << refused.err;
}

TEST(Operating, RunsAreRecordedListedShownAndPruned) {
  test::TempDir dir("op-history");
  write_branching_project(dir.path(), /*persistent=*/true);  // run_history: 3
  for (int i = 0; i < 4; ++i)
    test::run_sqlflow({"pipeline", "run", "branches", "--vars", "api_token=tok-canary-77,region=eu"},
                      dir.path());
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir / "target/runs")) files += e.path().extension() == ".json";
  EXPECT_EQ(files, 3u);

  auto list = test::run_sqlflow({"pipeline", "runs", "branches", "--format", "json"}, dir.path());
  ASSERT_EQ(list.exit_code, 0) << list.err;
  Json runs = Json::parse(list.out);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_GT(runs[0]["run_id"].get<std::string>(), runs[1]["run_id"].get<std::string>());  // newest first
  EXPECT_EQ(runs[0]["status"], "failed");

  const std::string id = runs[0]["run_id"];
  auto shown = test::run_sqlflow({"pipeline", "show-run", id.substr(0, 19), "--format", "json"}, dir.path());
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  Json record = Json::parse(shown.out);
  EXPECT_EQ(record["run_id"], id);
  EXPECT_EQ(record["exit_code"], 1);
  EXPECT_EQ(record["variables"]["api_token"], "***");
  EXPECT_EQ(record["variables"]["region"], "eu");
  EXPECT_EQ(shown.out.find("tok-canary-77"), std::string::npos);
  auto text = test::run_sqlflow({"pipeline", "show-run", id}, dir.path());
  EXPECT_NE(text.out.find("not run: depends on failed step 'transform late'"), std::string::npos) << text.out;

  auto status = test::run_sqlflow({"status"}, dir.path());
  EXPECT_NE(status.out.find("branches  last run " + id + ": failed"), std::string::npos) << status.out;
  auto unknown = test::run_sqlflow({"pipeline", "show-run", "19990101"}, dir.path());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("recent runs: " + id), std::string::npos) << unknown.err;
}

TEST(Operating, AnInvalidPipelineStillWritesItsMetricsAndRecord) {
  test::TempDir dir("op-invalid");
  test::write_file(dir / "pipelines/bad.sf", "LOAD t FROM nowhere;\n");
  auto r = test::run_sqlflow({"pipeline", "run", "bad", "--metrics-json", "m.json"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  Json m = read_json(dir / "m.json");
  EXPECT_EQ(m["status"], "failed");
  EXPECT_EQ(m["error"].get<std::string>().rfind("invalid: ", 0), 0u) << m.dump();
  auto runs = test::run_sqlflow({"pipeline", "runs", "--format", "json"}, dir.path());
  EXPECT_EQ(Json::parse(runs.out)[0]["status"], "invalid");
}

TEST(Operating, ProjectDirAndPipelinePathsFromOutsideTheProject) {
  test::TempDir outside("op-elsewhere");
  test::TempDir dir("op-projectdir");
  write_branching_project(dir.path());
  auto by_flag = test::run_sqlflow({"--project-dir", dir.path().string(), "pipeline", "run", "branches",
                                    "--select", "+export output/b.csv"},
                                   outside.path());
  EXPECT_EQ(by_flag.exit_code, 0) << by_flag.err;
  EXPECT_TRUE(fs::exists(dir / "output/b.csv"));
  fs::remove(dir / "output/b.csv");
  // A path to the .sf file: its data paths resolve against its own project, not the working folder.
  auto by_path = test::run_sqlflow(
      {"pipeline", "run", (dir / "pipelines/branches.sf").string(), "--select", "+export output/b.csv"},
      outside.path());
  EXPECT_EQ(by_path.exit_code, 0) << by_path.err;
  EXPECT_TRUE(fs::exists(dir / "output/b.csv"));
  EXPECT_FALSE(fs::exists(outside / "output"));
  auto by_env =
      test::run_sqlflow({"pipeline", "list"}, outside.path(), "SQLFLOW_PROJECT_DIR=" + dir.path().string());
  EXPECT_NE(by_env.out.find("branches"), std::string::npos) << by_env.err;
}
