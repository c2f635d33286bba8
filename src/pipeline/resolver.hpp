// Turns a parsed Pipeline into the flat statement list the planner runs: substitutes ${…}
// variables, runs SET in order, keeps only the taken IF branches, splices INCLUDEd files and
// parses the PARAMS/OPTIONS JSON — reporting every problem with its location.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pipeline/ast.hpp"

namespace sqlflow::pipeline {

struct VariableSources {
  std::map<std::string, std::string> cli;      // --vars (highest priority)
  std::map<std::string, std::string> profile;  // profile variables:
  bool use_environment = true;                 // lowest priority: process environment
  std::map<std::string, std::string> dotenv;   // the project's .env (after the process environment)
};

struct ResolveResult {
  std::vector<Statement> statements;  // flat: only SourceStmt, LoadStmt, CreateTableStmt, ExportStmt, SqlStmt
  std::map<std::string, std::string> variables;  // final values of every variable defined by SET/cli/profile
  std::set<std::string> used;                    // names the pipeline refers to
  std::vector<Error> errors;                     // all problems, each with its location
};

// INCLUDEd files nested deeper than this are refused (an include chain, not a cycle).
inline constexpr int kMaxIncludeDepth = 32;

// Semantics (SQLFlow's):
// - ${name} / ${name|default} anywhere in statement text; precedence cli > profile > SET >
//   environment; SETs run in order as the flat list is produced (only in taken branches).
//   An undefined variable without default is an error naming it. A bare $name is never
//   substituted in SQL (DuckDB's $1 parameters), only in IF conditions.
// - Values are written for their context: JSON-escaped inside PARAMS/OPTIONS strings, quotes
//   doubled inside quoted condition strings, as is elsewhere. PARAMS/OPTIONS then parse as JSON
//   (trailing commas allowed) into SourceStmt::params / ExportStmt::options.
// - IF conditions are evaluated by evaluate_condition() (conditions.hpp).
// - INCLUDE paths are relative to the including file; included statements keep their own
//   file in their locations; cycles and missing files are errors at the INCLUDE.
// Statements with errors are still listed (partly substituted), so callers must check errors.
ResolveResult resolve(const Pipeline& pipeline, const VariableSources& vars);

}  // namespace sqlflow::pipeline
