// Reads the CopyData messages of a running `COPY … TO STDOUT` on a background thread into a bounded
// queue, so the server keeps streaming while the DuckDB thread that consumes them is busy (e.g.
// compressing a row group). Memory stays bounded by the queue's byte limit.
#pragma once

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <string_view>
#include <thread>

#include "connectors/postgres/connection.hpp"

namespace sqlflow::connectors::postgres {

class CopyOutPump {
 public:
  // `conn` must be in the COPY OUT state; the pump owns its use until finished() or destruction.
  // `what` names the COPY in error messages.
  CopyOutPump(PgConn& conn, std::string what, size_t max_bytes = 8 << 20);
  ~CopyOutPump();  // stops the thread; the connection is then unusable unless the COPY ended
  CopyOutPump(const CopyOutPump&) = delete;
  CopyOutPump& operator=(const CopyOutPump&) = delete;

  // The next message (valid until the next call), or false when the COPY ended successfully.
  // Throws the error that ended it otherwise (e.g. a retryable connection error).
  bool next(std::string_view& piece);
  // Waits until the server finished the COPY and its final result was read; throws its error.
  void finish();
  // True once the COPY ended and the connection is idle again (after finish() returned).
  bool ended() const { return ended_ok_; }
  // Bytes of the messages handed out, and time next() blocked waiting for the server.
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t wait_ns() const { return wait_ns_; }

 private:
  struct Message {
    char* data;
    int size;
  };
  void run();
  void stop_thread();

  PgConn& conn_;
  const std::string what_;
  const size_t max_bytes_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Message> queue_;  // filled by the thread
  std::deque<Message> local_;  // taken by the consumer in one batch
  size_t queued_bytes_ = 0;
  bool done_ = false;  // the thread has finished (successfully or not)
  bool stop_ = false;
  std::exception_ptr error_;
  char* current_ = nullptr;  // handed out by next(), freed on the next call
  bool ended_ok_ = false;
  std::uint64_t bytes_ = 0;    // consumer side only
  std::uint64_t wait_ns_ = 0;  // consumer side only
  std::thread thread_;
};

}  // namespace sqlflow::connectors::postgres
