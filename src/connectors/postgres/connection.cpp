#include "connectors/postgres/connection.hpp"

#include <poll.h>

#include <algorithm>
#include <atomic>
#include <nlohmann/json.hpp>

#include "metrics/logging.hpp"

namespace sqlflow::connectors::postgres {

namespace {

std::atomic<size_t> g_attempts{0};

// libpq messages end in newlines and indent continuation lines with tabs.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  std::string out;
  for (char c : s)
    if (!(c == ' ' && !out.empty() && out.back() == ' ')) out += c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool contains(const std::string& s, const char* needle) {
  return s.find(needle) != std::string::npos;
}

}  // namespace

size_t connection_attempts() {
  return g_attempts.load();
}

std::string ConnectionTarget::pool_key() const {
  std::string all;
  for (const auto& [k, v] : keywords) all += k + '\x1f' + v + '\x1e';
  all += std::to_string(connect_timeout);
  return std::to_string(std::hash<std::string>{}(all)) + "@" + display;
}

std::string ConnectionTarget::redact(std::string message) const {
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t pos = message.find(secret); pos != std::string::npos; pos = message.find(secret, pos + 3))
      message.replace(pos, secret.size(), "***");
  }
  return message;
}

bool sqlstate_retryable(const std::string& s) {
  if (s.size() != 5) return false;
  if (s.compare(0, 2, "08") == 0) return true;                    // connection exception
  if (s == "57P01" || s == "57P02" || s == "57P03") return true;  // shutdown, crash, starting
  if (s == "40001" || s == "40P01") return true;                  // serialization, deadlock
  if (s == "53300") return true;                                  // too many connections
  return false;
}

std::unique_ptr<PgConn> PgConn::connect(const ConnectionTarget& target) {
  auto shared = std::make_shared<const ConnectionTarget>(target);
  std::vector<const char*> keys, values;
  bool expand = false;
  for (const auto& [k, v] : target.keywords) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
    if (k == "dbname" && keys.size() == 1) expand = true;  // the first dbname carries the URI
  }
  const std::string timeout = std::to_string(std::max(1, target.connect_timeout));
  const std::pair<const char*, const char*> fixed[] = {{"connect_timeout", timeout.c_str()},
                                                       {"client_encoding", "UTF8"},
                                                       {"fallback_application_name", "sqlflow"}};
  for (const auto& [k, v] : fixed) {
    keys.push_back(k);
    values.push_back(v);
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  ++g_attempts;
  PGconn* raw = PQconnectdbParams(keys.data(), values.data(), expand ? 1 : 0);
  if (!raw) throw connection_error("cannot allocate a PostgreSQL connection", false);
  if (PQstatus(raw) != CONNECTION_OK) {
    std::string msg = target.redact(one_line(PQerrorMessage(raw)));
    bool needs_password = PQconnectionNeedsPassword(raw);
    PQfinish(raw);
    const bool auth = needs_password || contains(msg, "authentication failed") ||
                      contains(msg, "pg_hba.conf") ||
                      (contains(msg, "role \"") && contains(msg, "does not exist")) ||
                      contains(msg, "no password supplied") || contains(msg, "password is required");
    const bool config = contains(msg, "invalid connection option") || contains(msg, "invalid URI") ||
                        contains(msg, "invalid integer value") || contains(msg, "invalid sslmode") ||
                        (contains(msg, "database \"") && contains(msg, "does not exist")) ||
                        contains(msg, "missing \"=\"") || contains(msg, "definition of service");
    std::string what = "cannot connect to PostgreSQL at " + target.display + ": " + msg;
    if (auth)
      throw connection_error(
          what, false,
          "check user and password (PARAMS password, PGPASSWORD or ~/.pgpass) and the server's pg_hba.conf");
    if (config) throw connection_error(what, false, "check the connection parameters");
    throw connection_error(what, true,
                           "is the server running and reachable from here (host, port, firewall)?");
  }
  // Server notices (e.g. the FATAL before a terminated connection closes) are reported through our
  // errors, not printed by libpq.
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  metrics::log_event(
      metrics::LogLevel::Debug, "connect", "connected to PostgreSQL at " + target.display,
      nlohmann::ordered_json{{"target", target.display}, {"server_version", PQserverVersion(raw)}});
  return std::unique_ptr<PgConn>(new PgConn(raw, std::move(shared)));
}

PgConn::~PgConn() {
  if (conn_) PQfinish(conn_);
}

Error PgConn::error(const std::string& what, const PGresult* result) const {
  std::string sqlstate, primary, detail, hint;
  if (result) {
    if (const char* s = PQresultErrorField(result, PG_DIAG_SQLSTATE)) sqlstate = s;
    if (const char* s = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)) primary = s;
    if (const char* s = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) detail = s;
    if (const char* s = PQresultErrorField(result, PG_DIAG_MESSAGE_HINT)) hint = s;
  }
  if (primary.empty()) primary = one_line(PQerrorMessage(conn_));
  if (primary.empty()) primary = "unknown error";
  std::string msg = what + " failed on PostgreSQL " + target_->display + ": " + primary;
  if (!detail.empty()) msg += " (" + detail + ")";
  msg = target_->redact(one_line(msg));
  hint = target_->redact(hint);
  const bool lost = PQstatus(conn_) != CONNECTION_OK;
  if (lost || sqlstate_retryable(sqlstate)) {
    return connection_error(msg, true,
                            hint.empty() ? "the connection was lost; the read or write is retried" : hint);
  }
  if (sqlstate.compare(0, 2, "28") == 0) return connection_error(msg, false, hint);
  if (sqlstate.compare(0, 2, "42") == 0 || sqlstate == "3F000" || sqlstate == "3D000")
    return validation_error(msg, hint);
  return data_error(msg, hint);
}

void PgConn::exec(const std::string& sql) {
  PgResult res(PQexec(conn_, sql.c_str()));
  auto st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) throw error("statement", res.get());
}

PgResult PgConn::query(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  PgResult res(PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                            nullptr, nullptr, 0));
  auto st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) throw error("query", res.get());
  return res;
}

std::optional<std::string> PgConn::scalar(const std::string& sql,
                                          const std::vector<std::optional<std::string>>& params) {
  PgResult res = query(sql, params);
  if (PQntuples(res.get()) == 0 || PQnfields(res.get()) == 0 || PQgetisnull(res.get(), 0, 0))
    return std::nullopt;
  return std::string(PQgetvalue(res.get(), 0, 0), PQgetlength(res.get(), 0, 0));
}

bool PgConn::reusable() {
  return PQtransactionStatus(conn_) == PQTRANS_IDLE && alive();
}

bool PgConn::alive() {
  if (PQstatus(conn_) != CONNECTION_OK) return false;
  if (PQisBusy(conn_)) return false;
  // An idle connection the server closed (restart, pg_terminate_backend) has a readable socket.
  pollfd pfd{PQsocket(conn_), POLLIN, 0};
  if (pfd.fd >= 0 && poll(&pfd, 1, 0) > 0) {
    if (!PQconsumeInput(conn_)) return false;
    if (PQstatus(conn_) != CONNECTION_OK) return false;
    while (PGnotify* n = PQnotifies(conn_)) PQfreemem(n);
  }
  return true;
}

}  // namespace sqlflow::connectors::postgres
