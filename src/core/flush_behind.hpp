// Write-behind for a file another writer (DuckDB's COPY) is filling: a background thread starts
// the disk writeback of the bytes written so far, so the fsync that makes the finished file
// durable waits only for the tail instead of the whole file (~0.3 s per GB on a virtio disk).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <thread>

namespace sqlflow::files {

class FlushBehind {
 public:
  // Watches `file`, which need not exist yet (the writer creates it). With `start_thread` false
  // nothing runs in the background and poll() is called by hand (tests).
  explicit FlushBehind(std::filesystem::path file, bool start_thread = true);
  ~FlushBehind();  // stop()
  FlushBehind(const FlushBehind&) = delete;
  FlushBehind& operator=(const FlushBehind&) = delete;

  // One step of the thread's loop: opens the file once it exists and, when at least kMinBatch
  // bytes were appended since the last step, starts their writeback (sync_file_range
  // SYNC_FILE_RANGE_WRITE: asynchronous, it does not wait for the disk). Never throws: the final
  // fsync is what reports a failing disk.
  void poll();
  // Stops the thread and closes the file. Idempotent; call before renaming or removing the file.
  void stop() noexcept;
  // Bytes from the start of the file whose writeback has been started.
  uint64_t started_bytes() const { return started_; }

  static constexpr uint64_t kMinBatch = 8u << 20;

 private:
  void run();

  std::filesystem::path file_;
  int fd_ = -1;
  std::atomic<uint64_t> started_{0};
  bool stopping_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace sqlflow::files
