#include "connectors/common_params.hpp"

namespace sqlflow::connectors {

const std::vector<ParamSpec>& common_source_params() {
  static const std::vector<ParamSpec> specs = {
      {"sync_mode", ParamType::String, false, "full_refresh",
       "full_refresh, or incremental: only rows after the stored watermark (with cursor_field)"},
      {"cursor_field", ParamType::String, false, nullptr,
       "incremental: column whose maximum is the watermark"},
      {"primary_key", ParamType::Any, false, nullptr,
       "key column(s); with sync_mode incremental a LOAD without MODE upserts on them"},
      {"max_retries", ParamType::Int, false, nullptr, "attempts after a retryable failure (remote sources)"},
      {"timeout", ParamType::Number, false, nullptr, "seconds a remote call may take"},
      {"resilience", ParamType::Object, false, nullptr, "retry / circuit_breaker / rate_limit overrides"},
  };
  return specs;
}

std::vector<std::string> primary_key_of(const Params& params) {
  std::vector<std::string> out;
  if (!params.contains("primary_key")) return out;
  const auto& pk = params["primary_key"];
  auto bad = [] {
    return validation_error("primary_key must be a column name or a list of column names",
                            "e.g. \"primary_key\": \"order_id\" or [\"order_id\", \"line\"]");
  };
  if (pk.is_null()) return out;
  if (pk.is_string()) {
    if (!pk.get<std::string>().empty()) out.push_back(pk.get<std::string>());
    return out;
  }
  if (!pk.is_array()) throw bad();
  for (const auto& k : pk) {
    if (!k.is_string()) throw bad();
    out.push_back(k.get<std::string>());
  }
  return out;
}

void check_common_source_values(const Params& params) {
  const std::string sync = params.contains("sync_mode") && params["sync_mode"].is_string()
                               ? params["sync_mode"].get<std::string>()
                               : "full_refresh";
  if (sync != "full_refresh" && sync != "incremental")
    throw validation_error("sync_mode must be 'full_refresh' or 'incremental', not '" + sync + "'");
  const bool has_cursor = params.contains("cursor_field") && params["cursor_field"].is_string() &&
                          !params["cursor_field"].get<std::string>().empty();
  if (sync == "incremental" && !has_cursor)
    throw validation_error("sync_mode 'incremental' needs cursor_field",
                           "add \"cursor_field\": \"<column>\"");
  (void)primary_key_of(params);
  if (params.contains("max_retries") && params["max_retries"].is_number() &&
      params["max_retries"].get<double>() < 0)
    throw validation_error("max_retries must be 0 or more");
  if (params.contains("timeout") && params["timeout"].is_number() && !(params["timeout"].get<double>() > 0))
    throw validation_error("timeout must be a positive number of seconds");
}

}  // namespace sqlflow::connectors
