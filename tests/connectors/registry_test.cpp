// The connector registry: lookup by name or alias in any case, parameter checks with
// suggestions, normalisation of aliases and defaults.
#include "connectors/registry.hpp"

#include <gtest/gtest.h>

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
  EXPECT_NE(all.find("unknown parameter 'row' for generate (did you mean 'rows'?)"), std::string::npos) << all;
  EXPECT_NE(all.find("parameter 'partition_rows' of generate must be an integer, got string"), std::string::npos) << all;
  EXPECT_NE(all.find("missing required parameter 'rows' for generate"), std::string::npos) << all;
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
