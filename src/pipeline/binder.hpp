// `pipeline validate` binds every SQL statement of a plan, in plan order, against the schemas the
// pipeline will have when it runs, reading no data: a private in-memory DuckDB (the shadow
// catalog) gets an empty table for each source the steps read (its schema from the connector:
// DuckDB's sniffing of headers and a sample for files, a metadata call for remote sources) and
// for each table a persistent engine already holds; each step is then prepared (DuckDB binds it
// without executing it) and its result becomes an empty table for the steps after it. So an
// unknown column, table or function, a syntax error, a missing file or a missing PostgreSQL table
// is reported before anything is loaded, at its .sf line.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "connectors/connector.hpp"
#include "core/error.hpp"
#include "engine/session.hpp"
#include "pipeline/planner.hpp"
#include "pipeline/profile.hpp"
#include "pipeline/validator.hpp"
#include "udf/catalog.hpp"

namespace sqlflow::pipeline {

struct BindOptions {
  connectors::ConnectorContext context;  // where relative file paths resolve
  bool offline = false;                  // remote sources are not asked for their schema
  // Statements (file, line) already reported by validate(): not bound again, so one mistake is
  // reported once; what they define counts as unknown.
  std::set<std::pair<std::string, int>> already_reported;
  std::shared_ptr<const udf::Catalog> udfs;  // registered in the shadow catalog when set
  // Another engine (the profile's engine: postgres): the SQL of transforms, exports and plain
  // statements is checked by it (Engine::check) instead of by the shadow DuckDB; sources and
  // LOADs are still bound here, for their schemas.
  std::shared_ptr<engine::Engine> engine;
  // The SQL runs on another engine that is not asked (--offline): it is left unchecked.
  std::string offline_engine;
};

struct BindResult {
  std::vector<Error> errors;           // every problem found, each at its .sf location
  std::vector<std::string> unchecked;  // "SOURCE s (line 3): not checked: …" for what could not be bound
  std::vector<std::string> warnings;   // "file:line: …" what would fail only on a later run
};

BindResult bind_plan(const Plan& plan, const ValidatedPipeline& validated, const Profile& profile,
                     const BindOptions& options);

}  // namespace sqlflow::pipeline
