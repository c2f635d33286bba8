#include "resilience/profiles.hpp"

#include <gtest/gtest.h>

using namespace sqlflow;
using namespace sqlflow::resilience;
using namespace std::chrono_literals;
using nlohmann::json;

TEST(Profiles, DefaultsTable) {
  auto rest = default_profile("REST");
  EXPECT_EQ(rest.retry.max_attempts, 3);
  EXPECT_EQ(rest.retry.initial_delay, Duration(1s));
  EXPECT_EQ(rest.retry.max_delay, Duration(30s));
  EXPECT_EQ(rest.circuit_breaker.failure_threshold, 5);
  EXPECT_EQ(rest.circuit_breaker.recovery_timeout, Duration(60s));
  // A generic API has no known quota: no client-side bucket, the server's signals pace it.
  EXPECT_FALSE(rest.rate_limit.enabled);
  EXPECT_TRUE(rest.rate_limit.server_driven);

  auto pg = default_profile("postgresql");
  EXPECT_EQ(pg.retry.initial_delay, Duration(500ms));
  EXPECT_EQ(pg.retry.max_delay, Duration(10s));
  EXPECT_EQ(pg.circuit_breaker.failure_threshold, 3);
  EXPECT_EQ(pg.circuit_breaker.recovery_timeout, Duration(30s));
  EXPECT_FALSE(pg.rate_limit.enabled);

  auto csv = default_profile("csv");
  EXPECT_EQ(csv.retry.max_attempts, 2);
  EXPECT_EQ(csv.retry.initial_delay, Duration(100ms));
  EXPECT_EQ(csv.retry.max_delay, Duration(1s));
  EXPECT_FALSE(csv.circuit_breaker.enabled);

  // Corrected against the documented quotas (see profiles.cpp).
  auto shop = default_profile("shopify");
  EXPECT_EQ(shop.rate_limit.requests_per_minute, 120);
  EXPECT_EQ(shop.rate_limit.burst, 40);
  auto sheets = default_profile("google_sheets");
  EXPECT_LE(sheets.rate_limit.requests_per_minute + sheets.rate_limit.burst, 60);
  auto s3 = default_profile("s3");
  EXPECT_EQ(s3.circuit_breaker.failure_threshold, 3);
  EXPECT_EQ(s3.circuit_breaker.recovery_timeout, Duration(30s));

  auto unknown = default_profile("some_new_api");
  EXPECT_EQ(unknown.retry.max_attempts, 3);
  EXPECT_FALSE(unknown.rate_limit.enabled);
}

TEST(Profiles, OverridesApplyPerKeyWithUnitsAndPythonNames) {
  auto o = apply_overrides(default_profile("rest"), json::parse(R"({
    "retry": {"max_attempts": 5, "initial_delay": "250ms", "max_delay": 2, "backoff_multiplier": 3},
    "circuit_breaker": {"failure_threshold": 2, "recovery_timeout": "1m"},
    "rate_limit": {"max_requests_per_minute": 600, "burst_size": 3, "backpressure_strategy": "drop"}
  })"));
  EXPECT_EQ(o.retry.max_attempts, 5);
  EXPECT_EQ(o.retry.initial_delay, Duration(250ms));
  EXPECT_EQ(o.retry.max_delay, Duration(2s));
  EXPECT_EQ(o.retry.multiplier, 3.0);
  EXPECT_EQ(o.circuit_breaker.failure_threshold, 2);
  EXPECT_EQ(o.circuit_breaker.recovery_timeout, Duration(60s));
  EXPECT_EQ(o.rate_limit.requests_per_minute, 600);
  EXPECT_EQ(o.rate_limit.burst, 3);
  EXPECT_EQ(o.rate_limit.on_limit, RateLimitOptions::OnLimit::Fail);
  // Untouched keys keep the profile's values.
  EXPECT_EQ(o.circuit_breaker.success_threshold, 2);

  auto off = apply_overrides(default_profile("rest"),
                             json::parse(R"({"rate_limit": false, "circuit_breaker": false})"));
  EXPECT_FALSE(off.rate_limit.enabled);
  EXPECT_FALSE(off.circuit_breaker.enabled);
  auto on = apply_overrides(default_profile("postgres"),
                            json::parse(R"({"rate_limit": {"requests_per_minute": 30}})"));
  EXPECT_TRUE(on.rate_limit.enabled);
  EXPECT_EQ(apply_overrides(default_profile("rest"), nullptr).retry.max_attempts, 3);
}

TEST(Profiles, UnknownKeysGetDidYouMean) {
  try {
    apply_overrides(default_profile("rest"), json::parse(R"({"retry": {"max_atempts": 5}})"),
                    "SOURCE api PARAMS resilience");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Validation);
    EXPECT_NE(e.message().find("unknown key 'max_atempts' in SOURCE api PARAMS resilience.retry"),
              std::string::npos)
        << e.message();
    EXPECT_NE(e.message().find("did you mean 'max_attempts'?"), std::string::npos) << e.message();
  }
  try {
    apply_overrides(default_profile("rest"), json::parse(R"({"circuitbreaker": {}})"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("did you mean 'circuit_breaker'?"), std::string::npos) << e.message();
  }
}

TEST(Profiles, WrongTypesAndRangesNameTheKey) {
  auto expect_error = [](const char* text, const char* needle) {
    try {
      apply_overrides(default_profile("rest"), json::parse(text));
      ADD_FAILURE() << text;
    } catch (const Error& e) {
      EXPECT_NE(e.message().find(needle), std::string::npos) << e.message();
    }
  };
  expect_error(R"({"retry": {"max_attempts": "five"}})",
               "PARAMS resilience.retry.max_attempts must be an integer");
  expect_error(R"({"retry": {"max_attempts": 0}})", "PARAMS resilience.retry.max_attempts");
  expect_error(R"({"retry": {"initial_delay": "soon"}})",
               "PARAMS resilience.retry.initial_delay must be a duration");
  expect_error(R"({"retry": {"initial_delay": 5, "max_delay": 1}})",
               "max_delay must be at least initial_delay");
  expect_error(R"({"rate_limit": {"requests_per_minute": 0}})", "requests_per_minute must be a number > 0");
  expect_error(R"({"rate_limit": {"on_limit": "wiat"}})", "did you mean 'wait'?");
  expect_error(R"({"retry": 3})", "PARAMS resilience.retry must be an object");
  expect_error(R"([1])", "PARAMS resilience must be an object");
}

TEST(Profiles, MakePolicyAndDescriptions) {
  ResiliencePolicy p = make_policy("shopify", json::parse(R"({"retry": {"max_attempts": 7}})"));
  EXPECT_EQ(p.options().retry.max_attempts, 7);
  EXPECT_EQ(p.options().rate_limit.burst, 40);
  auto docs = describe_options("shopify");
  ASSERT_FALSE(docs.empty());
  bool found = false;
  for (auto& d : docs)
    if (d.name == "rate_limit.requests_per_minute") {
      found = true;
      EXPECT_EQ(d.default_value, 120);
    }
  EXPECT_TRUE(found);
  for (auto& d : describe_options("rest"))
    if (d.name == "rate_limit.enabled") {
      EXPECT_EQ(d.default_value, false);
    }
  EXPECT_NE(describe_param_doc("rest").find("3 attempts"), std::string::npos);
  EXPECT_NE(describe_param_doc("rest").find("rate limit off"), std::string::npos)
      << describe_param_doc("rest");
  json j = default_profile("rest").to_json();
  EXPECT_EQ(apply_overrides(default_profile("csv"), j).to_json(), j);  // to_json round-trips
}

TEST(Profiles, ARateLimitBlockTurnsTheBucketOnUnlessItOnlyNamesServerDriven) {
  auto on = apply_overrides(default_profile("rest"),
                            json::parse(R"({"rate_limit": {"requests_per_minute": 600}})"));
  EXPECT_TRUE(on.rate_limit.enabled);
  EXPECT_EQ(on.rate_limit.requests_per_minute, 600);
  auto server_only =
      apply_overrides(default_profile("rest"), json::parse(R"({"rate_limit": {"server_driven": false}})"));
  EXPECT_FALSE(server_only.rate_limit.enabled);
  EXPECT_FALSE(server_only.rate_limit.server_driven);
  // A type with a documented quota keeps it.
  auto sheets = apply_overrides(default_profile("google_sheets"),
                                json::parse(R"({"rate_limit": {"server_driven": false}})"));
  EXPECT_TRUE(sheets.rate_limit.enabled);
  EXPECT_EQ(sheets.rate_limit.requests_per_minute, 55);
}
