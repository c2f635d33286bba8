// JSON source: a view over DuckDB's own read_json (JSON lines or arrays, globs, parallel reads).
// Nested objects arrive as STRUCT columns or, with flatten, as a_b columns; json_path reads the
// records of an array nested inside each document.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/connector.hpp"
#include "core/error.hpp"

namespace sqlflow::connectors::json {

struct JsonSourceOptions {
  nlohmann::json path;
  std::string format = "auto";                                    // auto | newline_delimited | array
  std::vector<std::string> select;                                // `columns` as a list: read only these
  std::vector<std::pair<std::string, std::string>> column_types;  // `columns` as an object: name → type
  std::vector<std::string> json_path;                             // keys down to the records array
  bool flatten = false;
  bool union_by_name = false;
  bool filename = false;
  std::string compression = "auto";
  std::string date_format;
  std::string timestamp_format;
  std::optional<int64_t> maximum_object_size;

  static JsonSourceOptions from_params(const Params& params);
};

// "data.items", "$.data.items", "$.data.items[*]" → {"data", "items"}.
std::vector<std::string> parse_json_path(const std::string& path);

class JsonSource : public Source {
 public:
  JsonSource(JsonSourceOptions options, ConnectorContext context);
  // SELECT … FROM read_json([files], …), unnesting json_path and flattening when asked. Resolves
  // the files (a missing one is an Error naming it) and asks DuckDB for the shape (json_path and
  // flatten need it). Cached after the first call.
  std::optional<std::string> view_sql() override;
  bool supports_cursor() const override { return true; }
  void set_cursor(const std::string& field, const std::optional<std::string>& lower_bound) override;
  std::string test_connection() override;
  // Asks DuckDB (a private in-memory database) for the columns of view_sql().
  const Schema& schema() override;
  // Read only through the view.
  size_t partition_count() override { return 0; }
  std::unique_ptr<engine::PartitionReader> open(size_t index, const std::vector<size_t>& projection) override;

 private:
  JsonSourceOptions options_;
  ConnectorContext context_;
  std::optional<std::pair<std::string, std::optional<std::string>>> cursor_;
  std::optional<std::string> view_sql_;
  std::optional<Schema> schema_;
  size_t file_count_ = 0;
  uintmax_t total_bytes_ = 0;
};

}  // namespace sqlflow::connectors::json
