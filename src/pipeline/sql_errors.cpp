#include "pipeline/sql_errors.hpp"

#include <regex>

#include "engine/error_text.hpp"

namespace sqlflow::pipeline {

namespace {

// "LINE 2: <excerpt>\n<spaces>^" as DuckDB's QueryErrorContext formats it. The excerpt of a long
// line is cut to a window around the position, with "..." on the cut sides.
const std::regex& excerpt_pattern() {
  static const std::regex re(R"(\n*LINE ([0-9]+): ([^\n]*)\n( *)\^)");
  return re;
}

std::string line_of(const std::string& text, size_t n) {
  size_t start = 0;
  for (size_t l = 1; l < n; ++l) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) return {};
    start = nl + 1;
  }
  size_t end = text.find('\n', start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The 1-based column in `line` of the excerpt's caret, or 0 when the excerpt is not found in it
// (e.g. the caret points at text sqlflow put before the user's SQL).
int caret_column(const std::string& line, std::string excerpt, long caret) {
  if (excerpt.rfind("...", 0) == 0) {
    excerpt.erase(0, 3);
    caret -= 3;
  }
  if (excerpt.size() >= 3 && excerpt.compare(excerpt.size() - 3, 3, "...") == 0)
    excerpt.resize(excerpt.size() - 3);
  if (caret < 0 || static_cast<size_t>(caret) > excerpt.size()) return 0;
  // The excerpt is the line (or a window of it); its text from the caret on pins the position.
  if (auto at = line.find(excerpt); at != std::string::npos)
    return static_cast<int>(at + static_cast<size_t>(caret)) + 1;
  std::string tail = excerpt.substr(static_cast<size_t>(caret), 24);
  if (tail.empty()) return 0;
  if (auto at = line.find(tail); at != std::string::npos) return static_cast<int>(at) + 1;
  return 0;
}

}  // namespace

Error locate_sql_error(const Error& error, const std::string& user_sql, const SourceLocation& start) {
  SourceLocation where = start;
  std::smatch m;
  const std::string& message = error.message();
  if (std::regex_search(message, m, excerpt_pattern())) {
    const size_t n = std::stoul(m[1].str());
    const long caret =
        static_cast<long>(m[3].length()) - static_cast<long>(("LINE " + m[1].str() + ": ").size());
    const int col = caret_column(line_of(user_sql, n), m[2].str(), caret);
    where.line = start.line + static_cast<int>(n) - 1;
    if (n == 1)
      where.column = col ? start.column + col - 1 : start.column;
    else
      where.column = col;
  }
  Error located(error.kind(), engine::strip_sql_excerpt(message), error.hint(), error.retryable());
  located.at(where);
  return located;
}

}  // namespace sqlflow::pipeline
