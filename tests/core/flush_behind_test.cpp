// FlushBehind: starts writeback of whole pages another writer appended, in batches, from the
// moment a file appears (one file, or every file below a folder); stop() is idempotent and leaves
// the bytes untouched.
#include "core/flush_behind.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "support/test_support.hpp"

using sqlflow::files::FlushBehind;
using sqlflow::test::TempDir;
namespace fs = std::filesystem;

namespace {

void append_bytes(const fs::path& p, uint64_t n, char fill) {
  std::ofstream out(p, std::ios::binary | std::ios::app);
  std::string block(1 << 20, fill);
  while (n > 0) {
    uint64_t k = std::min<uint64_t>(n, block.size());
    out.write(block.data(), static_cast<std::streamsize>(k));
    n -= k;
  }
}

constexpr uint64_t kMiB = 1 << 20;

}  // namespace

TEST(FlushBehind, WaitsForTheFileThenStartsWholePagesInBatches) {
  TempDir dir("flush_behind");
  const fs::path file = dir.path() / "out.csv";
  FlushBehind flush(file, FlushBehind::Watch::File, /*start_thread=*/false);

  flush.poll();  // the writer has not created the file yet
  EXPECT_EQ(flush.started_bytes(), 0u);

  append_bytes(file, FlushBehind::kMinBatch + 100, 'a');
  flush.poll();
  EXPECT_EQ(flush.started_bytes(), FlushBehind::kMinBatch);  // the partial last page waits

  append_bytes(file, kMiB, 'b');  // less than a batch: not worth a call yet
  flush.poll();
  EXPECT_EQ(flush.started_bytes(), FlushBehind::kMinBatch);

  append_bytes(file, FlushBehind::kMinBatch, 'c');
  flush.poll();
  EXPECT_EQ(flush.started_bytes(), (2 * FlushBehind::kMinBatch + kMiB + 100) / 4096 * 4096);

  flush.stop();
  flush.stop();
  EXPECT_EQ(fs::file_size(file), 2 * FlushBehind::kMinBatch + kMiB + 100);
}

TEST(FlushBehind, BackgroundThreadFollowsTheWriter) {
  TempDir dir("flush_behind");
  const fs::path file = dir.path() / "out.csv";
  FlushBehind flush(file);
  append_bytes(file, 2 * FlushBehind::kMinBatch, 'x');
  // Liveness only: the thread polls every 50 ms; the deadline is far beyond that.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (flush.started_bytes() < 2 * FlushBehind::kMinBatch && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(flush.started_bytes(), 2 * FlushBehind::kMinBatch);
  flush.stop();
}

TEST(FlushBehind, StopsCleanlyWhenTheFileNeverAppears) {
  TempDir dir("flush_behind");
  FlushBehind flush(dir.path() / "never.csv");
  flush.stop();
  EXPECT_EQ(flush.started_bytes(), 0u);
  EXPECT_FALSE(fs::exists(dir.path() / "never.csv"));
}

TEST(FlushBehind, FolderWatchFollowsEveryFileBelowIt) {
  TempDir dir("flush_behind");
  const fs::path out = dir.path() / "out";
  FlushBehind flush(out, FlushBehind::Watch::Folder, /*start_thread=*/false);
  flush.poll();  // the folder does not exist yet
  EXPECT_EQ(flush.started_bytes(), 0u);

  fs::create_directories(out / "year=2024");
  fs::create_directories(out / "year=2025");
  append_bytes(out / "year=2024" / "data_0.parquet", FlushBehind::kMinBatch, 'a');
  append_bytes(out / "year=2025" / "data_0.parquet", kMiB, 'b');  // small: not yet
  flush.poll();
  EXPECT_EQ(flush.started_bytes(), FlushBehind::kMinBatch);

  append_bytes(out / "year=2025" / "data_0.parquet", FlushBehind::kMinBatch, 'c');
  flush.poll();
  EXPECT_EQ(flush.started_bytes(), 2 * FlushBehind::kMinBatch + kMiB);
  flush.stop();
}
