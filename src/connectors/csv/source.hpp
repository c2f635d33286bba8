// CSV source: a view over DuckDB's own read_csv (parallel, with projection and filter pushdown),
// configured from SQLFlow's parameters. Bad rows either fail the load (DuckDB's error names the
// file, the line and the value) or, with on_error: skip, are kept in sqlflow_rejects."<source>".
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/connector.hpp"
#include "connectors/file_view_source.hpp"
#include "core/error.hpp"
#include "core/file_paths.hpp"

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

class CsvSource : public FileViewSource {
 public:
  CsvSource(CsvSourceOptions options, ConnectorContext context);

  // on_error: skip — replaces sqlflow_rejects."<source_name>" with the rows the LOAD's scan
  // rejected (file, line, byte_offset, column, error_type, error, raw_line) and returns how many
  // lines. `line` is DuckDB's: records counted from the header as line 1, so a quoted field that
  // spans lines counts once; byte_offset is where the bad line starts in the (decompressed) file, from 0.
  size_t after_read(engine::Connection& con, const std::string& source_name) override;

  // The connection-local tables DuckDB stores this source's rejects in (on_error: skip).
  const std::string& rejects_table() const { return rejects_table_; }
  const std::string& rejects_scan() const { return rejects_scan_; }

 protected:
  // SELECT * FROM read_csv([files], …). A file DuckDB cannot parse is an Error naming the file and
  // the first bad line.
  View build_view(const std::vector<std::filesystem::path>& files) override;

 private:
  // read_csv(files, …): with the pinned dialect when there is one (and not `diagnose`), else
  // with detection; `diagnose` adds a rejects table for explain_bind_failure().
  std::string reader_call(const std::vector<std::filesystem::path>& files, bool diagnose) const;
  // The user's choices as arguments of an auto-detecting read (and of sniff_csv).
  files::SqlArgs detect_args() const;
  // The arguments a pinned read still needs: encoding, compression, NULL handling.
  void read_args(files::SqlArgs& args) const;
  [[noreturn]] void explain_bind_failure(const std::vector<std::filesystem::path>& files,
                                         const Error& error) const;

  CsvSourceOptions options_;
  std::optional<std::string> pinned_;  // pinned_dialect() of the only file, when it succeeded
  std::string rejects_table_;
  std::string rejects_scan_;
};

}  // namespace sqlflow::connectors::csv
