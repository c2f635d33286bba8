// Pages [first, end) fetched by `workers` threads at once and handed over in page order. Unlike
// fetching fixed windows of N pages (each window waiting for its slowest page), a page that is
// slow, retried or waiting out a Retry-After holds back only the pages after it, and only once
// `ahead` of them (or `max_bytes` of them) are done and waiting: the other workers keep fetching
// meanwhile.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "metrics/logging.hpp"

namespace sqlflow::connectors::rest {

// `Page`: what one fetch yields (movable).
template <class Page>
class OrderedFetches {
 public:
  // Called from the worker threads, one page at a time; may throw (handed to next()).
  using Fetch = std::function<Page(std::int64_t index)>;
  using Weigh = std::function<size_t(const Page&)>;  // bytes a fetched page holds
  using IsLast = std::function<bool(const Page&)>;   // no page after this one
  static constexpr std::int64_t kOpenEnded = std::numeric_limits<std::int64_t>::max();

  // `end` may be kOpenEnded (pages until one `is_last` says so); `ahead` ≥ workers bounds the
  // pages buffered.
  OrderedFetches(Fetch fetch, std::int64_t first, std::int64_t end, size_t workers, size_t ahead,
                 Weigh weigh = {}, size_t max_bytes = std::numeric_limits<size_t>::max(), IsLast is_last = {})
      : fetch_(std::move(fetch)),
        weigh_(std::move(weigh)),
        is_last_(std::move(is_last)),
        ahead_(static_cast<std::int64_t>(std::max<size_t>({ahead, workers, 1}))),
        max_bytes_(max_bytes),
        claimed_(first),
        consumed_(first),
        end_(end) {
    const auto n = static_cast<std::int64_t>(std::max<size_t>(1, workers));
    // No more threads than pages (a range of 3 pages needs 3, not 16).
    const std::int64_t useful = end == kOpenEnded ? n : std::min(n, std::max<std::int64_t>(0, end - first));
    threads_.reserve(static_cast<size_t>(useful));
    for (std::int64_t i = 0; i < useful; ++i)
      threads_.emplace_back(metrics::with_log_context([this] { work(); }));
  }
  // Stops the workers; waits for the requests they have sent.
  ~OrderedFetches() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  OrderedFetches(const OrderedFetches&) = delete;
  OrderedFetches& operator=(const OrderedFetches&) = delete;

  // The next page in order, waiting for it; nullopt past the end. Rethrows what the fetch of
  // that page threw.
  std::optional<Page> next() {
    std::unique_lock lock(mutex_);
    if (consumed_ >= end_) return std::nullopt;
    cv_.wait(lock, [&] { return done_.count(consumed_) > 0; });
    auto it = done_.find(consumed_);
    Done d = std::move(it->second);
    done_.erase(it);
    bytes_ -= d.bytes;
    ++consumed_;
    lock.unlock();
    cv_.notify_all();  // a worker may take another page now
    if (d.error) std::rethrow_exception(d.error);
    return std::move(d.page);
  }

 private:
  void work() {
    for (;;) {
      std::int64_t index;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] {
          return stopping_ || claimed_ >= end_ || (claimed_ < consumed_ + ahead_ && bytes_ < max_bytes_);
        });
        if (stopping_ || claimed_ >= end_) return;
        index = claimed_++;
      }
      Done d;
      bool last = false;
      try {
        d.page = fetch_(index);
        if (weigh_) d.bytes = weigh_(*d.page);
        last = is_last_ && is_last_(*d.page);
      } catch (...) {
        d.error = std::current_exception();
      }
      {
        std::lock_guard lock(mutex_);
        if (last) end_ = std::min(end_, index + 1);  // no worker asks for a page past it any more
        if (index < end_) {
          bytes_ += d.bytes;
          done_.emplace(index, std::move(d));
        }
      }
      cv_.notify_all();
    }
  }

  Fetch fetch_;
  Weigh weigh_;
  IsLast is_last_;
  const std::int64_t ahead_;
  const size_t max_bytes_;
  size_t bytes_ = 0;  // of the pages in done_
  std::mutex mutex_;
  std::condition_variable cv_;
  std::int64_t claimed_;   // next index a worker takes
  std::int64_t consumed_;  // next index next() hands over
  std::int64_t end_;
  bool stopping_ = false;
  struct Done {
    std::optional<Page> page;
    std::exception_ptr error;
    size_t bytes = 0;
  };
  std::map<std::int64_t, Done> done_;
  std::vector<std::thread> threads_;
};

}  // namespace sqlflow::connectors::rest
