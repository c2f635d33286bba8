#include "core/suggest.hpp"

#include <gtest/gtest.h>

using namespace sqlflow;

TEST(Suggest, FindsCloseNames) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(closest_match("parqet", {"csv", "parquet", "json"}), "parquet");
  EXPECT_EQ(closest_match("PATH", {"path", "delimiter"}), "path");
  EXPECT_FALSE(closest_match("zzzzzz", {"csv", "json"}).has_value());
  EXPECT_EQ(did_you_mean("delimter", {"delimiter"}), " (did you mean 'delimiter'?)");
}
