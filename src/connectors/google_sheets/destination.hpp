// The Google Sheets destination. Values are written RAW (a cell "=IMPORTXML(…)" stays text), in
// requests of about 2 MB. replace writes a staging sheet and swaps it in with one atomic
// spreadsheets.batchUpdate (delete the old sheet, rename and move the new one), so readers never
// see half a sheet and a failure leaves the old one as it was. append adds row blocks with
// values.append and, if a later block fails, deletes the rows it added (each reply says where).
// https://developers.google.com/sheets/api/samples/sheet, …/guides/values#append_values
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "connectors/google_sheets/options.hpp"

namespace sqlflow::connectors::google_sheets {

class SheetsApi;
struct SpreadsheetInfo;

class SheetsDestination final : public Destination {
 public:
  SheetsDestination(DestinationOptions options, ConnectorContext context);
  ~SheetsDestination() override;

  void open(const Schema& schema, WriteMode mode, const std::vector<std::string>& keys) override;
  void write(const DataChunk& chunk) override;
  void commit() override;
  void abort() noexcept override;
  IoStats io_stats() const override;

 private:
  void flush();
  void remove_dead_staging_sheets(const SpreadsheetInfo& info);
  void ensure_rows(std::int64_t rows);
  SheetsApi& api();

  DestinationOptions o_;
  ConnectorContext ctx_;
  std::unique_ptr<SheetsApi> api_;
  Schema schema_;
  std::optional<std::int64_t> target_id_;  // the existing sheet, if any
  std::int64_t target_index_ = 0;
  std::vector<std::pair<std::int64_t, std::int64_t>> appended_;  // 0-based row spans added (append)
  std::int64_t staging_id_ = -1;
  std::string staging_title_;
  std::int64_t grid_rows_ = 0;     // the staging sheet's grid
  std::int64_t next_row_ = 1;      // sheet row the next buffered row goes to
  std::int64_t written_rows_ = 0;  // data rows written (header excluded)
  std::string pending_;            // JSON rows ("[…],[…]") not yet sent
  std::int64_t pending_rows_ = 0;
  std::int64_t pending_first_row_ = 1;
};

}  // namespace sqlflow::connectors::google_sheets
