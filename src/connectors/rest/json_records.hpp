// JSON pages → DataChunks: simdjson On-Demand over one response body, reading the pagination
// fields, sampling records for type inference, and writing records straight into DuckDB's
// vectors (no intermediate rows). Nested objects become a.b columns when flattening; arrays (and
// objects when not flattening) are kept as their JSON text.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "connectors/rest/schema_inference.hpp"
#include "core/data_chunk.hpp"

namespace sqlflow::connectors::rest {

// One response body with the spare bytes simdjson reads past the end.
class PageBody {
 public:
  PageBody() = default;
  explicit PageBody(std::string body);
  const char* data() const { return bytes_.data(); }
  size_t size() const { return size_; }
  size_t capacity() const { return bytes_.size(); }
  std::string_view view() const { return {bytes_.data(), size_}; }

 private:
  std::string bytes_;
  size_t size_ = 0;
};

// Where a page came from, for messages (the URL is already redacted).
struct PageContext {
  std::string url;
  std::int64_t page = 0;  // 1-based, in fetch order
  bool first = false;     // the first page: a missing data_path is a mistake, not an empty page
};

struct RecordsSpec {
  std::string data_path;     // as the user wrote it, for messages
  std::string data_pointer;  // RFC 6901; empty: the document root
  bool flatten = true;
  std::string flatten_separator = ".";  // between the keys of a flattened name: address.street
  bool infer_timestamps = true;
};

struct MetaPaths {
  std::string total_pointer;
  std::string total_pages_pointer;
  std::string cursor_pointer;
  std::string next_pointer;
  // Count the records (a second walk over the array): needed where a short page ends the data.
  bool count_records = true;
};

struct PageMeta {
  size_t records = 0;  // 0 when not counted (MetaPaths::count_records false)
  std::optional<std::int64_t> total;
  std::optional<std::int64_t> total_pages;
  std::optional<std::string> cursor;    // absent, null or "" → nullopt
  std::optional<std::string> next_url;  // likewise
};

// Counts the records and reads the pagination fields. Throws a data Error (URL, page, byte
// offset) when the body is not valid JSON or data_path leads to no array.
PageMeta read_page_meta(const PageBody& body, const RecordsSpec& spec, const MetaPaths& paths,
                        const PageContext& ctx);

// Observes up to `max_records` records into `builder`; returns how many it looked at.
size_t sample_records(const PageBody& body, const RecordsSpec& spec, size_t max_records,
                      SchemaBuilder& builder, const PageContext& ctx);

// Writes the records of one page at a time into chunks. Not thread-safe; one per reader.
class RecordDecoder {
 public:
  // Called once per key that is in the records but not in the schema (its values are not
  // loaded); the caller warns. Never called for null values.
  using UnknownKey = std::function<void(const std::string& key, const PageContext& ctx)>;

  RecordDecoder(const std::vector<RestColumn>& columns, RecordsSpec spec,
                const std::vector<size_t>& projection, UnknownKey on_unknown);
  ~RecordDecoder();
  RecordDecoder(const RecordDecoder&) = delete;
  RecordDecoder& operator=(const RecordDecoder&) = delete;

  // Starts on a page (kept alive by the decoder until the next start()).
  void start(std::shared_ptr<const PageBody> body, PageContext ctx);
  // Writes records into rows [offset, capacity) of `out` (columns in projection order) and
  // returns how many; 0 when the page is done. Throws a data Error naming URL, page, record and
  // key when a value does not fit its column's type, or the JSON is malformed.
  size_t decode(DataChunk& out, size_t offset);
  // Records written from the current page so far.
  size_t records_done() const { return record_index_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  size_t record_index_ = 0;
};

}  // namespace sqlflow::connectors::rest
