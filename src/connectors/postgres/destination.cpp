#include "connectors/postgres/destination.hpp"

#include <algorithm>
#include <chrono>
#include <random>

#include "core/crash_point.hpp"
#include "core/quote.hpp"
#include "core/suggest.hpp"

namespace sqlflow::connectors::postgres {

namespace {

constexpr size_t kFlushBytes = 1 << 20;

std::string hex8(uint32_t v) {
  static const char* hex = "0123456789abcdef";
  std::string s(8, '0');
  for (int i = 7; i >= 0; --i, v >>= 4) s[static_cast<size_t>(i)] = hex[v & 15];
  return s;
}

// FNV-1a: the staging prefix must be the same in every run, so the next run finds leftovers.
uint32_t stable_hash(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

std::string join_quoted(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + quote_identifier(names[i]);
  return out;
}

// "a; b; c".
std::string joined(const std::vector<std::string>& problems) {
  std::string msg;
  for (const auto& p : problems) msg += (msg.empty() ? "" : "; ") + p;
  return msg;
}

std::string like_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '_' || c == '%' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

PostgresDestination::PostgresDestination(const std::string& uri, DestinationOptions options)
    : options_(std::move(options)) {
  if (!options_.table.empty()) {
    table_name_ = options_.table;
    schema_name_ = options_.schema.empty() ? "public" : options_.schema;
  } else {
    if (uri.rfind("postgres://", 0) == 0 || uri.rfind("postgresql://", 0) == 0) {
      ConnectionTarget redactor;  // the whole URI may hold a password
      redactor.secrets = {uri};
      throw validation_error("EXPORT TO \"" + redactor.redact(uri) + "\" TYPE POSTGRES does not name a table",
                             "write TO \"schema.table\", or give OPTIONS {\"table\": …}");
    }
    if (auto dot = uri.find('.'); dot != std::string::npos) {
      schema_name_ = uri.substr(0, dot);
      table_name_ = uri.substr(dot + 1);
    } else {
      schema_name_ = options_.schema.empty() ? "public" : options_.schema;
      table_name_ = uri;
    }
  }
  if (table_name_.empty() || schema_name_.empty())
    throw validation_error("EXPORT TYPE POSTGRES needs a target table", "write TO \"schema.table\"");
  const auto& c = options_.connection;
  pool_ = ConnectionPool::for_target(c.target, c.min_connections, c.max_connections);
}

PostgresDestination::~PostgresDestination() {
  if (!done_) abort();
}

std::string PostgresDestination::staging_prefix() const {
  return "sqlflow_stage_" + hex8(stable_hash(schema_name_ + "." + table_name_)) + "_";
}

std::string PostgresDestination::quoted(const std::string& table) const {
  return quote_identifier(schema_name_) + "." + quote_identifier(table);
}

std::vector<PostgresDestination::TargetColumn> PostgresDestination::target_columns(const std::string& table) {
  PgResult res = lease_->query(
      "SELECT a.attname, a.atttypid, a.attnotnull, a.atthasdef OR a.attidentity <> '', a.attgenerated <> '' "
      "FROM pg_catalog.pg_attribute a WHERE a.attrelid = (SELECT c.oid FROM pg_catalog.pg_class c "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2) "
      "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
      {schema_name_, table});
  std::vector<TargetColumn> out;
  for (int r = 0; r < PQntuples(res.get()); ++r) {
    TargetColumn c;
    c.name = PQgetvalue(res.get(), r, 0);
    c.type = static_cast<uint32_t>(std::stoul(PQgetvalue(res.get(), r, 1)));
    c.not_null = PQgetvalue(res.get(), r, 2)[0] == 't';
    c.has_default = PQgetvalue(res.get(), r, 3)[0] == 't';
    c.generated = PQgetvalue(res.get(), r, 4)[0] == 't';
    out.push_back(std::move(c));
  }
  return out;
}

void PostgresDestination::check_upsert_index(const std::vector<std::string>& keys) {
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::optional<std::string>> params = {schema_name_, table_name_};
  std::string array = "ARRAY[";
  for (size_t i = 0; i < sorted.size(); ++i) {
    params.emplace_back(sorted[i]);
    array += (i ? ", $" : "$") + std::to_string(i + 3);
  }
  array += "]::text[]";
  auto found = lease_->scalar(
      "SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = (SELECT c.oid FROM pg_catalog.pg_class c "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2) "
      "AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL "
      "AND (SELECT array_agg(a.attname::text ORDER BY a.attname COLLATE \"C\") "
      "FROM pg_catalog.pg_attribute a "
      "WHERE a.attrelid = i.indrelid AND a.attnum = ANY ((i.indkey::int2[])[0:i.indnkeyatts - 1])) = " +
          array,
      params);
  if (!found)
    throw validation_error("upsert into PostgreSQL table " + quoted(table_name_) +
                               " needs a unique index or primary key on exactly (" + join_quoted(keys) + ")",
                           "create one (CREATE UNIQUE INDEX ON … (" + join_quoted(keys) +
                               ")) or let the export create the table");
}

void PostgresDestination::open(const Schema& schema, WriteMode mode, const std::vector<std::string>& keys) {
  if (lease_) throw internal_error("postgres destination opened twice");
  mode_ = options_.mode.value_or(mode);
  keys_ = options_.upsert_keys.empty() ? keys : options_.upsert_keys;
  check_result_columns(schema);
  lease_ = pool_->acquire();  // connecting is retried inside the pool
  try {
    lease_->exec("BEGIN");
    drop_leftover_stages();
    const char relkind = target_relkind();
    bool freeze = true;  // a table created in this transaction may be COPYed with FREEZE
    std::vector<TargetColumn> tcols;
    if (!relkind) {
      create_target(schema);
      tcols = target_columns(table_name_);
    } else {
      tcols = target_columns(table_name_);
      check_target_columns(tcols);
      freeze = prepare_copy_table(relkind);
    }
    encoder_.emplace(types_of(schema), encode_targets(schema, tcols));
    start_copy(freeze);
  } catch (...) {
    abort();
    throw;
  }
}

void PostgresDestination::check_result_columns(const Schema& schema) {
  columns_.clear();
  for (const auto& c : schema) {
    if (std::find(columns_.begin(), columns_.end(), c.name) != columns_.end())
      throw validation_error("the exported result has two columns named \"" + c.name + "\"",
                             "give them distinct aliases in the EXPORT query");
    columns_.push_back(c.name);
  }
  if (mode_ != WriteMode::Upsert) return;
  if (keys_.empty())
    throw validation_error("upsert into PostgreSQL table " + quoted(table_name_) + " needs keys",
                           "give OPTIONS {\"upsert_keys\": [\"id\"]}");
  for (const auto& k : keys_)
    if (std::find(columns_.begin(), columns_.end(), k) == columns_.end())
      throw validation_error("upsert key \"" + k + "\" is not a column of the exported result" +
                             did_you_mean(k, columns_));
}

// Staging tables are never committed, so a committed one can only be a leftover: drop it.
void PostgresDestination::drop_leftover_stages() {
  PgResult left = lease_->query(
      "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
      "c.relnamespace "
      "WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname LIKE $2",
      {schema_name_, like_escape(staging_prefix()) + "%"});
  for (int r = 0; r < PQntuples(left.get()); ++r)
    lease_->exec("DROP TABLE IF EXISTS " + quoted(PQgetvalue(left.get(), r, 0)));
}

char PostgresDestination::target_relkind() {
  if (!lease_->scalar("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", {schema_name_}))
    throw validation_error("PostgreSQL schema " + quote_identifier(schema_name_) + " does not exist on " +
                               pool_->target().display,
                           "create it first (CREATE SCHEMA …) or export to another schema");
  PgResult rel = lease_->query(
      "SELECT c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
      "c.relnamespace "
      "WHERE n.nspname = $1 AND c.relname = $2",
      {schema_name_, table_name_});
  if (PQntuples(rel.get()) == 0) return 0;
  const char relkind = PQgetvalue(rel.get(), 0, 0)[0];
  if (relkind != 'r' && relkind != 'p')
    throw validation_error(quoted(table_name_) + " exists in PostgreSQL but is not a table",
                           "export to another name, or drop the view/sequence of that name");
  if (options_.fail_if_exists)
    throw validation_error("PostgreSQL table " + quoted(table_name_) + " already exists (if_exists: fail)");
  return relkind;
}

void PostgresDestination::create_target(const Schema& schema) {
  if (!options_.create_table)
    throw validation_error("PostgreSQL table " + quoted(table_name_) + " does not exist",
                           "create it, or set OPTIONS {\"create_table\": true}");
  std::string ddl = "CREATE TABLE " + quoted(table_name_) + " (";
  for (size_t i = 0; i < schema.size(); ++i)
    ddl += (i ? ", " : "") + quote_identifier(schema[i].name) + " " +
           pg_type_for(schema[i].type, schema[i].name);
  lease_->exec(ddl + ")");
  if (mode_ == WriteMode::Upsert)
    lease_->exec("CREATE UNIQUE INDEX ON " + quoted(table_name_) + " (" + join_quoted(keys_) + ")");
  copy_table_ = quoted(table_name_);
}

void PostgresDestination::check_target_columns(const std::vector<TargetColumn>& tcols) const {
  std::vector<std::string> problems, target_names;
  for (const auto& t : tcols) target_names.push_back(t.name);
  for (const auto& c : columns_) {
    auto it = std::find_if(tcols.begin(), tcols.end(), [&](const TargetColumn& t) { return t.name == c; });
    if (it == tcols.end())
      problems.push_back("column \"" + c + "\" is not in the target" + did_you_mean(c, target_names));
    else if (it->generated)
      problems.push_back("column \"" + c + "\" is a generated column in the target");
  }
  for (const auto& t : tcols)
    if (t.not_null && !t.has_default && !t.generated &&
        std::find(columns_.begin(), columns_.end(), t.name) == columns_.end())
      problems.push_back("target column \"" + t.name +
                         "\" is NOT NULL without a default and the result lacks it");
  if (!problems.empty())
    throw validation_error("the exported result does not match PostgreSQL table " + quoted(table_name_) +
                               ": " + joined(problems),
                           "rename or cast columns in the EXPORT query, or use another target");
}

bool PostgresDestination::prepare_copy_table(char relkind) {
  if (mode_ == WriteMode::Append) {
    copy_table_ = quoted(table_name_);
    return false;
  }
  if (mode_ == WriteMode::Replace) {
    if (relkind == 'p')
      throw validation_error(
          "replace of the partitioned PostgreSQL table " + quoted(table_name_) + " is not supported",
          "use mode append (after deleting what should go), or export to a plain table");
    std::random_device rd;
    const std::string stage = staging_prefix() + hex8(static_cast<uint32_t>(rd()));
    lease_->exec("CREATE TABLE " + quoted(stage) + " (LIKE " + quoted(table_name_) + " INCLUDING ALL)");
    copy_table_ = quoted(stage);
    stage_name_ = stage;
    swap_ = true;
    return true;
  }
  check_upsert_index(keys_);
  std::random_device rd;
  const std::string temp = "sqlflow_upsert_" + hex8(static_cast<uint32_t>(rd()));
  lease_->exec("CREATE TEMP TABLE " + quote_identifier(temp) + " ON COMMIT DROP AS SELECT " +
               join_quoted(columns_) + " FROM " + quoted(table_name_) + " WITH NO DATA");
  copy_table_ = quote_identifier(temp);
  merge_ = true;
  return false;
}

// Each result column is encoded in its target column's binary format.
std::vector<EncodeTarget> PostgresDestination::encode_targets(const Schema& schema,
                                                              const std::vector<TargetColumn>& tcols) {
  TypeCatalog types(*lease_);
  std::vector<uint32_t> oids;
  for (const auto& t : tcols) oids.push_back(t.type);
  types.load(oids);
  std::vector<EncodeTarget> targets;
  std::vector<std::string> problems;
  for (size_t i = 0; i < columns_.size(); ++i) {
    auto it = std::find_if(tcols.begin(), tcols.end(),
                           [&](const TargetColumn& t) { return t.name == columns_[i]; });
    auto target = encode_target_for(types, columns_[i], it->type);
    if (!target) {
      problems.push_back("column \"" + columns_[i] + "\": PostgreSQL type " + types.get(it->type).name +
                         " cannot be written from DuckDB " + schema[i].type.to_sql());
      continue;
    }
    std::string why = encode_incompatibility(schema[i].type, *target);
    if (!why.empty()) problems.push_back("column \"" + columns_[i] + "\": " + why);
    targets.push_back(std::move(*target));
  }
  if (!problems.empty())
    throw validation_error("the exported result does not match PostgreSQL table " + quoted(table_name_) +
                               ": " + joined(problems),
                           "cast the columns in the EXPORT query to matching types");
  return targets;
}

void PostgresDestination::start_copy(bool freeze) {
  const std::string sql = "COPY " + copy_table_ + " (" + join_quoted(columns_) +
                          ") FROM STDIN (FORMAT binary" + (freeze ? ", FREEZE" : "") + ")";
  PgResult res(PQexec(lease_->get(), sql.c_str()));
  if (!res || PQresultStatus(res.get()) != PGRES_COPY_IN)
    throw lease_->error("COPY into " + quoted(table_name_), res.get());
  copying_ = true;
  io_.requests += 1;
  buffer_.clear();
  buffer_.reserve(kFlushBytes + (64 << 10));
  CopyBinaryEncoder::put_header(buffer_);
}

void PostgresDestination::flush(bool force) {
  if (buffer_.empty() || (!force && buffer_.size() < kFlushBytes)) return;
  // Blocks while the server is behind (a full socket buffer): that is the network wait.
  auto t0 = std::chrono::steady_clock::now();
  if (PQputCopyData(lease_->get(), buffer_.data(), static_cast<int>(buffer_.size())) != 1)
    throw lease_->error("COPY into " + quoted(table_name_));
  io_.network_wait_ns += static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());
  io_.bytes += buffer_.size();
  buffer_.clear();
}

void PostgresDestination::write(const DataChunk& chunk) {
  if (!copying_) throw internal_error("postgres destination written before open() or after commit()");
  try {
    encoder_->encode(chunk, buffer_);
    rows_ += chunk.size();
    flush(false);
  } catch (...) {
    abort();
    throw;
  }
}

void PostgresDestination::commit() {
  if (!copying_) throw internal_error("postgres destination committed before open()");
  try {
    end_copy();
    crash_point("postgres.copied");
    if (merge_) merge_into_target();
    if (swap_) swap_in_stage();
    crash_point("postgres.before_commit");
    commit_transaction();
    crash_point("postgres.committed");
    done_ = true;
    lease_ = Lease();
  } catch (...) {
    abort();
    throw;
  }
}

void PostgresDestination::end_copy() {
  const std::string target = quoted(table_name_);
  CopyBinaryEncoder::put_trailer(buffer_);
  flush(true);
  if (PQputCopyEnd(lease_->get(), nullptr) != 1) throw lease_->error("COPY into " + target);
  copying_ = false;
  PgResult res(PQgetResult(lease_->get()));
  if (!res || PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
    Error e = lease_->error("COPY into " + target, res.get());
    while (PGresult* r = PQgetResult(lease_->get())) PQclear(r);
    throw e;
  }
  while (PGresult* r = PQgetResult(lease_->get())) PQclear(r);
}

void PostgresDestination::merge_into_target() {
  std::string keys = join_quoted(keys_);
  PgResult dup = lease_->query("SELECT " + keys + " FROM " + copy_table_ + " GROUP BY " + keys +
                               " HAVING count(*) > 1 LIMIT 1");
  if (PQntuples(dup.get()) > 0)
    throw data_error("the exported rows hold the upsert key (" + keys + ") more than once",
                     "make the keys unique in the EXPORT query (e.g. with DISTINCT ON or GROUP BY)");
  std::string sets;
  for (const auto& c : columns_)
    if (std::find(keys_.begin(), keys_.end(), c) == keys_.end())
      sets += (sets.empty() ? "" : ", ") + quote_identifier(c) + " = EXCLUDED." + quote_identifier(c);
  lease_->exec("INSERT INTO " + quoted(table_name_) + " (" + join_quoted(columns_) + ") SELECT " +
               join_quoted(columns_) + " FROM " + copy_table_ + " ON CONFLICT (" + keys + ") DO " +
               (sets.empty() ? "NOTHING" : "UPDATE SET " + sets));
}

void PostgresDestination::swap_in_stage() {
  const std::string target = quoted(table_name_);
  // Sequences the old table owns (serial columns) would be dropped with it although the new
  // table's defaults use them: detach them first and attach them to the new table after.
  PgResult seqs = lease_->query(
      "SELECT s.relname, a.attname FROM pg_catalog.pg_depend d "
      "JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
      "JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
      "WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = "
      "'pg_catalog.pg_class'::regclass "
      "AND d.deptype = 'a' AND d.refobjid = (SELECT c.oid FROM pg_catalog.pg_class c "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2)",
      {schema_name_, table_name_});
  std::vector<std::pair<std::string, std::string>> owned;
  for (int r = 0; r < PQntuples(seqs.get()); ++r)
    owned.emplace_back(PQgetvalue(seqs.get(), r, 0), PQgetvalue(seqs.get(), r, 1));
  for (const auto& [seq, col] : owned) lease_->exec("ALTER SEQUENCE " + quoted(seq) + " OWNED BY NONE");
  try {
    lease_->exec("DROP TABLE " + target);
  } catch (const Error& e) {
    if (e.retryable()) throw;
    throw validation_error(e.message(),
                           "views or foreign keys depend on the table, so replace cannot swap it: "
                           "use mode append, or drop the dependents first");
  }
  lease_->exec("ALTER TABLE " + quoted(stage_name_) + " RENAME TO " + quote_identifier(table_name_));
  for (const auto& [seq, col] : owned)
    lease_->exec("ALTER SEQUENCE " + quoted(seq) + " OWNED BY " + target + "." + quote_identifier(col));
  rename_stage_relations();
}

// Indexes and identity sequences made by LIKE carry the staging name: give them the target's.
void PostgresDestination::rename_stage_relations() {
  PgResult named = lease_->query(
      "SELECT c.relname, c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON "
      "n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('i', 'S') AND left(c.relname, $3) = "
      "$2",
      {schema_name_, stage_name_, std::to_string(stage_name_.size())});
  for (int r = 0; r < PQntuples(named.get()); ++r) {
    std::string old_name = PQgetvalue(named.get(), r, 0);
    std::string new_name = table_name_ + old_name.substr(stage_name_.size());
    if (new_name.size() > 63) continue;  // PostgreSQL would truncate it; keep the generated name
    const bool index = PQgetvalue(named.get(), r, 1)[0] == 'i';
    lease_->exec(std::string(index ? "ALTER INDEX " : "ALTER SEQUENCE ") + quoted(old_name) + " RENAME TO " +
                 quote_identifier(new_name));
  }
}

void PostgresDestination::commit_transaction() {
  PgResult done(PQexec(lease_->get(), "COMMIT"));
  if (done && PQresultStatus(done.get()) == PGRES_COMMAND_OK) return;
  Error e = lease_->error("COMMIT of the export into " + quoted(table_name_), done.get());
  if (lease_->broken())
    throw connection_error(e.message(), false,
                           "the connection broke during COMMIT, so whether the export committed is unknown: "
                           "check the target before running it again");
  throw e;
}

void PostgresDestination::abort() noexcept {
  done_ = true;
  try {
    if (!lease_) return;
    PGconn* conn = lease_->get();
    if (copying_ && PQstatus(conn) == CONNECTION_OK) {
      PQputCopyEnd(conn, "export aborted by sqlflow");
      while (PGresult* r = PQgetResult(conn)) PQclear(r);
    }
    copying_ = false;
    if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE) {
      PGresult* r = PQexec(conn, "ROLLBACK");
      if (r) PQclear(r);
    }
    if (lease_->reusable())
      lease_ = Lease();
    else
      lease_.discard();
  } catch (...) {
    lease_.discard();
  }
}

}  // namespace sqlflow::connectors::postgres
