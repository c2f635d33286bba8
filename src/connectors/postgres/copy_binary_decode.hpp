// Decoder of PostgreSQL's binary COPY stream (`COPY … TO STDOUT (FORMAT binary)`) straight into
// DuckDB vectors. Follows the PostgreSQL 15 documentation, "COPY — File Formats — Binary Format",
// and each type's send function (numeric_send, timestamp_send, interval_send, array_send, …).
// Every read is bounds-checked: hostile bytes raise a data error, never read out of bounds.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/postgres/type_map.hpp"
#include "core/data_chunk.hpp"

namespace sqlflow::connectors::postgres {

// Pulls the next piece of the stream (for libpq: one CopyData message). The view stays valid
// until the next call. Returns false at the end of the stream.
using PullPiece = std::function<bool(std::string_view& piece)>;

class CopyBinaryStream {
 public:
  // `fields` describe the columns of each row, in COPY order.
  explicit CopyBinaryStream(std::vector<DecodeSpec> fields);

  // Decodes up to `max_rows` rows; field i goes into targets[i]. Returns the number of rows
  // written at indices [0, n); 0 only when the stream has ended (trailer seen). Throws a data error
  // for malformed input or values that do not fit their DuckDB type.
  size_t read(const std::vector<Vector>& targets, size_t max_rows, const PullPiece& pull);

  bool finished() const { return finished_; }
  // Bytes of COPY data consumed so far (header, rows, trailer).
  uint64_t bytes() const { return bytes_; }

 private:
  enum class Scan { Incomplete, Row, Trailer };
  Scan scan_row(const char* p, size_t n, size_t& size) const;
  void decode_row(const char* p, size_t size, size_t row, const std::vector<Vector>& targets);

  std::vector<DecodeSpec> fields_;
  bool header_done_ = false;
  bool finished_ = false;
  std::string_view view_;  // the current piece (not owned)
  std::string carry_;      // an incomplete row spanning pieces
  size_t carry_pos_ = 0;
  uint64_t bytes_ = 0;
};

// Decodes one field value (not NULL) of `spec` into row `row` of `out`. Exposed for tests.
void decode_value(const DecodeSpec& spec, const char* p, size_t len, const Vector& out, size_t row);

// PostgreSQL's text form of a binary numeric (as numeric_out prints it). Exposed for tests.
std::string numeric_to_text(const char* p, size_t len, const std::string& column);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, ≤ U+10FFFF).
bool valid_utf8(const char* s, size_t n);

}  // namespace sqlflow::connectors::postgres
