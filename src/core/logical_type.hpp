// A DuckDB logical type (shared, immutable handle) and a named column list (a schema).
#pragma once

#include <duckdb.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sqlflow {

class LogicalType {
 public:
  // Takes ownership of a handle returned by the C API.
  static LogicalType adopt(duckdb_logical_type handle);
  static LogicalType of(duckdb_type id);
  static LogicalType decimal(uint8_t width, uint8_t scale);
  static LogicalType list(const LogicalType& child);
  static LogicalType structure(const std::vector<std::pair<std::string, LogicalType>>& members);
  // DuckDB's JSON type: VARCHAR under the alias JSON (what the json extension registers), so
  // json functions and ->> apply and DESCRIBE shows JSON.
  static LogicalType json();

  LogicalType() = default;
  duckdb_type id() const;
  duckdb_logical_type handle() const { return handle_ ? *handle_ : nullptr; }
  bool valid() const { return handle_ != nullptr; }

  uint8_t decimal_width() const;
  uint8_t decimal_scale() const;
  LogicalType list_child() const;
  size_t struct_size() const;
  std::string struct_name(size_t i) const;
  LogicalType struct_child(size_t i) const;

  // The alias a type carries ("JSON"), or "" when none.
  std::string alias() const;
  // The type as DuckDB SQL spells it, e.g. DECIMAL(18,3), VARCHAR[], STRUCT("a" INTEGER), JSON.
  std::string to_sql() const;

 private:
  explicit LogicalType(duckdb_logical_type handle);
  std::shared_ptr<duckdb_logical_type> handle_;
};

struct Column {
  std::string name;
  LogicalType type;
};
using Schema = std::vector<Column>;

std::vector<LogicalType> types_of(const Schema& schema);

// TINYINT … UHUGEINT.
bool is_integer_type(duckdb_type id);
// The integers, DECIMAL, FLOAT and DOUBLE.
bool is_numeric_type(duckdb_type id);

}  // namespace sqlflow
