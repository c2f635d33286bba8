// Hostile inputs (tests/pipeline/hostile/*.sf: binary junk, UTF-16, unbalanced everything, deep
// nesting, special files in INCLUDE, …) must never crash, hang or throw through parse_file()
// and resolve(), and every error they produce must print as clean UTF-8 text. The same files
// seed the libFuzzer target tests/fuzz/sf_parser_fuzz.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/parser.hpp"
#include "pipeline/resolver.hpp"
#include "support/test_support.hpp"

namespace fs = std::filesystem;
using namespace sqlflow;
using namespace sqlflow::pipeline;

namespace {

fs::path hostile_dir() {
  return fs::path(test::source_dir()) / "tests" / "pipeline" / "hostile";
}

std::vector<std::string> hostile_files() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(hostile_dir()))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

void expect_clean(const Error& e, const std::string& text) {
  const std::string shown = format_with_excerpt(e, text);
  EXPECT_EQ(shown.find('\0'), std::string::npos) << shown;
  EXPECT_TRUE(valid_utf8(shown)) << shown;
  EXPECT_LT(shown.size(), 2000u) << "an error message should stay readable";
}

class HostileInput : public ::testing::TestWithParam<std::string> {};

TEST_P(HostileInput, NeverCrashesAndReportsCleanly) {
  const fs::path path = hostile_dir() / GetParam();
  const std::string text = test::read_file(path);
  ParseResult parsed;
  ASSERT_NO_THROW(parsed = parse_file(path));
  for (const Error& e : parsed.errors) {
    EXPECT_TRUE(e.kind() == ErrorKind::Parse || e.kind() == ErrorKind::Usage) << e.format();
    ASSERT_TRUE(e.location().has_value()) << e.format();
    expect_clean(e, text);
  }
  EXPECT_LE(parsed.errors.size(), kMaxErrors + 1);
  std::string shown;
  ASSERT_NO_THROW(shown = dump(parsed.pipeline));
  VariableSources vars;
  vars.use_environment = false;
  ResolveResult resolved;
  ASSERT_NO_THROW(resolved = resolve(parsed.pipeline, vars));
  for (const Error& e : resolved.errors) expect_clean(e, text);
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (char& c : n) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) c = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Files, HostileInput, ::testing::ValuesIn(hostile_files()), test_name);

// Specific outcomes for some of the files, so the suite notices a change of behaviour.
TEST(HostileOutcome, SpecialFilesInIncludeAreRefused) {
  const ParseResult parsed = parse_file(hostile_dir() / "special_includes.sf");
  ASSERT_TRUE(parsed.errors.empty());
  VariableSources vars;
  vars.use_environment = false;
  const ResolveResult r = resolve(parsed.pipeline, vars);
  ASSERT_GE(r.errors.size(), 3u);
  EXPECT_NE(r.errors[0].message().find("/dev/null is not a regular file"), std::string::npos)
      << r.errors[0].message();
  EXPECT_NE(r.errors[1].message().find("/dev/zero is not a regular file"), std::string::npos);
  EXPECT_NE(r.errors[2].message().find("is a directory"), std::string::npos);
  ASSERT_EQ(r.statements.size(), 1u);  // SELECT 1 still resolves
}

TEST(HostileOutcome, DeepConditionsAreErrorsNotCrashes) {
  const ParseResult parsed = parse_file(hostile_dir() / "deep_condition.sf");
  ASSERT_TRUE(parsed.errors.empty());
  VariableSources vars;
  vars.use_environment = false;
  const ResolveResult r = resolve(parsed.pipeline, vars);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_NE(r.errors[0].message().find("nested more than"), std::string::npos);
  EXPECT_NE(r.errors[1].message().find("nested more than"), std::string::npos);
}

TEST(HostileOutcome, DeepJsonParses) {
  const ParseResult parsed = parse_file(hostile_dir() / "deep_json.sf");
  ASSERT_TRUE(parsed.errors.empty());
  VariableSources vars;
  vars.use_environment = false;
  const ResolveResult r = resolve(parsed.pipeline, vars);
  ASSERT_TRUE(r.errors.empty());
  const nlohmann::json* j = &std::get<SourceStmt>(r.statements.at(0).node).params;
  int depth = 0;
  while (j->is_object()) {
    j = &(*j)["a"];
    ++depth;
  }
  EXPECT_EQ(depth, 5000);
}

TEST(HostileOutcome, Utf16IsReportedAsNotUtf8) {
  const ParseResult parsed = parse_file(hostile_dir() / "utf16_pipeline.sf");
  ASSERT_FALSE(parsed.errors.empty());
  bool mentions_nul = false;
  for (const Error& e : parsed.errors)
    mentions_nul = mentions_nul || e.message().find("NUL byte") != std::string::npos;
  EXPECT_TRUE(mentions_nul);
}

TEST(HostileOutcome, NulInNamesIsAnError) {
  const ParseResult parsed = parse_file(hostile_dir() / "nul_in_names.sf");
  std::size_t name_errors = 0;
  for (const Error& e : parsed.errors) name_errors += e.message() == "a name may not contain a NUL byte";
  EXPECT_EQ(name_errors, 2u);
}

}  // namespace
