#include "connectors/google_sheets/source.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "connectors/google_sheets/a1.hpp"
#include "connectors/google_sheets/api.hpp"
#include "connectors/google_sheets/columns.hpp"
#include "connectors/google_sheets/grid.hpp"
#include "connectors/http_io.hpp"
#include "core/ascii.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"

namespace sqlflow::connectors::google_sheets {

namespace {
// Bytes a cell takes in a values response, roughly: a block of 100,000 cells stays near 2 MB,
// the size Google recommends for one payload.
constexpr std::int64_t kCellsPerBlock = 100000;

}  // namespace

struct SheetsSource::State {
  Grid grid;
  std::vector<SheetColumn> columns;
  std::int64_t first_data_row = 1;  // sheet row of the grid's row 0 (after the header)
  std::vector<std::string> warnings;
};

namespace {
class Reader final : public engine::PartitionReader {
 public:
  Reader(std::shared_ptr<SheetsSource::State> state, std::vector<size_t> projection)
      : state_(std::move(state)), projection_(std::move(projection)) {}
  size_t next(DataChunk& out) override {
    std::int64_t left = state_->grid.rows() - row_;
    if (left <= 0) return 0;
    auto count =
        static_cast<size_t>(std::min<std::int64_t>(left, static_cast<std::int64_t>(DataChunk::capacity())));
    for (size_t i = 0; i < projection_.size(); ++i)
      write_column(state_->grid, state_->columns[projection_[i]], row_, count, out.column(i),
                   state_->first_data_row + row_);
    row_ += static_cast<std::int64_t>(count);
    return count;
  }

 private:
  std::shared_ptr<SheetsSource::State> state_;
  std::vector<size_t> projection_;
  std::int64_t row_ = 0;
};
}  // namespace

SheetsSource::SheetsSource(SourceOptions options, ConnectorContext context)
    : o_(std::move(options)), ctx_(std::move(context)) {}

SheetsSource::~SheetsSource() = default;

SheetsApi& SheetsSource::api() {
  if (!api_) api_ = std::make_unique<SheetsApi>(api_options(o_.connection, ctx_, false));
  return *api_;
}

void SheetsSource::load() {
  auto state = std::make_shared<State>();
  const std::string& id = o_.connection.spreadsheet_id;
  rate_watch_.start(api().client());
  SpreadsheetInfo info = api().metadata(id);
  if (info.sheets.empty()) throw validation_error("spreadsheet '" + info.title + "' has no sheets");

  A1Range range;
  if (!o_.range.empty()) range = parse_a1(o_.range);
  if (!range.sheet.empty() && !o_.sheet_name.empty() && range.sheet != o_.sheet_name)
    throw validation_error("range \"" + o_.range + "\" names sheet '" + range.sheet +
                               "' but sheet_name is '" + o_.sheet_name + "'",
                           "give the sheet in one of them");
  std::string title = !range.sheet.empty()     ? range.sheet
                      : !o_.sheet_name.empty() ? o_.sheet_name
                                               : info.sheets[0].title;
  const SheetProperties& sheet = info.sheet(title);

  std::int64_t first_col = range.first_column;
  std::int64_t last_col = range.last_column ? std::min(range.last_column, sheet.columns) : sheet.columns;
  std::int64_t first_row = o_.header_row > 0 ? std::max(o_.header_row, range.first_row) : range.first_row;
  std::int64_t last_row = range.last_row ? std::min(range.last_row, sheet.rows) : sheet.rows;
  const std::int64_t cols = std::max<std::int64_t>(1, last_col - first_col + 1);
  const std::int64_t block =
      o_.batch_size > 0 ? o_.batch_size : std::clamp<std::int64_t>(kCellsPerBlock / cols, 100, 50000);

  // Blocks of rows, grouped up to ranges_per_request to a request but spread over at least
  // parallel_requests requests when there are enough blocks (so the server works on them at once),
  // requested parallel_requests at a time.
  const std::int64_t blocks = last_row >= first_row ? (last_row - first_row + block) / block : 0;
  const std::int64_t per_request = std::clamp<std::int64_t>(
      (blocks + o_.parallel_requests - 1) / o_.parallel_requests, 1, o_.ranges_per_request);
  std::vector<std::vector<std::string>> groups;
  std::vector<std::vector<std::int64_t>> group_rows;
  for (std::int64_t r = first_row; r <= last_row && first_col <= last_col; r += block) {
    std::int64_t end = std::min(last_row, r + block - 1);
    if (groups.empty() || static_cast<std::int64_t>(groups.back().size()) >= per_request) {
      groups.emplace_back();
      group_rows.emplace_back();
    }
    groups.back().push_back(a1_block(sheet.title, first_col, last_col, r, end));
    group_rows.back().push_back(end - r + 1);
  }
  spdlog::debug("google_sheets: '{}' {}×{} grid, {} rows per block, {} requests", sheet.title, sheet.rows,
                sheet.columns, block, groups.size());
  const std::string render = api_value_render(o_.value_render);
  for (std::size_t g = 0; g < groups.size(); g += static_cast<std::size_t>(o_.parallel_requests)) {
    std::size_t end = std::min(groups.size(), g + static_cast<std::size_t>(o_.parallel_requests));
    std::vector<std::vector<std::string>> wave(groups.begin() + static_cast<std::ptrdiff_t>(g),
                                               groups.begin() + static_cast<std::ptrdiff_t>(end));
    std::vector<std::string> bodies = api().batch_get(id, wave, render, wave.size());
    for (std::size_t i = 0; i < bodies.size(); ++i) {
      state->grid.add_batch(bodies[i], group_rows[g + i], "the values of '" + sheet.title + "'");
      std::string().swap(bodies[i]);
    }
  }

  std::int64_t width = state->grid.width();
  if (width == 0)
    throw validation_error("sheet '" + sheet.title + "' of spreadsheet '" + info.title + "' is empty" +
                               (o_.range.empty() ? std::string() : " in range " + o_.range),
                           "check sheet_name and range");
  std::vector<std::string> names =
      column_names(state->grid, o_.has_header, width, first_col, state->warnings);
  if (o_.has_header) state->grid.drop_first_row();
  state->first_data_row = first_row + (o_.has_header ? 1 : 0);
  for (std::int64_t c = 0; c < width; ++c) state->columns.push_back({names[c], ColumnType::Varchar, c});
  for (const auto& [name, type] : o_.columns) {
    auto it = std::find_if(state->columns.begin(), state->columns.end(), [&](const SheetColumn& col) {
      return ascii_lower(col.name) == ascii_lower(name);
    });
    if (it == state->columns.end())
      throw validation_error("\"columns\" names '" + name + "', which is not a column of sheet '" +
                                 sheet.title + "'" + did_you_mean(name, names),
                             "the columns are the header row's names");
  }
  for (auto& col : state->columns) {
    auto declared = std::find_if(o_.columns.begin(), o_.columns.end(), [&](const auto& kv) {
      return ascii_lower(kv.first) == ascii_lower(col.name);
    });
    col.type = declared != o_.columns.end() ? parse_column_type(declared->first, declared->second)
                                            : infer_type(state->grid, col.index);
    schema_.push_back({col.name, logical_type(col.type)});
  }
  for (const auto& w : state->warnings) spdlog::warn("google_sheets: sheet '{}': {}", sheet.title, w);
  state_ = std::move(state);
}

const Schema& SheetsSource::schema() {
  std::lock_guard lock(mutex_);
  if (!state_) load();
  return schema_;
}

size_t SheetsSource::partition_count() {
  (void)schema();
  return 1;  // rows in sheet order; converting cells in memory is not worth a second thread
}

std::unique_ptr<engine::PartitionReader> SheetsSource::open(size_t, const std::vector<size_t>& projection) {
  (void)schema();
  return std::make_unique<Reader>(state_, projection);
}

std::optional<size_t> SheetsSource::estimated_rows() {
  (void)schema();
  return static_cast<size_t>(state_->grid.rows());
}

std::string SheetsSource::test_connection() {
  SpreadsheetInfo info = api().metadata(o_.connection.spreadsheet_id);
  std::string sheets;
  for (const auto& s : info.sheets)
    sheets += (sheets.empty() ? "" : ", ") + s.title + " " + std::to_string(s.rows) + "×" +
              std::to_string(s.columns);
  if (!o_.sheet_name.empty()) (void)info.sheet(o_.sheet_name);
  return "spreadsheet '" + info.title + "' (" + std::to_string(info.sheets.size()) +
         (info.sheets.size() == 1 ? " sheet: " : " sheets: ") + sheets + ") as " + api().client_email();
}

Discovery SheetsSource::discover_contents() {
  const std::string& id = o_.connection.spreadsheet_id;
  SpreadsheetInfo info = api().metadata(id);
  Discovery d;
  d.notes.push_back("spreadsheet '" + info.title + "'");
  if (info.sheets.empty()) return d;
  std::vector<std::string> ranges;
  for (const auto& s : info.sheets) ranges.push_back(quote_sheet_name(s.title) + "!1:1");
  std::string body = api().batch_get(id, {ranges}, "FORMATTED_VALUE", 1)[0];
  Grid headers;
  headers.add_batch(body, std::vector<std::int64_t>(ranges.size(), 1), "the header rows");
  // Sheets without a header row leave no row in the grid: match rows to sheets by the replies.
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  std::int64_t row = 0;
  for (std::size_t i = 0; i < info.sheets.size(); ++i) {
    const auto& s = info.sheets[i];
    DiscoveredItem item;
    item.kind = "sheet";
    item.name = s.title;
    item.detail = std::to_string(s.rows) + "×" + std::to_string(s.columns);
    item.params = {{"sheet_name", s.title}};
    bool has_row = j.is_object() && j.contains("valueRanges") && i < j["valueRanges"].size() &&
                   j["valueRanges"][i].contains("values");
    if (!has_row) {
      item.note = "empty first row";
      d.items.push_back(std::move(item));
      continue;
    }
    for (std::int64_t c = 0; c < headers.width(); ++c) {
      const Cell& cell = headers.at(row, c);
      if (cell.kind == CellKind::Empty) continue;
      item.columns.push_back(
          {cell.kind == CellKind::Text ? std::string(headers.text(cell)) : std::string("(value)"), ""});
    }
    ++row;
    d.items.push_back(std::move(item));
  }
  return d;
}

IoStats SheetsSource::io_stats() const {
  return api_ ? io_stats_of(api_->client()) : IoStats{};
}

ReadReport SheetsSource::after_read(engine::Connection&, const std::string&, const std::string&) {
  ReadReport r;
  if (state_) r.warnings = state_->warnings;
  if (api_)
    if (auto note = rate_watch_.finish(api_->client(),
                                       "PARAMS requests_per_minute (if the project's quota was raised)"))
      r.warnings.push_back(*note);
  return r;
}

}  // namespace sqlflow::connectors::google_sheets
