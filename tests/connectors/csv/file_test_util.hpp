// Drives the file connectors the way the pipeline executor does (registry → source view → LOAD in
// a transaction → after_read; destination open → copy_statement → commit/abort), for the CSV,
// Parquet and JSON connector tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "connectors/registry.hpp"
#include "core/quote.hpp"
#include "engine/connection.hpp"
#include "engine/transaction.hpp"

namespace sqlflow::test {

inline std::unique_ptr<connectors::Source> make_file_source(const std::string& type,
                                                            const nlohmann::json& params,
                                                            const std::filesystem::path& base_dir) {
  using namespace connectors;
  const auto& info = Registry::instance().get(type, Role::Source);
  auto errors = check_params(info, Role::Source, params);
  for (const auto& e : errors) ADD_FAILURE() << e.what();
  return info.make_source(normalize_params(info.source_params, params), ConnectorContext{base_dir});
}

inline std::unique_ptr<connectors::Destination> make_file_destination(const std::string& type,
                                                                      const std::string& uri,
                                                                      const nlohmann::json& options,
                                                                      const std::filesystem::path& base_dir) {
  using namespace connectors;
  const auto& info = Registry::instance().get(type, Role::Destination);
  auto errors = check_params(info, Role::Destination, options);
  for (const auto& e : errors) ADD_FAILURE() << e.what();
  return info.make_destination(uri, normalize_params(info.destination_params, options),
                               ConnectorContext{base_dir});
}

// Rows a CREATE TABLE AS / COPY statement reports (its "Count" column).
inline size_t run_counting(engine::Connection& con, const std::string& sql) {
  auto rows = con.query(sql).rows();
  return rows.empty() || rows[0].empty() ? 0 : std::stoull(rows[0][0]);
}

// CREATE OR REPLACE TEMP VIEW name AS <view_sql>.
inline void create_source_view(engine::Connection& con, const std::string& name, connectors::Source& source) {
  auto sql = source.view_sql();
  ASSERT_TRUE(sql.has_value());
  con.execute("CREATE OR REPLACE TEMP VIEW " + quote_identifier(name) + " AS " + *sql);
}

struct LoadResult {
  size_t rows = 0;
  size_t rejected = 0;
  std::vector<std::string> warnings;
};

// LOAD table FROM source (REPLACE), as the executor runs it: after a failure the source may
// change how it reads (adapt_after_failure), and the load runs again over its new view.
inline LoadResult load_source(engine::Connection& con, const std::string& table,
                              const std::string& source_name, connectors::Source& source) {
  for (int adaptations = 0;; ++adaptations) {
    try {
      LoadResult r;
      engine::Transaction tx(con);
      r.rows = run_counting(con, "CREATE OR REPLACE TABLE " + quote_identifier(table) + " AS SELECT * FROM " +
                                     quote_identifier(source_name));
      connectors::ReadReport report = source.after_read(con, source_name, table);
      r.rejected = report.rejected_rows;
      r.warnings = report.warnings;
      tx.commit();
      return r;
    } catch (const Error& e) {
      if (adaptations == 3 || !source.adapt_after_failure(e)) throw;
      con.execute("CREATE OR REPLACE TEMP VIEW " + quote_identifier(source_name) + " AS " +
                  *source.view_sql());
    }
  }
}

// EXPORT select TO uri TYPE type OPTIONS options, as the executor runs it. Returns rows written.
inline size_t export_query(engine::Connection& con, const std::string& type, const std::string& select,
                           const std::string& uri, const nlohmann::json& options,
                           const std::filesystem::path& base_dir,
                           connectors::WriteMode mode = connectors::WriteMode::Replace) {
  auto dest = make_file_destination(type, uri, options, base_dir);
  try {
    dest->open(con.query("SELECT * FROM (" + select + ") LIMIT 0").schema(), mode, {});
    auto sql = dest->copy_statement(select);
    if (!sql) throw std::runtime_error("file destinations must return a COPY statement");
    size_t rows = run_counting(con, *sql);
    dest->commit();
    return rows;
  } catch (...) {
    dest->abort();
    throw;
  }
}

// Names in a folder (not recursive), sorted, hidden ones included.
inline std::vector<std::string> dir_names(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// The message of the Error `fn` throws ("" if none).
template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// Every DuckDB type sqlflow supports (the DataChunk types), each column with two values and a
// NULL row, for round trips through each file format.
struct TypeSample {
  std::string column;
  std::string type;
  std::string value1;
  std::string value2;
};

inline const std::vector<TypeSample>& type_samples() {
  static const std::vector<TypeSample> samples = {
      {"b", "BOOLEAN", "true", "false"},
      {"i8", "TINYINT", "-128", "127"},
      {"i16", "SMALLINT", "-32768", "32767"},
      {"i32", "INTEGER", "-2147483648", "2147483647"},
      {"i64", "BIGINT", "-9223372036854775808", "9223372036854775807"},
      {"u8", "UTINYINT", "0", "255"},
      {"u16", "USMALLINT", "0", "65535"},
      {"u32", "UINTEGER", "0", "4294967295"},
      {"u64", "UBIGINT", "0", "18446744073709551615"},
      {"hi", "HUGEINT", "-170141183460469231731687303715884105727", "12345678901234567890123"},
      {"f", "FLOAT", "1.5", "0.1"},
      {"d", "DOUBLE", "0.1", "-1.7976931348623157e308"},
      {"dc1", "DECIMAL(4,1)", "-12.3", "999.9"},
      {"dc2", "DECIMAL(18,3)", "-0.001", "999999999999999.999"},
      {"dc3", "DECIMAL(38,18)", "12345678901234567890.123456789012345678", "-0.000000000000000001"},
      {"s", "VARCHAR", "'h\u00e9llo, \"w\u00f6rld\"\n😀 '", "''"},
      {"bl", "BLOB", "'\\x00\\xFFab,\"'", "''"},
      {"dt", "DATE", "'2024-02-29'", "'9999-12-31'"},
      {"t", "TIME", "'23:59:59.123456'", "'00:00:00'"},
      {"ts", "TIMESTAMP", "'2024-01-02 03:04:05.5'", "'1970-01-01 00:00:00.000001'"},
      {"tz", "TIMESTAMPTZ", "'2024-01-02 03:04:05+00'", "'1999-12-31 23:59:59.999999+05:30'"},
      {"iv", "INTERVAL", "'1 year 2 months 3 days 04:05:06.7'", "'-36 hours'"},
      {"u", "UUID", "'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'"},
      {"l", "INTEGER[]", "[1, NULL, 3]", "[]"},
      {"ll", "VARCHAR[][]", "[['a'], [], NULL]", "[['x y', 'z']]"},
      {"st", "STRUCT(a INTEGER, b VARCHAR)", "{'a': 1, 'b': 'x'}", "{'a': NULL, 'b': NULL}"},
  };
  return samples;
}

// CREATE TABLE `table` (id, one column per sample type) with rows 1, 2 (the values) and 3 (NULLs).
inline std::string create_type_table_sql(const std::string& table) {
  std::string rows[3];
  for (int r = 0; r < 3; ++r) rows[r] = "SELECT " + std::to_string(r + 1) + " AS id";
  for (const auto& s : type_samples()) {
    rows[0] += ", CAST(" + s.value1 + " AS " + s.type + ") AS " + s.column;
    rows[1] += ", CAST(" + s.value2 + " AS " + s.type + ")";
    rows[2] += ", CAST(NULL AS " + s.type + ")";
  }
  return "CREATE TABLE " + table + " AS " + rows[0] + " UNION ALL " + rows[1] + " UNION ALL " + rows[2];
}

// The columns of `b` whose values differ from `a` (matched on id), as "column: a-value vs b-value".
inline std::vector<std::string> differing_columns(engine::Connection& con, const std::string& a,
                                                  const std::string& b) {
  std::vector<std::string> out;
  for (const auto& s : type_samples()) {
    auto rows = con.query("SELECT x.id, x." + s.column + "::VARCHAR, y." + s.column + "::VARCHAR FROM " + a +
                          " x FULL JOIN " + b + " y ON x.id = y.id WHERE x." + s.column +
                          " IS DISTINCT FROM y." + s.column + " OR x.id IS NULL OR y.id IS NULL ORDER BY 1")
                    .rows();
    for (const auto& r : rows) out.push_back(s.column + " (row " + r[0] + "): " + r[1] + " vs " + r[2]);
  }
  return out;
}

}  // namespace sqlflow::test
