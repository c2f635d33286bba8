// Renders query results for people (an aligned table) and for tools (CSV, JSON lines).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace sqlflow::cli {

struct TextTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

void print_table(std::ostream& out, const TextTable& table);
void print_csv(std::ostream& out, const TextTable& table);
void print_json_lines(std::ostream& out, const TextTable& table);

}  // namespace sqlflow::cli
