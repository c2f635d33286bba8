// REST helpers on their own: Link headers (RFC 8288), reference resolution (RFC 3986), ISO 8601
// timestamps, widening, options validation, and hostile JSON bodies.
#include <gtest/gtest.h>

#include "connectors/rest/json_records.hpp"
#include "connectors/rest/options.hpp"
#include "connectors/rest/pagination.hpp"
#include "connectors/rest/schema_inference.hpp"
#include "core/data_chunk.hpp"
#include "core/error.hpp"

using namespace sqlflow;
using namespace sqlflow::connectors::rest;

TEST(RestLinkHeader, FindsRelNext) {
  EXPECT_EQ(
      parse_link_next(
          R"(<https://api.github.com/repos/x/issues?page=2>; rel="next", <https://api.github.com/repos/x/issues?page=5>; rel="last")"),
      "https://api.github.com/repos/x/issues?page=2");
  // Shopify: page_info cursors, the previous link first.
  EXPECT_EQ(
      parse_link_next(
          R"(<https://s.myshopify.com/admin/api/2024-01/products.json?page_info=abc>; rel="previous", <https://s.myshopify.com/admin/api/2024-01/products.json?page_info=def>; rel="next")"),
      "https://s.myshopify.com/admin/api/2024-01/products.json?page_info=def");
  EXPECT_EQ(parse_link_next(R"(</p?a=1,2>; title="a, b"; rel="prefetch next")"), "/p?a=1,2");
  EXPECT_EQ(parse_link_next(R"(<x>; REL=NEXT)"), "x");
  EXPECT_EQ(parse_link_next(R"(<x>; rel="nextish", <y>; rel="last")"), std::nullopt);
  EXPECT_EQ(parse_link_next(""), std::nullopt);
  EXPECT_EQ(parse_link_next("garbage, <z"), std::nullopt);
}

TEST(RestUrls, ResolveAndQuery) {
  EXPECT_EQ(resolve_reference("http://h:1/a/b?x=1", "/c?page=2"), "http://h:1/c?page=2");
  EXPECT_EQ(resolve_reference("http://h:1/a/b?x=1", "d?page=2"), "http://h:1/a/d?page=2");
  EXPECT_EQ(resolve_reference("http://h:1/a/b", "https://other/x"), "https://other/x");
  EXPECT_EQ(with_query("http://h/p", {{"a b", "c&d"}, {"e", "é"}}), "http://h/p?a%20b=c%26d&e=%C3%A9");
  EXPECT_EQ(with_query("http://h/p?x=1#frag", {{"y", "2"}}), "http://h/p?x=1&y=2#frag");
}

TEST(RestTimestamps, Iso8601) {
  std::int64_t us = 0;
  ASSERT_TRUE(parse_iso_timestamp("2024-03-01T10:00:00Z", us));
  EXPECT_EQ(us, 1709287200LL * 1000000);
  ASSERT_TRUE(parse_iso_timestamp("2024-03-01T12:30:00.5+02:30", us));
  EXPECT_EQ(us, 1709287200LL * 1000000 + 500000);  // 12:30 at +02:30 is 10:00 UTC
  ASSERT_TRUE(parse_iso_timestamp("2024-03-01 10:00", us));
  ASSERT_TRUE(parse_iso_timestamp("1969-12-31T23:59:59.999999Z", us));
  EXPECT_EQ(us, -1);
  EXPECT_EQ(format_iso_timestamp(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_iso_timestamp(1709287200LL * 1000000), "2024-03-01T10:00:00Z");
  for (const char* bad : {"2024-03-01", "2024-02-30T00:00:00Z", "2024-03-01T25:00:00Z",
                          "2024-03-01T10:00:00Zx", "2024-3-01T10:00:00", "hello", "2024-03-01T10:00:00+2"}) {
    EXPECT_FALSE(parse_iso_timestamp(bad, us)) << bad;
  }
  std::int32_t days = 0;
  ASSERT_TRUE(parse_iso_date("2024-02-29", days));
  EXPECT_EQ(days, 19782);
  EXPECT_FALSE(parse_iso_date("2023-02-29", days));
}

TEST(RestSchema, WideningAndDeclaredTypes) {
  EXPECT_EQ(widen(ValueKind::Int, ValueKind::Double), ValueKind::Double);
  EXPECT_EQ(widen(ValueKind::Double, ValueKind::String), ValueKind::String);
  EXPECT_EQ(widen(ValueKind::Null, ValueKind::Bool), ValueKind::Bool);
  EXPECT_EQ(widen(ValueKind::Timestamp, ValueKind::String), ValueKind::String);
  EXPECT_EQ(widen(ValueKind::Bool, ValueKind::Int), ValueKind::String);
  SchemaBuilder b;
  b.observe("ID", ValueKind::Int);
  b.observe("id", ValueKind::String);
  b.observe("n", ValueKind::Null);
  auto cols = b.finish({{"n", "bigint"}, {"later", "timestamp"}});
  ASSERT_EQ(cols.size(), 4u);
  EXPECT_EQ(cols[0].name, "ID");
  EXPECT_EQ(cols[1].name, "id_2");  // DuckDB's names are case-insensitive
  EXPECT_EQ(cols[2].as, WriteAs::Int64);
  EXPECT_TRUE(cols[2].declared);
  EXPECT_EQ(cols[3].name, "later");
  EXPECT_THROW(parse_declared_type("x", "GEOMETRY"), Error);
}

TEST(RestOptions, Validation) {
  auto err = [](nlohmann::json p) {
    try {
      RestOptions::from_params(p);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(err({{"url", "ftp://x"}}).find("http://"), std::string::npos);
  EXPECT_NE(err({{"url", "http://x"}, {"pagination", {{"type", "cursr"}}}}).find("did you mean 'cursor'"),
            std::string::npos);
  EXPECT_NE(err({{"url", "http://x"}, {"pagination", {{"type", "cursor"}}}}).find("cursor_path"),
            std::string::npos);
  EXPECT_NE(err({{"url", "http://x"}, {"pagination", {{"page_sise", 5}}}}).find("did you mean 'page_size'"),
            std::string::npos);
  EXPECT_NE(err({{"url", "http://x"}, {"auth", {{"type", "bearer"}}}}).find("auth.token"), std::string::npos);
  EXPECT_NE(err({{"url", "http://x"}, {"params", "not json"}}).find("'params' must be an object"),
            std::string::npos);
  EXPECT_NE(err({{"url", "http://x"}, {"body", "{}"}}).find("POST"), std::string::npos);
  EXPECT_NE(err({{"url", "http://x"}, {"data_path", "a..b"}}).find("empty component"), std::string::npos);
  // SQLFlow's pagination.cursor_param (without a type) is the incremental parameter.
  auto o = RestOptions::from_params(
      {{"url", "http://x"}, {"pagination", {{"page_size", 10}, {"cursor_param", "since"}}}});
  EXPECT_EQ(o.pagination.type, PaginationOptions::Type::PageNumber);
  EXPECT_EQ(o.cursor_param, "since");
  EXPECT_EQ(to_json_pointer("$.data.items"), "/data/items");
  EXPECT_EQ(to_json_pointer("a/b.c~d"), "/a~1b/c~0d");
}

namespace {
std::string meta_error(const std::string& body, const std::string& data_path = "") {
  RecordsSpec spec;
  spec.data_path = data_path;
  spec.data_pointer = to_json_pointer(data_path);
  PageBody page(body);
  try {
    read_page_meta(page, spec, {}, {"http://h/x", 3, false});
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

// Samples and decodes a whole body as the source does; returns the error text or the rows.
std::string decode_all(const std::string& body) {
  RecordsSpec spec;
  PageBody page(body);
  PageContext ctx{"http://h/x", 3, false};
  try {
    read_page_meta(page, spec, {}, ctx);
    SchemaBuilder b;
    sample_records(page, spec, 1000, b, ctx);
    auto cols = b.finish({});
    std::vector<LogicalType> types;
    std::vector<size_t> projection;
    for (size_t i = 0; i < cols.size(); ++i) {
      types.push_back(logical_type(cols[i].as));
      projection.push_back(i);
    }
    DataChunk chunk(types);
    RecordDecoder d(cols, spec, projection, {});
    d.start(std::make_shared<const PageBody>(body), ctx);
    size_t n = d.decode(chunk, 0);
    std::string out;
    for (size_t r = 0; r < n; ++r)
      for (size_t c = 0; c < cols.size(); ++c)
        out += chunk.column(c).to_string(r, types[c]) + (c + 1 < cols.size() ? "|" : ";");
    return out;
  } catch (const Error& e) {
    return e.what();
  }
}

TEST(RestJson, HostileBodies) {
  EXPECT_EQ(meta_error("[1,2,3]"), "");
  EXPECT_EQ(meta_error("  {\"a\":[]}  ", "a"), "");
  for (const char* bad :
       {"", "[", "[{\"a\":1},", "[{\"a\":1}]]", "[1] x", "{\"a\":[1,2}", "\"str", "[1,,2]"}) {
    std::string err = meta_error(bad);
    EXPECT_NE(err.find("page 3 (http://h/x) is not valid JSON"), std::string::npos) << bad << " → " << err;
  }
  // Errors inside values show when the values are read.
  for (const char* bad : {"[{\"a\" 1}]", "[{\"a\":\"\\x\"}]", "[{\"a\":tru}]", "[{\"a\":1},{\"a\":-}]"}) {
    std::string err = decode_all(bad);
    EXPECT_NE(err.find("page 3 (http://h/x)"), std::string::npos) << bad << " → " << err;
  }
  EXPECT_NE(meta_error("{\"a\":1}", "a").find("is not an array"), std::string::npos);
  EXPECT_NE(meta_error("42").find("neither a JSON array nor an object"), std::string::npos);
  EXPECT_NE(meta_error("nul").find("page 3"), std::string::npos);
  EXPECT_EQ(decode_all(R"([{"a":1,"b":{"c":"x"}},{"a":2.5},{"b":{"c":null,"d":true}}])"),
            "1.0|x|NULL;2.5|NULL|NULL;NULL|NULL|true;");
  // Key order changes between records, same names under different parents, escaped keys.
  EXPECT_EQ(decode_all(R"([{"a":{"x":1},"b":{"x":2}},{"b":{"x":3},"a":{"x":4}},{"a":{"x":5},"b":{"x":6}}])"),
            "1|2;4|3;5|6;");
  // y is an object or null: only y_z (its nulls are y_z's); z is a column of its own.
  EXPECT_EQ(decode_all(R"([{"x":1,"y":{"z":7}},{"x":2,"y":null,"z":9},{"y":{"z":8},"x":3}])"),
            "1|7|NULL;2|NULL|9;3|8|NULL;");
  EXPECT_EQ(decode_all(R"([{"k\"q":1,"\u0041":"a"},{"k\"q":2,"A":"b"}])"), "1|a;2|b;");
  // Deeply nested objects and arrays: no stack overflow, flattening stops at a depth.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "{\"a\":";
  deep += "1";
  deep += std::string(100000, '}');
  std::string deep_rows = decode_all("[" + deep + "]");
  EXPECT_TRUE(deep_rows.empty() || deep_rows.find("JSON") != std::string::npos ||
              deep_rows.find(';') != std::string::npos);
  std::string arrays = "[{\"x\":" + std::string(5000, '[') + std::string(5000, ']') + "}]";
  EXPECT_FALSE(decode_all(arrays).empty());
}
