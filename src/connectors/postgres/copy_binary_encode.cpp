#include "connectors/postgres/copy_binary_encode.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "connectors/postgres/wire.hpp"
#include "core/error.hpp"

namespace sqlflow::connectors::postgres {

namespace {

constexpr int32_t kEpochDays = 10957;                // 1970-01-01 → 2000-01-01
constexpr int64_t kEpochMicros = 946684800000000LL;  // the same in microseconds
// PostgreSQL's range (datatype/timestamp.h): 4714-11-24 BC … 294276 AD for timestamps,
// 4714-11-24 BC … 5874897 AD for dates, relative to 2000-01-01.
constexpr int64_t kPgMinTimestamp = -211813488000000000LL;
constexpr int64_t kPgEndTimestamp = 9223371331200000000LL;
constexpr int32_t kPgMinDate = -2451545;
constexpr int32_t kPgEndDate = 2147483494 - 2451545;

bool is_integer(duckdb_type id) {
  return is_integer_type(id);
}

bool is_timestamp(duckdb_type id) {
  return id == DUCKDB_TYPE_TIMESTAMP || id == DUCKDB_TYPE_TIMESTAMP_S || id == DUCKDB_TYPE_TIMESTAMP_MS ||
         id == DUCKDB_TYPE_TIMESTAMP_NS;
}

bool scalar_compatible(duckdb_type src, const EncodeTarget& t) {
  switch (t.wire) {
    case Wire::Bool:
      return src == DUCKDB_TYPE_BOOLEAN;
    case Wire::Int2:
    case Wire::Int4:
    case Wire::Int8:
      return is_integer(src);
    case Wire::Numeric:
      return is_integer(src) || src == DUCKDB_TYPE_DECIMAL || src == DUCKDB_TYPE_FLOAT ||
             src == DUCKDB_TYPE_DOUBLE ||
             src == DUCKDB_TYPE_VARCHAR;  // numeric text, as an unconstrained numeric is read
    case Wire::Float4:
      return src == DUCKDB_TYPE_FLOAT;
    case Wire::Float8:
      return src == DUCKDB_TYPE_FLOAT || src == DUCKDB_TYPE_DOUBLE || src == DUCKDB_TYPE_TINYINT ||
             src == DUCKDB_TYPE_SMALLINT || src == DUCKDB_TYPE_INTEGER || src == DUCKDB_TYPE_UTINYINT ||
             src == DUCKDB_TYPE_USMALLINT || src == DUCKDB_TYPE_UINTEGER;
    case Wire::Text:
    case Wire::Jsonb:
      return src == DUCKDB_TYPE_VARCHAR || src == DUCKDB_TYPE_ENUM;
    case Wire::Bytea:
      return src == DUCKDB_TYPE_BLOB;
    case Wire::Date:
      return src == DUCKDB_TYPE_DATE;
    case Wire::Time:
      return src == DUCKDB_TYPE_TIME;
    case Wire::TimeTz:
      return src == DUCKDB_TYPE_TIME_TZ;
    case Wire::Timestamp:
      return is_timestamp(src);
    case Wire::TimestampTz:
      return src == DUCKDB_TYPE_TIMESTAMP_TZ;
    case Wire::Interval:
      return src == DUCKDB_TYPE_INTERVAL;
    case Wire::Uuid:
      return src == DUCKDB_TYPE_UUID || src == DUCKDB_TYPE_VARCHAR;
    case Wire::Inet:
      return src == DUCKDB_TYPE_VARCHAR;
  }
  return false;
}

[[noreturn]] void value_error(const EncodeTarget& t, const std::string& what) {
  throw data_error("cannot write a value into PostgreSQL column \"" + t.column + "\" (" + t.pg_type +
                   "): " + what);
}

std::string int128_text(int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  uint128 u = neg ? -static_cast<uint128>(v) : static_cast<uint128>(v);
  std::string s;
  while (u) {
    s += static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  }
  if (neg) s += '-';
  return {s.rbegin(), s.rend()};
}

int128 read_integer(duckdb_type id, const Vector& v, size_t row) {
  switch (id) {
    case DUCKDB_TYPE_TINYINT:
      return v.get<int8_t>(row);
    case DUCKDB_TYPE_SMALLINT:
      return v.get<int16_t>(row);
    case DUCKDB_TYPE_INTEGER:
      return v.get<int32_t>(row);
    case DUCKDB_TYPE_BIGINT:
      return v.get<int64_t>(row);
    case DUCKDB_TYPE_UTINYINT:
      return v.get<uint8_t>(row);
    case DUCKDB_TYPE_USMALLINT:
      return v.get<uint16_t>(row);
    case DUCKDB_TYPE_UINTEGER:
      return v.get<uint32_t>(row);
    case DUCKDB_TYPE_UBIGINT:
      return v.get<uint64_t>(row);
    case DUCKDB_TYPE_HUGEINT:
      return v.get_hugeint(row);
    case DUCKDB_TYPE_UHUGEINT: {
      duckdb_uhugeint h = v.get<duckdb_uhugeint>(row);
      uint128 u = (static_cast<uint128>(h.upper) << 64) | h.lower;
      return static_cast<int128>(u);  // values ≥ 2^127 are rejected by numeric(39,0) on the server
    }
    default:
      return 0;
  }
}

const uint128* pow10_table() {
  static const auto table = [] {
    static uint128 t[39];
    t[0] = 1;
    for (int i = 1; i < 39; ++i) t[i] = t[i - 1] * 10;
    return t;
  }();
  return table;
}

void put_numeric_groups(std::string& out, std::vector<uint16_t>& groups, int weight, bool negative,
                        int dscale) {
  size_t first = 0;
  while (first < groups.size() && groups[first] == 0) {
    ++first;
    --weight;
  }
  size_t last = groups.size();
  while (last > first && groups[last - 1] == 0) --last;
  if (first == last) {
    weight = 0;
    negative = false;
  }
  wire::put32(out, static_cast<uint32_t>(8 + 2 * (last - first)));
  wire::put16(out, static_cast<uint16_t>(last - first));
  wire::put16(out, static_cast<uint16_t>(static_cast<int16_t>(weight)));
  wire::put16(out, negative ? 0x4000 : 0x0000);
  wire::put16(out, static_cast<uint16_t>(dscale));
  for (size_t i = first; i < last; ++i) wire::put16(out, groups[i]);
}

}  // namespace

void put_numeric(std::string& out, int128 unscaled, int scale) {
  const uint128* p10 = pow10_table();
  const bool negative = unscaled < 0;
  const uint128 mag = negative ? -static_cast<uint128>(unscaled) : static_cast<uint128>(unscaled);
  uint128 ip = mag / p10[scale], fp = mag % p10[scale];
  // Integer groups, least significant first.
  uint16_t int_groups[12];
  int n_int = 0;
  while (ip) {
    int_groups[n_int++] = static_cast<uint16_t>(ip % 10000);
    ip /= 10000;
  }
  // Fraction groups: `scale` digits padded on the right to a multiple of four.
  const int r = scale % 4, full = scale / 4;
  uint16_t frac_groups[12];
  int n_frac = full + (r ? 1 : 0);
  if (r) {
    frac_groups[full] = static_cast<uint16_t>((fp % p10[r]) * p10[4 - r]);
    fp /= p10[r];
  }
  for (int i = full - 1; i >= 0; --i) {
    frac_groups[i] = static_cast<uint16_t>(fp % 10000);
    fp /= 10000;
  }
  thread_local std::vector<uint16_t> groups;
  groups.clear();
  for (int i = n_int - 1; i >= 0; --i) groups.push_back(int_groups[i]);
  for (int i = 0; i < n_frac; ++i) groups.push_back(frac_groups[i]);
  put_numeric_groups(out, groups, n_int - 1, negative, scale);
}

bool put_numeric_text(std::string& out, std::string_view text) {
  if (text == "NaN" || text == "nan" || text == "-nan") {
    wire::put32(out, 8);
    wire::put16(out, 0);
    wire::put16(out, 0);
    wire::put16(out, 0xC000);
    wire::put16(out, 0);
    return true;
  }
  if (text == "inf" || text == "-inf" || text == "Infinity" || text == "-Infinity") {
    wire::put32(out, 8);
    wire::put16(out, 0);
    wire::put16(out, 0);
    wire::put16(out, text[0] == '-' ? 0xF000 : 0xD000);
    wire::put16(out, 0);
    return true;
  }
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  std::string digits;
  long point = 0;
  bool seen_point = false, any = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      any = true;
      if (digits.empty() && c == '0') {
        if (seen_point) --point;  // leading fractional zeros move the point
        continue;
      }
      digits += c;
      if (!seen_point) ++point;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any) return false;
  // Digits after the point as written (for dscale).
  long written_frac = 0;
  {
    auto dot = text.find('.');
    if (dot != std::string_view::npos) {
      size_t k = dot + 1;
      while (k < text.size() && text[k] >= '0' && text[k] <= '9') ++k;
      written_frac = static_cast<long>(k - dot - 1);
    }
  }
  long exponent = 0;
  if (i < text.size()) {
    if (text[i] != 'e' && text[i] != 'E') return false;
    ++i;
    auto r = std::from_chars(text.data() + i + (i < text.size() && text[i] == '+'), text.data() + text.size(),
                             exponent);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size() || exponent > 100000 || exponent < -100000)
      return false;
  }
  point += exponent;
  const long dscale = std::max(0L, written_frac - exponent);
  if (digits.empty()) {
    std::vector<uint16_t> none;
    put_numeric_groups(out, none, 0, false, static_cast<int>(std::min(dscale, 0x3FFFL)));
    return true;
  }
  // Align the point to a group boundary: pad on the left so that `point` is a multiple of 4.
  long lead = ((point % 4) + 4) % 4 ? 4 - ((point % 4) + 4) % 4 : 0;
  std::string padded(static_cast<size_t>(lead), '0');
  padded += digits;
  long aligned_point = point + lead;
  while (padded.size() % 4) padded += '0';
  std::vector<uint16_t> groups;
  for (size_t k = 0; k < padded.size(); k += 4)
    groups.push_back(static_cast<uint16_t>((padded[k] - '0') * 1000 + (padded[k + 1] - '0') * 100 +
                                           (padded[k + 2] - '0') * 10 + (padded[k + 3] - '0')));
  put_numeric_groups(out, groups, static_cast<int>(aligned_point / 4 - 1), negative,
                     static_cast<int>(std::min(dscale, 0x3FFFL)));
  return true;
}

std::optional<EncodeTarget> encode_target_for(TypeCatalog& types, const std::string& column,
                                              uint32_t type_oid) {
  EncodeTarget t;
  t.column = column;
  t.pg_type = types.get(type_oid).name;
  auto [base, mod] = resolve_domain(types, type_oid, -1);
  (void)mod;
  const PgTypeInfo* info = &types.get(base);
  uint32_t scalar = base;
  if (info->is_array) {
    t.array = true;
    t.elem_oid = info->elem;
    scalar = resolve_domain(types, info->elem, -1).first;
    info = &types.get(scalar);
  }
  if (auto w = native_wire(scalar)) {
    t.wire = *w;
  } else if (scalar == oid::kOid) {
    t.wire = Wire::Int4;
    t.oid = true;
  } else if (scalar == oid::kInet || scalar == oid::kCidr) {
    t.wire = Wire::Inet;
    t.cidr = scalar == oid::kCidr;
  } else if (info->typtype == 'e' || info->name == "citext" || info->name.ends_with(".citext")) {
    t.wire = Wire::Text;  // enum_recv and citextrecv take the text itself
  } else {
    return std::nullopt;
  }
  return t;
}

std::string encode_incompatibility(const LogicalType& source, const EncodeTarget& target) {
  duckdb_type id = source.id();
  if (target.array) {
    if (id != DUCKDB_TYPE_LIST) return "only a LIST can be written into an array column";
    LogicalType child = source.list_child();
    EncodeTarget elem = target;
    elem.array = false;
    if (!scalar_compatible(child.id(), elem))
      return "LIST element type " + child.to_sql() + " cannot be written as " + target.pg_type + " elements";
    return "";
  }
  if (!scalar_compatible(id, target)) return source.to_sql() + " cannot be written into " + target.pg_type;
  return "";
}

CopyBinaryEncoder::CopyBinaryEncoder(std::vector<LogicalType> source, std::vector<EncodeTarget> targets) {
  if (source.size() != targets.size()) throw internal_error("COPY encoder: column counts differ");
  for (size_t i = 0; i < source.size(); ++i) {
    std::string why = encode_incompatibility(source[i], targets[i]);
    if (!why.empty()) throw validation_error("column \"" + targets[i].column + "\": " + why);
    Column c;
    c.type = source[i];
    c.id = c.type.id();
    c.target = targets[i];
    LogicalType scalar = c.type;
    if (c.id == DUCKDB_TYPE_LIST) {
      c.child = c.type.list_child();
      c.child_id = c.child.id();
      scalar = c.child;
    }
    if (scalar.id() == DUCKDB_TYPE_ENUM) {
      c.enum_physical = duckdb_enum_internal_type(scalar.handle());
      uint32_t n = duckdb_enum_dictionary_size(scalar.handle());
      for (uint32_t k = 0; k < n; ++k) {
        char* label = duckdb_enum_dictionary_value(scalar.handle(), k);
        c.labels.emplace_back(label ? label : "");
        duckdb_free(label);
      }
    }
    columns_.push_back(std::move(c));
  }
}

void CopyBinaryEncoder::put_header(std::string& out) {
  static constexpr char kSignature[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\xff', '\r', '\n', '\0'};
  out.append(kSignature, 11);
  wire::put32(out, 0);  // flags
  wire::put32(out, 0);  // header extension length
}

void CopyBinaryEncoder::put_trailer(std::string& out) {
  wire::put16(out, 0xFFFF);
}

void CopyBinaryEncoder::encode_scalar(const Column& c, duckdb_type id, const Vector& v, size_t row,
                                      std::string& out) const {
  const EncodeTarget& t = c.target;
  switch (t.wire) {
    case Wire::Bool:
      wire::put32(out, 1);
      out += static_cast<char>(v.get<bool>(row) ? 1 : 0);
      return;
    case Wire::Int2:
    case Wire::Int4:
    case Wire::Int8: {
      int128 x = read_integer(id, v, row);
      if (t.wire == Wire::Int2) {
        if (x < INT16_MIN || x > INT16_MAX) value_error(t, int128_text(x) + " is out of range for smallint");
        wire::put32(out, 2);
        wire::put16(out, static_cast<uint16_t>(static_cast<int16_t>(x)));
      } else if (t.wire == Wire::Int4 && t.oid) {
        if (x < 0 || x > UINT32_MAX) value_error(t, int128_text(x) + " is out of range for oid");
        wire::put32(out, 4);
        wire::put32(out, static_cast<uint32_t>(x));
      } else if (t.wire == Wire::Int4) {
        if (x < INT32_MIN || x > INT32_MAX) value_error(t, int128_text(x) + " is out of range for integer");
        wire::put32(out, 4);
        wire::put32(out, static_cast<uint32_t>(static_cast<int32_t>(x)));
      } else {
        if (x < INT64_MIN || x > INT64_MAX) value_error(t, int128_text(x) + " is out of range for bigint");
        wire::put32(out, 8);
        wire::put64(out, static_cast<uint64_t>(static_cast<int64_t>(x)));
      }
      return;
    }
    case Wire::Numeric: {
      if (is_integer(id)) {
        put_numeric(out, read_integer(id, v, row), 0);
      } else if (id == DUCKDB_TYPE_VARCHAR) {
        std::string_view s = v.get_string(row);
        if (!put_numeric_text(out, s))
          value_error(t, "'" + std::string(s.substr(0, 40)) + "' is not a number");
      } else if (id == DUCKDB_TYPE_DECIMAL) {
        const LogicalType& type = c.id == DUCKDB_TYPE_LIST ? c.child : c.type;
        put_numeric(out, v.get_decimal(row, type.decimal_width()), type.decimal_scale());
      } else {
        double d = id == DUCKDB_TYPE_FLOAT ? static_cast<double>(v.get<float>(row)) : v.get<double>(row);
        char buf[64];
        std::string_view text;
        if (std::isnan(d))
          text = "NaN";
        else if (std::isinf(d))
          text = d > 0 ? "Infinity" : "-Infinity";
        else {
          auto r = std::to_chars(buf, buf + sizeof buf, d);
          text = std::string_view(buf, static_cast<size_t>(r.ptr - buf));
        }
        put_numeric_text(out, text);
      }
      return;
    }
    case Wire::Float4: {
      float f = v.get<float>(row);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      wire::put32(out, 4);
      wire::put32(out, bits);
      return;
    }
    case Wire::Float8: {
      double d = id == DUCKDB_TYPE_DOUBLE  ? v.get<double>(row)
                 : id == DUCKDB_TYPE_FLOAT ? static_cast<double>(v.get<float>(row))
                                           : static_cast<double>(read_integer(id, v, row));
      uint64_t bits;
      std::memcpy(&bits, &d, 8);
      wire::put32(out, 8);
      wire::put64(out, bits);
      return;
    }
    case Wire::Text:
    case Wire::Jsonb:
    case Wire::Bytea:
    case Wire::Uuid:
    case Wire::Inet: {
      std::string_view s;
      if (id == DUCKDB_TYPE_ENUM) {
        uint32_t k = c.enum_physical == DUCKDB_TYPE_UTINYINT    ? v.get<uint8_t>(row)
                     : c.enum_physical == DUCKDB_TYPE_USMALLINT ? v.get<uint16_t>(row)
                                                                : v.get<uint32_t>(row);
        if (k >= c.labels.size()) value_error(t, "enum index out of range");
        s = c.labels[k];
      } else if (id != DUCKDB_TYPE_UUID) {
        s = v.get_string(row);
      }
      if (t.wire == Wire::Jsonb) {
        wire::put32(out, static_cast<uint32_t>(s.size() + 1));
        out += '\x01';
        out.append(s);
      } else if (t.wire == Wire::Uuid) {
        uint8_t bytes[16];
        if (id == DUCKDB_TYPE_UUID) {
          v.get_uuid(row, bytes);
        } else {
          int n = 0;
          for (char ch : s) {
            if (ch == '-' || ch == '{' || ch == '}') continue;
            int h = (ch >= '0' && ch <= '9')   ? ch - '0'
                    : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10
                    : (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10
                                               : -1;
            if (h < 0 || n >= 32) value_error(t, "'" + std::string(s) + "' is not a UUID");
            bytes[n / 2] = static_cast<uint8_t>(n % 2 ? (bytes[n / 2] | h) : (h << 4));
            ++n;
          }
          if (n != 32) value_error(t, "'" + std::string(s) + "' is not a UUID");
        }
        wire::put32(out, 16);
        out.append(reinterpret_cast<const char*>(bytes), 16);
      } else if (t.wire == Wire::Inet) {
        // inet_recv: family (2 = IPv4, 3 = IPv6), mask bits, is_cidr, address length, address.
        std::string addr(s), bits_text;
        if (auto slash = addr.find('/'); slash != std::string::npos) {
          bits_text = addr.substr(slash + 1);
          addr.resize(slash);
        }
        unsigned char buf[16];
        bool v6 = addr.find(':') != std::string::npos;
        if (inet_pton(v6 ? AF_INET6 : AF_INET, addr.c_str(), buf) != 1)
          value_error(t, "'" + std::string(s) + "' is not an IP address");
        int max_bits = v6 ? 128 : 32, bits = max_bits;
        if (!bits_text.empty()) {
          auto r = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
          if (r.ec != std::errc() || r.ptr != bits_text.data() + bits_text.size() || bits < 0 ||
              bits > max_bits)
            value_error(t, "'" + std::string(s) + "' has an invalid netmask");
        }
        const int nb = v6 ? 16 : 4;
        wire::put32(out, static_cast<uint32_t>(4 + nb));
        out += static_cast<char>(v6 ? 3 : 2);
        out += static_cast<char>(bits);
        out += static_cast<char>(t.cidr ? 1 : 0);
        out += static_cast<char>(nb);
        out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(nb));
      } else {
        wire::put32(out, static_cast<uint32_t>(s.size()));
        out.append(s);
      }
      return;
    }
    case Wire::Date: {
      int32_t d = v.get<duckdb_date>(row).days;
      int32_t pg;
      if (d == std::numeric_limits<int32_t>::max())
        pg = std::numeric_limits<int32_t>::max();
      else if (d == -std::numeric_limits<int32_t>::max())
        pg = std::numeric_limits<int32_t>::min();
      else {
        int64_t x = static_cast<int64_t>(d) - kEpochDays;
        if (x < kPgMinDate || x >= kPgEndDate)
          value_error(t, "date out of PostgreSQL's range (4714 BC to 5874897 AD)");
        pg = static_cast<int32_t>(x);
      }
      wire::put32(out, 4);
      wire::put32(out, static_cast<uint32_t>(pg));
      return;
    }
    case Wire::Time:
      wire::put32(out, 8);
      wire::put64(out, static_cast<uint64_t>(v.get<duckdb_time>(row).micros));
      return;
    case Wire::TimeTz: {
      duckdb_time_tz_struct s = duckdb_from_time_tz(v.get<duckdb_time_tz>(row));
      int64_t micros = ((static_cast<int64_t>(s.time.hour) * 60 + s.time.min) * 60 + s.time.sec) * 1000000LL +
                       s.time.micros;
      wire::put32(out, 12);
      wire::put64(out, static_cast<uint64_t>(micros));
      wire::put32(out, static_cast<uint32_t>(-s.offset));  // PostgreSQL counts seconds west of UTC
      return;
    }
    case Wire::Timestamp:
    case Wire::TimestampTz: {
      int64_t raw = v.get<int64_t>(row);
      int64_t pg;
      if (raw == std::numeric_limits<int64_t>::max())
        pg = std::numeric_limits<int64_t>::max();
      else if (raw == -std::numeric_limits<int64_t>::max())
        pg = std::numeric_limits<int64_t>::min();
      else {
        int128 micros = raw;
        if (id == DUCKDB_TYPE_TIMESTAMP_S)
          micros *= 1000000;
        else if (id == DUCKDB_TYPE_TIMESTAMP_MS)
          micros *= 1000;
        else if (id == DUCKDB_TYPE_TIMESTAMP_NS)
          micros = raw >= 0 ? raw / 1000 : -((-static_cast<int128>(raw) + 999) / 1000);
        micros -= kEpochMicros;
        if (micros < kPgMinTimestamp || micros >= kPgEndTimestamp)
          value_error(t, "timestamp out of PostgreSQL's range (4714 BC to 294276 AD)");
        pg = static_cast<int64_t>(micros);
      }
      wire::put32(out, 8);
      wire::put64(out, static_cast<uint64_t>(pg));
      return;
    }
    case Wire::Interval: {
      duckdb_interval iv = v.get<duckdb_interval>(row);
      wire::put32(out, 16);
      wire::put64(out, static_cast<uint64_t>(iv.micros));
      wire::put32(out, static_cast<uint32_t>(iv.days));
      wire::put32(out, static_cast<uint32_t>(iv.months));
      return;
    }
  }
}

void CopyBinaryEncoder::encode(const DataChunk& chunk, std::string& out) const {
  const size_t rows = chunk.size();
  const size_t ncols = columns_.size();
  if (chunk.column_count() != ncols)
    throw internal_error("COPY encoder: chunk has the wrong number of columns");
  std::vector<Vector> vectors;
  std::vector<uint64_t*> validity;
  vectors.reserve(ncols);
  for (size_t i = 0; i < ncols; ++i) {
    vectors.push_back(chunk.column(i));
    validity.push_back(duckdb_vector_get_validity(vectors.back().handle()));
  }
  for (size_t row = 0; row < rows; ++row) {
    wire::put16(out, static_cast<uint16_t>(ncols));
    for (size_t i = 0; i < ncols; ++i) {
      const Column& c = columns_[i];
      const Vector& v = vectors[i];
      if (validity[i] && !duckdb_validity_row_is_valid(validity[i], row)) {
        wire::put32(out, 0xFFFFFFFFu);
        continue;
      }
      if (!c.target.array) {
        encode_scalar(c, c.id, v, row, out);
        continue;
      }
      // array_recv: ndim, has-nulls flag, element oid, (size, lower bound), elements.
      duckdb_list_entry e = v.get_list_entry(row);
      Vector child = v.list_child();
      uint64_t* child_validity = duckdb_vector_get_validity(child.handle());
      const size_t len_at = out.size();
      wire::put32(out, 0);  // patched below
      bool has_null = false;
      if (child_validity)
        for (uint64_t k = 0; k < e.length; ++k)
          if (!duckdb_validity_row_is_valid(child_validity, e.offset + k)) has_null = true;
      wire::put32(out, e.length ? 1 : 0);
      wire::put32(out, has_null ? 1 : 0);
      wire::put32(out, c.target.elem_oid);
      if (e.length) {
        if (e.length > static_cast<uint64_t>(INT32_MAX)) value_error(c.target, "array too long");
        wire::put32(out, static_cast<uint32_t>(e.length));
        wire::put32(out, 1);
        for (uint64_t k = 0; k < e.length; ++k) {
          if (child_validity && !duckdb_validity_row_is_valid(child_validity, e.offset + k)) {
            wire::put32(out, 0xFFFFFFFFu);
            continue;
          }
          encode_scalar(c, c.child_id, child, e.offset + k, out);
        }
      }
      const uint32_t len = static_cast<uint32_t>(out.size() - len_at - 4);
      const uint32_t be = __builtin_bswap32(len);
      std::memcpy(out.data() + len_at, &be, 4);
    }
  }
}

}  // namespace sqlflow::connectors::postgres
