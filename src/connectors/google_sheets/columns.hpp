// From a grid of cells to typed columns: header names made unique and non-empty (column_7,
// name_2) with a warning, one type per column decided over every row (BIGINT, DOUBLE, BOOLEAN,
// VARCHAR; DATE/TIMESTAMP from Sheets serial numbers when the user types a column so), and the
// cells written into DuckDB vectors.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "connectors/google_sheets/grid.hpp"
#include "core/data_chunk.hpp"
#include "core/logical_type.hpp"

namespace sqlflow::connectors::google_sheets {

enum class ColumnType { Varchar, BigInt, Integer, Double, Boolean, Date, Timestamp };

struct SheetColumn {
  std::string name;
  ColumnType type = ColumnType::Varchar;
  std::int64_t index = 0;  // in the grid's rows
};

// Names from the header row (row 0 of `grid` when has_header) for `width` columns; the letters
// of `first_column` + i name columns whose header cell is empty (column_<n>, n the sheet column).
// Renames are described in `warnings`.
std::vector<std::string> column_names(const Grid& grid, bool has_header, std::int64_t width,
                                      std::int64_t first_column, std::vector<std::string>& warnings);

// "BIGINT", "integer", "DATE"… → the type; throws a validation Error naming the column otherwise.
ColumnType parse_column_type(const std::string& column, const std::string& type);
LogicalType logical_type(ColumnType type);

// The type that holds every non-empty cell of grid column `index` (rows of `grid` as it is now).
ColumnType infer_type(const Grid& grid, std::int64_t index);

// Writes rows [first_row, first_row + count) of `column` into `out` as its type. Throws a data
// Error naming the sheet row (`sheet_row_of_first` + i) and column when a cell does not convert.
void write_column(const Grid& grid, const SheetColumn& column, std::int64_t first_row, std::size_t count,
                  const Vector& out, std::int64_t sheet_row_of_first);

}  // namespace sqlflow::connectors::google_sheets
