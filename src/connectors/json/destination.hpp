// JSON export: DuckDB's COPY … TO (FORMAT json) as JSON lines or one array, into a temporary file
// beside the target, moved into place on commit (see core/atomic_output.hpp).
#pragma once

#include "connectors/connector.hpp"
#include "core/atomic_output.hpp"

namespace sqlflow::connectors::json {

files::CopySpec json_copy_spec(const std::string& uri, const Params& options,
                               const ConnectorContext& context);

class JsonDestination : public Destination {
 public:
  explicit JsonDestination(files::CopySpec spec) : export_(std::move(spec)) {}
  void open(const Schema& schema, WriteMode mode, const std::vector<std::string>& keys) override;
  // Rows arrive through copy_statement(); writing chunk by chunk is not supported.
  void write(const DataChunk& chunk) override;
  void commit() override { export_.commit(); }
  void abort() noexcept override { export_.abort(); }
  std::optional<std::string> copy_statement(const std::string& select_sql) override {
    return export_.copy_statement(select_sql);
  }

 private:
  files::CopyExport export_;
};

}  // namespace sqlflow::connectors::json
