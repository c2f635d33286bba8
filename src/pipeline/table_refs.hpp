// Which tables a SQL statement reads, taken from DuckDB's own parser (json_serialize_sql), not
// from a hand-written SQL parser. CTE names are not tables; table functions are not tables.
#pragma once

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

 private:
  engine::Database db_;
  engine::Connection con_;
  engine::PreparedStatement stmt_;
};

}  // namespace sqlflow::pipeline
