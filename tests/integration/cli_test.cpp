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

TEST(Cli, InitCreatesAProjectWhoseExampleRuns) {
  sqlflow::test::TempDir dir("init");
  auto r = run_sqlflow({"init", "shop"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto project = dir.path() / "shop";
  for (const char* f :
       {"profiles/dev.yml", "profiles/prod.yml", "pipelines/example.sf", "data/orders.csv", "README.md"})
    EXPECT_TRUE(std::filesystem::exists(project / f)) << f;
  auto run = run_sqlflow({"pipeline", "run", "example"}, project);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(sqlflow::test::read_file(project / "output/customer_revenue.csv").substr(0, 54),
            "customer_id,name,country,orders,revenue,revenue_rank\n3");
  // The prod profile keeps its tables in a file.
  auto prod = run_sqlflow({"pipeline", "run", "example", "--profile", "prod"}, project);
  ASSERT_EQ(prod.exit_code, 0) << prod.err;
  auto q = run_sqlflow(
      {"query", "--profile", "prod", "--format", "csv", "SELECT count(*) AS n FROM customer_revenue"},
      project);
  EXPECT_EQ(q.out, "n\n5\n") << q.err;
  auto status = run_sqlflow({"status"}, project);
  EXPECT_NE(status.out.find("dev (memory), prod (persistent)"), std::string::npos) << status.out;
  EXPECT_EQ(run_sqlflow({"init", "shop"}, dir.path()).exit_code, 2);
}

TEST(Cli, ProfilesValidateReportsBadConnectors) {
  sqlflow::test::TempDir dir("profiles");
  sqlflow::test::write_file(dir / "profiles/dev.yml",
                            "connectors:\n  files:\n    type: CSV\n    params: {path: x.csv, delimter: ';'}\n"
                            "  other:\n    type: NOPE\n    params: {}\nmystery: 1\n");
  auto r = run_sqlflow({"profiles", "validate"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("INVALID dev"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("unknown parameter 'delimter'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unknown connector type 'NOPE'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unknown key 'mystery'"), std::string::npos) << r.err;
}

TEST(Cli, ConnectTestOpensAProfileConnector) {
  sqlflow::test::TempDir dir("connect");
  sqlflow::test::write_file(dir / "data/a.csv", "x,y\n1,2\n");
  sqlflow::test::write_file(dir / "profiles/dev.yml",
                            "connectors:\n  files:\n    type: CSV\n    params: {path: data/a.csv}\n"
                            "  missing:\n    type: CSV\n    params: {path: data/nope.csv}\n");
  auto ok = run_sqlflow({"connect", "test", "files"}, dir.path());
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("ok  files (csv)"), std::string::npos) << ok.out;
  auto bad = run_sqlflow({"connect", "test", "missing"}, dir.path());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("nope.csv"), std::string::npos) << bad.out;
}
