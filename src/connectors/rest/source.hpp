// The REST API source: pages of JSON records fetched through the resilient HTTP client (every
// pagination style of options.hpp), types inferred at bind time from the first page(s), records
// parsed with simdjson straight into DuckDB's vectors. Pages are fetched in parallel when their
// number is known up front; otherwise the next page is prefetched while the current one decodes.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "connectors/rest/options.hpp"
#include "connectors/rest/schema_inference.hpp"

namespace sqlflow::net {
class HttpClient;
}

namespace sqlflow::connectors::rest {

struct SourceStats {
  std::atomic<std::uint64_t> pages{0};    // pages fetched (bodies received)
  std::atomic<std::uint64_t> records{0};  // records handed to the engine
  std::atomic<std::uint64_t> bytes{0};    // body bytes received
};

class RestSource final : public Source {
 public:
  // `on_request_latency` (may be empty) receives each request attempt's latency, for metrics.
  explicit RestSource(RestOptions options, RequestLatencySink on_request_latency = {});
  ~RestSource() override;

  // Fetches the first page (and infer_sample_pages - 1 more) once, infers the columns, and keeps
  // the fetched bodies for the first scan. Never changes afterwards.
  const Schema& schema() override;
  // Plans one scan: the first page tells whether the page count is known (page_number / offset
  // with a total): then one partition per range of pages, else a single partition.
  size_t partition_count() override;
  std::unique_ptr<engine::PartitionReader> open(size_t index, const std::vector<size_t>& projection) override;
  // The total the first page reports (total_path, total_pages_path × page_size), if any.
  std::optional<size_t> estimated_rows() override;

  bool supports_cursor() const override { return true; }
  // preserve_order false: pages in any order, so a LOAD may decode them on every thread.
  bool rows_unordered() override;
  // Sends the watermark as `cursor_param` on every request (TIMESTAMP watermarks as ISO 8601 UTC).
  void set_cursor(const std::string& field, const std::optional<std::string>& lower_bound) override;
  std::string test_connection() override;
  // Bytes, requests, retries, throttle waits and breaker trips of the data client.
  IoStats io_stats() const override;

  const std::vector<RestColumn>& columns();
  const SourceStats& stats() const;
  net::HttpClient& client();
  // Warnings given so far (keys not in the schema, DOUBLE columns that drop digits…).
  std::vector<std::string> warnings() const;
  // The warnings, for the LOAD's summary.
  ReadReport after_read(engine::Connection& con, const std::string& source_name,
                        const std::string& target_table) override;

  struct Core;

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace sqlflow::connectors::rest
