// `sqlflow query "SQL"`: runs SQL on an engine and prints the result.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/table_printer.hpp"
#include "engine/connection.hpp"
#include "engine/scan_function.hpp"
#include "pipeline/loader.hpp"

namespace sqlflow::cli {

namespace {
void add_query_command(CLI::App& app) {
  struct Options {
    std::string sql;
    std::string database;
    std::string profile;
    std::string format = "table";
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("query", "Run SQL on the engine and print the result");
  cmd->add_option("sql", opts->sql, "SQL to run (several statements: the last one's result is printed)")->required();
  cmd->add_option("--database", opts->database, "DuckDB database file (default: the profile's engine)");
  cmd->add_option("-p,--profile", opts->profile, "use this profile's engine (default: dev when profiles/ exists)");
  cmd->add_option("--format", opts->format, "table, csv or json")->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->callback([opts] {
    engine::DatabaseConfig config;
    auto project = pipeline::Project::discover(".");
    if (!opts->profile.empty() || (opts->database.empty() && !project.profile_names().empty()))
      config = pipeline::engine_config(pipeline::load_profile(project, opts->profile.empty() ? "dev" : opts->profile));
    if (!opts->database.empty()) config.path = opts->database;
    engine::Database db(config);
    engine::Connection con(db);
    engine::SourceCatalog catalog;
    catalog.install(con);
    engine::Result result = con.query(opts->sql);
    TextTable table;
    for (size_t i = 0; i < result.column_count(); ++i) table.header.push_back(result.column_name(i));
    table.rows = result.rows();
    if (opts->format == "csv") print_csv(std::cout, table);
    else if (opts->format == "json") print_json_lines(std::cout, table);
    else print_table(std::cout, table);
  });
}

}  // namespace
SQLFLOW_REGISTER_COMMAND(90, add_query_command);

}  // namespace sqlflow::cli
