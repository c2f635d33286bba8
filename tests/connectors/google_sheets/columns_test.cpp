#include "connectors/google_sheets/columns.hpp"

#include <gtest/gtest.h>

#include "connectors/google_sheets/grid.hpp"
#include "core/error.hpp"

namespace sqlflow::connectors::google_sheets {
namespace {

Grid grid_of(const std::string& values_json, std::int64_t block_rows) {
  Grid g;
  g.add_batch("{\"valueRanges\":[{\"range\":\"S!A1:Z9\",\"values\":" + values_json + "}]}", {block_rows},
              "test");
  return g;
}

TEST(SheetsGrid, RaggedRowsAndOmittedBlocks) {
  Grid g;
  // Block 1 (rows 1-4) returns 2 rows: rows 3-4 are empty, but block 2 has data, so they count.
  g.add_batch(R"({"valueRanges":[{"values":[["a","b","c"],[1]]},{"values":[[true,"",""]]}]})", {4, 3}, "t");
  ASSERT_EQ(g.rows(), 5);
  EXPECT_EQ(g.width(), 3);
  EXPECT_EQ(g.at(1, 0).kind, CellKind::Number);
  EXPECT_EQ(g.at(1, 2).kind, CellKind::Empty);
  EXPECT_EQ(g.at(2, 0).kind, CellKind::Empty);
  EXPECT_EQ(g.at(4, 0).kind, CellKind::Bool);
  // An empty range has no values key; trailing empty blocks add no rows.
  g.add_batch(R"({"valueRanges":[{"range":"S!A8:C9"}]})", {2}, "t");
  EXPECT_EQ(g.rows(), 5);
  EXPECT_THROW(g.add_batch(R"({"valueRanges":[{"values":[[{}]]}]})", {1}, "t"), Error);
  EXPECT_THROW(g.add_batch(R"({"oops":1})", {1}, "t"), Error);
  EXPECT_THROW(g.add_batch(R"({"valueRanges":[{"values":[[1],[2]]}]})", {1}, "t"), Error);
}

TEST(SheetsColumns, BlankAndDuplicateHeadersGetDeterministicNames) {
  Grid g = grid_of(R"([["id","","Name","name","id"],[1,2,3,4,5,6]])", 2);
  std::vector<std::string> warnings;
  auto names = column_names(g, true, g.width(), 1, warnings);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "column_2", "Name", "name_2", "id_2", "column_6"}));
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("B → column_2"), std::string::npos);
  EXPECT_NE(warnings[1].find("D 'name' → name_2"), std::string::npos);
}

TEST(SheetsColumns, InfersOneTypePerColumnOverEveryRow) {
  Grid g =
      grid_of(R"([[1, 1.5, true, "x", 1, null], [2, 2, false, 3, "", null], [3, 4, true, "y", 1e17]])", 3);
  EXPECT_EQ(infer_type(g, 0), ColumnType::BigInt);
  EXPECT_EQ(infer_type(g, 1), ColumnType::Double);
  EXPECT_EQ(infer_type(g, 2), ColumnType::Boolean);
  EXPECT_EQ(infer_type(g, 3), ColumnType::Varchar);
  EXPECT_EQ(infer_type(g, 4), ColumnType::Double);   // beyond 2^53 a double is not an exact integer
  EXPECT_EQ(infer_type(g, 5), ColumnType::Varchar);  // all empty
}

TEST(SheetsColumns, WritesSerialDatesAndRejectsBadCells) {
  Grid g = grid_of(R"([[45292, 45292.5, "2024-01-02", "n/a"]])", 1);
  DataChunk chunk({LogicalType::of(DUCKDB_TYPE_DATE), LogicalType::of(DUCKDB_TYPE_TIMESTAMP),
                   LogicalType::of(DUCKDB_TYPE_DATE), LogicalType::of(DUCKDB_TYPE_BIGINT)});
  write_column(g, {"d", ColumnType::Date, 0}, 0, 1, chunk.column(0), 2);
  write_column(g, {"ts", ColumnType::Timestamp, 1}, 0, 1, chunk.column(1), 2);
  write_column(g, {"iso", ColumnType::Date, 2}, 0, 1, chunk.column(2), 2);
  chunk.set_size(1);
  EXPECT_EQ(chunk.column(0).to_string(0, LogicalType::of(DUCKDB_TYPE_DATE)), "2024-01-01");
  EXPECT_EQ(chunk.column(1).to_string(0, LogicalType::of(DUCKDB_TYPE_TIMESTAMP)), "2024-01-01 12:00:00");
  EXPECT_EQ(chunk.column(2).to_string(0, LogicalType::of(DUCKDB_TYPE_DATE)), "2024-01-02");
  try {
    write_column(g, {"n", ColumnType::BigInt, 3}, 0, 1, chunk.column(3), 7);
    FAIL() << "a text cell converted to BIGINT";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("row 7, column 'n': 'n/a'"), std::string::npos) << e.what();
  }
}

TEST(SheetsColumns, DeclaredTypesAreChecked) {
  EXPECT_EQ(parse_column_type("a", "Timestamp"), ColumnType::Timestamp);
  EXPECT_THROW(parse_column_type("a", "GEOMETRY"), Error);
}

}  // namespace
}  // namespace sqlflow::connectors::google_sheets
