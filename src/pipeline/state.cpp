#include "pipeline/state.hpp"

namespace sqlflow::pipeline {

void StateStore::ensure(engine::Connection& con) {
  con.execute(
      "CREATE SCHEMA IF NOT EXISTS sqlflow_state;"
      "CREATE TABLE IF NOT EXISTS sqlflow_state.watermarks ("
      " pipeline VARCHAR NOT NULL, source VARCHAR NOT NULL, target VARCHAR NOT NULL,"
      " cursor_field VARCHAR NOT NULL, value VARCHAR, updated_at TIMESTAMP NOT NULL DEFAULT now(),"
      " PRIMARY KEY (pipeline, source, target, cursor_field))");
}

std::optional<std::string> StateStore::get(engine::Connection& con, const WatermarkKey& k) {
  return con.scalar(
      "SELECT value FROM sqlflow_state.watermarks WHERE pipeline = $1 AND source = $2 AND target = $3 AND "
      "cursor_field = $4",
      {k.pipeline, k.source, k.target, k.cursor_field});
}

void StateStore::set(engine::Connection& con, const WatermarkKey& k, const std::string& value) {
  con.query(
      "INSERT OR REPLACE INTO sqlflow_state.watermarks (pipeline, source, target, cursor_field, value, updated_at) "
      "VALUES ($1, $2, $3, $4, $5, now())",
      {k.pipeline, k.source, k.target, k.cursor_field, value});
}

}  // namespace sqlflow::pipeline
