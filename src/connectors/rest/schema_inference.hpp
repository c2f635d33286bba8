// Column types of a REST source: what sampled JSON values say (widened as samples disagree:
// BIGINT → DOUBLE → VARCHAR), what `columns` declares, and ISO-8601 timestamp recognition.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "connectors/rest/options.hpp"
#include "core/logical_type.hpp"

namespace sqlflow::connectors::rest {

// What one JSON value looks like, for inference.
// WideInt: an integer beyond ±2^53 (exact as BIGINT, not as DOUBLE); LossyDouble: a field that
// mixes such integers with fractions, so DOUBLE drops digits of the integers.
enum class ValueKind : std::uint8_t {
  Null,
  Bool,
  Int,
  WideInt,
  Double,
  LossyDouble,
  BigNumber,
  String,
  Timestamp,
  Json
};

// How values are written into a column (the column's DuckDB type, as the writer sees it).
enum class WriteAs : std::uint8_t { Bool, Int32, Int64, Double, Varchar, Timestamp, Date };

const char* sql_name(WriteAs as);

struct RestColumn {
  std::string name;
  WriteAs as = WriteAs::Varchar;
  bool declared = false;  // from `columns`, not inferred
  bool json = false;      // holds JSON text (arrays, unflattened objects, or declared JSON): typed JSON
};

// The kind two observations of one field widen to.
ValueKind widen(ValueKind a, ValueKind b);
// The column type a field's widened kind becomes (Null → VARCHAR: nothing to go by).
WriteAs write_as_for(ValueKind kind);
// A `columns` type name (case-insensitive: BOOLEAN, INTEGER, BIGINT, DOUBLE, VARCHAR, TEXT, JSON,
// TIMESTAMP, DATE and their usual aliases). Throws a validation Error naming the column.
WriteAs parse_declared_type(const std::string& column, const std::string& type);
LogicalType logical_type(WriteAs as);
// The column's DuckDB type: logical_type(as), or JSON for JSON text columns.
LogicalType logical_type(const RestColumn& column);

// Collects field observations in first-seen order and turns them into columns.
class SchemaBuilder {
 public:
  // `separator` joins the keys of flattened names (RecordsSpec::flatten_separator).
  explicit SchemaBuilder(std::string separator = ".") : separator_(std::move(separator)) {}
  void observe(std::string_view name, ValueKind kind);
  // `name` held an object that was flattened into name.* columns: if it is otherwise only ever
  // null, it gets no column of its own (its nulls mean "all of name.* are null"); if it also held
  // numbers or strings, it is one JSON column instead (objects and scalars as their JSON text).
  void observe_object(std::string_view name);
  // Inferred fields with `declared` applied (declared types win; declared names missing from the
  // sample are added at the end). Names that differ only in case get a _2, _3 suffix, because
  // DuckDB's column names are case-insensitive.
  std::vector<RestColumn> finish(const KeyValues& declared) const;
  // Inferred DOUBLE fields whose integers have more digits than a DOUBLE keeps (not declared).
  std::vector<std::string> lossy_fields(const KeyValues& declared) const;
  size_t field_count() const { return order_.size(); }

 private:
  std::string separator_;
  std::vector<std::string> order_;
  std::unordered_map<std::string, ValueKind> kinds_;
  std::unordered_map<std::string, bool> objects_;
};

// ISO 8601 / RFC 3339 date-times: YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]][Z|±HH[:MM]]. The result is
// UTC microseconds since the epoch (an offset is applied). False when `s` is not one.
bool parse_iso_timestamp(std::string_view s, std::int64_t& micros);
// YYYY-MM-DD → days since 1970-01-01.
bool parse_iso_date(std::string_view s, std::int32_t& days);
// Microseconds since the epoch → "YYYY-MM-DDTHH:MM:SS[.ffffff]Z".
std::string format_iso_timestamp(std::int64_t micros);

}  // namespace sqlflow::connectors::rest
