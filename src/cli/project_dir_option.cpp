// `--project-dir DIR` (or SQLFLOW_PROJECT_DIR): every command works as if started in DIR, so
// pipelines, profiles, data paths and target/ resolve against that project from anywhere.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "cli/commands.hpp"
#include "core/error.hpp"

namespace sqlflow::cli {

namespace {

void enter_project_dir(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw usage_error("--project-dir: '" + dir + "' is not a folder",
                      "give the folder holding pipelines/ and profiles/ (or unset SQLFLOW_PROJECT_DIR)");
  if (::chdir(dir.c_str()) != 0)
    throw usage_error("--project-dir: cannot enter '" + dir + "': " + std::strerror(errno));
}

void add_project_dir_option(CLI::App& app) {
  // Triggered as soon as it is parsed, before any command's callback runs.
  app.add_option_function<std::string>("-C,--project-dir", enter_project_dir,
                                       "run as if started in this project folder (env SQLFLOW_PROJECT_DIR)")
      ->envname("SQLFLOW_PROJECT_DIR")
      ->trigger_on_parse();
}

}  // namespace
SQLFLOW_REGISTER_COMMAND(0, add_project_dir_option);

}  // namespace sqlflow::cli
