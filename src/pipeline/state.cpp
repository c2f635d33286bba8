#include "pipeline/state.hpp"

namespace sqlflow::pipeline {

// The watermark belongs to the target table: any pipeline of the project that loads it from the
// same source and cursor continues from it (as SQLFlow, whose demo loads one table from two
// pipelines). `pipeline` records which one moved it last.
std::optional<std::string> StateStore::get(engine::Session& s, const WatermarkKey& k) {
  return s.scalar(
      "SELECT value FROM " + s.state_table() +
          " WHERE source = $1 AND target = $2 AND cursor_field = $3 ORDER BY updated_at DESC LIMIT 1",
      {k.source, k.target, k.cursor_field});
}

void StateStore::set(engine::Session& s, const WatermarkKey& k, const std::string& value) {
  s.execute("DELETE FROM " + s.state_table() + " WHERE source = $1 AND target = $2 AND cursor_field = $3",
            {k.source, k.target, k.cursor_field});
  s.execute(
      "INSERT INTO " + s.state_table() +
          " (pipeline, source, target, cursor_field, value, updated_at) VALUES ($1, $2, $3, $4, $5, now())",
      {k.pipeline, k.source, k.target, k.cursor_field, value});
}

}  // namespace sqlflow::pipeline
