#include "pipeline/table_refs.hpp"

#include <nlohmann/json.hpp>

namespace sqlflow::pipeline {

namespace {

using nlohmann::json;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void collect_ctes(const json& node, std::set<std::string>& ctes) {
  if (node.is_object()) {
    if (auto it = node.find("cte_map"); it != node.end() && it->is_object()) {
      if (auto m = it->find("map"); m != it->end() && m->is_array())
        for (const auto& entry : *m)
          if (entry.contains("key") && entry["key"].is_string())
            ctes.insert(lower(entry["key"].get<std::string>()));
    }
    for (const auto& [k, v] : node.items()) collect_ctes(v, ctes);
  } else if (node.is_array()) {
    for (const auto& v : node) collect_ctes(v, ctes);
  }
}

void collect_tables(const json& node, std::set<TableRef>& out) {
  if (node.is_object()) {
    auto type = node.find("type");
    if (type != node.end() && type->is_string() && *type == "BASE_TABLE" && node.contains("table_name")) {
      out.insert({node.value("schema_name", ""), node["table_name"].get<std::string>()});
    }
    for (const auto& [k, v] : node.items()) collect_tables(v, out);
  } else if (node.is_array()) {
    for (const auto& v : node) collect_tables(v, out);
  }
}

}  // namespace

namespace {
// Parsing only: one thread, so each call is not handed between DuckDB's worker threads.
engine::DatabaseConfig parser_only() {
  engine::DatabaseConfig cfg;
  cfg.threads = 1;
  return cfg;
}
}  // namespace

TableRefExtractor::TableRefExtractor()
    : db_(parser_only()), con_(db_), stmt_(con_.prepare("SELECT json_serialize_sql($1::VARCHAR)")) {}

void TableRefExtractor::set_fallback(std::string name, Fallback fallback) {
  fallback_name_ = std::move(name);
  fallback_ = std::move(fallback);
}

std::optional<std::set<TableRef>> TableRefExtractor::reads(const std::string& select_sql) {
  analysis_ = "DuckDB's parser";
  if (auto r = parse(select_sql)) return r;
  analysis_.clear();
  if (!fallback_) return std::nullopt;
  auto r = fallback_(select_sql);
  if (r) analysis_ = fallback_name_;
  return r;
}

std::optional<std::set<TableRef>> TableRefExtractor::parse(const std::string& select_sql) {
  stmt_.bind_all({select_sql});
  auto result = stmt_.execute();
  auto chunk = result.next();
  if (!chunk || chunk->size() == 0 || !chunk->column(0).is_valid(0)) return std::nullopt;
  json ast = json::parse(chunk->column(0).get_string(0), nullptr, false);
  if (ast.is_discarded() || ast.value("error", true)) return std::nullopt;
  std::set<std::string> ctes;
  collect_ctes(ast, ctes);
  std::set<TableRef> tables;
  collect_tables(ast, tables);
  std::set<TableRef> out;
  for (const auto& t : tables) {
    TableRef ref{lower(t.schema), lower(t.name)};
    if (ref.schema.empty() && ctes.count(ref.name)) continue;
    out.insert(ref);
  }
  return out;
}

}  // namespace sqlflow::pipeline
