// The S3 source: list the bucket (all pages), pick the objects (glob, partitions, sampling) and
// check the cost guards before any download, fetch what the cache lacks with parallel ranged
// GETs, then read the local copies through the file connector of the format (csv, parquet,
// json) — so DuckDB's own readers, Parquet column and filter pushdown and every CSV option apply.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "connectors/s3/options.hpp"

namespace sqlflow::net {
class S3Client;
}

namespace sqlflow::connectors::s3 {

class S3Source final : public Source {
 public:
  S3Source(SourceOptions options, ConnectorContext context);
  ~S3Source() override;

  std::optional<std::string> view_sql() override { return inner().view_sql(); }
  const Schema& schema() override { return inner().schema(); }
  size_t partition_count() override { return inner().partition_count(); }
  std::unique_ptr<engine::PartitionReader> open(size_t index,
                                                const std::vector<size_t>& projection) override {
    return inner().open(index, projection);
  }
  std::optional<size_t> estimated_rows() override { return inner().estimated_rows(); }
  bool supports_cursor() const override { return true; }
  void set_cursor(const std::string& field, const std::optional<std::string>& lower_bound) override;
  std::optional<std::string> max_cursor_value() override { return inner().max_cursor_value(); }
  ReadReport after_read(engine::Connection& con, const std::string& source_name,
                        const std::string& target_table) override {
    return inner().after_read(con, source_name, target_table);
  }
  bool adapt_after_failure(const Error& error) override { return inner().adapt_after_failure(error); }
  std::optional<Error> explain_failure(const Error& error) override { return inner().explain_failure(error); }
  // "bucket b: N objects (X MB) under prefix p" — one listing page.
  std::string test_connection() override;
  IoStats io_stats() const override;

  // Objects fetched from S3 by this source (not served from the cache).
  std::size_t downloaded() const { return downloaded_; }

 private:
  net::S3Client& client();
  Source& inner();

  SourceOptions o_;
  ConnectorContext ctx_;
  std::mutex mutex_;
  std::unique_ptr<net::S3Client> client_;
  std::unique_ptr<Source> inner_;
  std::optional<std::pair<std::string, std::optional<std::string>>> cursor_;
  std::size_t downloaded_ = 0;
};

}  // namespace sqlflow::connectors::s3
