// memory connector: ParamSpecs and registration.
#include "connectors/memory/destination.hpp"
#include "connectors/memory/source.hpp"
#include "connectors/registry.hpp"

namespace sqlflow::connectors::memory {
namespace {

ConnectorInfo memory_info() {
  ConnectorInfo info;
  info.type = "memory";
  info.schema_discovery = SchemaDiscovery::RunTime;
  info.aliases = {"in_memory"};
  info.description = "Tables held in this process's memory (tests, embedding).";
  info.source_params = {
      {"table_name", ParamType::String, true, nullptr, "name of the in-memory table to read"}};
  info.destination_params = {
      {"table_name", ParamType::String, false, nullptr, "table to write (default: the EXPORT target)"},
      {"mode", ParamType::String, false, "replace", "replace or append"}};
  info.make_source = [](const Params& p, const ConnectorContext&) {
    return std::make_unique<MemorySource>(p.at("table_name").get<std::string>());
  };
  info.make_destination = [](const std::string& uri, const Params& p, const ConnectorContext&) {
    std::string name = p.contains("table_name") ? p["table_name"].get<std::string>() : uri;
    return std::make_unique<MemoryDestination>(name);
  };
  return info;
}

}  // namespace
SQLFLOW_REGISTER_CONNECTOR(memory_info);
}  // namespace sqlflow::connectors::memory
