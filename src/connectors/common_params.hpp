// The parameters every source takes whatever its connector: incremental loading (the pipeline
// keeps the watermark and filters by it) and the retry and timeout knobs. Declared once here, so
// `connect describe` lists them for every source and `pipeline validate` checks them the same way
// for every connector; a connector may declare one itself to document what it does with it.
#pragma once

#include <vector>

#include "connectors/connector.hpp"

namespace sqlflow::connectors {

const std::vector<ParamSpec>& common_source_params();

// Their values beyond the types the specs check: sync_mode full_refresh or incremental (with a
// cursor_field), primary_key a column name or a list of them, max_retries ≥ 0, timeout > 0.
// Throws a validation Error naming the parameter.
void check_common_source_values(const Params& params);

// primary_key as a list of column names (empty when absent).
std::vector<std::string> primary_key_of(const Params& params);

}  // namespace sqlflow::connectors
