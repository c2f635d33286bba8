// The IF condition evaluator: what it accepts, how values compare, and what it refuses.
#include "pipeline/conditions.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"

using namespace sqlflow;
using namespace sqlflow::pipeline;

namespace {

// The message of the Error evaluate_condition throws, or "" if it does not throw.
std::string error_of(const std::string& condition) {
  try {
    evaluate_condition(condition);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Parse);
    return e.message();
  }
  return "";
}

TEST(Conditions, BareWordComparesAsText) {
  // What `IF ${env} == 'production'` becomes after substitution.
  EXPECT_TRUE(evaluate_condition("production == 'production'"));
  EXPECT_FALSE(evaluate_condition("staging == 'production'"));
  EXPECT_TRUE(evaluate_condition("us-east == 'us-east'"));  // hyphenated values stay one word
  EXPECT_TRUE(evaluate_condition("2024-01-31 > '2024-01-01'"));
  EXPECT_TRUE(evaluate_condition("global != \"eu\""));
}

TEST(Conditions, AllComparisonOperators) {
  EXPECT_TRUE(evaluate_condition("'a' == 'a'"));
  EXPECT_TRUE(evaluate_condition("'a' != 'b'"));
  EXPECT_TRUE(evaluate_condition("'a' <> 'b'"));
  EXPECT_TRUE(evaluate_condition("'a' < 'b'"));
  EXPECT_TRUE(evaluate_condition("'a' <= 'a'"));
  EXPECT_FALSE(evaluate_condition("'a' > 'b'"));
  EXPECT_TRUE(evaluate_condition("'b' >= 'a'"));
}

TEST(Conditions, NumbersCompareNumericallyWhenBothSidesAreNumbers) {
  EXPECT_TRUE(evaluate_condition("10 > 9"));    // as text "10" < "9"
  EXPECT_TRUE(evaluate_condition("10 > '9'"));  // a quoted number still reads as a number
  EXPECT_TRUE(evaluate_condition("1.50 == 1.5"));
  EXPECT_TRUE(evaluate_condition("-3 < 2"));
  EXPECT_TRUE(evaluate_condition("1e3 == 1000"));
  EXPECT_TRUE(evaluate_condition("5 == '5'"));
  EXPECT_FALSE(evaluate_condition("10 == 'ten'"));  // not both numbers: compared as text
  EXPECT_TRUE(evaluate_condition("'10' < 'abc'"));
}

TEST(Conditions, BooleansAndTheirTextForms) {
  EXPECT_TRUE(evaluate_condition("true"));
  EXPECT_FALSE(evaluate_condition("FALSE"));
  EXPECT_TRUE(evaluate_condition("true == 'true'"));  // ${flag|true} == 'true'
  EXPECT_TRUE(evaluate_condition("True == 'TRUE'"));
  EXPECT_TRUE(evaluate_condition("false == 'false'"));
  EXPECT_FALSE(evaluate_condition("false == 'true'"));
  EXPECT_TRUE(evaluate_condition("false != 'true'"));
  EXPECT_TRUE(evaluate_condition("true == true"));
  EXPECT_FALSE(evaluate_condition("yes == 'true'"));
  EXPECT_NE(error_of("true < false"), "");
}

TEST(Conditions, LogicalOperatorsAndPrecedence) {
  EXPECT_TRUE(evaluate_condition("'a' == 'a' and 'b' == 'b'"));
  EXPECT_FALSE(evaluate_condition("'a' == 'a' AND 'b' == 'c'"));
  EXPECT_TRUE(evaluate_condition("'a' == 'x' or 'b' == 'b'"));
  EXPECT_TRUE(evaluate_condition("not 'a' == 'x'"));
  EXPECT_TRUE(evaluate_condition("NOT false"));
  EXPECT_TRUE(evaluate_condition("'a' == 'a' && !('b' == 'c')"));
  EXPECT_TRUE(evaluate_condition("false || true"));
  // and binds tighter than or: true or (false and false)
  EXPECT_TRUE(evaluate_condition("true or false and false"));
  EXPECT_FALSE(evaluate_condition("(true or false) and false"));
  EXPECT_TRUE(evaluate_condition("not not true"));
  EXPECT_TRUE(evaluate_condition("((('x' == 'x')))"));
}

TEST(Conditions, QuotedStringsMayHoldOperatorsAndDoubledQuotes) {
  EXPECT_TRUE(evaluate_condition("'a and b' == \"a and b\""));
  EXPECT_TRUE(evaluate_condition("'it''s' == \"it's\""));
  EXPECT_TRUE(evaluate_condition("'x == y' != 'z'"));
  EXPECT_TRUE(evaluate_condition("'' == \"\""));
}

TEST(Conditions, RefusesAnythingButComparisons) {
  EXPECT_NE(error_of("__import__('os').system('id') == 0").find("function calls are not allowed"),
            std::string::npos);
  EXPECT_NE(error_of("len ('abc') == 3").find("function calls are not allowed"), std::string::npos);
  EXPECT_NE(error_of("os.environ == 'x'").find("attribute access is not allowed"), std::string::npos);
  EXPECT_NE(error_of("x = 'y'").find("use '=='"), std::string::npos);
  EXPECT_NE(error_of("x in 'xyz'").find("expected and, or or the end of the condition, found 'in'"),
            std::string::npos);
  EXPECT_NE(error_of("'a' == 'a' == 'a'").find("chained comparisons"), std::string::npos);
  EXPECT_NE(error_of("'a' & 'b'").find("unexpected '&'"), std::string::npos);
  EXPECT_NE(error_of("'abc").find("unterminated string"), std::string::npos);
  EXPECT_NE(error_of("(true").find("expected ')'"), std::string::npos);
  EXPECT_NE(error_of("== 'a'").find("expected a value"), std::string::npos);
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  EXPECT_NE(error_of("   ").find("empty"), std::string::npos);
}

TEST(Conditions, ResultMustBeBoolean) {
  EXPECT_NE(error_of("production").find("must be true or false"), std::string::npos);
  EXPECT_NE(error_of("42").find("must be true or false"), std::string::npos);
  EXPECT_NE(error_of("'a' and true").find("'and' needs true/false"), std::string::npos);
  EXPECT_NE(error_of("not 'a'").find("'not' needs true/false"), std::string::npos);
}

TEST(Conditions, VersionsAndDecimalsAreNotAttributeAccess) {
  EXPECT_TRUE(evaluate_condition("1.2.3 == '1.2.3'"));
  EXPECT_TRUE(evaluate_condition("v1.2 == 'v1.2'"));
}

TEST(Conditions, NestingIsBounded) {
  // Deep nesting is refused with an error instead of exhausting the stack.
  const std::string deep(100000, '(');
  EXPECT_NE(error_of(deep + "true").find("nested more than"), std::string::npos);
  std::string nots;
  for (int i = 0; i < 50000; ++i) nots += "not ";
  EXPECT_NE(error_of(nots + "true").find("nested more than"), std::string::npos);
  // Up to the limit it works.
  std::string ok;
  for (int i = 0; i < kMaxConditionDepth - 1; ++i) ok += "(";
  ok += "true";
  for (int i = 0; i < kMaxConditionDepth - 1; ++i) ok += ")";
  EXPECT_TRUE(evaluate_condition(ok));
}

}  // namespace
