// A1 notation (Google Sheets API "A1 notation": Sheet1!A1:D5, 'My Sheet'!A:C, Sheet1!2:5): the
// pieces our requests need — column letters, sheet-name quoting, and the parse of a user's
// `range` parameter into sheet, columns and rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sqlflow::connectors::google_sheets {

// 1 → "A", 27 → "AA". Column numbers are 1-based.
std::string column_letters(std::int64_t column);
// "A" → 1, "aa" → 27; nullopt when not letters.
std::optional<std::int64_t> column_number(std::string_view letters);

// The sheet name as it must appear in a range: quoted ('My Sheet', 'It''s') unless it is letters,
// digits and underscores only and does not look like a cell reference.
std::string quote_sheet_name(std::string_view title);

// A rectangle of a sheet; 0 in a bound means "open" (to the sheet's edge).
struct A1Range {
  std::string sheet;  // empty: the range named no sheet
  std::int64_t first_column = 1;
  std::int64_t last_column = 0;
  std::int64_t first_row = 1;
  std::int64_t last_row = 0;
};

// Parses "Sheet1", "'My Sheet'!B2:F", "A:C", "Sheet1!3:10", "B2:D20". Throws a validation Error
// naming `range` when it is not A1 notation.
A1Range parse_a1(const std::string& range);

// "'My Sheet'!B3:F200" for rows [first_row, last_row] and columns [first_column, last_column].
std::string a1_block(const std::string& sheet, std::int64_t first_column, std::int64_t last_column,
                     std::int64_t first_row, std::int64_t last_row);

}  // namespace sqlflow::connectors::google_sheets
