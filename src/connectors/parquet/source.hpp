// Parquet source: a view over DuckDB's own read_parquet. Selected `columns` and `filters` become the
// view's SELECT list and WHERE clause, which DuckDB pushes into the reader: unread columns are never
// decoded, and row groups whose statistics exclude the filter are skipped. Files are read in parallel.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "connectors/file_view_source.hpp"
#include "core/error.hpp"

namespace sqlflow::connectors::parquet {

// The source's parameters: a plain struct whose initialisers are the defaults (`connect describe`
// shows them from here, parquet/params.cpp). Every check is part of parsing (`filters` become SQL).
struct ParquetSourceOptions {
  nlohmann::json path;               // a file, a folder (read as folder/**/*.parquet), a glob, or a list
  std::vector<std::string> columns;  // empty: all
  std::string where;                 // the `filters` as a SQL condition (empty: none)
  std::optional<bool> hive_partitioning;
  bool union_by_name = false;
  bool filename = false;
  bool verify_checksums = true;  // pages that carry a CRC are checked before the load (page_checksums.hpp)

  static ParquetSourceOptions from_params(const Params& params);
};

// `filters` in pyarrow's form as a SQL condition: a list of [column, op, value] triples is their
// AND; a list of such lists is the OR of those ANDs (for a column every group constrains, the OR of
// its constraints is added as an implied AND, so DuckDB can push it into the scan). op: = == != < <=
// > >= in "not in"; a null value with = or != means IS NULL / IS NOT NULL. Values become SQL
// literals, columns quoted identifiers.
std::string filters_to_sql(const nlohmann::json& filters);

class ParquetSource : public FileViewSource {
 public:
  ParquetSource(ParquetSourceOptions options, ConnectorContext context);

  // DuckDB's errors about these files (a page that fails to decompress…) as "the file is
  // corrupted", naming it. DuckDB verifies no page checksums (CRC), so damage that still decodes
  // is not detected; see `connect describe parquet`.
  std::optional<Error> explain_failure(const Error& error) override;

  // Pages checked against their CRCs while building the view (0 when no page has one).
  std::int64_t pages_checked() const { return pages_checked_; }

 protected:
  // SELECT cols FROM read_parquet([files], …) WHERE filters; DuckDB binding it checks the names in
  // `columns` and `filters` (an unknown one is an Error).
  View build_view(const std::vector<std::filesystem::path>& files) override;

 private:
  ParquetSourceOptions options_;
  std::vector<std::filesystem::path> files_;
  std::int64_t pages_checked_ = 0;
  // Throws a data Error naming the file and page whose bytes do not match their checksum.
  void verify_checksums(const std::vector<std::filesystem::path>& files);
};

}  // namespace sqlflow::connectors::parquet
