#include "udf/python_func.hpp"

#include <cctype>
#include <vector>

namespace sqlflow::udf {

namespace {

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool iequals(const std::string& s, size_t at, const char* word) {
  for (size_t k = 0; word[k]; ++k)
    if (at + k >= s.size() || std::toupper(static_cast<unsigned char>(s[at + k])) != word[k]) return false;
  return true;
}

// Offset after the string, quoted name or comment starting at `i`, or `i` when none starts there.
size_t skip_quoted(const std::string& s, size_t i) {
  const char c = s[i];
  if (c == '\'' || c == '"') {
    for (size_t k = i + 1; k < s.size(); ++k)
      if (s[k] == c) {
        if (k + 1 < s.size() && s[k + 1] == c) {
          ++k;  // doubled: an escaped quote
          continue;
        }
        return k + 1;
      }
    return s.size();
  }
  if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
    size_t nl = s.find('\n', i);
    return nl == std::string::npos ? s.size() : nl + 1;
  }
  if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
    size_t close = s.find("*/", i + 2);
    return close == std::string::npos ? s.size() : close + 2;
  }
  return i;
}

size_t skip_space(const std::string& s, size_t i) {
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
      continue;
    }
    size_t after = (s[i] == '-' || s[i] == '/') ? skip_quoted(s, i) : i;
    if (after == i) break;
    i = after;
  }
  return i;
}

// The word (keyword or name) that ends right before `i`, upper-cased; empty if none.
std::string previous_word(const std::string& s, size_t i) {
  size_t end = i;
  while (end > 0 && std::isspace(static_cast<unsigned char>(s[end - 1]))) --end;
  size_t begin = end;
  while (begin > 0 && word_char(s[begin - 1])) --begin;
  std::string w = s.substr(begin, end - begin);
  for (auto& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return w;
}

// The word before the innermost parenthesis still open at `i` (e.g. EXTRACT in
// "EXTRACT(year FROM …"), upper-cased; empty at the top level.
std::string enclosing_call(const std::string& s, size_t i) {
  std::vector<size_t> open;
  for (size_t k = 0; k < i;) {
    size_t after = skip_quoted(s, k);
    if (after != k) {
      k = after;
      continue;
    }
    if (s[k] == '(') open.push_back(k);
    if (s[k] == ')' && !open.empty()) open.pop_back();
    ++k;
  }
  return open.empty() ? std::string() : previous_word(s, open.back());
}

// FROM and JOIN start a table reference, except in "IS [NOT] DISTINCT FROM" and inside the SQL
// functions whose arguments use FROM (EXTRACT, SUBSTRING, TRIM, POSITION, OVERLAY).
bool table_position(const std::string& s, size_t call_begin) {
  const std::string before = previous_word(s, call_begin);
  if (before == "JOIN") return true;
  if (before != "FROM") return false;
  size_t from = call_begin;
  while (from > 0 && std::isspace(static_cast<unsigned char>(s[from - 1]))) --from;
  from -= 4;  // "FROM"
  if (previous_word(s, from) == "DISTINCT") return false;
  const std::string call = enclosing_call(s, from);
  return call != "EXTRACT" && call != "SUBSTRING" && call != "TRIM" && call != "POSITION" &&
         call != "OVERLAY";
}

}  // namespace

bool mentions_python_func(const std::string& sql) {
  for (size_t i = 0; i + 11 <= sql.size(); ++i)
    if (iequals(sql, i, "PYTHON_FUNC")) return true;
  return false;
}

std::vector<PythonCall> find_python_calls(const std::string& sql) {
  std::vector<PythonCall> calls;
  size_t i = 0;
  while (i < sql.size()) {
    size_t after = skip_quoted(sql, i);
    if (after != i) {
      i = after;
      continue;
    }
    const bool starts_word = i == 0 || !word_char(sql[i - 1]);
    if (!starts_word || !iequals(sql, i, "PYTHON_FUNC") || (i + 11 < sql.size() && word_char(sql[i + 11]))) {
      ++i;
      continue;
    }
    PythonCall call;
    call.begin = i;
    size_t p = skip_space(sql, i + 11);
    if (p >= sql.size() || sql[p] != '(') {
      i += 11;
      continue;
    }
    p = skip_space(sql, p + 1);
    if (p >= sql.size() || (sql[p] != '"' && sql[p] != '\'')) {
      i += 11;
      continue;
    }
    const size_t name_end = skip_quoted(sql, p);
    call.name = sql.substr(p + 1, name_end - p - 2);
    p = skip_space(sql, name_end);
    size_t args_begin = p;
    if (p < sql.size() && sql[p] == ',') args_begin = ++p;
    // The closing parenthesis of the call, past nested ones, strings and comments.
    int depth = 1;
    while (p < sql.size() && depth > 0) {
      size_t q = skip_quoted(sql, p);
      if (q != p) {
        p = q;
        continue;
      }
      if (sql[p] == '(') ++depth;
      if (sql[p] == ')') --depth;
      ++p;
    }
    if (depth != 0) break;  // unclosed: DuckDB reports it
    call.end = p;
    call.args = sql.substr(args_begin, p - 1 - args_begin);
    while (!call.args.empty() && std::isspace(static_cast<unsigned char>(call.args.back())))
      call.args.pop_back();
    call.args_begin = args_begin;
    while (!call.args.empty() && std::isspace(static_cast<unsigned char>(call.args.front()))) {
      call.args.erase(0, 1);
      ++call.args_begin;
    }
    call.table = table_position(sql, call.begin);
    calls.push_back(call);
    i = call.end;
  }
  return calls;
}

}  // namespace sqlflow::udf
