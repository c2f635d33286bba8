// `connect test` and `connect discover` for a PostgreSQL profile connector from its connection
// params alone: the server, the login's privileges, and the schemas and tables it offers. Every
// catalog query binds its values ($1…); nothing from the profile is pasted into SQL.
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

#include "connectors/postgres/connection_pool.hpp"
#include "connectors/postgres/engine.hpp"
#include "connectors/postgres/params.hpp"
#include "connectors/registry.hpp"
#include "core/quote.hpp"

namespace sqlflow::connectors::postgres {

namespace {

std::string cell(const PgResult& r, int row, int col) {
  return PQgetisnull(r.get(), row, col) ? std::string() : std::string(PQgetvalue(r.get(), row, col));
}
bool flag(const PgResult& r, int row, int col) {
  return cell(r, row, col) == "t";
}
const char* yes_no(bool b) {
  return b ? "yes" : "no";
}

std::string text_param(const Params& raw, const char* key) {
  return raw.is_object() && raw.contains(key) && raw[key].is_string() ? raw[key].get<std::string>() : "";
}

// A connection of its own (under the target's retry policy), not the run-wide pool's.
Lease connect(const Params& raw) {
  auto options = ConnectionOptions::from(raw);
  auto pool = std::make_shared<ConnectionPool>(options.target, 1, 1);
  return pool->acquire(std::chrono::seconds(60));
}

// Tables, views and the like a SOURCE can read: not system schemas, not the partitions of a
// partitioned table (its parent reads them).
constexpr const char* kRelations =
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition "
    "AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' ";

ConnectionReport test(const Params& raw, const ConnectorContext&) {
  Lease lease = connect(raw);
  double best = 1e30;
  for (int i = 0; i < 3; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    lease->exec("SELECT 1");
    best = std::min(best,
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  const char* version = PQparameterStatus(lease->get(), "server_version");
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.2f", best);
  ConnectionReport report;
  report.summary = "PostgreSQL " + std::string(version ? version : "?") + " at " + lease->target().display +
                   ", round trip " + ms + " ms, " + citus_summary(*lease);

  auto who = lease->query(
      "SELECT current_user, current_database(), r.rolsuper, r.rolcreatedb, "
      "has_database_privilege(current_database(), 'TEMPORARY'), "
      "has_database_privilege(current_database(), 'CREATE'), pg_is_in_recovery() "
      "FROM pg_roles r WHERE r.rolname = current_user");
  if (PQntuples(who.get()) == 1) {
    report.details.push_back("user " + cell(who, 0, 0) + ": " +
                             (flag(who, 0, 2) ? "superuser" : "not a superuser") +
                             (flag(who, 0, 3) ? ", may create databases" : ""));
    report.details.push_back("database " + cell(who, 0, 1) + ": CREATE TEMP " + yes_no(flag(who, 0, 4)) +
                             ", CREATE SCHEMA " + yes_no(flag(who, 0, 5)) +
                             (flag(who, 0, 6) ? ", read-only (a standby in recovery)" : ""));
  }
  auto schemas = lease->query(
      "SELECT n.nspname, has_schema_privilege(n.oid, 'USAGE'), has_schema_privilege(n.oid, 'CREATE'), "
      "count(c.oid), count(c.oid) FILTER (WHERE has_schema_privilege(n.oid, 'USAGE') "
      "AND has_table_privilege(c.oid, 'SELECT')) "
      "FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid "
      "AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition "
      "WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' "
      "GROUP BY n.oid, n.nspname ORDER BY n.nspname");
  for (int i = 0; i < PQntuples(schemas.get()); ++i) {
    const bool usage = flag(schemas, i, 1), create = flag(schemas, i, 2);
    std::string line = "schema " + cell(schemas, i, 0) + ": ";
    if (!usage && !create) {
      line += "no access";
    } else {
      line += std::string(usage ? "read" : "no USAGE") + (create ? ", create" : "") + "; " +
              cell(schemas, i, 4) + " of " + cell(schemas, i, 3) + " tables readable";
    }
    report.details.push_back(line);
  }

  // The table the connector names, if any: does it exist, may this login read it? Looked up by
  // name in the catalog (to_regclass would fail on a schema without USAGE instead of saying so).
  if (std::string table = text_param(raw, "table"); !table.empty()) {
    std::string schema = text_param(raw, "schema");
    if (schema.empty()) schema = "public";
    const std::string qualified = quote_identifier(schema) + "." + quote_identifier(table);
    auto t = lease->query(
        "SELECT has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT') "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = "
        "$2",
        {schema, table});
    if (PQntuples(t.get()) == 0)
      report.problem = "table " + qualified + " does not exist";
    else if (!flag(t, 0, 0))
      report.problem = "table " + qualified + ": no SELECT privilege for this login";
    else
      report.details.push_back("table " + qualified + ": readable");
  }
  return report;
}

Discovery discover(const Params& raw, const ConnectorContext&) {
  Lease lease = connect(raw);
  std::optional<std::string> schema;
  if (std::string s = text_param(raw, "schema"); !s.empty()) schema = s;
  auto r = lease->query(
      std::string("SELECT n.nspname, c.relname, c.relkind::text, c.reltuples::float8, "
                  "has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT'), "
                  "(SELECT json_agg(json_build_array(a.attname, format_type(a.atttypid, a.atttypmod)) "
                  "ORDER BY a.attnum) FROM pg_attribute a "
                  "WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) ") +
          kRelations + "AND ($1::text IS NULL OR n.nspname = $1) ORDER BY 1, 2",
      {schema});
  Discovery d;
  const char* version = PQparameterStatus(lease->get(), "server_version");
  d.notes.push_back("PostgreSQL " + std::string(version ? version : "?") + " at " + lease->target().display);
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    DiscoveredItem item;
    const std::string nsp = cell(r, i, 0), rel = cell(r, i, 1), kind = cell(r, i, 2);
    item.name = nsp + "." + rel;
    item.kind = kind == "r"   ? "table"
                : kind == "p" ? "partitioned table"
                : kind == "v" ? "view"
                : kind == "m" ? "materialized view"
                              : "foreign table";
    item.params = {{"schema", nsp}, {"table", rel}};
    // reltuples is -1 (PostgreSQL 14+) for a table never vacuumed or analyzed: unknown, not empty.
    if (kind != "v" && kind != "f") {
      double tuples = std::strtod(cell(r, i, 3).c_str(), nullptr);
      if (tuples >= 0) {
        item.rows = static_cast<std::int64_t>(tuples);
        item.rows_estimated = true;
      }
    }
    if (!flag(r, i, 4)) item.note = "no SELECT privilege";
    auto columns = nlohmann::json::parse(cell(r, i, 5), nullptr, false);
    if (columns.is_array())
      for (const auto& c : columns)
        if (c.is_array() && c.size() == 2 && c[0].is_string() && c[1].is_string())
          item.columns.push_back({c[0].get<std::string>(), c[1].get<std::string>()});
    d.items.push_back(std::move(item));
  }
  if (d.items.empty())
    d.notes.push_back(schema ? "no tables in schema " + *schema + " visible to this login"
                             : "no tables visible to this login");
  return d;
}

ServerInspector postgres_inspector() {
  return {test, discover};
}

}  // namespace

SQLFLOW_REGISTER_INSPECTOR("postgres", postgres_inspector);

}  // namespace sqlflow::connectors::postgres
