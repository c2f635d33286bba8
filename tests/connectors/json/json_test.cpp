// JSON source and export through the registry and a real DuckDB: lines and arrays, nested records
// (json_path), flattening, globs with differing keys, type round trips, append, path errors.
#include <gtest/gtest.h>

#include "connectors/csv/file_test_util.hpp"
#include "connectors/json/destination.hpp"
#include "connectors/json/source.hpp"
#include "connectors/registry.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using namespace sqlflow::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

class Json : public ::testing::Test {
 protected:
  TempDir dir{"json"};
  engine::Database db;
  engine::Connection con{db};

  void SetUp() override { con.execute("SET TimeZone = 'UTC'"); }
  std::unique_ptr<connectors::Source> source(json params) {
    return make_file_source("json", params, dir.path());
  }
  std::unique_ptr<connectors::Source> view(const std::string& name, json params) {
    auto s = source(std::move(params));
    create_source_view(con, name, *s);
    return s;
  }
  size_t export_json(const std::string& select, const std::string& uri, json options = json::object()) {
    return export_query(con, "json", select, uri, options, dir.path());
  }
};

TEST_F(Json, LinesArraysAndNestedObjectsAsStructs) {
  write_file(dir / "a.jsonl",
             "{\"id\": 1, \"user\": {\"name\": \"x\", \"geo\": {\"cc\": \"DE\"}}}\n"
             "{\"id\": 2, \"user\": {\"name\": \"y\", \"geo\": {\"cc\": \"FR\"}}}\n");
  write_file(dir / "b.json", "[{\"id\": 3, \"ok\": true}, {\"id\": 4, \"ok\": false}]");
  view("lines", {{"path", "a.jsonl"}, {"format", "newline_delimited"}});
  EXPECT_EQ(query_value(con, "SELECT typeof(\"user\") FROM lines LIMIT 1"),
            "STRUCT(\"name\" VARCHAR, geo STRUCT(cc VARCHAR))");
  EXPECT_EQ(query_value(con, "SELECT string_agg(\"user\".geo.cc, ',' ORDER BY id) FROM lines"), "DE,FR");
  view("arr", {{"path", "b.json"}, {"format", "array"}});
  EXPECT_EQ(query_rows(con, "SELECT id, ok FROM arr ORDER BY id"),
            (std::vector<std::string>{"3|true", "4|false"}));
  view("detected", {{"path", "b.json"}});
  EXPECT_EQ(query_value(con, "SELECT count(*) FROM detected"), "2");
}

TEST_F(Json, FlattenMakesUnderscoreColumns) {
  write_file(dir / "a.jsonl",
             "{\"id\": 1, \"user\": {\"name\": \"x\", \"geo\": {\"cc\": \"DE\"}}, \"tags\": [1]}\n");
  auto s = view("flat", {{"path", "a.jsonl"}, {"flatten", true}});
  EXPECT_EQ(query_value(con, "SELECT string_agg(column_name, ',') FROM (DESCRIBE flat)"),
            "id,user_name,user_geo_cc,tags");
  EXPECT_EQ(query_rows(con, "SELECT user_name, user_geo_cc, tags FROM flat"),
            std::vector<std::string>{"x|DE|[1]"});
  EXPECT_EQ(s->schema().size(), 4u);
  write_file(dir / "clash.jsonl", "{\"a_b\": 1, \"a\": {\"b\": 2}}\n");
  auto err = error_of([&] { source({{"path", "clash.jsonl"}, {"flatten", true}})->view_sql(); });
  EXPECT_NE(err.find("two columns would be named 'a_b'"), std::string::npos) << err;
}

TEST_F(Json, JsonPathReadsANestedArrayOfRecords) {
  write_file(dir / "api.json",
             "{\"meta\": {\"page\": 1}, \"data\": {\"items\": [{\"id\": 1, \"attrs\": {\"color\": \"red\"}}, "
             "{\"id\": 2, \"attrs\": {\"color\": \"blue\"}}]}}");
  view("items", {{"path", "api.json"}, {"json_path", "$.data.items[*]"}});
  EXPECT_EQ(query_value(con, "SELECT string_agg(column_name, ',') FROM (DESCRIBE items)"), "id,attrs");
  EXPECT_EQ(query_value(con, "SELECT string_agg(attrs.color, ',' ORDER BY id) FROM items"), "red,blue");
  view("flat", {{"path", "api.json"},
                {"records_path", "data.items"},
                {"flatten", true},
                {"columns", {"attrs_color"}}});
  EXPECT_EQ(query_rows(con, "SELECT * FROM flat ORDER BY 1"), (std::vector<std::string>{"blue", "red"}));
  write_file(dir / "scalars.json", "{\"data\": {\"ids\": [5, 6, 7]}}");
  view("ids", {{"path", "scalars.json"}, {"json_path", "data.ids"}});
  EXPECT_EQ(query_value(con, "SELECT sum(value) FROM ids"), "18");
  auto err = error_of([&] { source({{"path", "api.json"}, {"json_path", "meta.page"}})->view_sql(); });
  EXPECT_NE(err.find("not to an array of records"), std::string::npos) << err;
  EXPECT_EQ(connectors::json::parse_json_path("$.a.b[*]"), (std::vector<std::string>{"a", "b"}));
  EXPECT_NE(error_of([] { connectors::json::parse_json_path("a..b"); }).find("empty key"), std::string::npos);
}

TEST_F(Json, GlobsWithDifferingKeysAndDeclaredColumns) {
  write_file(dir / "e" / "1.jsonl", "{\"id\": 1, \"a\": \"x\"}\n");
  write_file(dir / "e" / "2.jsonl", "{\"id\": 2, \"b\": 2.5}\n");
  view("u", {{"path", "e/*.jsonl"}, {"union_by_name", true}});
  EXPECT_EQ(query_rows(con, "SELECT id, a, b FROM u ORDER BY id"),
            (std::vector<std::string>{"1|x|NULL", "2|NULL|2.5"}));
  view("typed", {{"path", "e/*.jsonl"}, {"columns", {{"id", "INTEGER"}, {"b", "DECIMAL(4,1)"}}}});
  EXPECT_EQ(
      query_value(con, "SELECT string_agg(column_name || ' ' || column_type, ', ') FROM (DESCRIBE typed)"),
      "b DECIMAL(4,1), id INTEGER");
  view("proj", {{"path", "e/*.jsonl"}, {"union_by_name", true}, {"columns", {"b"}}});
  EXPECT_EQ(query_value(con, "SELECT count(*) || ' ' || count(b) FROM proj"), "2 1");
}

TEST_F(Json, EveryTypeRoundTripsWithDeclaredColumnTypes) {
  con.execute(create_type_table_sql("src"));
  // DuckDB's JSON reader parses every number as a DOUBLE, so DECIMALs keep at most 15-17
  // significant digits, fewer at large scales (documented in `connect describe json`); the round trip
  // uses values that survive that.
  con.execute("UPDATE src SET dc2 = 999999999.999, dc3 = 0.5 WHERE id = 2");
  con.execute("UPDATE src SET dc3 = -0.000000000000000001 WHERE id = 1");
  export_json("SELECT * FROM src", "types.jsonl");
  json types = {{"id", "INTEGER"}};
  for (const auto& s : type_samples()) types[s.column] = s.type;
  view("back", {{"path", "types.jsonl"}, {"columns", types}});
  EXPECT_EQ(differing_columns(con, "src", "back"), std::vector<std::string>{});
}

TEST_F(Json, HighPrecisionDecimalsAreReadThroughADouble) {
  export_json(
      "SELECT 12345678901234567890.123456789012345678::DECIMAL(38,18) AS d, "
      "999999999999999.999::DECIMAL(18,3) AS e",
      "d.jsonl");
  EXPECT_EQ(read_file(dir / "d.jsonl"),
            "{\"d\":12345678901234567890.123456789012345678,\"e\":999999999999999.999}\n");
  view("d", {{"path", "d.jsonl"}, {"columns", {{"d", "DECIMAL(38,18)"}}}});
  EXPECT_EQ(query_value(con,
                        "SELECT d != 12345678901234567890.123456789012345678 AND "
                        "abs(d - 12345678901234567890.123456789012345678) < 10000 FROM d"),
            "true");
  // A value that no longer fits after rounding fails loudly, naming the file and line.
  view("e", {{"path", "d.jsonl"}, {"columns", {{"e", "DECIMAL(18,3)"}}}});
  auto err = error_of([&] { con.query("SELECT * FROM e"); });
  EXPECT_NE(err.find("d.jsonl\", in line 1"), std::string::npos) << err;
}

TEST_F(Json, ExportLinesArraysCompressionAndAppend) {
  export_json("SELECT * FROM (VALUES (1, 'a'), (2, NULL)) t(id, s)", "l.jsonl");
  EXPECT_EQ(read_file(dir / "l.jsonl"), "{\"id\":1,\"s\":\"a\"}\n{\"id\":2,\"s\":null}\n");
  export_json("SELECT 3 AS id, 'c' AS s", "l.jsonl", {{"mode", "append"}});
  EXPECT_EQ(read_file(dir / "l.jsonl"),
            "{\"id\":1,\"s\":\"a\"}\n{\"id\":2,\"s\":null}\n{\"id\":3,\"s\":\"c\"}\n");
  export_json("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) t(id, s)", "a.json", {{"format", "array"}});
  view("arr", {{"path", "a.json"}, {"format", "array"}});
  EXPECT_EQ(query_value(con, "SELECT count(*) FROM arr"), "2");
  export_json("SELECT 3 AS id, 'c' AS s", "a.json", {{"format", "array"}, {"mode", "append"}});
  view("arr2", {{"path", "a.json"}, {"format", "array"}});
  EXPECT_EQ(query_value(con, "SELECT string_agg(s, ',' ORDER BY id) FROM arr2"), "a,b,c");
  export_json("SELECT range AS id FROM range(100)", "z.jsonl.gz");
  export_json("SELECT range AS id FROM range(100, 110)", "z.jsonl.gz", {{"mode", "append"}});
  EXPECT_EQ(read_file(dir / "z.jsonl.gz").substr(0, 2), "\x1f\x8b");
  view("z", {{"path", "z.jsonl.gz"}});
  EXPECT_EQ(query_value(con, "SELECT count(*) || ' ' || sum(id) FROM z"), "110 5995");
  EXPECT_EQ(dir_names(dir.path()), (std::vector<std::string>{"a.json", "l.jsonl", "z.jsonl.gz"}));
  EXPECT_NE(error_of([&] {
              export_json("SELECT 1 AS id", "x.json", {{"format", "xml"}});
            }).find("unknown format 'xml'"),
            std::string::npos);
}

TEST_F(Json, PathErrorsNameThePath) {
  auto err = error_of([&] { source({{"path", "missing/*.json"}})->view_sql(); });
  EXPECT_NE(err.find("no file matches 'missing/*.json'"), std::string::npos) << err;
  write_file(dir / "broken.json", "{\"id\": 1,,}");
  err = error_of([&] { source({{"path", "broken.json"}})->view_sql(); });
  EXPECT_NE(err.find("broken.json"), std::string::npos) << err;
  fs::create_directories(dir / "out.json");
  err = error_of([&] { export_json("SELECT 1 AS id", "out.json"); });
  EXPECT_NE(err.find("out.json' is a folder"), std::string::npos) << err;
}

// The options structs hold the defaults `connect describe` shows, and validate() checks a struct
// without parsing anything.
TEST(JsonOptions, DescribedDefaultsAreTheStructsAndValidateStandsAlone) {
  using connectors::json::JsonExportOptions;
  using connectors::json::JsonSourceOptions;
  const auto& info = connectors::Registry::instance().get("json", connectors::Role::Source);
  auto default_of = [](const std::vector<connectors::ParamSpec>& specs, const std::string& name) {
    for (const auto& s : specs)
      if (s.name == name) return s.default_value;
    return json();
  };
  const JsonSourceOptions source{};
  EXPECT_EQ(default_of(info.source_params, "format"), source.format);
  EXPECT_EQ(default_of(info.source_params, "flatten"), source.flatten);
  EXPECT_EQ(default_of(info.source_params, "max_depth"), source.max_depth);
  EXPECT_EQ(default_of(info.destination_params, "format"), JsonExportOptions{}.format);

  EXPECT_NO_THROW(source.validate());
  JsonSourceOptions deep = source;
  deep.max_depth = 0;
  EXPECT_NE(error_of([&] { deep.validate(); }).find("`max_depth` must be 1 to 128, got 0"),
            std::string::npos);
  JsonExportOptions csv;
  csv.format = "csv";
  EXPECT_NE(error_of([&] { csv.validate(); }).find("unknown format 'csv'"), std::string::npos);
}

}  // namespace
