// Proleptic Gregorian dates ↔ days since 1970-01-01, for the connectors that turn API text
// (ISO 8601, Sheets serial numbers) into DuckDB DATE/TIMESTAMP values without a time-zone library.
// The algorithms are Howard Hinnant's "chrono-Compatible Low-Level Date Algorithms".
#pragma once

#include <cstdint>

namespace sqlflow {

struct CivilDate {
  std::int64_t year = 1970;
  unsigned month = 1;  // 1-12
  unsigned day = 1;    // 1-31
};

std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);
CivilDate civil_from_days(std::int64_t days);
// Floor division of microseconds into whole days (negative values round down).
std::int64_t floor_days(std::int64_t micros);

}  // namespace sqlflow
