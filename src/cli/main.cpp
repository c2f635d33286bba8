// sqlflow: SQL data pipelines on embedded DuckDB.
#include <algorithm>
#include <iostream>
#include <optional>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "engine/database.hpp"

namespace {

using sqlflow::did_you_mean;

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(sub->get_name());
  return names;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The leading command words, walked down the command tree before CLI11 parses: CLI11 takes an
// unknown word for a stray argument and says only "A subcommand is required". Returns an exit code
// when this settled the run (help or version printed, or an unknown command reported).
std::optional<int> check_command_words(CLI::App& app, int argc, char** argv, const std::string& version) {
  CLI::App* at = &app;
  std::string path = "sqlflow";
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.empty() || word[0] == '-') return std::nullopt;  // options: CLI11 checks them
    auto names = command_names(*at);
    if (names.empty()) return std::nullopt;  // a command's own arguments follow
    if (word == "help") {
      std::cout << at->help();
      return 0;
    }
    if (at == &app && word == "version") {
      std::cout << version << '\n';
      return 0;
    }
    CLI::App* next = nullptr;
    for (auto* sub : at->get_subcommands([](CLI::App*) { return true; }))
      if (sub->check_name(word)) next = sub;
    if (!next) {
      std::cerr << "error: unknown command '" << (at == &app ? word : path.substr(8) + " " + word) << "'"
                << did_you_mean(word, names) << " — " << path << " commands: " << joined(names) << "; run `"
                << path << " --help` for more\n";
      return 2;
    }
    at = next;
    path += " " + word;
  }
  // A command group without its command: say which there are.
  if (at != &app && !command_names(*at).empty()) {
    std::cerr << "error: `" << path << "` needs a command: " << joined(command_names(*at)) << " (run `"
              << path << " --help` for more)\n";
    return 2;
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sqlflow;
  CLI::App app{"sqlflow — SQL data pipelines on embedded DuckDB", "sqlflow"};
  const std::string version =
      std::string("sqlflow ") + SQLFLOW_VERSION + " (DuckDB " + engine::duckdb_version() + ")";
  app.set_version_flag("-V,--version", version);
  app.footer(
      "`sqlflow help` prints this; `sqlflow version` the version; `sqlflow COMMAND --help` a "
      "command's options.");
  app.require_subcommand(1);
  auto adders = cli::command_adders();
  std::stable_sort(adders.begin(), adders.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, add] : adders) add(app);
  if (auto code = check_command_words(app, argc, argv, version)) return *code;
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
