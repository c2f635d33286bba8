// The sqlflow binary's basic contract: version, help, exit codes.
#include <gtest/gtest.h>

#include "support/test_support.hpp"

using sqlflow::test::run_sqlflow;

TEST(Cli, VersionNamesOursAndDuckDBs) {
  auto r = run_sqlflow({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("sqlflow 0."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("DuckDB v1.4.4"), std::string::npos) << r.out;
}

TEST(Cli, HelpListsTheCommandsThatExist) {
  auto r = run_sqlflow({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"init", "pipeline", "profiles", "connect", "status", "query"})
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd << "\n" << r.out;
}

TEST(Cli, SqlErrorExitsOneWithDuckDBsMessage) {
  auto r = run_sqlflow({"query", "SELECT * FROM missing_table"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("missing_table"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("terminate"), std::string::npos) << r.err;
}

TEST(Cli, UsageErrorExitsTwo) {
  EXPECT_EQ(run_sqlflow({"no-such-command"}).exit_code, 2);
  EXPECT_EQ(run_sqlflow({"query"}).exit_code, 2);
}

TEST(Cli, QueryPrintsATable) {
  auto r = run_sqlflow({"query", "SELECT 42 AS answer, 'x''y' AS s"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("| answer | s   |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| 42     | x'y |"), std::string::npos) << r.out;
  auto csv = run_sqlflow({"query", "--format", "csv", "SELECT 1 AS a, 'p,q' AS b"});
  EXPECT_EQ(csv.out, "a,b\n1,\"p,q\"\n");
}

TEST(Cli, ConnectDescribeListsParamsAndSuggestsTypos) {
  auto r = run_sqlflow({"connect", "describe", "generate"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("rows (integer, required)"), std::string::npos) << r.out;
  auto bad = run_sqlflow({"connect", "describe", "generat"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("did you mean 'generate'"), std::string::npos) << bad.err;
}
