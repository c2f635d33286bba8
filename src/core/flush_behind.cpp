#include "core/flush_behind.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

namespace sqlflow::files {

namespace {
// Often enough that a writer at a few hundred MB/s never gets far ahead of the disk.
constexpr auto kInterval = std::chrono::milliseconds(50);
constexpr uint64_t kPage = 4096;
}  // namespace

FlushBehind::FlushBehind(std::filesystem::path file, bool start_thread) : file_(std::move(file)) {
  if (start_thread) thread_ = std::thread([this] { run(); });
}

FlushBehind::~FlushBehind() { stop(); }

void FlushBehind::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, kInterval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    poll();
    lock.lock();
  }
}

void FlushBehind::poll() {
  if (fd_ < 0) {
    // Read-only is enough: sync_file_range(2) acts on the file's pages, not on the descriptor.
    fd_ = ::open(file_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return;  // not created yet
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || st.st_size < 0) return;
  // Whole pages only: the writer is still filling the last one.
  const uint64_t end = static_cast<uint64_t>(st.st_size) / kPage * kPage;
  const uint64_t from = started_;
  if (end < from + kMinBatch) return;
  // Only writeback is started (no WAIT flags): the writer never waits on this thread, and pages
  // already under writeback are skipped by the kernel.
  if (::sync_file_range(fd_, static_cast<off64_t>(from), static_cast<off64_t>(end - from),
                        SYNC_FILE_RANGE_WRITE) == 0)
    started_ = end;
}

void FlushBehind::stop() noexcept {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace sqlflow::files
