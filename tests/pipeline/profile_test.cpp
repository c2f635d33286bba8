// Profiles: engine settings, variables, connectors, ${ENV} from the environment and .env,
// warnings for unknown keys, clear errors with file and line.
#include "pipeline/profile.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "core/error.hpp"
#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "pipeline/loader.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using namespace sqlflow::pipeline;

TEST(Profile, LoadsEnginesVariablesConnectorsAndEnv) {
  test::TempDir dir("profile");
  test::write_file(dir / ".env", "# comment\nexport PG_PASS='s3cret'\nDATA=/data # trailing\n");
  test::write_file(dir / "profiles/prod.yml", R"(
engines:
  duckdb: {mode: persistent, path: target/prod.duckdb, memory_limit: 2GB, threads: 3}
variables:
  data_dir: ${DATA}
  start: "2024-01-01"
connectors:
  pg:
    type: POSTGRES
    params: {host: localhost, port: 5432, password: "${PG_PASS}", ssl: true, quoted_port: "5432", fallback: "${NOPE|x}"}
log_level: debug
)");
  Profile p = load_profile(Project(dir.path()), "prod");
  EXPECT_TRUE(p.engine.persistent);
  EXPECT_EQ(p.engine.path, dir.path() / "target/prod.duckdb");
  EXPECT_EQ(p.engine.memory_limit, "2GB");
  EXPECT_EQ(p.engine.threads, 3);
  EXPECT_EQ(p.variables.at("data_dir"), "/data");
  EXPECT_EQ(p.variables.at("start"), "2024-01-01");
  const auto& pg = p.connectors.at("pg");
  EXPECT_EQ(pg.type, "POSTGRES");
  EXPECT_EQ(pg.params["port"], 5432);
  EXPECT_EQ(pg.params["quoted_port"], "5432");
  EXPECT_EQ(pg.params["ssl"], true);
  EXPECT_EQ(pg.params["password"], "s3cret");
  EXPECT_EQ(pg.params["fallback"], "x");
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_NE(p.warnings[0].find("unknown key 'log_level'"), std::string::npos) << p.warnings[0];
  EXPECT_NE(p.warnings[0].find("profiles/prod.yml:"), std::string::npos) << p.warnings[0];
  std::string shown = describe_profile(p);
  EXPECT_EQ(shown.find("s3cret"), std::string::npos) << shown;
  EXPECT_NE(shown.find("***"), std::string::npos);
}

TEST(Profile, ErrorsNameTheFileAndKey) {
  test::TempDir dir("profile-bad");
  test::write_file(dir / "profiles/dev.yml", "engines:\n  duckdb:\n    mode: persistent\n");
  try {
    load_profile(Project(dir.path()), "dev");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), 2);
    EXPECT_NE(e.format().find("profiles/dev.yml:3"), std::string::npos) << e.format();
    EXPECT_NE(e.message().find("path is required when mode is persistent"), std::string::npos);
  }
  // An unset ${VAR}: an error in engines:, the literal text (as SQLFlow) with a warning in
  // variables:, and recorded for the connector (an error only where it is used) in connectors:.
  test::write_file(dir / "profiles/env.yml",
                   "engines:\n  duckdb:\n    memory_limit: ${SQLFLOW_TEST_SURELY_UNSET}\n");
  try {
    load_profile(Project(dir.path()), "env");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("SQLFLOW_TEST_SURELY_UNSET"), std::string::npos);
  }
  test::write_file(dir / "profiles/vars.yml",
                   "variables:\n  x: ${SQLFLOW_TEST_SURELY_UNSET}\nconnectors:\n  pg:\n    type: POSTGRES\n"
                   "    params: {password: \"${SQLFLOW_TEST_SURELY_UNSET_PW}\"}\n");
  Profile p = load_profile(Project(dir.path()), "vars");
  EXPECT_EQ(p.variables.at("x"), "${SQLFLOW_TEST_SURELY_UNSET}");
  ASSERT_EQ(p.unset_variable_warnings.size(), 1u);
  EXPECT_NE(p.unset_variable_warnings.at("x").find(
                "profiles/vars.yml:2: environment variable 'SQLFLOW_TEST_SURELY_UNSET' is not set"),
            std::string::npos);
  ASSERT_EQ(p.connectors.at("pg").unset_variables.size(), 1u);
  EXPECT_NE(p.connectors.at("pg").unset_variables[0].format().find("profiles/vars.yml:6"), std::string::npos);
  EXPECT_THROW(load_profile(Project(dir.path()), "missing"), Error);
}

// engines.duckdb.settings passes any DuckDB option to the engine; an unknown one is an error at
// its line with a suggestion, before a database is opened.
TEST(Profile, DuckDBSettingsAreCheckedAndReachTheEngine) {
  test::TempDir dir("profile-settings");
  test::write_file(dir / "profiles/dev.yml",
                   "engines:\n  duckdb:\n    settings:\n      preserve_insertion_order: false\n      "
                   "default_order: desc\n");
  Profile p = load_profile(Project(dir.path()), "dev");
  engine::Database db(engine_config(p));
  engine::Connection con(db);
  EXPECT_EQ(test::query_value(con,
                              "SELECT current_setting('preserve_insertion_order')::VARCHAR || ' ' || "
                              "lower(current_setting('default_order'))"),
            "false desc");
  test::write_file(dir / "profiles/typo.yml",
                   "engines:\n  duckdb:\n    settings:\n      preserve_insertion_ordr: false\n");
  try {
    load_profile(Project(dir.path()), "typo");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.format().find("profiles/typo.yml:4"), std::string::npos) << e.format();
    EXPECT_NE(e.message().find("did you mean 'preserve_insertion_order'"), std::string::npos) << e.message();
  }
}

TEST(Profile, BuiltInDefaultWithoutProfilesFolder) {
  test::TempDir dir("profile-none");
  Profile p = load_profile(Project(dir.path()), "dev");
  EXPECT_FALSE(p.engine.persistent);
  EXPECT_TRUE(p.file.empty());
}

TEST(Profile, DotenvParsing) {
  auto env = parse_dotenv("A=1\nexport B = \"two words\"\n# x\nC='q' \nD=v # c\nbad line\n");
  EXPECT_EQ(env.at("A"), "1");
  EXPECT_EQ(env.at("B"), "two words");
  EXPECT_EQ(env.at("C"), "q");
  EXPECT_EQ(env.at("D"), "v");
  EXPECT_EQ(env.size(), 4u);
}
