// Page checksums: a Parquet file whose pages carry CRC-32s (as Spark's and pyarrow's can) is
// written here by hand, following parquet-format's Thrift definitions and the Thrift compact
// protocol spec, since no writer on this machine emits them; DuckDB reads it, a damaged page in it
// still decodes (so DuckDB alone would load wrong values), and the check catches it.
#include "connectors/parquet/page_checksums.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

#include "connectors/registry.hpp"
#include "engine/connection.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using namespace sqlflow::connectors::parquet;
namespace fs = std::filesystem;

namespace {

// Thrift compact protocol writer, just what the file below needs.
class Compact {
 public:
  std::string bytes;
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      bytes += static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    bytes += static_cast<char>(v);
  }
  void zigzag(std::int64_t v) {
    varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void field(int id, int type) {
    bytes += static_cast<char>(((id - last_.back()) << 4) | type);
    last_.back() = id;
  }
  void i32(int id, std::int64_t v) {
    field(id, 5);
    zigzag(v);
  }
  void i64(int id, std::int64_t v) {
    field(id, 6);
    zigzag(v);
  }
  void binary(int id, const std::string& s) {
    field(id, 8);
    varint(s.size());
    bytes += s;
  }
  void begin_struct(int id) {
    field(id, 12);
    last_.push_back(0);
  }
  void begin_list_element() { last_.push_back(0); }
  void end_struct() {
    bytes += '\0';
    last_.pop_back();
  }
  void list(int id, int element_type, int size) {
    field(id, 9);
    bytes += static_cast<char>((size << 4) | element_type);
  }

 private:
  std::vector<int> last_{0};
};

// A file of one REQUIRED INT64 column "v" holding `values`, in pages of `per_page` values, each
// PLAIN, uncompressed, with its CRC-32 in the page header.
std::string parquet_with_checksums(const std::vector<std::int64_t>& values, size_t per_page) {
  std::string file = "PAR1";
  const std::int64_t chunk_start = static_cast<std::int64_t>(file.size());
  for (size_t first = 0; first < values.size(); first += per_page) {
    std::string data;
    const size_t n = std::min(per_page, values.size() - first);
    for (size_t i = 0; i < n; ++i) data.append(reinterpret_cast<const char*>(&values[first + i]), 8);
    Compact h;
    h.i32(1, 0);  // DATA_PAGE
    h.i32(2, static_cast<std::int64_t>(data.size()));
    h.i32(3, static_cast<std::int64_t>(data.size()));
    h.i32(4, static_cast<std::int32_t>(
                 crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()))));
    h.begin_struct(5);  // DataPageHeader
    h.i32(1, static_cast<std::int64_t>(n));
    h.i32(2, 0);  // PLAIN
    h.i32(3, 3);  // RLE
    h.i32(4, 3);
    h.end_struct();
    h.end_struct();
    file += h.bytes + data;
  }
  const std::int64_t chunk_size = static_cast<std::int64_t>(file.size()) - chunk_start;
  Compact m;
  m.i32(1, 1);
  m.list(2, 12, 2);
  m.begin_list_element();  // root
  m.binary(4, "schema");
  m.i32(5, 1);
  m.end_struct();
  m.begin_list_element();  // v
  m.i32(1, 2);             // INT64
  m.i32(3, 0);             // REQUIRED
  m.binary(4, "v");
  m.end_struct();
  m.i64(3, static_cast<std::int64_t>(values.size()));
  m.list(4, 12, 1);
  m.begin_list_element();  // RowGroup
  m.list(1, 12, 1);
  m.begin_list_element();  // ColumnChunk
  m.i64(2, chunk_start);
  m.begin_struct(3);  // ColumnMetaData
  m.i32(1, 2);
  m.list(2, 5, 1);
  m.zigzag(0);  // PLAIN
  m.list(3, 8, 1);
  m.varint(1);
  m.bytes += "v";
  m.i32(4, 0);  // UNCOMPRESSED
  m.i64(5, static_cast<std::int64_t>(values.size()));
  m.i64(6, chunk_size);
  m.i64(7, chunk_size);
  m.i64(9, chunk_start);
  m.end_struct();
  m.end_struct();  // ColumnChunk
  m.i64(2, chunk_size);
  m.i64(3, static_cast<std::int64_t>(values.size()));
  m.end_struct();  // RowGroup
  m.end_struct();  // FileMetaData
  file += m.bytes;
  const auto len = static_cast<std::uint32_t>(m.bytes.size());
  file.append(reinterpret_cast<const char*>(&len), 4);
  return file + "PAR1";
}

// The file's column chunks as DuckDB's parquet_metadata() describes them.
std::vector<ColumnChunkRange> chunks_of(const fs::path& file) {
  engine::Database db;
  engine::Connection con(db);
  std::vector<ColumnChunkRange> out;
  for (const auto& r : con.query("SELECT data_page_offset, total_compressed_size FROM parquet_metadata('" +
                                 file.string() + "')")
                           .rows())
    out.push_back({"v", 0, std::stoll(r[0]), std::stoll(r[1])});
  return out;
}

std::string load_error(const fs::path& dir, const std::string& file) {
  const auto& info = connectors::Registry::instance().get("parquet", connectors::Role::Source);
  auto source = info.make_source(connectors::normalize_params(info.source_params, {{"path", file}}),
                                 connectors::ConnectorContext{dir});
  try {
    source->view_sql();
  } catch (const Error& e) {
    return e.message();
  }
  return {};
}

}  // namespace

TEST(PageChecksums, TheReaderFindsTheFieldsOfAPageHeader) {
  Compact h;
  h.i32(1, 0);
  h.i32(2, 80);
  h.i32(3, 80);
  h.i32(4, -123);
  h.begin_struct(5);
  h.i32(1, 10);
  h.end_struct();
  h.end_struct();
  auto fields = read_page_header(reinterpret_cast<const unsigned char*>(h.bytes.data()), h.bytes.size());
  ASSERT_TRUE(fields.has_value());
  EXPECT_EQ(fields->compressed_size, 80);
  EXPECT_EQ(fields->crc, static_cast<std::uint32_t>(-123));
  EXPECT_EQ(fields->header_size, h.bytes.size());
  // Cut short, or not a header at all: no fields, never a read past the end.
  EXPECT_FALSE(read_page_header(reinterpret_cast<const unsigned char*>(h.bytes.data()), 3).has_value());
  const unsigned char garbage[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  EXPECT_FALSE(read_page_header(garbage, sizeof garbage).has_value());
}

TEST(PageChecksums, ADamagedPageThatStillDecodesFailsTheLoad) {
  test::TempDir dir("pq-crc");
  std::vector<std::int64_t> values;
  for (std::int64_t i = 0; i < 1000; ++i) values.push_back(i);
  const std::string good = parquet_with_checksums(values, 250);
  test::write_file(dir / "good.parquet", good);
  // DuckDB reads the hand-written file; the check passes it (4 pages checked).
  {
    engine::Database db;
    engine::Connection con(db);
    EXPECT_EQ(test::query_value(
                  con, "SELECT count(*) || '|' || sum(v) FROM '" + (dir / "good.parquet").string() + "'"),
              "1000|499500");
  }
  EXPECT_EQ(load_error(dir.path(), "good.parquet"), "");
  EXPECT_EQ(verify_page_checksums(dir / "good.parquet", chunks_of(dir / "good.parquet")).pages_checked, 4);

  // One byte of a value in the third page changed: DuckDB alone loads a wrong sum.
  std::string bad = good;
  bad[bad.size() / 2] ^= 0x40;
  test::write_file(dir / "bad.parquet", bad);
  {
    engine::Database db;
    engine::Connection con(db);
    EXPECT_NE(test::query_value(con, "SELECT sum(v) FROM '" + (dir / "bad.parquet").string() + "'"),
              "499500");
  }
  std::string err = load_error(dir.path(), "bad.parquet");
  EXPECT_NE(err.find("bad.parquet' is corrupted: column 'v', row group 0: the page at byte"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("does not match its checksum"), std::string::npos) << err;
}

TEST(PageChecksums, FilesWithoutChecksumsAreReadOnlyToTheFirstPageHeader) {
  test::TempDir dir("pq-nocrc");
  engine::Database db;
  engine::Connection con(db);
  con.execute("COPY (SELECT range AS v FROM range(100000)) TO '" + (dir / "duck.parquet").string() +
              "' (FORMAT parquet)");
  EXPECT_EQ(verify_page_checksums(dir / "duck.parquet", chunks_of(dir / "duck.parquet")).pages_checked, 0);
  EXPECT_EQ(load_error(dir.path(), "duck.parquet"), "");
}
