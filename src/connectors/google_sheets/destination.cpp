#include "connectors/google_sheets/destination.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <csignal>
#include <random>

#include "connectors/google_sheets/a1.hpp"
#include "connectors/google_sheets/api.hpp"
#include "connectors/http_io.hpp"
#include "core/error.hpp"

namespace sqlflow::connectors::google_sheets {

using nlohmann::json;

namespace {
// One request's values stay under about 2 MB, as Google recommends.
constexpr std::size_t kRequestBytes = 2u << 20;

void append_json_string(std::string& out, std::string_view s) {
  out += json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

// A cell as JSON: numbers as numbers while a double holds them exactly (Sheets keeps doubles;
// larger integers and NaN/Infinity go as text so no digit is lost), booleans as booleans, NULL
// as an empty cell, everything else as DuckDB's text of it.
void append_cell(std::string& out, const Vector& v, size_t row, const LogicalType& type) {
  if (!v.is_valid(row)) {
    out += "\"\"";
    return;
  }
  duckdb_type t = type.id();
  if (t == DUCKDB_TYPE_BOOLEAN) {
    out += v.get<bool>(row) ? "true" : "false";
    return;
  }
  std::string text = v.to_string(row, type);
  if (is_numeric_type(t)) {
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    bool exact = end && *end == '\0' && std::isfinite(d) &&
                 (t == DUCKDB_TYPE_FLOAT || t == DUCKDB_TYPE_DOUBLE || t == DUCKDB_TYPE_DECIMAL ||
                  std::fabs(d) <= 9007199254740992.0);
    if (exact) {
      out += text;
      return;
    }
  }
  append_json_string(out, text);
}

// "'Sheet'!A11:D20" → rows 10..19 (0-based, end exclusive); nullopt when not parseable.
std::optional<std::pair<std::int64_t, std::int64_t>> row_span(const std::string& range) {
  try {
    A1Range r = parse_a1(range);
    if (r.last_row == 0) return std::nullopt;
    return std::make_pair(r.first_row - 1, r.last_row);
  } catch (const Error&) {
    return std::nullopt;
  }
}
}  // namespace

namespace {
std::string staging_prefix(const std::string& sheet) {
  return sheet + " (sqlflow staging ";
}

std::string host_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) return "localhost";
  return host;
}
}  // namespace

void SheetsDestination::remove_dead_staging_sheets(const SpreadsheetInfo& info) {
  // "<sheet> (sqlflow staging <host>:<pid>-<n>)" of this host whose process is gone: debris of a
  // killed run. Sheets of other hosts are left alone (their runs may still be writing).
  const std::string prefix = staging_prefix(o_.sheet_name) + host_name() + ":";
  json requests = json::array();
  for (const auto& s : info.sheets) {
    if (s.title.rfind(prefix, 0) != 0) continue;
    long pid = std::strtol(s.title.c_str() + prefix.size(), nullptr, 10);
    if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)) {
      spdlog::info("google_sheets: removing sheet '{}' left by a run that no longer exists", s.title);
      requests.push_back({{"deleteSheet", {{"sheetId", s.sheet_id}}}});
    }
  }
  if (!requests.empty()) api().batch_update(o_.connection.spreadsheet_id, requests);
}

SheetsDestination::SheetsDestination(DestinationOptions options, ConnectorContext context)
    : o_(std::move(options)), ctx_(std::move(context)) {}

SheetsDestination::~SheetsDestination() = default;

SheetsApi& SheetsDestination::api() {
  if (!api_) api_ = std::make_unique<SheetsApi>(api_options(o_.connection, ctx_, true));
  return *api_;
}

void SheetsDestination::open(const Schema& schema, WriteMode mode, const std::vector<std::string>&) {
  if (mode == WriteMode::Upsert)
    throw validation_error("exports cannot upsert", "use mode replace or append");
  if (mode == WriteMode::Append) o_.mode = "append";
  schema_ = schema;
  const std::string& id = o_.connection.spreadsheet_id;
  SpreadsheetInfo info = api().metadata(id);
  for (const auto& s : info.sheets)
    if (s.title == o_.sheet_name) {
      target_id_ = s.sheet_id;
      target_index_ = s.index;
    }
  const auto cols = static_cast<std::int64_t>(std::max<std::size_t>(schema_.size(), 1));
  bool header = o_.include_header;
  if (o_.mode == "append" && target_id_) {
    // Rows go below the table values.append finds; a header only when the sheet has no table yet.
    json probe = json::parse(
        api().batch_get(id, {{quote_sheet_name(o_.sheet_name) + "!A1:" + column_letters(cols) + "1"}},
                        "UNFORMATTED_VALUE", 1)[0],
        nullptr, false);
    bool empty = !(probe.contains("valueRanges") && !probe["valueRanges"].empty() &&
                   probe["valueRanges"][0].contains("values"));
    header = header && empty;
  } else {
    remove_dead_staging_sheets(info);
    // A staging sheet: the target's title with a suffix no user picks, naming this host and
    // process so a later run can tell a killed run's sheet from one still being written.
    std::mt19937_64 rng{std::random_device{}()};
    staging_title_ = staging_prefix(o_.sheet_name) + host_name() + ":" + std::to_string(::getpid()) + "-" +
                     std::to_string(rng() % 1000000) + ")";
    json add = {
        {"addSheet",
         {{"properties",
           {{"title", staging_title_}, {"gridProperties", {{"rowCount", 1000}, {"columnCount", cols}}}}}}}};
    json reply = api().batch_update(id, json::array({add}));
    staging_id_ = reply.value("/replies/0/addSheet/properties/sheetId"_json_pointer, std::int64_t{-1});
    if (staging_id_ < 0) throw connection_error("Google Sheets did not return the staging sheet's id", false);
    grid_rows_ = 1000;
  }
  if (header) {
    pending_ += "[";
    for (std::size_t c = 0; c < schema_.size(); ++c) {
      if (c) pending_ += ",";
      append_json_string(pending_, schema_[c].name);
    }
    pending_ += "]";
    ++pending_rows_;
  }
}

void SheetsDestination::write(const DataChunk& chunk) {
  for (size_t r = 0; r < chunk.size(); ++r) {
    if (pending_rows_) pending_ += ",";
    pending_ += "[";
    for (size_t c = 0; c < schema_.size(); ++c) {
      if (c) pending_ += ",";
      append_cell(pending_, chunk.column(c), r, schema_[c].type);
    }
    pending_ += "]";
    ++pending_rows_;
    ++written_rows_;
    if (pending_.size() >= kRequestBytes || (o_.batch_size > 0 && pending_rows_ >= o_.batch_size)) flush();
  }
}

void SheetsDestination::ensure_rows(std::int64_t rows) {
  if (rows <= grid_rows_) return;
  // Grow geometrically so a long export costs few resize requests; commit trims the grid.
  std::int64_t add = std::max(rows - grid_rows_, grid_rows_);
  json req = {{"appendDimension", {{"sheetId", staging_id_}, {"dimension", "ROWS"}, {"length", add}}}};
  api().batch_update(o_.connection.spreadsheet_id, json::array({req}));
  grid_rows_ += add;
}

void SheetsDestination::flush() {
  if (pending_rows_ == 0) return;
  const auto cols = static_cast<std::int64_t>(std::max<std::size_t>(schema_.size(), 1));
  std::string body = "{\"majorDimension\":\"ROWS\",\"values\":[" + pending_ + "]}";
  const std::string& id = o_.connection.spreadsheet_id;
  if (staging_id_ >= 0) {
    std::int64_t last = next_row_ + pending_rows_ - 1;
    ensure_rows(last);
    api().update_values(id, a1_block(staging_title_, 1, cols, next_row_, last), body);
    next_row_ = last + 1;
  } else {
    std::string range = quote_sheet_name(o_.sheet_name) + "!A1:" + column_letters(cols) + "1";
    json reply = json::parse(api().append_values(id, range, body), nullptr, false);
    std::string updated =
        reply.is_object() ? reply.value("/updates/updatedRange"_json_pointer, std::string()) : "";
    auto span = row_span(updated);
    if (!span)
      throw connection_error("Google Sheets did not say where it appended the rows (no updates.updatedRange)",
                             false);
    appended_.push_back(*span);
  }
  pending_.clear();
  pending_rows_ = 0;
}

void SheetsDestination::commit() {
  const std::string& id = o_.connection.spreadsheet_id;
  flush();
  if (staging_id_ >= 0) {
    const auto cols = static_cast<std::int64_t>(std::max<std::size_t>(schema_.size(), 1));
    std::int64_t rows = std::max<std::int64_t>(next_row_ - 1, 1);
    json requests = json::array();
    if (target_id_) requests.push_back({{"deleteSheet", {{"sheetId", *target_id_}}}});
    json props = {{"sheetId", staging_id_},
                  {"title", o_.sheet_name},
                  {"gridProperties", {{"rowCount", rows}, {"columnCount", cols}}}};
    std::string fields = "title,gridProperties.rowCount,gridProperties.columnCount";
    if (target_id_) {
      props["index"] = target_index_;
      fields += ",index";
    }
    requests.push_back({{"updateSheetProperties", {{"properties", props}, {"fields", fields}}}});
    api().batch_update(id, requests);  // one atomic swap
    staging_id_ = -1;
  }
  appended_.clear();
}

void SheetsDestination::abort() noexcept {
  if (!api_) return;
  const std::string& id = o_.connection.spreadsheet_id;
  try {
    if (staging_id_ >= 0) {
      api_->batch_update(id, json::array({{{"deleteSheet", {{"sheetId", staging_id_}}}}}));
      staging_id_ = -1;
    }
    if (!appended_.empty() && target_id_) {
      // Undo the row blocks already appended, last first so earlier spans keep their rows.
      json requests = json::array();
      for (auto it = appended_.rbegin(); it != appended_.rend(); ++it)
        requests.push_back({{"deleteDimension",
                             {{"range",
                               {{"sheetId", *target_id_},
                                {"dimension", "ROWS"},
                                {"startIndex", it->first},
                                {"endIndex", it->second}}}}}});
      api_->batch_update(id, requests);
      appended_.clear();
    }
  } catch (const std::exception& e) {
    spdlog::error("google_sheets: could not undo the partial export to '{}': {}", o_.sheet_name, e.what());
  }
}

IoStats SheetsDestination::io_stats() const {
  return api_ ? io_stats_of(api_->client()) : IoStats{};
}

}  // namespace sqlflow::connectors::google_sheets
