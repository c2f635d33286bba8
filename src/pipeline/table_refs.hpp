// Which tables a SQL statement reads, taken from DuckDB's own parser (json_serialize_sql), not
// from a hand-written SQL parser. CTE names are not tables; table functions are not tables.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>

#include "engine/connection.hpp"

namespace sqlflow::pipeline {

struct TableRef {
  std::string schema;  // empty when unqualified
  std::string name;
  auto operator<=>(const TableRef&) const = default;
};

class TableRefExtractor {
 public:
  TableRefExtractor();
  // The tables `select_sql` reads, or nullopt when DuckDB cannot serialise it (not a SELECT,
  // or a syntax error: the statement then runs as a barrier and DuckDB reports the error).
  std::optional<std::set<TableRef>> reads(const std::string& select_sql);
  // Asked when DuckDB's parser cannot read a statement (e.g. PostgreSQL-only syntax for the
  // PostgreSQL engine): `name` says which analysis answered, for `compile`.
  using Fallback = std::function<std::optional<std::set<TableRef>>(const std::string& sql)>;
  void set_fallback(std::string name, Fallback fallback);
  // Which analysis answered the last reads(): "DuckDB's parser", the fallback's name, or "" (none).
  const std::string& last_analysis() const { return analysis_; }

 private:
  std::optional<std::set<TableRef>> parse(const std::string& select_sql);
  std::string fallback_name_, analysis_;
  Fallback fallback_;
  engine::Database db_;
  engine::Connection con_;
  engine::PreparedStatement stmt_;
};

}  // namespace sqlflow::pipeline
