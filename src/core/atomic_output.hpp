// Atomic file and folder outputs: a writer fills a temporary sibling of the target and commit()
// moves it into place with one rename, so readers and crashes see the previous output or the
// complete new one, never a mix; leftovers of killed runs are recognised and cleaned later.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace sqlflow::files {

class FlushBehind;

// Temporary entries are named ".<target name>.sqlflow-tmp-<pid>-<random>" (and "-old-" for a
// backup during a folder swap) in the target's folder, so the process that made them is known:
// debris whose process is gone is removed by the next AtomicOutput for the same target.
class AtomicOutput {
 public:
  enum class Layout { File, Folder };

  // `what` names the writer in messages ("CSV export").
  AtomicOutput(std::filesystem::path target, Layout layout, std::string what);
  ~AtomicOutput();  // abort() unless committed
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  // Checks the target (a folder where a file is expected, or the reverse, is an Error naming it),
  // creates missing parent folders, removes debris of killed runs and proves the folder is
  // writable: the temporary folder is created; the temporary file is created and removed again,
  // for the writer to create (see atomic_output.cpp on why). Call once, before writing.
  void prepare();

  const std::filesystem::path& target() const { return target_; }
  // Where the writer writes: the temporary file, or the temporary folder to fill. After prepare().
  const std::filesystem::path& temp_path() const { return temp_; }
  // Whether the target existed when prepare() ran.
  bool target_exists() const { return target_existed_; }

  // File layout (append by concatenation, for formats whose files concatenate: CSV, JSON lines,
  // gzip/zstd streams): afterwards temp_path() holds the current target's bytes followed by the
  // bytes written to temp_path(). No-op when there is no target.
  void prepend_existing_target();
  // Folder layout (append, overwrite_or_ignore): adds to the temporary folder every file of the
  // current target whose relative path it does not already hold, as hard links (copies where the
  // filesystem refuses links), so the new tree holds the old files beside the new ones.
  void merge_existing_target();

  // Flushes the temporary entry to disk and moves it over the target in one step (rename(2) for a
  // file; renameat2(RENAME_EXCHANGE) for a folder, whose previous tree is then deleted). After
  // commit() the output is done; a failure throws and leaves the previous target in place.
  void commit();
  // Removes everything this output created (temporary entries, parent folders it made that are
  // still empty). Never throws; a no-op after commit().
  void abort() noexcept;

  // Removes the debris of `target` left by processes that no longer run, and restores a previous
  // folder output left aside by a swap that was interrupted between its renames. Returns how many
  // entries were cleaned. Called by prepare(); public for tests and `sqlflow` maintenance.
  static size_t clean_debris(const std::filesystem::path& target);

 private:
  // Forgets the temporary output in interrupt's list (it was moved into place or removed).
  void untrack() noexcept;

  std::filesystem::path target_;
  Layout layout_;
  std::string what_;
  std::filesystem::path temp_;
  std::filesystem::path created_parent_;  // the top-most parent folder prepare() created, if any
  bool target_existed_ = false;
  bool prepared_ = false;
  bool done_ = false;
  std::unique_ptr<FlushBehind> flush_behind_;  // starts writeback while the writer writes
};

// `content` written to `path` whole through an AtomicOutput (missing parent folders created):
// readers see the old file or the new one. A failed write throws
// Error(kind, "cannot write <what> '<path>'", hint).
void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           const std::string& what, ErrorKind kind, const std::string& hint);

// How a file export adds to an existing single-file target in append mode.
enum class AppendMethod {
  Concatenate,  // the new rows are written as a part file appended to a copy of the target (CSV, JSON lines)
  Rewrite,  // the target is rewritten as its old rows UNION ALL BY NAME the new ones (Parquet, JSON array)
};

// What a file EXPORT writes and how; the format-specific parts come from each connector.
struct CopySpec {
  std::string what;                       // names the export in messages, e.g. "CSV export"
  std::filesystem::path target;           // absolute: a file, or the folder of a partitioned export
  std::string options;                    // DuckDB COPY options, e.g. "FORMAT csv, HEADER true"
  std::vector<std::string> partition_by;  // non-empty: a hive-partitioned folder
  bool append = false;                    // keep what the target holds and add the new rows
  bool overwrite_or_ignore = false;       // partitioned: keep old files the new output does not replace
  AppendMethod append_method = AppendMethod::Rewrite;
  std::string append_options;  // Concatenate: COPY options of the appended part (e.g. no header)
  // Rewrite: a SELECT reading the existing target, given its path as a SQL literal.
  std::function<std::string(const std::string& path_literal)> read_existing;
  // Concatenate: the column names of the existing target in file order (a CSV header), so the
  // appended rows are matched by name, not position. Empty function: matched by position.
  std::function<std::vector<std::string>(const std::filesystem::path& target)> existing_columns;
};

// A file EXPORT through DuckDB's COPY … TO, made atomic with AtomicOutput: open() prepares the
// temporary output, copy_statement() is the COPY to run, commit() puts the result in place.
class CopyExport {
 public:
  explicit CopyExport(CopySpec spec);
  // Checks partition_by against the exported columns (an unknown name is an Error naming it) and
  // prepares the temporary output; `append` adds to the spec's own mode. Call once.
  void open(const std::vector<std::string>& column_names, bool append = false);
  // The COPY statement that writes `select_sql` (one SELECT) into the temporary output.
  std::string copy_statement(const std::string& select_sql) const;
  // Completes the append (if any) and moves the output into place.
  void commit();
  void abort() noexcept;
  const AtomicOutput& output() const { return *output_; }

 private:
  std::string select_in_file_order(const std::vector<std::string>& file_columns,
                                   const std::vector<std::string>& exported) const;

  CopySpec spec_;
  std::optional<AtomicOutput> output_;
  std::string append_select_;  // Concatenate by name: the SELECT list putting the rows in the file's order
};

// The `mode` option of a file export: false for "overwrite" (or "replace"), true for "append";
// anything else is an Error. Absent: overwrite.
bool export_append_mode(const nlohmann::json& options, const std::string& what);
// The `partition_by` option: a column name or a list of them (empty when absent).
std::vector<std::string> export_partition_by(const nlohmann::json& options, const std::string& what);

}  // namespace sqlflow::files
