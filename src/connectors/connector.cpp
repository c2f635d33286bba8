// Out-of-line defaults of the Source interface (connector.hpp).
#include "connectors/connector.hpp"

namespace sqlflow::connectors {

std::vector<std::string> Source::discover_lines() {
  std::vector<std::string> lines;
  for (const auto& c : schema()) lines.push_back(c.name + "  " + c.type.to_sql());
  return lines;
}

}  // namespace sqlflow::connectors
