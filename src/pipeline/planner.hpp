// Turns the resolved statement list into a DAG of steps. A step depends on the steps that write
// the tables it reads (SQLFlow orders by dependency, so a reference may point forward), writers
// of one table keep file order, and a statement whose reads are unknown (INSERT, UPDATE, DDL…)
// is a barrier. Independent steps may run concurrently.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "metrics/run_metrics.hpp"
#include "pipeline/ast.hpp"
#include "pipeline/table_refs.hpp"

namespace sqlflow::pipeline {

// The kinds the run's metrics know (metrics/run_metrics.hpp): one enum for plan and metrics.
using StepKind = metrics::StepKind;
using metrics::to_string;

struct Step {
  size_t id = 0;
  StepKind kind = StepKind::Sql;
  std::string name;  // e.g. "load users", "transform daily_sales", "export output/x.csv"
  Statement statement;
  std::set<std::string> reads;   // lower-case table or source names
  std::set<std::string> writes;  // lower-case table names
  bool barrier = false;
  std::string analysis;  // what found `reads` ("DuckDB's parser", "PostgreSQL's EXPLAIN"); "" for none
  std::vector<size_t> depends_on;  // step ids, sorted
  int level = 0;                   // longest dependency chain before it (parallel group)
};

struct Plan {
  std::vector<SourceStmt> sources;  // in file order
  std::map<std::string, SourceLocation> source_locations;
  std::vector<Step> steps;            // in a valid execution order (topological, stable)
  std::vector<std::string> warnings;  // "file:line: …" (e.g. a table created twice)
  int levels() const;
};

// Builds the plan; cycles and duplicate sources are reported in `errors`.
Plan make_plan(const std::vector<Statement>& statements, TableRefExtractor& refs, std::vector<Error>& errors);

// Readable (default) or JSON description of the plan for `pipeline compile` / --dry-run.
// With `engine` ("duckdb", "postgres"), each step also says where it runs.
std::string describe_plan(const Plan& plan, const std::string& engine = {});
std::string plan_to_json(const Plan& plan, const std::string& pipeline_name);

// Whether a file source's `path` (a path, a glob or a list of them) names `uri`, so that the
// source reads what an EXPORT to `uri` writes.
bool source_reads_file(const SourceStmt& source, const std::string& uri);

// Lower-case form of a SQL identifier, as DuckDB compares them.
std::string fold_name(const std::string& name);

}  // namespace sqlflow::pipeline
