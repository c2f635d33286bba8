// The type mapping between PostgreSQL and DuckDB, both ways: which binary wire format a source
// column is decoded from and which DuckDB type it becomes, and which PostgreSQL type a DuckDB
// column is created as / may be written into. The rules are also printed by
// `sqlflow connect describe postgres` (type_mapping_notes()).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/logical_type.hpp"

namespace sqlflow::connectors::postgres {

class PgConn;

// Built-in type OIDs (PostgreSQL's pg_type.dat; fixed across versions).
namespace oid {
constexpr uint32_t kBool = 16, kBytea = 17, kChar = 18, kName = 19, kInt8 = 20, kInt2 = 21, kInt4 = 23,
                   kText = 25, kOid = 26, kJson = 114, kXml = 142, kCidr = 650, kFloat4 = 700, kFloat8 = 701,
                   kInet = 869, kBpchar = 1042, kVarchar = 1043, kDate = 1082, kTime = 1083,
                   kTimestamp = 1114, kTimestampTz = 1184, kInterval = 1186, kTimeTz = 1266, kNumeric = 1700,
                   kUuid = 2950, kJsonb = 3802;
}  // namespace oid

// The binary send/recv formats we decode and encode natively.
enum class Wire : uint8_t {
  Bool,
  Int2,
  Int4,
  Int8,
  Float4,
  Float8,
  Numeric,
  Text,
  Jsonb,
  Bytea,
  Date,
  Time,
  TimeTz,
  Timestamp,
  TimestampTz,
  Interval,
  Uuid,
  Inet
};

// Where a PostgreSQL numeric lands in DuckDB.
enum class NumericTarget : uint8_t { Decimal, Double, Varchar };

// How to decode one field of a binary COPY row (for arrays: how to decode each element).
struct DecodeSpec {
  Wire wire = Wire::Text;
  bool array = false;  // one-dimensional array → LIST
  NumericTarget numeric = NumericTarget::Decimal;
  uint8_t width = 18, scale = 0;  // for NumericTarget::Decimal
  // The target came from numeric_mode (an unconstrained numeric), not from the column's own
  // precision: a value that does not fit is the setting's doing, and the error says so.
  bool from_numeric_mode = false;
  std::string column;  // for error messages

  LogicalType duckdb_type() const;
};

// Rule for numerics without a precision ≤ 38 (unconstrained `numeric`, or wider): the
// `numeric_mode` parameter. The default, DECIMAL(38,9) as dlt's for unbounded decimals, keeps
// money columns (`amount numeric`) summable and exact for values with at most 9 fractional and 29
// integer digits; a value that does not fit fails the load naming the column, never rounded.
struct NumericMode {
  NumericTarget target = NumericTarget::Decimal;
  uint8_t width = 38, scale = 9;  // for "decimal(P,S)": values that do not fit are an error
  static NumericMode parse(const std::string& text);  // "varchar" | "double" | "decimal(P,S)"; throws
  std::string to_string() const;                      // as parse() reads it
};

// What pg_type says about one type.
struct PgTypeInfo {
  uint32_t oid = 0;
  std::string name;        // format_type(oid, NULL), quoted as needed
  char typtype = 'b';      // b base, d domain, e enum, c composite, r range, m multirange, p pseudo
  uint32_t basetype = 0;   // domains
  int32_t typtypmod = -1;  // domains: the base type's typmod
  uint32_t elem = 0;       // arrays (typcategory 'A')
  bool is_array = false;
};

// Looks types up in pg_type (following domains and array elements), caching per connection use.
class TypeCatalog {
 public:
  explicit TypeCatalog(PgConn& conn) : conn_(conn) {}
  const PgTypeInfo& get(uint32_t oid);
  void load(const std::vector<uint32_t>& oids);

 private:
  PgConn& conn_;
  std::map<uint32_t, PgTypeInfo> types_;
};

// Native binary format of a built-in scalar type (domains already resolved), or nullopt.
std::optional<Wire> native_wire(uint32_t type_oid);
// Follows domains down to their base type and the typmod that applies.
std::pair<uint32_t, int32_t> resolve_domain(TypeCatalog& types, uint32_t type_oid, int32_t typmod);

// A source column as planned: how to select it and how to decode it.
struct SourceColumnPlan {
  std::string select_suffix;  // cast appended to the quoted column in the COPY query, e.g. "::text"
  DecodeSpec decode;
  std::string pg_type;  // format_type of the column's declared type (for messages and casts)
};

// Plans a column of declared type (oid, typmod). Types without a native decoder are selected
// with a cast to text (enums, inet/cidr, citext, money, xml, ranges, …; arrays of them to text[]).
SourceColumnPlan plan_source_column(TypeCatalog& types, const std::string& name, uint32_t type_oid,
                                    int32_t typmod, const NumericMode& numeric_mode);

// The PostgreSQL type a new table column gets for a DuckDB type; throws a validation error naming
// the column when there is none (STRUCT, MAP, UNION, nested LIST, …).
std::string pg_type_for(const LogicalType& type, const std::string& column);

// numeric typmod → (precision, scale); nullopt when unconstrained.
std::optional<std::pair<int, int>> numeric_typmod(int32_t typmod);

// Lines for `connect describe postgres`.
std::vector<std::string> type_mapping_notes();

}  // namespace sqlflow::connectors::postgres
