#include "connectors/json/source.hpp"

#include <algorithm>
#include <set>

#include "connectors/file_params.hpp"
#include "connectors/json/nesting_guard.hpp"
#include "core/file_paths.hpp"
#include "core/quote.hpp"
#include "engine/connection.hpp"

namespace sqlflow::connectors::json {
namespace fs = std::filesystem;

namespace {

// Empty: the framework puts "json source '<name>'" before this connector's errors (connector_error.hpp).
constexpr const char* kSourceWhat = "";
constexpr const char* kRecord = "sqlflow_record";
// Deeper typed nesting makes DuckDB slow to bind, store and reopen a table (a 500-level type took
// 6 s to checkpoint and 1,000 levels over a minute, leaving the database slow to open).
constexpr int64_t kMaxDepthLimit = 128;

using file_params::ascii_lower;

std::optional<std::string> opt_string(const Params& p, const char* key) {
  return file_params::optional_string(p, key, kSourceWhat);
}

// Appends `expr AS name` for a column, or one entry per leaf of a STRUCT when flattening.
void select_list(const std::string& expr, const std::string& name, const LogicalType& type, bool flatten,
                 std::vector<std::pair<std::string, std::string>>& out) {
  if (flatten && type.id() == DUCKDB_TYPE_STRUCT) {
    for (size_t i = 0; i < type.struct_size(); ++i) {
      const std::string member = type.struct_name(i);
      select_list("struct_extract(" + expr + ", " + quote_literal(member) + ")", name + "_" + member,
                  type.struct_child(i), flatten, out);
    }
    return;
  }
  out.emplace_back(expr, name);
}

// How many levels of STRUCT/LIST nesting a type has, and whether its deepest level is JSON text.
size_t nesting(const LogicalType& type, bool& json_at_bottom) {
  switch (type.id()) {
    case DUCKDB_TYPE_STRUCT: {
      size_t deepest = 0;
      for (size_t i = 0; i < type.struct_size(); ++i)
        deepest = std::max(deepest, nesting(type.struct_child(i), json_at_bottom));
      return deepest + 1;
    }
    case DUCKDB_TYPE_LIST:
      return nesting(type.list_child(), json_at_bottom) + 1;
    default:
      if (type.alias() == "JSON") json_at_bottom = true;
      return 0;
  }
}

}  // namespace

// DuckDB's JSON reader detects any number with a fraction or beyond 64 bits as DOUBLE, which keeps
// 15-17 significant digits. The sampled numbers' own text decides instead: integers up to 38
// digits become BIGINT or HUGEINT, decimals with more digits than a DOUBLE keeps DECIMAL(p,s).
std::optional<std::string> JsonSource::exact_number_types(const std::vector<fs::path>& file_list,
                                                          const Schema& detected) {
  std::vector<size_t> doubles;
  for (size_t i = 0; i < detected.size(); ++i)
    if (detected[i].type.id() == DUCKDB_TYPE_DOUBLE) doubles.push_back(i);
  if (doubles.empty()) return std::nullopt;
  std::string select;
  for (size_t i : doubles)
    select += (select.empty() ? "" : ", ") + std::string("json_extract(json, ") +
              quote_literal("$." + quote_identifier(detected[i].name)) + ")::VARCHAR";
  files::SqlArgs objects;
  objects.string("format", options_.format == "newline_delimited" ? "newline_delimited" : options_.format);
  if (options_.compression != "auto")
    objects.string("compression", options_.compression == "none" ? "uncompressed" : options_.compression);
  engine::Database db;
  engine::Connection con(db);
  auto rows = con.query("SELECT " + select + " FROM read_json_objects(" + files::sql_file_list(file_list) +
                        ", " + objects.str() + ") LIMIT 20480")
                  .rows();
  bool changed = false;
  std::vector<std::pair<std::string, std::string>> columns;
  for (const auto& c : detected) columns.emplace_back(c.name, c.type.to_sql());
  for (size_t k = 0; k < doubles.size(); ++k) {
    size_t int_digits = 0, frac_digits = 0;
    bool integers = true, plain = true;
    for (const auto& r : rows) {
      const std::string& v = r[k];
      if (v == "NULL") continue;
      size_t start = v[0] == '-' ? 1 : 0, dot = v.find('.');
      if (v.find_first_of("eE") != std::string::npos ||
          v.find_first_not_of("0123456789.", start) != std::string::npos) {
        plain = false;
        break;
      }
      std::string whole = v.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size()));
      int_digits = std::max(int_digits, whole.size());
      if (dot != std::string::npos) {
        integers = false;
        frac_digits = std::max(frac_digits, v.size() - dot - 1);
      }
    }
    if (!plain || int_digits + frac_digits <= 15) continue;  // a DOUBLE holds these exactly enough
    std::string& type = columns[doubles[k]].second;
    if (integers && int_digits <= 18)
      type = "BIGINT";
    else if (integers && int_digits <= 38)
      type = "HUGEINT";
    else if (int_digits + frac_digits <= 38)
      type = "DECIMAL(" + std::to_string(int_digits + frac_digits) + "," + std::to_string(frac_digits) + ")";
    else {
      lossy_columns_.push_back(detected[doubles[k]].name);
      continue;
    }
    changed = true;
  }
  if (!changed) return std::nullopt;
  files::SqlArgs map;
  map.string_map("c", columns);
  std::string rendered = map.str();
  return rendered.substr(rendered.find('=') + 1);
}

ReadReport JsonSource::after_read(engine::Connection&, const std::string&, const std::string&) {
  ReadReport report;
  for (const auto& c : lossy_columns_)
    report.warnings.push_back("column '" + c +
                              "' holds numbers with more digits than DOUBLE or DECIMAL(38) keep; "
                              "they lose digits (declare it in `columns` as VARCHAR to keep the text)");
  for (const auto& c : schema()) {
    bool json = false;
    // The document's top level counts as one: a column at nesting n sits at depth n + 1.
    if (nesting(c.type, json) + 1 >= static_cast<size_t>(options_.max_depth) && json)
      report.warnings.push_back(
          "column '" + c.name + "' holds values nested deeper than " + std::to_string(options_.max_depth) +
          " levels; below that they are kept as JSON text (raise \"max_depth\" to type them)");
  }
  return report;
}

std::vector<std::string> parse_json_path(const std::string& path) {
  std::string p = path;
  if (p.rfind("$", 0) == 0) p = p.substr(1);
  if (p.size() >= 3 && p.compare(p.size() - 3, 3, "[*]") == 0) p.resize(p.size() - 3);
  std::vector<std::string> keys;
  size_t start = p.rfind(".", 0) == 0 ? 1 : 0;
  while (start <= p.size()) {
    size_t dot = p.find('.', start);
    std::string key = p.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (key.empty())
      throw validation_error("`json_path` '" + path + "' has an empty key",
                             "write it as data.items or $.data.items");
    keys.push_back(key);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return keys;
}

JsonSourceOptions JsonSourceOptions::from_params(const Params& p) {
  JsonSourceOptions o;
  o.path = file_params::required_path(p, kSourceWhat);
  if (auto f = opt_string(p, "format")) {
    std::string v = ascii_lower(*f);
    if (v == "lines" || v == "jsonl" || v == "ndjson" || v == "json_lines" || v == "newline_delimited")
      o.format = "newline_delimited";
    else if (v == "array" || v == "auto")
      o.format = v;
    else
      throw validation_error("unknown format '" + *f + "'", "use auto, newline_delimited or array");
  }
  if (p.contains("columns") && !p["columns"].is_null()) {
    const auto& c = p["columns"];
    if (c.is_array()) {
      for (const auto& e : c) {
        if (!e.is_string()) throw validation_error("`columns` as a list holds column names");
        o.select.push_back(e.get<std::string>());
      }
    } else if (c.is_object()) {
      for (const auto& [name, type] : c.items()) {
        if (!type.is_string() || type.get<std::string>().empty())
          throw validation_error("the type of column '" + name + "' in `columns` must be a type name");
        o.column_types.emplace_back(name, type.get<std::string>());
      }
    } else {
      throw validation_error("`columns` must be a list of names or an object of name → type");
    }
  }
  if (auto j = opt_string(p, "json_path")) o.json_path = parse_json_path(*j);
  o.flatten = file_params::bool_or(p, "flatten", o.flatten);
  o.union_by_name = file_params::bool_or(p, "union_by_name", o.union_by_name);
  o.filename = file_params::bool_or(p, "filename", o.filename);
  if (auto c = opt_string(p, "compression"))
    o.compression = file_params::source_compression_value(*c, kSourceWhat);
  if (auto f = opt_string(p, "date_format")) o.date_format = *f;
  if (auto f = opt_string(p, "timestamp_format")) o.timestamp_format = *f;
  if (p.contains("max_depth") && p["max_depth"].is_number_integer())
    o.max_depth = p["max_depth"].get<int64_t>();
  if (p.contains("maximum_object_size") && p["maximum_object_size"].is_number_integer())
    o.maximum_object_size = p["maximum_object_size"].get<int64_t>();
  o.validate();
  return o;
}

void JsonSourceOptions::validate() const {
  if (max_depth < 1 || max_depth > kMaxDepthLimit)
    throw validation_error(
        "`max_depth` must be 1 to " + std::to_string(kMaxDepthLimit) + ", got " + std::to_string(max_depth),
        "levels of nesting read as typed columns; deeper values stay JSON text");
  if (maximum_object_size && *maximum_object_size <= 0)
    throw validation_error("`maximum_object_size` must be > 0");
}

JsonSource::JsonSource(JsonSourceOptions options, ConnectorContext context)
    : FileViewSource(kSourceWhat, options.path, std::move(context)), options_(std::move(options)) {}

namespace {

// DuckDB's JSON writer renders BLOBs as "\xNN" text, which its reader does not decode when asked
// for a BLOB: such columns are read as text (their type in `read_types` becomes VARCHAR) and cast,
// so exported BLOBs read back unchanged. Returns the casts for SELECT * REPLACE (…), or "".
std::string read_blobs_as_text(std::vector<std::pair<std::string, std::string>>& read_types) {
  std::string blob_casts;
  for (auto& [name, type] : read_types)
    if (ascii_lower(type) == "blob" || ascii_lower(type) == "bytea") {
      type = "VARCHAR";
      blob_casts += (blob_casts.empty() ? "" : ", ") + std::string("CAST(") + quote_identifier(name) +
                    " AS BLOB) AS " + quote_identifier(name);
    }
  return blob_casts;
}

// With json_path the records sit inside one document, which may be as large as the largest file.
int64_t largest_document(const std::vector<fs::path>& file_list) {
  uintmax_t largest = 0;
  for (const auto& f : file_list) {
    std::error_code ec;
    largest = std::max<uintmax_t>(largest, fs::file_size(f, ec));
  }
  return static_cast<int64_t>(std::min<uintmax_t>(std::max<uintmax_t>(largest + 1, 16u << 20), 0xFFFFFFF0u));
}

// "expr AS name, …" of `list`; two columns of one name (after flattening) are an Error.
std::string select_list_sql(const std::vector<std::pair<std::string, std::string>>& list) {
  std::string select;
  std::set<std::string> seen;
  for (const auto& [expr, name] : list) {
    if (!seen.insert(ascii_lower(name)).second)
      throw validation_error("two columns would be named '" + name + "' after flattening",
                             "rename one of the fields, or read without flatten");
    select += (select.empty() ? "" : ", ") + expr + " AS " + quote_identifier(name);
  }
  return select;
}

}  // namespace

FileViewSource::View JsonSource::build_view(const std::vector<fs::path>& file_list) {
  for (const auto& f : file_list) check_nesting(f, kSourceWhat);
  std::vector<std::pair<std::string, std::string>> read_types = options_.column_types;
  const std::string blob_casts = read_blobs_as_text(read_types);
  const std::string reader = reader_call(file_list, read_types);
  View view;
  try {
    view.sql = select_sql(reader, blob_casts);
    view.schema = describe(view.sql);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Validation) throw;
    throw cannot_read(file_list, e.message(), "check `format`, `json_path` and `columns` against the file");
  }
  return view;
}

std::string JsonSource::reader_call(const std::vector<fs::path>& file_list,
                                    const std::vector<std::pair<std::string, std::string>>& read_types) {
  const auto& o = options_;
  files::SqlArgs args;
  args.string("format", o.format).integer("maximum_depth", o.max_depth);
  // read_json names these auto_detect and uncompressed.
  if (o.compression != "auto")
    args.string("compression", o.compression == "none" ? "uncompressed" : o.compression);
  if (!read_types.empty()) args.string_map("columns", read_types);
  if (o.union_by_name) args.flag("union_by_name", true);
  if (o.filename) args.flag("filename", true);
  if (!o.date_format.empty()) args.string("dateformat", o.date_format);
  if (!o.timestamp_format.empty()) args.string("timestampformat", o.timestamp_format);
  int64_t max_object = o.maximum_object_size.value_or(0);
  if (!max_object && !o.json_path.empty()) max_object = largest_document(file_list);
  if (max_object) args.integer("maximum_object_size", max_object);
  std::string reader = "read_json(" + files::sql_file_list(file_list) + ", " + args.str() + ")";
  lossy_columns_.clear();
  if (read_types.empty() && o.json_path.empty()) {
    try {
      if (auto exact = exact_number_types(file_list, describe("SELECT * FROM " + reader)))
        reader =
            "read_json(" + files::sql_file_list(file_list) + ", " + args.str() + ", columns=" + *exact + ")";
    } catch (const Error&) {
      // The sample could not be read as objects: keep DuckDB's own detection.
    }
  }
  return reader;
}

std::string JsonSource::select_sql(const std::string& reader, const std::string& blob_casts) {
  const auto& o = options_;
  std::string from = reader;
  std::vector<std::pair<std::string, std::string>> list;  // (expression, name)
  if (!o.json_path.empty()) {
    from = records_from(reader, list);
  } else if (o.flatten) {
    for (const auto& c : describe("SELECT * FROM " + reader))
      select_list(quote_identifier(c.name), c.name, c.type, true, list);
  }
  const std::string select = select_list_sql(list);
  std::string sql = "SELECT " + (select.empty() ? std::string("*") : select) + " FROM " + from;
  if (!blob_casts.empty()) sql = "SELECT * REPLACE (" + blob_casts + ") FROM (" + sql + ")";
  if (!o.select.empty()) {
    std::string cols;
    for (const auto& c : o.select) cols += (cols.empty() ? "" : ", ") + quote_identifier(c);
    sql = "SELECT " + cols + " FROM (" + sql + ")";
  }
  if (auto cursor = cursor_condition(); !cursor.empty()) sql = "SELECT * FROM (" + sql + ") WHERE " + cursor;
  return sql;
}

std::string JsonSource::records_from(const std::string& reader,
                                     std::vector<std::pair<std::string, std::string>>& list) {
  const auto& o = options_;
  std::string expr = quote_identifier(o.json_path[0]);
  for (size_t i = 1; i < o.json_path.size(); ++i)
    expr = "struct_extract(" + expr + ", " + quote_literal(o.json_path[i]) + ")";
  Schema outer = describe("SELECT " + expr + " AS r FROM " + reader);
  if (outer[0].type.id() != DUCKDB_TYPE_LIST)
    throw validation_error("`json_path` leads to a " + outer[0].type.to_sql() +
                           ", not to an array of records");
  const std::string from = "(SELECT unnest(" + expr + ") AS " + quote_identifier(kRecord) +
                           (o.filename ? ", filename" : "") + " FROM " + reader + ")";
  LogicalType element = outer[0].type.list_child();
  if (element.id() == DUCKDB_TYPE_STRUCT) {
    for (size_t i = 0; i < element.struct_size(); ++i) {
      const std::string member = element.struct_name(i);
      select_list("struct_extract(" + quote_identifier(kRecord) + ", " + quote_literal(member) + ")", member,
                  element.struct_child(i), o.flatten, list);
    }
  } else {
    list.emplace_back(quote_identifier(kRecord), "value");
  }
  if (o.filename) list.emplace_back("filename", "filename");
  return from;
}

}  // namespace sqlflow::connectors::json
