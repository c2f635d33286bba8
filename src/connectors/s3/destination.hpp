// The S3 destination: the file destination of the format writes a local file (DuckDB's COPY,
// atomic rename), then commit uploads it — one PutObject up to multipart_threshold_mb, a multipart
// upload with parallel parts above (aborted on failure, so no orphan parts) — and removes the
// local copy. The object appears only when the upload completes. With partition_by the file
// destination writes a folder of col=value/ files, every one is uploaded below the key as a
// prefix under a name unique to the run, and the previous export's partition files are deleted
// once all arrived (or the new ones, if one failed). server_side_encryption goes with every
// PutObject and CreateMultipartUpload.
#pragma once

#include <exception>
#include <filesystem>
#include <functional>
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
  // Runs task(0..count-1) on up to parallel_workers threads; stops handing out work at the first
  // exception, which it returns.
  std::exception_ptr for_each_parallel(std::size_t count, const std::function<void(std::size_t)>& task);
  // Deletes the keys in parallel; returns how many could not be deleted.
  std::size_t delete_objects(const std::vector<std::string>& keys);

  DestinationOptions o_;
  ConnectorContext ctx_;
  std::filesystem::path local_;
  std::unique_ptr<Destination> inner_;
  std::unique_ptr<net::S3Client> client_;
};

}  // namespace sqlflow::connectors::s3
