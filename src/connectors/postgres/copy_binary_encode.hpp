// Encoder of DuckDB DataChunks into PostgreSQL's binary COPY format (`COPY … FROM STDIN (FORMAT
// binary)`), written in each target column's binary receive format (numeric_recv, timestamp_recv,
// array_recv, inet_recv, …) as the PostgreSQL 15 documentation "COPY — File Formats — Binary
// Format" and the types' recv functions define them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "connectors/postgres/type_map.hpp"
#include "core/data_chunk.hpp"

namespace sqlflow::connectors::postgres {

// One column of the target table, as the encoder needs to know it.
struct EncodeTarget {
  std::string column;
  std::string pg_type;     // format_type, for messages
  Wire wire = Wire::Text;  // the (element) receive format
  bool array = false;
  uint32_t elem_oid = 0;  // arrays: the array type's element oid (array_recv checks it)
  bool cidr = false;      // Wire::Inet: cidr rather than inet
  bool oid = false;       // Wire::Int4 carrying an unsigned oid
};

// The target of a PostgreSQL column type (domains resolved), or nullopt when we cannot write it in
// binary (then the column is reported as incompatible).
std::optional<EncodeTarget> encode_target_for(TypeCatalog& types, const std::string& column,
                                              uint32_t type_oid);

// Why `source` cannot be written into `target`, or "" when it can.
std::string encode_incompatibility(const LogicalType& source, const EncodeTarget& target);

class CopyBinaryEncoder {
 public:
  // source[i] is written into targets[i]; every pair must be compatible (see above).
  CopyBinaryEncoder(std::vector<LogicalType> source, std::vector<EncodeTarget> targets);

  static void put_header(std::string& out);
  static void put_trailer(std::string& out);
  // Appends every row of `chunk`. Throws a data error naming the column for a value the target
  // cannot hold (e.g. 70000 into smallint, a timestamp before 4713 BC).
  void encode(const DataChunk& chunk, std::string& out) const;

 private:
  struct Column {
    LogicalType type;
    duckdb_type id;
    EncodeTarget target;
    LogicalType child;  // LIST element type
    duckdb_type child_id = DUCKDB_TYPE_INVALID;
    std::vector<std::string> labels;  // ENUM dictionary (source or LIST element)
    duckdb_type enum_physical = DUCKDB_TYPE_INVALID;
  };
  void encode_scalar(const Column& c, duckdb_type id, const Vector& v, size_t row, std::string& out) const;
  std::vector<Column> columns_;
};

// PostgreSQL numeric_recv bytes for unscaled × 10^-scale. Exposed for tests.
void put_numeric(std::string& out, int128 unscaled, int scale);
// numeric_recv bytes for a decimal text ("-12.5e3", "NaN", "Infinity"); false when not a number.
bool put_numeric_text(std::string& out, std::string_view text);

}  // namespace sqlflow::connectors::postgres
