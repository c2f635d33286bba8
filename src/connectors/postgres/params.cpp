// postgres connector: ParamSpecs, option parsing, and registration.
#include "connectors/postgres/params.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include "connectors/postgres/destination.hpp"
#include "connectors/postgres/source.hpp"
#include "connectors/registry.hpp"
#include "resilience/profiles.hpp"

namespace sqlflow::connectors::postgres {

namespace {

std::vector<ParamSpec> connection_specs() {
  const ConnectionOptions defaults{};  // the ParamSpecs' defaults come from here, so they cannot drift
  return {
      {"connection",
       ParamType::Secret,
       false,
       nullptr,
       "postgresql:// URI (or key=value conninfo); explicit parameters override its parts",
       {"uri", "dsn"}},
      {"host", ParamType::String, false, nullptr, "server host (default: PGHOST, else localhost)"},
      {"port", ParamType::Any, false, nullptr, "server port (default: PGPORT, else 5432)"},
      {"dbname",
       ParamType::String,
       false,
       nullptr,
       "database (default: PGDATABASE, else the user name)",
       {"database"}},
      {"user", ParamType::String, false, nullptr, "user (default: PGUSER, else the OS user)", {"username"}},
      {"password", ParamType::Secret, false, nullptr, "password (default: PGPASSWORD or ~/.pgpass)"},
      {"sslmode", ParamType::String, false, nullptr,
       "disable, allow, prefer, require, verify-ca or verify-full"},
      {"application_name", ParamType::String, false, defaults.application_name, "shown in pg_stat_activity"},
      {"connect_timeout", ParamType::Int, false, defaults.target.connect_timeout,
       "seconds to wait for a connection"},
      {"min_connections", ParamType::Int, false, defaults.min_connections,
       "accepted for SQLFlow compatibility; connections open on demand"},
      {"max_connections", ParamType::Int, false, defaults.max_connections,
       "most connections open at once to this server for the whole run (pool shared by sources and "
       "destinations)"},
      {"max_retries", ParamType::Int, false, defaults.max_retries,
       "attempts for connection-level failures (never for a wrong password)"},
      {"resilience", ParamType::Object, false, nullptr, resilience::describe_param_doc("postgres")},
  };
}

Params normalized(const std::vector<ParamSpec>& specs, const Params& params) {
  return normalize_params(specs, params.is_object() ? params : Params::object());
}

std::string str(const Params& p, const char* key, const std::string& fallback = {}) {
  if (!p.contains(key) || p[key].is_null()) return fallback;
  if (p[key].is_string()) return p[key].get<std::string>();
  return p[key].dump();
}

int integer(const Params& p, const char* key, int fallback) {
  if (!p.contains(key) || p[key].is_null()) return fallback;
  const auto& v = p[key];
  if (v.is_number_integer()) return v.get<int>();
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    char* end = nullptr;
    long n = std::strtol(s.c_str(), &end, 10);
    if (!s.empty() && end && *end == '\0') return static_cast<int>(n);
  }
  throw validation_error("parameter '" + std::string(key) + "' must be an integer, got " + v.dump());
}

std::vector<std::string> string_list(const Params& p, const char* key) {
  std::vector<std::string> out;
  if (!p.contains(key) || p[key].is_null()) return out;
  const auto& v = p[key];
  if (v.is_string()) {
    // "a, b" is accepted as well as ["a", "b"].
    std::string s = v.get<std::string>(), cur;
    for (char c : s + ",") {
      if (c == ',') {
        while (!cur.empty() && cur.back() == ' ') cur.pop_back();
        size_t b = cur.find_first_not_of(' ');
        if (b != std::string::npos) out.push_back(cur.substr(b));
        cur.clear();
      } else {
        cur += c;
      }
    }
    return out;
  }
  if (!v.is_array()) throw validation_error("parameter '" + std::string(key) + "' must be a list of names");
  for (const auto& e : v) {
    if (!e.is_string())
      throw validation_error("parameter '" + std::string(key) + "' must be a list of names");
    out.push_back(e.get<std::string>());
  }
  return out;
}

// What messages name the server by: the parts given in the URI or the parameters.
struct ServerParts {
  std::string host, port, dbname, user;
};

// Adds a `connection` URI (or conninfo) to `t`, parsed locally first: a malformed one fails at
// validation, and its parts name the server in messages.
ServerParts add_connection_uri(const std::string& uri, ConnectionTarget& t) {
  ServerParts parts;
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(uri.c_str(), &err);
  if (!opts) {
    std::string msg = err ? err : "malformed";
    if (err) PQfreemem(err);
    ConnectionTarget scrub;
    scrub.secrets = {uri};
    throw config_error(
        "the 'connection' parameter is not a valid PostgreSQL URI or conninfo: " + scrub.redact(msg),
        "expected postgresql://user:password@host:port/dbname?sslmode=…");
  }
  for (PQconninfoOption* opt = opts; opt->keyword; ++opt) {
    if (!opt->val) continue;
    std::string k = opt->keyword, v = opt->val;
    if (k == "host")
      parts.host = v;
    else if (k == "port")
      parts.port = v;
    else if (k == "dbname")
      parts.dbname = v;
    else if (k == "user")
      parts.user = v;
    else if (k == "password")
      t.secrets.push_back(v);
  }
  PQconninfoFree(opts);
  if (!parts.port.empty() && parts.port.find_first_not_of("0123456789,") != std::string::npos)
    throw config_error("the 'connection' parameter has an invalid port '" + parts.port + "'",
                       "expected postgresql://user:password@host:port/dbname");
  t.keywords.emplace_back("dbname", uri);  // first, so libpq expands it and later keys override
  t.secrets.push_back(uri);
  return parts;
}

// `host:port/dbname as user`, with what neither the URI nor the parameters give taken from libpq's
// environment and defaults, as the connection will.
// "host:port/dbname as user", with libpq's defaults where a part is not given (libpq, "Parameter
// Key Words" and "Environment Variables"): the PG* variables, else the local socket, port 5432, the
// operating-system user name, and a database named like the user.
std::string display_name(const ServerParts& parts) {
  auto env_or = [](const std::string& v, const char* env, const std::string& fallback) {
    if (!v.empty()) return v;
    const char* e = std::getenv(env);
    return e && *e ? std::string(e) : fallback;
  };
  passwd entry{};
  passwd* pw = nullptr;
  char buf[1024];
  getpwuid_r(geteuid(), &entry, buf, sizeof buf, &pw);  // reentrant: sources bind on worker threads
  const std::string user = env_or(parts.user, "PGUSER", pw && pw->pw_name ? pw->pw_name : "?");
  return env_or(parts.host, "PGHOST", "local socket") + ":" + env_or(parts.port, "PGPORT", "5432") + "/" +
         env_or(parts.dbname, "PGDATABASE", user) + " as " + user;
}

}  // namespace

std::vector<ParamSpec> connection_param_specs() {
  return connection_specs();
}

ConnectionOptions ConnectionOptions::from(const Params& p) {
  ConnectionOptions o;
  ConnectionTarget& t = o.target;
  std::string uri = str(p, "connection");
  ServerParts parts;
  if (!uri.empty()) parts = add_connection_uri(uri, t);
  auto set = [&](const char* key, const std::string& value, std::string* part) {
    if (value.empty()) return;
    t.keywords.emplace_back(key, value);
    if (part) *part = value;
  };
  set("host", str(p, "host"), &parts.host);
  if (p.contains("port") && !p["port"].is_null())
    set("port", std::to_string(integer(p, "port", 5432)), &parts.port);
  set("dbname", str(p, "dbname"), &parts.dbname);
  set("user", str(p, "user"), &parts.user);
  std::string password = str(p, "password");
  if (!password.empty()) {
    t.keywords.emplace_back("password", password);
    t.secrets.push_back(password);
  }
  set("sslmode", str(p, "sslmode"), nullptr);
  o.application_name = str(p, "application_name", o.application_name);
  set("application_name", o.application_name, nullptr);
  if (const char* env = std::getenv("PGPASSWORD"); env && *env) t.secrets.emplace_back(env);
  t.display = display_name(parts);
  t.connect_timeout = integer(p, "connect_timeout", t.connect_timeout);
  o.max_retries = integer(p, "max_retries", o.max_retries);
  o.min_connections = integer(p, "min_connections", o.min_connections);
  o.max_connections = integer(p, "max_connections", o.max_connections);
  if (p.contains("resilience")) o.resilience = p["resilience"];
  o.validate();
  // max_retries is SQLFlow's knob; a "resilience" object (retry, circuit_breaker) refines it.
  nlohmann::json overrides = nlohmann::json::object();
  overrides["retry"]["max_attempts"] = o.max_retries;
  if (!o.resilience.is_null()) overrides.merge_patch(o.resilience);
  t.policy = resilience::make_policy("postgres", overrides);
  return o;
}

void ConnectionOptions::validate() const {
  if (target.connect_timeout < 1) throw validation_error("connect_timeout must be at least 1 second");
  if (max_retries < 1) throw validation_error("max_retries must be at least 1");
  if (!resilience.is_null() && !resilience.is_object())
    throw validation_error("parameter 'resilience' must be an object",
                           resilience::describe_param_doc("postgres"));
  if (max_connections < 1) throw validation_error("max_connections must be at least 1");
  if (min_connections < 0 || min_connections > max_connections)
    throw validation_error("min_connections must be between 0 and max_connections");
}

namespace {

// The `partitions` parameter's text for `mode` (auto, off or the count).
nlohmann::json partitions_text(PartitionMode mode, int count) {
  switch (mode) {
    case PartitionMode::Auto:
      return "auto";
    case PartitionMode::Off:
      return "off";
    case PartitionMode::Count:
      break;
  }
  return count;
}

}  // namespace

std::vector<ParamSpec> source_param_specs() {
  const SourceOptions defaults{};  // the ParamSpecs' defaults come from here, so they cannot drift
  auto specs = connection_specs();
  std::vector<ParamSpec> more = {
      {"schema", ParamType::String, false, defaults.schema, "schema of `table`"},
      {"table", ParamType::String, false, nullptr, "table or view to read (or give `query`)", {"table_name"}},
      {"query", ParamType::String, false, nullptr, "a SELECT to read instead of a table (runs as written)"},
      {"columns", ParamType::Any, false, nullptr, "only these columns (list or comma-separated)"},
      {"where", ParamType::String, false, nullptr, "SQL condition added to the read (runs as written)"},
      {"partitions", ParamType::Any, false, partitions_text(defaults.partitions, defaults.partition_count),
       "auto (one per 32 MB of table, at most 64) | N | off: parallel reads by ctid page ranges (or "
       "partition_column ranges) on one snapshot"},
      {"partition_column", ParamType::String, false, nullptr,
       "integer/numeric column to split ranges on instead of ctid"},
      {"preserve_order", ParamType::Bool, false, nullptr,
       "a LOAD keeps the rows in read order (default: only for a query with ORDER BY; a table's partitions "
       "are loaded in parallel, in any order)"},
      {"numeric_mode", ParamType::String, false, defaults.numeric_mode.to_string(),
       "numerics without precision <= 38 (e.g. `amount numeric`): decimal(P,S) (default decimal(38,9); a "
       "value "
       "that does not fit fails the load, never rounded) | varchar (exact text) | double (approximate)"},
      {"cursor_field", ParamType::String, false, nullptr,
       "incremental: read rows with cursor_field > the last watermark"},
      {"batch_size", ParamType::Int, false, nullptr,
       "accepted for SQLFlow compatibility (reads stream in 2048-row chunks)"},
      {"timeout_seconds", ParamType::Int, false, nullptr, "statement timeout for each read"},
  };
  specs.insert(specs.end(), more.begin(), more.end());
  return specs;
}

std::vector<ParamSpec> destination_param_specs() {
  const DestinationOptions defaults{};  // the ParamSpecs' defaults come from here, so they cannot drift
  auto specs = connection_specs();
  std::vector<ParamSpec> more = {
      {"schema", ParamType::String, false, nullptr,
       "schema of the target (default: from the EXPORT target, else public)"},
      {"table",
       ParamType::String,
       false,
       nullptr,
       "target table (default: the EXPORT target \"table\" or \"schema.table\")",
       {"table_name"}},
      {"mode", ParamType::String, false, nullptr,
       "replace | append | upsert (default: the EXPORT's mode, else replace)"},
      {"if_exists", ParamType::String, false, nullptr, "SQLFlow's form: replace | append | fail"},
      {"upsert_keys",
       ParamType::Any,
       false,
       nullptr,
       "upsert: key columns (a unique index on them must exist or is created)",
       {"keys", "key"}},
      {"create_table", ParamType::Bool, false, defaults.create_table,
       "create the target from the result's schema when it is missing"},
  };
  specs.insert(specs.end(), more.begin(), more.end());
  return specs;
}

SourceOptions SourceOptions::from(const Params& raw) {
  const Params p = normalized(source_param_specs(), raw);
  SourceOptions o;
  o.connection = ConnectionOptions::from(p);
  o.schema = str(p, "schema", o.schema);
  o.table = str(p, "table");
  o.query = str(p, "query");
  o.columns = string_list(p, "columns");
  o.where = str(p, "where");
  o.partition_column = str(p, "partition_column");
  if (p.contains("preserve_order") && p["preserve_order"].is_boolean())
    o.preserve_order = p["preserve_order"].get<bool>();
  if (p.contains("numeric_mode") && !p["numeric_mode"].is_null())
    o.numeric_mode = NumericMode::parse(str(p, "numeric_mode"));
  if (p.contains("partitions") && !p["partitions"].is_null()) {
    const auto& v = p["partitions"];
    std::string s = v.is_string() ? v.get<std::string>() : v.dump();
    if (s == "auto") {
      o.partitions = PartitionMode::Auto;
    } else if (s == "off" || s == "false" || s == "1") {
      o.partitions = PartitionMode::Off;
    } else {
      char* end = nullptr;
      long n = std::strtol(s.c_str(), &end, 10);
      if (s.empty() || *end != '\0' || n < 1 || n > 4096)
        throw validation_error("partitions must be auto, off or a number from 1 to 4096, got " + s);
      o.partitions = PartitionMode::Count;
      o.partition_count = static_cast<int>(n);
    }
  }
  // sync_mode and its cursor_field are checked by the framework (common_params.hpp).
  if (str(p, "sync_mode", "full_refresh") == "incremental") o.cursor_field = str(p, "cursor_field");
  o.timeout_seconds = integer(p, "timeout_seconds", o.timeout_seconds);
  o.validate();
  return o;
}

void SourceOptions::validate() const {
  if (table.empty() == query.empty())
    throw validation_error(table.empty() ? "a 'table' or a 'query' is required"
                                         : "give either 'table' or 'query', not both");
  if (timeout_seconds < 0) throw validation_error("timeout_seconds must not be negative");
}

DestinationOptions DestinationOptions::from(const Params& raw) {
  const Params p = normalized(destination_param_specs(), raw);
  DestinationOptions o;
  o.connection = ConnectionOptions::from(p);
  o.schema = str(p, "schema");
  o.table = str(p, "table");
  std::string mode = str(p, "mode"), if_exists = str(p, "if_exists");
  for (auto& c : mode) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto& c : if_exists) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!mode.empty()) {
    if (mode == "replace")
      o.mode = WriteMode::Replace;
    else if (mode == "append")
      o.mode = WriteMode::Append;
    else if (mode == "upsert" || mode == "merge")
      o.mode = WriteMode::Upsert;
    else
      throw validation_error("mode must be replace, append or upsert, got '" + mode + "'");
  }
  if (!if_exists.empty()) {
    if (!mode.empty()) throw validation_error("give either 'mode' or SQLFlow's 'if_exists', not both");
    if (if_exists == "replace")
      o.mode = WriteMode::Replace;
    else if (if_exists == "append")
      o.mode = WriteMode::Append;
    else if (if_exists == "fail") {
      o.mode = WriteMode::Append;
      o.fail_if_exists = true;
    } else {
      throw validation_error("if_exists must be replace, append or fail, got '" + if_exists + "'");
    }
  }
  o.upsert_keys = string_list(p, "upsert_keys");
  if (p.contains("create_table") && p["create_table"].is_boolean())
    o.create_table = p["create_table"].get<bool>();
  return o;
}

namespace {

ConnectorInfo postgres_info() {
  ConnectorInfo info;
  info.type = "postgres";
  info.schema_discovery = SchemaDiscovery::Remote;
  info.aliases = {"postgresql", "pg"};
  info.description = "PostgreSQL tables and queries over libpq, binary COPY both ways.";
  info.source_params = source_param_specs();
  info.destination_params = destination_param_specs();
  info.make_source = [](const Params& p, const ConnectorContext&) -> std::unique_ptr<Source> {
    return std::make_unique<PostgresSource>(SourceOptions::from(p));
  };
  info.make_destination = [](const std::string& uri, const Params& p,
                             const ConnectorContext&) -> std::unique_ptr<Destination> {
    return std::make_unique<PostgresDestination>(uri, DestinationOptions::from(p));
  };
  info.check_source = [](const Params& p) { (void)SourceOptions::from(p); };
  info.check_destination = [](const std::string&, const Params& p, const ConnectorContext&) {
    (void)DestinationOptions::from(p);
  };
  info.notes = type_mapping_notes();
  std::vector<std::string> more = {
      "reads: COPY (SELECT ...) TO STDOUT (FORMAT binary), decoded straight into DuckDB vectors; tables are "
      "split",
      "  by ctid page ranges (PostgreSQL >= 14) or partition_column ranges and read on several pooled "
      "connections",
      "  that share one exported snapshot (one consistent point in time).",
      "dropped connection during a read: a partition is retried on a new connection only if none of its rows",
      "  were handed to DuckDB yet; otherwise the read fails with a retryable error and the LOAD is retried "
      "whole",
      "  (its DuckDB transaction rolled back, so no row is duplicated).",
      "incremental: WHERE cursor_field > the watermark, which is bound with set_config() and read back with",
      "  current_setting() (never pasted into SQL); text cursors compare in the \"C\" collation (byte "
      "order).",
      "writes: COPY ... FROM STDIN (FORMAT binary) in one transaction per EXPORT:",
      "  replace: into a new table (LIKE the target INCLUDING ALL when it exists), then drop + rename + "
      "commit;",
      "  append: into the target; upsert: into a temp table, then INSERT ... ON CONFLICT (keys) DO UPDATE.",
      "  Readers never see a partial load; a failure or a killed process leaves the target as it was.",
  };
  info.notes.insert(info.notes.end(), more.begin(), more.end());
  return info;
}

}  // namespace

SQLFLOW_REGISTER_CONNECTOR(postgres_info);

}  // namespace sqlflow::connectors::postgres
