#include "core/data_chunk.hpp"

#include <charconv>
#include <cstdio>
#include <limits>

#include "core/error.hpp"

namespace sqlflow {

// ---- Vector ----------------------------------------------------------------------------------

void Vector::set_null(size_t row) const {
  duckdb_vector_ensure_validity_writable(v_);
  duckdb_validity_set_row_invalid(duckdb_vector_get_validity(v_), row);
}

void Vector::set_valid(size_t row) const {
  uint64_t* validity = duckdb_vector_get_validity(v_);
  if (validity) duckdb_validity_set_row_valid(validity, row);
}

bool Vector::is_valid(size_t row) const {
  uint64_t* validity = duckdb_vector_get_validity(v_);
  return !validity || duckdb_validity_row_is_valid(validity, row);
}

std::string_view Vector::get_string(size_t row) const {
  auto* s = &data<duckdb_string_t>()[row];
  return {duckdb_string_t_data(s), duckdb_string_t_length(*s)};
}

void Vector::set_hugeint(size_t row, int128 value) const {
  duckdb_hugeint h;
  h.lower = static_cast<uint64_t>(value);
  h.upper = static_cast<int64_t>(value >> 64);
  data<duckdb_hugeint>()[row] = h;
}

int128 Vector::get_hugeint(size_t row) const {
  duckdb_hugeint h = data<duckdb_hugeint>()[row];
  return (static_cast<int128>(h.upper) << 64) | static_cast<int128>(h.lower);
}

void Vector::set_decimal(size_t row, int128 unscaled, uint8_t width) const {
  if (width <= 4)
    set<int16_t>(row, static_cast<int16_t>(unscaled));
  else if (width <= 9)
    set<int32_t>(row, static_cast<int32_t>(unscaled));
  else if (width <= 18)
    set<int64_t>(row, static_cast<int64_t>(unscaled));
  else
    set_hugeint(row, unscaled);
}

int128 Vector::get_decimal(size_t row, uint8_t width) const {
  if (width <= 4) return get<int16_t>(row);
  if (width <= 9) return get<int32_t>(row);
  if (width <= 18) return get<int64_t>(row);
  return get_hugeint(row);
}

// DuckDB keeps UUIDs as a hugeint whose top bit is flipped so that they sort like their text.
void Vector::set_uuid(size_t row, const uint8_t bytes[16]) const {
  uint64_t upper = 0, lower = 0;
  for (int i = 0; i < 8; ++i) upper = (upper << 8) | bytes[i];
  for (int i = 8; i < 16; ++i) lower = (lower << 8) | bytes[i];
  upper ^= (uint64_t{1} << 63);
  duckdb_hugeint h;
  h.lower = lower;
  h.upper = static_cast<int64_t>(upper);
  data<duckdb_hugeint>()[row] = h;
}

void Vector::get_uuid(size_t row, uint8_t out[16]) const {
  duckdb_hugeint h = data<duckdb_hugeint>()[row];
  uint64_t upper = static_cast<uint64_t>(h.upper) ^ (uint64_t{1} << 63);
  for (int i = 7; i >= 0; --i, upper >>= 8) out[i] = static_cast<uint8_t>(upper);
  uint64_t lower = h.lower;
  for (int i = 15; i >= 8; --i, lower >>= 8) out[i] = static_cast<uint8_t>(lower);
}

void Vector::list_reserve(size_t capacity) const {
  if (duckdb_list_vector_reserve(v_, capacity) != DuckDBSuccess)
    throw internal_error("cannot reserve list capacity " + std::to_string(capacity));
}

void Vector::list_set_size(size_t size) const {
  if (duckdb_list_vector_set_size(v_, size) != DuckDBSuccess)
    throw internal_error("cannot set list size " + std::to_string(size));
}

// ---- text rendering --------------------------------------------------------------------------

namespace {

std::string int128_to_string(int128 v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  uint128 u = negative ? -static_cast<uint128>(v) : static_cast<uint128>(v);
  std::string out;
  while (u) {
    out += static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  }
  if (negative) out += '-';
  return {out.rbegin(), out.rend()};
}

std::string decimal_to_string(int128 unscaled, uint8_t scale) {
  if (scale == 0) return int128_to_string(unscaled);
  bool negative = unscaled < 0;
  std::string digits = int128_to_string(negative ? -unscaled : unscaled);
  if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  digits.insert(digits.size() - scale, ".");
  return negative ? "-" + digits : digits;
}

template <class F>
std::string float_to_string(F value) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  std::string out(buf, res.ptr);
  // DuckDB prints integral doubles with ".0" (e.g. 60.0), as here.
  if (out.find_first_not_of("-0123456789") == std::string::npos) out += ".0";
  return out;
}

std::string two(int v) {
  char b[8];
  std::snprintf(b, sizeof b, "%02d", v);
  return b;
}

std::string micros_suffix(int32_t micros) {
  if (micros == 0) return "";
  char b[16];
  std::snprintf(b, sizeof b, ".%06d", micros);
  std::string s = b;
  while (s.back() == '0') s.pop_back();
  return s;
}

std::string date_to_string(duckdb_date d) {
  if (d.days == std::numeric_limits<int32_t>::max()) return "infinity";
  if (d.days == -std::numeric_limits<int32_t>::max()) return "-infinity";
  duckdb_date_struct s = duckdb_from_date(d);
  bool bc = s.year <= 0;
  int year = bc ? 1 - s.year : s.year;
  char b[32];
  std::snprintf(b, sizeof b, "%04d-%02d-%02d", year, s.month, s.day);
  return std::string(b) + (bc ? " (BC)" : "");
}

std::string time_to_string(duckdb_time t) {
  duckdb_time_struct s = duckdb_from_time(t);
  return two(s.hour) + ":" + two(s.min) + ":" + two(s.sec) + micros_suffix(s.micros);
}

std::string timestamp_to_string(duckdb_timestamp ts) {
  if (ts.micros == std::numeric_limits<int64_t>::max()) return "infinity";
  if (ts.micros == -std::numeric_limits<int64_t>::max()) return "-infinity";
  duckdb_timestamp_struct s = duckdb_from_timestamp(ts);
  std::string date = date_to_string(duckdb_to_date(s.date));
  std::string bc;
  if (date.size() > 5 && date.compare(date.size() - 5, 5, " (BC)") == 0) {
    date.resize(date.size() - 5);
    bc = " (BC)";
  }
  return date + " " + time_to_string(duckdb_to_time(s.time)) + bc;
}

std::string interval_to_string(duckdb_interval iv) {
  std::string out;
  auto part = [&](int64_t n, const char* unit) {
    if (!n) return;
    if (!out.empty()) out += ' ';
    out += std::to_string(n) + ' ' + unit + (n == 1 || n == -1 ? "" : "s");
  };
  part(iv.months / 12, "year");
  part(iv.months % 12, "month");
  part(iv.days, "day");
  if (iv.micros != 0 || out.empty()) {
    int64_t m = iv.micros;
    std::string sign = m < 0 ? "-" : "";
    if (m < 0) m = -m;
    int64_t h = m / 3600000000LL;
    m %= 3600000000LL;
    std::string time = sign + two(static_cast<int>(h)) + ":" + two(static_cast<int>(m / 60000000)) + ":" +
                       two(static_cast<int>((m / 1000000) % 60)) +
                       micros_suffix(static_cast<int32_t>(m % 1000000));
    if (!out.empty()) out += ' ';
    out += time;
  }
  return out;
}

std::string blob_to_string(std::string_view b) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : b) {
    if (c >= 32 && c < 127 && c != '\\' && c != '\'' && c != '"') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string uuid_to_string(const uint8_t b[16]) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 15];
  }
  return out;
}

}  // namespace

std::string Vector::to_string(size_t row, const LogicalType& type) const {
  if (!is_valid(row)) return "NULL";
  switch (type.id()) {
    case DUCKDB_TYPE_BOOLEAN:
      return get<bool>(row) ? "true" : "false";
    case DUCKDB_TYPE_TINYINT:
      return std::to_string(get<int8_t>(row));
    case DUCKDB_TYPE_SMALLINT:
      return std::to_string(get<int16_t>(row));
    case DUCKDB_TYPE_INTEGER:
      return std::to_string(get<int32_t>(row));
    case DUCKDB_TYPE_BIGINT:
      return std::to_string(get<int64_t>(row));
    case DUCKDB_TYPE_UTINYINT:
      return std::to_string(get<uint8_t>(row));
    case DUCKDB_TYPE_USMALLINT:
      return std::to_string(get<uint16_t>(row));
    case DUCKDB_TYPE_UINTEGER:
      return std::to_string(get<uint32_t>(row));
    case DUCKDB_TYPE_UBIGINT:
      return std::to_string(get<uint64_t>(row));
    case DUCKDB_TYPE_HUGEINT:
      return int128_to_string(get_hugeint(row));
    case DUCKDB_TYPE_FLOAT:
      return float_to_string(get<float>(row));
    case DUCKDB_TYPE_DOUBLE:
      return float_to_string(get<double>(row));
    case DUCKDB_TYPE_DECIMAL:
      return decimal_to_string(get_decimal(row, type.decimal_width()), type.decimal_scale());
    case DUCKDB_TYPE_VARCHAR:
      return std::string(get_string(row));
    case DUCKDB_TYPE_BLOB:
      return blob_to_string(get_string(row));
    case DUCKDB_TYPE_DATE:
      return date_to_string(get<duckdb_date>(row));
    case DUCKDB_TYPE_TIME:
      return time_to_string(get<duckdb_time>(row));
    case DUCKDB_TYPE_TIMESTAMP:
      return timestamp_to_string(get<duckdb_timestamp>(row));
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return timestamp_to_string(get<duckdb_timestamp>(row)) + "+00";
    case DUCKDB_TYPE_INTERVAL:
      return interval_to_string(get<duckdb_interval>(row));
    case DUCKDB_TYPE_UUID: {
      uint8_t b[16];
      get_uuid(row, b);
      return uuid_to_string(b);
    }
    case DUCKDB_TYPE_LIST: {
      auto entry = get_list_entry(row);
      Vector child = list_child();
      LogicalType child_type = type.list_child();
      std::string out = "[";
      for (uint64_t i = 0; i < entry.length; ++i) {
        if (i) out += ", ";
        out += child.to_string(entry.offset + i, child_type);
      }
      return out + "]";
    }
    case DUCKDB_TYPE_STRUCT: {
      std::string out = "{";
      for (size_t i = 0; i < type.struct_size(); ++i) {
        if (i) out += ", ";
        out += "'" + type.struct_name(i) + "': " + struct_child(i).to_string(row, type.struct_child(i));
      }
      return out + "}";
    }
    default:
      return "<" + type.to_sql() + ">";
  }
}

// ---- DataChunk -------------------------------------------------------------------------------

DataChunk::DataChunk(const std::vector<LogicalType>& types) : owned_(true) {
  std::vector<duckdb_logical_type> handles;
  handles.reserve(types.size());
  for (const auto& t : types) handles.push_back(t.handle());
  chunk_ = duckdb_create_data_chunk(handles.data(), handles.size());
  if (!chunk_) throw internal_error("DuckDB could not create a data chunk");
}

DataChunk DataChunk::adopt(duckdb_data_chunk chunk) {
  return DataChunk(chunk, true);
}
DataChunk DataChunk::borrow(duckdb_data_chunk chunk) {
  return DataChunk(chunk, false);
}

DataChunk::DataChunk(DataChunk&& other) noexcept : chunk_(other.chunk_), owned_(other.owned_) {
  other.chunk_ = nullptr;
}

DataChunk& DataChunk::operator=(DataChunk&& other) noexcept {
  if (this != &other) {
    if (owned_ && chunk_) duckdb_destroy_data_chunk(&chunk_);
    chunk_ = other.chunk_;
    owned_ = other.owned_;
    other.chunk_ = nullptr;
  }
  return *this;
}

DataChunk::~DataChunk() {
  if (owned_ && chunk_) duckdb_destroy_data_chunk(&chunk_);
}

duckdb_data_chunk DataChunk::release() {
  duckdb_data_chunk c = chunk_;
  chunk_ = nullptr;
  return c;
}

// ---- copy_vector -----------------------------------------------------------------------------

namespace {
size_t fixed_width(duckdb_type id) {
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN:
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_UTINYINT:
      return 1;
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_USMALLINT:
      return 2;
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DATE:
      return 4;
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_TIME:
    case DUCKDB_TYPE_TIME_TZ:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return 8;
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
    case DUCKDB_TYPE_UUID:
    case DUCKDB_TYPE_INTERVAL:
      return 16;
    default:
      return 0;
  }
}
}  // namespace

void copy_vector(const Vector& src, const Vector& dst, const LogicalType& type, size_t count,
                 size_t src_offset, size_t dst_offset) {
  for (size_t i = 0; i < count; ++i) {
    if (src.is_valid(src_offset + i))
      dst.set_valid(dst_offset + i);
    else
      dst.set_null(dst_offset + i);
  }
  const duckdb_type id = type.id();
  if (id == DUCKDB_TYPE_DECIMAL) {
    const uint8_t w = type.decimal_width();
    for (size_t i = 0; i < count; ++i) dst.set_decimal(dst_offset + i, src.get_decimal(src_offset + i, w), w);
    return;
  }
  if (size_t width = fixed_width(id)) {
    std::memcpy(dst.data<char>() + dst_offset * width, src.data<char>() + src_offset * width, count * width);
    return;
  }
  switch (id) {
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB:
      for (size_t i = 0; i < count; ++i)
        if (src.is_valid(src_offset + i)) dst.set_string(dst_offset + i, src.get_string(src_offset + i));
      return;
    case DUCKDB_TYPE_LIST: {
      const LogicalType child_type = type.list_child();
      size_t base = dst.list_size();
      size_t total = 0;
      for (size_t i = 0; i < count; ++i) total += src.get_list_entry(src_offset + i).length;
      dst.list_reserve(base + total);
      Vector src_child = src.list_child(), dst_child = dst.list_child();
      size_t pos = base;
      for (size_t i = 0; i < count; ++i) {
        auto e = src.get_list_entry(src_offset + i);
        if (src.is_valid(src_offset + i) && e.length)
          copy_vector(src_child, dst_child, child_type, e.length, e.offset, pos);
        dst.set_list_entry(dst_offset + i, pos, src.is_valid(src_offset + i) ? e.length : 0);
        if (src.is_valid(src_offset + i)) pos += e.length;
      }
      dst.list_set_size(pos);
      return;
    }
    case DUCKDB_TYPE_STRUCT:
      for (size_t c = 0; c < type.struct_size(); ++c)
        copy_vector(src.struct_child(c), dst.struct_child(c), type.struct_child(c), count, src_offset,
                    dst_offset);
      return;
    default:
      throw internal_error("copy of type " + type.to_sql() + " is not supported");
  }
}

}  // namespace sqlflow
