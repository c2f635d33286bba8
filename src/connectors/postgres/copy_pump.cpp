#include "connectors/postgres/copy_pump.hpp"

#include <poll.h>

#include <chrono>

#include "core/crash_point.hpp"
#include "metrics/logging.hpp"

namespace sqlflow::connectors::postgres {

CopyOutPump::CopyOutPump(PgConn& conn, std::string what, size_t max_bytes)
    : conn_(conn), what_(std::move(what)), max_bytes_(max_bytes) {
  thread_ = std::thread(metrics::with_log_context([this] { run(); }));
}

CopyOutPump::~CopyOutPump() {
  stop_thread();
  if (current_) PQfreemem(current_);
  for (auto& m : queue_) PQfreemem(m.data);
  for (auto& m : local_) PQfreemem(m.data);
}

void CopyOutPump::stop_thread() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CopyOutPump::run() {
  PGconn* c = conn_.get();
  try {
    while (true) {
      char* buf = nullptr;
      // Non-blocking, so a stop request is noticed within the poll timeout.
      const int n = PQgetCopyData(c, &buf, 1);
      if (n > 0) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stop_ || queued_bytes_ < max_bytes_; });
        if (stop_) {
          PQfreemem(buf);
          break;
        }
        const bool was_empty = queue_.empty();
        queue_.push_back({buf, n});
        queued_bytes_ += static_cast<size_t>(n);
        lock.unlock();
        crash_point("postgres.copy_out");
        if (was_empty) changed_.notify_all();  // the consumer only ever waits on an empty queue
        continue;
      }
      if (n == 0) {
        {
          std::lock_guard lock(mutex_);
          if (stop_) break;
        }
        pollfd pfd{PQsocket(c), POLLIN, 0};
        poll(&pfd, 1, 100);
        if (!PQconsumeInput(c)) throw conn_.error(what_);
        continue;
      }
      if (n == -2) throw conn_.error(what_);
      // -1: the COPY ended; its final result tells success from an error.
      PgResult res(PQgetResult(c));
      const bool ok = res && PQresultStatus(res.get()) == PGRES_COMMAND_OK;
      if (!ok) {
        Error e = conn_.error(what_, res.get());
        while (PGresult* r = PQgetResult(c)) PQclear(r);
        throw e;
      }
      while (PGresult* r = PQgetResult(c)) PQclear(r);
      std::lock_guard lock(mutex_);
      ended_ok_ = true;
      break;
    }
  } catch (...) {
    std::lock_guard lock(mutex_);
    error_ = std::current_exception();
  }
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  changed_.notify_all();
}

bool CopyOutPump::next(std::string_view& piece) {
  if (current_) {
    PQfreemem(current_);
    current_ = nullptr;
  }
  if (local_.empty()) {
    // Take everything queued at once: one lock and at most one wake-up per batch, not per row.
    std::unique_lock lock(mutex_);
    if (queue_.empty() && !done_) {
      // Nothing has arrived yet: the consumer waits on the server (network wait, for metrics).
      auto t0 = std::chrono::steady_clock::now();
      changed_.wait(lock, [&] { return !queue_.empty() || done_; });
      wait_ns_ += static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
              .count());
    }
    if (queue_.empty()) {
      if (error_) std::rethrow_exception(error_);
      return false;
    }
    local_.swap(queue_);
    const bool was_full = queued_bytes_ >= max_bytes_;
    queued_bytes_ = 0;
    lock.unlock();
    if (was_full) changed_.notify_all();
  }
  Message m = local_.front();
  local_.pop_front();
  bytes_ += static_cast<std::uint64_t>(m.size);
  current_ = m.data;
  piece = std::string_view(m.data, static_cast<size_t>(m.size));
  return true;
}

void CopyOutPump::finish() {
  std::string_view ignored;
  // Anything after the trailer would be a protocol error; drain it so the COPY can end.
  while (next(ignored)) {
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace sqlflow::connectors::postgres
