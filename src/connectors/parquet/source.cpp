#include "connectors/parquet/source.hpp"

#include <algorithm>

#include "connectors/file_params.hpp"
#include "connectors/parquet/page_checksums.hpp"
#include "core/file_paths.hpp"
#include "core/quote.hpp"
#include "engine/connection.hpp"
#include "engine/error_text.hpp"

namespace sqlflow::connectors::parquet {

namespace {

// Empty: the framework puts "parquet source '<name>'" before this connector's errors (connector_error.hpp).
constexpr const char* kSourceWhat = "";

Error bad_filter(const std::string& why) {
  return validation_error(
      why, "filters look like [[\"year\", \">=\", 2024], [\"region\", \"in\", [\"EU\", \"US\"]]]");
}

std::string literal(const nlohmann::json& v) {
  if (v.is_string()) return quote_literal(v.get<std::string>());
  if (v.is_boolean()) return v.get<bool>() ? "TRUE" : "FALSE";
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (v.is_number_float()) {
    std::string s = v.dump();
    if (s == "null" || s.find_first_not_of("0123456789.eE+-") != std::string::npos)
      throw bad_filter("a filter value is not a finite number");
    return s;
  }
  if (v.is_null()) return "NULL";
  throw bad_filter("a filter value must be a string, number, boolean or null (lists only with in / not in)");
}

std::string triple(const nlohmann::json& t) {
  if (!t.is_array() || t.size() != 3 || !t[0].is_string() || !t[1].is_string())
    throw bad_filter("each filter must be [column, operator, value], got " + t.dump());
  const std::string column = quote_identifier(t[0].get<std::string>());
  std::string op = t[1].get<std::string>();
  op = file_params::ascii_lower(std::move(op));
  const auto& v = t[2];
  if (op == "in" || op == "not in") {
    if (!v.is_array() || v.empty())
      throw bad_filter("'" + op + "' needs a non-empty list of values, got " + v.dump());
    std::string list;
    for (const auto& e : v) list += (list.empty() ? "" : ", ") + literal(e);
    return column + (op == "in" ? " IN (" : " NOT IN (") + list + ")";
  }
  if (op == "==") op = "=";
  if (op == "<>") op = "!=";
  if (op != "=" && op != "!=" && op != "<" && op != "<=" && op != ">" && op != ">=")
    throw bad_filter("unknown filter operator '" + t[1].get<std::string>() +
                     "' (use = != < <= > >= in, not in)");
  if (v.is_null()) {
    if (op == "=") return column + " IS NULL";
    if (op == "!=") return column + " IS NOT NULL";
    throw bad_filter("null can only be compared with = or !=");
  }
  return column + " " + op + " " + literal(v);
}

std::string conjunction(const nlohmann::json& triples) {
  if (!triples.is_array() || triples.empty()) throw bad_filter("an empty group of filters");
  std::string out;
  for (const auto& t : triples) out += (out.empty() ? "" : " AND ") + triple(t);
  return out;
}

}  // namespace

std::string filters_to_sql(const nlohmann::json& filters) {
  if (filters.is_null()) return {};
  if (!filters.is_array()) throw bad_filter("`filters` must be a list");
  if (filters.empty()) return {};
  // A single triple given bare: ["year", ">=", 2024].
  if (filters.size() == 3 && filters[0].is_string()) return triple(filters);
  const bool dnf = filters[0].is_array() && !filters[0].empty() && filters[0][0].is_array();
  if (!dnf) return conjunction(filters);
  std::string out;
  for (const auto& group : filters) out += (out.empty() ? "(" : " OR (") + conjunction(group) + ")";
  if (filters.size() < 2) return out;
  // DuckDB pushes an OR into the Parquet scan only when it involves one column. For each column
  // every group constrains, the OR of those constraints is implied by the whole condition; adding
  // it changes no result but lets row groups be skipped on that column's statistics.
  std::vector<std::string> columns;
  for (const auto& t : filters[0])
    if (t.is_array() && !t.empty() && t[0].is_string() &&
        std::find(columns.begin(), columns.end(), t[0].get<std::string>()) == columns.end())
      columns.push_back(t[0].get<std::string>());
  for (const auto& column : columns) {
    std::string implied;
    bool in_every_group = true;
    for (const auto& group : filters) {
      std::string part;
      for (const auto& t : group)
        if (t[0] == column) part += (part.empty() ? "" : " AND ") + triple(t);
      if (part.empty()) {
        in_every_group = false;
        break;
      }
      implied += (implied.empty() ? "(" : " OR (") + part + ")";
    }
    if (in_every_group) out = "(" + out + ") AND (" + implied + ")";
  }
  return out;
}

ParquetSourceOptions ParquetSourceOptions::from_params(const Params& p) {
  ParquetSourceOptions o;
  o.path = file_params::required_path(p, kSourceWhat);
  if (p.contains("columns") && !p["columns"].is_null()) {
    const auto& c = p["columns"];
    if (c.is_string())
      o.columns.push_back(c.get<std::string>());
    else if (c.is_array()) {
      for (const auto& e : c) {
        if (!e.is_string()) throw validation_error("`columns` must be a list of column names");
        o.columns.push_back(e.get<std::string>());
      }
    } else {
      throw validation_error("`columns` must be a list of column names");
    }
  }
  if (p.contains("filters")) o.where = filters_to_sql(p["filters"]);
  o.verify_checksums = file_params::bool_or(p, "verify_checksums", o.verify_checksums);
  if (p.contains("hive_partitioning") && p["hive_partitioning"].is_boolean())
    o.hive_partitioning = p["hive_partitioning"].get<bool>();
  o.union_by_name = file_params::bool_or(p, "union_by_name", o.union_by_name);
  o.filename = file_params::bool_or(p, "filename", o.filename);
  return o;
}

ParquetSource::ParquetSource(ParquetSourceOptions options, ConnectorContext context)
    : FileViewSource(kSourceWhat, options.path, std::move(context), "**/*.parquet"),
      options_(std::move(options)) {}

FileViewSource::View ParquetSource::build_view(const std::vector<std::filesystem::path>& file_list) {
  files_ = file_list;
  if (options_.verify_checksums) verify_checksums(file_list);
  files::SqlArgs args;
  if (options_.hive_partitioning) args.flag("hive_partitioning", *options_.hive_partitioning);
  if (options_.union_by_name) args.flag("union_by_name", true);
  if (options_.filename) args.flag("filename", true);
  std::string select;
  for (const auto& c : options_.columns) select += (select.empty() ? "" : ", ") + quote_identifier(c);
  if (select.empty()) select = "*";
  View view;
  view.sql = "SELECT " + select + " FROM read_parquet(" + files::sql_file_list(file_list) +
             (args.empty() ? "" : ", " + args.str()) + ")";
  std::string where = options_.where.empty() ? "" : "(" + options_.where + ")";
  if (auto cursor = cursor_condition(); !cursor.empty()) where += (where.empty() ? "" : " AND ") + cursor;
  if (!where.empty()) view.sql += " WHERE " + where;
  try {
    view.schema = describe(view.sql);
  } catch (const Error& e) {
    const std::string m = engine::strip_sql_excerpt(e.message());
    // A damaged footer: DuckDB's words ("Variable-length int over 10 bytes") do not say that.
    for (const char* sign : {"Variable-length int", "No magic bytes", "too small to be a Parquet file",
                             "metadata", "Couldn't deserialize", "Invalid Error"})
      if (m.find(sign) != std::string::npos) {
        std::string which = file_list.size() == 1 ? file_list[0].string() : std::string();
        for (const auto& f : file_list)
          if (m.find(f.string()) != std::string::npos) which = f.string();
        throw data_error(
            std::string() +
                (which.empty() ? "one of " + std::to_string(file_list.size()) + " files"
                               : "'" + which + "'") +
                " is not a valid Parquet file: its footer (the file's metadata) cannot be read (" + m + ")",
            "the file is truncated or damaged: write it again");
      }
    throw cannot_read(file_list, m, "check `columns` and `filters` against the file's columns");
  }
  return view;
}

void ParquetSource::verify_checksums(const std::vector<std::filesystem::path>& file_list) {
  pages_checked_ = 0;
  engine::Database db;
  engine::Connection con(db);
  for (const auto& f : file_list) {
    std::vector<ColumnChunkRange> chunks;
    try {
      // The first page of a chunk is its dictionary page when it has one (offset 0: none).
      for (const auto& r :
           con.query("SELECT row_group_id, path_in_schema, CASE WHEN dictionary_page_offset > 0 AND "
                     "dictionary_page_offset < data_page_offset THEN dictionary_page_offset ELSE "
                     "data_page_offset END, total_compressed_size FROM parquet_metadata(" +
                     quote_literal(f.string()) + ")")
               .rows())
        chunks.push_back({r[1], std::stoll(r[0]), std::stoll(r[2]), std::stoll(r[3])});
    } catch (const Error&) {
      continue;  // an unreadable footer is reported by the reader itself, with its own message
    }
    ChecksumReport report = verify_page_checksums(f, chunks);
    pages_checked_ += report.pages_checked;
    if (report.mismatch)
      throw data_error("'" + f.string() + "' is corrupted: " + *report.mismatch,
                       "write the file again; nothing was loaded from it");
  }
}

std::optional<Error> ParquetSource::explain_failure(const Error& error) {
  const std::string m = engine::strip_sql_excerpt(error.message());
  for (const auto& f : files_)
    if (m.find(f.string()) != std::string::npos)
      return data_error(
          "'" + f.string() + "' is corrupted: " + m,
          "write the file again; its pages do not decode (DuckDB checks no page checksums, so other "
          "damage can go unnoticed)");
  return std::nullopt;
}

}  // namespace sqlflow::connectors::parquet
