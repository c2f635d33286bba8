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

inline std::unique_ptr<connectors::Source> make_file_source(const std::string& type, const nlohmann::json& params,
                                                            const std::filesystem::path& base_dir) {
  using namespace connectors;
  const auto& info = Registry::instance().get(type, Role::Source);
  auto errors = check_params(info, Role::Source, params);
  for (const auto& e : errors) ADD_FAILURE() << e.what();
  return info.make_source(normalize_params(info.source_params, params), ConnectorContext{base_dir});
}

inline std::unique_ptr<connectors::Destination> make_file_destination(const std::string& type, const std::string& uri,
                                                                      const nlohmann::json& options,
                                                                      const std::filesystem::path& base_dir) {
  using namespace connectors;
  const auto& info = Registry::instance().get(type, Role::Destination);
  auto errors = check_params(info, Role::Destination, options);
  for (const auto& e : errors) ADD_FAILURE() << e.what();
  return info.make_destination(uri, normalize_params(info.destination_params, options), ConnectorContext{base_dir});
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
};

// LOAD table FROM source (REPLACE), as the executor runs it.
inline LoadResult load_source(engine::Connection& con, const std::string& table, const std::string& source_name,
                              connectors::Source& source) {
  LoadResult r;
  engine::Transaction tx(con);
  r.rows = run_counting(con, "CREATE OR REPLACE TABLE " + quote_identifier(table) + " AS SELECT * FROM " +
                                  quote_identifier(source_name));
  r.rejected = source.after_read(con, source_name);
  tx.commit();
  return r;
}

// EXPORT select TO uri TYPE type OPTIONS options, as the executor runs it. Returns rows written.
inline size_t export_query(engine::Connection& con, const std::string& type, const std::string& select,
                           const std::string& uri, const nlohmann::json& options, const std::filesystem::path& base_dir,
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

}  // namespace sqlflow::test
