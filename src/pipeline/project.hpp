// A sqlflow project on disk: pipelines/, profiles/, data/, an optional .env. Finds pipelines by
// name or path and loads the .env file into a variable map (never into the process environment).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sqlflow::pipeline {

class Project {
 public:
  // The project containing `start` (the nearest ancestor with pipelines/ or profiles/), or
  // `start` itself when none is found.
  static Project discover(const std::filesystem::path& start);
  explicit Project(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path pipelines_dir() const { return root_ / "pipelines"; }
  std::filesystem::path profiles_dir() const { return root_ / "profiles"; }

  // NAME (pipelines/NAME.sf) or a path to a .sf file; Error (usage) listing the known
  // pipelines with a suggestion when not found.
  std::filesystem::path find_pipeline(const std::string& name_or_path) const;
  // Pipeline names (file stems under pipelines/, recursively), sorted.
  std::vector<std::string> pipeline_names() const;
  std::vector<std::string> profile_names() const;

  // KEY=VALUE lines of <root>/.env (comments, blank lines, `export `, quotes handled).
  const std::map<std::string, std::string>& dotenv() const { return dotenv_; }
  // An environment lookup: the process environment first, then .env.
  std::optional<std::string> env(const std::string& name) const;

 private:
  std::filesystem::path root_;
  std::map<std::string, std::string> dotenv_;
};

std::map<std::string, std::string> parse_dotenv(const std::string& text);

}  // namespace sqlflow::pipeline
