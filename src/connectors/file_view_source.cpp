#include "connectors/file_view_source.hpp"

#include "core/file_paths.hpp"
#include "core/quote.hpp"
#include "engine/connection.hpp"

namespace sqlflow::connectors {

FileViewSource::FileViewSource(std::string what, nlohmann::json path, ConnectorContext context,
                               std::string dir_glob)
    : what_(std::move(what)),
      path_(std::move(path)),
      context_(std::move(context)),
      dir_glob_(std::move(dir_glob)) {}

std::optional<std::string> FileViewSource::view_sql() {
  if (view_sql_) return view_sql_;
  auto in = files::resolve_inputs(path_, context_.base_dir, what_, dir_glob_);
  file_count_ = in.files.size();
  total_bytes_ = in.total_bytes;
  View view = build_view(in.files);
  schema_ = std::move(view.schema);
  view_sql_ = std::move(view.sql);
  return view_sql_;
}

const Schema& FileViewSource::schema() {
  if (!schema_) view_sql();
  return *schema_;
}

void FileViewSource::set_cursor(const std::string& field, const std::optional<std::string>& lower_bound) {
  cursor_.emplace(field, lower_bound);
  rebuild();
}

void FileViewSource::rebuild() {
  view_sql_.reset();
  schema_.reset();
}

std::string FileViewSource::test_connection() {
  view_sql();
  return std::to_string(file_count_) + (file_count_ == 1 ? " file, " : " files, ") +
         std::to_string(total_bytes_) + " bytes, " + std::to_string(schema_->size()) + " columns";
}

Discovery FileViewSource::discover_contents() {
  auto in = files::resolve_inputs(path_, context_.base_dir, what_, dir_glob_);
  Discovery d;
  std::error_code ec;
  const auto base = std::filesystem::weakly_canonical(std::filesystem::absolute(context_.base_dir), ec);
  for (const auto& f : in.files) {
    if (d.items.size() == kDiscoverFiles) {
      d.notes.push_back(std::to_string(in.files.size() - kDiscoverFiles) + " more files not described");
      break;
    }
    DiscoveredItem item;
    item.kind = "file";
    auto rel = f.lexically_relative(base);
    item.name = !rel.empty() && *rel.begin() != ".." ? rel.string() : f.string();
    item.params = {{"path", item.name}};
    if (auto size = std::filesystem::file_size(f, ec); !ec) item.bytes = size;
    try {
      for (const auto& c : build_view({f}).schema) item.columns.push_back({c.name, c.type.to_sql()});
    } catch (const Error& e) {
      item.error = e.message();
    }
    d.items.push_back(std::move(item));
  }
  rebuild();  // build_view() above described single files, not this source's read
  return d;
}

std::unique_ptr<engine::PartitionReader> FileViewSource::open(size_t, const std::vector<size_t>&) {
  throw internal_error("a file source is read through its view (view_sql), not through partitions");
}

std::string FileViewSource::cursor_condition() const {
  if (!cursor_ || !cursor_->second) return {};
  return quote_identifier(cursor_->first) + " > " + quote_literal(*cursor_->second);
}

Schema FileViewSource::describe(const std::string& sql) {
  engine::Database db;
  engine::Connection con(db);
  return con.query("SELECT * FROM (" + sql + ") LIMIT 0").schema();
}

Error FileViewSource::cannot_read(const std::vector<std::filesystem::path>& files, const std::string& message,
                                  std::string hint) const {
  return data_error(
      subject_prefix(what_) + "cannot read " +
          (files.size() == 1 ? "'" + files[0].string() + "'" : std::to_string(files.size()) + " files") +
          ": " + message,
      std::move(hint));
}

}  // namespace sqlflow::connectors
