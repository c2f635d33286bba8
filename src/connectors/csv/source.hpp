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

// The source's parameters: a plain struct whose initialisers are the defaults (`connect describe`
// shows them from here, csv/params.cpp), parsed by from_params and checked by validate() before
// any I/O, as Arrow's csv::ReadOptions.
struct CsvSourceOptions {
  nlohmann::json path;  // a string or a list of strings; each a file or a glob
  bool has_header = true;
  std::string delimiter = ",";
  std::string quote = "\"";
  std::string escape = "\"";
  std::string encoding = "utf-8";                                 // as DuckDB names it
  bool encoding_given = false;                                    // else a byte order mark may decide
  std::vector<std::pair<std::string, std::string>> column_types;  // name → DuckDB type
  std::vector<std::string> names;                                 // column names for files without a header
  std::optional<std::vector<std::string>> null_values;
  std::string date_format;
  std::string timestamp_format;
  int64_t skip_rows = 0;
  std::string compression = "auto";
  std::string on_error = "fail";  // fail or skip
  bool skip_bad_rows = false;     // on_error == "skip"
  bool null_padding = true;       // a row with fewer fields than the header gets NULLs (as pandas)
  bool union_by_name = false;
  bool filename = false;
  std::optional<int64_t> sample_size;
  std::optional<int64_t> max_line_size;  // DuckDB's limit on one line (2 MB by default)

  // Parses PARAMS (normalized) and validates the result.
  static CsvSourceOptions from_params(const Params& params);
  // Throws a validation Error naming the first bad value.
  void validate() const;
};

class CsvSource : public FileViewSource {
 public:
  CsvSource(CsvSourceOptions options, ConnectorContext context);

  // on_error: skip — replaces sqlflow_rejects."<source_name>" with one row per input line the
  // LOAD's scan rejected (file, line, byte_offset, column, error_type, error, raw_line; a line with
  // several errors lists them all, separated by "; ") and counts those lines. `line` is DuckDB's:
  // records counted from the header as line 1, so a quoted field that spans lines counts once;
  // byte_offset is where the bad line starts in the (decompressed) file, from 0.
  // null_padding — warns how many rows were short and padded with NULL.
  ReadReport after_read(engine::Connection& con, const std::string& source_name,
                        const std::string& target_table) override;
  // A single file is read strictly first (DuckDB's fastest path); a short row then makes the
  // load fail, and this turns padding on. Padding with quoted newlines needs DuckDB's serial
  // reader, which this turns on after DuckDB says so.
  bool adapt_after_failure(const Error& error) override;
  // DuckDB's CSV errors about these files, without its option dump and with a hint in our params.
  std::optional<Error> explain_failure(const Error& error) override;

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
  size_t keep_rejects(engine::Connection& con, const std::string& source_name);
  // Sets encoding_ from the files' byte order marks when no encoding was given (UTF-16LE files
  // are read as such); UTF-16BE, or a mark contradicting the given encoding, is an Error.
  void choose_encoding(const std::vector<std::filesystem::path>& files);
  // Rows with fewer fields than the header among what `target_table` received (0 when its last
  // column holds no NULL, else counted by a strict second read of the files).
  uint64_t padded_rows(engine::Connection& con, const std::string& target_table);

  CsvSourceOptions options_;
  std::optional<std::string> pinned_;         // pinned_dialect() of the only file, when it succeeded
  std::vector<std::filesystem::path> files_;  // what the view reads
  bool pad_ = false;                          // read with null_padding (see adapt_after_failure)
  bool short_rows_seen_ = false;              // a strict read failed on a short row
  bool serial_ = false;                       // parallel=false
  bool lenient_ = false;                      // only a lenient sniff (strict_mode=false) found the dialect
  std::string encoding_;                      // options_.encoding, or what the files' byte order mark says
  std::string rejects_table_;
  std::string rejects_scan_;
};

}  // namespace sqlflow::connectors::csv
