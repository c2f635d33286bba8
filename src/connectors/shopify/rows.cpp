#include "connectors/shopify/rows.hpp"

#include <charconv>
#include <cstdio>
#include <unordered_map>

#include "core/civil_time.hpp"
#include "core/error.hpp"

namespace sqlflow::connectors::shopify {

using nlohmann::json;

std::int64_t gid_number(const std::string& gid) {
  auto slash = gid.rfind('/');
  if (gid.rfind("gid://shopify/", 0) != 0 || slash == std::string::npos) return -1;
  std::int64_t v = -1;
  const char* b = gid.data() + slash + 1;
  const char* e = gid.data() + gid.size();
  auto q = gid.find('?', slash);  // gid://shopify/LineItem/1?x=y
  if (q != std::string::npos) e = gid.data() + q;
  auto r = std::from_chars(b, e, v);
  return r.ec == std::errc() && r.ptr == e ? v : -1;
}

namespace {

// "12.3" / "-4.56" / "7" → cents; false when not a decimal with at most 2 fraction digits.
bool parse_cents(const std::string& s, std::int64_t& cents) {
  std::size_t i = 0;
  bool neg = !s.empty() && s[0] == '-';
  if (neg) ++i;
  std::int64_t whole = 0, frac = 0;
  int digits = 0, frac_digits = 0;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i, ++digits) {
    if (whole > 999999999999999LL) return false;  // DECIMAL(18,2) holds 16 integer digits
    whole = whole * 10 + (s[i] - '0');
  }
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i, ++frac_digits)
      if (frac_digits < 2)
        frac = frac * 10 + (s[i] - '0');
      else if (s[i] != '0')
        return false;  // more precision than a shop currency has
  }
  if (i != s.size() || digits == 0) return false;
  if (frac_digits == 1) frac *= 10;
  cents = (whole * 100 + frac) * (neg ? -1 : 1);
  return true;
}

const json* at_path(const json& node, const std::vector<PathStep>& path) {
  const json* v = &node;
  for (const auto& p : path) {
    if (!v->is_object()) return nullptr;
    auto it = v->find(p.name);
    if (it == v->end()) return nullptr;
    v = &*it;
    if (p.match_key.empty()) continue;
    // The list element whose match_key is match_value (InventoryLevel.quantities by name).
    if (!v->is_array()) return nullptr;
    const json* hit = nullptr;
    for (const auto& e : *v) {
      auto k = e.is_object() ? e.find(p.match_key) : e.end();
      if (e.is_object() && k != e.end() && k->is_string() &&
          k->get_ref<const std::string&>() == p.match_value) {
        hit = &e;
        break;
      }
    }
    if (!hit) return nullptr;
    v = hit;
  }
  return v;
}
}  // namespace

bool parse_timestamp(const std::string& t, std::int64_t& micros) {
  // ISO 8601 as Shopify sends it ("2024-01-02T03:04:05Z", "…-05:00") and DuckDB's text of a
  // TIMESTAMPTZ ("2024-01-02 03:04:05.5+00"), since stored watermarks come back that way.
  int y, mo, d, h, mi, s;
  char sep = 0;
  if (std::sscanf(t.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &sep, &h, &mi, &s) != 7 ||
      (sep != 'T' && sep != ' '))
    return false;
  std::size_t i = 19;
  std::int64_t frac = 0;
  if (i < t.size() && t[i] == '.') {
    int n = 0;
    for (++i; i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])); ++i, ++n)
      if (n < 6) frac = frac * 10 + (t[i] - '0');
    for (; n < 6; ++n) frac *= 10;
  }
  std::int64_t offset = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
    int oh = 0, om = 0;
    std::string rest = t.substr(i + 1);
    if (std::sscanf(rest.c_str(), "%2d:%2d", &oh, &om) < 1) return false;
    offset = (oh * 3600 + om * 60) * (t[i] == '+' ? 1 : -1);
  } else if (i < t.size() && t[i] != 'Z') {
    return false;
  }
  std::int64_t secs = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                      h * 3600 + mi * 60 + s - offset;
  micros = secs * 1000000 + frac;
  return true;
}

std::string format_timestamp(std::int64_t micros) {
  std::int64_t secs = micros >= 0 ? micros / 1000000 : -((-micros + 999999) / 1000000);
  std::int64_t frac = micros - secs * 1000000;
  std::int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  std::int64_t rem = secs - days * 86400;
  const CivilDate c = civil_from_days(days);
  const std::int64_t y = c.year;
  const unsigned m = c.month, d = c.day;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ", static_cast<long long>(y),
                m, d, static_cast<long long>(rem / 3600), static_cast<long long>(rem % 3600 / 60),
                static_cast<long long>(rem % 60), static_cast<long long>(frac));
  return buf;
}

RowTable::RowTable(std::vector<Field> fields, std::string parent_column) {
  if (!parent_column.empty()) {
    Column c;
    c.name = parent_column;
    c.type = LogicalType::of(DUCKDB_TYPE_BIGINT);
    cols_.push_back(c);
  }
  id_column_ = cols_.size();
  for (const auto& f : fields) {
    Column c;
    c.name = f.column;
    c.source = f.type;
    c.path = split_path(f.path);
    switch (f.type) {
      case ColType::BigInt:
      case ColType::Gid:
        c.type = LogicalType::of(DUCKDB_TYPE_BIGINT);
        break;
      case ColType::Decimal2:
        c.type = LogicalType::decimal(18, 2);
        break;
      case ColType::TimestampTz:
        c.type = LogicalType::of(DUCKDB_TYPE_TIMESTAMP_TZ);
        break;
      case ColType::Boolean:
        c.type = LogicalType::of(DUCKDB_TYPE_BOOLEAN);
        c.kind = Kind::Bool;
        break;
      case ColType::Varchar:
        c.type = LogicalType::of(DUCKDB_TYPE_VARCHAR);
        c.kind = Kind::Text;
        break;
    }
    cols_.push_back(c);
    if (f.type == ColType::Gid && f.column == "id") {
      Column g = c;
      g.name = "gid";
      g.type = LogicalType::of(DUCKDB_TYPE_VARCHAR);
      g.kind = Kind::Text;
      g.gid_text = true;
      cols_.push_back(g);
    }
  }
}

Schema RowTable::schema() const {
  Schema s;
  for (const auto& c : cols_) s.push_back({c.name, c.type});
  return s;
}

std::size_t RowTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < cols_.size(); ++i)
    if (cols_[i].name == name) return i;
  return std::string::npos;
}

void RowTable::add(const json& node, std::int64_t parent) {
  for (auto& c : cols_) {
    const json* v = c.path.empty() ? nullptr : at_path(node, c.path);
    bool ok = true;
    std::int64_t i = 0;
    std::string text;
    bool valid = true;
    if (c.path.empty()) {
      i = parent;
    } else if (!v || v->is_null()) {
      valid = false;
    } else if (c.gid_text) {
      ok = v->is_string();
      if (ok) text = v->get<std::string>();
    } else {
      switch (c.source) {
        case ColType::Gid:
          ok = v->is_string() && (i = gid_number(v->get<std::string>())) >= 0;
          break;
        case ColType::BigInt:
          // UnsignedInt64 fields (numberOfOrders…) arrive as strings.
          if (v->is_number_integer()) {
            i = v->get<std::int64_t>();
          } else if (v->is_string()) {
            const std::string& t = v->get_ref<const std::string&>();
            auto res = std::from_chars(t.data(), t.data() + t.size(), i);
            ok = res.ec == std::errc() && res.ptr == t.data() + t.size();
          } else {
            ok = false;
          }
          break;
        case ColType::Decimal2:
          ok = (v->is_string() && parse_cents(v->get<std::string>(), i)) ||
               (v->is_number() && parse_cents(v->dump(), i));
          break;
        case ColType::TimestampTz:
          ok = v->is_string() && parse_timestamp(v->get<std::string>(), i);
          break;
        case ColType::Boolean:
          ok = v->is_boolean();
          if (ok) i = v->get<bool>() ? 1 : 0;
          break;
        case ColType::Varchar:
          text = v->is_string() ? v->get<std::string>() : v->dump();
          break;
      }
    }
    if (!ok) {
      std::string id = node.contains("id") && node["id"].is_string() ? node["id"].get<std::string>() : "?";
      throw data_error("Shopify returned " + v->dump().substr(0, 80) + " for " + c.name + " of " + id +
                           ", which is not a valid " + c.type.to_sql(),
                       "this is unexpected from the API; report it with the object's id");
    }
    if (c.kind == Kind::Text)
      c.texts.push_back(std::move(text));
    else
      c.ints.push_back(i);
    c.valid.push_back(valid ? 1 : 0);
  }
  ++rows_;
}

void RowTable::write(std::size_t first, std::size_t count, const std::vector<std::size_t>& projection,
                     DataChunk& out) const {
  for (std::size_t p = 0; p < projection.size(); ++p) {
    const Column& c = cols_[projection[p]];
    Vector v = out.column(p);
    for (std::size_t r = 0; r < count; ++r) {
      std::size_t row = first + r;
      if (!c.valid[row]) {
        v.set_null(r);
        continue;
      }
      if (c.kind == Kind::Text)
        v.set_string(r, c.texts[row]);
      else if (c.kind == Kind::Bool)
        v.set<bool>(r, c.ints[row] != 0);
      else if (c.source == ColType::Decimal2)
        v.set<std::int64_t>(r, c.ints[row]);  // DECIMAL(18,2) is stored as int64
      else if (c.source == ColType::TimestampTz)
        v.set<duckdb_timestamp>(r, duckdb_timestamp{c.ints[row]});
      else
        v.set<std::int64_t>(r, c.ints[row]);
    }
  }
}

void RowTable::dedupe_by_id() {
  const Column& id = cols_[id_column_];
  std::unordered_map<std::int64_t, std::size_t> last;
  for (std::size_t r = 0; r < rows_; ++r) last[id.ints[r]] = r;
  if (last.size() == rows_) return;
  std::vector<std::size_t> keep;
  for (std::size_t r = 0; r < rows_; ++r)
    if (last[id.ints[r]] == r) keep.push_back(r);
  for (auto& c : cols_) {
    for (std::size_t k = 0; k < keep.size(); ++k) {
      if (c.kind == Kind::Text)
        c.texts[k] = std::move(c.texts[keep[k]]);
      else
        c.ints[k] = c.ints[keep[k]];
      c.valid[k] = c.valid[keep[k]];
    }
    if (c.kind == Kind::Text) c.texts.resize(keep.size());
    c.ints.resize(c.kind == Kind::Text ? 0 : keep.size());
    c.valid.resize(keep.size());
  }
  rows_ = keep.size();
}

}  // namespace sqlflow::connectors::shopify
