// Golden tests of the .sf parser: every tests/pipeline/golden/NAME.sf is parsed; a valid file's
// dump() must equal NAME.ast, an invalid file's errors (format_with_excerpt, in order) NAME.err.
// SQLFLOW_UPDATE_GOLDEN=1 rewrites the expected files from the current output — review the diff
// before committing it. A fixed parser bug adds one NAME.sf here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/parser.hpp"
#include "support/test_support.hpp"

namespace fs = std::filesystem;
using namespace sqlflow;
using namespace sqlflow::pipeline;

namespace {

fs::path golden_dir() {
  return fs::path(test::source_dir()) / "tests" / "pipeline" / "golden";
}

std::vector<std::string> golden_cases() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(golden_dir())) {
    if (entry.path().extension() == ".sf") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool updating() {
  const char* v = std::getenv("SQLFLOW_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

struct Rendered {
  bool has_errors = false;
  std::string text;
};

// The file is named by its base name in locations, so the expected output does not depend on
// where the checkout lives.
Rendered render(const fs::path& sf) {
  const std::string text = test::read_file(sf);
  const ParseResult r = parse(text, sf.filename().string());
  Rendered out;
  out.has_errors = !r.errors.empty();
  if (!out.has_errors) {
    out.text = dump(r.pipeline);
  } else {
    for (const Error& e : r.errors) out.text += format_with_excerpt(e, text);
  }
  return out;
}

class ParserGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ParserGolden, MatchesExpectedOutput) {
  const fs::path sf = golden_dir() / (GetParam() + ".sf");
  const fs::path ast = fs::path(sf).replace_extension(".ast");
  const fs::path err = fs::path(sf).replace_extension(".err");
  const Rendered got = render(sf);
  const fs::path& expected_file = got.has_errors ? err : ast;
  const fs::path& other_file = got.has_errors ? ast : err;
  if (updating()) {
    test::write_file(expected_file, got.text);
    fs::remove(other_file);
    return;
  }
  ASSERT_TRUE(fs::exists(expected_file))
      << sf.filename()
      << (got.has_errors ? " has errors but no .err file:\n" : " parses but has no .ast file:\n") << got.text;
  EXPECT_EQ(got.text, test::read_file(expected_file)) << "for " << sf.filename();
  // Parsing is deterministic: a second run gives the same output.
  EXPECT_EQ(render(sf).text, got.text);
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (char& c : n) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) c = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Golden, ParserGolden, ::testing::ValuesIn(golden_cases()), test_name);

TEST(ParserGoldenFiles, EveryExpectedFileHasItsInput) {
  for (const auto& entry : fs::directory_iterator(golden_dir())) {
    const fs::path& p = entry.path();
    if (p.extension() == ".ast" || p.extension() == ".err") {
      EXPECT_TRUE(fs::exists(fs::path(p).replace_extension(".sf"))) << p << " has no .sf";
    }
  }
  EXPECT_GE(golden_cases().size(), 25u);
}

}  // namespace
