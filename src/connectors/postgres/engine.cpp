#include "connectors/postgres/engine.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <set>

#include "connectors/postgres/connection_pool.hpp"
#include "connectors/postgres/copy_binary_encode.hpp"
#include "connectors/postgres/source.hpp"
#include "connectors/registry.hpp"
#include "core/quote.hpp"

namespace sqlflow::connectors::postgres {

namespace {

constexpr size_t kFlushBytes = 1 << 20;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string qi(const std::string& s) {
  return quote_identifier(s);
}

std::string key_list(const std::vector<std::string>& keys) {
  std::string s;
  for (const auto& k : keys) s += (s.empty() ? "" : ", ") + qi(k);
  return s;
}

// libpq's `options` value setting the session's search_path to the engine's schema (spaces in
// the value are escaped with a backslash, as libpq's options syntax wants).
std::string search_path_option(const std::string& schema) {
  std::string value = "-c search_path=" + quote_identifier(schema);
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (i > 2 && (value[i] == ' ' || value[i] == '\\')) out += '\\';
    out += value[i];
  }
  return out;
}

// Text of a bound parameter, as PostgreSQL parses it back.
std::optional<std::string> param_text(const engine::Param& p) {
  return std::visit(
      [](const auto& v) -> std::optional<std::string> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          return std::nullopt;
        else if constexpr (std::is_same_v<T, bool>)
          return v ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::string>)
          return v;
        else
          return std::to_string(v);
      },
      p);
}

class PostgresSession : public engine::Session {
 public:
  PostgresSession(const EngineOptions& options, Lease lease) : options_(options), lease_(std::move(lease)) {
    cancel_ = PQgetCancel(lease_->get());
  }
  ~PostgresSession() override {
    if (cancel_) PQfreeCancel(cancel_);
    // A session that ends inside a transaction (an interrupted step) must not go back to the pool.
    if (lease_ && !lease_->reusable()) lease_.discard();
  }

  std::string engine_name() const override { return "postgres"; }
  bool reads_local_views() const override { return false; }

  void begin() override { run("BEGIN"); }
  void commit() override { run("COMMIT"); }
  void rollback() noexcept override {
    try {
      if (PQtransactionStatus(lease_->get()) != PQTRANS_IDLE) lease_->exec("ROLLBACK");
    } catch (...) {
      lease_.discard();  // the connection is in an unknown state
    }
  }

  uint64_t execute(const std::string& sql, const std::vector<engine::Param>& params, bool) override {
    PgResult res = run(sql, params);
    const char* n = PQcmdTuples(res.get());
    return n && *n ? std::stoull(n) : static_cast<uint64_t>(PQntuples(res.get()));
  }

  std::optional<std::string> scalar(const std::string& sql,
                                    const std::vector<engine::Param>& params) override {
    PgResult res = run(sql, params);
    if (PQntuples(res.get()) == 0 || PQnfields(res.get()) == 0 || PQgetisnull(res.get(), 0, 0))
      return std::nullopt;
    return std::string(PQgetvalue(res.get(), 0, 0), PQgetlength(res.get(), 0, 0));
  }

  bool table_exists(const std::string& table) override {
    return scalar(
               "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
               "c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')",
               {options_.schema, table}) != "0";
  }

  std::string qualified(const std::string& table) override { return qi(options_.schema) + "." + qi(table); }

  Schema query_schema(const std::string& select_sql) override {
    PgResult res = run("SELECT * FROM (" + select_sql + ") AS sqlflow_q LIMIT 0");
    TypeCatalog types(*lease_);
    Schema out;
    for (int i = 0; i < PQnfields(res.get()); ++i) {
      SourceColumnPlan plan =
          plan_source_column(types, PQfname(res.get(), i), PQftype(res.get(), i), PQfmod(res.get(), i), {});
      out.push_back({PQfname(res.get(), i), plan.decode.duckdb_type()});
    }
    return out;
  }

  uint64_t create_or_replace(const std::string& table, const std::string& query, bool) override {
    run("DROP TABLE IF EXISTS " + table);
    return execute("CREATE TABLE " + table + " AS " + query, {}, false);
  }
  uint64_t create_table_as(const std::string& table, const std::string& query, bool) override {
    return execute("CREATE TABLE " + table + " AS " + query, {}, false);
  }
  // PostgreSQL has no INSERT … BY NAME: the query's column names become the insert's column list.
  uint64_t insert_by_name(const std::string& target, const std::string& query, bool) override {
    PgResult res = run("SELECT * FROM (" + query + ") AS sqlflow_q LIMIT 0");
    std::string cols;
    for (int i = 0; i < PQnfields(res.get()); ++i) cols += (i ? ", " : "") + qi(PQfname(res.get(), i));
    return execute(
        "INSERT INTO " + target + " (" + cols + ") SELECT " + cols + " FROM (" + query + ") AS sqlflow_q", {},
        false);
  }
  uint64_t create_temp_as(const std::string& name, const std::string& query,
                          const std::vector<engine::Param>& params, bool) override {
    return execute("CREATE TEMP TABLE " + qi(name) + " AS " + query, params, false);
  }
  uint64_t write_rows(const std::string& name, const Schema& schema,
                      const engine::ChunkStream& rows) override;

  // The stage was filled in input order (COPY, or CREATE TABLE AS in the query's order): its
  // ctids follow that order, so the highest ctid per key is the last row.
  uint64_t keep_last_row_per_key(const std::string& stage, const std::vector<std::string>& keys) override {
    return execute("DELETE FROM " + qi(stage) +
                       " AS s USING (SELECT ctid AS row_id, row_number() OVER (PARTITION BY " +
                       key_list(keys) + " ORDER BY ctid DESC) AS n FROM " + qi(stage) +
                       ") AS d WHERE s.ctid = d.row_id AND d.n > 1",
                   {}, false);
  }

  // MERGE (PostgreSQL 15) needs no unique index on the target.
  uint64_t merge_into(const std::string& target, const std::string& stage,
                      const std::vector<std::string>& keys) override {
    PgResult res = run("SELECT * FROM " + qi(stage) + " LIMIT 0");
    std::string on, set, names, values;
    for (const auto& k : keys) on += std::string(on.empty() ? "" : " AND ") + "t." + qi(k) + " = s." + qi(k);
    for (int i = 0; i < PQnfields(res.get()); ++i) {
      const std::string c = PQfname(res.get(), i);
      names += (names.empty() ? "" : ", ") + qi(c);
      values += (values.empty() ? "" : ", ") + ("s." + qi(c));
      bool is_key =
          std::any_of(keys.begin(), keys.end(), [&](const auto& k) { return lower(k) == lower(c); });
      if (!is_key) set += (set.empty() ? "" : ", ") + qi(c) + " = s." + qi(c);
    }
    std::string sql = "MERGE INTO " + target + " AS t USING " + qi(stage) + " AS s ON (" + on + ") ";
    if (!set.empty()) sql += "WHEN MATCHED THEN UPDATE SET " + set + " ";
    sql += "WHEN NOT MATCHED THEN INSERT (" + names + ") VALUES (" + values + ")";
    return execute(sql, {}, false);
  }

  void drop_table(const std::string& name) override { run("DROP TABLE IF EXISTS " + qi(name)); }

  // Citus: distribute or replicate the table the step just created, inside the step's transaction.
  void created_table(const std::string& table) override {
    auto it = options_.distribution.find(lower(table));
    if (it == options_.distribution.end()) return;
    const std::string name = qualified(table);
    if (lower(it->second) == "reference")
      run("SELECT create_reference_table($1)", {name});
    else
      run("SELECT create_distributed_table($1, $2)", {name, it->second});
  }

  // PostgreSQL forgets the precision of computed numerics (sum(bigint), sum(numeric(14,2)),
  // arithmetic): such a column is read as DECIMAL(38, s) with s the largest scale among its
  // values (one aggregate query finds it), so 30 stays 30 and 8154.00 stays 8154.00, as DuckDB
  // would have typed them, rather than numeric_mode's DECIMAL(38,9).
  std::string with_numeric_scales(const std::string& query) {
    PgResult shape = run("SELECT * FROM (" + query + ") AS sqlflow_q LIMIT 0");
    std::vector<int> unbounded;
    for (int i = 0; i < PQnfields(shape.get()); ++i)
      if (PQftype(shape.get(), i) == oid::kNumeric && PQfmod(shape.get(), i) < 0) unbounded.push_back(i);
    if (unbounded.empty()) return query;
    std::string aggregates;
    for (int i : unbounded) {
      const std::string c = qi(PQfname(shape.get(), i));
      aggregates += std::string(aggregates.empty() ? "" : ", ") + "max(scale(" + c +
                    ")), max(length(trunc(abs(" + c + "))::text))";
    }
    PgResult widths = run("SELECT " + aggregates + " FROM (" + query + ") AS sqlflow_q");
    std::string select;
    for (int i = 0, u = 0; i < PQnfields(shape.get()); ++i) {
      const std::string c = qi(PQfname(shape.get(), i));
      select += (i ? ", " : "") + c;
      if (u >= static_cast<int>(unbounded.size()) || unbounded[u] != i) continue;
      const char* scale = PQgetvalue(widths.get(), 0, 2 * u);
      const char* digits = PQgetvalue(widths.get(), 0, 2 * u + 1);
      ++u;
      const int s = *scale ? std::stoi(scale) : 0;
      const int d = *digits ? std::stoi(digits) : 1;
      if (s <= 37 && d + s <= 38) select += "::numeric(38, " + std::to_string(s) + ") AS " + c;
    }
    return "SELECT " + select + " FROM (" + query + ") AS sqlflow_q";
  }

  std::string state_table() const override { return qi(options_.schema) + ".sqlflow_state"; }
  void ensure_state() override {
    run("CREATE SCHEMA IF NOT EXISTS " + qi(options_.schema));
    run("CREATE TABLE IF NOT EXISTS " + state_table() +
        " (pipeline text NOT NULL, source text NOT NULL, target text NOT NULL, cursor_field text NOT NULL, "
        "value text, updated_at timestamp NOT NULL DEFAULT now(), PRIMARY KEY (pipeline, source, target, "
        "cursor_field))");
  }

  std::shared_ptr<engine::TableSource> reader(const std::string& query) override {
    SourceOptions o;
    o.connection = options_.connection;
    o.query = with_numeric_scales(query);
    o.partitions = PartitionMode::Off;
    return std::make_shared<PostgresSource>(std::move(o));
  }

  void interrupt() override {
    char buf[256];
    if (cancel_) PQcancel(cancel_, buf, sizeof buf);
  }
  double progress() override { return -1; }

 private:
  PgResult run(const std::string& sql, const std::vector<engine::Param>& params = {}) {
    std::vector<std::optional<std::string>> texts;
    for (const auto& p : params) texts.push_back(param_text(p));
    std::vector<const char*> values;
    for (const auto& t : texts) values.push_back(t ? t->c_str() : nullptr);
    PgResult res(PQexecParams(lease_->get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                              values.data(), nullptr, nullptr, 0));
    auto st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
      throw with_position(lease_->error("SQL", res.get()), sql, res.get());
    return res;
  }

  // PostgreSQL's error position, as DuckDB's "LINE n: <text>\n   ^" excerpt, so the pipeline
  // places the error at its .sf line and column as it does DuckDB's.
  static Error with_position(const Error& e, const std::string& sql, const PGresult* res) {
    const char* pos = res ? PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION) : nullptr;
    if (!pos) return e;
    size_t at = std::strtoul(pos, nullptr, 10);  // 1-based, in characters (bytes for UTF-8 ASCII)
    if (at == 0 || at > sql.size()) return e;
    --at;
    const size_t begin = sql.rfind('\n', at == 0 ? 0 : at - 1);
    const size_t line_start = begin == std::string::npos || at == 0 ? 0 : begin + 1;
    const size_t line_end = std::min(sql.find('\n', at), sql.size());
    const size_t line_no =
        static_cast<size_t>(std::count(sql.begin(), sql.begin() + static_cast<long>(line_start), '\n')) + 1;
    const std::string prefix = "LINE " + std::to_string(line_no) + ": ";
    const std::string excerpt = "\n" + prefix + sql.substr(line_start, line_end - line_start) + "\n" +
                                std::string(prefix.size() + (at - line_start), ' ') + "^";
    return Error(e.kind(), e.message() + excerpt, e.hint(), e.retryable());
  }

  void put(const std::string& buffer, const std::string& name) {
    if (PQputCopyData(lease_->get(), buffer.data(), static_cast<int>(buffer.size())) != 1)
      throw lease_->error("COPY into " + name);
  }

  const EngineOptions& options_;
  Lease lease_;
  PGcancel* cancel_ = nullptr;
};

// A temporary table of `schema`'s columns (PostgreSQL types as the destination creates them),
// filled by one binary COPY.
uint64_t PostgresSession::write_rows(const std::string& name, const Schema& schema,
                                     const engine::ChunkStream& rows) {
  std::string ddl;
  for (const auto& c : schema)
    ddl += (ddl.empty() ? "" : ", ") + qi(c.name) + " " + pg_type_for(c.type, c.name);
  run("CREATE TEMP TABLE " + qi(name) + " (" + ddl + ")");
  PgResult cols =
      run("SELECT atttypid FROM pg_catalog.pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 "
          "AND NOT attisdropped ORDER BY attnum",
          {"pg_temp." + qi(name)});
  TypeCatalog types(*lease_);
  std::vector<uint32_t> oids;
  for (int r = 0; r < PQntuples(cols.get()); ++r)
    oids.push_back(static_cast<uint32_t>(std::stoul(PQgetvalue(cols.get(), r, 0))));
  types.load(oids);
  std::vector<EncodeTarget> targets;
  for (size_t i = 0; i < schema.size(); ++i) {
    auto t = encode_target_for(types, schema[i].name, oids.at(i));
    if (!t) throw internal_error("no binary encoding for column \"" + schema[i].name + "\"");
    targets.push_back(std::move(*t));
  }
  CopyBinaryEncoder encoder(types_of(schema), std::move(targets));
  PgResult start(PQexec(lease_->get(), ("COPY " + qi(name) + " FROM STDIN (FORMAT binary)").c_str()));
  if (!start || PQresultStatus(start.get()) != PGRES_COPY_IN)
    throw lease_->error("COPY into " + name, start.get());
  std::string buffer;
  CopyBinaryEncoder::put_header(buffer);
  uint64_t n = 0;
  try {
    while (auto chunk = rows()) {
      encoder.encode(*chunk, buffer);
      n += chunk->size();
      if (buffer.size() >= kFlushBytes) {
        put(buffer, name);
        buffer.clear();
      }
    }
  } catch (const Error& e) {
    PQputCopyEnd(lease_->get(), "sqlflow: the rows could not be read");
    while (PGresult* r = PQgetResult(lease_->get())) PQclear(r);
    throw;
  }
  CopyBinaryEncoder::put_trailer(buffer);
  put(buffer, name);
  if (PQputCopyEnd(lease_->get(), nullptr) != 1) throw lease_->error("COPY into " + name);
  PgResult done(PQgetResult(lease_->get()));
  std::optional<Error> failed;
  if (!done || PQresultStatus(done.get()) != PGRES_COMMAND_OK)
    failed = lease_->error("COPY into " + name, done.get());
  while (PGresult* r = PQgetResult(lease_->get())) PQclear(r);
  if (failed) throw *failed;
  return n;
}

std::string text_of(const Params& p, const char* key, const std::string& fallback = {}) {
  return p.contains(key) && p[key].is_string() ? p[key].get<std::string>() : fallback;
}

}  // namespace

std::string citus_summary(PgConn& conn) {
  auto version = conn.scalar("SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'citus'");
  if (!version) return "no Citus";
  std::string workers = "?";
  try {
    if (auto n = conn.scalar("SELECT count(*) FROM pg_dist_node WHERE noderole = 'primary' AND isactive AND "
                             "groupid <> 0"))
      workers = *n;
  } catch (const Error&) {
    // An old Citus without these columns: the version alone.
  }
  return "Citus " + *version + " with " + workers + (workers == "1" ? " worker" : " workers");
}

std::vector<ParamSpec> engine_param_specs() {
  const EngineOptions defaults{};
  auto specs = connection_param_specs();
  specs.push_back({"schema", ParamType::String, false, defaults.schema,
                   "schema the pipeline's tables and its sqlflow_state table live in (created if missing)"});
  specs.push_back({"distribution", ParamType::Object, false, nullptr,
                   "Citus: {table: distribution column | \"reference\"}; those tables are distributed right "
                   "after the step that creates them"});
  return specs;
}

EngineOptions EngineOptions::from(const Params& raw) {
  const Params p = normalize_params(engine_param_specs(), raw);
  EngineOptions o;
  o.schema = text_of(p, "schema", o.schema);
  if (o.schema.empty()) throw config_error("engines.postgres.schema must not be empty");
  Params connection = p;
  connection.erase("schema");
  connection.erase("distribution");
  o.connection = ConnectionOptions::from(connection);
  o.connection.target.keywords.emplace_back("options", search_path_option(o.schema));
  if (p.contains("distribution") && !p["distribution"].is_null()) {
    for (const auto& [table, column] : p["distribution"].items()) {
      if (!column.is_string() || column.get<std::string>().empty())
        throw config_error("engines.postgres.distribution." + table +
                               " must name the distribution column (or be \"reference\")",
                           "e.g. distribution: {orders: customer_id, countries: reference}");
      o.distribution[lower(table)] = column.get<std::string>();
    }
  }
  return o;
}

PostgresEngine::PostgresEngine(EngineOptions options) : options_(std::move(options)) {}

std::shared_ptr<ConnectionPool> engine_pool(const EngineOptions& o) {
  return ConnectionPool::for_target(o.connection.target, o.connection.min_connections,
                                    o.connection.max_connections);
}

void PostgresEngine::prepare() {
  Lease lease = engine_pool(options_)->acquire();
  lease->exec("CREATE SCHEMA IF NOT EXISTS " + qi(options_.schema));
  if (options_.distribution.empty()) return;
  if (lease->scalar("SELECT count(*) FROM pg_catalog.pg_proc WHERE proname = 'create_distributed_table' AND "
                    "pg_catalog.pg_function_is_visible(oid)") == "0")
    throw config_error(
        "engines.postgres.distribution is set, but PostgreSQL " + options_.connection.target.display +
            " has no Citus (create_distributed_table is not a function there)",
        "run CREATE EXTENSION citus on the coordinator, or remove distribution from the profile");
}

namespace {

void collect_relations(const nlohmann::json& node, std::set<std::string>& out) {
  if (node.is_object()) {
    if (auto it = node.find("Relation Name"); it != node.end() && it->is_string()) out.insert(lower(*it));
    for (const auto& [k, v] : node.items()) collect_relations(v, out);
  } else if (node.is_array()) {
    for (const auto& v : node) collect_relations(v, out);
  }
}

}  // namespace

std::optional<std::vector<std::string>> PostgresEngine::tables_read(const std::string& sql) {
  Lease lease = engine_pool(options_)->acquire();
  try {
    lease->exec("BEGIN READ ONLY");
    auto plan = lease->scalar("EXPLAIN (FORMAT JSON) " + sql);
    lease->exec("ROLLBACK");
    if (!plan) return std::nullopt;
    std::set<std::string> names;
    collect_relations(nlohmann::json::parse(*plan, nullptr, false), names);
    return std::vector<std::string>(names.begin(), names.end());
  } catch (const Error&) {
    lease.discard();
    return std::nullopt;
  }
}

namespace {

// One shadow statement, run inside the check's transaction.
void check_one(PgConn& conn, const std::string& schema, const engine::ShadowStatement& s) {
  using Kind = engine::ShadowStatement::Kind;
  const std::string table = qi(schema) + "." + qi(s.table);
  auto exists = [&] { return conn.scalar("SELECT to_regclass($1)::text", {table}).has_value(); };
  switch (s.kind) {
    case Kind::Table: {
      if (exists()) return;
      std::string ddl;
      for (const auto& c : s.schema)
        ddl += (ddl.empty() ? "" : ", ") + qi(c.name) + " " + pg_type_for(c.type, c.name);
      conn.exec("CREATE TABLE " + table + " (" + ddl + ")");
      return;
    }
    case Kind::CreateAs:
      if (!s.replace && exists()) {
        conn.exec("EXPLAIN " + s.sql);
        return;
      }
      conn.exec("DROP TABLE IF EXISTS " + table);
      conn.exec("CREATE TABLE " + table + " AS " + s.sql + " WITH NO DATA");
      return;
    case Kind::Query:
      conn.exec("EXPLAIN " + s.sql);
      return;
    case Kind::Statement:
      conn.exec(s.sql);
      return;
  }
}

}  // namespace

std::vector<std::optional<Error>> PostgresEngine::check(
    const std::vector<engine::ShadowStatement>& statements) {
  std::vector<std::optional<Error>> out(statements.size());
  Lease lease = engine_pool(options_)->acquire();
  lease->exec("BEGIN");
  for (size_t i = 0; i < statements.size(); ++i) {
    lease->exec("SAVEPOINT sqlflow_check");
    try {
      check_one(*lease, options_.schema, statements[i]);
      lease->exec("RELEASE SAVEPOINT sqlflow_check");
    } catch (const Error& e) {
      out[i] = e;
      lease->exec("ROLLBACK TO SAVEPOINT sqlflow_check");
    }
  }
  lease->exec("ROLLBACK");
  return out;
}

std::vector<std::string> PostgresEngine::table_names() {
  Lease lease = engine_pool(options_)->acquire();
  PgResult res = lease->query(
      "SELECT lower(c.relname) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
      "c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
      {options_.schema});
  std::vector<std::string> out;
  for (int r = 0; r < PQntuples(res.get()); ++r) out.emplace_back(PQgetvalue(res.get(), r, 0));
  return out;
}

std::unique_ptr<engine::Session> PostgresEngine::open(engine::Connection&) {
  return std::make_unique<PostgresSession>(options_, engine_pool(options_)->acquire());
}

namespace {

EngineProvider postgres_engine_provider() {
  EngineProvider p;
  p.params = engine_param_specs();
  p.make = [](const Params& params) -> std::shared_ptr<engine::Engine> {
    auto e = std::make_shared<PostgresEngine>(EngineOptions::from(params));
    e->prepare();
    return e;
  };
  return p;
}

}  // namespace

SQLFLOW_REGISTER_ENGINE("postgres", postgres_engine_provider);

}  // namespace sqlflow::connectors::postgres
