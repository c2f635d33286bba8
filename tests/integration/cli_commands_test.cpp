// Issue #18 (sections 5 and 6) through the sqlflow binary: did-you-mean for mistyped commands,
// `version`/`help`, `query` output (typed JSON, CSV NULLs, the in-memory hint), profile engine
// checks, and `connect discover` over a file glob.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace {

using sqlflow::test::read_file;
using sqlflow::test::run_sqlflow;
using sqlflow::test::TempDir;
using sqlflow::test::write_file;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(CliCommands, MistypedCommandSuggestsTheRightOne) {
  auto r = run_sqlflow({"pipelin", "run", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown command 'pipelin' (did you mean 'pipeline'?)")) << r.err;
  EXPECT_FALSE(contains(r.err, "A subcommand is required")) << r.err;
  auto nested = run_sqlflow({"pipeline", "rnu", "x"});
  EXPECT_EQ(nested.exit_code, 2);
  EXPECT_TRUE(contains(nested.err, "unknown command 'pipeline rnu' (did you mean 'run'?)")) << nested.err;
  auto far = run_sqlflow({"zzzzzz"});
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_TRUE(contains(far.err, "unknown command 'zzzzzz'")) << far.err;
  EXPECT_TRUE(contains(far.err, "pipeline")) << far.err;  // the list of commands
  auto group = run_sqlflow({"profiles"});
  EXPECT_EQ(group.exit_code, 2);
  EXPECT_TRUE(contains(group.err, "`sqlflow profiles` needs a command: list, show, validate")) << group.err;
}

TEST(CliCommands, VersionAndHelpAsCommandsAndFlags) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"version"}, {"-V"}, {"--version"}}) {
    auto r = run_sqlflow(args);
    EXPECT_EQ(r.exit_code, 0) << args[0];
    EXPECT_TRUE(contains(r.out, "sqlflow 0.")) << args[0] << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "DuckDB v1.4")) << args[0] << ": " << r.out;
  }
  auto help = run_sqlflow({"help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* cmd : {"init", "pipeline", "profiles", "connect", "query"})
    EXPECT_TRUE(contains(help.out, cmd)) << help.out;
  auto sub = run_sqlflow({"connect", "help"});
  EXPECT_EQ(sub.exit_code, 0);
  EXPECT_TRUE(contains(sub.out, "discover")) << sub.out;
}

// Every JSON value parses back to its type: numbers, booleans, null, nested values, decimals.
TEST(CliCommands, QueryJsonKeepsTypes) {
  auto r = run_sqlflow(
      {"query", "--format", "json",
       "SELECT 42 AS i, 2.5::DOUBLE AS d, true AS b, NULL AS n, {'a': 1, 'b': 'x'} AS s, [1, 2, 3] AS l, "
       "MAP {'k': 7} AS m, 12.34::DECIMAL(10, 2) AS dec, DATE '2024-01-02' AS dt, [{'z': [true]}] AS deep, "
       "9223372036854775807 AS big, 'text' AS t"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 1u);
  const auto& row = j[0];
  EXPECT_TRUE(row["i"].is_number_integer());
  EXPECT_EQ(row["i"], 42);
  EXPECT_TRUE(row["d"].is_number_float());
  EXPECT_DOUBLE_EQ(row["d"].get<double>(), 2.5);
  EXPECT_TRUE(row["b"].is_boolean());
  EXPECT_EQ(row["b"], true);
  EXPECT_TRUE(row["n"].is_null());
  EXPECT_EQ(row["s"], nlohmann::json({{"a", 1}, {"b", "x"}}));
  EXPECT_EQ(row["l"], nlohmann::json({1, 2, 3}));
  EXPECT_EQ(row["m"], nlohmann::json({{"k", 7}}));
  EXPECT_TRUE(row["dec"].is_number());
  EXPECT_DOUBLE_EQ(row["dec"].get<double>(), 12.34);
  EXPECT_EQ(row["dt"], "2024-01-02");
  EXPECT_EQ(row["deep"], nlohmann::json::parse(R"([{"z": [true]}])"));
  EXPECT_EQ(row["big"].get<std::int64_t>(), 9223372036854775807LL);
  EXPECT_EQ(row["t"], "text");
}

TEST(CliCommands, QueryJsonNoRowsAndLastStatement) {
  auto empty = run_sqlflow({"query", "--format", "json", "SELECT 1 AS x WHERE false"});
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(nlohmann::json::parse(empty.out), nlohmann::json::array());
  auto multi = run_sqlflow({"query", "--format", "json",
                            "CREATE TABLE t AS SELECT range AS x FROM range(3); INSERT INTO t VALUES (10); "
                            "SELECT sum(x) AS total, count(*) AS n FROM t"});
  ASSERT_EQ(multi.exit_code, 0) << multi.err;
  EXPECT_EQ(nlohmann::json::parse(multi.out), nlohmann::json::parse(R"([{"total": 13, "n": 4}])"));
}

TEST(CliCommands, QueryCsvWritesNullAsEmpty) {
  auto r = run_sqlflow({"query", "--format", "csv", "SELECT NULL AS a, '' AS b, 'x,y' AS c, 1 AS d"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "a,b,c,d\n,\"\",\"x,y\",1\n");
}

TEST(CliCommands, InMemoryEngineSaysWhereTablesWent) {
  TempDir dir("inmem");
  write_file(dir / "profiles/dev.yml", "engines:\n  duckdb:\n    mode: memory\n");
  write_file(dir / "profiles/warehouse.yml",
             "engines:\n  duckdb:\n    mode: persistent\n    path: target/w.duckdb\n");
  auto r = run_sqlflow({"query", "SELECT * FROM customer_revenue"}, dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "customer_revenue")) << r.err;
  EXPECT_TRUE(contains(r.err, "this engine is in memory (profile dev)")) << r.err;
  EXPECT_TRUE(contains(r.err, "--profile warehouse")) << r.err;
  EXPECT_FALSE(contains(r.err, "pg_")) << r.err;  // no suggestion of DuckDB's catalog tables
  // A persistent engine has no such hint.
  auto p = run_sqlflow({"query", "--profile", "warehouse", "SELECT * FROM customer_revenue"}, dir.path());
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_FALSE(contains(p.err, "in memory")) << p.err;
  // Without a persistent profile the hint says how to make one.
  std::filesystem::remove(dir / "profiles/warehouse.yml");
  auto none = run_sqlflow({"query", "SELECT * FROM t"}, dir.path());
  EXPECT_TRUE(contains(none.err, "add a profile with engines.duckdb.mode: persistent")) << none.err;
}

TEST(CliCommands, ProfilesValidateChecksEngineValuesAtTheirLine) {
  TempDir dir("engine");
  write_file(dir / "profiles/dev.yml", "engines:\n  duckdb:\n    mode: memory\n");
  write_file(dir / "profiles/lots.yml", "engines:\n  duckdb:\n    mode: memory\n    memory_limit: lots\n");
  write_file(dir / "profiles/threads.yml", "engines:\n  duckdb:\n    threads: many\n");
  write_file(dir / "profiles/setting.yml",
             "engines:\n  duckdb:\n    settings:\n      preserve_insertion_order: maybe\n");
  write_file(dir / "data.txt", "x");
  write_file(dir / "profiles/temp.yml", "engines:\n  duckdb:\n    temp_directory: data.txt\n");
  write_file(dir / "profiles/spill.yml",
             "engines:\n  duckdb:\n    memory_limit: 512MB\n    temp_directory: target/spill\n");
  auto r = run_sqlflow({"profiles", "validate"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(
      contains(r.err, "profiles/lots.yml:4:19: error: engines.duckdb.memory_limit 'lots' is not a size"))
      << r.err;
  EXPECT_TRUE(contains(r.err, "profiles/threads.yml:3:14: error: engines.duckdb.threads")) << r.err;
  EXPECT_TRUE(
      contains(r.err, "profiles/setting.yml:4:33: error: engines.duckdb.settings.preserve_insertion_order"))
      << r.err;
  EXPECT_TRUE(
      contains(r.err, "profiles/temp.yml:3:21: error: engines.duckdb.temp_directory 'data.txt' is a file"))
      << r.err;
  for (const char* bad : {"lots", "threads", "setting", "temp"})
    EXPECT_TRUE(contains(r.out, std::string("INVALID ") + bad)) << r.out;
  EXPECT_TRUE(contains(r.out, "ok      dev")) << r.out;
  EXPECT_TRUE(contains(r.out, "ok      spill")) << r.out;
  // The spill folder is DuckDB's temp_directory: a query runs with it.
  auto q = run_sqlflow({"query", "--profile", "spill", "--format", "csv",
                        "SELECT current_setting('temp_directory') LIKE '%target/spill' AS ok"},
                       dir.path());
  EXPECT_EQ(q.out, "ok\ntrue\n") << q.err;
}

TEST(CliCommands, ProfilesListShowsABadProfileNextToTheGoodOnes) {
  TempDir dir("plist");
  write_file(dir / "profiles/dev.yml", "engines:\n  duckdb:\n    mode: memory\nvariables: {a: 1}\n");
  write_file(dir / "profiles/bad.yml", "engines:\n  duckdb:\n    memory_limit: lots\n");
  write_file(dir / "profiles/prod.yml",
             "engines:\n  duckdb:\n    mode: persistent\n    path: target/p.duckdb\n");
  auto r = run_sqlflow({"profiles", "list"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.out, "| dev ")) << r.out;
  EXPECT_TRUE(contains(r.out, "| prod ")) << r.out;
  EXPECT_TRUE(contains(r.out, "| bad ")) << r.out;
  EXPECT_TRUE(contains(r.out, "invalid")) << r.out;
  EXPECT_TRUE(
      contains(r.out, "profiles/bad.yml:3:19: error: engines.duckdb.memory_limit 'lots' is not a size"))
      << r.out;
  auto j = run_sqlflow({"profiles", "list", "--format", "json"}, dir.path());
  auto arr = nlohmann::json::parse(j.out);
  ASSERT_EQ(arr.size(), 3u) << j.out;
  EXPECT_EQ(arr[0]["name"], "bad");
  EXPECT_TRUE(arr[0].contains("error"));
  EXPECT_EQ(arr[1]["name"], "dev");
  EXPECT_EQ(arr[1]["variables"], 1);
  EXPECT_EQ(arr[2]["engine"], "persistent");
}

TEST(CliCommands, ConnectDiscoverListsTheFilesAGlobMatchesWithTheirColumns) {
  TempDir dir("discover");
  write_file(dir / "data/a.csv", "id,name\n1,x\n");
  write_file(dir / "data/b.csv", "id,amount,when\n1,2.5,2024-01-01\n");
  write_file(dir / "data/c.csv", "\"never closed\n1,2\n");
  write_file(dir / "json/r.json", "{\"k\": 1, \"v\": {\"w\": true}}\n");
  write_file(dir / "profiles/dev.yml",
             "connectors:\n  files:\n    type: CSV\n    params: {path: \"data/*.csv\"}\n"
             "  docs:\n    type: JSON\n    params: {path: \"json/*.json\"}\n"
             "  none:\n    type: CSV\n    params: {path: \"nothing/*.csv\"}\n");
  // Parquet written by DuckDB itself.
  auto made = run_sqlflow({"query", "--database", (dir / "x.duckdb").string(),
                           "COPY (SELECT 1::INTEGER AS p, 'q' AS r) TO '" +
                               (dir / "data/p.parquet").string() + "' (FORMAT parquet)"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  write_file(dir / "profiles/dev.yml",
             read_file(dir / "profiles/dev.yml") +
                 "  pq:\n    type: PARQUET\n    params: {path: \"data/*.parquet\"}\n");

  auto r = run_sqlflow({"connect", "discover", "files"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "data/a.csv (file, ")) << r.out;
  EXPECT_TRUE(contains(r.out, "id BIGINT, name VARCHAR")) << r.out;
  EXPECT_TRUE(contains(r.out, "id BIGINT, amount DOUBLE, \"when\" DATE") ||
              contains(r.out, "id BIGINT, amount DOUBLE, when DATE"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "data/c.csv (file, ")) << r.out;
  EXPECT_TRUE(contains(r.out, "error:")) << r.out;  // one unreadable file does not hide the others

  auto j = run_sqlflow({"connect", "discover", "files", "--format", "json"}, dir.path());
  ASSERT_EQ(j.exit_code, 0) << j.err;
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["connector"], "files");
  EXPECT_EQ(doc["type"], "csv");
  ASSERT_EQ(doc["items"].size(), 3u) << j.out;
  const auto& a = doc["items"][0];
  EXPECT_EQ(a["kind"], "file");
  EXPECT_EQ(a["name"], "data/a.csv");
  EXPECT_EQ(a["params"], nlohmann::json({{"path", "data/a.csv"}}));
  EXPECT_EQ(a["bytes"], 12);
  EXPECT_EQ(a["columns"], nlohmann::json::parse(R"([{"name": "id", "type": "BIGINT"},
                                                    {"name": "name", "type": "VARCHAR"}])"));
  EXPECT_EQ(doc["items"][1]["columns"][2]["type"], "DATE");
  EXPECT_TRUE(doc["items"][2].contains("error")) << doc["items"][2].dump();

  auto js = run_sqlflow({"connect", "discover", "docs", "--format", "json"}, dir.path());
  ASSERT_EQ(js.exit_code, 0) << js.err;
  auto jdoc = nlohmann::json::parse(js.out);
  EXPECT_EQ(jdoc["items"][0]["columns"][1]["type"], "STRUCT(\"w\" BOOLEAN)") << js.out;

  auto pq = run_sqlflow({"connect", "discover", "pq", "--format", "json"}, dir.path());
  ASSERT_EQ(pq.exit_code, 0) << pq.err;
  EXPECT_EQ(nlohmann::json::parse(pq.out)["items"][0]["columns"],
            nlohmann::json::parse(R"([{"name": "p", "type": "INTEGER"}, {"name": "r", "type": "VARCHAR"}])"))
      << pq.out;

  auto none = run_sqlflow({"connect", "discover", "none"}, dir.path());
  EXPECT_NE(none.exit_code, 0);
  EXPECT_TRUE(contains(none.err, "nothing/*.csv")) << none.err;
  auto typo = run_sqlflow({"connect", "discover", "file"}, dir.path());
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_TRUE(contains(typo.err, "did you mean 'files'")) << typo.err;
}

}  // namespace
