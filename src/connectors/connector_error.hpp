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

// `error` with its message prefixed by "<subject>: " (unchanged when it already is); kind, hint,
// retryable flag and location are kept.
Error about_connector(const Error& error, std::string_view subject);

// Runs `f`, rethrowing any Error it throws as about_connector(error, subject).
template <class F>
decltype(auto) calling_connector(std::string_view subject, F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (const Error& e) {
    throw about_connector(e, subject);
  }
}

}  // namespace sqlflow::connectors
