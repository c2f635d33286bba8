// JSON source: a view over DuckDB's own read_json (JSON lines or arrays, globs, parallel reads).
// Nested objects arrive as STRUCT columns or, with flatten, as a_b columns; json_path reads the
// records of an array nested inside each document.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/connector.hpp"
#include "connectors/file_view_source.hpp"
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

class JsonSource : public FileViewSource {
 public:
  JsonSource(JsonSourceOptions options, ConnectorContext context);

 protected:
  // SELECT … FROM read_json([files], …), unnesting json_path and flattening when asked (both ask
  // DuckDB for the shape of the documents first).
  View build_view(const std::vector<std::filesystem::path>& files) override;

 private:
  JsonSourceOptions options_;
};

}  // namespace sqlflow::connectors::json
