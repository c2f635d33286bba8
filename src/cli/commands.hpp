// Each command group lives in its own file and registers itself here at static-init time;
// main() adds them to the CLI11 app in `order` (the order `sqlflow --help` lists them).
#pragma once

#include <CLI/CLI.hpp>
#include <utility>
#include <vector>

namespace sqlflow::cli {

// Set by a command's callback; main() returns it as the exit code.
extern int g_exit_code;

using CommandAdder = void (*)(CLI::App&);
std::vector<std::pair<int, CommandAdder>>& command_adders();

struct CommandRegistrar {
  CommandRegistrar(int order, CommandAdder add) { command_adders().emplace_back(order, add); }
};

}  // namespace sqlflow::cli

#define SQLFLOW_REGISTER_COMMAND(order, adder)                            \
  static const ::sqlflow::cli::CommandRegistrar sqlflow_command_##adder { \
    order, &adder                                                         \
  }
