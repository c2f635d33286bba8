// The destination of the file connectors (csv, json, parquet): an EXPORT written by DuckDB's COPY … TO
// into a temporary output moved into place on commit; each format only supplies its files::CopySpec.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "core/atomic_output.hpp"

namespace sqlflow::connectors {

// The parts of a CopySpec every file export shares: `what` (names it in messages, "CSV export"),
// the target (`uri` resolved against the project folder; outside it and the context's write_roots
// an Error) and the `mode` option (append or overwrite).
files::CopySpec file_export_spec(std::string what, const std::string& uri, const Params& options,
                                 const ConnectorContext& context);

// A format's CopySpec builder (csv_copy_spec …).
using CopySpecBuilder = files::CopySpec (*)(const std::string& uri, const Params& options,
                                            const ConnectorContext& context);
// Sets a file connector's make_destination (a FileExportDestination of the built CopySpec) and
// check_destination (the CopySpec built and dropped: option values checked, no file touched).
void set_file_export(ConnectorInfo& info, CopySpecBuilder copy_spec);

class FileExportDestination : public Destination {
 public:
  explicit FileExportDestination(files::CopySpec spec);
  // Replace or append (upsert is an Error: a file has no keys to match); prepares the temporary output.
  void open(const Schema& schema, WriteMode mode, const std::vector<std::string>& keys) override;
  // Rows arrive through copy_statement(); writing chunk by chunk is not supported.
  void write(const DataChunk& chunk) override;
  void commit() override { export_.commit(); }
  void abort() noexcept override { export_.abort(); }
  std::optional<std::string> copy_statement(const std::string& select_sql) override {
    return export_.copy_statement(select_sql);
  }
  const files::CopyExport& copy_export() const { return export_; }

 private:
  std::string what_;  // e.g. "CSV export"
  files::CopyExport export_;
};

}  // namespace sqlflow::connectors
