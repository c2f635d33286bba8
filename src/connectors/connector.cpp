// Out-of-line defaults of the Source interface (connector.hpp).
#include "connectors/connector.hpp"

namespace sqlflow::connectors {

Discovery Source::discover_contents() {
  DiscoveredItem item;
  item.kind = "stream";
  for (const auto& c : schema()) item.columns.push_back({c.name, c.type.to_sql()});
  Discovery d;
  d.items.push_back(std::move(item));
  return d;
}

}  // namespace sqlflow::connectors
