// What DuckDB's CSV sniffer detects in a file (dialect, header, skipped lines, column names and
// types, date formats), turned into read_csv arguments with auto_detect=false. A source's view is
// bound again by every statement that reads it (CREATE VIEW, the LOAD, each query), and each bind
// of an auto-detecting read_csv sniffs the file afresh (~60 ms on 1 GB); pinned, it sniffs once.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace sqlflow::engine {
class Connection;
}

namespace sqlflow::connectors::csv {

// Runs sniff_csv(file, detect_args) — detect_args are the user's choices the sniffer honours
// ("header=true, delim=','…") — and returns the arguments that reproduce its result without
// detection: "auto_detect=false, header=…, delim=…, quote=…, escape=…, new_line=…, comment=…,
// skip=…, columns={…}[, dateformat=…][, timestampformat=…]". std::nullopt when the sniffer fails
// (the caller then reads with detection, whose error it explains).
// With null_padding the sniffer widens the table to its longest row and names the extra columns
// column<i>; those are dropped again when the header line is shorter, so that a row with more
// fields than the header stays an error (or a reject) instead of adding a column.
std::optional<std::string> pinned_dialect(engine::Connection& con, const std::filesystem::path& file,
                                          const std::string& detect_args, bool null_padding);

}  // namespace sqlflow::connectors::csv
