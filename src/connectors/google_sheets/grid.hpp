// The values of a sheet range as the API returns them (rows of strings, numbers and booleans,
// ragged: trailing empty cells and trailing empty rows omitted), kept compactly in memory so the
// column types can be decided over all rows before the first row is handed to the engine.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sqlflow::connectors::google_sheets {

enum class CellKind : std::uint8_t { Empty, Text, Number, Bool };

struct Cell {
  double number = 0;  // Number; Bool as 0/1
  std::uint32_t offset = 0;
  std::uint32_t length = 0;  // Text: bytes in the grid's arena
  CellKind kind = CellKind::Empty;
};

class Grid {
 public:
  // Parses a values:batchGet response whose value ranges are consecutive row blocks, the i-th
  // `block_rows[i]` rows tall, continuing where the previous call ended. Rows a block omits at its
  // end are empty rows of the sheet when a later block has data, and the sheet's end otherwise.
  // Throws a data Error naming `what` when the body is not the documented JSON.
  void add_batch(std::string_view body, const std::vector<std::int64_t>& block_rows, const std::string& what);

  // Rows from the first to the last non-empty one (after drop_first_row: without the first).
  std::int64_t rows() const { return static_cast<std::int64_t>(row_start_.size()) - base_; }
  // Cells in the widest row.
  std::int64_t width() const { return width_; }
  const Cell& at(std::int64_t r, std::int64_t c) const;  // Empty past the row's end
  std::string_view text(const Cell& cell) const {
    return std::string_view(arena_).substr(cell.offset, cell.length);
  }
  // Row 0 stops being a row (a header once its names were read); width() still counts it.
  void drop_first_row() {
    if (rows() > 0) ++base_;
  }

 private:
  void append_row();

  std::vector<Cell> cells_;
  std::vector<std::uint64_t> row_start_;  // into cells_
  std::vector<std::uint32_t> row_len_;
  std::int64_t base_ = 0;
  std::int64_t pending_empty_ = 0;  // rows omitted at the end of the blocks so far
  std::int64_t width_ = 0;
  std::string arena_;
};

}  // namespace sqlflow::connectors::google_sheets
