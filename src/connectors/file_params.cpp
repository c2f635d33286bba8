#include "connectors/file_params.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "core/file_paths.hpp"

namespace sqlflow::connectors::file_params {

std::vector<ParamSpec> join(std::initializer_list<std::vector<ParamSpec>> parts) {
  std::vector<ParamSpec> out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

std::vector<ParamSpec> multi_file(std::string union_by_name_doc) {
  return {
      {"union_by_name", ParamType::Bool, false, false, std::move(union_by_name_doc)},
      {"filename", ParamType::Bool, false, false, "add a `filename` column with each row's file"},
  };
}

ParamSpec source_compression() {
  return {"compression", ParamType::String, false, "auto", "auto (from the file name), none, gzip or zstd"};
}

ParamSpec batch_size() {
  return {"batch_size", ParamType::Int, false, nullptr,
          "accepted for compatibility; DuckDB reads in its own vectors"};
}

std::vector<ParamSpec> retry_and_timeout() {
  return {
      {"max_retries", ParamType::Int, false, nullptr,
       "accepted for compatibility; local files are not retried"},
      {"timeout_seconds", ParamType::Number, false, nullptr,
       "accepted for compatibility; local reads have no timeout"},
  };
}

ParamSpec export_compression() {
  return {"compression", ParamType::String, false, "auto",
          "auto (from the file name: .gz, .zst), none, gzip or zstd"};
}

ParamSpec partition_by() {
  return {"partition_by", ParamType::Any, false, nullptr,
          "column(s): write a hive-partitioned folder (col=value/…) instead of one file"};
}

ParamSpec mode(std::string doc) {
  return {"mode", ParamType::String, false, "overwrite", std::move(doc)};
}

std::string ascii_lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::optional<std::string> optional_string(const Params& p, const char* key, const std::string& what) {
  if (!p.contains(key) || p[key].is_null()) return std::nullopt;
  if (!p[key].is_string()) throw validation_error(subject_prefix(what) + "`" + key + "` must be a string");
  return p[key].get<std::string>();
}

std::string string_or(const Params& p, const char* key, std::string fallback, const std::string& what) {
  auto v = optional_string(p, key, what);
  return v ? *v : fallback;
}

bool bool_or(const Params& p, const char* key, bool fallback) {
  return p.contains(key) && p[key].is_boolean() ? p[key].get<bool>() : fallback;
}

nlohmann::json required_path(const Params& p, const std::string& what) {
  if (!p.contains("path")) throw validation_error(subject_prefix(what) + "missing required parameter 'path'");
  files::path_list(p["path"], what);
  return p["path"];
}

namespace {
// gz and zst are the usual suffixes; DuckDB names the codecs gzip and zstd.
std::string codec_name(const std::string& given) {
  std::string c = ascii_lower(given);
  if (c == "gz") return "gzip";
  if (c == "zst") return "zstd";
  return c;
}
}  // namespace

std::string source_compression_value(const std::string& given, const std::string& what) {
  std::string c = codec_name(given);
  if (c != "auto" && c != "none" && c != "gzip" && c != "zstd")
    throw validation_error(subject_prefix(what) + "unknown compression '" + given + "'",
                           "use auto, none, gzip or zstd");
  return c;
}

std::string export_compression_value(const Params& p, const std::filesystem::path& target,
                                     const std::string& what) {
  std::string c = codec_name(string_or(p, "compression", "auto", what));
  if (c == "auto") {
    c = files::compression_of_extension(target.filename().string());
    if (c.empty()) c = "none";
  }
  if (c != "none" && c != "gzip" && c != "zstd")
    throw validation_error(subject_prefix(what) + "unknown compression '" + c + "'",
                           "use none, gzip or zstd");
  return c;
}

}  // namespace sqlflow::connectors::file_params
