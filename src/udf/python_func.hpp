// PYTHON_FUNC("python_udfs.module.fn", args…) in a pipeline's SQL, found by a small tokenizer
// that knows SQL strings, quoted names, comments and nested parentheses (the Python SQLFlow's
// regex broke on `round(x, 2)` inside the call, on calls without arguments, and on two modules
// with the same function name). A call after FROM or JOIN is a table UDF call.
#pragma once

#include <string>
#include <vector>

namespace sqlflow::udf {

struct PythonCall {
  size_t begin = 0;       // offset of "PYTHON_FUNC"
  size_t end = 0;         // one past the closing ')'
  std::string name;       // the first argument, unquoted: "python_udfs.text_utils.capitalize_words"
  std::string args;       // the text of the remaining arguments (may be empty)
  size_t args_begin = 0;  // offset of `args` in the SQL
  bool table = false;
};

// Every call in `sql`, in order. A call that does not close is left out (DuckDB then reports the
// syntax error where it is).
std::vector<PythonCall> find_python_calls(const std::string& sql);

// Whether `sql` mentions PYTHON_FUNC at all (cheap test before tokenizing).
bool mentions_python_func(const std::string& sql);

}  // namespace sqlflow::udf
