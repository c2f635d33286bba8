// The postgres connector's options without a server: `connect describe` shows the structs' defaults,
// validate() checks a struct without parsing anything, and from() validates before it builds the
// resilience policy (so max_retries 0 is reported as such).
#include "connectors/postgres/params.hpp"

#include <gtest/gtest.h>

#include <functional>

using namespace sqlflow;
namespace pg = sqlflow::connectors::postgres;
using nlohmann::json;

namespace {

json default_of(const std::vector<connectors::ParamSpec>& specs, const std::string& name) {
  for (const auto& s : specs)
    if (s.name == name) return s.default_value;
  ADD_FAILURE() << "no parameter " << name;
  return nullptr;
}

// The message of the Error `fn` throws ("" if none).
std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.message();
  }
  return "";
}

TEST(PgOptions, DescribedDefaultsAreTheStructs) {
  const pg::ConnectionOptions connection{};
  for (const auto& specs : {pg::source_param_specs(), pg::destination_param_specs()}) {
    EXPECT_EQ(default_of(specs, "application_name"), connection.application_name);
    EXPECT_EQ(default_of(specs, "connect_timeout"), connection.target.connect_timeout);
    EXPECT_EQ(default_of(specs, "max_retries"), connection.max_retries);
    EXPECT_EQ(default_of(specs, "min_connections"), connection.min_connections);
    EXPECT_EQ(default_of(specs, "max_connections"), connection.max_connections);
  }
  const pg::SourceOptions source{};
  EXPECT_EQ(default_of(pg::source_param_specs(), "schema"), source.schema);
  EXPECT_EQ(default_of(pg::source_param_specs(), "partitions"), "auto");
  EXPECT_EQ(source.partitions, pg::PartitionMode::Auto);
  EXPECT_EQ(default_of(pg::source_param_specs(), "numeric_mode"), "decimal(38,9)");
  EXPECT_EQ(source.numeric_mode.to_string(), "decimal(38,9)");
  EXPECT_EQ(default_of(pg::destination_param_specs(), "create_table"), pg::DestinationOptions{}.create_table);
}

TEST(PgOptions, ValidateStandsAlone) {
  pg::ConnectionOptions c;
  EXPECT_NO_THROW(c.validate());
  c.max_connections = 0;
  EXPECT_EQ(error_of([&] { c.validate(); }), "max_connections must be at least 1");
  c = pg::ConnectionOptions{};
  c.resilience = "fast";
  EXPECT_NE(error_of([&] { c.validate(); }).find("parameter 'resilience' must be an object"),
            std::string::npos);

  pg::SourceOptions s;
  EXPECT_EQ(error_of([&] { s.validate(); }), "a 'table' or a 'query' is required");
  s.table = "orders";
  EXPECT_NO_THROW(s.validate());
  s.timeout_seconds = -1;
  EXPECT_EQ(error_of([&] { s.validate(); }), "timeout_seconds must not be negative");
}

TEST(PgOptions, FromValidatesBeforeBuildingThePolicy) {
  EXPECT_EQ(error_of([] {
              (void)pg::ConnectionOptions::from(json{{"max_retries", 0}});
            }),
            "max_retries must be at least 1");
  EXPECT_EQ(error_of([] {
              (void)pg::ConnectionOptions::from(json{{"connect_timeout", 0}});
            }),
            "connect_timeout must be at least 1 second");
  const auto o = pg::ConnectionOptions::from(json{{"max_retries", 5}, {"application_name", "etl"}});
  EXPECT_EQ(o.max_retries, 5);
  EXPECT_EQ(o.application_name, "etl");
}

}  // namespace
