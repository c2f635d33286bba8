#include "connectors/google_sheets/a1.hpp"

#include <cctype>

#include "core/error.hpp"

namespace sqlflow::connectors::google_sheets {

std::string column_letters(std::int64_t column) {
  std::string out;
  while (column > 0) {
    std::int64_t rem = (column - 1) % 26;
    out.insert(out.begin(), static_cast<char>('A' + rem));
    column = (column - 1) / 26;
  }
  return out;
}

std::optional<std::int64_t> column_number(std::string_view letters) {
  if (letters.empty() || letters.size() > 4) return std::nullopt;
  std::int64_t n = 0;
  for (char c : letters) {
    if (!std::isalpha(static_cast<unsigned char>(c))) return std::nullopt;
    n = n * 26 + (std::toupper(static_cast<unsigned char>(c)) - 'A' + 1);
  }
  return n;
}

namespace {
bool looks_like_cell(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
  // Sheets has at most 18,278 columns (ZZZ), so only 1-3 letters can start a cell reference.
  if (i == 0 || i > 3 || i == s.size()) return false;
  for (size_t j = i; j < s.size(); ++j)
    if (!std::isdigit(static_cast<unsigned char>(s[j]))) return false;
  return true;
}

struct Bound {
  std::int64_t column = 0;
  std::int64_t row = 0;
};

// "B12" → {2, 12}, "B" → {2, 0}, "12" → {0, 12}.
std::optional<Bound> parse_bound(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
  Bound b;
  if (i > 0) {
    auto col = column_number(s.substr(0, i));
    if (!col) return std::nullopt;
    b.column = *col;
  }
  std::string_view digits = s.substr(i);
  if (digits.empty()) return i > 0 ? std::optional<Bound>(b) : std::nullopt;
  if (digits.size() > 9) return std::nullopt;
  for (char c : digits)
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  b.row = std::stoll(std::string(digits));
  if (b.row == 0) return std::nullopt;
  return b;
}
}  // namespace

std::string quote_sheet_name(std::string_view title) {
  bool plain = !title.empty() && !looks_like_cell(title);
  for (char c : title)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') plain = false;
  if (plain) return std::string(title);
  std::string out = "'";
  for (char c : title) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

A1Range parse_a1(const std::string& range) {
  auto bad = [&](const std::string& why) {
    return validation_error("range \"" + range + "\" is not A1 notation: " + why,
                            "e.g. Sheet1, 'My Sheet'!A1:F, Sheet1!A2:D500 or B:E");
  };
  A1Range r;
  std::string_view rest = range;
  if (!rest.empty() && rest.front() == '\'') {
    // Quoted sheet name; '' is an escaped quote.
    size_t i = 1;
    std::string name;
    for (;; ++i) {
      if (i >= rest.size()) throw bad("the quoted sheet name is not closed");
      if (rest[i] == '\'') {
        if (i + 1 < rest.size() && rest[i + 1] == '\'') {
          name += '\'';
          ++i;
          continue;
        }
        break;
      }
      name += rest[i];
    }
    r.sheet = name;
    rest = rest.substr(i + 1);
    if (rest.empty()) return r;
    if (rest.front() != '!') throw bad("expected ! after the sheet name");
    rest = rest.substr(1);
  } else if (auto bang = rest.rfind('!'); bang != std::string_view::npos) {
    r.sheet = std::string(rest.substr(0, bang));
    rest = rest.substr(bang + 1);
  } else if (rest.find(':') == std::string_view::npos && !parse_bound(rest)) {
    r.sheet = std::string(rest);  // a bare sheet name
    return r;
  }
  if (rest.empty()) throw bad("nothing after the sheet name");
  std::string_view from = rest, to = rest;
  if (auto colon = rest.find(':'); colon != std::string_view::npos) {
    from = rest.substr(0, colon);
    to = rest.substr(colon + 1);
  }
  auto a = parse_bound(from), b = parse_bound(to);
  if (!a || !b) throw bad("a bound is neither a cell (B2), a column (B) nor a row (2)");
  r.first_column = a->column ? a->column : 1;
  r.first_row = a->row ? a->row : 1;
  r.last_column = b->column;
  r.last_row = b->row;
  if (from == to && a->column && a->row) {  // a single cell
    r.last_column = a->column;
    r.last_row = a->row;
  }
  if ((r.last_column && r.last_column < r.first_column) || (r.last_row && r.last_row < r.first_row))
    throw bad("the range ends before it starts");
  return r;
}

std::string a1_block(const std::string& sheet, std::int64_t first_column, std::int64_t last_column,
                     std::int64_t first_row, std::int64_t last_row) {
  return quote_sheet_name(sheet) + "!" + column_letters(first_column) + std::to_string(first_row) + ":" +
         column_letters(last_column) + std::to_string(last_row);
}

}  // namespace sqlflow::connectors::google_sheets
