#include "core/quote.hpp"

#include "core/error.hpp"

namespace sqlflow {
namespace {
std::string quote_with(std::string_view text, char q) {
  if (text.find('\0') != std::string_view::npos)
    throw validation_error("a SQL name or value may not contain a NUL byte");
  std::string out;
  out.reserve(text.size() + 2);
  out += q;
  for (char c : text) {
    if (c == q) out += q;
    out += c;
  }
  out += q;
  return out;
}
}  // namespace

std::string quote_identifier(std::string_view name) {
  return quote_with(name, '"');
}

std::string quote_qualified(std::string_view dotted) {
  std::string out;
  size_t start = 0;
  while (true) {
    size_t dot = dotted.find('.', start);
    if (!out.empty()) out += '.';
    out += quote_identifier(dotted.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

std::string quote_literal(std::string_view value) {
  return quote_with(value, '\'');
}

}  // namespace sqlflow
