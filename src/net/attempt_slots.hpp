// Attempts on the wire at once, shared by the requests that point to one AttemptSlots: an attempt
// takes a slot when it is sent and gives it back when its answer is in, so a request that waits
// out a retry delay or a Retry-After holds none. A REST source gives its pages one, so
// "parallel_requests": 16 means 16 requests on the wire while more wait to be retried.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>

namespace sqlflow::net {

class AttemptSlots {
 public:
  explicit AttemptSlots(std::size_t limit) : free_(limit == 0 ? 1 : limit) {}

  // Waits for a slot, asking `give_up` every 100 ms (an interrupt); false when it gave up.
  bool acquire(const std::function<bool()>& give_up) {
    std::unique_lock lock(mutex_);
    while (free_ == 0) {
      if (give_up && give_up()) return false;
      cv_.wait_for(lock, std::chrono::milliseconds(100));
    }
    --free_;
    return true;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      ++free_;
    }
    cv_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::size_t free_;
};

}  // namespace sqlflow::net
