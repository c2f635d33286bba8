// Finds the line of two CSV problems DuckDB reports without a usable line number: a quoted field
// that is never closed (its sniffer then gives up on the whole file) and a line longer than
// max_line_size (reported as line 1). Plain scans of the file's bytes; compressed files are not
// scanned.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

namespace sqlflow::connectors::csv {

// The 1-based line where the last quoted field that is still open at the end of the file opens
// (a doubled quote inside quotes is an escaped quote), or nullopt when every quote closes.
std::optional<std::int64_t> unclosed_quote_line(const std::filesystem::path& file, char quote);

// The 1-based number of the first line (newline-separated, quotes ignored) longer than `limit`
// bytes, or nullopt.
std::optional<std::int64_t> first_line_longer_than(const std::filesystem::path& file, std::int64_t limit);

}  // namespace sqlflow::connectors::csv
