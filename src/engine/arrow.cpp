#include "engine/arrow.hpp"

#include <vector>

#include "core/error.hpp"

namespace sqlflow::engine {

namespace {
void check(duckdb_error_data err, const char* what) {
  if (!err) return;
  bool failed = duckdb_error_data_has_error(err);
  std::string msg = failed ? duckdb_error_data_message(err) : "";
  duckdb_destroy_error_data(&err);
  if (failed) throw data_error(std::string(what) + ": " + msg);
}

struct Options {
  duckdb_arrow_options handle = nullptr;
  explicit Options(Connection& con) { duckdb_connection_get_arrow_options(con.handle(), &handle); }
  ~Options() { duckdb_destroy_arrow_options(&handle); }
};
}  // namespace

ArrowBatch::ArrowBatch(ArrowBatch&& o) noexcept : schema(o.schema), array(o.array) {
  o.schema.release = nullptr;
  o.array.release = nullptr;
}

ArrowBatch::~ArrowBatch() {
  if (array.release) array.release(&array);
  if (schema.release) schema.release(&schema);
}

ArrowBatch to_arrow(Connection& con, const Schema& schema, const DataChunk& chunk) {
  Options options(con);
  std::vector<duckdb_logical_type> types;
  std::vector<const char*> names;
  for (const auto& c : schema) {
    types.push_back(c.type.handle());
    names.push_back(c.name.c_str());
  }
  ArrowBatch batch;
  check(duckdb_to_arrow_schema(options.handle, types.data(), names.data(), schema.size(), &batch.schema),
        "cannot describe chunk as Arrow");
  check(duckdb_data_chunk_to_arrow(options.handle, chunk.handle(), &batch.array),
        "cannot export chunk to Arrow");
  return batch;
}

DataChunk from_arrow(Connection& con, ArrowBatch& batch) {
  duckdb_arrow_converted_schema converted = nullptr;
  check(duckdb_schema_from_arrow(con.handle(), &batch.schema, &converted), "cannot read Arrow schema");
  duckdb_data_chunk out = nullptr;
  duckdb_error_data err = duckdb_data_chunk_from_arrow(con.handle(), &batch.array, converted, &out);
  duckdb_destroy_arrow_converted_schema(&converted);
  batch.array.release = nullptr;  // DuckDB's chunk now owns the buffers
  check(err, "cannot import Arrow array");
  return DataChunk::adopt(out);
}

}  // namespace sqlflow::engine
