#include "engine/connection.hpp"

#include "core/error.hpp"
#include "engine/scan_error.hpp"

namespace sqlflow::engine {

namespace {
// DuckDB's parser errors carry their "LINE n: …" excerpt twice; one is enough.
std::string without_repeated_blocks(const std::string& msg) {
  std::string out;
  std::string last;
  size_t start = 0;
  while (start < msg.size()) {
    size_t end = msg.find("\n\n", start);
    std::string block = msg.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? msg.size() : end + 2;
    if (!block.empty() && block == last) continue;
    out += (out.empty() ? "" : "\n\n") + block;
    last = block;
  }
  return out;
}

[[noreturn]] void throw_result_error(duckdb_result& res, const std::string& context = {}) {
  std::string msg =
      without_repeated_blocks(duckdb_result_error(&res) ? duckdb_result_error(&res) : "unknown DuckDB error");
  duckdb_destroy_result(&res);
  // A source's own Error raised inside a table function comes back with its kind and hint.
  rethrow_scan_error_if_any(msg);
  throw data_error(context.empty() ? msg : context + ": " + msg);
}
}  // namespace

Connection::Connection(Database& db) : db_(&db) {
  if (duckdb_connect(db.handle(), &con_) != DuckDBSuccess)
    throw connection_error("cannot connect to DuckDB database " + db.path(), false);
}

Connection::~Connection() {
  if (con_) duckdb_disconnect(&con_);
}

void Connection::execute(const std::string& sql) {
  duckdb_result res;
  if (duckdb_query(con_, sql.c_str(), &res) != DuckDBSuccess) throw_result_error(res);
  duckdb_destroy_result(&res);
}

Result Connection::query(const std::string& sql) {
  duckdb_result res;
  if (duckdb_query(con_, sql.c_str(), &res) != DuckDBSuccess) throw_result_error(res);
  return Result(res);
}

Result Connection::query(const std::string& sql, const std::vector<Param>& params) {
  if (params.empty()) return query(sql);
  auto stmt = prepare(sql);
  stmt.bind_all(params);
  return stmt.execute();
}

Result Connection::stream(const std::string& sql, const std::vector<Param>& params) {
  auto stmt = prepare(sql);
  stmt.bind_all(params);
  return stmt.execute_streaming();
}

PreparedStatement Connection::prepare(const std::string& sql) {
  duckdb_prepared_statement stmt = nullptr;
  if (duckdb_prepare(con_, sql.c_str(), &stmt) != DuckDBSuccess) {
    std::string msg = without_repeated_blocks(duckdb_prepare_error(stmt) ? duckdb_prepare_error(stmt)
                                                                         : "cannot prepare statement");
    duckdb_destroy_prepare(&stmt);
    throw data_error(msg);
  }
  return PreparedStatement(stmt);
}

std::optional<std::string> Connection::scalar(const std::string& sql, const std::vector<Param>& params) {
  Result r = query(sql, params);
  auto chunk = r.next();
  if (!chunk || chunk->size() == 0 || chunk->column_count() == 0) return std::nullopt;
  if (!chunk->column(0).is_valid(0)) return std::nullopt;
  return chunk->column(0).to_string(0, r.column_type(0));
}

double Connection::progress() {
  return duckdb_query_progress(con_).percentage;
}
void Connection::interrupt() {
  duckdb_interrupt(con_);
}

PreparedStatement::~PreparedStatement() {
  if (stmt_) duckdb_destroy_prepare(&stmt_);
}

void PreparedStatement::bind(size_t index, const Param& value) {
  duckdb_state st = std::visit(
      [&](const auto& v) -> duckdb_state {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          return duckdb_bind_null(stmt_, index);
        else if constexpr (std::is_same_v<T, bool>)
          return duckdb_bind_boolean(stmt_, index, v);
        else if constexpr (std::is_same_v<T, int64_t>)
          return duckdb_bind_int64(stmt_, index, v);
        else if constexpr (std::is_same_v<T, double>)
          return duckdb_bind_double(stmt_, index, v);
        else
          return duckdb_bind_varchar_length(stmt_, index, v.data(), v.size());
      },
      value);
  if (st != DuckDBSuccess) {
    const char* err = duckdb_prepare_error(stmt_);
    throw data_error("cannot bind parameter " + std::to_string(index) + (err ? std::string(": ") + err : ""));
  }
}

void PreparedStatement::bind_all(const std::vector<Param>& values) {
  if (values.size() != parameter_count())
    throw internal_error("statement expects " + std::to_string(parameter_count()) + " parameters, got " +
                         std::to_string(values.size()));
  for (size_t i = 0; i < values.size(); ++i) bind(i + 1, values[i]);
}

Schema PreparedStatement::result_schema() const {
  Schema schema;
  const idx_t n = duckdb_prepared_statement_column_count(stmt_);
  for (idx_t i = 0; i < n; ++i) {
    const char* name = duckdb_prepared_statement_column_name(stmt_, i);
    std::string text = name ? name : "";
    if (name) duckdb_free(const_cast<char*>(name));
    schema.push_back(
        {std::move(text), LogicalType::adopt(duckdb_prepared_statement_column_logical_type(stmt_, i))});
  }
  return schema;
}

Result PreparedStatement::execute() {
  duckdb_result res;
  if (duckdb_execute_prepared(stmt_, &res) != DuckDBSuccess) throw_result_error(res);
  return Result(res);
}

Result PreparedStatement::execute_streaming() {
  duckdb_pending_result pending = nullptr;
  if (duckdb_pending_prepared_streaming(stmt_, &pending) != DuckDBSuccess) {
    std::string msg = duckdb_pending_error(pending) ? duckdb_pending_error(pending) : "cannot start query";
    duckdb_destroy_pending(&pending);
    throw data_error(msg);
  }
  duckdb_result res;
  duckdb_state st = duckdb_execute_pending(pending, &res);
  duckdb_destroy_pending(&pending);
  if (st != DuckDBSuccess) throw_result_error(res);
  return Result(res);
}

}  // namespace sqlflow::engine
