#include "engine/result.hpp"

#include "core/error.hpp"

namespace sqlflow::engine {

Result::Result(Result&& other) noexcept : result_(other.result_), valid_(other.valid_) {
  other.valid_ = false;
}

Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    if (valid_) duckdb_destroy_result(&result_);
    result_ = other.result_;
    valid_ = other.valid_;
    other.valid_ = false;
  }
  return *this;
}

Result::~Result() {
  if (valid_) duckdb_destroy_result(&result_);
}

size_t Result::column_count() {
  return duckdb_column_count(&result_);
}
std::string Result::column_name(size_t i) {
  const char* n = duckdb_column_name(&result_, i);
  return n ? n : "";
}
LogicalType Result::column_type(size_t i) {
  return LogicalType::adopt(duckdb_column_logical_type(&result_, i));
}

Schema Result::schema() {
  Schema s;
  for (size_t i = 0; i < column_count(); ++i) s.push_back({column_name(i), column_type(i)});
  return s;
}

size_t Result::rows_changed() {
  return duckdb_rows_changed(&result_);
}

std::optional<DataChunk> Result::next() {
  duckdb_data_chunk chunk = duckdb_fetch_chunk(result_);
  if (!chunk) {
    const char* err = duckdb_result_error(&result_);
    if (err && *err) throw data_error(err);
    return std::nullopt;
  }
  return DataChunk::adopt(chunk);
}

std::vector<std::vector<std::string>> Result::rows() {
  std::vector<std::vector<std::string>> out;
  Schema s = schema();
  while (auto chunk = next()) {
    for (size_t r = 0; r < chunk->size(); ++r) {
      std::vector<std::string> row;
      for (size_t c = 0; c < s.size(); ++c) row.push_back(chunk->column(c).to_string(r, s[c].type));
      out.push_back(std::move(row));
    }
  }
  return out;
}

}  // namespace sqlflow::engine
