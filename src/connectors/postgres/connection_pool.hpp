// One pool of libpq connections per connection target for the whole run: steps, partitions and
// the destination reuse idle connections instead of reconnecting; at most max_connections are
// open at once; everything is closed by close_all_pools() (or at exit).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "connectors/postgres/connection.hpp"

namespace sqlflow::connectors::postgres {

class ConnectionPool;

// A connection borrowed from a pool: goes back to it when destroyed if it is still reusable
// (connected, idle, not in a transaction), otherwise it is closed and its slot freed.
class Lease {
 public:
  Lease() = default;
  Lease(std::shared_ptr<ConnectionPool> pool, std::unique_ptr<PgConn> conn);
  Lease(Lease&&) noexcept = default;
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease();

  PgConn& operator*() const { return *conn_; }
  PgConn* operator->() const { return conn_.get(); }
  explicit operator bool() const { return conn_ != nullptr; }
  // Closes the connection instead of returning it (after an error left it in an unknown state).
  void discard();

 private:
  void give_back();
  std::shared_ptr<ConnectionPool> pool_;
  std::unique_ptr<PgConn> conn_;
};

class ConnectionPool : public std::enable_shared_from_this<ConnectionPool> {
 public:
  // The run-wide pool for `target` (created on first use; limits come from the first caller).
  static std::shared_ptr<ConnectionPool> for_target(const ConnectionTarget& target, int min_connections,
                                                    int max_connections);
  // Closes every idle connection of every pool and forgets the pools (end of a run). Connections
  // still leased are closed when their lease ends.
  static void close_all_pools();

  ConnectionPool(ConnectionTarget target, int min_connections, int max_connections);

  // An idle connection or a new one (connecting under the target's resilience policy); waits while
  // max_connections are in use, up to `wait`, then fails with a retryable error.
  Lease acquire(std::chrono::milliseconds wait = std::chrono::minutes(10));
  // An idle connection, or a new one if a slot is free; nullopt when the pool is at its limit.
  std::optional<Lease> try_acquire();

  const ConnectionTarget& target() const { return target_; }
  int max_connections() const { return max_; }
  // Open connections (idle + leased) and idle ones, for tests and `connect test`.
  int open_count() const;
  int idle_count() const;

 private:
  friend class Lease;
  std::optional<Lease> take(std::unique_lock<std::mutex>& lock);
  void release(std::unique_ptr<PgConn> conn);
  void close_idle();

  const ConnectionTarget target_;
  const int min_;
  const int max_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  std::deque<std::unique_ptr<PgConn>> idle_;
  int open_ = 0;  // idle + leased + being connected
};

}  // namespace sqlflow::connectors::postgres
