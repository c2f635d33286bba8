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

// The watermark belongs to the target table: any pipeline of the project that loads it from the
// same source and cursor continues from it (as SQLFlow, whose demo loads one table from two
// pipelines). `pipeline` records which one moved it last.
std::optional<std::string> StateStore::get(engine::Connection& con, const WatermarkKey& k) {
  return con.scalar(
      "SELECT value FROM sqlflow_state.watermarks WHERE source = $1 AND target = $2 AND cursor_field = $3 "
      "ORDER BY updated_at DESC LIMIT 1",
      {k.source, k.target, k.cursor_field});
}

void StateStore::set(engine::Connection& con, const WatermarkKey& k, const std::string& value) {
  con.query("DELETE FROM sqlflow_state.watermarks WHERE source = $1 AND target = $2 AND cursor_field = $3",
            {k.source, k.target, k.cursor_field});
  con.query(
      "INSERT INTO sqlflow_state.watermarks (pipeline, source, target, cursor_field, value, updated_at) "
      "VALUES ($1, $2, $3, $4, $5, now())",
      {k.pipeline, k.source, k.target, k.cursor_field, value});
}

}  // namespace sqlflow::pipeline
