// libpq behind RAII: one connection (PgConn), one result (PgResult), what identifies a server login
// (ConnectionTarget), the mapping of every libpq failure to an sqlflow::Error (secrets redacted),
// and the resilience policy (retry with jittered backoff, circuit breaker) every connect goes through.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "resilience/policy.hpp"

namespace sqlflow::connectors::postgres {

// What to connect to. keywords/values go to PQconnectdbParams as they are (nothing is pasted into
// a conninfo string); unset keys fall back to libpq's environment (PGHOST, PGPASSWORD, PGSERVICE,
// ~/.pgpass).
struct ConnectionTarget {
  std::vector<std::pair<std::string, std::string>> keywords;
  std::string display;               // e.g. `127.0.0.1:5432/db as user` — never a secret
  std::vector<std::string> secrets;  // redacted from every message
  int connect_timeout = 30;          // seconds
  // The postgres resilience profile with the SOURCE's overrides (max_retries included): connects
  // run under it (retry, breaker keyed by `display`); partition re-reads use its attempt count.
  resilience::ResiliencePolicy policy;

  // Identifies the pool: the same server, database, user and credentials share connections.
  std::string pool_key() const;
  // `message` with every secret replaced by ***.
  std::string redact(std::string message) const;
};

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

class PgConn {
 public:
  // Opens one connection (a single attempt) and sets the session up (UTF8 client encoding).
  // Throws a Connection error: retryable for network failures, not for authentication.
  static std::unique_ptr<PgConn> connect(const ConnectionTarget& target);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  PGconn* get() const { return conn_; }
  const ConnectionTarget& target() const { return *target_; }

  // Runs statements that return no rows; throws on failure.
  void exec(const std::string& sql);
  // Runs one statement with text parameters ($1…; nullopt is NULL) and returns its rows.
  PgResult query(const std::string& sql, const std::vector<std::optional<std::string>>& params = {});
  // The first value of the first row (nullopt for no row or NULL).
  std::optional<std::string> scalar(const std::string& sql,
                                    const std::vector<std::optional<std::string>>& params = {});

  // Connected, and not inside a transaction or a COPY: fit to go back to a pool. Notices a
  // server-side close of an idle connection without a round trip.
  bool reusable();
  // Connected, as far as can be told without a round trip (inside a transaction or not).
  bool alive();
  bool broken() const { return PQstatus(conn_) != CONNECTION_OK; }
  int server_version() const { return PQserverVersion(conn_); }
  int backend_pid() const { return PQbackendPID(conn_); }

  // Turns the error on this connection (and optionally a result) into an sqlflow::Error
  // prefixed with `what` (e.g. "COPY from \"public\".\"t\"").
  Error error(const std::string& what, const PGresult* result = nullptr) const;

 private:
  PgConn(PGconn* conn, std::shared_ptr<const ConnectionTarget> target)
      : conn_(conn), target_(std::move(target)) {}
  PGconn* conn_;
  std::shared_ptr<const ConnectionTarget> target_;
};

// How a failed call is classified from its SQLSTATE (empty when the server sent none).
bool sqlstate_retryable(const std::string& sqlstate);

// Number of connection attempts made by this process (tests check that a wrong password is not
// retried).
size_t connection_attempts();

}  // namespace sqlflow::connectors::postgres
