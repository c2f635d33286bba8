// Thrift compact protocol as the Thrift spec describes it (doc/specs/thrift-compact-protocol.md):
// a struct is fields, each a header byte (field-id delta << 4 | type, or delta 0 and a zigzag
// varint id), ended by a 0 byte; integers are zigzag varints; binary is a varint length and bytes;
// a list header is (size << 4 | element type), size 15 meaning a varint size follows.
#include "connectors/parquet/page_checksums.hpp"

#include <zlib.h>

#include <cstdio>
#include <memory>

#include "core/error.hpp"

namespace sqlflow::connectors::parquet {

namespace {

// Compact protocol types.
enum : int {
  kTrue = 1,
  kFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12
};

class Reader {
 public:
  Reader(const unsigned char* p, std::size_t n) : p_(p), n_(n) {}
  std::size_t pos() const { return pos_; }

  bool byte(std::uint8_t& out) {
    if (pos_ >= n_) return false;
    out = p_[pos_++];
    return true;
  }
  bool varint(std::uint64_t& out) {
    out = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      std::uint8_t b;
      if (!byte(b)) return false;
      out |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;  // more than 10 bytes: not a varint
  }
  bool zigzag(std::int64_t& out) {
    std::uint64_t v;
    if (!varint(v)) return false;
    out = static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
    return true;
  }
  bool skip(int type, int depth = 0) {
    if (depth > 32) return false;
    std::uint64_t n;
    std::int64_t i;
    switch (type) {
      case kTrue:
      case kFalse:
        return true;
      case kByte: {
        std::uint8_t b;
        return byte(b);
      }
      case kI16:
      case kI32:
      case kI64:
        return zigzag(i);
      case kDouble:
        return advance(8);
      case kBinary:
        return varint(n) && advance(n);
      case kList:
      case kSet: {
        std::uint8_t h;
        if (!byte(h)) return false;
        std::uint64_t size = h >> 4;
        if (size == 15 && !varint(size)) return false;
        for (std::uint64_t k = 0; k < size; ++k)
          if (!skip(h & 0x0f, depth + 1)) return false;
        return true;
      }
      case kMap: {
        if (!varint(n)) return false;
        if (n == 0) return true;
        std::uint8_t kv;
        if (!byte(kv)) return false;
        for (std::uint64_t k = 0; k < n; ++k)
          if (!skip(kv >> 4, depth + 1) || !skip(kv & 0x0f, depth + 1)) return false;
        return true;
      }
      case kStruct:
        return skip_struct(depth + 1);
      default:
        return false;
    }
  }
  bool skip_struct(int depth) {
    std::int16_t id = 0;
    for (;;) {
      int type;
      if (!field(id, type)) return false;
      if (type == 0) return true;
      if (!skip(type, depth)) return false;
    }
  }
  // The next field's id and type; type 0 is the end of the struct.
  bool field(std::int16_t& id, int& type) {
    std::uint8_t h;
    if (!byte(h)) return false;
    type = h & 0x0f;
    if (type == 0) return true;
    if (h >> 4) {
      id = static_cast<std::int16_t>(id + (h >> 4));
    } else {
      std::int64_t v;
      if (!zigzag(v)) return false;
      id = static_cast<std::int16_t>(v);
    }
    return true;
  }

 private:
  bool advance(std::uint64_t k) {
    if (k > n_ - pos_) return false;
    pos_ += k;
    return true;
  }
  const unsigned char* p_;
  std::size_t n_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<PageHeaderFields> read_page_header(const unsigned char* bytes, std::size_t size) {
  Reader r(bytes, size);
  PageHeaderFields out;
  bool has_size = false;
  std::int16_t id = 0;
  for (;;) {
    int type;
    if (!r.field(id, type)) return std::nullopt;
    if (type == 0) break;
    std::int64_t v;
    if ((id == 3 || id == 4) && type == kI32) {
      if (!r.zigzag(v)) return std::nullopt;
      if (id == 3) {
        out.compressed_size = static_cast<std::int32_t>(v);
        has_size = v >= 0;
      } else {
        out.crc = static_cast<std::uint32_t>(static_cast<std::int32_t>(v));
      }
    } else if (!r.skip(type)) {
      return std::nullopt;
    }
  }
  if (!has_size) return std::nullopt;
  out.header_size = r.pos();
  return out;
}

ChecksumReport verify_page_checksums(const std::filesystem::path& file,
                                     const std::vector<ColumnChunkRange>& chunks) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!f) throw data_error("cannot open '" + file.string() + "' to check its page checksums");
  ChecksumReport report;
  std::vector<unsigned char> buf;
  auto read_at = [&](std::int64_t offset, std::size_t n) {
    buf.resize(n);
    if (std::fseek(f.get(), offset, SEEK_SET) != 0) return std::size_t{0};
    return std::fread(buf.data(), 1, n, f.get());
  };
  for (const auto& c : chunks) {
    std::int64_t at = c.start;
    const std::int64_t end = c.start + c.length;
    bool first = true;
    while (at < end) {
      // A page header is a few dozen bytes; 64 KB covers even large statistics.
      const std::size_t got = read_at(at, static_cast<std::size_t>(std::min<std::int64_t>(65536, end - at)));
      auto header = read_page_header(buf.data(), got);
      // An unreadable header is left to DuckDB's reader, which fails on it only if the query reads
      // that chunk (a column or row group it skips may be anything).
      if (!header) break;
      if (first && !header->crc) break;  // this chunk's writer did not checksum its pages
      first = false;
      const std::int64_t data_at = at + static_cast<std::int64_t>(header->header_size);
      if (header->crc) {
        const std::size_t n = static_cast<std::size_t>(header->compressed_size);
        if (read_at(data_at, n) != n) {
          report.mismatch = "column '" + c.column + "', row group " + std::to_string(c.row_group) +
                            ": the page at byte " + std::to_string(at) + " ends past the end of the file";
          return report;
        }
        const auto crc =
            static_cast<std::uint32_t>(crc32(crc32(0L, Z_NULL, 0), buf.data(), static_cast<uInt>(n)));
        ++report.pages_checked;
        if (crc != *header->crc) {
          report.mismatch = "column '" + c.column + "', row group " + std::to_string(c.row_group) +
                            ": the page at byte " + std::to_string(at) + " does not match its checksum";
          return report;
        }
      }
      at = data_at + header->compressed_size;
    }
  }
  return report;
}

}  // namespace sqlflow::connectors::parquet
