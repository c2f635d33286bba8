#include "cli/table_printer.hpp"

#include <nlohmann/json.hpp>

namespace sqlflow::cli {

namespace {
// Display width of UTF-8 text: count code points, not bytes (good enough for aligned output).
size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

void rule(std::ostream& out, const std::vector<size_t>& widths) {
  out << '+';
  for (size_t w : widths) out << std::string(w + 2, '-') << '+';
  out << '\n';
}

void line(std::ostream& out, const std::vector<std::string>& cells, const std::vector<size_t>& widths) {
  out << '|';
  for (size_t i = 0; i < widths.size(); ++i) {
    const std::string& c = i < cells.size() ? cells[i] : std::string();
    out << ' ' << c << std::string(widths[i] - display_width(c), ' ') << " |";
  }
  out << '\n';
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}
}  // namespace

void print_table(std::ostream& out, const TextTable& table) {
  std::vector<size_t> widths;
  for (const auto& h : table.header) widths.push_back(display_width(h));
  for (const auto& row : table.rows)
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  rule(out, widths);
  line(out, table.header, widths);
  rule(out, widths);
  for (const auto& row : table.rows) line(out, row, widths);
  rule(out, widths);
  out << table.rows.size() << (table.rows.size() == 1 ? " row" : " rows") << '\n';
}

void print_csv(std::ostream& out, const TextTable& table) {
  for (size_t i = 0; i < table.header.size(); ++i) out << (i ? "," : "") << csv_cell(table.header[i]);
  out << '\n';
  for (const auto& row : table.rows) {
    for (size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << csv_cell(row[i]);
    out << '\n';
  }
}

void print_json_lines(std::ostream& out, const TextTable& table) {
  for (const auto& row : table.rows) {
    nlohmann::ordered_json obj;
    for (size_t i = 0; i < table.header.size() && i < row.size(); ++i) obj[table.header[i]] = row[i];
    out << obj.dump() << '\n';
  }
}

}  // namespace sqlflow::cli
