#include "core/error.hpp"

#include <gtest/gtest.h>

using namespace sqlflow;

TEST(Error, FormatsLocationMessageAndHint) {
  Error e = parse_error("expected ';'", {"pipelines/a.sf", 3, 14}, "statements end with ';'");
  EXPECT_EQ(e.format(), "pipelines/a.sf:3:14: error: expected ';' — statements end with ';'");
  EXPECT_STREQ(e.what(), e.format().c_str());
  EXPECT_EQ(e.kind(), ErrorKind::Parse);
  EXPECT_EQ(e.exit_code(), 2);
}

TEST(Error, OmitsUnknownParts) {
  EXPECT_EQ(data_error("boom").format(), "error: boom");
  Error e = validation_error("bad");
  e.at({"", 7, 0});
  EXPECT_EQ(e.format(), "line 7: error: bad");
  Error f = validation_error("bad");
  f.at({"x.sf", 7, 0});
  EXPECT_EQ(f.format(), "x.sf:7: error: bad");
}

TEST(Error, ExitCodesAndRetryable) {
  EXPECT_EQ(usage_error("u").exit_code(), 2);
  EXPECT_EQ(config_error("c").exit_code(), 2);
  EXPECT_EQ(validation_error("v").exit_code(), 2);
  EXPECT_EQ(data_error("d").exit_code(), 1);
  EXPECT_EQ(internal_error("i").exit_code(), 1);
  EXPECT_TRUE(connection_error("reset", true).retryable());
  EXPECT_FALSE(connection_error("bad password", false).retryable());
}

TEST(Error, WithHintRefreshesText) {
  Error e = data_error("x");
  e.with_hint("try y");
  EXPECT_EQ(std::string(e.what()), "error: x — try y");
}
