#include "engine/appender.hpp"

#include "core/error.hpp"

namespace sqlflow::engine {

Appender::Appender(Connection& con, const std::string& table, const std::string& schema) : table_(table) {
  if (duckdb_appender_create(con.handle(), schema.empty() ? nullptr : schema.c_str(), table.c_str(),
                             &appender_) != DuckDBSuccess)
    fail("cannot append to table " + table);
}

Appender::~Appender() {
  if (appender_) duckdb_appender_destroy(&appender_);
}

void Appender::fail(const std::string& what) {
  const char* err = appender_ ? duckdb_appender_error(appender_) : nullptr;
  throw data_error(what + (err ? std::string(": ") + err : ""));
}

void Appender::append(const DataChunk& chunk) {
  if (duckdb_append_data_chunk(appender_, chunk.handle()) != DuckDBSuccess)
    fail("cannot append rows to " + table_);
}

void Appender::flush() {
  if (duckdb_appender_flush(appender_) != DuckDBSuccess) fail("cannot flush rows into " + table_);
}

void Appender::close() {
  if (appender_ && duckdb_appender_close(appender_) != DuckDBSuccess)
    fail("cannot close appender on " + table_);
}

}  // namespace sqlflow::engine
