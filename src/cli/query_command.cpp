// `sqlflow query "SQL"`: runs SQL on an engine and prints the last statement's result. On a
// profile whose engine is not DuckDB (engine: postgres) the SQL runs there, and the last
// statement's rows are read back (binary COPY) into the local DuckDB only to be printed.
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>

#include "cli/commands.hpp"
#include "cli/table_printer.hpp"
#include "core/quote.hpp"
#include "engine/connection.hpp"
#include "engine/scan_function.hpp"
#include "engine/session.hpp"
#include "pipeline/lexer.hpp"
#include "pipeline/loader.hpp"
#include "pipeline/profile.hpp"

namespace sqlflow::cli {

namespace {

// The statements of `sql`, split at the semicolons the .sf lexer sees (not those in strings,
// quoted names or comments).
std::vector<std::string> split_statements(const std::string& sql) {
  auto lexed = pipeline::lex(sql, "query");
  std::vector<std::string> out;
  size_t start = 0;
  auto take = [&](size_t end) {
    std::string text = sql.substr(start, end - start);
    if (text.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(text);
  };
  for (const auto& t : lexed.tokens)
    if (t.kind == pipeline::TokenKind::Semicolon) {
      take(t.offset);
      start = t.end();
    }
  take(sql.size());
  return out;
}

// Whether a statement returns rows another engine can hand over by COPY (SELECT, WITH, VALUES,
// TABLE, or a parenthesized query).
bool returns_rows(const std::string& sql) {
  static const std::regex first(R"(^\s*(\(|(select|with|values|table)\b))", std::regex::icase);
  return std::regex_search(sql, first);
}

// A result's cells, NULL as nullopt (a 'NULL' string stays a string).
struct Cells {
  std::vector<std::string> names;
  std::vector<LogicalType> types;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

Cells cells_of(engine::Result& result) {
  Cells c;
  for (size_t i = 0; i < result.column_count(); ++i) {
    c.names.push_back(result.column_name(i));
    c.types.push_back(result.column_type(i));
  }
  while (auto chunk = result.next())
    for (size_t r = 0; r < chunk->size(); ++r) {
      std::vector<std::optional<std::string>> row;
      for (size_t i = 0; i < c.names.size(); ++i)
        row.push_back(chunk->column(i).is_valid(r) ? std::optional(chunk->column(i).to_string(r, c.types[i]))
                                                   : std::nullopt);
      c.rows.push_back(std::move(row));
    }
  return c;
}

// One cell as JSON by its type: numbers, booleans and null as such; JSON columns as their value.
nlohmann::ordered_json json_cell(const std::optional<std::string>& v, const LogicalType& type) {
  if (!v) return nullptr;
  if (type.id() == DUCKDB_TYPE_BOOLEAN) return *v == "true";
  if (is_numeric_type(type.id())) {
    auto j = nlohmann::ordered_json::parse(*v, nullptr, false);
    return j.is_number() ? j : nlohmann::ordered_json(*v);  // inf, nan: as text
  }
  if (type.alias() == "JSON") {
    auto j = nlohmann::ordered_json::parse(*v, nullptr, false);
    if (!j.is_discarded()) return j;
  }
  return *v;
}

void print_json(std::ostream& out, const Cells& c) {
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const auto& row : c.rows) {
    nlohmann::ordered_json obj = nlohmann::ordered_json::object();
    for (size_t i = 0; i < c.names.size(); ++i) obj[c.names[i]] = json_cell(row[i], c.types[i]);
    arr.push_back(std::move(obj));
  }
  out << arr.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

// RFC 4180 with NULL as an empty field and an empty string as "" (so the two stay apart, as
// DuckDB's COPY … TO writes them).
void print_csv(std::ostream& out, const Cells& c) {
  auto field = [](const std::string& s) {
    if (!s.empty() && s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string quoted = "\"";
    for (char ch : s) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return quoted + "\"";
  };
  for (size_t i = 0; i < c.names.size(); ++i) out << (i ? "," : "") << field(c.names[i]);
  out << '\n';
  for (const auto& row : c.rows) {
    for (size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << (row[i] ? field(*row[i]) : "");
    out << '\n';
  }
}

bool nested(const LogicalType& t) {
  return t.id() == DUCKDB_TYPE_LIST || t.id() == DUCKDB_TYPE_STRUCT || t.id() == DUCKDB_TYPE_MAP ||
         t.id() == DUCKDB_TYPE_ARRAY || t.id() == DUCKDB_TYPE_UNION;
}

// DuckDB suggests its own catalog tables ("Did you mean "pg_sequence"?") for a table missing
// from an empty in-memory database: no help there.
std::string without_catalog_suggestion(const std::string& message) {
  static const std::regex catalog(R"(\nDid you mean "(pg_|duckdb_|information_schema)[^"]*"\?)");
  return std::regex_replace(message, catalog, "");
}

// A table not found in an in-memory engine: it is gone with the run that made it. Names the
// project's persistent profiles (that keep tables) or says how to add one.
std::string in_memory_hint(const pipeline::Project& project, const std::string& profile_name) {
  std::vector<std::string> persistent;
  for (const auto& n : project.profile_names()) {
    try {
      if (pipeline::load_profile(project, n).engine.persistent) persistent.push_back(n);
    } catch (const Error&) {
      // a broken profile is `profiles validate`'s to report
    }
  }
  std::string hint = "this engine is in memory" +
                     (profile_name.empty() ? std::string() : " (profile " + profile_name + ")") +
                     ": tables of earlier runs went with their engine; ";
  if (persistent.empty())
    return hint +
           "add a profile with engines.duckdb.mode: persistent (and a path), run the pipeline with it and "
           "query with --profile NAME, or use --database FILE";
  std::string names;
  for (const auto& n : persistent) names += (names.empty() ? "" : ", ") + n;
  return hint + "profile" + (persistent.size() == 1 ? " " : "s ") + names + " keep" +
         (persistent.size() == 1 ? "s" : "") +
         " tables (engines.duckdb.mode: persistent): run the pipeline with --profile " + persistent.front() +
         " and query with --profile " + persistent.front();
}

void add_query_command(CLI::App& app) {
  struct Options {
    std::string sql;
    std::string database;
    std::string profile;
    std::string format = "table";
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "query",
      "Run SQL on the profile's engine (DuckDB, or PostgreSQL with engine: postgres) and print the result");
  cmd->add_option("sql", opts->sql, "SQL to run (several statements: the last one's result is printed)")
      ->required();
  cmd->add_option("--database", opts->database, "DuckDB database file (default: the profile's engine)");
  cmd->add_option("-p,--profile", opts->profile,
                  "use this profile's engine (default: dev when profiles/ exists)");
  cmd->add_option("--format", opts->format,
                  "table, csv (NULL as an empty field) or json (an array of objects; numbers, booleans, null "
                  "and nested values typed)")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->callback([opts] {
    engine::DatabaseConfig config;
    auto project = pipeline::Project::discover(".");
    std::string profile_name;
    std::shared_ptr<engine::Engine> other;  // the profile's engine when it is not DuckDB
    if (!opts->profile.empty() || (opts->database.empty() && !project.profile_names().empty())) {
      profile_name = opts->profile.empty() ? "dev" : opts->profile;
      const auto profile = pipeline::load_profile(project, profile_name);
      config = pipeline::engine_config(profile);
      if (opts->database.empty()) other = pipeline::make_engine(profile);
    }
    if (!opts->database.empty()) config.path = opts->database;
    if (other) config.path.clear();  // the local DuckDB only relays the rows
    engine::Database db(config);
    engine::Connection con(db);
    engine::SourceCatalog catalog;
    catalog.install(con);
    auto statements = split_statements(opts->sql);
    if (statements.empty()) throw usage_error("no SQL to run", "e.g. sqlflow query \"SELECT 42\"");
    std::unique_ptr<engine::Session> session = other ? other->open(con) : nullptr;
    try {
      std::string last = statements.back();
      if (session) {
        for (size_t i = 0; i + 1 < statements.size(); ++i) session->execute(statements[i]);
        if (!returns_rows(last)) {
          session->execute(last);
          return;
        }
        catalog.add("__sqlflow_query", session->reader(last));
        catalog.create_view(con, "__sqlflow_query");
        last = "SELECT * FROM __sqlflow_query";
      } else {
        for (size_t i = 0; i + 1 < statements.size(); ++i) con.execute(statements[i]);
      }
      // Nested values of a SELECT print as DuckDB renders them in JSON.
      if (opts->format == "json") {
        auto stmt = con.prepare(last);
        std::string replace;
        for (const auto& col : stmt.result_schema())
          if (nested(col.type))
            replace += (replace.empty() ? "" : ", ") + std::string("to_json(") + quote_identifier(col.name) +
                       ") AS " + quote_identifier(col.name);
        if (stmt.statement_type() == DUCKDB_STATEMENT_TYPE_SELECT && !replace.empty())
          last = "SELECT * REPLACE (" + replace + ") FROM (" + last + ")";
      }
      engine::Result result = con.query(last);
      Cells c = cells_of(result);
      if (opts->format == "json") {
        // Nested columns of other statements (SHOW, PRAGMA…): each value cast back and rendered.
        for (size_t i = 0; i < c.types.size(); ++i)
          if (nested(c.types[i]))
            for (auto& row : c.rows)
              if (row[i])
                row[i] = con.scalar("SELECT to_json(CAST($1 AS " + c.types[i].to_sql() + "))", {*row[i]});
        for (auto& t : c.types)
          if (nested(t)) t = LogicalType::json();
        print_json(std::cout, c);
      } else if (opts->format == "csv") {
        print_csv(std::cout, c);
      } else {
        TextTable table;
        table.header = c.names;
        for (const auto& row : c.rows) {
          std::vector<std::string> r;
          for (const auto& v : row) r.push_back(v ? *v : "NULL");
          table.rows.push_back(std::move(r));
        }
        print_table(std::cout, table);
      }
    } catch (const Error& e) {
      if (!session && config.path.empty() && e.message().find("Table with name") != std::string::npos)
        throw Error(e.kind(), without_catalog_suggestion(e.message()), in_memory_hint(project, profile_name));
      throw;
    }
  });
}

}  // namespace
SQLFLOW_REGISTER_COMMAND(90, add_query_command);

}  // namespace sqlflow::cli
