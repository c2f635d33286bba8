// Parquet source and export through the registry and a real DuckDB. Pushdown is proven, not only
// inferred from results: the column chunks a query must not read are overwritten with garbage, so
// decoding any of them would fail; the reads that push `columns` / `filters` down still succeed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "connectors/csv/file_test_util.hpp"
#include "connectors/parquet/destination.hpp"
#include "connectors/parquet/source.hpp"
#include "connectors/registry.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using namespace sqlflow::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

class Parquet : public ::testing::Test {
 protected:
  TempDir dir{"parquet"};
  engine::Database db;
  engine::Connection con{db};

  void SetUp() override { con.execute("SET TimeZone = 'UTC'"); }
  std::string lit(const std::string& name) { return quote_literal((dir / name).string()); }
  std::unique_ptr<connectors::Source> view(const std::string& name, json params) {
    auto s = make_file_source("parquet", params, dir.path());
    create_source_view(con, name, *s);
    return s;
  }
  size_t export_parquet(const std::string& select, const std::string& uri, json options = json::object()) {
    return export_query(con, "parquet", select, uri, options, dir.path());
  }
  // Overwrites the pages of the column chunks `where` selects in parquet_metadata() with garbage,
  // keeping the footer (schema and statistics) intact. Returns how many chunks were spoiled.
  size_t spoil_chunks(const std::string& file, const std::string& where) {
    auto rows = con.query(
                       "SELECT coalesce(least(dictionary_page_offset, data_page_offset), data_page_offset), "
                       "total_compressed_size FROM parquet_metadata(" +
                       lit(file) + ") WHERE " + where)
                    .rows();
    std::fstream f(dir / file, std::ios::in | std::ios::out | std::ios::binary);
    for (const auto& r : rows) {
      f.seekp(std::stoll(r[0]));
      f << std::string(static_cast<size_t>(std::stoll(r[1])), '\xA5');
    }
    return rows.size();
  }
};

TEST_F(Parquet, EveryTypeRoundTrips) {
  con.execute(create_type_table_sql("src"));
  // DuckDB's Parquet writer refuses negative intervals with a clear error (and no output).
  auto err = error_of([&] { export_parquet("SELECT * FROM src", "types.parquet"); });
  EXPECT_NE(err.find("negative intervals"), std::string::npos) << err;
  EXPECT_EQ(dir_names(dir.path()), std::vector<std::string>{});
  con.execute("UPDATE src SET iv = INTERVAL '36 hours' WHERE id = 2");
  export_parquet("SELECT * FROM src", "types.parquet");
  auto s = view("back", {{"path", "types.parquet"}});
  // Parquet has no 128-bit integer: DuckDB writes HUGEINT as DOUBLE (documented in `connect describe`).
  // (Compared as DOUBLE, so it counts as equal below; its type is checked separately.)
  EXPECT_EQ(differing_columns(con, "src", "back"), std::vector<std::string>{});
  EXPECT_EQ(query_value(con, "SELECT typeof(hi) FROM back LIMIT 1"), "DOUBLE");
  for (const auto& c : s->schema()) {
    if (c.name == "hi" || c.name == "id") continue;
    EXPECT_EQ(query_value(con, "SELECT typeof(" + c.name + ") FROM back LIMIT 1"),
              query_value(con, "SELECT typeof(" + c.name + ") FROM src LIMIT 1"));
  }
}

TEST_F(Parquet, ColumnsAreTheOnlyChunksDecoded) {
  export_parquet("SELECT range AS id, range * 2 AS a, md5(range::VARCHAR) AS wide FROM range(50000)",
                 "c.parquet");
  EXPECT_GT(spoil_chunks("c.parquet", "path_in_schema = 'wide'"), 0u);
  auto s = view("two", {{"path", "c.parquet"}, {"columns", {"id", "a"}}});
  EXPECT_EQ(query_value(con, "SELECT sum(a) - 2 * sum(id) FROM two"), "0");
  EXPECT_EQ(s->schema().size(), 2u);
  view("all", {{"path", "c.parquet"}});
  EXPECT_NE(error_of([&] { con.query("CREATE TABLE t AS SELECT * FROM \"all\""); }),
            "");  // the spoiled chunk
}

TEST_F(Parquet, FiltersSkipRowGroupsByTheirStatistics) {
  // 10 row groups of 2048 rows; year is 2015 … 2024 by row group, region sorted within the file.
  export_parquet(
      "SELECT range AS id, 2015 + range // 2048 AS year, "
      "CASE WHEN range < 6144 THEN 'APAC' WHEN range < 18432 THEN 'EU' ELSE 'US' END AS region, "
      "md5(range::VARCHAR) AS payload FROM range(20480)",
      "f.parquet", {{"row_group_size", 2048}});
  ASSERT_EQ(
      query_value(con, "SELECT count(DISTINCT row_group_id) FROM parquet_metadata(" + lit("f.parquet") + ")"),
      "10");
  // Statistics say only the last row group can hold year >= 2024: spoil the nine others entirely.
  EXPECT_EQ(spoil_chunks("f.parquet", "row_group_id < 9"), 36u);
  auto s =
      view("recent", {{"path", "f.parquet"}, {"filters", json::array({json::array({"year", ">=", 2024})})}});
  EXPECT_EQ(query_value(con, "SELECT count(*) || ' ' || min(id) FROM recent"), "2048 18432");
  EXPECT_EQ(query_value(con, "SELECT count(DISTINCT payload) FROM recent"), "2048");
  // DuckDB's plan shows the filter inside the Parquet scan, not above it.
  std::string plan = query_rows(con, "EXPLAIN SELECT * FROM recent")[0];
  EXPECT_NE(plan.find("READ_PARQUET"), std::string::npos) << plan;
  EXPECT_NE(plan.find("year>=2024"), std::string::npos) << plan;
  // An IN list and an OR of groups are pushed down too (row group 9 is the only one with 'US').
  view("us", {{"path", "f.parquet"}, {"filters", {{"region", "in", {"US", "MARS"}}}}});
  EXPECT_EQ(query_value(con, "SELECT count(*) FROM us"), "2048");
  view("either", {{"path", "f.parquet"},
                  {"filters",
                   {json::array({json::array({"year", "=", 2024}), json::array({"id", ">", 19000})}),
                    json::array({json::array({"year", ">", 2030}), json::array({"region", "!=", "EU"})})}}});
  EXPECT_EQ(query_value(con, "SELECT count(*) FROM either"), "1479");
  view("everything", {{"path", "f.parquet"}});
  EXPECT_NE(error_of([&] { con.query("SELECT sum(id) FROM everything"); }), "");
}

TEST_F(Parquet, FiltersAreValidatedAndBecomeQuotedSql) {
  using connectors::parquet::filters_to_sql;
  EXPECT_EQ(filters_to_sql({{"year", ">=", 2024}, {"region", "in", {"EU", "U'S"}}}),
            "\"year\" >= 2024 AND \"region\" IN ('EU', 'U''S')");
  EXPECT_EQ(filters_to_sql({"x", "==", nullptr}), "\"x\" IS NULL");
  EXPECT_EQ(filters_to_sql({json::array({json::array({"a", "<", 1.5})}),
                            json::array({json::array({"b", "not in", {true}})})}),
            "(\"a\" < 1.5) OR (\"b\" NOT IN (TRUE))");
  EXPECT_EQ(filters_to_sql({json::array({json::array({"y", "=", 1}), json::array({"a", "=", 2})}),
                            json::array({json::array({"y", ">", 5}), json::array({"b", "=", 3})})}),
            "((\"y\" = 1 AND \"a\" = 2) OR (\"y\" > 5 AND \"b\" = 3)) AND ((\"y\" = 1) OR (\"y\" > 5))");
  EXPECT_NE(error_of([] {
              filters_to_sql({{"a", "like", "x%"}});
            }).find("unknown filter operator 'like'"),
            std::string::npos);
  EXPECT_NE(error_of([] { filters_to_sql({{"a", "in", 3}}); }).find("non-empty list"), std::string::npos);
  EXPECT_NE(error_of([] {
              filters_to_sql(json::array({json::array({"a", ">"})}));
            }).find("[column, operator, value]"),
            std::string::npos);
  export_parquet("SELECT 1 AS year", "y.parquet");
  auto err = error_of([&] { view("v", {{"path", "y.parquet"}, {"filters", {{"yeer", ">", 1}}}}); });
  EXPECT_NE(err.find("yeer"), std::string::npos) << err;
  EXPECT_NE(err.find("y.parquet"), std::string::npos) << err;
}

TEST_F(Parquet, GlobsOfFilesWithDifferentSchemasAndHiveFolders) {
  export_parquet("SELECT 1 AS id, 'a' AS name", "m/p1.parquet");
  export_parquet("SELECT 2 AS id, 3.5 AS score", "m/p2.parquet");
  view("u", {{"path", "m/*.parquet"}, {"union_by_name", true}});
  EXPECT_EQ(query_rows(con, "SELECT id, name, score FROM u ORDER BY id"),
            (std::vector<std::string>{"1|a|NULL", "2|NULL|3.5"}));
  EXPECT_EQ(export_parquet("SELECT range AS id, 2020 + range % 3 AS year FROM range(9)", "hive",
                           {{"partition_by", "year"}}),
            9u);
  auto s = view("h", {{"path", "hive"}, {"filters", {{"year", "=", 2021}}}});
  EXPECT_EQ(query_value(con, "SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM h"), "1,4,7");
  EXPECT_NE(s->test_connection().find("3 files"), std::string::npos);
}

TEST_F(Parquet, ExportOptionsPartitionsAndModes) {
  export_parquet("SELECT range AS id FROM range(20480)", "o.parquet",
                 {{"compression", "snappy"}, {"row_group_size", 2048}});
  EXPECT_EQ(query_value(con, "SELECT DISTINCT compression FROM parquet_metadata(" + lit("o.parquet") + ")"),
            "SNAPPY");
  EXPECT_EQ(
      query_value(con, "SELECT count(DISTINCT row_group_id) FROM parquet_metadata(" + lit("o.parquet") + ")"),
      "10");
  export_parquet("SELECT range AS id FROM range(10)", "z.parquet");
  EXPECT_EQ(query_value(con, "SELECT DISTINCT compression FROM parquet_metadata(" + lit("z.parquet") + ")"),
            "ZSTD");
  // One file, append: rewritten with the old rows and the new ones.
  export_parquet("SELECT range AS id, 'x' AS tag FROM range(10, 15)", "z.parquet", {{"mode", "append"}});
  EXPECT_EQ(
      query_value(con, "SELECT count(*) || ' ' || sum(id) || ' ' || count(tag) FROM " + lit("z.parquet")),
      "15 105 5");

  const std::string rows = "SELECT range AS id, ['EU','US','APAC'][range % 3 + 1] AS region FROM range(30)";
  export_parquet(rows, "p", {{"partition_by", {"region"}}});
  auto count = [&] {
    return query_value(con, "SELECT count(*) FROM read_parquet(" + lit("p/**/*.parquet") + ")");
  };
  EXPECT_EQ(count(), "30");
  // overwrite_or_ignore: EU is replaced, US and APAC are kept.
  export_parquet("SELECT 100 AS id, 'EU' AS region", "p",
                 {{"partition_by", "region"}, {"overwrite_or_ignore", true}});
  EXPECT_EQ(count(), "21");
  EXPECT_EQ(dir_names(dir / "p" / "region=EU"), std::vector<std::string>{"data_0.parquet"});
  // append: new files beside the old ones; overwrite: the folder is replaced as a whole.
  export_parquet(rows, "p", {{"partition_by", "region"}, {"mode", "append"}});
  EXPECT_EQ(count(), "51");
  EXPECT_EQ(dir_names(dir / "p" / "region=US").size(), 2u);
  export_parquet("SELECT 1 AS id, 'MARS' AS region", "p", {{"partition_by", "region"}});
  EXPECT_EQ(dir_names(dir / "p"), std::vector<std::string>{"region=MARS"});
  EXPECT_EQ(dir_names(dir.path()), (std::vector<std::string>{"o.parquet", "p", "z.parquet"}));
  EXPECT_NE(error_of([&] {
              export_parquet(rows, "q.parquet", {{"compression", "lzma"}});
            }).find("lzma"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              export_parquet(rows, "q.parquet", {{"overwrite_or_ignore", true}});
            }).find("partition"),
            std::string::npos);
}

TEST_F(Parquet, SigkillDuringAPartitionedExportLeavesThePreviousFolder) {
  export_parquet("SELECT range AS id, range % 2 AS k FROM range(10)", "out", {{"partition_by", "k"}});
  const std::string before = read_file(dir / "out" / "k=0" / "data_0.parquet");
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      engine::Database cdb;
      engine::Connection ccon(cdb);
      export_query(ccon, "parquet",
                   "SELECT range AS id, range % 4 AS k, md5(range::VARCHAR) AS a FROM range(100000000)",
                   "out", {{"partition_by", "k"}, {"compression", "uncompressed"}}, dir.path());
    } catch (...) {
      _exit(2);
    }
    _exit(0);
  }
  // Kill once the child's temporary folder holds a few MB.
  bool writing = false;
  for (int i = 0; i < 3000 && !writing; ++i) {
    for (const auto& name : dir_names(dir.path())) {
      if (name.rfind(".out.sqlflow-tmp-" + std::to_string(child), 0) != 0) continue;
      uintmax_t bytes = 0;
      std::error_code ec;
      for (fs::recursive_directory_iterator it(dir / name, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec)) bytes += it->file_size(ec);
      writing = bytes > (4 << 20);
    }
    if (!writing) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(writing) << "the child never started writing";
  ASSERT_TRUE(WIFSIGNALED(status)) << "the export finished before the kill";
  EXPECT_EQ(dir_names(dir / "out"), (std::vector<std::string>{"k=0", "k=1"}));
  EXPECT_EQ(read_file(dir / "out" / "k=0" / "data_0.parquet"), before);
  EXPECT_EQ(dir_names(dir.path()).size(), 2u);  // out + the killed run's temporary folder
  export_parquet("SELECT 7 AS id, 0 AS k", "out", {{"partition_by", "k"}});
  EXPECT_EQ(dir_names(dir.path()), std::vector<std::string>{"out"});
  EXPECT_EQ(query_value(con, "SELECT sum(id) FROM read_parquet(" + lit("out/**/*.parquet") + ")"), "7");
}

TEST_F(Parquet, MissingInputsAreErrorsNamingThePath) {
  auto err = error_of([&] {
    make_file_source("parquet", {{"path", "no/such.parquet"}}, dir.path())->view_sql();
  });
  EXPECT_NE(err.find("file not found: 'no/such.parquet'"), std::string::npos) << err;
  fs::create_directories(dir / "empty");
  err = error_of([&] { make_file_source("parquet", {{"path", "empty"}}, dir.path())->view_sql(); });
  EXPECT_NE(err.find("'empty'"), std::string::npos) << err;
  write_file(dir / "bad.parquet", "not parquet at all");
  err = error_of([&] { make_file_source("parquet", {{"path", "bad.parquet"}}, dir.path())->view_sql(); });
  EXPECT_NE(err.find("bad.parquet"), std::string::npos) << err;
}

// The options structs hold the defaults `connect describe` shows, and validate() checks a struct
// without parsing anything.
TEST(ParquetOptions, DescribedDefaultsAreTheStructsAndValidateStandsAlone) {
  using connectors::parquet::ParquetExportOptions;
  const auto& info = connectors::Registry::instance().get("parquet", connectors::Role::Source);
  auto default_of = [](const std::vector<connectors::ParamSpec>& specs, const std::string& name) {
    for (const auto& s : specs)
      if (s.name == name) return s.default_value;
    return json();
  };
  EXPECT_EQ(default_of(info.source_params, "verify_checksums"),
            connectors::parquet::ParquetSourceOptions{}.verify_checksums);
  const ParquetExportOptions out{};
  EXPECT_EQ(default_of(info.destination_params, "compression"), out.compression);
  EXPECT_EQ(default_of(info.destination_params, "overwrite_or_ignore"), out.overwrite_or_ignore);

  EXPECT_NO_THROW(out.validate());
  ParquetExportOptions keep = out;
  keep.overwrite_or_ignore = true;
  EXPECT_NE(
      error_of([&] { keep.validate(); }).find("overwrite_or_ignore applies to partitioned exports only"),
      std::string::npos);
  keep.partitioned = true;
  EXPECT_NO_THROW(keep.validate());
  ParquetExportOptions rows = out;
  rows.row_group_size = 0;
  EXPECT_NE(error_of([&] { rows.validate(); }).find("`row_group_size` must be > 0"), std::string::npos);
}

}  // namespace
