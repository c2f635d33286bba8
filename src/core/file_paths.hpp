// Local paths for the file connectors (CSV, Parquet, JSON): resolving against the project
// directory, expanding globs, and checking inputs up front so a wrong path is an Error naming it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sqlflow::files {

// `path` as an absolute, lexically normal path; relative paths resolve against `base_dir`
// (itself made absolute against the current directory). A leading "~/" is the user's home.
std::filesystem::path resolve(const std::string& path, const std::filesystem::path& base_dir);

// True when `path` holds a glob metacharacter (`*`, `?` or `[`).
bool has_glob(std::string_view path);

// Files matching an absolute glob, sorted. Supported: `*` and `?` within one name, `[…]` classes,
// and `**` for any number of folders (including none). Names starting with '.' are matched only by a
// pattern part that starts with '.' too, so half-written exports (".name.sqlflow-tmp-…") and other
// hidden files are never read. A folder that cannot be listed is an Error naming it.
std::vector<std::filesystem::path> expand_glob(const std::filesystem::path& pattern);

// The files a source reads.
struct InputFiles {
  std::vector<std::filesystem::path> files;  // every file, in pattern order, each pattern's sorted
  uintmax_t total_bytes = 0;
};

// Resolves the `path` parameter (one string or a list of strings) and checks every entry: a
// plain path must be a readable regular file, a glob must match at least one file. A folder is
// read as `folder/<dir_glob>` when dir_glob is given (Parquet: "**/*.parquet"), otherwise it is an
// Error. `what` names the reader in messages ("CSV source"). Errors name the offending path.
InputFiles resolve_inputs(const nlohmann::json& path_param, const std::filesystem::path& base_dir,
                          const std::string& what, const std::string& dir_glob = {});

// The `path` parameter as a list of strings (a string or a non-empty list of strings).
std::vector<std::string> path_list(const nlohmann::json& path_param, const std::string& what);

// The data format a file name announces ("csv", "parquet", "json") ignoring a trailing
// compression suffix (.gz, .gzip, .zst, .zstd); empty when the extension is none of them.
std::string format_of_extension(std::string_view path);
// "gzip" or "zstd" when the name ends with a compression suffix, else empty.
std::string compression_of_extension(std::string_view path);

// For EXPORT validation: TYPE CSV|PARQUET|JSON must agree with the target's extension when it has a
// known data extension ("x.parquet" with TYPE CSV is an Error naming both). Other types and
// targets without a data extension (e.g. a partitioned output folder) pass.
void check_export_type_matches_extension(const std::string& type, const std::string& uri);

// The argument list of a DuckDB reader call (`read_csv(files, key=value, …)`, assign "=") or of COPY
// options (`FORMAT csv, HEADER true`, assign " "); every value enters as a SQL literal.
class SqlArgs {
 public:
  explicit SqlArgs(std::string assign = "=") : assign_(std::move(assign)) {}
  SqlArgs& flag(std::string_view key, bool value);
  SqlArgs& integer(std::string_view key, int64_t value);
  SqlArgs& string(std::string_view key, std::string_view value);
  SqlArgs& strings(std::string_view key, const std::vector<std::string>& values);  // ['a', 'b']
  // {'k': 'v', …}: DuckDB's struct literal, e.g. read_csv's types={'col': 'INTEGER'}.
  SqlArgs& string_map(std::string_view key, const std::vector<std::pair<std::string, std::string>>& values);
  // A value that is already SQL (built from literals by the caller) or a bare keyword.
  SqlArgs& raw(std::string_view key, std::string sql);
  // Arguments rendered by another SqlArgs (its str()), added after these.
  SqlArgs& merge(const std::string& rendered);
  const std::string& str() const { return text_; }
  bool empty() const { return text_.empty(); }

 private:
  SqlArgs& add(std::string_view key, const std::string& value);
  std::string assign_;
  std::string text_;
};

// ['a', 'b'] with each entry a quoted literal.
std::string sql_string_list(const std::vector<std::string>& values);
// The files as a list literal for a reader's first argument.
std::string sql_file_list(const std::vector<std::filesystem::path>& files);

}  // namespace sqlflow::files
