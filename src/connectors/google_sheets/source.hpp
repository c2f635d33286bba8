// The Google Sheets source: the sheet's size from one metadata call, then its rows in blocks of
// about 2 MB, several blocks per values:batchGet and several requests in flight within the quota,
// all held compactly so each column's type is decided over every row before the first row goes
// to the engine. https://developers.google.com/sheets/api/guides/values
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "connectors/google_sheets/options.hpp"
#include "connectors/http_io.hpp"

namespace sqlflow::connectors::google_sheets {

class SheetsApi;
class Grid;
struct SheetColumn;

class SheetsSource final : public Source {
 public:
  SheetsSource(SourceOptions options, ConnectorContext context);
  ~SheetsSource() override;

  // Reads the whole range once (metadata, then the row blocks) and decides the columns.
  const Schema& schema() override;
  size_t partition_count() override;
  std::unique_ptr<engine::PartitionReader> open(size_t index, const std::vector<size_t>& projection) override;
  std::optional<size_t> estimated_rows() override;

  // "spreadsheet 'Title' (3 sheets: Orders 5000×12, …) as loader@….iam.gserviceaccount.com".
  std::string test_connection() override;
  // Each sheet with its grid size and header row (one metadata call and one batchGet).
  Discovery discover_contents() override;
  IoStats io_stats() const override;
  // Header renames and other warnings, for the LOAD's summary.
  ReadReport after_read(engine::Connection& con, const std::string& source_name,
                        const std::string& target_table) override;

  struct State;

 private:
  SheetsApi& api();
  void load();

  SourceOptions o_;
  ConnectorContext ctx_;
  std::mutex mutex_;
  std::unique_ptr<SheetsApi> api_;
  RateLimitWatch rate_watch_;  // from the start of load() to after_read
  std::shared_ptr<State> state_;
  Schema schema_;
};

}  // namespace sqlflow::connectors::google_sheets
