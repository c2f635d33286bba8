// generate connector: ParamSpecs and registration.
#include "connectors/generate/source.hpp"
#include "connectors/registry.hpp"

namespace sqlflow::connectors::generate {
namespace {

ConnectorInfo generate_info() {
  ConnectorInfo info;
  info.type = "generate";
  info.description = "Deterministic generated rows (id, value, name, ts) for tests and benchmarks.";
  info.source_params = {{"rows", ParamType::Int, true, nullptr, "number of rows to produce"},
                        {"partition_rows", ParamType::Int, false, 122880,
                         "rows per partition (partitions are read in parallel)"}};
  info.make_source = [](const Params& p, const ConnectorContext&) {
    auto rows = p.at("rows").get<int64_t>();
    auto part = p.at("partition_rows").get<int64_t>();
    if (rows < 0 || part <= 0) throw validation_error("rows must be ≥ 0 and partition_rows > 0");
    return std::make_unique<GenerateSource>(static_cast<uint64_t>(rows), static_cast<uint64_t>(part));
  };
  return info;
}

}  // namespace
SQLFLOW_REGISTER_CONNECTOR(generate_info);
}  // namespace sqlflow::connectors::generate
