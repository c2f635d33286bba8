// The .sf language's syntax tree. The parser produces it with ${…} references left as written;
// resolve() (resolver.hpp) substitutes variables, evaluates IF, expands INCLUDE and parses the
// PARAMS/OPTIONS JSON, producing a flat list that holds only Source, Load, CreateTable, Export
// and Sql statements.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/error.hpp"

namespace sqlflow::pipeline {

// SOURCE name TYPE type PARAMS {json};  |  SOURCE name FROM "connector" OPTIONS {json};
struct SourceStmt {
  std::string name;
  std::string type;               // as written (TYPE form); empty in the FROM form until resolved
  std::string profile_connector;  // FROM form: name in the profile's connectors:
  bool from_profile = false;
  std::string params_text;         // the {…} block as written (variables unresolved)
  nlohmann::json params;           // set by resolve(): the parsed object (OPTIONS merged over profile params)
  SourceLocation params_location;  // where the {…} block starts (JSON errors point inside it)
};

enum class LoadMode { Replace, Append, Upsert };

// LOAD table FROM source [MODE REPLACE | APPEND | UPSERT KEY k1, k2 | UPSERT KEY (k1, k2)];
struct LoadStmt {
  std::string table;
  std::string source;
  LoadMode mode = LoadMode::Replace;
  std::vector<std::string> keys;
  bool mode_explicit = false;  // MODE written; otherwise the validator picks one for incremental sources
  // Set by the validator: an incremental source without MODE whose table no earlier step of the
  // pipeline writes; its first run (no watermark yet) is a full load that replaces the table.
  bool replace_on_first_run = false;
};

// Plain: CREATE [OR REPLACE] TABLE t AS <sql>;
// With a transform mode: CREATE TABLE t MODE REPLACE|APPEND AS …; MODE UPSERT KEY (k, …) AS …;
// MODE INCREMENTAL BY col [LOOKBACK n DAYS|HOURS] AS …;
enum class TransformMode { Plain, Replace, Append, Upsert, Incremental };
struct Lookback {
  int amount = 0;
  std::string unit;  // "DAYS" or "HOURS"
};
struct CreateTableStmt {
  std::string table;
  bool or_replace = false;
  TransformMode mode = TransformMode::Plain;
  std::vector<std::string> keys;     // UPSERT
  std::string incremental_column;    // INCREMENTAL BY
  std::optional<Lookback> lookback;  // INCREMENTAL only
  std::string query;                 // the SQL after AS, without the final ';'
  SourceLocation query_location;     // where `query` starts (errors inside it map back)
};

// EXPORT SELECT … TO "uri" TYPE type OPTIONS {json};  |  EXPORT table TO "uri" TYPE type [OPTIONS {json}];
struct ExportStmt {
  std::string query;                 // SELECT … (for the short form: SELECT * FROM "table")
  std::optional<std::string> table;  // set for the short form
  std::string uri;
  std::string type;
  std::string options_text;                           // {…} as written, or empty
  nlohmann::json options = nlohmann::json::object();  // set by resolve()
  SourceLocation query_location;    // where `query` starts (the table name for the short form)
  SourceLocation options_location;  // where the OPTIONS {…} block starts
};

// SET name = value;
struct SetStmt {
  std::string name;
  std::string value;  // outer quotes stripped, variables unresolved
};

// INCLUDE "path.sf" [AS alias];
struct IncludeStmt {
  std::string path;
  std::string alias;
};

struct Statement;

// IF cond THEN … [ELSE IF | ELSEIF cond THEN …]* [ELSE …] END IF;
struct IfBranch {
  std::string condition;  // as written, variables unresolved
  std::vector<Statement> body;
  SourceLocation location;  // the IF / ELSE IF keyword of this branch
};
struct IfStmt {
  std::vector<IfBranch> branches;                   // IF and each ELSE IF, in order
  std::optional<std::vector<Statement>> otherwise;  // ELSE
};

// Any other SQL statement, passed through to DuckDB.
struct SqlStmt {
  std::string sql;  // without the final ';'
};

using StatementNode =
    std::variant<SourceStmt, LoadStmt, CreateTableStmt, ExportStmt, SetStmt, IncludeStmt, IfStmt, SqlStmt>;

// A table UDF call (PYTHON_FUNC after FROM or JOIN) that the statement's SQL reads as the
// temporary table `placeholder`; the executor fills it from `input` before the statement runs.
struct TableUdfCall {
  std::string placeholder;
  std::string udf;    // qualified: python_udfs.module.fn
  std::string input;  // the table (or source) the UDF reads, as written
};

struct Statement {
  SourceLocation location;  // file, line and column of the statement's first token
  StatementNode node;
  std::vector<TableUdfCall> table_udfs = {};  // set when PYTHON_FUNC calls are resolved
};

struct Pipeline {
  std::string file;
  std::vector<Statement> statements;
};

// A readable, stable dump of the tree (one line per statement, nested blocks indented),
// used by golden tests and `pipeline compile`.
std::string dump(const Pipeline& pipeline);
std::string dump(const std::vector<Statement>& statements, int indent = 0);

}  // namespace sqlflow::pipeline
