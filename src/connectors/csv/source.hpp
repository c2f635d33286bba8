// CSV source: a view over DuckDB's own read_csv (parallel, with projection and filter pushdown),
// configured from SQLFlow's parameters. Bad rows either fail the load (DuckDB's error names the
// file, the line and the value) or, with on_error: skip, are kept in sqlflow_rejects."<source>".
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/connector.hpp"
#include "core/error.hpp"

namespace sqlflow::connectors::csv {

// The source's parameters, parsed and validated once (no I/O).
struct CsvSourceOptions {
  nlohmann::json path;  // a string or a list of strings; each a file or a glob
  bool has_header = true;
  std::string delimiter = ",";
  std::string quote = "\"";
  std::string escape = "\"";
  std::string encoding = "utf-8";                                 // as DuckDB names it
  std::vector<std::pair<std::string, std::string>> column_types;  // name → DuckDB type
  std::vector<std::string> names;                                 // column names for files without a header
  std::optional<std::vector<std::string>> null_values;
  std::string date_format;
  std::string timestamp_format;
  int64_t skip_rows = 0;
  std::string compression = "auto";
  bool skip_bad_rows = false;  // on_error: skip
  bool union_by_name = false;
  bool filename = false;
  std::optional<int64_t> sample_size;

  static CsvSourceOptions from_params(const Params& params);
};

class CsvSource : public Source {
 public:
  CsvSource(CsvSourceOptions options, ConnectorContext context);

  // SELECT … FROM read_csv([files], …). Resolves the files (a missing file, an empty glob or an
  // unreadable path is an Error naming it) and checks that DuckDB can bind the read (a file it
  // cannot parse is an Error naming the file and the first bad line). Cached after the first call.
  std::optional<std::string> view_sql() override;
  // on_error: skip — replaces sqlflow_rejects."<source_name>" with the rows the LOAD's scan
  // rejected (file, line, byte_offset, column, error_type, error, raw_line) and returns how many
  // lines. `line` is DuckDB's: records counted from the header as line 1, so a quoted field that
  // spans lines counts once; byte_offset is where the bad line starts in the (decompressed) file, from 0.
  size_t after_read(engine::Connection& con, const std::string& source_name) override;

  bool supports_cursor() const override { return true; }
  // Adds `WHERE field > lower_bound` to the view (DuckDB casts the text to the column's type).
  void set_cursor(const std::string& field, const std::optional<std::string>& lower_bound) override;
  std::string test_connection() override;

  // Asks DuckDB (a private in-memory database) for the columns of view_sql().
  const Schema& schema() override;
  // The view is the only way to read this source: DuckDB scans the files itself.
  size_t partition_count() override { return 0; }
  std::unique_ptr<engine::PartitionReader> open(size_t index, const std::vector<size_t>& projection) override;

  // The connection-local tables DuckDB stores this source's rejects in (on_error: skip).
  const std::string& rejects_table() const { return rejects_table_; }
  const std::string& rejects_scan() const { return rejects_scan_; }

 private:
  std::string reader_call(const std::vector<std::filesystem::path>& files, bool diagnose) const;
  [[noreturn]] void explain_bind_failure(const std::vector<std::filesystem::path>& files,
                                         const Error& error) const;

  CsvSourceOptions options_;
  ConnectorContext context_;
  std::string rejects_table_;
  std::string rejects_scan_;
  std::optional<std::pair<std::string, std::optional<std::string>>> cursor_;
  std::optional<std::string> view_sql_;
  std::optional<Schema> schema_;
};

}  // namespace sqlflow::connectors::csv
