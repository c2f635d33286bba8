// sqlflow: SQL data pipelines on embedded DuckDB.
#include <algorithm>
#include <iostream>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "engine/database.hpp"

int main(int argc, char** argv) {
  using namespace sqlflow;
  CLI::App app{"sqlflow — SQL data pipelines on embedded DuckDB", "sqlflow"};
  app.set_version_flag(
      "--version", std::string("sqlflow ") + SQLFLOW_VERSION + " (DuckDB " + engine::duckdb_version() + ")");
  app.require_subcommand(1);
  auto adders = cli::command_adders();
  std::stable_sort(adders.begin(), adders.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, add] : adders) add(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const Error& e) {
    std::cerr << e.format() << '\n';
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
    return 1;
  }
  return cli::g_exit_code;
}
