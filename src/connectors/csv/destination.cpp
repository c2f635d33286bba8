#include "connectors/csv/destination.hpp"

#include "connectors/file_export_destination.hpp"
#include "connectors/file_params.hpp"
#include "core/error.hpp"
#include "core/file_paths.hpp"
#include "core/quote.hpp"
#include "engine/connection.hpp"

namespace sqlflow::connectors::csv {

namespace {
// Empty: the framework puts "csv destination '<file>'" before this connector's errors.
constexpr const char* kExportWhat = "";
}  // namespace

files::CopySpec csv_copy_spec(const std::string& uri, const Params& p, const ConnectorContext& context) {
  using file_params::string_or;
  files::CopySpec spec = file_export_spec(kExportWhat, uri, p, context);
  spec.partition_by = files::export_partition_by(p, kExportWhat);

  const bool header = file_params::bool_or(p, "header", true);
  std::string delimiter = string_or(p, "delimiter", ",", kExportWhat);
  if (delimiter == "\\t") delimiter = "\t";
  if (delimiter.empty() || delimiter.size() > 4)
    throw validation_error("`delimiter` must be 1 to 4 characters");
  const std::string quote = string_or(p, "quote", "\"", kExportWhat);
  if (quote.size() > 1) throw validation_error("`quote` must be one character");
  const std::string escape = string_or(p, "escape", quote, kExportWhat);
  if (escape.size() > 1) throw validation_error("`escape` must be one character");
  const std::string compression = file_params::export_compression_value(p, spec.target, kExportWhat);
  const std::string encoding = file_params::ascii_lower(string_or(p, "encoding", "utf-8", kExportWhat));
  if (encoding != "utf-8" && encoding != "utf8")
    throw validation_error("files are written in utf-8 only, not '" + encoding + "'");

  auto options = [&](bool with_header) {
    files::SqlArgs a(" ");
    a.raw("FORMAT", "csv")
        .flag("HEADER", with_header)
        .string("DELIMITER", delimiter)
        .string("QUOTE", quote)
        .string("ESCAPE", escape)
        .string("NULLSTR", string_or(p, "null_value", "", kExportWhat))
        .string("COMPRESSION", compression);
    if (auto f = string_or(p, "date_format", "", kExportWhat); !f.empty()) a.string("DATEFORMAT", f);
    if (auto f = string_or(p, "timestamp_format", "", kExportWhat); !f.empty())
      a.string("TIMESTAMPFORMAT", f);
    return a.str();
  };
  spec.options = options(header);
  spec.append_method = files::AppendMethod::Concatenate;
  spec.append_options = options(false);  // the existing file already starts with the header
  if (header) {
    // Appended rows go under the file's own header by name (its order may differ from the query's).
    spec.existing_columns = [delimiter, quote, escape,
                             what = spec.what](const std::filesystem::path& target) {
      engine::Database db;
      engine::Connection con(db);
      files::SqlArgs a;
      a.flag("header", true).string("delim", delimiter).string("quote", quote).string("escape", escape);
      try {
        auto rows = con.query("SELECT unnest(Columns).name FROM sniff_csv(" + quote_literal(target.string()) +
                              ", " + a.str() + ")")
                        .rows();
        std::vector<std::string> names;
        for (const auto& r : rows) names.push_back(r[0]);
        return names;
      } catch (const Error& e) {
        throw data_error(std::string(what) + ": cannot read the header of '" + target.string() +
                             "' to append to it: " + e.message(),
                         "use mode overwrite, or fix the file");
      }
    };
  }
  return spec;
}

}  // namespace sqlflow::connectors::csv
