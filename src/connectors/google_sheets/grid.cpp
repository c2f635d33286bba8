#include "connectors/google_sheets/grid.hpp"

#include <simdjson.h>

#include "core/error.hpp"

namespace sqlflow::connectors::google_sheets {

namespace {
const Cell kEmpty{};

[[noreturn]] void malformed(const std::string& what, const std::string& why) {
  throw data_error("Google Sheets answered " + what + " with malformed JSON: " + why,
                   "this is a server-side problem; run again, and report it if it persists");
}
}  // namespace

const Cell& Grid::at(std::int64_t r, std::int64_t c) const {
  auto row = static_cast<std::size_t>(r + base_);
  if (c >= static_cast<std::int64_t>(row_len_[row])) return kEmpty;
  return cells_[row_start_[row] + static_cast<std::size_t>(c)];
}

void Grid::append_row() {
  // Empty rows the blocks left out above this one are rows of the sheet after all.
  for (; pending_empty_ > 0; --pending_empty_) {
    row_start_.push_back(cells_.size());
    row_len_.push_back(0);
  }
  row_start_.push_back(cells_.size());
  row_len_.push_back(0);
}

void Grid::add_batch(std::string_view body, const std::vector<std::int64_t>& block_rows,
                     const std::string& what) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  simdjson::dom::element doc;
  if (auto e = parser.parse(padded).get(doc)) malformed(what, simdjson::error_message(e));
  simdjson::dom::array ranges;
  if (doc["valueRanges"].get_array().get(ranges)) {
    // A batch whose ranges are all empty may still list them; no list at all is not the API.
    malformed(what, "no valueRanges array");
  }
  std::size_t i = 0;
  for (simdjson::dom::element range : ranges) {
    if (i >= block_rows.size()) malformed(what, "more value ranges than were requested");
    std::int64_t got = 0;
    simdjson::dom::array values;
    // An empty range comes without a "values" key.
    if (!range["values"].get_array().get(values)) {
      for (simdjson::dom::element row : values) {
        simdjson::dom::array cells;
        if (row.get_array().get(cells)) malformed(what, "a row is not an array");
        append_row();
        std::uint32_t len = 0;
        for (simdjson::dom::element v : cells) {
          Cell cell;
          switch (v.type()) {
            case simdjson::dom::element_type::STRING: {
              std::string_view s = v.get_string().value_unsafe();
              if (!s.empty()) {
                cell.kind = CellKind::Text;
                cell.offset = static_cast<std::uint32_t>(arena_.size());
                cell.length = static_cast<std::uint32_t>(s.size());
                arena_.append(s);
                if (arena_.size() > UINT32_MAX) throw data_error("the sheet holds more than 4 GB of text");
              }
              break;
            }
            case simdjson::dom::element_type::INT64:
            case simdjson::dom::element_type::UINT64:
            case simdjson::dom::element_type::DOUBLE:
              cell.kind = CellKind::Number;
              cell.number = v.get_double().value_unsafe();
              break;
            case simdjson::dom::element_type::BOOL:
              cell.kind = CellKind::Bool;
              cell.number = v.get_bool().value_unsafe() ? 1 : 0;
              break;
            case simdjson::dom::element_type::NULL_VALUE:
              break;
            default:
              malformed(what, "a cell is an object or an array");
          }
          cells_.push_back(cell);
          ++len;
        }
        // The API trims trailing empty cells, but "" cells may still end a row: trim them here.
        while (len > 0 && cells_.back().kind == CellKind::Empty) {
          cells_.pop_back();
          --len;
        }
        row_len_.back() = len;
        if (len > width_) width_ = len;
        ++got;
      }
    }
    if (got > block_rows[i]) malformed(what, "a value range has more rows than were requested");
    pending_empty_ += block_rows[i] - got;
    ++i;
  }
  if (i != block_rows.size()) malformed(what, "fewer value ranges than were requested");
}

}  // namespace sqlflow::connectors::google_sheets
