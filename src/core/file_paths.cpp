#include "core/file_paths.hpp"

#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <system_error>

#include "core/error.hpp"
#include "core/quote.hpp"

namespace sqlflow::files {
namespace fs = std::filesystem;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool hidden(const fs::path& p) {
  auto name = p.filename().native();
  return !name.empty() && name[0] == '.';
}

// Entries of `dir`, sorted by name; a folder that does not exist has none, one that cannot be
// listed is an Error naming it.
std::vector<fs::directory_entry> list_dir(const fs::path& dir) {
  std::vector<fs::directory_entry> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) return out;
    throw data_error("cannot list folder '" + dir.string() + "': " + ec.message(),
                     "check that the folder exists and that sqlflow may read it");
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) throw data_error("cannot list folder '" + dir.string() + "': " + ec.message());
    out.push_back(*it);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
  return out;
}

bool is_dir(const fs::directory_entry& e) {
  std::error_code ec;
  return e.is_directory(ec);
}
bool is_file(const fs::directory_entry& e) {
  std::error_code ec;
  return e.is_regular_file(ec);
}
bool is_link(const fs::directory_entry& e) {
  std::error_code ec;
  return e.is_symlink(ec);
}

void all_files_below(const fs::path& dir, std::vector<fs::path>& out) {
  for (const auto& e : list_dir(dir)) {
    if (hidden(e.path())) continue;
    if (is_file(e))
      out.push_back(e.path());
    else if (is_dir(e) && !is_link(e))
      all_files_below(e.path(), out);
  }
}

void match(const fs::path& dir, const std::vector<std::string>& parts, size_t i, std::vector<fs::path>& out) {
  const std::string& part = parts[i];
  const bool last = i + 1 == parts.size();
  if (part == "**") {
    if (last) {
      all_files_below(dir, out);
      return;
    }
    match(dir, parts, i + 1, out);  // zero folders
    for (const auto& e : list_dir(dir))
      if (!hidden(e.path()) && is_dir(e) && !is_link(e)) match(e.path(), parts, i, out);
    return;
  }
  if (!has_glob(part)) {
    fs::directory_entry e(dir / part);
    if (last) {
      if (is_file(e)) out.push_back(e.path());
    } else if (is_dir(e)) {
      match(e.path(), parts, i + 1, out);
    }
    return;
  }
  for (const auto& e : list_dir(dir)) {
    if (fnmatch(part.c_str(), e.path().filename().c_str(), FNM_PERIOD) != 0) continue;
    if (last) {
      if (is_file(e)) out.push_back(e.path());
    } else if (is_dir(e)) {
      match(e.path(), parts, i + 1, out);
    }
  }
}

// Checks a single (non-glob) input path; appends what it names.
void check_plain(const std::string& given, const fs::path& p, const std::string& what,
                 const std::string& dir_glob, std::vector<fs::path>& out) {
  std::error_code ec;
  fs::file_status st = fs::status(p, ec);
  std::string shown = "'" + given + "'" + (given == p.string() ? "" : " (" + p.string() + ")");
  if (ec && ec != std::errc::no_such_file_or_directory)
    throw data_error(subject_prefix(what) + "cannot access " + shown + ": " + ec.message(),
                     "check the permissions of the file and of the folders above it");
  if (ec || !fs::exists(st))
    throw data_error(subject_prefix(what) + "file not found: " + shown,
                     "check the path; relative paths are read from the project folder");
  if (fs::is_directory(st)) {
    if (dir_glob.empty())
      throw data_error(
          subject_prefix(what) + "" + shown + " is a folder, not a file",
          "to read every file in it use a glob such as '" + (fs::path(given) / "*.csv").string() + "'");
    auto found = expand_glob(p / dir_glob);
    if (found.empty())
      throw data_error(subject_prefix(what) + "folder " + shown + " holds no file matching '" + dir_glob +
                       "'");
    out.insert(out.end(), found.begin(), found.end());
    return;
  }
  out.push_back(p);
}

}  // namespace

fs::path resolve(const std::string& path, const fs::path& base_dir) {
  if (path.empty()) throw validation_error("an empty path was given", "set `path` to a file name");
  fs::path p(path);
  if (path == "~" || path.rfind("~/", 0) == 0) {
    const char* home = std::getenv("HOME");
    if (home && *home) p = fs::path(home) / path.substr(std::min<size_t>(2, path.size()));
  }
  if (p.is_relative()) {
    std::error_code ec;
    fs::path base = base_dir.is_absolute() ? base_dir : fs::absolute(base_dir, ec);
    p = base / p;
  }
  return p.lexically_normal();
}

bool has_glob(std::string_view path) {
  return path.find_first_of("*?[") != std::string_view::npos;
}

std::vector<fs::path> expand_glob(const fs::path& pattern) {
  // Walk from the longest prefix without metacharacters; match the rest part by part.
  fs::path root;
  std::vector<std::string> parts;
  for (const auto& part : pattern) {
    if (parts.empty() && !has_glob(part.native()))
      root /= part;
    else
      parts.push_back(part.native());
  }
  std::vector<fs::path> out;
  if (parts.empty()) {
    std::error_code ec;
    if (fs::is_regular_file(root, ec)) out.push_back(root);
    return out;
  }
  match(root, parts, 0, out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> path_list(const nlohmann::json& path_param, const std::string& what) {
  std::vector<std::string> out;
  if (path_param.is_string()) {
    out.push_back(path_param.get<std::string>());
  } else if (path_param.is_array()) {
    for (const auto& v : path_param) {
      if (!v.is_string())
        throw validation_error(subject_prefix(what) + "every entry of `path` must be a string");
      out.push_back(v.get<std::string>());
    }
  } else {
    throw validation_error(subject_prefix(what) + "`path` must be a string or a list of strings");
  }
  if (out.empty())
    throw validation_error(subject_prefix(what) + "`path` is an empty list",
                           "give at least one file or glob");
  for (const auto& p : out)
    if (p.empty()) throw validation_error(subject_prefix(what) + "`path` holds an empty string");
  return out;
}

InputFiles resolve_inputs(const nlohmann::json& path_param, const fs::path& base_dir, const std::string& what,
                          const std::string& dir_glob) {
  InputFiles in;
  for (const auto& given : path_list(path_param, what)) {
    fs::path p = resolve(given, base_dir);
    if (has_glob(given)) {
      auto found = expand_glob(p);
      if (found.empty())
        throw data_error(subject_prefix(what) + "no file matches '" + given + "'" +
                             (given == p.string() ? "" : " (" + p.string() + ")"),
                         "check the pattern; names starting with '.' are not matched by '*'");
      in.files.insert(in.files.end(), found.begin(), found.end());
    } else {
      check_plain(given, p, what, dir_glob, in.files);
    }
  }
  for (const auto& f : in.files) {
    if (::access(f.c_str(), R_OK) != 0) {
      std::error_code ec(errno, std::generic_category());
      throw data_error(subject_prefix(what) + "cannot read '" + f.string() + "': " + ec.message(),
                       "check the file's permissions");
    }
    std::error_code ec;
    auto size = fs::file_size(f, ec);
    if (!ec) in.total_bytes += size;
  }
  return in;
}

std::string compression_of_extension(std::string_view path) {
  std::string s = lower(path);
  if (ends_with(s, ".gz") || ends_with(s, ".gzip")) return "gzip";
  if (ends_with(s, ".zst") || ends_with(s, ".zstd")) return "zstd";
  return {};
}

std::string format_of_extension(std::string_view path) {
  std::string s = lower(fs::path(path).filename().string());
  for (std::string_view c : {".gz", ".gzip", ".zst", ".zstd"})
    if (ends_with(s, c)) {
      s.resize(s.size() - c.size());
      break;
    }
  for (std::string_view e : {".csv", ".tsv"})
    if (ends_with(s, e)) return "csv";
  for (std::string_view e : {".parquet", ".pq", ".parq"})
    if (ends_with(s, e)) return "parquet";
  for (std::string_view e : {".json", ".jsonl", ".ndjson"})
    if (ends_with(s, e)) return "json";
  return {};
}

void check_export_type_matches_extension(const std::string& type, const std::string& uri) {
  std::string t = lower(type);
  if (t != "csv" && t != "parquet" && t != "json") return;
  std::string f = format_of_extension(uri);
  if (f.empty() || f == t) return;
  throw validation_error(
      "EXPORT to '" + uri + "' has TYPE " + upper(t) + " but the file name ends like a " + upper(f) + " file",
      "use TYPE " + upper(f) + ", or give the file a name that matches TYPE " + upper(t));
}

SqlArgs& SqlArgs::add(std::string_view key, const std::string& value) {
  if (!text_.empty()) text_ += ", ";
  text_.append(key);
  text_ += assign_;
  text_ += value;
  return *this;
}

SqlArgs& SqlArgs::flag(std::string_view key, bool value) {
  return add(key, value ? "true" : "false");
}
SqlArgs& SqlArgs::integer(std::string_view key, int64_t value) {
  return add(key, std::to_string(value));
}
SqlArgs& SqlArgs::string(std::string_view key, std::string_view value) {
  return add(key, quote_literal(value));
}
SqlArgs& SqlArgs::strings(std::string_view key, const std::vector<std::string>& values) {
  return add(key, sql_string_list(values));
}
SqlArgs& SqlArgs::string_map(std::string_view key,
                             const std::vector<std::pair<std::string, std::string>>& values) {
  std::string out = "{";
  for (const auto& [k, v] : values)
    out += (out.size() > 1 ? ", " : "") + quote_literal(k) + ": " + quote_literal(v);
  return add(key, out + "}");
}
SqlArgs& SqlArgs::raw(std::string_view key, std::string sql) {
  return add(key, sql);
}

SqlArgs& SqlArgs::merge(const std::string& rendered) {
  if (rendered.empty()) return *this;
  if (!text_.empty()) text_ += ", ";
  text_ += rendered;
  return *this;
}

std::string sql_string_list(const std::vector<std::string>& values) {
  std::string out = "[";
  for (const auto& v : values) out += (out.size() > 1 ? ", " : "") + quote_literal(v);
  return out + "]";
}

std::string sql_file_list(const std::vector<fs::path>& files) {
  std::vector<std::string> names;
  names.reserve(files.size());
  for (const auto& f : files) names.push_back(f.string());
  return sql_string_list(names);
}

}  // namespace sqlflow::files
