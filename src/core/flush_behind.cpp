#include "core/flush_behind.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <system_error>

namespace sqlflow::files {

namespace {
// Often enough that a writer at a few hundred MB/s never gets far ahead of the disk.
constexpr auto kInterval = std::chrono::milliseconds(50);
constexpr uint64_t kPage = 4096;
}  // namespace

FlushBehind::FlushBehind(std::filesystem::path path, Watch watch, bool start_thread)
    : path_(std::move(path)), watch_(watch) {
  if (start_thread) thread_ = std::thread([this] { run(); });
}

FlushBehind::~FlushBehind() {
  stop();
}

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
  if (watch_ == Watch::File) {
    poll_file(path_);
    return;
  }
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(path_, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) poll_file(it->path());
  }
}

void FlushBehind::poll_file(const std::filesystem::path& file) {
  // Read-only is enough: sync_file_range(2) acts on the file's pages, not on the descriptor.
  // Opened per step, so a file replaced under the same name is simply followed.
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;  // not created yet, or gone
  struct stat st {};
  uint64_t& started = started_[file.string()];
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    // Whole pages only: the writer is still filling the last one.
    const uint64_t end = static_cast<uint64_t>(st.st_size) / kPage * kPage;
    if (end < started) started = 0;  // truncated and rewritten
    // Only writeback is started (no WAIT flags): the writer never waits on this thread, and pages
    // already under writeback are skipped by the kernel.
    if (end >= started + kMinBatch &&
        ::sync_file_range(fd, static_cast<off64_t>(started), static_cast<off64_t>(end - started),
                          SYNC_FILE_RANGE_WRITE) == 0) {
      total_started_ += end - started;
      started = end;
    }
  }
  ::close(fd);
}

void FlushBehind::stop() noexcept {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace sqlflow::files
