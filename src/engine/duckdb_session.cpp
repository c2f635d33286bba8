#include "engine/duckdb_session.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>

#include "core/quote.hpp"
#include "engine/appender.hpp"

namespace sqlflow::engine {

namespace {

std::string qi(const std::string& s) {
  return quote_identifier(s);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// A LOAD from a source whose rows have no order to keep is planned with
// preserve_insertion_order=false, so DuckDB reads the source's partitions on every thread. The
// setting is global in DuckDB: it is off only while this statement is planned (prepared), under a
// lock so that two such loads do not restore it under each other.
std::mutex insertion_order_mutex;

Result query_unordered(Connection& con, const std::string& sql, const std::vector<Param>& params) {
  std::unique_lock lock(insertion_order_mutex);
  if (con.scalar("SELECT current_setting('preserve_insertion_order')::VARCHAR") != "true") {
    lock.unlock();
    return con.query(sql, params);
  }
  con.execute("SET preserve_insertion_order = false");
  std::optional<PreparedStatement> stmt;
  try {
    stmt.emplace(con.prepare(sql));
  } catch (...) {
    con.execute("SET preserve_insertion_order = true");
    throw;
  }
  con.execute("SET preserve_insertion_order = true");
  lock.unlock();
  stmt->bind_all(params);
  return stmt->execute();
}

std::string key_list(const std::vector<std::string>& keys) {
  std::string s;
  for (const auto& k : keys) s += (s.empty() ? "" : ", ") + qi(k);
  return s;
}

}  // namespace

void DuckDbSession::begin() {
  con_.execute("BEGIN TRANSACTION");
}

void DuckDbSession::commit() {
  con_.execute("COMMIT");
}

void DuckDbSession::rollback() noexcept {
  try {
    con_.execute("ROLLBACK");
  } catch (...) {
    // The connection may already have aborted the transaction; nothing more to undo.
  }
}

// The first column of a statement's one-row result ("Count" of CTAS/INSERT/MERGE/COPY).
uint64_t DuckDbSession::execute(const std::string& sql, const std::vector<Param>& params, bool unordered) {
  Result r = unordered ? query_unordered(con_, sql, params) : con_.query(sql, params);
  if (r.column_count() == 1 && (r.column_name(0) == "Count" || r.column_name(0) == "count")) {
    auto v = r.rows();
    if (!v.empty() && !v[0].empty() && v[0][0] != "NULL") return std::stoull(v[0][0]);
  }
  return r.rows_changed();
}

std::optional<std::string> DuckDbSession::scalar(const std::string& sql, const std::vector<Param>& params) {
  return con_.scalar(sql, params);
}

bool DuckDbSession::table_exists(const std::string& table) {
  return con_.scalar(
             "SELECT count(*) FROM duckdb_tables() WHERE NOT temporary AND lower(table_name) = lower($1) AND "
             "schema_name = current_schema()",
             {table}) != "0";
}

// Qualified by the database and schema it lives in, so that a temporary view of the same name —
// a SOURCE's view, as in LOAD users FROM users — cannot stand in for it.
std::string DuckDbSession::qualified(const std::string& table) {
  std::string db = con_.scalar("SELECT current_database()").value_or("memory");
  std::string schema = con_.scalar("SELECT current_schema()").value_or("main");
  return qi(db) + "." + qi(schema) + "." + qi(table);
}

Schema DuckDbSession::query_schema(const std::string& select_sql) {
  return con_.query("SELECT * FROM (" + select_sql + ") AS sqlflow_q LIMIT 0").schema();
}

uint64_t DuckDbSession::create_or_replace(const std::string& table, const std::string& query,
                                          bool unordered) {
  return execute("CREATE OR REPLACE TABLE " + table + " AS " + query, {}, unordered);
}

uint64_t DuckDbSession::create_table_as(const std::string& table, const std::string& query, bool unordered) {
  return execute("CREATE TABLE " + table + " AS " + query, {}, unordered);
}

uint64_t DuckDbSession::insert_by_name(const std::string& target, const std::string& query, bool unordered) {
  return execute("INSERT INTO " + target + " BY NAME " + query, {}, unordered);
}

uint64_t DuckDbSession::create_temp_as(const std::string& name, const std::string& query,
                                       const std::vector<Param>& params, bool unordered) {
  return execute("CREATE TEMP TABLE " + qi(name) + " AS " + query, params, unordered);
}

uint64_t DuckDbSession::write_rows(const std::string& name, const Schema& schema, const ChunkStream& rows) {
  std::string cols;
  for (const auto& c : schema) cols += (cols.empty() ? "" : ", ") + qi(c.name) + " " + c.type.to_sql();
  con_.execute("CREATE TEMP TABLE " + qi(name) + " (" + cols + ")");
  Appender app(con_, name, "temp");
  uint64_t n = 0;
  while (auto chunk = rows()) {
    n += chunk->size();
    app.append(*chunk);
  }
  app.close();
  return n;
}

// Rows sharing a key make MERGE ambiguous. As SQLFlow (pandas) and dlt's merge do, the last row
// per key in the input's order wins (the stage keeps the input's order in its rowids).
uint64_t DuckDbSession::keep_last_row_per_key(const std::string& stage,
                                              const std::vector<std::string>& keys) {
  return execute("DELETE FROM " + qi(stage) + " WHERE rowid IN (SELECT rowid FROM " + qi(stage) +
                 " QUALIFY row_number() OVER (PARTITION BY " + key_list(keys) + " ORDER BY rowid DESC) > 1)");
}

// MERGE (DuckDB ≥ 1.4) needs no unique index on the target.
uint64_t DuckDbSession::merge_into(const std::string& target, const std::string& stage,
                                   const std::vector<std::string>& keys) {
  Schema cols = con_.query("SELECT * FROM " + qi(stage) + " LIMIT 0").schema();
  std::string on, set, names, values;
  for (const auto& k : keys) on += std::string(on.empty() ? "" : " AND ") + "t." + qi(k) + " = s." + qi(k);
  for (const auto& c : cols) {
    names += (names.empty() ? "" : ", ") + qi(c.name);
    values += (values.empty() ? "" : ", ") + ("s." + qi(c.name));
    bool is_key =
        std::any_of(keys.begin(), keys.end(), [&](const auto& k) { return lower(k) == lower(c.name); });
    if (!is_key) set += (set.empty() ? "" : ", ") + qi(c.name) + " = s." + qi(c.name);
  }
  std::string sql = "MERGE INTO " + target + " AS t USING " + qi(stage) + " AS s ON (" + on + ") ";
  if (!set.empty()) sql += "WHEN MATCHED THEN UPDATE SET " + set + " ";
  sql += "WHEN NOT MATCHED THEN INSERT (" + names + ") VALUES (" + values + ")";
  return execute(sql);
}

void DuckDbSession::drop_table(const std::string& name) {
  con_.execute("DROP TABLE IF EXISTS " + qi(name));
}

void DuckDbSession::ensure_state() {
  con_.execute(
      "CREATE SCHEMA IF NOT EXISTS sqlflow_state;"
      "CREATE TABLE IF NOT EXISTS sqlflow_state.watermarks ("
      " pipeline VARCHAR NOT NULL, source VARCHAR NOT NULL, target VARCHAR NOT NULL,"
      " cursor_field VARCHAR NOT NULL, value VARCHAR, updated_at TIMESTAMP NOT NULL DEFAULT now(),"
      " PRIMARY KEY (pipeline, source, target, cursor_field))");
}

}  // namespace sqlflow::engine
