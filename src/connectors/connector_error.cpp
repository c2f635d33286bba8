#include "connectors/connector_error.hpp"

namespace sqlflow::connectors {

std::string connector_subject(std::string_view type, Role role, std::string_view name) {
  std::string s(type);
  s += role == Role::Source ? " source '" : " destination '";
  s += name;
  s += "'";
  return s;
}

}  // namespace sqlflow::connectors
