// Parquet page checksums. A page header may carry the CRC-32 of the page's bytes as stored
// (parquet-format's PageHeader.crc); DuckDB's reader neither checks nor writes them, so a file
// damaged where it still decodes would load wrong values in silence. This walks the pages of
// every column chunk whose first page has a checksum and compares them. Chunks without one are
// not read past their first page header (DuckDB's own exports have none: nothing to check).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sqlflow::connectors::parquet {

// Where a column chunk's pages lie (from parquet_metadata()).
struct ColumnChunkRange {
  std::string column;  // path_in_schema
  std::int64_t row_group = 0;
  std::int64_t start = 0;   // first page header (dictionary page, if any)
  std::int64_t length = 0;  // total_compressed_size: headers and data of every page
};

struct ChecksumReport {
  std::int64_t pages_checked = 0;
  std::optional<std::string> mismatch;  // "column 'x', row group 0, page at byte 4: …"
};

// Checks the pages of `chunks` in `file` against their CRCs. A page header that cannot be read
// ends the check of its chunk: DuckDB's reader reports it if the query reads that chunk.
ChecksumReport verify_page_checksums(const std::filesystem::path& file,
                                     const std::vector<ColumnChunkRange>& chunks);

// The Thrift compact-protocol PageHeader fields the check needs, read from `bytes` (nullopt
// when they are not a page header). `header_size` is set to the header's length.
struct PageHeaderFields {
  std::int32_t compressed_size = 0;
  std::optional<std::uint32_t> crc;
  std::size_t header_size = 0;
};
std::optional<PageHeaderFields> read_page_header(const unsigned char* bytes, std::size_t size);

}  // namespace sqlflow::connectors::parquet
