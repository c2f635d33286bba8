#include "connectors/rest/schema_inference.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include "core/civil_time.hpp"
#include "core/error.hpp"

namespace sqlflow::connectors::rest {

const char* sql_name(WriteAs as) {
  switch (as) {
    case WriteAs::Bool:
      return "BOOLEAN";
    case WriteAs::Int32:
      return "INTEGER";
    case WriteAs::Int64:
      return "BIGINT";
    case WriteAs::Double:
      return "DOUBLE";
    case WriteAs::Varchar:
      return "VARCHAR";
    case WriteAs::Timestamp:
      return "TIMESTAMP";
    case WriteAs::Date:
      return "DATE";
  }
  return "?";
}

ValueKind widen(ValueKind a, ValueKind b) {
  using K = ValueKind;
  if (a == b) return a;
  if (a == K::Null) return b;
  if (b == K::Null) return a;
  auto numeric = [](K k) { return k == K::Int || k == K::WideInt || k == K::Double || k == K::LossyDouble; };
  auto integer = [](K k) { return k == K::Int || k == K::WideInt; };
  if (integer(a) && integer(b)) return K::WideInt;
  if (numeric(a) && numeric(b))
    return a == K::WideInt || b == K::WideInt || a == K::LossyDouble || b == K::LossyDouble ? K::LossyDouble
                                                                                            : K::Double;
  // Everything else that disagrees can only be kept as text.
  return K::String;
}

WriteAs write_as_for(ValueKind kind) {
  switch (kind) {
    case ValueKind::Bool:
      return WriteAs::Bool;
    case ValueKind::Int:
    case ValueKind::WideInt:
      return WriteAs::Int64;
    case ValueKind::Double:
    case ValueKind::LossyDouble:
      return WriteAs::Double;
    case ValueKind::Timestamp:
      return WriteAs::Timestamp;
    default:
      return WriteAs::Varchar;
  }
}

WriteAs parse_declared_type(const std::string& column, const std::string& type) {
  std::string t;
  for (char c : type)
    if (!std::isspace(static_cast<unsigned char>(c)))
      t += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (t == "BOOLEAN" || t == "BOOL" || t == "LOGICAL") return WriteAs::Bool;
  if (t == "INTEGER" || t == "INT" || t == "INT4" || t == "SIGNED") return WriteAs::Int32;
  if (t == "BIGINT" || t == "INT8" || t == "LONG") return WriteAs::Int64;
  if (t == "DOUBLE" || t == "FLOAT8" || t == "NUMERIC" || t == "REAL" || t == "FLOAT" || t == "DECIMAL")
    return WriteAs::Double;
  if (t == "VARCHAR" || t == "TEXT" || t == "STRING" || t == "JSON" || t == "CHAR" || t == "BPCHAR")
    return WriteAs::Varchar;
  if (t == "TIMESTAMP" || t == "DATETIME" || t == "TIMESTAMPTZ" || t == "TIMESTAMP WITH TIME ZONE")
    return WriteAs::Timestamp;
  if (t == "DATE") return WriteAs::Date;
  throw validation_error(
      "columns." + column + ": unsupported type '" + type + "'",
      "use BOOLEAN, INTEGER, BIGINT, DOUBLE, VARCHAR, TIMESTAMP or DATE, and CAST in SQL for others");
}

LogicalType logical_type(WriteAs as) {
  switch (as) {
    case WriteAs::Bool:
      return LogicalType::of(DUCKDB_TYPE_BOOLEAN);
    case WriteAs::Int32:
      return LogicalType::of(DUCKDB_TYPE_INTEGER);
    case WriteAs::Int64:
      return LogicalType::of(DUCKDB_TYPE_BIGINT);
    case WriteAs::Double:
      return LogicalType::of(DUCKDB_TYPE_DOUBLE);
    case WriteAs::Varchar:
      return LogicalType::of(DUCKDB_TYPE_VARCHAR);
    case WriteAs::Timestamp:
      return LogicalType::of(DUCKDB_TYPE_TIMESTAMP);
    case WriteAs::Date:
      return LogicalType::of(DUCKDB_TYPE_DATE);
  }
  return LogicalType::of(DUCKDB_TYPE_VARCHAR);
}

LogicalType logical_type(const RestColumn& column) {
  return column.json ? LogicalType::json() : logical_type(column.as);
}

void SchemaBuilder::observe(std::string_view name, ValueKind kind) {
  auto it = kinds_.find(std::string(name));
  if (it == kinds_.end()) {
    order_.emplace_back(name);
    kinds_.emplace(std::string(name), kind);
    return;
  }
  it->second = widen(it->second, kind);
}

void SchemaBuilder::observe_object(std::string_view name) {
  objects_.emplace(std::string(name), true);
}

namespace {
std::string fold(const std::string& s) {
  std::string out = s;
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

std::vector<RestColumn> SchemaBuilder::finish(const KeyValues& declared) const {
  std::vector<RestColumn> out;
  std::set<std::string> used;  // case-folded
  auto add = [&](std::string name, WriteAs as, bool decl, bool json) {
    std::string unique = name;
    for (int n = 2; used.count(fold(unique)); ++n) unique = name + "_" + std::to_string(n);
    used.insert(fold(unique));
    out.push_back({std::move(unique), as, decl, json});
  };
  auto declared_json = [](const std::string& type) { return fold(type) == "json"; };
  auto find_declared = [&](const std::string& name) -> const std::string* {
    for (const auto& [n, t] : declared)
      if (n == name) return &t;
    return nullptr;
  };
  // Fields that were objects on some records and scalars on others: one JSON column each.
  std::vector<std::string> mixed;
  for (const auto& [name, _] : objects_)
    if (kinds_.count(name) && kinds_.at(name) != ValueKind::Null && !find_declared(name))
      mixed.push_back(name);
  auto under_mixed = [&](const std::string& name) {
    for (const auto& m : mixed)
      if (name.size() > m.size() + separator_.size() && name.compare(0, m.size(), m) == 0 &&
          name.compare(m.size(), separator_.size(), separator_) == 0)
        return true;
    return false;
  };
  for (const auto& name : order_) {
    if (under_mixed(name)) continue;
    if (std::find(mixed.begin(), mixed.end(), name) != mixed.end())
      add(name, WriteAs::Varchar, false, true);
    else if (const std::string* t = find_declared(name))
      add(name, parse_declared_type(name, *t), true, declared_json(*t));
    else if (kinds_.at(name) == ValueKind::Null && objects_.count(name))
      continue;  // see observe_object
    else
      add(name, write_as_for(kinds_.at(name)), false, kinds_.at(name) == ValueKind::Json);
  }
  for (const auto& [name, type] : declared)
    if (!kinds_.count(name)) add(name, parse_declared_type(name, type), true, declared_json(type));
  return out;
}

std::vector<std::string> SchemaBuilder::lossy_fields(const KeyValues& declared) const {
  std::vector<std::string> out;
  for (const auto& name : order_) {
    bool is_declared = false;
    for (const auto& [n, t] : declared) is_declared = is_declared || n == name;
    if (!is_declared && kinds_.at(name) == ValueKind::LossyDouble) out.push_back(name);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------

namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

bool valid_date(int y, int m, int d) {
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= mdays[m - 1] + (m == 2 && leap ? 1 : 0);
}

bool parse_date_part(std::string_view s, int& y, int& m, int& d) {
  return s.size() >= 10 && digits(s, 0, 4, y) && s[4] == '-' && digits(s, 5, 2, m) && s[7] == '-' &&
         digits(s, 8, 2, d) && valid_date(y, m, d);
}

}  // namespace

bool parse_iso_date(std::string_view s, std::int32_t& days) {
  int y, m, d;
  if (s.size() != 10 || !parse_date_part(s, y, m, d)) return false;
  days = static_cast<std::int32_t>(days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)));
  return true;
}

bool parse_iso_timestamp(std::string_view s, std::int64_t& micros) {
  int y, mo, d, h, mi, sec = 0;
  if (!parse_date_part(s, y, mo, d)) return false;
  if (s.size() < 16 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) return false;
  if (!digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi)) return false;
  size_t pos = 16;
  std::int64_t frac = 0;
  if (pos < s.size() && s[pos] == ':') {
    if (!digits(s, pos + 1, 2, sec)) return false;
    pos += 3;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      size_t start = pos;
      int scale = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (scale < 6) {
          frac = frac * 10 + (s[pos] - '0');
          ++scale;
        }
        ++pos;
      }
      if (pos == start) return false;
      for (; scale < 6; ++scale) frac *= 10;
    }
  }
  if (h > 23 || mi > 59 || sec > 60) return false;  // 60: a leap second, folded into the next minute
  std::int64_t offset_s = 0;
  if (pos < s.size()) {
    char c = s[pos];
    if ((c == 'Z' || c == 'z') && pos + 1 == s.size()) {
      ++pos;
    } else if (c == '+' || c == '-') {
      int oh = 0, om = 0;
      if (!digits(s, pos + 1, 2, oh)) return false;
      pos += 3;
      if (pos < s.size()) {
        if (s[pos] == ':') ++pos;
        if (!digits(s, pos, 2, om)) return false;
        pos += 2;
      }
      if (oh > 23 || om > 59) return false;
      offset_s = (oh * 3600 + om * 60) * (c == '-' ? -1 : 1);
    } else {
      return false;
    }
  }
  if (pos != s.size()) return false;
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_s;
  micros = secs * 1000000 + frac;
  return true;
}

std::string format_iso_timestamp(std::int64_t micros) {
  std::int64_t secs = micros >= 0 ? micros / 1000000 : -((-micros + 999999) / 1000000);
  std::int64_t frac = micros - secs * 1000000;
  std::int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  std::int64_t rem = secs - days * 86400;
  const CivilDate c = civil_from_days(days);
  const std::int64_t y = c.year;
  const unsigned m = c.month, d = c.day;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(y),
                        m, d, static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                        static_cast<long long>(rem % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (frac) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
    out += buf;
  }
  return out + "Z";
}

}  // namespace sqlflow::connectors::rest
