// The connector registry: lookup by name or alias in any case, parameter checks with
// suggestions, normalisation of aliases and defaults.
#include "connectors/registry.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "connectors/common_params.hpp"

using namespace sqlflow;
using namespace sqlflow::connectors;

TEST(Registry, FindsConnectorsByNameOrAliasInAnyCase) {
  auto& r = Registry::instance();
  ASSERT_NE(r.find("CSV"), nullptr);
  EXPECT_EQ(r.find("In_Memory"), r.find("memory"));
  EXPECT_EQ(r.find("nope"), nullptr);
  try {
    r.get("parqet", Role::Source);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("did you mean 'parquet'"), std::string::npos) << e.message();
    EXPECT_NE(e.hint().find("csv"), std::string::npos) << e.hint();
  }
  EXPECT_THROW(r.get("generate", Role::Destination), Error);  // source only
}

TEST(Registry, ChecksParamsAgainstSpecs) {
  const auto& gen = Registry::instance().get("generate", Role::Source);
  EXPECT_TRUE(check_params(gen, Role::Source, {{"rows", 10}}).empty());
  auto errors = check_params(gen, Role::Source, {{"row", 10}, {"partition_rows", "many"}});
  ASSERT_EQ(errors.size(), 3u);
  std::string all;
  for (const auto& e : errors) all += e.message() + "\n";
  EXPECT_NE(all.find("unknown parameter 'row' (did you mean 'rows'?)"), std::string::npos) << all;
  EXPECT_NE(all.find("parameter 'partition_rows' must be an integer, got string"), std::string::npos) << all;
  EXPECT_NE(all.find("missing required parameter 'rows'"), std::string::npos) << all;
  // Values still holding ${…} are type-checked after substitution, not here.
  EXPECT_TRUE(check_params(gen, Role::Source, {{"rows", "${n}"}}).empty());
}

TEST(Registry, NormalizesAliasesAndDefaults) {
  std::vector<ParamSpec> specs = {{"dbname", ParamType::String, false, nullptr, "", {"database"}},
                                  {"port", ParamType::Int, false, 5432, ""}};
  Params p = normalize_params(specs, {{"database", "x"}});
  EXPECT_EQ(p["dbname"], "x");
  EXPECT_EQ(p["port"], 5432);
  EXPECT_FALSE(p.contains("database"));
}

// The framework's parameters: every source takes them, and their values are checked in one place.
TEST(CommonParams, EverySourceTakesThemAndTheirValuesAreCheckedOnce) {
  for (const auto* info : Registry::instance().all()) {
    if (!info->make_source) continue;
    for (const char* name : {"sync_mode", "cursor_field", "primary_key", "max_retries", "timeout"})
      EXPECT_TRUE(std::any_of(info->source_params.begin(), info->source_params.end(),
                              [&](const ParamSpec& p) { return p.name == name; }))
          << info->type << " lacks " << name;
  }
  auto err = [](const nlohmann::json& p) {
    try {
      check_common_source_values(p);
    } catch (const Error& e) {
      return e.message();
    }
    return std::string();
  };
  EXPECT_EQ(err({{"sync_mode", "incremental"}, {"cursor_field", "ts"}}), "");
  EXPECT_NE(err({{"sync_mode", "incremental"}}).find("needs cursor_field"), std::string::npos);
  EXPECT_NE(err({{"sync_mode", "sometimes"}}).find("'full_refresh' or 'incremental'"), std::string::npos);
  EXPECT_NE(err({{"primary_key", {1, 2}}}).find("primary_key must be a column name"), std::string::npos);
  EXPECT_NE(err({{"max_retries", -1}}).find("max_retries"), std::string::npos);
  EXPECT_NE(err({{"timeout", 0}}).find("timeout"), std::string::npos);
  EXPECT_EQ(primary_key_of({{"primary_key", {"a", "b"}}}), (std::vector<std::string>{"a", "b"}));
}

TEST(Registry, ATypeNameRegisteredTwiceIsRefused) {
  ConnectorInfo dup;
  dup.type = "CSV";
  EXPECT_THROW(Registry::instance().add(dup), Error);
  ConnectorInfo alias;
  alias.type = "brand_new";
  alias.aliases = {"in_memory"};
  EXPECT_THROW(Registry::instance().add(alias), Error);
}
