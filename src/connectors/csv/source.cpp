#include "connectors/csv/source.hpp"

#include <cstdio>
#include <random>
#include <regex>

#include "connectors/csv/line_scan.hpp"
#include "connectors/csv/pinned_dialect.hpp"
#include "connectors/file_params.hpp"
#include "core/error.hpp"
#include "core/file_paths.hpp"
#include "core/quote.hpp"
#include "engine/connection.hpp"

namespace sqlflow::connectors::csv {
namespace fs = std::filesystem;

namespace {

// Empty: the framework puts "csv source '<name>'" before this connector's errors (connector_error.hpp).
constexpr const char* kSourceWhat = "";

using file_params::ascii_lower;

std::optional<std::string> opt_string(const Params& p, const char* key) {
  return file_params::optional_string(p, key, kSourceWhat);
}

std::vector<std::string> string_list(const nlohmann::json& v, const char* key) {
  std::vector<std::string> out;
  if (v.is_string()) return {v.get<std::string>()};
  if (!v.is_array())
    throw validation_error(std::string("`") + key + "` must be a string or a list of strings");
  for (const auto& e : v) {
    if (!e.is_string()) throw validation_error(std::string("every entry of `") + key + "` must be a string");
    out.push_back(e.get<std::string>());
  }
  return out;
}

// DuckDB's CSV reader knows utf-8, utf-16 and latin-1 (others need an extension we cannot load).
std::string duckdb_encoding(const std::string& given) {
  std::string e;
  for (char c : ascii_lower(given))
    if (c != '-' && c != '_' && c != ' ') e += c;
  if (e == "utf8" || e == "ascii" || e == "usascii" || e == "utf8sig") return "utf-8";
  if (e == "latin1" || e == "iso88591" || e == "l1" || e == "iso8859" || e == "cp819") return "latin-1";
  if (e == "utf16") return "utf-16";
  throw validation_error("unsupported encoding '" + given + "'",
                         "supported: utf-8 (also ascii), latin-1 (iso-8859-1), utf-16");
}

// The encoding a file's byte order mark announces: "utf-16" (little-endian, what DuckDB reads),
// "utf-16be" (which it cannot), or "" (UTF-8 with or without a mark, or no mark).
std::string bom_encoding(const fs::path& file) {
  unsigned char b[2] = {0, 0};
  if (FILE* f = std::fopen(file.c_str(), "rb")) {
    size_t n = std::fread(b, 1, 2, f);
    std::fclose(f);
    if (n < 2) return {};
  }
  if (b[0] == 0xFF && b[1] == 0xFE) return "utf-16";
  if (b[0] == 0xFE && b[1] == 0xFF) return "utf-16be";
  return {};
}

// DuckDB's CSV errors end with "Possible fixes" naming read_csv options (ignore_errors,
// strict_mode, …) and a dump of every option, and echo the whole bad line (11 KB of a 20 MB
// field): keep what went wrong, with the line cut to a readable length.
std::string clean_csv_message(const std::string& message) {
  std::string out;
  size_t start = 0;
  while (start <= message.size()) {
    size_t end = message.find('\n', start);
    std::string line = message.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? message.size() + 1 : end + 1;
    if (line.rfind("Possible fixes", 0) == 0 || line.rfind("Possible Solution", 0) == 0 ||
        line.rfind("Possible solution", 0) == 0 || line.rfind("* ", 0) == 0)
      continue;
    if (line.size() > 2 && line[0] == ' ' && line[1] == ' ' && line.find(" = ") != std::string::npos)
      continue;
    if (line.empty() || line.rfind("LINE ", 0) == 0 || line.find_first_not_of(' ') == line.find('^'))
      continue;
    constexpr size_t kMaxEcho = 200;
    if (line.size() > kMaxEcho + 40)
      line = line.substr(0, kMaxEcho) + "… (" + std::to_string(line.size()) + " bytes)";
    out += (out.empty() ? "" : "\n") + line;
  }
  return out;
}

// The parameter that lifts a DuckDB CSV limit, by the limit the message names.
std::string csv_hint(const std::string& message) {
  if (message.find("Maximum line size") != std::string::npos)
    return "a line (or a field) is longer than max_line_size: raise \"max_line_size\" (bytes), or set "
           "\"on_error\": "
           "\"skip\" to leave such lines out";
  return "fix the file, or set \"on_error\": \"skip\" to load the other rows and keep the bad ones in "
         "sqlflow_rejects.<source>";
}

// Whether the sniffer named trailing columns itself (column<index>): rows longer than the header.
bool widened(const Schema& schema) {
  return !schema.empty() && schema.back().name == "column" + std::to_string(schema.size() - 1);
}

std::string random_id() {
  std::random_device rd;
  std::uniform_int_distribution<unsigned> dist(0, 0xffffffffu);
  char buf[20];
  std::snprintf(buf, sizeof buf, "%08x%08x", dist(rd), dist(rd));
  return buf;
}

}  // namespace

CsvSourceOptions CsvSourceOptions::from_params(const Params& p) {
  CsvSourceOptions o;
  o.path = file_params::required_path(p, kSourceWhat);
  o.has_header = file_params::bool_or(p, "has_header", o.has_header);
  if (auto d = opt_string(p, "delimiter")) o.delimiter = *d == "\\t" ? "\t" : *d;
  if (auto q = opt_string(p, "quote_char")) o.quote = *q;
  o.escape = o.quote;  // RFC 4180: a quote inside a quoted field is doubled
  if (auto e = opt_string(p, "escape_char")) o.escape = *e;
  if (auto e = opt_string(p, "encoding")) {
    o.encoding = duckdb_encoding(*e);
    o.encoding_given = true;
  }
  if (p.contains("columns") && !p["columns"].is_null()) {
    if (!p["columns"].is_object())
      throw validation_error("`columns` must be an object of column name → type",
                             "e.g. {\"id\": \"BIGINT\", \"price\": \"DECIMAL(10,2)\"}");
    for (const auto& [name, type] : p["columns"].items())
      o.column_types.emplace_back(name, type.is_string() ? type.get<std::string>() : std::string());
  }
  if (p.contains("names") && !p["names"].is_null()) o.names = string_list(p["names"], "names");
  if (p.contains("null_values") && !p["null_values"].is_null())
    o.null_values = string_list(p["null_values"], "null_values");
  if (auto f = opt_string(p, "date_format")) o.date_format = *f;
  if (auto f = opt_string(p, "timestamp_format")) o.timestamp_format = *f;
  if (p.contains("skip_rows") && p["skip_rows"].is_number_integer())
    o.skip_rows = p["skip_rows"].get<int64_t>();
  if (auto c = opt_string(p, "compression"))
    o.compression = file_params::source_compression_value(*c, kSourceWhat);
  if (auto e = opt_string(p, "on_error")) o.on_error = ascii_lower(*e);
  o.skip_bad_rows = o.on_error == "skip";
  o.null_padding = file_params::bool_or(p, "null_padding", o.null_padding);
  o.union_by_name = file_params::bool_or(p, "union_by_name", o.union_by_name);
  o.filename = file_params::bool_or(p, "filename", o.filename);
  if (p.contains("sample_size") && p["sample_size"].is_number_integer())
    o.sample_size = p["sample_size"].get<int64_t>();
  if (p.contains("max_line_size") && p["max_line_size"].is_number_integer())
    o.max_line_size = p["max_line_size"].get<int64_t>();
  o.validate();
  return o;
}

void CsvSourceOptions::validate() const {
  auto fail = [](const std::string& what) { throw validation_error("" + what); };
  if (delimiter.empty() || delimiter.size() > 4)
    fail("`delimiter` must be 1 to 4 characters, got '" + delimiter + "'");
  if (quote.size() > 1) fail("`quote_char` must be one character (or empty for none)");
  if (escape.size() > 1) fail("`escape_char` must be one character (or empty)");
  for (const auto& [name, type] : column_types)
    if (type.empty())
      fail("the type of column '" + name + "' in `columns` must be a type name such as \"INTEGER\"");
  if (skip_rows < 0) fail("`skip_rows` must be ≥ 0");
  if (on_error != "fail" && on_error != "skip")
    fail("`on_error` must be fail or skip, got '" + on_error + "'");
  if (max_line_size && *max_line_size < 1) fail("`max_line_size` must be > 0");
}

CsvSource::CsvSource(CsvSourceOptions options, ConnectorContext context)
    : FileViewSource(kSourceWhat, options.path, std::move(context)), options_(std::move(options)) {
  const std::string id = random_id();
  rejects_table_ = "sqlflow_csv_rejects_" + id;
  rejects_scan_ = "sqlflow_csv_scans_" + id;
}

files::SqlArgs CsvSource::detect_args() const {
  const auto& o = options_;
  files::SqlArgs args;
  args.flag("header", o.has_header)
      .string("delim", o.delimiter)
      .string("quote", o.quote)
      .string("escape", o.escape);
  read_args(args);
  if (o.skip_rows > 0) args.integer("skip", o.skip_rows);
  if (!o.date_format.empty()) args.string("dateformat", o.date_format);
  if (!o.timestamp_format.empty()) args.string("timestampformat", o.timestamp_format);
  if (!o.names.empty()) args.strings("names", o.names);
  if (!o.column_types.empty()) args.string_map("types", o.column_types);
  if (o.sample_size) args.integer("sample_size", *o.sample_size);
  if (o.max_line_size) args.integer("max_line_size", *o.max_line_size);
  return args;
}

void CsvSource::read_args(files::SqlArgs& args) const {
  const auto& o = options_;
  args.string("encoding", encoding_.empty() ? o.encoding : encoding_)
      .string("compression", o.compression)
      // An empty unquoted field is NULL, a quoted "" is the empty string (as PostgreSQL's CSV).
      .flag("allow_quoted_nulls", false);
  if (o.null_values) args.strings("nullstr", *o.null_values);
  if (o.max_line_size) args.integer("max_line_size", *o.max_line_size);
}

std::string CsvSource::reader_call(const std::vector<fs::path>& file_list, bool diagnose) const {
  const auto& o = options_;
  files::SqlArgs args;
  if (pinned_ && !diagnose) {
    args.merge(*pinned_);
    read_args(args);
  } else {
    args = detect_args();
  }
  if (pad_) args.flag("null_padding", true);
  if (serial_) args.flag("parallel", false);
  if (lenient_ && pinned_ && !diagnose) args.flag("strict_mode", false);
  if (o.union_by_name) args.flag("union_by_name", true);
  if (o.filename) args.flag("filename", true);
  if (diagnose) {
    args.flag("store_rejects", true)
        .string("rejects_table", "diag_errors")
        .string("rejects_scan", "diag_scans");
  } else if (o.skip_bad_rows) {
    args.flag("store_rejects", true)
        .string("rejects_table", rejects_table_)
        .string("rejects_scan", rejects_scan_);
  }
  return "read_csv(" + files::sql_file_list(file_list) + ", " + args.str() + ")";
}

void CsvSource::explain_bind_failure(const std::vector<fs::path>& file_list, const Error& error) const {
  // What DuckDB cannot place on a line: an unclosed quote (its sniffer gives up on the file) and
  // a line over max_line_size (reported as line 1). Uncompressed files are scanned for them.
  const std::string& m = error.message();
  for (const auto& f : file_list) {
    const std::string ext = ascii_lower(f.extension().string());
    if (ext == ".gz" || ext == ".zst" || ext == ".gzip") continue;
    if (m.find("Maximum line size") != std::string::npos) {
      if (auto line = first_line_longer_than(f, options_.max_line_size.value_or(2000000)))
        throw data_error("'" + f.string() + "' line " + std::to_string(*line) + " is longer than " +
                             std::to_string(options_.max_line_size.value_or(2000000)) + " bytes",
                         options_.skip_bad_rows
                             ? "raise \"max_line_size\" (bytes): the line is met while detecting the "
                               "file's dialect, before any row can be skipped"
                             : csv_hint(m));
    }
    if (m.find("Error when sniffing") != std::string::npos && !options_.quote.empty()) {
      if (auto line = unclosed_quote_line(f, options_.quote[0]))
        throw data_error(
            "'" + f.string() + "' line " + std::to_string(*line) +
                ": a quoted field opens here and is never closed, so the file's dialect cannot be "
                "detected",
            "close the quote (or double a quote inside a quoted field), or set \"quote_char\": \"\" "
            "to read quotes as ordinary characters");
    }
  }
  // DuckDB's sniffer rejects a file whose sample holds a malformed line without saying where; a
  // tolerant read of the same files finds the first bad line so the message can name it.
  std::optional<Error> located;
  try {
    engine::Database db;
    engine::Connection con(db);
    // `t IS NOT NULL` uses every column, so every value is parsed and cast.
    con.execute("CREATE TEMP TABLE diag AS SELECT count(*) FROM " + reader_call(file_list, true) +
                " t WHERE t IS NOT NULL");
    auto rows =
        con.query(
               "SELECT s.file_path, e.line, e.error_message, coalesce(e.csv_line, '') FROM diag_errors e "
               "JOIN diag_scans s USING (scan_id, file_id) ORDER BY s.file_path, e.line LIMIT 1")
            .rows();
    if (!rows.empty()) {
      auto& r = rows[0];
      located = data_error(
          "'" + r[0] + "' line " + r[1] + ": " + r[2] + " (line: " + r[3] + ")",
          "fix the file, or set \"on_error\": \"skip\" to load the other rows and keep the bad ones in "
          "sqlflow_rejects.<source>");
    }
  } catch (const Error&) {
    // The diagnosis could not read the files either: report DuckDB's own error below.
  }
  if (located) throw *located;
  throw cannot_read(file_list, clean_csv_message(error.message()), csv_hint(error.message()));
}

FileViewSource::View CsvSource::build_view(const std::vector<fs::path>& file_list) {
  // One file: sniff it once and pin the result (see pinned_dialect.hpp). Several files are left to
  // DuckDB's multi-file reader, which decides per file how schemas meet (union_by_name).
  pinned_.reset();
  files_ = file_list;
  choose_encoding(file_list);
  if (file_list.size() == 1 && !options_.union_by_name) {
    engine::Database db;
    engine::Connection con(db);
    files::SqlArgs sniff = detect_args();
    if (options_.null_padding) sniff.flag("null_padding", true);
    pinned_ = pinned_dialect(con, file_list[0], sniff.str(), options_.null_padding);
    // Mixed line endings (and other departures from RFC 4180 that pandas reads) make the strict
    // sniffer give up on the whole file; the lenient one finds the dialect, and the file is read
    // leniently too (with a warning: DuckDB's strict reader refuses such files outright).
    lenient_ = false;
    if (!pinned_) {
      sniff.flag("strict_mode", false);
      pinned_ = pinned_dialect(con, file_list[0], sniff.str(), options_.null_padding);
      lenient_ = pinned_.has_value();
    }
  }
  // Padding is off for a pinned read until a short row shows up (adapt_after_failure), so files
  // without short rows keep DuckDB's fastest path. With detection (several files) it must be on
  // from the start, and so with on_error skip, which would otherwise reject short rows.
  pad_ = options_.null_padding && (!pinned_ || short_rows_seen_ || options_.skip_bad_rows);
  auto make_view = [&] {
    View view;
    view.sql = "SELECT * FROM " + reader_call(file_list, false);
    if (auto cursor = cursor_condition(); !cursor.empty()) view.sql += " WHERE " + cursor;
    view.schema = describe(view.sql);
    return view;
  };
  try {
    View view = make_view();
    // Detection with padding widens the table to the longest sampled row (column3, …); a row
    // longer than the header must stay an error, so such files are read strictly.
    if (!pinned_ && pad_ && options_.has_header && widened(view.schema)) {
      pad_ = false;
      return make_view();
    }
    return view;
  } catch (const Error& e) {
    if (!pinned_) explain_bind_failure(file_list, e);
  }
  pinned_.reset();  // the pinned read failed where detection might not: read as DuckDB would
  pad_ = options_.null_padding;
  try {
    return make_view();
  } catch (const Error& e) {
    explain_bind_failure(file_list, e);
  }
}

void CsvSource::choose_encoding(const std::vector<fs::path>& file_list) {
  encoding_.clear();
  if (options_.compression != "auto" && options_.compression != "none") return;
  for (const auto& f : file_list) {
    const std::string ext = ascii_lower(f.extension().string());
    if (ext == ".gz" || ext == ".zst" || ext == ".gzip") continue;  // compressed: the mark is inside
    const std::string bom = bom_encoding(f);
    if (bom == "utf-16be")
      throw data_error(
          "'" + f.string() +
              "' is UTF-16 big-endian (it starts with the byte order mark FE FF), which DuckDB's CSV "
              "reader cannot read",
          "convert it: iconv -f UTF-16BE -t UTF-8 < file > file.utf8.csv");
    if (bom == "utf-16" && options_.encoding_given && options_.encoding != "utf-16")
      throw data_error("'" + f.string() +
                           "' is UTF-16 (it starts with the byte order mark FF FE), "
                           "but \"encoding\" says " +
                           options_.encoding,
                       "set \"encoding\": \"utf-16\", or leave encoding out to follow the mark");
    if (bom == "utf-16" && !options_.encoding_given) {
      if (!encoding_.empty() || &f == &file_list.front()) encoding_ = "utf-16";
    } else if (!encoding_.empty()) {
      throw data_error("the files mix UTF-16 (with a byte order mark) and other encodings; '" + f.string() +
                           "' has no UTF-16 mark",
                       "read them with separate sources, or convert them to UTF-8");
    }
  }
}

std::optional<Error> CsvSource::explain_failure(const Error& error) {
  const std::string& m = error.message();
  if (m.find("CSV Error") == std::string::npos) return std::nullopt;
  for (const auto& f : files_)
    if (m.find("file = " + f.string()) != std::string::npos)
      return data_error("'" + f.string() + "': " + clean_csv_message(m), csv_hint(m));
  return std::nullopt;
}

bool CsvSource::adapt_after_failure(const Error& error) {
  const std::string& m = error.message();
  // DuckDB's parallel reader refuses padding next to a quoted newline, either saying so or as a
  // "Parameter Not Allowed" error wrapping the first bad line it met.
  if (pad_ && !serial_ &&
      (m.find("null_padding in conjunction with quoted new lines") != std::string::npos ||
       m.find("Parameter Not Allowed Error") != std::string::npos)) {
    serial_ = true;
    rebuild();
    return true;
  }
  static const std::regex columns(R"(Expected Number of Columns: ([0-9]+) Found: ([0-9]+))");
  std::smatch c;
  if (options_.null_padding && !pad_ && std::regex_search(m, c, columns) &&
      std::stoul(c[2].str()) < std::stoul(c[1].str())) {
    short_rows_seen_ = true;
    rebuild();
    return true;
  }
  return false;
}

ReadReport CsvSource::after_read(engine::Connection& con, const std::string& source_name,
                                 const std::string& target_table) {
  ReadReport report;
  if (lenient_)
    report.warnings.push_back(
        "the file does not follow RFC 4180 (e.g. it mixes line endings), so DuckDB's strict "
        "reader refused it; it was read leniently");
  if (options_.skip_bad_rows) report.rejected_rows = keep_rejects(con, source_name);
  if (uint64_t padded = padded_rows(con, target_table))
    report.warnings.push_back(
        std::to_string(padded) + (padded == 1 ? " row" : " rows") +
        " had fewer fields than the header; the missing trailing fields were read as NULL "
        "(set \"null_padding\": false to reject such rows)");
  return report;
}

size_t CsvSource::keep_rejects(engine::Connection& con, const std::string& source_name) {
  const std::string target = "sqlflow_rejects." + quote_identifier(source_name);
  con.execute("CREATE SCHEMA IF NOT EXISTS sqlflow_rejects");
  auto exists = con.scalar("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = $1",
                           {rejects_table_});
  if (!exists || *exists == "0") {
    // The scan rejected nothing (DuckDB creates its reject tables on the first reject).
    con.execute("CREATE OR REPLACE TABLE " + target +
                " (file VARCHAR, line BIGINT, byte_offset BIGINT, \"column\" VARCHAR, error_type VARCHAR, "
                "error VARCHAR, raw_line VARCHAR)");
    return 0;
  }
  const std::string errors = "temp.main." + quote_identifier(rejects_table_);
  const std::string scans = "temp.main." + quote_identifier(rejects_scan_);
  // DuckDB stores one row per error; a line with two errors is still one rejected input row.
  con.execute(
      "CREATE OR REPLACE TABLE " + target +
      " AS SELECT s.file_path AS file, e.line::BIGINT AS line, min(e.line_byte_position)::BIGINT - 1 AS "
      "byte_offset, string_agg(e.column_name, '; ' ORDER BY e.column_idx) AS \"column\", "
      "string_agg(e.error_type::VARCHAR, '; ' ORDER BY e.column_idx) AS error_type, "
      "string_agg(e.error_message, '; ' ORDER BY e.column_idx) AS error, any_value(e.csv_line) AS raw_line "
      "FROM " +
      errors + " e JOIN " + scans +
      " s ON e.scan_id = s.scan_id AND e.file_id = s.file_id GROUP BY s.file_path, e.line ORDER BY file, "
      "line");
  auto count = con.scalar("SELECT count(*) FROM " + target);
  // Later scans on this connection start from empty tables, so each LOAD reports only its own rejects.
  con.execute("DELETE FROM " + errors + "; DELETE FROM " + scans);
  return count ? std::stoull(*count) : 0;
}

uint64_t CsvSource::padded_rows(engine::Connection& con, const std::string& target_table) {
  if (!options_.null_padding || files_.empty() || schema().empty()) return 0;
  // A padded row has NULL in the last column; most files have none there, and then nothing is read.
  const std::string last = quote_identifier(schema().back().name);
  auto nulls =
      con.scalar("SELECT count(*) FROM " + quote_identifier(target_table) + " WHERE " + last + " IS NULL");
  if (!nulls || *nulls == "0") return 0;
  engine::Database db;
  engine::Connection strict(db);
  files::SqlArgs args;
  if (pinned_)
    args.merge(*pinned_);
  else
    args = detect_args();
  read_args(args);
  args.flag("null_padding", false)
      .flag("store_rejects", true)
      .string("rejects_table", "short_errors")
      .string("rejects_scan", "short_scans");
  strict.execute("CREATE TEMP TABLE n AS SELECT count(*) FROM read_csv(" + files::sql_file_list(files_) +
                 ", " + args.str() + ")");
  auto rows = strict.scalar(
      "SELECT count(*) FROM (SELECT DISTINCT scan_id, file_id, line FROM short_errors WHERE error_type = "
      "'MISSING COLUMNS')");
  return rows ? std::stoull(*rows) : 0;
}

}  // namespace sqlflow::connectors::csv
