// Connectors register themselves by type name at static-init time (SQLFLOW_REGISTER_CONNECTOR in
// their own folder); everything else finds them here. Type names are case-insensitive.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "core/error.hpp"
#include "engine/session.hpp"

namespace sqlflow::connectors {

// An engine other than DuckDB that a connector provides (a profile's `engine: <type>`, configured
// by `engines: {<type>: {…}}`).
struct EngineProvider {
  std::vector<ParamSpec> params;  // the keys of engines.<type>
  // Connects, checks the engine is usable, and returns it; throws a config or connection Error.
  std::function<std::shared_ptr<engine::Engine>(const Params&)> make;
};

enum class Role { Source, Destination };

class Registry {
 public:
  static Registry& instance();
  void add(ConnectorInfo info);
  // nullptr when unknown.
  const ConnectorInfo* find(const std::string& type) const;
  // Throws a validation Error listing known types with a "did you mean" when unknown.
  const ConnectorInfo& get(const std::string& type, Role role) const;
  std::vector<const ConnectorInfo*> all() const;
  std::vector<std::string> type_names(Role role) const;

  // Server inspectors by connector type (an alias finds its connector's); nullptr when none.
  void add_inspector(const std::string& type, ServerInspector inspector);
  const ServerInspector* inspector(const std::string& type) const;
  void add_engine(const std::string& type, EngineProvider provider);
  // nullptr when no connector provides an engine of that name.
  const EngineProvider* engine(const std::string& type) const;
  std::vector<std::string> engine_names() const;

 private:
  std::vector<ConnectorInfo> connectors_;
  std::vector<std::pair<std::string, ServerInspector>> inspectors_;
  std::vector<std::pair<std::string, EngineProvider>> engines_;
};

// Checks params against the specs: unknown keys (with suggestions), missing required keys,
// wrong types. Returns every problem found (empty when valid), worded without the connector's
// name: callers add the subject (connector_error.hpp). Keys whose value still holds an
// unresolved ${…} are type-checked after substitution, not here.
std::vector<Error> check_params(const ConnectorInfo& info, Role role, const Params& params);
// Params with aliases renamed to their canonical names and defaults filled in.
Params normalize_params(const std::vector<ParamSpec>& specs, const Params& params);

namespace detail {
struct Registrar {
  explicit Registrar(ConnectorInfo (*make)()) { Registry::instance().add(make()); }
};
struct InspectorRegistrar {
  InspectorRegistrar(const char* type, ServerInspector (*make)()) {
    Registry::instance().add_inspector(type, make());
  }
};
struct EngineRegistrar {
  EngineRegistrar(const char* type, EngineProvider (*make)()) {
    Registry::instance().add_engine(type, make());
  }
};
}  // namespace detail

}  // namespace sqlflow::connectors

#define SQLFLOW_REGISTER_CONNECTOR(make_info)                                           \
  static const ::sqlflow::connectors::detail::Registrar sqlflow_registrar_##make_info { \
    &make_info                                                                          \
  }

#define SQLFLOW_REGISTER_INSPECTOR(type, make_inspector)                                              \
  static const ::sqlflow::connectors::detail::InspectorRegistrar sqlflow_inspector_##make_inspector { \
    type, &make_inspector                                                                             \
  }

#define SQLFLOW_REGISTER_ENGINE(type, make_provider)                                           \
  static const ::sqlflow::connectors::detail::EngineRegistrar sqlflow_engine_##make_provider { \
    type, &make_provider                                                                       \
  }
