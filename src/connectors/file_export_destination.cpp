#include "connectors/file_export_destination.hpp"

#include "core/error.hpp"
#include "core/file_paths.hpp"

namespace sqlflow::connectors {

namespace {
// A target outside the project (and outside the profile's allowed_paths) is refused: lexically,
// so "../../x" is caught before anything is created, whatever exists on disk.
void check_inside_roots(const std::string& what, const std::string& uri, const std::filesystem::path& target,
                        const ConnectorContext& context) {
  namespace fs = std::filesystem;
  const fs::path t = fs::absolute(target).lexically_normal();
  auto below = [&](const fs::path& root) {
    const fs::path r = fs::absolute(root).lexically_normal();
    auto rel = t.lexically_relative(r);
    return !rel.empty() && *rel.begin() != "..";
  };
  if (below(context.base_dir)) return;
  for (const auto& root : context.write_roots)
    if (below(root)) return;
  throw validation_error(
      subject_prefix(what) + "\"" + uri + "\" is outside the project (" +
          fs::absolute(context.base_dir).lexically_normal().string() + ")",
      "write inside the project, list the folder under allowed_paths: in the profile, or run "
      "with --allow-outside-project");
}
}  // namespace

files::CopySpec file_export_spec(std::string what, const std::string& uri, const Params& options,
                                 const ConnectorContext& context) {
  files::CopySpec spec;
  spec.what = std::move(what);
  spec.target = files::resolve(uri, context.base_dir);
  if (!context.write_anywhere) check_inside_roots(spec.what, uri, spec.target, context);
  spec.append = files::export_append_mode(options, spec.what);
  return spec;
}

void set_file_export(ConnectorInfo& info, CopySpecBuilder copy_spec) {
  info.make_destination = [copy_spec](const std::string& uri, const Params& p,
                                      const ConnectorContext& ctx) -> std::unique_ptr<Destination> {
    return std::make_unique<FileExportDestination>(copy_spec(uri, p, ctx));
  };
  info.check_destination = [copy_spec](const std::string& uri, const Params& p, const ConnectorContext& ctx) {
    (void)copy_spec(uri, p, ctx);
  };
  info.clean_debris = [](const std::string& uri, const ConnectorContext& ctx) {
    files::AtomicOutput::clean_debris(files::resolve(uri, ctx.base_dir));
  };
}

FileExportDestination::FileExportDestination(files::CopySpec spec)
    : what_(spec.what), export_(std::move(spec)) {}

void FileExportDestination::open(const Schema& schema, WriteMode mode, const std::vector<std::string>&) {
  if (mode == WriteMode::Upsert)
    throw validation_error(subject_prefix(what_) + "a file cannot be upserted",
                           "use mode overwrite or append");
  std::vector<std::string> names;
  for (const auto& c : schema) names.push_back(c.name);
  export_.open(names, mode == WriteMode::Append);
}

void FileExportDestination::write(const DataChunk&) {
  throw internal_error(subject_prefix(what_) + "rows are written by copy_statement(), not write()");
}

}  // namespace sqlflow::connectors
