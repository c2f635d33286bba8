#include "connectors/postgres/copy_binary_decode.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <type_traits>

#include "connectors/postgres/wire.hpp"
#include "core/error.hpp"

namespace sqlflow::connectors::postgres {

namespace {

[[noreturn]] void bad(const DecodeSpec& spec, const std::string& what) {
  throw data_error("PostgreSQL COPY data for column \"" + spec.column + "\": " + what,
                   "the server sent bytes that are not a valid binary COPY value of the expected type");
}

void need(const DecodeSpec& spec, size_t len, size_t expected, const char* type) {
  if (len != expected)
    bad(spec, std::string("a ") + type + " value must be " + std::to_string(expected) + " bytes, got " +
                  std::to_string(len));
}

// One value's bytes, read front to back. Every read checks that its bytes are there before it
// reads them (as duckdb-postgres' ReadInteger<T>), so no read can pass the value's end.
class ValueReader {
 public:
  ValueReader(const DecodeSpec& spec, const char* p, size_t len) : spec_(spec), p_(p), len_(len) {}

  // A fixed-width value: exactly `size` bytes of `type`.
  ValueReader& sized(size_t size, const char* type) {
    need(spec_, len_, size, type);
    return *this;
  }
  // The next integer, big-endian on the wire; `what` names it when the bytes run out.
  template <class T>
  T read(const char* what) {
    static_assert(std::is_integral_v<T> && (sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8));
    if (len_ - pos_ < sizeof(T)) bad(spec_, std::string(what) + " is truncated");
    const char* at = p_ + pos_;
    pos_ += sizeof(T);
    if constexpr (sizeof(T) == 2)
      return static_cast<T>(wire::be16(at));
    else if constexpr (sizeof(T) == 4)
      return static_cast<T>(wire::be32(at));
    else
      return static_cast<T>(wire::be64(at));
  }
  // The next `n` bytes (checked), e.g. an array element.
  const char* take(size_t n, const char* what) {
    if (len_ - pos_ < n) bad(spec_, what);
    const char* at = p_ + pos_;
    pos_ += n;
    return at;
  }
  size_t remaining() const { return len_ - pos_; }
  void end(const char* what) const {
    if (pos_ != len_) bad(spec_, what);
  }

 private:
  const DecodeSpec& spec_;
  const char* p_;
  size_t len_;
  size_t pos_ = 0;
};

void put_text(const DecodeSpec& spec, const char* p, size_t len, const Vector& out, size_t row) {
  if (!valid_utf8(p, len)) bad(spec, "text is not valid UTF-8");
  out.set_string(row, std::string_view(p, len));
}

// numeric_send: int16 ndigits, int16 weight, uint16 sign, int16 dscale, ndigits × int16 base-10000.
struct Numeric {
  int ndigits = 0, weight = 0, dscale = 0;
  uint16_t sign = 0;
  const char* digits = nullptr;
  int digit(int i) const { return (i >= 0 && i < ndigits) ? wire::be16(digits + 2 * i) : 0; }
};

constexpr uint16_t kNumPos = 0x0000, kNumNeg = 0x4000, kNumNaN = 0xC000, kNumPInf = 0xD000, kNumNInf = 0xF000;

Numeric parse_numeric(const DecodeSpec& spec, const char* p, size_t len) {
  if (len < 8) bad(spec, "a numeric value needs at least 8 bytes");
  ValueReader r(spec, p, len);
  Numeric n;
  n.ndigits = r.read<int16_t>("numeric header");
  n.weight = r.read<int16_t>("numeric header");
  n.sign = r.read<uint16_t>("numeric header");
  n.dscale = r.read<int16_t>("numeric header");
  if (n.ndigits < 0 || r.remaining() != 2 * static_cast<size_t>(n.ndigits))
    bad(spec, "numeric digit count does not match its length");
  if (n.sign != kNumPos && n.sign != kNumNeg && n.sign != kNumNaN && n.sign != kNumPInf && n.sign != kNumNInf)
    bad(spec, "numeric has an invalid sign word");
  if (n.dscale < 0 || n.dscale > 0x3FFF) bad(spec, "numeric has an invalid display scale");
  n.digits = r.take(2 * static_cast<size_t>(n.ndigits), "numeric digits are truncated");
  for (int i = 0; i < n.ndigits; ++i)
    if (n.digit(i) > 9999) bad(spec, "numeric digit out of range");
  return n;
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

std::string render_numeric(const Numeric& n) {
  if (n.sign == kNumNaN) return "NaN";
  if (n.sign == kNumPInf) return "Infinity";
  if (n.sign == kNumNInf) return "-Infinity";
  std::string out;
  if (n.sign == kNumNeg && n.ndigits > 0) out += '-';
  if (n.weight < 0) {
    out += '0';
  } else {
    char buf[8];
    for (int d = 0; d <= n.weight; ++d) {
      int dig = n.digit(d);
      if (d == 0) {
        auto r = std::to_chars(buf, buf + sizeof buf, dig);
        out.append(buf, r.ptr);
      } else {
        buf[0] = static_cast<char>('0' + dig / 1000);
        buf[1] = static_cast<char>('0' + dig / 100 % 10);
        buf[2] = static_cast<char>('0' + dig / 10 % 10);
        buf[3] = static_cast<char>('0' + dig % 10);
        out.append(buf, 4);
      }
    }
  }
  if (n.dscale > 0) {
    out += '.';
    static const int kDiv[4] = {1000, 100, 10, 1};
    for (int i = 0; i < n.dscale; ++i) {
      int dig = n.digit(n.weight + 1 + i / 4);
      out += static_cast<char>('0' + dig / kDiv[i % 4] % 10);
    }
  }
  return out;
}

// Integer digits of a finite numeric's text form ("-123.45" → 3, "0.5" → 0).
int integer_digits(const std::string& text) {
  int n = 0;
  bool leading = true;
  for (char c : text) {
    if (c == '.') break;
    if (c < '0' || c > '9') continue;
    if (leading && c == '0') continue;
    leading = false;
    ++n;
  }
  return n;
}

// A value the target DECIMAL cannot hold exactly. From numeric_mode (an unconstrained numeric),
// the message names the setting and what the value would need; never rounded instead.
[[noreturn]] void misfit(const DecodeSpec& spec, const Numeric& n, const std::string& why) {
  const std::string value = render_numeric(n);
  const std::string target = "decimal(" + std::to_string(spec.width) + "," + std::to_string(spec.scale) + ")";
  const bool special = n.sign == kNumNaN || n.sign == kNumPInf || n.sign == kNumNInf;
  if (!spec.from_numeric_mode)
    throw data_error(
        "PostgreSQL column \"" + spec.column + "\": value " + value + " cannot be stored in " + target,
        "DuckDB's DECIMAL has no NaN or Infinity; cast the column in a query (e.g. to float8) or "
        "filter those rows out");
  const int scale = special ? 0 : n.dscale;
  const int digits = special ? 0 : integer_digits(value);
  std::string hint;
  if (special) {
    hint = "set numeric_mode to \"varchar\" (exact text) or \"double\" to load NaN and Infinity";
  } else {
    if (digits + scale <= 38)
      hint = "set numeric_mode to \"decimal(38," +
             std::to_string(std::min(38 - digits, std::max<int>(scale, spec.scale))) +
             ")\" (exact for this value), or \"varchar\" to load every digit as text";
    else
      hint = "set numeric_mode to \"varchar\" to load every digit as text (DECIMAL holds at most 38 digits)";
  }
  throw data_error("PostgreSQL column \"" + spec.column + "\" (numeric without precision): value " + value +
                       (special ? ""
                                : " (scale " + std::to_string(scale) + ", " + std::to_string(digits) +
                                      " integer digits)") +
                       " " + why + " numeric_mode " + target + (special ? "" : "; values are never rounded"),
                   hint);
}

// The value × 10^scale as an integer, if it is one and has at most `width` digits.
int128 numeric_to_unscaled(const DecodeSpec& spec, const Numeric& n) {
  if (n.sign == kNumNaN || n.sign == kNumPInf || n.sign == kNumNInf) misfit(spec, n, "cannot be stored in");
  auto overflow = [&] {
    misfit(spec, n,
           "does not fit: at most " + std::to_string(spec.width - spec.scale) + " integer digits in");
  };
  const uint128* p10 = pow10_table();
  uint128 acc = 0;
  for (int k = 0; k < n.ndigits; ++k) {
    const uint128 d = static_cast<uint128>(n.digit(k));
    if (d == 0) continue;
    const int e = 4 * (n.weight - k) + spec.scale;  // this digit group's power of ten in the result
    uint128 term;
    if (e >= 0) {
      if (e > 38 || d >= p10[38 - e]) overflow();  // d·10^e ≥ 10^38
      term = d * p10[e];
    } else {
      if (-e >= 4 || d % p10[-e] != 0)
        misfit(spec, n,
               "has more than " + std::to_string(spec.scale) + " fractional digits: it does not fit");
      term = d / p10[-e];
    }
    acc += term;
    if (acc >= p10[38]) overflow();
  }
  if (acc >= p10[spec.width]) overflow();
  return n.sign == kNumNeg ? -static_cast<int128>(acc) : static_cast<int128>(acc);
}

void decode_numeric(const DecodeSpec& spec, const char* p, size_t len, const Vector& out, size_t row) {
  Numeric n = parse_numeric(spec, p, len);
  switch (spec.numeric) {
    case NumericTarget::Decimal:
      out.set_decimal(row, numeric_to_unscaled(spec, n), spec.width);
      return;
    case NumericTarget::Varchar:
      out.set_string(row, render_numeric(n));
      return;
    case NumericTarget::Double: {
      double v;
      if (n.sign == kNumNaN)
        v = std::numeric_limits<double>::quiet_NaN();
      else if (n.sign == kNumPInf)
        v = std::numeric_limits<double>::infinity();
      else if (n.sign == kNumNInf)
        v = -std::numeric_limits<double>::infinity();
      else {
        std::string text = render_numeric(n);
        auto r = std::from_chars(text.data(), text.data() + text.size(), v);
        if (r.ec == std::errc::result_out_of_range)
          v = text[0] == '-' ? -std::numeric_limits<double>::infinity()
                             : std::numeric_limits<double>::infinity();
        else if (r.ec != std::errc())
          bad(spec, "numeric is not a number");
      }
      out.set<double>(row, v);
      return;
    }
  }
}

constexpr int32_t kEpochDays = 10957;                // 1970-01-01 → 2000-01-01
constexpr int64_t kEpochMicros = 946684800000000LL;  // the same in microseconds
constexpr int64_t kMicrosPerDay = 86400000000LL;

void decode_scalar(const DecodeSpec& spec, const char* p, size_t len, const Vector& out, size_t row) {
  switch (spec.wire) {
    case Wire::Bool:
      need(spec, len, 1, "bool");
      out.set<bool>(row, p[0] != 0);
      return;
    case Wire::Int2:
      out.set<int16_t>(row, ValueReader(spec, p, len).sized(2, "int2").read<int16_t>("int2"));
      return;
    case Wire::Int4:
      out.set<int32_t>(row, ValueReader(spec, p, len).sized(4, "int4").read<int32_t>("int4"));
      return;
    case Wire::Int8:
      out.set<int64_t>(row, ValueReader(spec, p, len).sized(8, "int8").read<int64_t>("int8"));
      return;
    case Wire::Float4: {
      uint32_t bits = ValueReader(spec, p, len).sized(4, "float4").read<uint32_t>("float4");
      float f;
      std::memcpy(&f, &bits, 4);
      out.set<float>(row, f);
      return;
    }
    case Wire::Float8: {
      uint64_t bits = ValueReader(spec, p, len).sized(8, "float8").read<uint64_t>("float8");
      double d;
      std::memcpy(&d, &bits, 8);
      out.set<double>(row, d);
      return;
    }
    case Wire::Numeric:
      decode_numeric(spec, p, len, out, row);
      return;
    case Wire::Text:
    case Wire::Inet:
      put_text(spec, p, len, out, row);
      return;
    case Wire::Jsonb:
      if (len < 1 || p[0] != 1) bad(spec, "jsonb value without version byte 1");
      put_text(spec, p + 1, len - 1, out, row);
      return;
    case Wire::Bytea:
      out.set_string(row, std::string_view(p, len));
      return;
    case Wire::Date: {
      int32_t v = ValueReader(spec, p, len).sized(4, "date").read<int32_t>("date");
      int32_t days;
      if (v == std::numeric_limits<int32_t>::max())
        days = std::numeric_limits<int32_t>::max();
      else if (v == std::numeric_limits<int32_t>::min())
        days = -std::numeric_limits<int32_t>::max();
      else if (v >= std::numeric_limits<int32_t>::max() - kEpochDays)
        bad(spec, "date beyond DuckDB's range");
      else
        days = v + kEpochDays;
      out.set<duckdb_date>(row, duckdb_date{days});
      return;
    }
    case Wire::Time: {
      int64_t v = ValueReader(spec, p, len).sized(8, "time").read<int64_t>("time");
      if (v < 0 || v > kMicrosPerDay) bad(spec, "time of day out of range");
      out.set<duckdb_time>(row, duckdb_time{v});
      return;
    }
    case Wire::TimeTz: {
      ValueReader r(spec, p, len);
      r.sized(12, "timetz");
      int64_t v = r.read<int64_t>("timetz");
      int32_t zone = r.read<int32_t>("timetz");  // seconds west of UTC
      if (v < 0 || v > kMicrosPerDay) bad(spec, "time of day out of range");
      if (zone < -57599 || zone > 57599) bad(spec, "time zone offset out of range");
      out.set<duckdb_time_tz>(row, duckdb_create_time_tz(v, -zone));
      return;
    }
    case Wire::Timestamp:
    case Wire::TimestampTz: {
      int64_t v = ValueReader(spec, p, len).sized(8, "timestamp").read<int64_t>("timestamp");
      int64_t micros;
      if (v == std::numeric_limits<int64_t>::max())
        micros = std::numeric_limits<int64_t>::max();
      else if (v == std::numeric_limits<int64_t>::min())
        micros = -std::numeric_limits<int64_t>::max();
      else if (v >= std::numeric_limits<int64_t>::max() - kEpochMicros)
        bad(spec, "timestamp beyond DuckDB's range");
      else
        micros = v + kEpochMicros;
      out.set<duckdb_timestamp>(row, duckdb_timestamp{micros});
      return;
    }
    case Wire::Interval: {
      ValueReader r(spec, p, len);
      r.sized(16, "interval");
      duckdb_interval iv;
      iv.micros = r.read<int64_t>("interval");
      iv.days = r.read<int32_t>("interval");
      iv.months = r.read<int32_t>("interval");
      out.set<duckdb_interval>(row, iv);
      return;
    }
    case Wire::Uuid:
      need(spec, len, 16, "uuid");
      out.set_uuid(row, reinterpret_cast<const uint8_t*>(p));
      return;
  }
}

// array_send: int32 ndim, int32 has-nulls flag, uint32 element oid, ndim × (int32 size, int32 lower
// bound), then each element as int32 length (-1 NULL) + bytes.
void decode_array(const DecodeSpec& spec, const char* p, size_t len, const Vector& out, size_t row) {
  if (len < 12) bad(spec, "array header is truncated");
  ValueReader r(spec, p, len);
  const int32_t ndim = r.read<int32_t>("array header");
  (void)r.read<int32_t>("array header");   // has-nulls flag
  (void)r.read<uint32_t>("array header");  // element type oid
  const size_t base = out.list_size();
  if (ndim == 0) {
    r.end("empty array has trailing bytes");
    out.set_list_entry(row, base, 0);
    return;
  }
  if (ndim != 1) {
    if (ndim > 1 && ndim <= 6)
      bad(spec, "a " + std::to_string(ndim) +
                    "-dimensional array cannot become a LIST (only one-dimensional arrays can)");
    bad(spec, "array has an invalid number of dimensions");
  }
  if (len < 20) bad(spec, "array header is truncated");
  const int32_t count = r.read<int32_t>("array header");
  (void)r.read<int32_t>("array header");  // lower bound
  if (count < 0 || static_cast<size_t>(count) > r.remaining() / 4)
    bad(spec, "array element count exceeds its length");
  out.list_reserve(base + static_cast<size_t>(count));
  Vector child = out.list_child();
  for (int32_t k = 0; k < count; ++k) {
    const int32_t elen = r.read<int32_t>("array element");
    const size_t at = base + static_cast<size_t>(k);
    if (elen == -1) {
      child.set_null(at);
      continue;
    }
    if (elen < 0 || static_cast<size_t>(elen) > r.remaining())
      bad(spec, "array element length exceeds the array");
    child.set_valid(at);
    decode_scalar(spec, r.take(static_cast<size_t>(elen), "array element length exceeds the array"),
                  static_cast<size_t>(elen), child, at);
  }
  r.end("array has trailing bytes");
  out.list_set_size(base + static_cast<size_t>(count));
  out.set_list_entry(row, base, static_cast<uint64_t>(count));
}

}  // namespace

bool valid_utf8(const char* s, size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(s);
  size_t i = 0;
  while (i < n) {
    if (n - i >= 8) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (!(w & 0x8080808080808080ULL)) {
        i += 8;
        continue;
      }
    }
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t extra;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i <= extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      unsigned char cc = p[i + k];
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((extra == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
      return false;
    i += extra + 1;
  }
  return true;
}

std::string numeric_to_text(const char* p, size_t len, const std::string& column) {
  DecodeSpec spec;
  spec.column = column;
  return render_numeric(parse_numeric(spec, p, len));
}

void decode_value(const DecodeSpec& spec, const char* p, size_t len, const Vector& out, size_t row) {
  if (spec.array)
    decode_array(spec, p, len, out, row);
  else
    decode_scalar(spec, p, len, out, row);
}

// ---- the stream ------------------------------------------------------------------------------

CopyBinaryStream::CopyBinaryStream(std::vector<DecodeSpec> fields) : fields_(std::move(fields)) {}

CopyBinaryStream::Scan CopyBinaryStream::scan_row(const char* p, size_t n, size_t& size) const {
  if (n < 2) return Scan::Incomplete;
  int16_t count = static_cast<int16_t>(wire::be16(p));
  if (count == -1) {
    size = 2;
    return Scan::Trailer;
  }
  if (count < 0 || static_cast<size_t>(count) != fields_.size())
    throw data_error("PostgreSQL COPY row has " + std::to_string(count) + " fields, expected " +
                     std::to_string(fields_.size()));
  size_t off = 2;
  for (int16_t i = 0; i < count; ++i) {
    if (n - off < 4) return Scan::Incomplete;
    int32_t len = static_cast<int32_t>(wire::be32(p + off));
    off += 4;
    if (len == -1) continue;
    if (len < 0) throw data_error("PostgreSQL COPY field has a negative length");
    if (n - off < static_cast<size_t>(len)) return Scan::Incomplete;
    off += static_cast<size_t>(len);
  }
  size = off;
  return Scan::Row;
}

void CopyBinaryStream::decode_row(const char* p, size_t size, size_t row,
                                  const std::vector<Vector>& targets) {
  // scan_row proved every field lies within `size`; the reader checks each read again anyway.
  static const DecodeSpec kRow = [] {
    DecodeSpec row_spec;
    row_spec.column = "(row)";
    return row_spec;
  }();
  ValueReader fields(kRow, p, size);
  (void)fields.read<int16_t>("row header");
  for (size_t i = 0; i < fields_.size(); ++i) {
    const int32_t len = fields.read<int32_t>("field length");
    const Vector& out = targets[i];
    if (len == -1) {
      out.set_null(row);
      continue;
    }
    out.set_valid(row);
    decode_value(fields_[i], fields.take(static_cast<size_t>(len), "field is truncated"),
                 static_cast<size_t>(len), out, row);
  }
}

size_t CopyBinaryStream::read(const std::vector<Vector>& targets, size_t max_rows, const PullPiece& pull) {
  if (targets.size() != fields_.size())
    throw internal_error("COPY decoder: target count differs from field count");
  // Header: 11-byte signature, int32 flags, int32 extension length, extension bytes.
  static constexpr char kSignature[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\xff', '\r', '\n', '\0'};
  size_t rows = 0;
  while (rows < max_rows && !finished_) {
    const bool carrying = carry_pos_ < carry_.size();
    const char* p = carrying ? carry_.data() + carry_pos_ : view_.data();
    const size_t n = carrying ? carry_.size() - carry_pos_ : view_.size();
    size_t used = 0;
    bool incomplete = false;
    if (!header_done_) {
      if (n >= 19) {
        if (std::memcmp(p, kSignature, 11) != 0)
          throw data_error("PostgreSQL COPY stream does not start with the binary COPY signature");
        uint32_t flags = wire::be32(p + 11);
        if (flags & 0xFFFF0000u)
          throw data_error("PostgreSQL COPY stream has unsupported header flags (e.g. OIDs)");
        uint32_t ext = wire::be32(p + 15);
        if (ext > (1u << 30)) throw data_error("PostgreSQL COPY header extension is too long");
        if (n - 19 >= ext) {
          used = 19 + ext;
          header_done_ = true;
        } else {
          incomplete = true;
        }
      } else {
        incomplete = true;
      }
    } else {
      size_t size = 0;
      switch (scan_row(p, n, size)) {
        case Scan::Incomplete:
          incomplete = true;
          break;
        case Scan::Trailer:
          used = size;
          finished_ = true;
          break;
        case Scan::Row:
          decode_row(p, size, rows, targets);
          ++rows;
          used = size;
          break;
      }
    }
    if (!incomplete) {
      bytes_ += used;
      if (carrying) {
        carry_pos_ += used;
        if (carry_pos_ == carry_.size()) {
          carry_.clear();
          carry_pos_ = 0;
        }
      } else {
        view_.remove_prefix(used);
      }
      continue;
    }
    // Need more bytes: keep what is left of the current piece, then append the next one.
    if (!carrying && !view_.empty()) {
      carry_.assign(view_.data(), view_.size());
      carry_pos_ = 0;
    } else if (carrying && carry_pos_ > 0) {
      carry_.erase(0, carry_pos_);
      carry_pos_ = 0;
    }
    view_ = {};
    std::string_view piece;
    if (!pull(piece)) {
      if (!carry_.empty() || !header_done_)
        throw data_error("PostgreSQL COPY stream ended in the middle of a row",
                         "the connection may have been cut");
      throw data_error("PostgreSQL COPY stream ended without its trailer",
                       "the connection may have been cut");
    }
    if (carry_.empty())
      view_ = piece;
    else
      carry_.append(piece.data(), piece.size());
  }
  return rows;
}

}  // namespace sqlflow::connectors::postgres
