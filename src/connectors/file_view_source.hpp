// The base of the file sources (csv, json, parquet): a Source read only through a view over one of
// DuckDB's own file readers, built over the resolved input files once and cached until the cursor changes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/connector.hpp"
#include "core/error.hpp"

namespace sqlflow::connectors {

class FileViewSource : public Source {
 public:
  // `what` names the source in messages ("CSV source"); `path` is its `path` parameter. A folder
  // is read as folder/<dir_glob> when dir_glob is given, otherwise it is an Error (see
  // files::resolve_inputs).
  FileViewSource(std::string what, nlohmann::json path, ConnectorContext context, std::string dir_glob = {});

  // Resolves the files (a missing file, an empty glob or an unreadable path is an Error naming it)
  // and builds the SELECT with build_view(), which also checks that DuckDB can bind it. Cached
  // after the first call, until set_cursor().
  std::optional<std::string> view_sql() final;
  // The columns of view_sql(), as DuckDB (a private in-memory database) binds them.
  const Schema& schema() final;

  bool supports_cursor() const override { return true; }
  // Keeps only rows with `field > lower_bound` (DuckDB casts the text to the column's type); the
  // view is built again on its next use.
  void set_cursor(const std::string& field, const std::optional<std::string>& lower_bound) final;
  // "N files, B bytes, C columns".
  std::string test_connection() override;
  // Every file the path (or glob) matches, with its size and its columns as this format's reader
  // with these params binds it alone (at most kDiscoverFiles described; a file that cannot be read
  // is listed with its error).
  Discovery discover_contents() override;
  static constexpr size_t kDiscoverFiles = 200;

  // The view is the only way to read this source: DuckDB scans the files itself.
  size_t partition_count() final { return 0; }
  std::unique_ptr<engine::PartitionReader> open(size_t index, const std::vector<size_t>& projection) final;

 protected:
  struct View {
    std::string sql;  // one SELECT, cursor_condition() included
    Schema schema;    // its columns
  };
  // The SELECT reading `files` with this format's reader, and its columns (describe() it).
  virtual View build_view(const std::vector<std::filesystem::path>& files) = 0;

  // Forgets the built view, so the next view_sql() calls build_view() again (after the source
  // changed how it reads).
  void rebuild();
  // `"field" > 'lower_bound'` once a cursor with a watermark is set, else empty.
  std::string cursor_condition() const;
  const std::string& what() const { return what_; }
  const ConnectorContext& context() const { return context_; }
  // The columns of a SELECT, bound by a private in-memory DuckDB.
  static Schema describe(const std::string& sql);
  // The data Error "<what>: cannot read '<file>' (or: N files): <message>".
  Error cannot_read(const std::vector<std::filesystem::path>& files, const std::string& message,
                    std::string hint) const;

 private:
  std::string what_;
  nlohmann::json path_;
  ConnectorContext context_;
  std::string dir_glob_;
  std::optional<std::pair<std::string, std::optional<std::string>>> cursor_;
  std::optional<std::string> view_sql_;
  std::optional<Schema> schema_;
  size_t file_count_ = 0;
  uintmax_t total_bytes_ = 0;
};

// Sets a file connector's make_source (SourceT built from OptionsT::from_params) and check_source
// (OptionsT::from_params alone: it checks the values without I/O, so `pipeline validate` reports
// a bad value, such as an unknown encoding or on_error "ignore", at the SOURCE line without
// touching a file).
template <class SourceT, class OptionsT>
void set_file_source(ConnectorInfo& info) {
  info.make_source = [](const Params& p, const ConnectorContext& ctx) -> std::unique_ptr<Source> {
    return std::make_unique<SourceT>(OptionsT::from_params(p), ctx);
  };
  info.check_source = [](const Params& p) { (void)OptionsT::from_params(p); };
}

}  // namespace sqlflow::connectors
