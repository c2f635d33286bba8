// Incremental S3 reads by object metadata: the columns _last_modified (an object's LastModified)
// and _key_date (a date in its key, found with key_date_pattern), their values as microseconds
// since the epoch (UTC), and the TIMESTAMP text DuckDB reads and the watermark is stored as.
#pragma once

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace sqlflow::connectors::s3 {

inline constexpr const char* kLastModifiedColumn = "_last_modified";
inline constexpr const char* kKeyDateColumn = "_key_date";

// "2024-05-01T12:00:00.123Z" (S3's listing), "2024-05-01 12:00:00.123456" (DuckDB's TIMESTAMP
// text), "2024-05-01 12:00:00+00" or "2024-05-01" → microseconds since the epoch, read as UTC;
// nullopt for anything else (bounds-checked: outside text yields nullopt, never a read past it).
std::optional<std::int64_t> parse_timestamp_us(std::string_view text);
// Microseconds since the epoch → "2024-05-01 12:00:00.123456" (fraction left out when zero).
std::string timestamp_text(std::int64_t us);

// A date embedded in object keys, written as a strftime-like pattern: %Y (4 digits), %m, %d, %H,
// %M, %S (2 digits each) and %% for a percent sign; every other character stands for itself.
// "dt=%Y-%m-%d" finds 2024-05-01 in "events/dt=2024-05-01/part-0.csv"; "%Y/%m/%d/" finds it in
// "logs/2024/05/01/x.json". Fields left out default to the start of the period (month 1, day 1, 00:00:00).
class KeyDatePattern {
 public:
  // Throws a validation Error for a pattern without %Y, with an unknown % field or a field twice.
  explicit KeyDatePattern(std::string pattern);
  // The first match in `key` as microseconds since the epoch; nullopt when nothing matches or
  // the matched fields are no valid date (month 13, 25 o'clock…).
  std::optional<std::int64_t> find(const std::string& key) const;
  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  std::regex regex_;
  std::vector<char> fields_;  // the % letters, in the order of the regex's groups
};

}  // namespace sqlflow::connectors::s3
