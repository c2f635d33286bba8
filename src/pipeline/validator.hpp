// Checks a resolved pipeline against the connector registry and the profile before anything
// runs, collecting every problem at once: unknown connector types and parameters, missing or
// mistyped params, references to undefined sources/tables, EXPORT TYPE vs file extension.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "connectors/registry.hpp"
#include "pipeline/planner.hpp"
#include "pipeline/profile.hpp"

namespace sqlflow::pipeline {

struct BoundSource {
  std::string name;
  std::string type;  // canonical connector type
  const connectors::ConnectorInfo* info = nullptr;
  connectors::Params params;  // normalized (aliases renamed, defaults filled)
  SourceLocation location;
  bool incremental = false;  // sync_mode: incremental
  std::string cursor_field;
  std::vector<std::string> primary_key;  // "primary_key": a column or a list of columns
};

struct ValidatedPipeline {
  std::vector<BoundSource> sources;
};

// `existing_tables`: lower-case names already in the engine database (persistent engines).
// A LOAD without MODE from an incremental source gets its mode here (APPEND, or UPSERT on the
// source's primary_key), since replacing the table with the rows after the watermark loses data.
ValidatedPipeline validate(Plan& plan, const Profile& profile, const std::set<std::string>& existing_tables,
                           const connectors::ConnectorContext& context, std::vector<Error>& errors);

}  // namespace sqlflow::pipeline
