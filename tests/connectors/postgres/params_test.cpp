// The postgres connector's options without a server: `connect describe` shows the structs' defaults,
// validate() checks a struct without parsing anything, and from() validates before it builds the
// resilience policy (so max_retries 0 is reported as such).
#include "connectors/postgres/params.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <optional>

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

// The display name (in messages and as the breaker's endpoint) fills in libpq's defaults instead
// of leaving gaps: a database named like the user, the user from the environment.
TEST(PgOptions, DisplayNameFillsInLibpqDefaults) {
  struct SavedEnv {
    std::string name;
    std::optional<std::string> value;
    explicit SavedEnv(const char* n) : name(n) {
      if (const char* v = std::getenv(n)) value = v;
      unsetenv(n);
    }
    ~SavedEnv() {
      if (value) setenv(name.c_str(), value->c_str(), 1);
    }
  };
  SavedEnv host("PGHOST"), port("PGPORT"), db("PGDATABASE"), user("PGUSER");  // run-tests.sh sets them
  EXPECT_EQ(pg::ConnectionOptions::from(json{{"host", "h"}, {"port", 6543}, {"dbname", "d"}, {"user", "u"}})
                .target.display,
            "h:6543/d as u");
  EXPECT_EQ(pg::ConnectionOptions::from(json{{"host", "h"}, {"user", "ann"}}).target.display,
            "h:5432/ann as ann");
  setenv("PGUSER", "bob", 1);
  EXPECT_EQ(pg::ConnectionOptions::from(json::object()).target.display, "local socket:5432/bob as bob");
  unsetenv("PGUSER");
}
