#include "engine/error_text.hpp"

#include <regex>

namespace sqlflow::engine {

std::string strip_sql_excerpt(const std::string& message) {
  static const std::regex excerpt(R"(\n*LINE [0-9]+: [^\n]*\n *\^)");
  std::string out = std::regex_replace(message, excerpt, "");
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace sqlflow::engine
