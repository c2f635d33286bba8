// The S3 source: list the bucket (all pages), pick the objects (glob, partitions, sampling) and
// check the cost guards before any download, fetch what the cache lacks with parallel ranged
// GETs, then read the local copies through the file connector of the format (csv, parquet,
// json) — so DuckDB's own readers, Parquet column and filter pushdown and every CSV option apply.
//
// Incremental by object metadata (cursor_field _last_modified or _key_date): the rows carry the
// object's LastModified (and the date in its key) as TIMESTAMP columns, and only objects newer
// than the watermark are downloaded. The watermark is known only when the LOAD runs (set_cursor
// comes after the source's view is made), so such a source is scanned through partitions: its
// schema comes from the newest object, and the objects after the watermark are fetched when the
// scan starts and read by DuckDB in a private in-memory database, cast to that schema.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/connector.hpp"
#include "connectors/s3/options.hpp"

namespace sqlflow::net {
class S3Client;
struct S3Object;
}  // namespace sqlflow::net

namespace sqlflow::engine {
class Database;
}

namespace sqlflow::connectors::s3 {

class S3Source final : public Source {
 public:
  S3Source(SourceOptions options, ConnectorContext context);
  ~S3Source() override;

  // The file source's view over the local copies; nullopt for a metadata cursor (read through
  // partitions, see above).
  std::optional<std::string> view_sql() override;
  // Metadata cursor: the newest object's columns, then _last_modified (and _key_date) TIMESTAMP.
  const Schema& schema() override;
  // Metadata cursor: fetches the objects after the watermark (set_cursor) when a scan starts;
  // one partition when there are any, none otherwise.
  size_t partition_count() override;
  std::unique_ptr<engine::PartitionReader> open(size_t index, const std::vector<size_t>& projection) override;
  std::optional<size_t> estimated_rows() override;
  bool supports_cursor() const override { return true; }
  // A data column: forwarded to the file source. _last_modified / _key_date: the lower bound of
  // the objects to fetch (the lowest of the bounds set in this run, so two LOADs of one source
  // into different tables each get every object after their own watermark).
  void set_cursor(const std::string& field, const std::optional<std::string>& lower_bound) override;
  std::optional<std::string> max_cursor_value() override;
  ReadReport after_read(engine::Connection& con, const std::string& source_name,
                        const std::string& target_table) override;
  bool adapt_after_failure(const Error& error) override;
  // The file source's explanation (or the error itself) with local cache paths replaced by the
  // s3:// URIs of the objects they hold; nullopt when neither names one of them.
  std::optional<Error> explain_failure(const Error& error) override;
  // "bucket b: N objects (X MB) under prefix p" — one listing page.
  std::string test_connection() override;
  IoStats io_stats() const override;

  // Objects fetched from S3 by this source (not served from the cache).
  std::size_t downloaded() const { return downloaded_; }

 private:
  struct Listing;
  struct Read;

  bool by_metadata() const { return o_.metadata_cursor != MetadataCursor::None; }
  net::S3Client& client();
  Source& inner();
  // The file source of the format over local files (with a filename column when asked).
  std::unique_ptr<Source> make_file_source(const std::vector<std::filesystem::path>& paths, bool filename);
  // Downloads what the cache lacks; records each local path's object for messages.
  std::vector<std::filesystem::path> fetch(const std::vector<net::S3Object>& objects);
  const Listing& listing();  // metadata cursor: the matched objects, listed once
  std::int64_t cursor_of(const net::S3Object& object) const;
  const Read& prepare_read();  // metadata cursor: the objects after the bound, fetched
  // prepare_read(), step by step:
  using Explain = std::function<Error(const Error&)>;
  using Casts = std::vector<std::pair<std::string, std::string>>;  // column, the schema's type
  // The listed objects after `bound` that settled (settle_seconds); `index`: key → position in `l`.
  std::vector<net::S3Object> settled_after(const Listing& l, std::optional<std::int64_t> bound,
                                           const std::string& where,
                                           std::map<std::string, std::size_t>& index) const;
  // Sets r.columns, one expression per schema column (a column the objects lack is an Error);
  // returns the columns whose type differs from the schema's.
  Casts project_columns(Read& r, const Schema& found) const;
  // " FROM (view) AS __d JOIN (VALUES …) AS __m …": the rows with their objects' metadata.
  std::string metadata_join(const Listing& l, const std::map<std::string, std::size_t>& index,
                            const std::vector<net::S3Object>& objects,
                            const std::vector<std::filesystem::path>& paths, const std::string& view) const;
  // r.explain when some columns are cast: a failed cast named by value, column and object.
  Explain explain_bad_cast(const Read& r, const Casts& casts, Explain wrap) const;
  std::string in_s3_terms(std::string text) const;

  SourceOptions o_;
  ConnectorContext ctx_;
  std::mutex mutex_;
  std::unique_ptr<net::S3Client> client_;
  std::unique_ptr<Source> inner_;
  std::optional<std::pair<std::string, std::optional<std::string>>> cursor_;
  std::size_t downloaded_ = 0;
  std::map<std::string, std::string> local_to_uri_;  // cache path → s3://bucket/key

  // Metadata cursor.
  std::unique_ptr<Listing> listing_;
  std::optional<Schema> schema_;
  std::string schema_from_;  // the s3:// URI of the object the columns come from
  bool bound_set_ = false;
  std::optional<std::int64_t> bound_us_;  // objects with a cursor above it are read; nullopt: all
  std::shared_ptr<Read> read_;
};

}  // namespace sqlflow::connectors::s3
