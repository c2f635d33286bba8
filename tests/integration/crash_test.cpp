// A crash at every commit boundary (issue #19.3): the binary is killed with SIGKILL at a named
// point of a run (SQLFLOW_TEST_CRASH_AT, core/crash_point.hpp), then run again to completion.
// Afterwards every key is present exactly once, nothing is lost, the watermark equals the
// largest loaded cursor, and no temporary file or staging table remains.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>

#include "fixtures/rest/rest_api_fixture.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
namespace fs = std::filesystem;

namespace {

constexpr int kKilled = 128 + 9;  // SIGKILL

const char* kPersistent = "engines:\n  duckdb:\n    mode: persistent\n    path: target/crash.duckdb\n";

// A DuckDB value of the project's persistent engine, through the binary.
std::string engine_value(const fs::path& dir, const std::string& sql) {
  auto r = test::run_sqlflow({"query", "--format", "csv", sql}, dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto nl = r.out.find('\n');
  std::string v = nl == std::string::npos ? "" : r.out.substr(nl + 1);
  while (!v.empty() && v.back() == '\n') v.pop_back();
  return v;
}

std::vector<std::string> debris(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find(".sqlflow-tmp-") != std::string::npos)
      out.push_back(e.path().string());
  return out;
}

// id, a timestamp cursor (one minute apart) and a value, for ids first..last.
std::string csv_rows(int first, int last, const std::string& v) {
  std::string s = "id,ts,v\n";
  char line[64];
  for (int i = first; i <= last; ++i) {
    std::snprintf(line, sizeof line, "%d,2024-01-01 %02d:%02d:00,%s\n", i, i / 60, i % 60, v.c_str());
    s += line;
  }
  return s;
}

// One scenario: a project whose pipeline `p` is run once fully, then given more data (`grow`),
// killed at the point under test, run again, and checked.
struct Scenario {
  std::string name;
  std::vector<std::string> points;
  std::function<void(const fs::path&, const std::string& tag)> setup;
  std::function<void(const fs::path&, const std::string& tag)> grow;
  std::function<void(const fs::path&, const std::string& tag)> check;
  std::vector<std::string> vars_first{}, vars_after{};
};

std::string schema_for(const std::string& tag) {
  return "it_crash_" + tag;
}

std::unique_ptr<test::RestApiFixture>& rest_api() {
  static std::unique_ptr<test::RestApiFixture> api;
  return api;
}

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> all = {
      {"csv_incremental_append",
       {"step.started", "load.staged", "load.written", "load.watermark_set", "load.committed"},
       [](const fs::path& dir, const std::string&) {
         test::write_file(dir / "profiles/dev.yml", kPersistent);
         test::write_file(dir / "data/events.csv", csv_rows(1, 100, "a"));
         test::write_file(dir / "pipelines/p.sf",
                          "SOURCE ev TYPE CSV PARAMS {\"path\": \"data/events.csv\", \"sync_mode\": "
                          "\"incremental\", \"cursor_field\": \"ts\"};\n"
                          "LOAD events FROM ev MODE APPEND;\n");
       },
       [](const fs::path& dir, const std::string&) {
         test::write_file(dir / "data/events.csv", csv_rows(1, 250, "a"));
       },
       [](const fs::path& dir, const std::string&) {
         EXPECT_EQ(engine_value(dir,
                                "SELECT count(*) || '|' || count(DISTINCT id) || '|' || min(id) || '|' || "
                                "max(id) FROM events"),
                   "250|250|1|250");
         EXPECT_EQ(engine_value(dir,
                                "SELECT value = (SELECT max(ts)::VARCHAR FROM events) FROM "
                                "sqlflow_state.watermarks"),
                   "true");
       }},
      {"csv_upsert",
       {"step.started", "load.staged", "load.written", "load.committed"},
       [](const fs::path& dir, const std::string&) {
         test::write_file(dir / "profiles/dev.yml", kPersistent);
         test::write_file(dir / "data/items.csv", csv_rows(1, 100, "a"));
         test::write_file(dir / "pipelines/p.sf",
                          "SOURCE it TYPE CSV PARAMS {\"path\": \"data/items.csv\"};\n"
                          "LOAD items FROM it MODE UPSERT KEY (id);\n");
       },
       [](const fs::path& dir, const std::string&) {
         test::write_file(dir / "data/items.csv", csv_rows(51, 150, "b"));
       },
       [](const fs::path& dir, const std::string&) {
         EXPECT_EQ(engine_value(dir,
                                "SELECT count(*) || '|' || count(DISTINCT id) || '|' || count(*) FILTER (v = "
                                "'b') FROM items"),
                   "150|150|100");
       }},
      {"postgres_incremental_append",
       {"step.started", "postgres.copy_out", "load.staged", "load.written", "load.watermark_set",
        "load.committed"},
       [](const fs::path& dir, const std::string& tag) {
         const std::string s = schema_for(tag);
         test::psql_value(
             "DROP SCHEMA IF EXISTS " + s + " CASCADE; CREATE SCHEMA " + s + "; CREATE TABLE " + s +
             ".src AS SELECT g AS id, TIMESTAMP '2024-01-01' + g * INTERVAL '1 second' AS updated_at "
             "FROM generate_series(1, 100) g");
         test::write_file(dir / "profiles/dev.yml", kPersistent);
         test::write_file(dir / "pipelines/p.sf",
                          "SOURCE s TYPE POSTGRES PARAMS {\"schema\": \"" + s +
                              "\", \"table\": \"src\", \"sync_mode\": \"incremental\", \"cursor_field\": "
                              "\"updated_at\"};\n"
                              "LOAD copied FROM s MODE APPEND;\n");
       },
       [](const fs::path&, const std::string& tag) {
         test::psql_value("INSERT INTO " + schema_for(tag) +
                          ".src SELECT g, TIMESTAMP '2024-01-01' + g * INTERVAL '1 second' FROM "
                          "generate_series(101, 300) g");
       },
       [](const fs::path& dir, const std::string& tag) {
         EXPECT_EQ(
             engine_value(dir, "SELECT count(*) || '|' || count(DISTINCT id) || '|' || max(id) FROM copied"),
             "300|300|300");
         EXPECT_EQ(engine_value(dir,
                                "SELECT value = (SELECT max(updated_at)::VARCHAR FROM copied) FROM "
                                "sqlflow_state.watermarks"),
                   "true");
         test::psql_value("DROP SCHEMA " + schema_for(tag) + " CASCADE");
       }},
      {"rest_upsert",
       {"step.started", "rest.page", "load.staged", "load.written", "load.committed"},
       [](const fs::path& dir, const std::string&) {
         test::write_file(dir / "profiles/dev.yml", kPersistent);
         test::write_file(dir / "pipelines/p.sf",
                          "SOURCE items TYPE REST PARAMS {\"url\": \"" +
                              rest_api()->url("/items/page_nototal") +
                              "\", \"data_path\": \"data\", \"pagination\": {\"type\": \"page_number\", "
                              "\"page_size\": 50}};\n"
                              "LOAD items_table FROM items MODE UPSERT KEY (id);\n");
       },
       [](const fs::path&, const std::string&) {},
       [](const fs::path& dir, const std::string&) {
         EXPECT_EQ(engine_value(dir, "SELECT count(*) || '|' || count(DISTINCT id) FROM items_table"),
                   "250|250");
       }},
      {"file_export",
       {"step.started", "file.before_rename", "file.renamed"},
       [](const fs::path& dir, const std::string&) {
         test::write_file(
             dir / "pipelines/p.sf",
             "EXPORT SELECT range AS id FROM range(${n}) ORDER BY id TO \"output/ids.csv\" TYPE CSV "
             "OPTIONS {\"header\": true};\n");
       },
       [](const fs::path&, const std::string&) {},
       [](const fs::path& dir, const std::string&) {
         std::string text = test::read_file(dir / "output/ids.csv");
         EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 201);
         EXPECT_EQ(text.substr(text.size() - 4), "199\n");
       },
       {"--vars", "n=100"},
       {"--vars", "n=200"}},
      {"postgres_export_upsert",
       {"step.started", "postgres.copied", "postgres.before_commit", "postgres.committed"},
       [](const fs::path& dir, const std::string& tag) {
         const std::string s = schema_for(tag);
         test::psql_value("DROP SCHEMA IF EXISTS " + s + " CASCADE; CREATE SCHEMA " + s);
         test::write_file(
             dir / "pipelines/p.sf",
             "EXPORT SELECT range AS id, 'v' || range AS v FROM range(${n}) TO \"" + s +
                 ".target\" TYPE POSTGRES OPTIONS {\"mode\": \"upsert\", \"upsert_keys\": [\"id\"]};\n");
       },
       [](const fs::path&, const std::string&) {},
       [](const fs::path&, const std::string& tag) {
         const std::string s = schema_for(tag);
         EXPECT_EQ(test::psql_value("SELECT count(*) || '|' || count(DISTINCT id) FROM " + s + ".target"),
                   "200|200");
         EXPECT_EQ(test::psql_value("SELECT count(*) FROM pg_tables WHERE schemaname = '" + s +
                                    "' AND tablename LIKE 'sqlflow_stage%'"),
                   "0");
         test::psql_value("DROP SCHEMA " + s + " CASCADE");
       },
       {"--vars", "n=100"},
       {"--vars", "n=200"}},
  };
  return all;
}

struct Case {
  size_t scenario;
  std::string point;
};

std::vector<Case> all_cases() {
  std::vector<Case> out;
  for (size_t i = 0; i < scenarios().size(); ++i)
    for (const auto& p : scenarios()[i].points) out.push_back({i, p});
  return out;
}

class CrashAt : public ::testing::TestWithParam<Case> {};

TEST_P(CrashAt, ReRunLeavesEveryRowExactlyOnce) {
  const Scenario& sc = scenarios()[GetParam().scenario];
  const std::string& point = GetParam().point;
  test::ensure_postgres();
  test::RestApiFixture::Options o;
  o.records = 250;
  o.page_size = 50;
  rest_api() = std::make_unique<test::RestApiFixture>(o);
  std::string tag = point;
  std::replace(tag.begin(), tag.end(), '.', '_');
  tag = std::to_string(GetParam().scenario) + "_" + tag;
  test::TempDir dir("crash-" + tag);

  auto run = [&](const std::vector<std::string>& vars, const std::string& env) {
    std::vector<std::string> args{"pipeline", "run", "p", "-q"};
    args.insert(args.end(), vars.begin(), vars.end());
    return test::run_sqlflow(args, dir.path(), env);
  };
  sc.setup(dir.path(), tag);
  auto first = run(sc.vars_first, "");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  sc.grow(dir.path(), tag);
  auto killed = run(sc.vars_after, "SQLFLOW_TEST_CRASH_AT=" + point);
  ASSERT_EQ(killed.exit_code, kKilled) << "the run never reached " << point << ": " << killed.err;
  auto again = run(sc.vars_after, "");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  sc.check(dir.path(), tag);
  EXPECT_TRUE(debris(dir.path()).empty());
  rest_api().reset();
}

INSTANTIATE_TEST_SUITE_P(EveryBoundary, CrashAt, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string n = scenarios()[info.param.scenario].name + "_" + info.param.point;
                           std::replace(n.begin(), n.end(), '.', '_');
                           return n;
                         });

}  // namespace
