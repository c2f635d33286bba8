// Every supported PostgreSQL type, with nasty values, goes PG → DuckDB → PG exactly: checked by a
// checksum per column between the original table and the one written back.
#include "pg_test_util.hpp"

using namespace sqlflow;
using namespace pgtest;

namespace {

const char* kColumns[] = {"i2", "i4", "i8", "f4",  "f8", "n38", "n10", "nun",  "b",  "t",   "vc", "ch",
                          "nm", "ci", "by", "d",   "tm", "ttz", "ts",  "tstz", "iv", "u",   "j",  "jb",
                          "ip", "cd", "e",  "dom", "ai", "at",  "an",  "ats",  "ae", "i8n", "o"};

class TypesRoundTrip : public PgTest {
 protected:
  void create_all_types(const std::string& table) {
    // citext is an extension; create it once per database (several test processes may race).
    try {
      admin->exec("CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public");
    } catch (const std::exception&) {
      ASSERT_EQ(admin->value("SELECT count(*) FROM pg_extension WHERE extname = 'citext'"), "1");
    }
    admin->exec("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'it''s \"complicated\"')");
    admin->exec("CREATE DOMAIN posint AS integer CHECK (VALUE > 0)");
    admin->exec("CREATE TABLE " + q(table) + R"( (
      id int PRIMARY KEY, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8,
      n38 numeric(38,18), n10 numeric(10,2), nun numeric, b bool, t text, vc varchar(20), ch char(5), nm name,
      ci public.citext, by bytea, d date, tm time, ttz timetz, ts timestamp, tstz timestamptz, iv interval, u uuid,
      j json, jb jsonb, ip inet, cd cidr, e mood, dom posint, ai int[], at text[], an numeric(10,2)[],
      ats timestamp[], ae mood[], i8n numeric(5,-2), o oid))");
    admin->exec("INSERT INTO " + q(table) + R"( VALUES
      (1, 1, 2, 3, 1.5, 2.25, 12345.678901234567890123, 12.34, 3.14159265358979323846264338327950288419716939937510,
       true, 'plain', 'vc', 'ab', 'nm', 'MiXeD', '\x0001ff', '2024-02-29', '12:34:56.789', '01:02:03+05:30',
       '2024-01-01 10:00:00.123456', '2024-06-30 23:59:59.999999+00', '1 year 2 mons 3 days 04:05:06.7',
       'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"k": 1}', '{"k": [1, 2, {"x": null}]}', '192.168.0.1/24',
       '10.1.0.0/16', 'ok', 7, '{1,2,3}', '{a,b}', '{1.10,2.20}', '{"2020-01-01 00:00:00"}', '{sad,happy}', 1234500, 42),
      (2, -32768, 2147483647, -9223372036854775808, 'NaN', '-Infinity',
       -12345678901234567890.123456789012345678, -99999999.99, 'NaN', false,
       E'quote'' "dq" back\\slash\nnewline\ttab \U0001F600 end', '', 'x', 'name"q', E'\u00e9t\u00e9',
       '\x', 'infinity', '24:00:00', '23:59:59.999999-15:59', 'infinity', '-infinity', '-178000000 years',
       '00000000-0000-0000-0000-000000000000', '{"a": [1, "x\"y"], "b": "\u00e9"}', '{"nested": {"deep": [true, false]}}',
       '::1/128', '2001:db8::/32', 'it''s "complicated"', 2147483647, '{1,NULL,3}', '{"a,b","",NULL,"😀", "q\"uote"}',
       '{1.10,NULL}', '{infinity,"0001-01-01 00:00:00 BC"}', '{}', -9999900, 4294967295),
      (3, 32767, -2147483648, 9223372036854775807, 'Infinity', 'NaN', 0.000000000000000001, 0.01,
       '123456789012345678901234567890.123456789012345678901234567890', true, '', ' lead and trail ', 'abcde',
       '', '', '\xdeadbeef', '0001-01-01 BC', '00:00:00', '00:00:00+15:59', '4713-01-01 00:00:00 BC',
       '0044-03-15 12:00:00+00 BC', '-1 days -00:00:00.000001', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '[]', '{}',
       '0.0.0.0/0', '0.0.0.0/0', 'sad', 1, '{}', '{}', '{}', '{}', '{ok}', 0, 0),
      (4, 0, 0, 0, '-0', '1e-300', 99999999999999999999.999999999999999999, 0, 'Infinity', NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, '5874897-12-31', NULL, NULL, '294246-12-31 23:59:59.999999', '1999-12-31 23:59:59+00',
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '-Infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       '-infinity', NULL, NULL, '-infinity', 'infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       '{NULL}', '{NULL}', '{NULL}', '{NULL}', NULL, NULL, NULL),
      (6, NULL, NULL, NULL, NULL, NULL, -0.000000000000000001, NULL, '-0.000', NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, '2000-01-01', NULL, NULL, '2000-01-01 00:00:00', '1970-01-01 00:00:00+00', '0', NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL))");
  }

  // `nun numeric` holds NaN, ±Infinity and 60-digit values: only numeric_mode varchar keeps them
  // (the default decimal(38,9) fails the load on them, as NumericDefault* below shows).
  nlohmann::json exact_params() { return source_params("src", {{"numeric_mode", "varchar"}}); }

  std::string checksum(const std::string& table, const std::string& column) {
    return admin->value("SELECT md5(string_agg(coalesce(" + quote_identifier(column) +
                        "::text, '<NULL>'), '|' ORDER BY id)) FROM " + q(table));
  }
};

TEST_F(TypesRoundTrip, EveryTypeRoundTripsIntoTheSameTableDefinition) {
  create_all_types("src");
  admin->exec("CREATE TABLE " + q("back") + " (LIKE " + q("src") + ")");
  Duck duck;
  std::shared_ptr<connectors::Source> source = make_source(exact_params());
  duck.load("t", source);
  EXPECT_EQ(test::query_value(duck.con, "SELECT count(*) FROM t"), "6");

  auto dest = make_destination(schema + ".back", dest_params());
  duck.export_to("SELECT * FROM t ORDER BY id", *dest, connectors::WriteMode::Append);

  EXPECT_EQ(admin->value("SELECT count(*) FROM " + q("back")), "6");
  EXPECT_EQ(checksum("src", "id"), checksum("back", "id"));
  for (const char* column : kColumns)
    EXPECT_EQ(checksum("src", column), checksum("back", column)) << "column " << column;
}

TEST_F(TypesRoundTrip, DuckDBTypesAndValuesAreTheExpectedOnes) {
  create_all_types("src");
  Duck duck;
  duck.load("t", make_source(exact_params()));
  auto types = test::query_rows(duck.con,
                                "SELECT column_name, data_type FROM information_schema.columns "
                                "WHERE table_name = 't' ORDER BY ordinal_position");
  std::vector<std::string> expected = {"id|INTEGER",
                                       "i2|SMALLINT",
                                       "i4|INTEGER",
                                       "i8|BIGINT",
                                       "f4|FLOAT",
                                       "f8|DOUBLE",
                                       "n38|DECIMAL(38,18)",
                                       "n10|DECIMAL(10,2)",
                                       "nun|VARCHAR",
                                       "b|BOOLEAN",
                                       "t|VARCHAR",
                                       "vc|VARCHAR",
                                       "ch|VARCHAR",
                                       "nm|VARCHAR",
                                       "ci|VARCHAR",
                                       "by|BLOB",
                                       "d|DATE",
                                       "tm|TIME",
                                       "ttz|TIME WITH TIME ZONE",
                                       "ts|TIMESTAMP",
                                       "tstz|TIMESTAMP WITH TIME ZONE",
                                       "iv|INTERVAL",
                                       "u|UUID",
                                       "j|VARCHAR",
                                       "jb|VARCHAR",
                                       "ip|VARCHAR",
                                       "cd|VARCHAR",
                                       "e|VARCHAR",
                                       "dom|INTEGER",
                                       "ai|INTEGER[]",
                                       "at|VARCHAR[]",
                                       "an|DECIMAL(10,2)[]",
                                       "ats|TIMESTAMP[]",
                                       "ae|VARCHAR[]",
                                       "i8n|DECIMAL(7,0)",
                                       "o|BIGINT"};
  EXPECT_EQ(types, expected);
  // Values as DuckDB itself sees them.
  EXPECT_EQ(test::query_value(duck.con, "SELECT n38::VARCHAR FROM t WHERE id = 2"),
            "-12345678901234567890.123456789012345678");
  EXPECT_EQ(test::query_value(duck.con, "SELECT nun FROM t WHERE id = 3"),
            "123456789012345678901234567890.123456789012345678901234567890");
  EXPECT_EQ(test::query_value(duck.con, "SELECT nun FROM t WHERE id = 2"), "NaN");
  EXPECT_EQ(test::query_value(duck.con, "SELECT nun FROM t WHERE id = 6"), "0.000");
  EXPECT_EQ(test::query_value(duck.con, "SELECT isnan(f4) AND isinf(f8) AND f8 < 0 FROM t WHERE id = 2"),
            "true");
  EXPECT_EQ(test::query_value(duck.con, "SELECT t FROM t WHERE id = 2"),
            "quote' \"dq\" back\\slash\nnewline\ttab \xF0\x9F\x98\x80 end");
  EXPECT_EQ(test::query_value(duck.con, "SELECT t = '' AND vc IS NOT NULL FROM t WHERE id = 3"), "true");
  EXPECT_EQ(test::query_value(duck.con, "SELECT t IS NULL FROM t WHERE id = 4"), "true");
  EXPECT_EQ(test::query_value(duck.con, "SELECT d::VARCHAR FROM t WHERE id = 3"), "0001-01-01 (BC)");
  EXPECT_EQ(test::query_value(duck.con, "SELECT d::VARCHAR FROM t WHERE id = 2"), "infinity");
  EXPECT_EQ(test::query_value(duck.con, "SELECT ts::VARCHAR FROM t WHERE id = 1"),
            "2024-01-01 10:00:00.123456");
  EXPECT_EQ(test::query_value(duck.con, "SELECT epoch_us(tstz) FROM t WHERE id = 6"), "0");
  EXPECT_EQ(test::query_value(duck.con, "SELECT ts = '-infinity'::TIMESTAMP FROM t WHERE id = 5"), "true");
  EXPECT_EQ(test::query_value(duck.con, "SELECT iv::VARCHAR FROM t WHERE id = 1"),
            "1 year 2 months 3 days 04:05:06.7");
  EXPECT_EQ(test::query_value(duck.con, "SELECT u::VARCHAR FROM t WHERE id = 1"),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  EXPECT_EQ(test::query_value(duck.con, "SELECT jb FROM t WHERE id = 1"), "{\"k\": [1, 2, {\"x\": null}]}");
  EXPECT_EQ(test::query_value(duck.con, "SELECT ip || ' ' || cd || ' ' || e FROM t WHERE id = 2"),
            "::1/128 2001:db8::/32 it's \"complicated\"");
  EXPECT_EQ(test::query_value(duck.con, "SELECT ai::VARCHAR FROM t WHERE id = 2"), "[1, NULL, 3]");
  EXPECT_EQ(test::query_value(duck.con, "SELECT len(ai) FROM t WHERE id = 3"), "0");
  EXPECT_EQ(test::query_value(duck.con, "SELECT \"at\"[4] FROM t WHERE id = 2"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(test::query_value(duck.con, "SELECT hex(\"by\") FROM t WHERE id = 3"), "DEADBEEF");
  EXPECT_EQ(test::query_value(duck.con, "SELECT \"by\" = ''::BLOB FROM t WHERE id = 2"), "true");
  EXPECT_EQ(test::query_value(duck.con, "SELECT o FROM t WHERE id = 2"), "4294967295");
  EXPECT_EQ(test::query_value(duck.con, "SELECT i8n FROM t WHERE id = 2"), "-9999900");
}

TEST_F(TypesRoundTrip, NewTableFromTheResultSchemaKeepsEveryValue) {
  create_all_types("src");
  Duck duck;
  duck.load("t", make_source(exact_params()));
  auto dest = make_destination(schema + ".created", dest_params());
  duck.export_to("SELECT * FROM t ORDER BY id", *dest, connectors::WriteMode::Replace);
  // The created table uses the mapped types (text for enums, inet, …), so compare text forms;
  // char(n) pads, so compare it padded.
  for (const char* column : kColumns) {
    std::string c = quote_identifier(column);
    std::string expr = std::string(column) == "ch" ? c + "::char(5)::text" : c + "::text";
    auto sum = [&](const std::string& table) {
      return admin->value("SELECT md5(string_agg(coalesce(" + expr + ", '<NULL>'), '|' ORDER BY id)) FROM " +
                          q(table));
    };
    EXPECT_EQ(sum("src"), sum("created")) << "column " << column;
  }
  EXPECT_EQ(admin->value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '" +
                         q("created") + "'::regclass AND attname = 'n38'"),
            "numeric(38,18)");
}

TEST_F(TypesRoundTrip, ValuesOutsideDuckDBsRangeFailNamingTheColumn) {
  admin->exec("CREATE TABLE " + q("far") + " (id int, ts timestamp)");
  admin->exec("INSERT INTO " + q("far") + " VALUES (1, '294276-12-31 23:59:59')");
  Duck duck;
  try {
    duck.load("t", make_source(source_params("far")));
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("\"ts\""), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("range"), std::string::npos) << e.what();
  }
}

TEST_F(TypesRoundTrip, NumericModeDecidesUnconstrainedNumerics) {
  admin->exec("CREATE TABLE " + q("nums") + " (id int, n numeric)");
  admin->exec("INSERT INTO " + q("nums") + " VALUES (1, 1.25), (2, -3), (3, NULL)");
  {
    Duck duck;
    duck.load("t", make_source(source_params("nums", {{"numeric_mode", "decimal(10,2)"}})));
    EXPECT_EQ(test::query_rows(duck.con, "SELECT n::VARCHAR FROM t ORDER BY id"),
              (std::vector<std::string>{"1.25", "-3.00", "NULL"}));
  }
  {
    Duck duck;
    duck.load("t", make_source(source_params("nums", {{"numeric_mode", "double"}})));
    EXPECT_EQ(test::query_value(duck.con, "SELECT typeof(n) FROM t LIMIT 1"), "DOUBLE");
    EXPECT_EQ(test::query_value(duck.con, "SELECT sum(n) FROM t"), "-1.75");
  }
  admin->exec("INSERT INTO " + q("nums") + " VALUES (4, 1.125)");
  Duck duck;
  try {
    duck.load("t", make_source(source_params("nums", {{"numeric_mode", "decimal(10,2)"}})));
    FAIL() << "1.125 must not be rounded silently";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("1.125"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("rounded"), std::string::npos) << e.what();
  }
  EXPECT_THROW(make_source(source_params("nums", {{"numeric_mode", "decimal(40,2)"}})), Error);
}

// The most common money column, `amount numeric` without a precision, loads as DECIMAL(38,9)
// by default, so SUM works and is exact.
TEST_F(TypesRoundTrip, NumericDefaultIsDecimal38_9AndSumsExactly) {
  admin->exec("CREATE TABLE " + q("pay") + " (id int, amount numeric, amounts numeric[])");
  admin->exec("INSERT INTO " + q("pay") +
              " VALUES (1, 10.50, '{1.5,2}'), (2, 0.123456789, NULL), (3, -3, '{}'), (4, NULL, NULL),"
              " (5, 12345678901234567890123456789, NULL), (6, 1.500000000000, NULL)");
  Duck duck;
  duck.load("t", make_source(source_params("pay")));
  EXPECT_EQ(test::query_value(duck.con, "SELECT typeof(amount) FROM t LIMIT 1"), "DECIMAL(38,9)");
  EXPECT_EQ(test::query_value(duck.con, "SELECT typeof(amounts) FROM t LIMIT 1"), "DECIMAL(38,9)[]");
  EXPECT_EQ(test::query_value(duck.con, "SELECT sum(amount)::VARCHAR FROM t WHERE id < 5"), "7.623456789");
  EXPECT_EQ(test::query_value(duck.con, "SELECT amount::VARCHAR FROM t WHERE id = 5"),
            "12345678901234567890123456789.000000000");
  EXPECT_EQ(test::query_value(duck.con, "SELECT amounts::VARCHAR FROM t WHERE id = 1"),
            "[1.500000000, 2.000000000]");
}

TEST_F(TypesRoundTrip, NumericDefaultRefusesValuesThatDoNotFitNamingColumnScaleAndSetting) {
  admin->exec("CREATE TABLE " + q("fine") + " (id int, amount numeric)");
  admin->exec("INSERT INTO " + q("fine") + " VALUES (1, 1.5), (2, 0.1234567891)");
  Duck duck;
  try {
    duck.load("t", make_source(source_params("fine")));
    FAIL() << "0.1234567891 must not be rounded silently";
  } catch (const Error& e) {
    const std::string m = e.message();
    EXPECT_NE(m.find("\"amount\""), std::string::npos) << m;
    EXPECT_NE(m.find("0.1234567891"), std::string::npos) << m;
    EXPECT_NE(m.find("scale 10"), std::string::npos) << m;
    EXPECT_NE(m.find("numeric_mode decimal(38,9)"), std::string::npos) << m;
    EXPECT_NE(e.hint().find("numeric_mode to \"decimal(38,10)\""), std::string::npos) << e.hint();
    EXPECT_NE(e.hint().find("varchar"), std::string::npos) << e.hint();
  }
  // The table was not created: the failed load left nothing behind.
  EXPECT_EQ(test::query_value(duck.con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 't'"), "0");

  admin->exec("CREATE TABLE " + q("huge") + " (id int, amount numeric)");
  admin->exec("INSERT INTO " + q("huge") + " VALUES (1, 123456789012345678901234567890)");  // 30 digits
  try {
    duck.load("t", make_source(source_params("huge")));
    FAIL() << "30 integer digits do not fit DECIMAL(38,9)";
  } catch (const Error& e) {
    const std::string m = e.message();
    EXPECT_NE(m.find("scale 0, 30 integer digits"), std::string::npos) << m;
    EXPECT_NE(m.find("at most 29 integer digits"), std::string::npos) << m;
    EXPECT_NE(m.find("numeric_mode decimal(38,9)"), std::string::npos) << m;
    EXPECT_NE(e.hint().find("\"decimal(38,8)\""), std::string::npos) << e.hint();
  }

  admin->exec("CREATE TABLE " + q("nan") + " (id int, amount numeric)");
  admin->exec("INSERT INTO " + q("nan") + " VALUES (1, 'NaN')");
  try {
    duck.load("t", make_source(source_params("nan")));
    FAIL() << "NaN has no DECIMAL";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("numeric_mode decimal(38,9)"), std::string::npos) << e.message();
    EXPECT_NE(e.hint().find("\"varchar\""), std::string::npos) << e.hint();
  }
  // numeric_mode varchar keeps every digit.
  duck.load("t", make_source(source_params("huge", {{"numeric_mode", "varchar"}})));
  EXPECT_EQ(test::query_value(duck.con, "SELECT amount FROM t"), "123456789012345678901234567890");
}

}  // namespace
