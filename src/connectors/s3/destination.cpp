#include "connectors/s3/destination.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <random>

#include "connectors/http_io.hpp"
#include "connectors/registry.hpp"
#include "core/error.hpp"
#include "net/s3_client.hpp"

namespace sqlflow::connectors::s3 {

namespace fs = std::filesystem;

S3Destination::S3Destination(DestinationOptions options, ConnectorContext context)
    : o_(std::move(options)), ctx_(std::move(context)) {}

S3Destination::~S3Destination() = default;

void S3Destination::open(const Schema& schema, WriteMode mode, const std::vector<std::string>& keys) {
  if (mode != WriteMode::Replace)
    throw validation_error("S3 exports replace the object; append and upsert are not supported",
                           "write a new object per run (e.g. a key with ${run_date}) instead");
  client_ = std::make_unique<net::S3Client>(o_.connection.client_options());
  // A local spill file under the project's target folder, unique per run.
  std::mt19937_64 rng{std::random_device{}()};
  fs::path dir = ctx_.base_dir / "target" / "s3-uploads";
  fs::create_directories(dir);
  std::string base = o_.key.substr(o_.key.rfind('/') + 1);
  local_ = dir / (std::to_string(::getpid()) + "-" + std::to_string(rng() % 1000000) + "-" + base);
  std::string type = o_.file_format == "tsv" ? "csv" : o_.file_format == "jsonl" ? "json" : o_.file_format;
  Params p = o_.file_options;
  if (o_.file_format == "tsv" && !p.contains("delimiter")) p["delimiter"] = "\t";
  const ConnectorInfo& info = Registry::instance().get(type, Role::Destination);
  ConnectorContext inner_ctx = ctx_;
  inner_ctx.write_anywhere = true;  // our own spill folder
  inner_ = info.make_destination(local_.string(), normalize_params(info.destination_params, p), inner_ctx);
  inner_->open(schema, mode, keys);
}

void S3Destination::commit() {
  inner_->commit();
  std::error_code ec;
  try {
    net::S3TransferOptions t;
    // The client sends files up to its threshold with one PutObject and larger ones as a multipart
    // upload, which it aborts if any part fails.
    client_->put_file(o_.bucket, o_.key, local_, t);
  } catch (...) {
    fs::remove_all(local_, ec);
    throw;
  }
  spdlog::info("s3: uploaded s3://{}/{} ({} MB)", o_.bucket, o_.key, fs::file_size(local_, ec) >> 20);
  fs::remove_all(local_, ec);
}

void S3Destination::abort() noexcept {
  if (inner_) inner_->abort();
  std::error_code ec;
  if (!local_.empty()) fs::remove_all(local_, ec);
}

IoStats S3Destination::io_stats() const {
  return client_ ? io_stats_of(client_->http()) : IoStats{};
}

}  // namespace sqlflow::connectors::s3
