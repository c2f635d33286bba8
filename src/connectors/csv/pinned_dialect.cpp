#include "connectors/csv/pinned_dialect.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/file_paths.hpp"
#include "core/quote.hpp"
#include "engine/connection.hpp"

namespace sqlflow::connectors::csv {

namespace {
// sniff_csv's VARCHAR columns spell "no value" this way (DuckDB's csv_sniffer function).
std::string or_empty(const std::string& v) {
  return v == "(empty)" ? std::string() : v;
}
bool is_unset(const std::string& v) {
  return v.empty() || v == "NULL";
}

// How many fields the header line really has: the sniffed dialect reads it as text with padding,
// and a padded field is NULL while an empty one is '' (nullstr is set to a value no file holds).
size_t header_fields(engine::Connection& con, const std::filesystem::path& file,
                     const files::SqlArgs& dialect, size_t columns) {
  std::vector<std::pair<std::string, std::string>> text;
  for (size_t i = 0; i < columns; ++i) text.emplace_back("c" + std::to_string(i), "VARCHAR");
  files::SqlArgs args;
  // ignore_errors: a bad byte further on in the first buffer must not hide the header line.
  args.merge(dialect.str())
      .flag("header", false)
      .string_map("columns", text)
      .flag("null_padding", true)
      .string("nullstr", "\x01sqlflow-no-null")
      .flag("ignore_errors", true)
      .flag("parallel", false);
  auto rows =
      con.query("SELECT * FROM read_csv(" + quote_literal(file.string()) + ", " + args.str() + ") LIMIT 1")
          .rows();
  if (rows.empty()) return columns;
  size_t n = columns;
  while (n > 0 && rows[0][n - 1] == "NULL") --n;
  return n;
}

// Whether the sniffer made up the names of the columns from `from` on (column<index>).
bool generated_names_from(const std::vector<std::pair<std::string, std::string>>& columns, size_t from) {
  for (size_t i = from; i < columns.size(); ++i)
    if (columns[i].first != "column" + std::to_string(i)) return false;
  return from < columns.size();
}
}  // namespace

std::optional<std::string> pinned_dialect(engine::Connection& con, const std::filesystem::path& file,
                                          const std::string& detect_args, bool null_padding) {
  std::vector<std::vector<std::string>> rows;
  try {
    rows = con.query(
                  "SELECT Delimiter, Quote, Escape, NewLineDelimiter, Comment, SkipRows, HasHeader, "
                  "to_json(Columns), DateFormat, TimestampFormat FROM sniff_csv(" +
                  quote_literal(file.string()) + ", " + detect_args + ")")
               .rows();
  } catch (const Error&) {
    return std::nullopt;
  }
  if (rows.size() != 1 || rows[0].size() != 10) return std::nullopt;
  const auto& r = rows[0];

  std::vector<std::pair<std::string, std::string>> columns;
  auto parsed = nlohmann::json::parse(r[7], nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array() || parsed.empty()) return std::nullopt;
  for (const auto& c : parsed) {
    if (!c.is_object() || !c.contains("name") || !c.contains("type") || !c["name"].is_string() ||
        !c["type"].is_string())
      return std::nullopt;
    columns.emplace_back(c["name"].get<std::string>(), c["type"].get<std::string>());
  }
  int64_t skip = 0;
  try {
    skip = std::stoll(r[5]);
  } catch (const std::exception&) {
    return std::nullopt;
  }

  files::SqlArgs dialect;
  dialect.flag("auto_detect", false)
      .string("delim", or_empty(r[0]))
      .string("quote", or_empty(r[1]))
      .string("escape", or_empty(r[2]))
      .string("new_line", r[3])
      .string("comment", or_empty(r[4]))
      .integer("skip", skip);
  const bool header = r[6] == "true";
  if (header && null_padding) {
    size_t first_generated = columns.size();
    while (first_generated > 0 && generated_names_from(columns, first_generated - 1)) --first_generated;
    if (first_generated < columns.size()) {
      try {
        size_t width = std::max(header_fields(con, file, dialect, columns.size()), first_generated);
        columns.resize(std::max<size_t>(width, 1));
      } catch (const Error&) {
        return std::nullopt;
      }
    }
  }
  files::SqlArgs args;
  args.merge(dialect.str()).flag("header", header).string_map("columns", columns);
  // An ISO date is what DuckDB's own cast reads, on a fast path a dateformat would replace with
  // strptime (~7 % slower on the benchmark's 1 GB file); the sniffer reports it all the same.
  if (!is_unset(r[8]) && r[8] != "%Y-%m-%d") args.string("dateformat", r[8]);
  if (!is_unset(r[9])) args.string("timestampformat", r[9]);
  return args.str();
}

}  // namespace sqlflow::connectors::csv
