#include "connectors/google_sheets/a1.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace sqlflow::connectors::google_sheets {
namespace {

TEST(A1, ColumnLettersRoundTrip) {
  EXPECT_EQ(column_letters(1), "A");
  EXPECT_EQ(column_letters(26), "Z");
  EXPECT_EQ(column_letters(27), "AA");
  EXPECT_EQ(column_letters(702), "ZZ");
  EXPECT_EQ(column_letters(703), "AAA");
  for (std::int64_t c : {1, 25, 26, 27, 52, 53, 702, 703, 18278})
    EXPECT_EQ(column_number(column_letters(c)), c);
  EXPECT_EQ(column_number("b"), 2);
  EXPECT_FALSE(column_number("A1"));
}

TEST(A1, QuotesSheetNamesThatNeedIt) {
  EXPECT_EQ(quote_sheet_name("Sheet1"), "Sheet1");
  EXPECT_EQ(quote_sheet_name("My Sheet"), "'My Sheet'");
  EXPECT_EQ(quote_sheet_name("It's"), "'It''s'");
  EXPECT_EQ(quote_sheet_name("A1"), "'A1'");  // would read as a cell
  EXPECT_EQ(quote_sheet_name("Données"), "'Données'");
}

TEST(A1, ParsesRanges) {
  A1Range r = parse_a1("'My Sheet'!B2:F");
  EXPECT_EQ(r.sheet, "My Sheet");
  EXPECT_EQ(r.first_column, 2);
  EXPECT_EQ(r.last_column, 6);
  EXPECT_EQ(r.first_row, 2);
  EXPECT_EQ(r.last_row, 0);
  r = parse_a1("Sheet1");
  EXPECT_EQ(r.sheet, "Sheet1");
  EXPECT_EQ(r.last_column, 0);
  r = parse_a1("A:C");
  EXPECT_EQ(r.sheet, "");
  EXPECT_EQ(r.first_column, 1);
  EXPECT_EQ(r.last_column, 3);
  r = parse_a1("Data!3:10");
  EXPECT_EQ(r.first_row, 3);
  EXPECT_EQ(r.last_row, 10);
  r = parse_a1("'It''s'!A1");
  EXPECT_EQ(r.sheet, "It's");
  EXPECT_EQ(r.last_row, 1);
  EXPECT_EQ(r.last_column, 1);
  EXPECT_THROW(parse_a1("'Open!A1"), Error);
  EXPECT_THROW(parse_a1("Sheet1!C1:A1"), Error);
  EXPECT_THROW(parse_a1("Sheet1!1A"), Error);
}

TEST(A1, BlocksQuoteTheSheet) {
  EXPECT_EQ(a1_block("My Sheet", 1, 4, 2, 500), "'My Sheet'!A2:D500");
}

}  // namespace
}  // namespace sqlflow::connectors::google_sheets
