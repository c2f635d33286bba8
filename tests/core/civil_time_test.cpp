#include "core/civil_time.hpp"

#include <gtest/gtest.h>

namespace sqlflow {
namespace {

TEST(CivilTime, DaysRoundTripAcrossEpochsAndLeapYears) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(days_from_civil(1899, 12, 30), -25569);  // Sheets' serial day 0
  for (std::int64_t d = -800000; d <= 800000; d += 997) {
    CivilDate c = civil_from_days(d);
    EXPECT_EQ(days_from_civil(c.year, c.month, c.day), d);
  }
  CivilDate leap = civil_from_days(days_from_civil(2024, 2, 29));
  EXPECT_EQ(leap.year, 2024);
  EXPECT_EQ(leap.month, 2u);
  EXPECT_EQ(leap.day, 29u);
  EXPECT_EQ(floor_days(-1), -1);
  EXPECT_EQ(floor_days(86400000000LL), 1);
}

}  // namespace
}  // namespace sqlflow
