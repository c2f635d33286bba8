#include "connectors/postgres/connection_pool.hpp"

#include <algorithm>
#include <map>

namespace sqlflow::connectors::postgres {

// ---- Lease -----------------------------------------------------------------------------------

Lease::Lease(std::shared_ptr<ConnectionPool> pool, std::unique_ptr<PgConn> conn)
    : pool_(std::move(pool)), conn_(std::move(conn)) {}

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    give_back();
    pool_ = std::move(other.pool_);
    conn_ = std::move(other.conn_);
  }
  return *this;
}

Lease::~Lease() {
  give_back();
}

void Lease::discard() {
  if (!conn_) return;
  conn_.reset();
  if (pool_) pool_->release(nullptr);
  pool_.reset();
}

void Lease::give_back() {
  if (!conn_) return;
  if (pool_) {
    if (!conn_->reusable()) conn_.reset();
    pool_->release(std::move(conn_));
    pool_.reset();
  }
  conn_.reset();
}

// ---- ConnectionPool --------------------------------------------------------------------------

namespace {
struct Registry {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<ConnectionPool>> pools;
};
Registry& registry() {
  static Registry* r = new Registry;  // leaked on purpose: leases may outlive static destruction
  return *r;
}
}  // namespace

std::shared_ptr<ConnectionPool> ConnectionPool::for_target(const ConnectionTarget& target,
                                                           int min_connections, int max_connections) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto& slot = r.pools[target.pool_key()];
  if (!slot) slot = std::make_shared<ConnectionPool>(target, min_connections, max_connections);
  return slot;
}

void ConnectionPool::close_all_pools() {
  std::map<std::string, std::shared_ptr<ConnectionPool>> pools;
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    pools.swap(r.pools);
  }
  for (auto& [_, pool] : pools) pool->close_idle();
}

ConnectionPool::ConnectionPool(ConnectionTarget target, int min_connections, int max_connections)
    : target_(std::move(target)), min_(std::max(0, min_connections)), max_(std::max(1, max_connections)) {}

int ConnectionPool::open_count() const {
  std::lock_guard lock(mutex_);
  return open_;
}

int ConnectionPool::idle_count() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(idle_.size());
}

// Called locked. Returns a lease with the lock released, or nullopt (at the limit) still locked.
std::optional<Lease> ConnectionPool::take(std::unique_lock<std::mutex>& lock) {
  while (!idle_.empty()) {
    auto conn = std::move(idle_.front());
    idle_.pop_front();
    lock.unlock();
    if (conn->reusable()) return Lease(shared_from_this(), std::move(conn));
    conn.reset();  // closed by the server while idle
    lock.lock();
    --open_;
  }
  if (open_ >= max_) return std::nullopt;
  ++open_;
  lock.unlock();
  try {
    std::unique_ptr<PgConn> conn;
    resilience::ResiliencePolicy policy = target_.policy;  // a handle: copies share breaker and stats
    policy.execute(target_.display, [&] { conn = PgConn::connect(target_); });
    return Lease(shared_from_this(), std::move(conn));
  } catch (...) {
    lock.lock();
    --open_;
    freed_.notify_one();
    lock.unlock();
    throw;
  }
}

Lease ConnectionPool::acquire(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    if (!idle_.empty() || open_ < max_) {
      auto lease = take(lock);  // unlocked when it returns a lease, still locked when not
      if (lease) return std::move(*lease);
      continue;
    }
    if (freed_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() && open_ >= max_)
      throw connection_error(
          "all " + std::to_string(max_) + " PostgreSQL connections to " + target_.display + " stayed busy",
          true, "raise max_connections or run fewer steps against this server at once");
  }
}

std::optional<Lease> ConnectionPool::try_acquire() {
  std::unique_lock lock(mutex_);
  if (idle_.empty() && open_ >= max_) return std::nullopt;
  return take(lock);
}

void ConnectionPool::release(std::unique_ptr<PgConn> conn) {
  std::unique_ptr<PgConn> closing;
  {
    std::lock_guard lock(mutex_);
    if (conn && static_cast<int>(idle_.size()) < max_) {
      idle_.push_back(std::move(conn));
    } else {
      closing = std::move(conn);
      --open_;
    }
  }
  freed_.notify_one();
}

void ConnectionPool::close_idle() {
  std::deque<std::unique_ptr<PgConn>> idle;
  {
    std::lock_guard lock(mutex_);
    idle.swap(idle_);
    open_ -= static_cast<int>(idle.size());
  }
  freed_.notify_all();
}

}  // namespace sqlflow::connectors::postgres
