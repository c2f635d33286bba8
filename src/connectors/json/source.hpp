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
#include "core/file_paths.hpp"

namespace sqlflow::connectors::json {

// The source's parameters: a plain struct whose initialisers are the defaults (`connect describe`
// shows them from here, json/params.cpp), parsed by from_params and checked by validate() before
// any I/O.
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
  // Levels of nesting read as typed STRUCT/LIST columns; anything deeper stays JSON text. Bounded
  // because DuckDB's JSON transform recurses per level (10,000 levels overflow a worker's stack).
  int64_t max_depth = 64;

  // Parses PARAMS (normalized) and validates the result.
  static JsonSourceOptions from_params(const Params& params);
  // Throws a validation Error naming the first bad value.
  void validate() const;
};

// "data.items", "$.data.items", "$.data.items[*]" → {"data", "items"}.
std::vector<std::string> parse_json_path(const std::string& path);

class JsonSource : public FileViewSource {
 public:
  JsonSource(JsonSourceOptions options, ConnectorContext context);

  // Warns when values sat deeper than max_depth and were kept as JSON text.
  ReadReport after_read(engine::Connection& con, const std::string& source_name,
                        const std::string& target_table) override;

 protected:
  // SELECT … FROM read_json([files], …), unnesting json_path and flattening when asked (both ask
  // DuckDB for the shape of the documents first).
  View build_view(const std::vector<std::filesystem::path>& files) override;

 private:
  // read_json([files], …) with the source's options and `read_types` (`columns` as an object, with
  // BLOBs read as text); DOUBLE columns whose sampled numbers a DOUBLE cannot hold get an exact type.
  std::string reader_call(const std::vector<std::filesystem::path>& files,
                          const std::vector<std::pair<std::string, std::string>>& read_types);
  // SELECT … FROM `reader`: the records at json_path, flattened, with BLOBs cast back, the `columns`
  // list and the cursor condition applied.
  std::string select_sql(const std::string& reader, const std::string& blob_casts);
  // The FROM of the records at json_path, one row per element; adds their columns to `list`
  // (expression, name). A path that leads to no array is an Error.
  std::string records_from(const std::string& reader, std::vector<std::pair<std::string, std::string>>& list);
  // A `columns` map giving DOUBLE columns whose sampled numbers a DOUBLE cannot hold exactly an
  // exact type (BIGINT, HUGEINT, DECIMAL), or nullopt when none needs one.
  std::optional<std::string> exact_number_types(const std::vector<std::filesystem::path>& files,
                                                const Schema& detected);

  JsonSourceOptions options_;
  std::vector<std::string> lossy_columns_;  // numbers too long for DOUBLE and DECIMAL(38)
};

}  // namespace sqlflow::connectors::json
