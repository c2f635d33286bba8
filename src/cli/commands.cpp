#include "cli/commands.hpp"

namespace sqlflow::cli {

int g_exit_code = 0;

std::vector<std::pair<int, CommandAdder>>& command_adders() {
  static std::vector<std::pair<int, CommandAdder>> adders;
  return adders;
}

}  // namespace sqlflow::cli
