// `sqlflow connect discover` on a REST profile connector, through the binary against the fixture
// API: the columns inferred from the first page, as text and as JSON; the token never printed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fixtures/rest/rest_api_fixture.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using test::RestApiFixture;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(RestDiscoverCli, InfersColumnsFromTheFirstPage) {
  RestApiFixture::Options o;
  o.records = 300;
  RestApiFixture api(o);
  test::TempDir dir("rest-discover");
  test::write_file(
      dir / "profiles/dev.yml",
      "connectors:\n  items:\n    type: REST\n    params:\n      url: " + api.url("/items/page") +
          "\n      data_path: data\n"
          "      pagination: {type: page_number, page_size: 50, total_pages_path: total_pages}\n"
          "      resilience: {rate_limit: false, retry: {initial_delay: 0.01}}\n"
          "  secured:\n    type: REST\n    params:\n      url: " +
          api.url("/auth/bearer") + "\n      auth: {type: bearer, token: " + RestApiFixture::kToken +
          "}\n      resilience: {rate_limit: false, retry: {initial_delay: 0.01}}\n");
  auto r = test::run_sqlflow({"connect", "discover", "items"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "  items (stream): id BIGINT, name VARCHAR, price DOUBLE, active BOOLEAN"))
      << r.out;
  // One page was enough to infer the columns, not the 6 pages behind it.
  EXPECT_LE(api.count("/items/page"), 2u);

  auto j = test::run_sqlflow({"connect", "discover", "items", "--format", "json"}, dir.path());
  ASSERT_EQ(j.exit_code, 0) << j.out << j.err;
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["connector"], "items");
  EXPECT_EQ(doc["type"], "rest");
  ASSERT_EQ(doc["items"].size(), 1u) << j.out;
  const auto& columns = doc["items"][0]["columns"];
  ASSERT_GE(columns.size(), 4u) << j.out;
  EXPECT_EQ(columns[0], nlohmann::json({{"name", "id"}, {"type", "BIGINT"}}));
  EXPECT_EQ(columns[2], nlohmann::json({{"name", "price"}, {"type", "DOUBLE"}}));
  bool nested = false;
  for (const auto& c : columns) nested = nested || c["name"] == "meta.rank";
  EXPECT_TRUE(nested) << j.out;

  auto s = test::run_sqlflow({"connect", "discover", "secured", "--format", "json"}, dir.path());
  ASSERT_EQ(s.exit_code, 0) << s.out << s.err;
  EXPECT_EQ(nlohmann::json::parse(s.out)["items"][0]["columns"][1]["name"], "who") << s.out;
  EXPECT_FALSE(contains(s.out + s.err, RestApiFixture::kToken));
}

}  // namespace
