// One shape for every connector error a user reads:
//   <type> <source|destination> '<name>': <what> — <hint>
// Connectors throw the bare <what> (and hint); the framework adds the subject where it calls
// into a connector (validation, binding, reading, writing, connect test/discover), so every
// connector's messages start the same way without each one spelling it out.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "connectors/registry.hpp"
#include "core/error.hpp"

namespace sqlflow::connectors {

// "csv source 'orders'", "postgres destination 'analytics.daily'".
std::string connector_subject(std::string_view type, Role role, std::string_view name);

// Runs `f`, rethrowing any Error it throws as with_subject(error, subject) (core/error.hpp).
template <class F>
decltype(auto) calling_connector(std::string_view subject, F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (const Error& e) {
    throw with_subject(e, subject);
  }
}

}  // namespace sqlflow::connectors
