// The S3 destination: the file destination of the format writes a local file (DuckDB's COPY,
// atomic rename), then commit uploads it — one PutObject up to multipart_threshold_mb, a multipart
// upload with parallel parts above (aborted on failure, so no orphan parts) — and removes the
// local copy. The object appears only when the upload completes. With partition_by the file
// destination writes a folder of col=value/ files, and every one is uploaded below the key as a
// prefix. server_side_encryption goes with every PutObject and CreateMultipartUpload.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "connectors/s3/options.hpp"

namespace sqlflow::net {
class S3Client;
}

namespace sqlflow::connectors::s3 {

class S3Destination final : public Destination {
 public:
  S3Destination(DestinationOptions options, ConnectorContext context);
  ~S3Destination() override;

  void open(const Schema& schema, WriteMode mode, const std::vector<std::string>& keys) override;
  std::optional<std::string> copy_statement(const std::string& select_sql) override {
    return inner_->copy_statement(select_sql);
  }
  void write(const DataChunk& chunk) override { inner_->write(chunk); }
  void commit() override;
  void abort() noexcept override;
  IoStats io_stats() const override;

 private:
  // `concurrency`: parts in flight for this file (default: parallel_workers).
  void upload_file(const std::filesystem::path& file, const std::string& key,
                   std::optional<std::size_t> concurrency);
  void upload_folder();

  DestinationOptions o_;
  ConnectorContext ctx_;
  std::filesystem::path local_;
  std::unique_ptr<Destination> inner_;
  std::unique_ptr<net::S3Client> client_;
};

}  // namespace sqlflow::connectors::s3
