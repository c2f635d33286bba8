#include "connectors/postgres/source.hpp"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <limits>
#include <thread>

#include "connectors/postgres/copy_binary_decode.hpp"
#include "connectors/postgres/copy_pump.hpp"
#include "connectors/postgres/engine.hpp"
#include "core/quote.hpp"
#include "core/suggest.hpp"

namespace sqlflow::connectors::postgres {

// ---- SnapshotSession -------------------------------------------------------------------------

// The connections of one scan, each inside a REPEATABLE READ READ ONLY transaction on the same
// snapshot: the first exports it (pg_export_snapshot), the others import it (SET TRANSACTION
// SNAPSHOT). Readers take a connection per partition and give it back when done, still inside
// the transaction, so the next partition reuses it without a new import. The exporting
// transaction stays open until the session ends (it must, for later imports); at the end every
// transaction commits and the connections go back to the pool.
class SnapshotSession {
 public:
  SnapshotSession(std::shared_ptr<ConnectionPool> pool, bool share_snapshot, std::string setup_sql,
                  std::optional<std::string> cursor_lower)
      : pool_(std::move(pool)),
        share_(share_snapshot),
        setup_sql_(std::move(setup_sql)),
        cursor_lower_(std::move(cursor_lower)) {}

  ~SnapshotSession() {
    for (auto& lease : idle_) {
      try {
        lease->exec("COMMIT");
      } catch (...) {
        lease.discard();
      }
    }
  }

  Lease take() {
    std::unique_lock lock(mutex_);
    while (true) {
      if (!idle_.empty()) {
        Lease lease = std::move(idle_.back());
        idle_.pop_back();
        if (lease->alive()) return lease;
        lease.discard();
        --live_;
        continue;
      }
      if (state_ == State::None) {
        state_ = State::Starting;
        lock.unlock();
        try {
          Lease lease = pool_->acquire();
          begin(lease, true);
          lock.lock();
          state_ = State::Ready;
          ++live_;
          ready_.notify_all();
          return lease;
        } catch (...) {
          lock.lock();
          state_ = State::None;
          ready_.notify_all();
          throw;
        }
      }
      if (state_ == State::Starting) {
        ready_.wait(lock);
        continue;
      }
      // Ready: another connection if the pool has one, else wait for one of ours to come back.
      std::optional<Lease> extra;
      lock.unlock();
      if (live_snapshot() == 0)
        extra = pool_->acquire();
      else
        extra = pool_->try_acquire();
      if (extra) {
        try {
          begin(*extra, false);
        } catch (...) {
          extra->discard();
          throw;
        }
        lock.lock();
        ++live_;
        return std::move(*extra);
      }
      lock.lock();
      ready_.wait_for(lock, std::chrono::milliseconds(50));
    }
  }

  void give(Lease lease) {
    if (!lease) return;
    const bool keep = lease->alive() && PQtransactionStatus(lease->get()) == PQTRANS_INTRANS;
    if (!keep) lease.discard();
    std::lock_guard lock(mutex_);
    if (keep)
      idle_.push_back(std::move(lease));
    else
      --live_;
    ready_.notify_all();
  }

  // A reader's connection failed and was discarded.
  void lost() {
    std::lock_guard lock(mutex_);
    --live_;
    ready_.notify_all();
  }

 private:
  enum class State { None, Starting, Ready };

  int live_snapshot() {
    std::lock_guard lock(mutex_);
    return live_;
  }

  void begin(Lease& lease, bool first) {
    try {
      lease->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      if (first && share_) {
        auto id = lease->scalar("SELECT pg_export_snapshot()");
        if (!id) throw internal_error("pg_export_snapshot returned NULL");
        std::lock_guard lock(mutex_);
        snapshot_ = *id;
      } else if (!first && share_) {
        std::string id;
        {
          std::lock_guard lock(mutex_);
          id = snapshot_;
        }
        try {
          lease->exec("SET TRANSACTION SNAPSHOT " + quote_literal(id));
        } catch (const Error& e) {
          // The exporting connection is gone: this scan can no longer be one point in time.
          throw connection_error("cannot join the read's snapshot: " + e.message(), true,
                                 "the connection that exported it was lost; the LOAD is retried");
        }
      }
      if (!setup_sql_.empty()) lease->exec(setup_sql_);
      if (cursor_lower_)
        lease->query("SELECT set_config('sqlflow.cursor_lower', $1, true)", {*cursor_lower_});
    } catch (...) {
      lease.discard();
      throw;
    }
  }

  std::shared_ptr<ConnectionPool> pool_;
  const bool share_;
  const std::string setup_sql_;
  const std::optional<std::string> cursor_lower_;
  std::mutex mutex_;
  std::condition_variable ready_;
  State state_ = State::None;
  std::string snapshot_;
  std::vector<Lease> idle_;
  int live_ = 0;
};

// ---- CursorMax -------------------------------------------------------------------------------

void CursorMax::merge(const CursorMax& o) {
  if (!o.set) return;
  if (!set) {
    *this = o;
    return;
  }
  switch (kind) {
    case Kind::Int:
      i = std::max(i, o.i);
      break;
    case Kind::Decimal:
      d = std::max(d, o.d);
      break;
    case Kind::Double:
      // PostgreSQL orders NaN above every other value.
      if (std::isnan(o.f) || (!std::isnan(f) && o.f > f)) f = o.f;
      break;
    case Kind::Bytes:
      if (o.bytes > bytes) bytes = o.bytes;
      break;
  }
}

namespace {

bool cursor_supported(const DecodeSpec& d, const std::string& select_suffix) {
  if (d.array || !select_suffix.empty()) return false;
  switch (d.wire) {
    case Wire::Int2:
    case Wire::Int4:
    case Wire::Int8:
    case Wire::Float4:
    case Wire::Float8:
    case Wire::Date:
    case Wire::Time:
    case Wire::Timestamp:
    case Wire::TimestampTz:
    case Wire::Text:
    case Wire::Uuid:
      return true;
    case Wire::Numeric:
      return d.numeric == NumericTarget::Decimal;
    default:
      return false;
  }
}

void observe(CursorMax& m, const DecodeSpec& d, const Vector& v, size_t rows) {
  for (size_t r = 0; r < rows; ++r) {
    if (!v.is_valid(r)) continue;
    CursorMax x;
    x.set = true;
    switch (d.wire) {
      case Wire::Int2:
        x.i = v.get<int16_t>(r);
        break;
      case Wire::Int4:
        x.i = v.get<int32_t>(r);
        break;
      case Wire::Int8:
      case Wire::Time:
      case Wire::Timestamp:
      case Wire::TimestampTz:
        x.i = v.get<int64_t>(r);
        break;
      case Wire::Date:
        x.i = v.get<duckdb_date>(r).days;
        break;
      case Wire::Float4:
        x.kind = CursorMax::Kind::Double;
        x.f = v.get<float>(r);
        break;
      case Wire::Float8:
        x.kind = CursorMax::Kind::Double;
        x.f = v.get<double>(r);
        break;
      case Wire::Numeric:
        x.kind = CursorMax::Kind::Decimal;
        x.d = v.get_decimal(r, d.width);
        break;
      case Wire::Uuid: {
        x.kind = CursorMax::Kind::Bytes;
        uint8_t b[16];
        v.get_uuid(r, b);
        x.bytes.assign(reinterpret_cast<const char*>(b), 16);
        break;
      }
      default:
        x.kind = CursorMax::Kind::Bytes;
        x.bytes = std::string(v.get_string(r));
        break;
    }
    if (!m.set) m.kind = x.kind;
    m.merge(x);
  }
}

std::string pad(int64_t v, int width) {
  std::string s = std::to_string(v);
  if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<size_t>(width) - s.size(), '0');
  return s;
}

std::string date_text(int32_t days, bool* bc) {
  duckdb_date_struct s = duckdb_from_date(duckdb_date{days});
  *bc = s.year <= 0;
  int64_t year = *bc ? 1 - static_cast<int64_t>(s.year) : s.year;
  return pad(year, 4) + "-" + pad(s.month, 2) + "-" + pad(s.day, 2);
}

std::string time_text(int64_t micros) {
  return pad(micros / 3600000000LL, 2) + ":" + pad(micros / 60000000LL % 60, 2) + ":" +
         pad(micros / 1000000 % 60, 2) + "." + pad(micros % 1000000, 6);
}

std::string decimal_text(int128 v, int scale) {
  bool neg = v < 0;
  uint128 u = neg ? -static_cast<uint128>(v) : static_cast<uint128>(v);
  std::string s;
  do {
    s += static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  } while (u);
  while (static_cast<int>(s.size()) <= scale) s += '0';
  std::string out(s.rbegin(), s.rend());
  if (scale > 0) out.insert(out.size() - static_cast<size_t>(scale), ".");
  return neg ? "-" + out : out;
}

// The max as text that PostgreSQL parses back as the column's type.
std::string render_cursor(const CursorMax& m, const DecodeSpec& d) {
  switch (d.wire) {
    case Wire::Int2:
    case Wire::Int4:
    case Wire::Int8:
      return std::to_string(m.i);
    case Wire::Date: {
      if (m.i == std::numeric_limits<int32_t>::max()) return "infinity";
      if (m.i == -std::numeric_limits<int32_t>::max()) return "-infinity";
      bool bc;
      std::string s = date_text(static_cast<int32_t>(m.i), &bc);
      return bc ? s + " BC" : s;
    }
    case Wire::Time:
      return time_text(m.i);
    case Wire::Timestamp:
    case Wire::TimestampTz: {
      if (m.i == std::numeric_limits<int64_t>::max()) return "infinity";
      if (m.i == -std::numeric_limits<int64_t>::max()) return "-infinity";
      int64_t days = m.i / 86400000000LL, rem = m.i % 86400000000LL;
      if (rem < 0) {
        rem += 86400000000LL;
        --days;
      }
      bool bc;
      std::string s = date_text(static_cast<int32_t>(days), &bc) + " " + time_text(rem);
      if (d.wire == Wire::TimestampTz) s += "+00";
      return bc ? s + " BC" : s;
    }
    case Wire::Float4:
    case Wire::Float8: {
      if (std::isnan(m.f)) return "NaN";
      if (std::isinf(m.f)) return m.f > 0 ? "Infinity" : "-Infinity";
      char buf[64];
      auto r = d.wire == Wire::Float4 ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(m.f))
                                      : std::to_chars(buf, buf + sizeof buf, m.f);
      return std::string(buf, r.ptr);
    }
    case Wire::Numeric:
      return decimal_text(m.d, d.scale);
    case Wire::Uuid: {
      static const char* hex = "0123456789abcdef";
      std::string out;
      for (size_t k = 0; k < m.bytes.size(); ++k) {
        if (k == 4 || k == 6 || k == 8 || k == 10) out += '-';
        auto b = static_cast<unsigned char>(m.bytes[k]);
        out += hex[b >> 4];
        out += hex[b & 15];
      }
      return out;
    }
    default:
      return m.bytes;
  }
}

}  // namespace

// ---- the partition reader --------------------------------------------------------------------

class PgPartitionReader : public engine::PartitionReader {
 public:
  static constexpr size_t kHidden = std::numeric_limits<size_t>::max();

  PgPartitionReader(PostgresSource& source, std::shared_ptr<SnapshotSession> session, size_t index,
                    std::string sql, std::vector<DecodeSpec> fields, std::vector<size_t> outputs,
                    std::optional<size_t> cursor_field)
      : source_(source),
        session_(std::move(session)),
        index_(index),
        sql_(std::move(sql)),
        fields_(std::move(fields)),
        outputs_(std::move(outputs)),
        cursor_field_(cursor_field) {
    for (size_t i = 0; i < outputs_.size(); ++i)
      if (outputs_[i] == kHidden) scratch_.emplace(std::vector<LogicalType>{fields_[i].duckdb_type()});
  }

  ~PgPartitionReader() override {
    drop_pump();  // stops its thread before the connection goes anywhere
    if (lease_) {
      if (copy_active_) {
        lease_.discard();  // abandoned mid-COPY (e.g. LIMIT): the connection cannot be reused
        session_->lost();
      } else {
        session_->give(std::move(lease_));
      }
    }
    source_.merge_cursor(cursor_max_);
  }

  size_t next(DataChunk& out) override {
    if (done_) return 0;
    const int attempts = std::max(1, source_.options_.connection.target.policy.options().retry.max_attempts);
    for (int attempt = 1;; ++attempt) {
      try {
        if (!copy_active_) start();
        std::vector<Vector> targets;
        targets.reserve(outputs_.size());
        for (size_t o : outputs_) targets.push_back(o == kHidden ? scratch_->column(0) : out.column(o));
        if (scratch_) scratch_->reset();
        size_t n = stream_->read(targets, DataChunk::capacity(), pull_);
        if (stream_->finished()) {
          finish();
          done_ = true;  // the rows of this call are the last ones
        }
        if (cursor_field_ && n) observe(cursor_max_, fields_[*cursor_field_], targets[*cursor_field_], n);
        emitted_ += n;
        return n;
      } catch (const Error& e) {
        fail();
        if (!e.retryable()) throw;
        if (emitted_ > 0)
          throw connection_error("reading partition " + std::to_string(index_) + " of " +
                                     source_.qualified_name() + " broke off after " +
                                     std::to_string(emitted_) + " rows: " + e.message(),
                                 true, "rows were already handed on, so the LOAD is retried whole");
        if (attempt >= attempts) throw;
        source_.io_.retries.fetch_add(1, std::memory_order_relaxed);
        // Nothing was handed on yet: read the partition again from its start.
        for (size_t c = 0; c < out.column_count(); ++c)
          if (out.column(c).type().id() == DUCKDB_TYPE_LIST) out.column(c).list_set_size(0);
        std::this_thread::sleep_for(std::chrono::milliseconds(100 << std::min(attempt, 6)));
      }
    }
  }

 private:
  void start() {
    lease_ = session_->take();
    PgResult res(PQexec(lease_->get(), sql_.c_str()));
    if (!res || PQresultStatus(res.get()) != PGRES_COPY_OUT)
      throw lease_->error("COPY from " + source_.qualified_name(), res.get());
    copy_active_ = true;
    source_.io_.requests.fetch_add(1, std::memory_order_relaxed);
    stream_.emplace(fields_);
    // The messages are read on the pump's thread, so the server keeps streaming while DuckDB
    // works on the rows already decoded.
    pump_ = std::make_unique<CopyOutPump>(*lease_, "COPY from " + source_.qualified_name());
    pull_ = [this](std::string_view& piece) { return pump_->next(piece); };
  }

  // After the trailer: wait for the end of the COPY and hand the connection back.
  void finish() {
    pump_->finish();
    drop_pump();
    copy_active_ = false;
    session_->give(std::move(lease_));
  }

  // Stops the pump (if any) and adds what it moved to the source's counters.
  void drop_pump() {
    if (!pump_) return;
    source_.io_.bytes.fetch_add(pump_->bytes(), std::memory_order_relaxed);
    source_.io_.network_wait_ns.fetch_add(pump_->wait_ns(), std::memory_order_relaxed);
    pump_.reset();
  }

  void fail() {
    drop_pump();
    if (lease_) {
      lease_.discard();
      session_->lost();
    }
    copy_active_ = false;
    stream_.reset();
  }

  PostgresSource& source_;
  std::shared_ptr<SnapshotSession> session_;
  const size_t index_;
  const std::string sql_;
  const std::vector<DecodeSpec> fields_;
  const std::vector<size_t> outputs_;  // per field: output column, or kHidden (cursor only)
  const std::optional<size_t> cursor_field_;
  std::optional<DataChunk> scratch_;

  Lease lease_;
  bool copy_active_ = false;
  bool done_ = false;
  std::optional<CopyBinaryStream> stream_;
  PullPiece pull_;
  std::unique_ptr<CopyOutPump> pump_;
  size_t emitted_ = 0;
  CursorMax cursor_max_;
};

// ---- PostgresSource --------------------------------------------------------------------------

PostgresSource::PostgresSource(SourceOptions options) : options_(std::move(options)) {
  options_.validate();
  const auto& c = options_.connection;
  pool_ = ConnectionPool::for_target(c.target, c.min_connections, c.max_connections);
  if (!options_.cursor_field.empty()) cursor_field_ = options_.cursor_field;
}

PostgresSource::~PostgresSource() = default;

std::string PostgresSource::qualified_name() const {
  return options_.table.empty() ? "the query"
                                : quote_identifier(options_.schema) + "." + quote_identifier(options_.table);
}

std::string PostgresSource::query_text() const {
  std::string q = options_.query;
  while (!q.empty() && (q.back() == ';' || std::isspace(static_cast<unsigned char>(q.back())))) q.pop_back();
  return q;
}

namespace {

// Whether PostgreSQL query text has ORDER BY anywhere (a window or a subquery counts too: when in
// doubt, keep the order). Skips string literals, quoted identifiers, dollar quotes and comments.
bool has_order_by(const std::string& q) {
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; };
  auto word_at = [&](size_t i, const char* w) {
    const size_t n = std::strlen(w);
    if (i + n > q.size() || strncasecmp(q.data() + i, w, n) != 0) return false;
    return (i == 0 || !ident(q[i - 1])) && (i + n == q.size() || !ident(q[i + n]));
  };
  // Past whitespace and comments from i.
  auto skip_blank = [&](size_t i) {
    for (;;) {
      while (i < q.size() && std::isspace(static_cast<unsigned char>(q[i]))) ++i;
      if (q.compare(i, 2, "--") == 0) {
        i = q.find('\n', i);
        if (i == std::string::npos) return q.size();
      } else if (q.compare(i, 2, "/*") == 0) {
        i = q.find("*/", i + 2);
        if (i == std::string::npos) return q.size();
        i += 2;
      } else {
        return i;
      }
    }
  };
  size_t i = 0;
  while ((i = skip_blank(i)) < q.size()) {
    const char c = q[i];
    if (c == '\'' || c == '"') {
      const size_t end = q.find(c, i + 1);  // a doubled quote is two literals in a row: same result
      if (end == std::string::npos) return true;
      i = end + 1;
    } else if (c == '$' && (i == 0 || !ident(q[i - 1]))) {
      size_t k = i + 1;
      while (k < q.size() && (std::isalnum(static_cast<unsigned char>(q[k])) || q[k] == '_')) ++k;
      const bool param = k > i + 1 && std::isdigit(static_cast<unsigned char>(q[i + 1]));  // $1
      if (k < q.size() && q[k] == '$' && !param) {
        const std::string tag = q.substr(i, k - i + 1);  // $$ or $tag$
        const size_t close = q.find(tag, k + 1);
        if (close == std::string::npos) return true;
        i = close + tag.size();
      } else {
        i = k;
      }
    } else if (word_at(i, "order")) {
      const size_t next = skip_blank(i + 5);
      if (word_at(next, "by")) return true;
      i += 5;
    } else {
      ++i;
    }
  }
  return false;
}

}  // namespace

bool PostgresSource::rows_unordered() {
  discover();
  if (partition_predicates_.size() <= 1) return false;  // one partition: nothing to gain
  if (options_.preserve_order) return !*options_.preserve_order;
  return options_.query.empty() || !has_order_by(options_.query);
}

std::string PostgresSource::relation_sql() const {
  if (!options_.table.empty()) return qualified_;
  return "(" + query_text() + ") AS \"sqlflow_query\"";
}

void PostgresSource::discover() {
  std::call_once(discovered_, [this] {
    // Connecting is retried inside the pool; catalog queries are not worth retrying on their own.
    Lease lease = pool_->acquire();
    std::vector<CatalogColumn> found =
        options_.table.empty() ? describe_query(*lease) : describe_table(*lease);
    if (!options_.columns.empty()) found = pick_columns(found);
    plan_columns(*lease, found);
    plan_partitions(*lease);
  });
}

std::vector<PostgresSource::CatalogColumn> PostgresSource::describe_table(PgConn& conn) {
  PgResult rel = find_table(conn);
  if (PQntuples(rel.get()) == 0) throw missing_table(conn);
  const std::string oid = PQgetvalue(rel.get(), 0, 0);
  relkind_ = PQgetvalue(rel.get(), 0, 1)[0];
  pages_ = std::stoll(PQgetvalue(rel.get(), 0, 2));
  int64_t tuples = std::stoll(PQgetvalue(rel.get(), 0, 3));
  if (tuples >= 0) estimated_rows_ = static_cast<size_t>(tuples);
  PgResult cols = conn.query(
      "SELECT attname, atttypid, atttypmod FROM pg_catalog.pg_attribute "
      "WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
      {oid});
  std::vector<CatalogColumn> out;
  for (int r = 0; r < PQntuples(cols.get()); ++r)
    out.push_back({PQgetvalue(cols.get(), r, 0),
                   static_cast<uint32_t>(std::stoul(PQgetvalue(cols.get(), r, 1))),
                   std::stoi(PQgetvalue(cols.get(), r, 2))});
  return out;
}

PgResult PostgresSource::find_table(PgConn& conn) {
  auto find = [&] {
    qualified_ = quote_identifier(options_.schema) + "." + quote_identifier(options_.table);
    return conn.query(
        "SELECT c.oid, c.relkind, pg_relation_size(c.oid) / current_setting('block_size')::int8, "
        "c.reltuples::int8 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
        "c.relnamespace "
        "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r','p','v','m','f')",
        {options_.schema, options_.table});
  };
  PgResult rel = find();
  if (PQntuples(rel.get()) == 0 && options_.table.find('.') != std::string::npos) {
    // "schema.table" in `table`: accepted when no table has that dotted name.
    const std::string dotted = options_.table, schema = options_.schema;
    options_.schema = dotted.substr(0, dotted.find('.'));
    options_.table = dotted.substr(dotted.find('.') + 1);
    rel = find();
    if (PQntuples(rel.get()) == 0) {
      options_.schema = schema;
      options_.table = dotted;
      qualified_ = quote_identifier(schema) + "." + quote_identifier(dotted);
    }
  }
  return rel;
}

Error PostgresSource::missing_table(PgConn& conn) {
  PgResult names = conn.query(
      "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
      "c.relnamespace "
      "WHERE n.nspname = $1 AND c.relkind IN ('r','p','v','m','f') ORDER BY 1",
      {options_.schema});
  std::vector<std::string> candidates;
  for (int r = 0; r < PQntuples(names.get()); ++r) candidates.emplace_back(PQgetvalue(names.get(), r, 0));
  auto schema_exists =
      conn.scalar("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", {options_.schema});
  if (!schema_exists)
    return validation_error("PostgreSQL schema " + quote_identifier(options_.schema) + " does not exist on " +
                            pool_->target().display);
  return validation_error("PostgreSQL table " + qualified_ + " does not exist on " + pool_->target().display +
                              did_you_mean(options_.table, candidates),
                          "check the source's schema and table parameters");
}

// Describes the query without running it (a prepared statement's result columns).
std::vector<PostgresSource::CatalogColumn> PostgresSource::describe_query(PgConn& conn) {
  const std::string text = query_text();
  PgResult prep(PQprepare(conn.get(), "", text.c_str(), 0, nullptr));
  if (!prep || PQresultStatus(prep.get()) != PGRES_COMMAND_OK)
    throw conn.error("the source query", prep.get());
  PgResult desc(PQdescribePrepared(conn.get(), ""));
  if (!desc || PQresultStatus(desc.get()) != PGRES_COMMAND_OK)
    throw conn.error("the source query", desc.get());
  std::vector<CatalogColumn> out;
  for (int f = 0; f < PQnfields(desc.get()); ++f)
    out.push_back(
        {PQfname(desc.get(), f), static_cast<uint32_t>(PQftype(desc.get(), f)), PQfmod(desc.get(), f)});
  std::vector<std::string> seen;
  for (const auto& c : out) {
    if (std::find(seen.begin(), seen.end(), c.name) != seen.end())
      throw validation_error("the postgres source query returns column \"" + c.name + "\" twice",
                             "give the columns distinct aliases");
    seen.push_back(c.name);
  }
  return out;
}

std::vector<PostgresSource::CatalogColumn> PostgresSource::pick_columns(
    const std::vector<CatalogColumn>& found) const {
  std::vector<CatalogColumn> picked;
  std::vector<std::string> names;
  for (const auto& c : found) names.push_back(c.name);
  for (const auto& want : options_.columns) {
    auto it =
        std::find_if(found.begin(), found.end(), [&](const CatalogColumn& c) { return c.name == want; });
    if (it == found.end())
      throw validation_error(qualified_name() + " has no column \"" + want + "\"" +
                             did_you_mean(want, names));
    picked.push_back(*it);
  }
  return picked;
}

void PostgresSource::plan_columns(PgConn& conn, const std::vector<CatalogColumn>& found) {
  TypeCatalog types(conn);
  std::vector<uint32_t> oids;
  for (const auto& c : found) oids.push_back(c.type);
  types.load(oids);
  columns_.clear();
  schema_.clear();
  for (const auto& r : found) {
    Column c{r.name, plan_source_column(types, r.name, r.type, r.typmod, options_.numeric_mode)};
    schema_.push_back({r.name, c.plan.decode.duckdb_type()});
    columns_.push_back(std::move(c));
  }
}

void PostgresSource::plan_partitions(PgConn& conn) {
  partition_predicates_.assign(1, "");
  if (options_.partitions == PartitionMode::Off) return;
  const int64_t block = 8192;
  int wanted = options_.partitions == PartitionMode::Count
                   ? options_.partition_count
                   : static_cast<int>(std::clamp<int64_t>(pages_ * block / (32LL << 20), 1, 64));
  if (!options_.partition_column.empty()) {
    std::string col = quote_identifier(options_.partition_column);
    if (options_.partitions == PartitionMode::Auto && options_.table.empty()) wanted = 4;
    std::string where = options_.where.empty() ? "" : " WHERE (" + options_.where + ")";
    PgResult mm =
        conn.query("SELECT min(" + col + ")::text, max(" + col + ")::text FROM " + relation_sql() + where);
    if (PQgetisnull(mm.get(), 0, 0) || wanted <= 1) return;
    long double lo = std::floor(std::strtold(PQgetvalue(mm.get(), 0, 0), nullptr));
    long double hi = std::floor(std::strtold(PQgetvalue(mm.get(), 0, 1), nullptr));
    if (!std::isfinite(lo) || !std::isfinite(hi) || hi - lo > 9e18L || hi - lo < 0) return;
    std::vector<int64_t> bounds;
    for (int i = 1; i < wanted; ++i) {
      auto b = static_cast<int64_t>(lo + std::ceil((hi - lo + 1) * i / wanted));
      if (bounds.empty() || b > bounds.back()) bounds.push_back(b);
    }
    if (bounds.empty()) return;
    partition_predicates_.clear();
    partition_predicates_.push_back("(" + col + " < " + std::to_string(bounds[0]) + " OR " + col +
                                    " IS NULL)");
    for (size_t i = 1; i < bounds.size(); ++i)
      partition_predicates_.push_back(col + " >= " + std::to_string(bounds[i - 1]) + " AND " + col + " < " +
                                      std::to_string(bounds[i]));
    partition_predicates_.push_back(col + " >= " + std::to_string(bounds.back()));
    return;
  }
  // ctid page ranges need a plain heap table, and a TID range scan (PostgreSQL 14) to be cheap.
  if (options_.table.empty() || (relkind_ != 'r' && relkind_ != 'm') || wanted <= 1 || pages_ <= 1) return;
  if (conn.server_version() < 140000 && options_.partitions == PartitionMode::Auto) return;
  const int64_t n = std::min<int64_t>(wanted, pages_);
  const int64_t per = (pages_ + n - 1) / n;
  auto tid = [](int64_t page) { return "'(" + std::to_string(page) + ",0)'::tid"; };
  partition_predicates_.clear();
  for (int64_t i = 0; i < n; ++i) {
    std::string p;
    if (i > 0) p += "ctid >= " + tid(i * per);
    if (i + 1 < n) p += std::string(p.empty() ? "" : " AND ") + "ctid < " + tid((i + 1) * per);
    partition_predicates_.push_back(p);
    if ((i + 1) * per >= pages_) break;
  }
  // The last range is open-ended: pages added after we measured the table belong to it.
  std::string& last = partition_predicates_.back();
  if (auto at = last.find(" AND ctid < "); at != std::string::npos)
    last.resize(at);
  else if (last.rfind("ctid < ", 0) == 0)
    last.clear();
}

const Schema& PostgresSource::schema() {
  discover();
  return schema_;
}

size_t PostgresSource::partition_count() {
  discover();
  return partition_predicates_.size();
}

std::optional<size_t> PostgresSource::estimated_rows() {
  discover();
  return estimated_rows_;
}

void PostgresSource::set_cursor(const std::string& field, const std::optional<std::string>& lower_bound) {
  std::lock_guard lock(mutex_);
  cursor_field_ = field;
  cursor_lower_ = lower_bound;
  // DuckDB renders BC dates as "0044-03-15 (BC)"; PostgreSQL reads "0044-03-15 BC".
  if (cursor_lower_) {
    if (auto at = cursor_lower_->find(" (BC)"); at != std::string::npos) cursor_lower_->replace(at, 5, " BC");
  }
}

std::optional<std::string> PostgresSource::max_cursor_value() {
  discover();
  std::lock_guard lock(mutex_);
  if (!cursor_max_.set || cursor_field_.empty()) return std::nullopt;
  auto it = std::find_if(columns_.begin(), columns_.end(),
                         [&](const Column& c) { return c.name == cursor_field_; });
  if (it == columns_.end()) return std::nullopt;
  return render_cursor(cursor_max_, it->plan.decode);
}

void PostgresSource::merge_cursor(const CursorMax& max) {
  std::lock_guard lock(mutex_);
  cursor_max_.merge(max);
}

std::string PostgresSource::copy_sql(size_t index, const std::vector<size_t>& projection) {
  discover();
  std::string list;
  for (size_t i = 0; i < projection.size(); ++i) {
    const Column& c = columns_.at(projection[i]);
    list += (i ? ", " : "") + quote_identifier(c.name) + c.plan.select_suffix;
  }
  std::string field;
  std::optional<std::string> lower;
  {
    std::lock_guard lock(mutex_);
    field = cursor_field_;
    lower = cursor_lower_;
  }
  std::vector<std::string> conds;
  if (!options_.where.empty()) conds.push_back("(" + options_.where + ")");
  if (!partition_predicates_.at(index).empty()) conds.push_back(partition_predicates_[index]);
  if (!field.empty()) {
    auto it =
        std::find_if(columns_.begin(), columns_.end(), [&](const Column& c) { return c.name == field; });
    if (it == columns_.end()) {
      std::vector<std::string> names;
      for (const auto& c : columns_) names.push_back(c.name);
      throw validation_error("cursor_field \"" + field + "\" is not a column of " + qualified_name() +
                             did_you_mean(field, names));
    }
    if (!cursor_supported(it->plan.decode, it->plan.select_suffix))
      throw validation_error("cursor_field \"" + field + "\" has type " + it->plan.pg_type +
                                 ", which cannot be used as an incremental cursor",
                             "use an integer, numeric, float, date, time, timestamp, text or uuid column");
    // Only the hidden cursor column, when DuckDB did not ask for it.
    if (std::find_if(projection.begin(), projection.end(),
                     [&](size_t p) { return columns_[p].name == field; }) == projection.end())
      list += (list.empty() ? "" : ", ") + quote_identifier(field);
    if (lower) {
      const bool text = it->plan.decode.wire == Wire::Text;
      conds.push_back(quote_identifier(field) + (text ? " COLLATE \"C\"" : "") +
                      " > CAST(current_setting('sqlflow.cursor_lower') AS " + it->plan.pg_type + ")");
    }
  }
  std::string sql = "COPY (SELECT " + list + " FROM " + relation_sql();
  for (size_t i = 0; i < conds.size(); ++i) sql += (i ? " AND " : " WHERE ") + conds[i];
  return sql + ") TO STDOUT (FORMAT binary)";
}

std::shared_ptr<SnapshotSession> PostgresSource::session_for(size_t index) {
  std::lock_guard lock(mutex_);
  const size_t total = partition_predicates_.size();
  if (!session_ || opened_.count(index)) {
    std::string setup;
    if (options_.timeout_seconds > 0)
      setup = "SET LOCAL statement_timeout = " + std::to_string(int64_t{options_.timeout_seconds} * 1000);
    std::optional<std::string> lower = cursor_field_.empty() ? std::nullopt : cursor_lower_;
    session_ = std::make_shared<SnapshotSession>(pool_, total > 1, setup, lower);
    opened_.clear();
  }
  opened_.insert(index);
  auto s = session_;
  if (opened_.size() == total) {
    // Every partition of this scan is open: the readers keep the session alive until they finish.
    session_.reset();
    opened_.clear();
  }
  return s;
}

std::unique_ptr<engine::PartitionReader> PostgresSource::open(size_t index,
                                                              const std::vector<size_t>& projection) {
  discover();
  if (index >= partition_predicates_.size())
    throw internal_error("postgres source: partition " + std::to_string(index) + " does not exist");
  std::string sql = copy_sql(index, projection);
  std::vector<DecodeSpec> fields;
  std::vector<size_t> outputs;
  for (size_t i = 0; i < projection.size(); ++i) {
    fields.push_back(columns_[projection[i]].plan.decode);
    outputs.push_back(i);
  }
  std::optional<size_t> cursor_field;
  std::string field;
  {
    std::lock_guard lock(mutex_);
    field = cursor_field_;
  }
  if (!field.empty()) {
    for (size_t i = 0; i < projection.size(); ++i)
      if (columns_[projection[i]].name == field) cursor_field = i;
    if (!cursor_field) {
      auto it =
          std::find_if(columns_.begin(), columns_.end(), [&](const Column& c) { return c.name == field; });
      fields.push_back(it->plan.decode);
      outputs.push_back(PgPartitionReader::kHidden);
      cursor_field = fields.size() - 1;
    }
  }
  return std::make_unique<PgPartitionReader>(*this, session_for(index), index, std::move(sql),
                                             std::move(fields), std::move(outputs), cursor_field);
}

IoStats PostgresSource::io_stats() const {
  IoStats s;
  s.bytes = io_.bytes.load(std::memory_order_relaxed);
  s.requests = io_.requests.load(std::memory_order_relaxed);
  s.retries = io_.retries.load(std::memory_order_relaxed);
  s.network_wait_ns = io_.network_wait_ns.load(std::memory_order_relaxed);
  return s;
}

std::string PostgresSource::test_connection() {
  Lease lease = pool_->acquire();
  double best = 1e30;
  for (int i = 0; i < 3; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    lease->exec("SELECT 1");
    std::chrono::duration<double, std::milli> dt = std::chrono::steady_clock::now() - t0;
    best = std::min(best, dt.count());
  }
  const char* version = PQparameterStatus(lease->get(), "server_version");
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", best);
  return "PostgreSQL " + std::string(version ? version : "?") + " at " + pool_->target().display +
         ", round trip " + buf + " ms, " + citus_summary(*lease);
}

}  // namespace sqlflow::connectors::postgres
