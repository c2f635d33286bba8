// Variable references, precedence and context-aware substitution.
#include "pipeline/variables.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>
#include <string>

using namespace sqlflow::pipeline;

namespace {

// An environment variable set for the lifetime of the object.
class EnvVar {
 public:
  EnvVar(std::string name, const std::string& value) : name_(std::move(name)) {
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~EnvVar() { ::unsetenv(name_.c_str()); }

 private:
  std::string name_;
};

std::string sub(const std::string& text, const VariableScope& vars,
                SubstitutionContext ctx = SubstitutionContext::Plain) {
  const Substituted s = substitute(text, vars, ctx);
  EXPECT_TRUE(s.problems.empty()) << (s.problems.empty() ? "" : s.problems.front().message);
  return s.text;
}

TEST(Variables, PrecedenceCliProfileSetEnvironment) {
  const EnvVar env("SQLFLOW_TEST_LEVEL", "environment");
  const EnvVar env2("SQLFLOW_TEST_ONLY_ENV", "from-env");
  VariableScope vars({{"SQLFLOW_TEST_LEVEL", "cli"}}, {{"SQLFLOW_TEST_LEVEL", "profile"}, {"p", "profile"}},
                     true);
  vars.set("SQLFLOW_TEST_LEVEL", "set");
  vars.set("p", "set");
  vars.set("s", "set");
  EXPECT_EQ(vars.lookup("SQLFLOW_TEST_LEVEL"), "cli");          // cli beats profile, SET and environment
  EXPECT_EQ(vars.lookup("p"), "profile");                       // profile beats SET
  EXPECT_EQ(vars.lookup("s"), "set");                           // SET is seen
  EXPECT_EQ(vars.lookup("SQLFLOW_TEST_ONLY_ENV"), "from-env");  // environment comes last
  EXPECT_EQ(vars.lookup("nowhere_at_all"), std::nullopt);
}

TEST(Variables, SetBeatsEnvironment) {
  const EnvVar env("SQLFLOW_TEST_SET_VS_ENV", "environment");
  VariableScope vars({}, {}, true);
  EXPECT_EQ(vars.lookup("SQLFLOW_TEST_SET_VS_ENV"), "environment");
  vars.set("SQLFLOW_TEST_SET_VS_ENV", "set");
  EXPECT_EQ(vars.lookup("SQLFLOW_TEST_SET_VS_ENV"), "set");
}

TEST(Variables, EnvironmentCanBeTurnedOff) {
  const EnvVar env("SQLFLOW_TEST_NO_ENV", "x");
  const VariableScope vars({}, {}, false);
  EXPECT_EQ(vars.lookup("SQLFLOW_TEST_NO_ENV"), std::nullopt);
}

TEST(Variables, DefinedListsCliProfileAndSetWithWinningValues) {
  const EnvVar env("SQLFLOW_TEST_DEFINED_ENV", "x");
  VariableScope vars({{"a", "cli"}}, {{"a", "profile"}, {"b", "profile"}}, true);
  vars.set("b", "set");
  vars.set("c", "set");
  const std::map<std::string, std::string> expected{{"a", "cli"}, {"b", "profile"}, {"c", "set"}};
  EXPECT_EQ(vars.defined(), expected);
}

TEST(Variables, ReferencesAndDefaults) {
  const VariableScope vars({{"env", "prod"}, {"empty", ""}}, {}, false);
  EXPECT_EQ(sub("${env}", vars), "prod");
  EXPECT_EQ(sub("a_${env}_b", vars), "a_prod_b");
  EXPECT_EQ(sub("${ env }", vars), "prod");
  EXPECT_EQ(sub("${env|dev}", vars), "prod");  // defined: the default is ignored
  EXPECT_EQ(sub("${region|eu}", vars), "eu");
  EXPECT_EQ(sub("${region | us-east }", vars), "us-east");  // spaces around the default are trimmed
  EXPECT_EQ(sub("${region|'quoted default'}", vars), "quoted default");
  EXPECT_EQ(sub("${region|\"dq\"}", vars), "dq");
  EXPECT_EQ(sub("${region|}", vars), "");
  EXPECT_EQ(sub("${empty|fallback}", vars), "");  // defined as empty counts as defined
  EXPECT_EQ(sub("${a|1}${b|2}", vars), "12");
  EXPECT_EQ(sub("no references $env $1 $$", vars), "no references $env $1 $$");
}

TEST(Variables, ValuesAreNotSubstitutedRecursively) {
  const VariableScope vars({{"a", "${b}"}, {"b", "oops"}}, {}, false);
  EXPECT_EQ(sub("${a}", vars), "${b}");
}

TEST(Variables, UndefinedVariableIsAProblemWithItsOffset) {
  const VariableScope vars({}, {}, false);
  const Substituted s = substitute("SELECT ${missing_var} FROM t", vars, SubstitutionContext::Sql);
  ASSERT_EQ(s.problems.size(), 1u);
  EXPECT_EQ(s.problems[0].offset, 7u);
  EXPECT_EQ(s.problems[0].message, "undefined variable 'missing_var'");
  EXPECT_EQ(s.problems[0].hint,
            "define it with SET, --vars or the profile's variables:, or give a default ${missing_var|value}");
  EXPECT_EQ(s.text, "SELECT ${missing_var} FROM t");  // left in place
}

TEST(Variables, MalformedReferencesAreProblems) {
  const VariableScope vars({}, {}, false);
  EXPECT_NE(substitute("${not closed", vars, SubstitutionContext::Plain)
                .problems.at(0)
                .message.find("unterminated"),
            std::string::npos);
  EXPECT_NE(
      substitute("${two words}", vars, SubstitutionContext::Plain).problems.at(0).message.find("invalid"),
      std::string::npos);
  EXPECT_NE(substitute("${}", vars, SubstitutionContext::Plain).problems.at(0).message.find("invalid"),
            std::string::npos);
}

TEST(Variables, AReferenceEndsWithinItsLengthLimit) {
  const VariableScope vars({{"a", "1"}}, {}, false);
  // A default just inside the limit is a reference; one past it is not (so a text full of
  // unclosed "${" is scanned in linear time; found by the fuzzer as a quadratic slowdown).
  const std::string fits = "${a|" + std::string(kMaxReferenceLength - 5, 'x') + "}";
  EXPECT_TRUE(parse_reference(fits, 0));
  EXPECT_EQ(substitute(fits, vars, SubstitutionContext::Plain).text, "1");
  const std::string too_long = "${a|" + std::string(kMaxReferenceLength, 'x') + "}";
  EXPECT_FALSE(parse_reference(too_long, 0));
  auto s = substitute(too_long, vars, SubstitutionContext::Plain);
  ASSERT_FALSE(s.problems.empty());
  EXPECT_NE(s.problems[0].hint.find("at most 1024 characters"), std::string::npos) << s.problems[0].hint;
}

TEST(Variables, SqlLeavesBareDollarAndCommentsAlone) {
  const VariableScope vars({{"t", "orders"}, {"name", "x"}}, {}, false);
  EXPECT_EQ(sub("SELECT $1, $name FROM ${t}", vars, SubstitutionContext::Sql),
            "SELECT $1, $name FROM orders");
  EXPECT_EQ(sub("SELECT 1 -- uses ${undefined_in_comment}\nFROM ${t}", vars, SubstitutionContext::Sql),
            "SELECT 1 -- uses ${undefined_in_comment}\nFROM orders");
  EXPECT_EQ(sub("SELECT /* ${nope} /* nested */ ${nope2} */ 1", vars, SubstitutionContext::Sql),
            "SELECT /* ${nope} /* nested */ ${nope2} */ 1");
  // Inside strings and dollar-quoted bodies the value is substituted.
  EXPECT_EQ(sub("WHERE region = '${t}' AND x = '-- ${t}'", vars, SubstitutionContext::Sql),
            "WHERE region = 'orders' AND x = '-- orders'");
  EXPECT_EQ(sub("CREATE MACRO m() AS $$ '${t}' $$", vars, SubstitutionContext::Sql),
            "CREATE MACRO m() AS $$ 'orders' $$");
  EXPECT_EQ(sub("SELECT E'\\' -- ${t}'", vars, SubstitutionContext::Sql), "SELECT E'\\' -- orders'");
}

TEST(Variables, JsonSubstitutionKeepsTheDocumentValid) {
  const VariableScope vars({{"path", "C:\\data\\\"q\".csv"},
                            {"note", "line1\nline2\ttab \x01"},
                            {"port", "5432"},
                            {"flag", "true"},
                            {"list", "[1, 2]"}},
                           {}, false);
  const std::string text =
      R"({"path": "${path}", "note": "${note}", "port": ${port}, "on": ${flag}, "ids": ${list}, "mixed": "dir/${port}/x"})";
  const std::string out = sub(text, vars, SubstitutionContext::Json);
  const nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j["path"], "C:\\data\\\"q\".csv");  // round-trips exactly
  EXPECT_EQ(j["note"], "line1\nline2\ttab \x01");
  EXPECT_EQ(j["port"], 5432);  // outside a string the value is pasted as JSON
  EXPECT_EQ(j["on"], true);
  EXPECT_EQ(j["ids"], nlohmann::json::parse("[1, 2]"));
  EXPECT_EQ(j["mixed"], "dir/5432/x");
}

TEST(Variables, JsonTrailingCommasAreDroppedOutsideStrings) {
  const VariableScope vars({}, {}, false);
  const std::string out =
      sub("{\"a\": [1, 2, ], \"s\": \"keep, }\", \"b\": {\"c\": 1,\n},\n}", vars, SubstitutionContext::Json);
  EXPECT_EQ(out, "{\"a\": [1, 2 ], \"s\": \"keep, }\", \"b\": {\"c\": 1\n}\n}");
  nlohmann::json parsed;
  EXPECT_NO_THROW(parsed = nlohmann::json::parse(out));
  EXPECT_EQ(parsed["b"]["c"], 1);
}

TEST(Variables, JsonOffsetsMapBackToTheInput) {
  const VariableScope vars({{"long", "a-much-longer-value"}}, {}, false);
  const std::string in = "{\"x\": \"${long}\", bad}";
  const Substituted s = substitute(in, vars, SubstitutionContext::Json);
  const std::size_t bad_out = s.text.find("bad");
  EXPECT_EQ(s.input_offset(bad_out), in.find("bad"));
  // An offset inside a substituted value maps to its ${.
  EXPECT_EQ(s.input_offset(s.text.find("much")), in.find("${long}"));
}

TEST(Variables, ConditionValuesInsideQuotesAreEscaped) {
  const VariableScope vars({{"name", "O'Brien"}, {"env", "prod"}}, {}, false);
  EXPECT_EQ(sub("'${name}' == 'x'", vars, SubstitutionContext::Condition), "'O''Brien' == 'x'");
  EXPECT_EQ(sub("\"${name}\" == 'x'", vars, SubstitutionContext::Condition), "\"O'Brien\" == 'x'");
  EXPECT_EQ(sub("${env} == 'prod'", vars, SubstitutionContext::Condition), "prod == 'prod'");
  // The original also accepts a bare $name in conditions.
  EXPECT_EQ(sub("$env == 'prod'", vars, SubstitutionContext::Condition), "prod == 'prod'");
}

TEST(Variables, JsonEscape) {
  EXPECT_EQ(json_escape("a\"b\\c\n\r\t\b\f\x1f é"), "a\\\"b\\\\c\\n\\r\\t\\b\\f\\u001f é");
}

}  // namespace
