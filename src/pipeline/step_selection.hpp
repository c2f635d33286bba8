// `pipeline run --select/--exclude`: which steps of a plan run, chosen with dbt-style graph
// operators, and the plan cut down to them.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "pipeline/planner.hpp"

namespace sqlflow::pipeline {

// A comma-separated list of selectors. A selector names steps by
//   - the step's name as `compile` prints it ("load users", "export output/x.csv"), any case;
//   - its target alone ("users", "output/x.csv"), which may name several steps;
//   - its number in the plan ("3");
// with "+" before it adding every step it depends on (upstream, transitively) and "+" after it
// every step depending on it (downstream). An unknown name is a usage error with a suggestion.
std::set<size_t> match_steps(const Plan& plan, const std::string& selectors, const char* flag);

// The steps to run: `select` (all steps when empty) minus `exclude`. A usage error when nothing
// is left.
std::set<size_t> select_steps(const Plan& plan, const std::string& select, const std::string& exclude);

// The plan with only `keep`'s steps, renumbered in their order, dependencies on dropped steps
// removed (what those steps would have written is taken as it is in the database).
Plan restrict_plan(const Plan& plan, const std::set<size_t>& keep);

}  // namespace sqlflow::pipeline
