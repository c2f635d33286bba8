// The malformed-input corpus (tests/corpus/, issue #19.4) through the binary. For every file:
// never a crash or a hang (a signal or the 120 s guard fails the test); a failure exits 1 (data)
// or 2 (invalid .sf/profile) naming the file, and loads nothing; with on_error: skip, where the
// corpus manifest knows how many rows the input holds, rows loaded + rows rejected = that count.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>

#include "support/test_support.hpp"

using namespace sqlflow;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

const fs::path kCorpus = fs::path(SQLFLOW_SOURCE_DIR) / "tests/corpus";
const char* kGuard = "timeout -s KILL 120";  // a hang fails as exit 137, never blocks the suite

std::vector<std::string> corpus_files() {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(kCorpus))
    if (e.is_regular_file() && e.path().parent_path() != kCorpus)
      out.push_back(fs::relative(e.path(), kCorpus).string());
  std::sort(out.begin(), out.end());
  return out;
}

const Json& manifest() {
  static const Json m = Json::parse(test::read_file(kCorpus / "manifest.json"));
  return m;
}

std::string type_of(const std::string& rel) {
  const std::string kind = rel.substr(0, rel.find('/'));
  if (kind == "csv") return "CSV";
  if (kind == "json") return "JSON";
  if (kind == "parquet") return "PARQUET";
  return {};
}

void expect_no_crash(const test::RunResult& r, const std::string& what) {
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 2)
      << what << ": exit " << r.exit_code << " (a crash, a signal or a hang)\n"
      << r.err;
  EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
}

// Loads a data file strictly, then (when the manifest counts its rows) with on_error: skip.
void check_data_file(const fs::path& file, const std::string& type, std::optional<uint64_t> rows) {
  test::TempDir dir("corpus");
  const std::string name = "input" + file.extension().string();
  fs::create_directories(dir / "data");
  fs::copy_file(file, dir / "data" / name);
  auto pipeline = [&](const std::string& extra) {
    return "SOURCE s TYPE " + type + " PARAMS {\"path\": \"data/" + name + "\"" + extra +
           "};\nLOAD t FROM s;\nEXPORT SELECT count(*) AS n FROM t TO \"output/n.csv\" TYPE CSV OPTIONS "
           "{};\n";
  };
  test::write_file(dir / "pipelines/strict.sf", pipeline(""));
  auto strict = test::run_sqlflow({"pipeline", "run", "strict", "-q"}, dir.path(), kGuard);
  expect_no_crash(strict, "strict");
  if (strict.exit_code != 0) {
    EXPECT_NE(strict.err.find(name), std::string::npos) << "the error does not name the file:\n"
                                                        << strict.err;
    EXPECT_FALSE(fs::exists(dir / "output/n.csv")) << "a failed load still produced rows";
  } else {
    EXPECT_TRUE(fs::exists(dir / "output/n.csv"));
  }
  if (!rows || type != "CSV") return;
  test::write_file(dir / "pipelines/skip.sf", pipeline(", \"on_error\": \"skip\""));
  auto skip =
      test::run_sqlflow({"pipeline", "run", "skip", "-q", "--metrics-json", "m.json"}, dir.path(), kGuard);
  expect_no_crash(skip, "on_error skip");
  ASSERT_EQ(skip.exit_code, 0) << "on_error: skip still failed:\n" << skip.err;
  const Json m = Json::parse(test::read_file(dir / "m.json"));
  const Json& load = m["steps"][0];
  EXPECT_EQ(load["rows_out"].get<uint64_t>() + load["rejected_rows"].get<uint64_t>(), *rows)
      << "loaded " << load["rows_out"] << " + rejected " << load["rejected_rows"];
}

void check_pipeline_file(const std::string& content) {
  test::TempDir dir("corpus-sf");
  test::write_file(dir / "pipelines/input.sf", content);
  auto r = test::run_sqlflow({"pipeline", "validate", "input"}, dir.path(), kGuard);
  expect_no_crash(r, "validate");
  if (r.exit_code != 0) {
    EXPECT_TRUE(std::regex_search(r.err, std::regex("input\\.sf:[0-9]+"))) << "no file:line\n" << r.err;
  }
}

void check_profile_file(const fs::path& file) {
  test::TempDir dir("corpus-yml");
  fs::create_directories(dir / "profiles");
  fs::copy_file(file, dir / "profiles/dev.yml");
  test::write_file(dir / "pipelines/p.sf", "CREATE TABLE t AS SELECT 1 AS x;\n");
  auto v = test::run_sqlflow({"profiles", "validate", "dev"}, dir.path(), kGuard);
  expect_no_crash(v, "profiles validate");
  auto r = test::run_sqlflow({"pipeline", "run", "p", "-q"}, dir.path(), kGuard);
  expect_no_crash(r, "pipeline run");
  if (r.exit_code != 0) {
    EXPECT_TRUE(std::regex_search(r.err, std::regex("dev\\.yml(:[0-9]+)?"))) << "no file named\n" << r.err;
  }
}

class Corpus : public ::testing::TestWithParam<std::string> {};

TEST_P(Corpus, FailsCleanlyOrLoadsAndNeverCrashes) {
  const std::string rel = GetParam();
  const fs::path file = kCorpus / rel;
  const std::string kind = rel.substr(0, rel.find('/'));
  if (kind == "sf") return check_pipeline_file(test::read_file(file));
  if (kind == "yaml") return check_profile_file(file);
  std::optional<uint64_t> rows;
  if (manifest().contains(rel)) rows = manifest()[rel]["rows"].get<uint64_t>();
  check_data_file(file, type_of(rel), rows);
}

INSTANTIATE_TEST_SUITE_P(Files, Corpus, ::testing::ValuesIn(corpus_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// Inputs too big to check in, made here: a 10 MB single CSV field and a 1 MB .sf line.
TEST(CorpusGenerated, TenMegabyteFieldAndMegabyteLine) {
  test::TempDir dir("corpus-big");
  fs::path csv = dir / "big.csv";
  {
    std::ofstream out(csv, std::ios::binary);
    out << "id,blob\n1,\"" << std::string(10 << 20, 'x') << "\"\n2,b\n";
  }
  check_data_file(csv, "CSV", std::nullopt);  // refused by default: longer than max_line_size
  // Raised, the line loads whole.
  test::write_file(
      dir / "pipelines/big.sf",
      "SOURCE s TYPE CSV PARAMS {\"path\": \"big.csv\", \"max_line_size\": 16777216};\nLOAD t FROM s;\n"
      "EXPORT SELECT count(*) AS n, max(length(blob)) AS longest FROM t TO \"output/n.csv\" TYPE CSV "
      "OPTIONS {};\n");
  auto raised = test::run_sqlflow({"pipeline", "run", "big", "-q"}, dir.path(), kGuard);
  ASSERT_EQ(raised.exit_code, 0) << raised.err;
  EXPECT_EQ(test::read_file(dir / "output/n.csv"), "n,longest\n2,10485760\n");
  check_pipeline_file("CREATE TABLE t AS SELECT '" + std::string(1 << 20, 'y') + "' AS v;\n");
  check_pipeline_file("-- " + std::string(1 << 20, 'z') + "\nCREATE TABLE t AS SELECT 1;\n");
}

}  // namespace
