// Watermarks of incremental loads, kept in the engine (DuckDB: sqlflow_state.watermarks;
// PostgreSQL: sqlflow_state in the engine's schema) so that a watermark advances in the same
// transaction as the load it describes.
#pragma once

#include <optional>
#include <string>

#include "engine/session.hpp"

namespace sqlflow::pipeline {

// A watermark is found by (source, target, cursor_field); `pipeline` is who set it.
struct WatermarkKey {
  std::string pipeline;
  std::string source;
  std::string target;
  std::string cursor_field;
};

class StateStore {
 public:
  // Creates the state table if missing (call once, before steps run concurrently).
  static void ensure(engine::Session& session) { session.ensure_state(); }
  static std::optional<std::string> get(engine::Session& session, const WatermarkKey& key);
  // Upserts the watermark; call inside the load's transaction.
  static void set(engine::Session& session, const WatermarkKey& key, const std::string& value);
};

}  // namespace sqlflow::pipeline
