// CSV export: DuckDB's COPY … TO (FORMAT csv) into a temporary file beside the target, moved into
// place on commit (see core/atomic_output.hpp); append concatenates a header-less part.
#pragma once

#include "connectors/connector.hpp"
#include "core/atomic_output.hpp"

namespace sqlflow::connectors::csv {

// Builds the COPY description of an export to `uri` (resolved against the project folder).
files::CopySpec csv_copy_spec(const std::string& uri, const Params& options, const ConnectorContext& context);

class CsvDestination : public Destination {
 public:
  explicit CsvDestination(files::CopySpec spec) : export_(std::move(spec)) {}
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
  files::CopyExport export_;
};

}  // namespace sqlflow::connectors::csv
