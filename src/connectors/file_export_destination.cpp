#include "connectors/file_export_destination.hpp"

#include "core/error.hpp"
#include "core/file_paths.hpp"

namespace sqlflow::connectors {

files::CopySpec file_export_spec(std::string what, const std::string& uri, const Params& options,
                                 const ConnectorContext& context) {
  files::CopySpec spec;
  spec.what = std::move(what);
  spec.target = files::resolve(uri, context.base_dir);
  spec.append = files::export_append_mode(options, spec.what);
  return spec;
}

void set_file_export(ConnectorInfo& info, CopySpecBuilder copy_spec) {
  info.make_destination = [copy_spec](const std::string& uri, const Params& p,
                                      const ConnectorContext& ctx) -> std::unique_ptr<Destination> {
    return std::make_unique<FileExportDestination>(copy_spec(uri, p, ctx));
  };
  info.check_destination = [copy_spec](const std::string& uri, const Params& p) {
    (void)copy_spec(uri, p, ConnectorContext{});
  };
}

FileExportDestination::FileExportDestination(files::CopySpec spec)
    : what_(spec.what), export_(std::move(spec)) {}

void FileExportDestination::open(const Schema& schema, WriteMode mode, const std::vector<std::string>&) {
  if (mode == WriteMode::Upsert)
    throw validation_error(what_ + ": a file cannot be upserted", "use mode overwrite or append");
  std::vector<std::string> names;
  for (const auto& c : schema) names.push_back(c.name);
  export_.open(names, mode == WriteMode::Append);
}

void FileExportDestination::write(const DataChunk&) {
  throw internal_error(what_ + ": rows are written by copy_statement(), not write()");
}

}  // namespace sqlflow::connectors
