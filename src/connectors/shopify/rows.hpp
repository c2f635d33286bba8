// Rows of one Shopify object (or of its child connection) held in typed columns until the load
// hands them to the engine: nodes parsed once (from a paged reply or a bulk JSONL line), values
// converted as they arrive so a bad value fails with its object id, not later in DuckDB.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "connectors/shopify/objects.hpp"
#include "core/data_chunk.hpp"
#include "core/logical_type.hpp"

namespace sqlflow::connectors::shopify {

// "gid://shopify/Order/123" → 123; -1 when it is not a gid with a numeric id.
std::int64_t gid_number(const std::string& gid);
// ISO 8601 ("2024-01-02T03:04:05Z", "…+02:00", fractions) → microseconds since the epoch.
bool parse_timestamp(const std::string& text, std::int64_t& micros);
// Microseconds since the epoch → "2024-01-02T03:04:05.000000Z".
std::string format_timestamp(std::int64_t micros);

class RowTable {
 public:
  // The columns: `fields` (a Gid field becomes <column> BIGINT plus <column>_gid … only for "id":
  // id BIGINT and gid VARCHAR), after a leading BIGINT `parent_column` when it is not empty.
  RowTable(std::vector<Field> fields, std::string parent_column = {});

  Schema schema() const;
  std::size_t rows() const { return rows_; }
  // Appends a node's values (`parent` goes to the parent column). Throws a data Error naming the
  // node's id and the field when a value does not convert.
  void add(const nlohmann::json& node, std::int64_t parent = 0);
  // The value of column `i` in row `r` as int64 (BIGINT, DECIMAL unscaled, TIMESTAMPTZ µs).
  std::int64_t int_at(std::size_t column, std::size_t row) const { return cols_[column].ints[row]; }
  // Writes rows [first, first + count) of the projected columns into `out`.
  void write(std::size_t first, std::size_t count, const std::vector<std::size_t>& projection,
             DataChunk& out) const;
  // Keeps only the last row of each id (a record read twice while paging), at that row's place.
  void dedupe_by_id();
  // Column index of `name`, or npos.
  std::size_t column(const std::string& name) const;

 private:
  enum class Kind { Int, Text, Bool };
  struct Column {
    std::string name;
    LogicalType type;
    Kind kind = Kind::Int;
    ColType source = ColType::Varchar;
    std::vector<PathStep> path;  // into the node; empty: the parent id
    bool gid_text = false;       // the gid string itself
    std::vector<std::int64_t> ints;
    std::vector<std::string> texts;
    std::vector<std::uint8_t> valid;
  };
  std::vector<Column> cols_;
  std::size_t rows_ = 0;
  std::size_t id_column_ = 0;
};

}  // namespace sqlflow::connectors::shopify
