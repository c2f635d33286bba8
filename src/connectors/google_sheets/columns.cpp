#include "connectors/google_sheets/columns.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>

#include "connectors/google_sheets/a1.hpp"
#include "core/ascii.hpp"
#include "core/civil_time.hpp"
#include "core/error.hpp"

namespace sqlflow::connectors::google_sheets {

namespace {
std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// Sheets counts days from 1899-12-30 (day 0); Unix time from 1970-01-01, serial 25569.
constexpr double kUnixEpochSerial = 25569.0;

// A number as Sheets shows it unformatted: integers without a fraction, others shortest.
std::string number_text(double v) {
  char buf[64];
  if (std::nearbyint(v) == v && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

bool is_safe_integer(double v) {
  return std::nearbyint(v) == v && std::fabs(v) <= 9007199254740992.0;  // 2^53: exact in a double
}

// "2024-03-01", "2024-03-01 10:20:30" or "2024-03-01T10:20:30[.fff][Z]" → microseconds since
// the Unix epoch; false when the text is none of these.
bool parse_iso(std::string_view s, bool date_only, std::int64_t& micros) {
  int y, mo, d, h = 0, mi = 0;
  double sec = 0;
  char sep = 0;
  std::string t(s);
  int n = std::sscanf(t.c_str(), "%4d-%2d-%2d%c%2d:%2d:%lf", &y, &mo, &d, &sep, &h, &mi, &sec);
  if (n < 3 || mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  if (n > 3 && (date_only || (sep != ' ' && sep != 'T') || n < 6)) return n == 3;
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  micros = days * 86400000000LL + (static_cast<std::int64_t>(h) * 3600 + mi * 60) * 1000000LL +
           static_cast<std::int64_t>(std::llround(sec * 1e6));
  return true;
}
}  // namespace

std::vector<std::string> column_names(const Grid& grid, bool has_header, std::int64_t width,
                                      std::int64_t first_column, std::vector<std::string>& warnings) {
  std::vector<std::string> names;
  std::set<std::string> taken;  // lower case: DuckDB's identifiers are case-insensitive
  std::vector<std::string> blanks, dups;
  for (std::int64_t c = 0; c < width; ++c) {
    std::string name;
    if (has_header && grid.rows() > 0) {
      const Cell& cell = grid.at(0, c);
      if (cell.kind == CellKind::Text)
        name = trim(grid.text(cell));
      else if (cell.kind == CellKind::Number)
        name = number_text(cell.number);
      else if (cell.kind == CellKind::Bool)
        name = cell.number != 0 ? "TRUE" : "FALSE";
    }
    std::string sheet_column = column_letters(first_column + c);
    if (name.empty()) {
      name = "column_" + std::to_string(first_column + c);
      if (has_header) blanks.push_back(sheet_column + " → " + name);
    }
    if (taken.count(ascii_lower(name))) {
      std::string base = name;
      int k = 2;
      while (taken.count(ascii_lower(base + "_" + std::to_string(k)))) ++k;
      name = base + "_" + std::to_string(k);
      dups.push_back(sheet_column + " '" + base + "' → " + name);
    }
    taken.insert(ascii_lower(name));
    names.push_back(std::move(name));
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  if (!blanks.empty()) warnings.push_back("header cells are empty; named by column: " + join(blanks));
  if (!dups.empty()) warnings.push_back("header names repeat; renamed: " + join(dups));
  return names;
}

ColumnType parse_column_type(const std::string& column, const std::string& type) {
  std::string t = ascii_lower(trim(type));
  if (t == "varchar" || t == "text" || t == "string") return ColumnType::Varchar;
  if (t == "bigint" || t == "int64" || t == "long") return ColumnType::BigInt;
  if (t == "integer" || t == "int" || t == "int32") return ColumnType::Integer;
  if (t == "double" || t == "float" || t == "real" || t == "float8") return ColumnType::Double;
  if (t == "boolean" || t == "bool") return ColumnType::Boolean;
  if (t == "date") return ColumnType::Date;
  if (t == "timestamp" || t == "datetime") return ColumnType::Timestamp;
  throw validation_error("column '" + column + "' has type '" + type + "', which is not supported",
                         "use VARCHAR, BIGINT, INTEGER, DOUBLE, BOOLEAN, DATE or TIMESTAMP");
}

LogicalType logical_type(ColumnType type) {
  switch (type) {
    case ColumnType::Varchar:
      return LogicalType::of(DUCKDB_TYPE_VARCHAR);
    case ColumnType::BigInt:
      return LogicalType::of(DUCKDB_TYPE_BIGINT);
    case ColumnType::Integer:
      return LogicalType::of(DUCKDB_TYPE_INTEGER);
    case ColumnType::Double:
      return LogicalType::of(DUCKDB_TYPE_DOUBLE);
    case ColumnType::Boolean:
      return LogicalType::of(DUCKDB_TYPE_BOOLEAN);
    case ColumnType::Date:
      return LogicalType::of(DUCKDB_TYPE_DATE);
    case ColumnType::Timestamp:
      return LogicalType::of(DUCKDB_TYPE_TIMESTAMP);
  }
  return LogicalType::of(DUCKDB_TYPE_VARCHAR);
}

ColumnType infer_type(const Grid& grid, std::int64_t index) {
  bool any = false, all_bool = true, all_number = true, all_integer = true;
  for (std::int64_t r = 0; r < grid.rows(); ++r) {
    const Cell& cell = grid.at(r, index);
    if (cell.kind == CellKind::Empty) continue;
    any = true;
    if (cell.kind != CellKind::Bool) all_bool = false;
    if (cell.kind != CellKind::Number) {
      all_number = false;
    } else if (!is_safe_integer(cell.number)) {
      all_integer = false;
    }
    if (!all_bool && !all_number) return ColumnType::Varchar;
  }
  if (!any) return ColumnType::Varchar;
  if (all_bool) return ColumnType::Boolean;
  return all_integer ? ColumnType::BigInt : ColumnType::Double;
}

void write_column(const Grid& grid, const SheetColumn& column, std::int64_t first_row, std::size_t count,
                  const Vector& out, std::int64_t sheet_row_of_first) {
  auto bad = [&](std::size_t i, const std::string& shown) {
    return data_error("row " + std::to_string(sheet_row_of_first + static_cast<std::int64_t>(i)) +
                          ", column '" + column.name + "': " + shown + " is not a valid " +
                          logical_type(column.type).to_sql(),
                      "fix the cell, or declare the column as VARCHAR in \"columns\"");
  };
  for (std::size_t i = 0; i < count; ++i) {
    const Cell& cell = grid.at(first_row + static_cast<std::int64_t>(i), column.index);
    if (cell.kind == CellKind::Empty) {
      out.set_null(i);
      continue;
    }
    std::string_view text = cell.kind == CellKind::Text ? grid.text(cell) : std::string_view();
    auto shown = [&]() {
      if (cell.kind == CellKind::Text) return "'" + std::string(text.substr(0, 60)) + "'";
      if (cell.kind == CellKind::Bool) return std::string(cell.number != 0 ? "TRUE" : "FALSE");
      return number_text(cell.number);
    };
    switch (column.type) {
      case ColumnType::Varchar:
        if (cell.kind == CellKind::Text)
          out.set_string(i, text);
        else
          out.set_string(i, shown());
        break;
      case ColumnType::BigInt:
      case ColumnType::Integer: {
        std::int64_t v = 0;
        if (cell.kind == CellKind::Number && is_safe_integer(cell.number)) {
          v = static_cast<std::int64_t>(cell.number);
        } else if (cell.kind == CellKind::Text) {
          std::string t = trim(text);
          auto r = std::from_chars(t.data(), t.data() + t.size(), v);
          if (r.ec != std::errc() || r.ptr != t.data() + t.size()) throw bad(i, shown());
        } else {
          throw bad(i, shown());
        }
        if (column.type == ColumnType::Integer) {
          if (v < INT32_MIN || v > INT32_MAX) throw bad(i, shown());
          out.set<std::int32_t>(i, static_cast<std::int32_t>(v));
        } else {
          out.set<std::int64_t>(i, v);
        }
        break;
      }
      case ColumnType::Double: {
        double v = cell.number;
        if (cell.kind == CellKind::Text) {
          std::string t = trim(text);
          auto r = std::from_chars(t.data(), t.data() + t.size(), v);
          if (r.ec != std::errc() || r.ptr != t.data() + t.size()) throw bad(i, shown());
        } else if (cell.kind != CellKind::Number) {
          throw bad(i, shown());
        }
        out.set<double>(i, v);
        break;
      }
      case ColumnType::Boolean: {
        bool v = cell.number != 0;
        if (cell.kind == CellKind::Text) {
          std::string t = ascii_lower(trim(text));
          if (t == "true")
            v = true;
          else if (t == "false")
            v = false;
          else
            throw bad(i, shown());
        } else if (cell.kind != CellKind::Bool) {
          throw bad(i, shown());
        }
        out.set<bool>(i, v);
        break;
      }
      case ColumnType::Date:
      case ColumnType::Timestamp: {
        std::int64_t micros = 0;
        if (cell.kind == CellKind::Number) {
          // A serial number: whole days since 1899-12-30, the fraction the time of day.
          micros = std::llround((cell.number - kUnixEpochSerial) * 86400.0 * 1e6);
        } else if (cell.kind != CellKind::Text ||
                   !parse_iso(trim(text), column.type == ColumnType::Date, micros)) {
          throw bad(i, shown());
        }
        if (column.type == ColumnType::Date) {
          std::int64_t day =
              micros >= 0 ? micros / 86400000000LL : -((-micros + 86399999999LL) / 86400000000LL);
          out.set<duckdb_date>(i, duckdb_date{static_cast<std::int32_t>(day)});
        } else {
          out.set<duckdb_timestamp>(i, duckdb_timestamp{micros});
        }
        break;
      }
    }
  }
}

}  // namespace sqlflow::connectors::google_sheets
