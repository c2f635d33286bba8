// Every pipeline of every project under examples/ runs successfully through the binary, in a
// fresh copy of the project, and writes the files its EXPORTs name.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace fs = std::filesystem;
using namespace sqlflow;

namespace {

std::vector<std::string> example_projects() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(fs::path(test::source_dir()) / "examples"))
    if (fs::is_directory(e.path() / "pipelines")) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

class Example : public ::testing::TestWithParam<std::string> {};

TEST_P(Example, EveryPipelineRuns) {
  test::TempDir dir("example-" + GetParam());
  fs::copy(fs::path(test::source_dir()) / "examples" / GetParam(), dir.path(), fs::copy_options::recursive);
  fs::remove_all(dir.path() / "output");
  fs::remove_all(dir.path() / "target");
  auto list = test::run_sqlflow({"pipeline", "list", "--format", "json"}, dir.path());
  ASSERT_EQ(list.exit_code, 0) << list.err;
  for (const auto& entry : fs::directory_iterator(dir.path() / "pipelines")) {
    if (entry.path().extension() != ".sf") continue;
    std::string name = entry.path().stem().string();
    EXPECT_NE(list.out.find("\"" + name + "\""), std::string::npos) << list.out;
    auto r = test::run_sqlflow({"pipeline", "run", name}, dir.path());
    EXPECT_EQ(r.exit_code, 0) << GetParam() << "/" << name << "\n" << r.err;
    EXPECT_NE(r.err.find(" ok — "), std::string::npos) << r.err;
    // Each EXPORT of the plan wrote its file (or partitioned folder), and left no temporary.
    auto plan = test::run_sqlflow({"pipeline", "compile", name, "--format", "json"}, dir.path());
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    for (const auto& step : nlohmann::json::parse(plan.out)["steps"]) {
      if (step["kind"] != "export") continue;
      const std::string target = step["name"].get<std::string>().substr(std::string("export ").size());
      EXPECT_TRUE(fs::exists(dir.path() / target))
          << GetParam() << "/" << name << ": " << target << " not written";
    }
  }
  for (const auto& e : fs::recursive_directory_iterator(dir.path()))
    EXPECT_EQ(e.path().filename().string().find(".sqlflow-tmp-"), std::string::npos) << e.path();
}

INSTANTIATE_TEST_SUITE_P(Projects, Example, ::testing::ValuesIn(example_projects()),
                         [](const auto& info) { return info.param; });

}  // namespace
