// Resilience profiles as data: SQLFlow's defaults per connector type (checked against each API's
// documented quota), overridable per SOURCE with PARAMS {"resilience": {"retry": {...},
// "circuit_breaker": {...}, "rate_limit": {...}}}.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "resilience/policy.hpp"

namespace sqlflow::resilience {

// The defaults for a connector type (case-insensitive; unknown types get the generic profile:
// REST's retry and breaker, no rate limit).
ResilienceOptions default_profile(std::string_view connector_type);
// The connector types with a profile of their own, as listed in the defaults table.
std::vector<std::string> profile_names();

// `base` with `overrides` applied. `overrides` is null or an object with any of "retry",
// "circuit_breaker", "rate_limit" (each an object, or false to switch that part off).
// Durations are seconds (number) or strings with a unit ("250ms", "1.5s", "2m", "1h").
// Unknown keys, wrong types and out-of-range values throw a validation Error that names the key
// (as `context`.retry.max_attempts) with a did-you-mean suggestion. Python SQLFlow's names
// (backoff_multiplier, max_requests_per_minute, burst_size, backpressure_strategy) are accepted.
ResilienceOptions apply_overrides(ResilienceOptions base, const nlohmann::json& overrides,
                                  const std::string& context = "PARAMS resilience");

// default_profile(type) + apply_overrides + a policy on the real clock.
ResiliencePolicy make_policy(const std::string& connector_type, const nlohmann::json& overrides);
ResiliencePolicy make_policy(const std::string& connector_type, const nlohmann::json& overrides, Clock& clock,
                             const std::string& context = "PARAMS resilience");

// One overridable option, for `connect describe` and docs.
struct OptionDoc {
  std::string name;  // "retry.max_attempts"
  std::string type;  // "int", "number", "bool", "duration", "string"
  nlohmann::json default_value;
  std::string doc;
};
std::vector<OptionDoc> describe_options(std::string_view connector_type);
// A one-line doc for a ParamSpec named "resilience" (type Object), stating the type's defaults.
std::string describe_param_doc(std::string_view connector_type);

// "1.5s" / 1.5 → 1.5 s. Throws a validation Error naming `what` when not a duration.
Duration parse_duration(const nlohmann::json& value, const std::string& what);

}  // namespace sqlflow::resilience
