// Finding PYTHON_FUNC calls in SQL: the cases the Python SQLFlow's regex got wrong.
#include "udf/python_func.hpp"

#include <gtest/gtest.h>

using namespace sqlflow::udf;

TEST(PythonFunc, FindsScalarCallsWithNestedParentheses) {
  const std::string sql = "SELECT PYTHON_FUNC(\"python_udfs.m.f\", round(x, 2), 'a)b') AS y FROM t";
  auto calls = find_python_calls(sql);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].name, "python_udfs.m.f");
  EXPECT_EQ(calls[0].args, "round(x, 2), 'a)b'");
  EXPECT_EQ(sql.substr(calls[0].args_begin, calls[0].args.size()), calls[0].args);
  EXPECT_FALSE(calls[0].table);
  EXPECT_EQ(sql.substr(calls[0].begin, calls[0].end - calls[0].begin),
            "PYTHON_FUNC(\"python_udfs.m.f\", round(x, 2), 'a)b')");
}

TEST(PythonFunc, NestedCallsAndCallsWithoutArguments) {
  auto calls = find_python_calls("SELECT python_func('a.f', PYTHON_FUNC('b.g', x)), PYTHON_FUNC('c.h')");
  ASSERT_EQ(calls.size(), 2u);  // the outer call's arguments hold the inner one
  EXPECT_EQ(calls[0].name, "a.f");
  EXPECT_EQ(calls[0].args, "PYTHON_FUNC('b.g', x)");
  EXPECT_EQ(calls[1].name, "c.h");
  EXPECT_EQ(calls[1].args, "");
}

TEST(PythonFunc, CallAfterFromOrJoinIsATableCall) {
  auto calls =
      find_python_calls("SELECT * FROM PYTHON_FUNC(\"m.t\", sales) s JOIN PYTHON_FUNC('m.u', x) u ON true");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_TRUE(calls[0].table);
  EXPECT_EQ(calls[0].args, "sales");
  EXPECT_TRUE(calls[1].table);
}

TEST(PythonFunc, IgnoresStringsCommentsAndQuotedNames) {
  EXPECT_TRUE(find_python_calls("SELECT 'PYTHON_FUNC(\"a.b\", 1)' -- PYTHON_FUNC('c.d')\n").empty());
  EXPECT_TRUE(find_python_calls("SELECT \"PYTHON_FUNC\" FROM t /* PYTHON_FUNC('x.y') */").empty());
  EXPECT_TRUE(find_python_calls("SELECT MY_PYTHON_FUNC('a.b', 1)").empty());
}

TEST(PythonFunc, UnclosedCallIsLeftToDuckDB) {
  EXPECT_TRUE(find_python_calls("SELECT PYTHON_FUNC('a.b', (1)").empty());
  EXPECT_TRUE(mentions_python_func("select python_func("));
  EXPECT_FALSE(mentions_python_func("select 1"));
}
