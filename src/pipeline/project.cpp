#include "pipeline/project.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/suggest.hpp"

namespace sqlflow::pipeline {

namespace fs = std::filesystem;

Project Project::discover(const fs::path& start) {
  fs::path dir = fs::absolute(start);
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    if (fs::is_directory(p / "pipelines") || fs::is_directory(p / "profiles")) return Project(p);
    if (p == p.root_path()) break;
  }
  return Project(dir);
}

Project::Project(fs::path root) : root_(fs::weakly_canonical(fs::absolute(root))) {
  std::ifstream f(root_ / ".env");
  if (f) {
    std::stringstream ss;
    ss << f.rdbuf();
    dotenv_ = parse_dotenv(ss.str());
  }
}

std::map<std::string, std::string> parse_dotenv(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(" \t\r"));
    s.erase(s.find_last_not_of(" \t\r") + 1);
    return s;
  };
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = trim(line.substr(7));
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = trim(line.substr(0, eq));
    std::string value = trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    } else if (auto hash = value.find(" #"); hash != std::string::npos) {
      value = trim(value.substr(0, hash));
    }
    if (!key.empty()) out[key] = value;
  }
  return out;
}

std::optional<std::string> Project::env(const std::string& name) const {
  if (const char* v = std::getenv(name.c_str())) return std::string(v);
  auto it = dotenv_.find(name);
  if (it != dotenv_.end()) return it->second;
  return std::nullopt;
}

std::vector<std::string> Project::pipeline_names() const {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(pipelines_dir(), ec)) return out;
  for (auto it = fs::recursive_directory_iterator(pipelines_dir(), ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".sf") {
      fs::path rel = fs::relative(it->path(), pipelines_dir());
      rel.replace_extension();
      out.push_back(rel.generic_string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Project::profile_names() const {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(profiles_dir(), ec)) return out;
  for (const auto& e : fs::directory_iterator(profiles_dir(), ec)) {
    auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".yml" || ext == ".yaml")) out.push_back(e.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

fs::path Project::find_pipeline(const std::string& name_or_path) const {
  fs::path as_path(name_or_path);
  if (as_path.extension() == ".sf" || name_or_path.find('/') != std::string::npos) {
    fs::path p = as_path.is_absolute() ? as_path : fs::absolute(as_path);
    if (fs::is_regular_file(p)) return p;
    fs::path in_project = root_ / as_path;
    if (fs::is_regular_file(in_project)) return in_project;
    if (as_path.extension() == ".sf") throw usage_error("pipeline file not found: " + name_or_path);
  }
  fs::path p = pipelines_dir() / (name_or_path + ".sf");
  if (fs::is_regular_file(p)) return p;
  auto names = pipeline_names();
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  throw usage_error("no pipeline named '" + name_or_path + "' in " + pipelines_dir().string() +
                        did_you_mean(name_or_path, names),
                    names.empty() ? "create one with `sqlflow init NAME` or pass a path to a .sf file"
                                  : "available pipelines: " + list);
}

}  // namespace sqlflow::pipeline
