// The timestamps of incremental S3 reads: LastModified as listed, watermarks as DuckDB writes
// them, dates found in keys — and text that is none of these.
#include <gtest/gtest.h>

#include "connectors/s3/cursor.hpp"
#include "core/error.hpp"

using namespace sqlflow;
using namespace sqlflow::connectors::s3;

TEST(S3Cursor, TimestampsRoundTripBetweenS3AndDuckDBText) {
  auto us = parse_timestamp_us("2009-10-12T17:50:30.000Z");
  ASSERT_TRUE(us);
  EXPECT_EQ(*us, 1255369830LL * 1'000'000);
  EXPECT_EQ(timestamp_text(*us), "2009-10-12 17:50:30");
  EXPECT_EQ(parse_timestamp_us("2009-10-12 17:50:30"), us);
  EXPECT_EQ(parse_timestamp_us("2009-10-12 17:50:30+00"), us);
  EXPECT_EQ(parse_timestamp_us("2024-02-29 00:00:00.5"), parse_timestamp_us("2024-02-29T00:00:00.500000Z"));
  EXPECT_EQ(timestamp_text(*parse_timestamp_us("2024-02-29 23:59:59.123456789")),
            "2024-02-29 23:59:59.123456");
  EXPECT_EQ(timestamp_text(*parse_timestamp_us("1970-01-01")), "1970-01-01 00:00:00");
  EXPECT_EQ(timestamp_text(*parse_timestamp_us("1969-12-31 23:59:59.5")), "1969-12-31 23:59:59.500000");
  for (const char* bad : {"", "2024", "2024-13-01", "2023-02-29", "2024-01-01T25:00:00", "2024-01-01 00:00",
                          "2024-01-01 00:00:00.", "2024-01-01 00:00:00+02", "2024-01-01x", "yesterday",
                          "2024-01-01 00:00:00Z trailing"})
    EXPECT_FALSE(parse_timestamp_us(bad)) << bad;
}

TEST(S3Cursor, KeyDatePatternsFindTheFirstDateInAKey) {
  KeyDatePattern dt("dt=%Y-%m-%d");
  EXPECT_EQ(dt.find("events/dt=2024-05-01/part-0.csv"), parse_timestamp_us("2024-05-01"));
  EXPECT_FALSE(dt.find("events/2024-05-01/part-0.csv"));
  EXPECT_FALSE(dt.find("events/dt=2024-13-01/part-0.csv"));  // no such month

  KeyDatePattern path("%Y/%m/%d/%H");
  EXPECT_EQ(path.find("logs/2024/05/01/17/x.json"), parse_timestamp_us("2024-05-01 17:00:00"));
  KeyDatePattern year("year=%Y/");
  EXPECT_EQ(year.find("t/year=2023/a.parquet"), parse_timestamp_us("2023-01-01"));
  // Regex characters in the pattern are literal.
  KeyDatePattern dots("v1.%Y%m%d.");
  EXPECT_EQ(dots.find("x/v1.20240501.csv"), parse_timestamp_us("2024-05-01"));
  EXPECT_FALSE(dots.find("x/v1x20240501.csv"));
  KeyDatePattern percent("100%%-%Y");
  EXPECT_EQ(percent.find("a/100%-2020"), parse_timestamp_us("2020-01-01"));

  for (const char* bad : {"%m-%d", "dt=%Y-%q", "%Y-%Y", "%Y%"})
    EXPECT_THROW(KeyDatePattern{bad}, Error) << bad;
}
