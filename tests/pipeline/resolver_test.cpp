// resolve(): variables through a whole pipeline, IF branches, INCLUDE, PARAMS/OPTIONS JSON.
#include "pipeline/resolver.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "pipeline/parser.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using namespace sqlflow::pipeline;
namespace fs = std::filesystem;

namespace {

VariableSources no_env(std::map<std::string, std::string> cli = {},
                       std::map<std::string, std::string> profile = {}) {
  VariableSources v;
  v.cli = std::move(cli);
  v.profile = std::move(profile);
  v.use_environment = false;
  return v;
}

ResolveResult resolve_text(const std::string& text, const VariableSources& vars,
                           const std::string& file = "p.sf") {
  const ParseResult parsed = parse(text, file);
  EXPECT_TRUE(parsed.errors.empty()) << (parsed.errors.empty() ? "" : parsed.errors.front().format());
  return resolve(parsed.pipeline, vars);
}

std::string errors_of(const ResolveResult& r) {
  std::string out;
  for (const Error& e : r.errors) out += e.format() + "\n";
  return out;
}

// The resolved statements as dump() lines.
std::string flat(const ResolveResult& r) {
  return dump(r.statements);
}

TEST(Resolver, ProducesAFlatListOfRunnableStatements) {
  const ResolveResult r = resolve_text(R"(
SET env = 'dev';
SOURCE s TYPE csv PARAMS {"path": "${env}.csv"};
IF ${env} == 'dev' THEN
  LOAD t FROM s;
END IF;
CREATE TABLE u AS SELECT * FROM t;
EXPORT u TO "out/${env}.csv" TYPE csv;
SELECT 1;
)",
                                       no_env());
  EXPECT_EQ(errors_of(r), "");
  EXPECT_EQ(flat(r),
            "SOURCE s TYPE csv PARAMS {\"path\":\"${env}.csv\"}\n"  // dump shows PARAMS as written
            "LOAD t FROM s MODE REPLACE\n"
            "CREATE TABLE u AS SELECT * FROM t\n"
            "EXPORT u TO \"out/dev.csv\" TYPE csv\n"
            "SQL SELECT 1\n");
  const auto& src = std::get<SourceStmt>(r.statements[0].node);
  EXPECT_EQ(src.params, nlohmann::json::parse(R"({"path": "dev.csv"})"));
  const auto& exp = std::get<ExportStmt>(r.statements[3].node);
  EXPECT_EQ(exp.query, "SELECT * FROM \"u\"");
  EXPECT_EQ(exp.options, nlohmann::json::object());
}

TEST(Resolver, PrecedenceOfAllFourLevels) {
  ::setenv("SQLFLOW_RESOLVER_A", "env", 1);
  ::setenv("SQLFLOW_RESOLVER_B", "env", 1);
  ::setenv("SQLFLOW_RESOLVER_C", "env", 1);
  ::setenv("SQLFLOW_RESOLVER_D", "env", 1);
  VariableSources vars;
  vars.cli = {{"SQLFLOW_RESOLVER_A", "cli"}};
  vars.profile = {{"SQLFLOW_RESOLVER_A", "profile"}, {"SQLFLOW_RESOLVER_B", "profile"}};
  const ResolveResult r = resolve_text(R"(
SET SQLFLOW_RESOLVER_A = 'set';
SET SQLFLOW_RESOLVER_B = 'set';
SET SQLFLOW_RESOLVER_C = 'set';
SELECT '${SQLFLOW_RESOLVER_A}', '${SQLFLOW_RESOLVER_B}', '${SQLFLOW_RESOLVER_C}', '${SQLFLOW_RESOLVER_D}';
)",
                                       vars);
  for (const char* n :
       {"SQLFLOW_RESOLVER_A", "SQLFLOW_RESOLVER_B", "SQLFLOW_RESOLVER_C", "SQLFLOW_RESOLVER_D"})
    ::unsetenv(n);
  EXPECT_EQ(errors_of(r), "");
  EXPECT_EQ(std::get<SqlStmt>(r.statements.at(0).node).sql, "SELECT 'cli', 'profile', 'set', 'env'");
  const std::map<std::string, std::string> expected{
      {"SQLFLOW_RESOLVER_A", "cli"}, {"SQLFLOW_RESOLVER_B", "profile"}, {"SQLFLOW_RESOLVER_C", "set"}};
  EXPECT_EQ(r.variables, expected);  // the environment is not listed
}

TEST(Resolver, SetRunsInOrderAndMayUseDefaults) {
  const ResolveResult r = resolve_text(R"(
SELECT '${x|before}';
SET env = '${env|dev}';
SET x = 'after_${env}';
SELECT '${x|unused}';
SET x = 'again';
SELECT '${x}';
)",
                                       no_env());
  EXPECT_EQ(errors_of(r), "");
  EXPECT_EQ(flat(r), "SQL SELECT 'before'\nSQL SELECT 'after_dev'\nSQL SELECT 'again'\n");
  EXPECT_EQ(r.variables.at("env"), "dev");
  EXPECT_EQ(r.variables.at("x"), "again");
}

TEST(Resolver, CliValueFlowsIntoSetWithDefault) {
  const ResolveResult r =
      resolve_text("SET env = '${env|dev}';\nSELECT '${env}';\n", no_env({{"env", "prod"}}));
  EXPECT_EQ(flat(r), "SQL SELECT 'prod'\n");
  EXPECT_EQ(r.variables.at("env"), "prod");
}

TEST(Resolver, SetOnlyCountsInTakenBranches) {
  const ResolveResult r = resolve_text(R"(
IF 'a' == 'b' THEN
  SET picked = 'untaken';
ELSE
  SET other = 'taken';
END IF;
SELECT '${picked|none}', '${other|none}';
)",
                                       no_env());
  EXPECT_EQ(flat(r), "SQL SELECT 'none', 'taken'\n");
  EXPECT_EQ(r.variables.count("picked"), 0u);
}

TEST(Resolver, UndefinedVariableIsLocatedPrecisely) {
  const ResolveResult r =
      resolve_text("LOAD t FROM s;\nCREATE TABLE x AS\n  SELECT *\n  FROM t WHERE d > '${start}';\n",
                   no_env(), "pipelines/a.sf");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].format(),
            "pipelines/a.sf:4:21: error: undefined variable 'start' — define it with SET, --vars or the "
            "profile's variables:, or give a default ${start|value}");
  EXPECT_EQ(r.errors[0].kind(), ErrorKind::Validation);
}

TEST(Resolver, EveryUndefinedVariableIsReported) {
  const ResolveResult r = resolve_text(R"(SOURCE s TYPE csv PARAMS {"path": "${a}"};
LOAD ${b} FROM s;
EXPORT SELECT 1 TO "${c}" TYPE csv;
INCLUDE "${d}.sf";
IF ${e} == 1 THEN SELECT 1; END IF;
SELECT ${f};
)",
                                       no_env());
  ASSERT_EQ(r.errors.size(), 6u) << errors_of(r);
  const char* names[] = {"a", "b", "c", "d", "e", "f"};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(r.errors[i].message(), std::string("undefined variable '") + names[i] + "'");
    EXPECT_EQ(r.errors[i].location()->line, i + 1);
  }
  EXPECT_EQ(r.errors[0].location()->column, 36);  // inside the PARAMS block
}

TEST(Resolver, UntakenBranchesAreNotResolved) {
  const ResolveResult r = resolve_text("IF false THEN SELECT ${undefined}; END IF;\n", no_env());
  EXPECT_EQ(errors_of(r), "");
  EXPECT_TRUE(r.statements.empty());
}

TEST(Resolver, JsonSafeSubstitutionAndTrailingCommas) {
  const ResolveResult r =
      resolve_text(R"(SOURCE s TYPE rest PARAMS {
  "url": "${url}",
  "token": "${token}",
  "limit": ${limit|100},
  "filter": {"q": "${q}",},
};
EXPORT SELECT 1 TO "o.csv" TYPE csv OPTIONS {"header": ${header|true}, "delimiter": "${d|;}",};
)",
                   no_env({{"url", "http://x/?a=\"1\"&b=\\2"}, {"token", "t\"}\n"}, {"q", "a,}"}}));
  EXPECT_EQ(errors_of(r), "");
  const auto& src = std::get<SourceStmt>(r.statements.at(0).node);
  EXPECT_EQ(src.params["url"], "http://x/?a=\"1\"&b=\\2");
  EXPECT_EQ(src.params["token"], "t\"}\n");
  EXPECT_EQ(src.params["limit"], 100);
  EXPECT_EQ(src.params["filter"]["q"], "a,}");
  const auto& exp = std::get<ExportStmt>(r.statements.at(1).node);
  EXPECT_EQ(exp.options, nlohmann::json::parse(R"({"header": true, "delimiter": ";"})"));
}

TEST(Resolver, InvalidJsonIsLocatedInsideTheBlockWithoutEchoingValues) {
  const ResolveResult r = resolve_text(R"(SOURCE s TYPE csv PARAMS {
  "path": "${p}",
  "header": tru
};
)",
                                       no_env({{"p", "secret-value"}}), "x.sf");
  ASSERT_EQ(r.errors.size(), 1u);
  const Error& e = r.errors[0];
  EXPECT_EQ(e.kind(), ErrorKind::Parse);
  EXPECT_EQ(e.location()->file, "x.sf");
  EXPECT_EQ(e.location()->line, 3);
  EXPECT_EQ(e.location()->column, 16);  // just after the bad literal `tru`, where JSON gave up
  EXPECT_NE(e.message().find("invalid JSON in PARAMS of SOURCE s: syntax error while parsing"),
            std::string::npos)
      << e.message();
  EXPECT_EQ(e.message().find("last read"), std::string::npos);
  EXPECT_EQ(e.format().find("secret-value"), std::string::npos);
}

TEST(Resolver, ValueBreakingJsonOutsideStringsIsReported) {
  const ResolveResult r =
      resolve_text("SOURCE s TYPE csv PARAMS {\"n\": ${n}};\n", no_env({{"n", "not json"}}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message().find("invalid JSON"), std::string::npos);
  EXPECT_EQ(r.errors[0].location()->column, 32);  // the ${ the bad value came from
}

TEST(Resolver, ConditionalsNestedElseIfElseifEndif) {
  const std::string text = R"(
IF ${env} == 'production' THEN
  SELECT 'prod';
  IF ${region} == 'us-east' THEN
    SELECT 'east';
  ELSE IF ${region} == 'eu' THEN
    SELECT 'eu';
  ELSEIF ${region} == 'apac' THEN
    SELECT 'apac';
  ELSE
    SELECT 'other region';
  ENDIF;
ELSE IF ${env} == 'staging' THEN
  SELECT 'staging';
ELSE
  SELECT 'dev';
END IF;
)";
  const auto run = [&](std::map<std::string, std::string> cli) {
    return flat(resolve_text(text, no_env(cli)));
  };
  EXPECT_EQ(run({{"env", "production"}, {"region", "us-east"}}), "SQL SELECT 'prod'\nSQL SELECT 'east'\n");
  EXPECT_EQ(run({{"env", "production"}, {"region", "eu"}}), "SQL SELECT 'prod'\nSQL SELECT 'eu'\n");
  EXPECT_EQ(run({{"env", "production"}, {"region", "apac"}}), "SQL SELECT 'prod'\nSQL SELECT 'apac'\n");
  EXPECT_EQ(run({{"env", "production"}, {"region", "mars"}}),
            "SQL SELECT 'prod'\nSQL SELECT 'other region'\n");
  EXPECT_EQ(run({{"env", "staging"}}), "SQL SELECT 'staging'\n");
  EXPECT_EQ(run({{"env", "dev"}}), "SQL SELECT 'dev'\n");
}

TEST(Resolver, ConditionDefaultsAndFlags) {
  const std::string text = R"(
IF ${use_sample|true} == 'true' THEN SELECT 'sample'; END IF;
IF ${enable_export|false} == 'true' THEN SELECT 'export'; END IF;
IF ${n|5} > 3 and not ${off|false} THEN SELECT 'n>3'; END IF;
IF '${name}' == 'O''Brien' THEN SELECT 'quoted'; END IF;
)";
  const ResolveResult r = resolve_text(text, no_env({{"name", "O'Brien"}}));
  EXPECT_EQ(errors_of(r), "");
  EXPECT_EQ(flat(r), "SQL SELECT 'sample'\nSQL SELECT 'n>3'\nSQL SELECT 'quoted'\n");
}

TEST(Resolver, BadConditionIsAnErrorAtItsBranch) {
  const ResolveResult r = resolve_text(
      "IF ${a|1} == 2 THEN\n  SELECT 1;\nELSE IF ${a|1} = 1 THEN\n  SELECT 2;\nEND IF;\n", no_env());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].location()->line, 3);
  EXPECT_EQ(
      r.errors[0].message(),
      "cannot evaluate the IF condition '${a|1} = 1': '=' is not a comparison: use '==' to test equality");
  EXPECT_TRUE(r.statements.empty());
}

TEST(Resolver, KeepsLocationsOnResolvedStatements) {
  const ResolveResult r = resolve_text(
      "SET a = 1;\n\n  LOAD t FROM s;\nIF true THEN\n    SELECT 1;\nEND IF;\n", no_env(), "dir/p.sf");
  ASSERT_EQ(r.statements.size(), 2u);
  EXPECT_EQ(r.statements[0].location.file, "dir/p.sf");
  EXPECT_EQ(r.statements[0].location.line, 3);
  EXPECT_EQ(r.statements[0].location.column, 3);
  EXPECT_EQ(r.statements[1].location.line, 5);
  EXPECT_EQ(r.statements[1].location.column, 5);
}

TEST(Resolver, SubstitutesNamesKeysAndShortExportQuery) {
  const ResolveResult r =
      resolve_text(R"(
LOAD raw_${env} FROM src_${env} MODE UPSERT KEY (${key});
CREATE TABLE t_${env} MODE INCREMENTAL BY ${col} AS SELECT * FROM raw_${env};
EXPORT t_${env} TO "${dir}/t.csv" TYPE ${fmt};
)",
                   no_env({{"env", "p\"x"}, {"key", "id"}, {"col", "ts"}, {"dir", "out"}, {"fmt", "csv"}}));
  EXPECT_EQ(errors_of(r), "");
  const auto& l = std::get<LoadStmt>(r.statements.at(0).node);
  EXPECT_EQ(l.table, "raw_p\"x");
  EXPECT_EQ(l.source, "src_p\"x");
  EXPECT_EQ(l.keys, std::vector<std::string>{"id"});
  const auto& c = std::get<CreateTableStmt>(r.statements.at(1).node);
  EXPECT_EQ(c.table, "t_p\"x");
  EXPECT_EQ(c.incremental_column, "ts");
  const auto& e = std::get<ExportStmt>(r.statements.at(2).node);
  EXPECT_EQ(*e.table, "t_p\"x");
  EXPECT_EQ(e.query, "SELECT * FROM \"t_p\"\"x\"");  // quoted after substitution
  EXPECT_EQ(e.uri, "out/t.csv");
  EXPECT_EQ(e.type, "csv");
}

class ResolverInclude : public ::testing::Test {
 protected:
  test::TempDir dir_{"resolver-include"};
  std::string path(const std::string& rel) const { return (dir_.path() / rel).string(); }
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((dir_.path() / rel).parent_path());
    test::write_file(dir_.path() / rel, text);
  }
  ResolveResult run(const std::string& rel, const VariableSources& vars = no_env()) const {
    const ParseResult parsed = parse_file(path(rel));
    EXPECT_TRUE(parsed.errors.empty());
    return resolve(parsed.pipeline, vars);
  }
};

TEST_F(ResolverInclude, RelativeToTheIncludingFileAndNested) {
  write("pipelines/main.sf",
        "SELECT 'main';\nINCLUDE \"common/sources.sf\" AS common;\nSELECT '${from_include}';\n");
  write("pipelines/common/sources.sf",
        "SET from_include = 'yes';\nINCLUDE \"../shared/load.sf\";\nSELECT 'sources';\n");
  write("pipelines/shared/load.sf", "\n  LOAD t FROM s;\n");
  const ResolveResult r = run("pipelines/main.sf");
  EXPECT_EQ(errors_of(r), "");
  EXPECT_EQ(flat(r),
            "SQL SELECT 'main'\nLOAD t FROM s MODE REPLACE\nSQL SELECT 'sources'\nSQL SELECT 'yes'\n");
  // Included statements keep their own file in their location.
  EXPECT_EQ(fs::path(r.statements[1].location.file), fs::path(path("pipelines/shared/load.sf")));
  EXPECT_EQ(r.statements[1].location.line, 2);
  EXPECT_EQ(r.statements[1].location.column, 3);
  EXPECT_EQ(fs::path(r.statements[2].location.file), fs::path(path("pipelines/common/sources.sf")));
  EXPECT_EQ(r.variables.at("from_include"), "yes");
}

TEST_F(ResolverInclude, IncludedStatementsUseTheSameVariables) {
  write("main.sf", "SET env = 'prod';\nINCLUDE \"${env}.sf\";\n");
  write("prod.sf", "IF ${env} == 'prod' THEN SELECT '${env}'; END IF;\n");
  EXPECT_EQ(flat(run("main.sf")), "SQL SELECT 'prod'\n");
}

TEST_F(ResolverInclude, IncludeInsideAnUntakenBranchIsIgnored) {
  write("main.sf", "IF false THEN INCLUDE \"missing.sf\"; END IF;\nSELECT 1;\n");
  const ResolveResult r = run("main.sf");
  EXPECT_EQ(errors_of(r), "");
  EXPECT_EQ(flat(r), "SQL SELECT 1\n");
}

TEST_F(ResolverInclude, CycleListsTheChain) {
  write("a.sf", "SELECT 'a';\nINCLUDE \"b.sf\";\n");
  write("b.sf", "SELECT 'b';\n\nINCLUDE \"./a.sf\";\n");
  const ResolveResult r = run("a.sf");
  ASSERT_EQ(r.errors.size(), 1u);
  const std::string a = path("a.sf"), b = path("b.sf");
  EXPECT_EQ(r.errors[0].message(), "INCLUDE cycle: " + a + " → " + b + " → " + a);
  EXPECT_EQ(r.errors[0].location()->line, 3);
  EXPECT_EQ(fs::path(r.errors[0].location()->file), fs::path(b));
}

TEST_F(ResolverInclude, SelfIncludeIsACycle) {
  write("self.sf", "INCLUDE \"self.sf\";\n");
  const ResolveResult r = run("self.sf");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message(), "INCLUDE cycle: " + path("self.sf") + " → " + path("self.sf"));
}

TEST_F(ResolverInclude, SameFileTwiceIsNotACycle) {
  write("main.sf", "INCLUDE \"part.sf\";\nINCLUDE \"part.sf\";\n");
  write("part.sf", "SELECT 'part';\n");
  const ResolveResult r = run("main.sf");
  EXPECT_EQ(errors_of(r), "");
  EXPECT_EQ(flat(r), "SQL SELECT 'part'\nSQL SELECT 'part'\n");
}

TEST_F(ResolverInclude, MissingFileNamesThePathAndTheIncludingLine) {
  write("dir/main.sf", "SELECT 1;\nINCLUDE \"sub/nope.sf\" AS n;\n");
  const ResolveResult r = run("dir/main.sf");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message(), "INCLUDE file not found: " + path("dir/sub/nope.sf"));
  EXPECT_EQ(fs::path(r.errors[0].location()->file), fs::path(path("dir/main.sf")));
  EXPECT_EQ(r.errors[0].location()->line, 2);
}

TEST_F(ResolverInclude, SyntaxErrorsOfAnIncludedFileKeepItsLocation) {
  write("main.sf", "INCLUDE \"bad.sf\";\n");
  write("bad.sf", "SELECT 1;\nLOAD t FRM s;\n");
  const ResolveResult r = run("main.sf");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].kind(), ErrorKind::Parse);
  EXPECT_EQ(fs::path(r.errors[0].location()->file), fs::path(path("bad.sf")));
  EXPECT_EQ(r.errors[0].location()->line, 2);
}

TEST_F(ResolverInclude, IncludingADirectoryIsAnError) {
  fs::create_directories(dir_.path() / "adir");
  write("main.sf", "INCLUDE \"adir\";\n");
  const ResolveResult r = run("main.sf");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message().find("is a directory"), std::string::npos);
  EXPECT_EQ(r.errors[0].location()->line, 1);
}

TEST_F(ResolverInclude, LongIncludeChainsAreBounded) {
  for (int i = 0; i < kMaxIncludeDepth + 5; ++i)
    write("f" + std::to_string(i) + ".sf", "INCLUDE \"f" + std::to_string(i + 1) + ".sf\";\n");
  write("f" + std::to_string(kMaxIncludeDepth + 5) + ".sf", "SELECT 'end';\n");
  const ResolveResult r = run("f0.sf");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message().find("INCLUDE nested more than"), std::string::npos);
}

TEST(ParseFile, MissingFileIsOneErrorNamingThePath) {
  const ParseResult r = parse_file("/nonexistent/dir/pipeline.sf");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message().find("/nonexistent/dir/pipeline.sf"), std::string::npos);
  EXPECT_TRUE(r.pipeline.statements.empty());
}

}  // namespace
