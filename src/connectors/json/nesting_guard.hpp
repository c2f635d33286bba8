// DuckDB's JSON type detection recurses once per nesting level and overflows the stack somewhere
// between 40,000 and 100,000 levels (40,000 loads): a crash, not an error. Files nested deeper than any real
// data are refused up front with an error naming the file and line.
#pragma once

#include <cstddef>
#include <filesystem>

namespace sqlflow::connectors::json {

inline constexpr std::size_t kMaxJsonNesting = 25000;

// Scans the first 64 MB of an uncompressed `file` (strings skipped) and throws a data error when
// arrays/objects nest deeper than kMaxJsonNesting. Compressed files are not scanned.
void check_nesting(const std::filesystem::path& file, const char* what);

}  // namespace sqlflow::connectors::json
