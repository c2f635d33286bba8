// --log-format json through the binary: a REST + PostgreSQL + file run writes JSON lines only,
// every line parses, carries the run's identity, and lines emitted inside a step (including
// from connector threads) name that step and its connector.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "fixtures/rest/rest_api_fixture.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using Json = nlohmann::json;

TEST(JsonLogs, EveryLineParsesAndLinesInsideAStepNameIt) {
  test::ensure_postgres();
  test::RestApiFixture::Options o;
  o.records = 120;
  o.page_size = 40;
  test::RestApiFixture api(o);
  test::TempDir dir("json-logs");
  test::write_file(dir / "data/c.csv", "id,name\n1,a\n2,b\n");
  test::write_file(
      dir / "pipelines/mixed.sf",
      "SOURCE items TYPE REST PARAMS {\"url\": \"" + api.url("/items/page_nototal") +
          "\", \"data_path\": \"data\", \"pagination\": {\"type\": \"page_number\", \"page_size\": 40}};\n"
          "SOURCE nums TYPE POSTGRES PARAMS {\"query\": \"SELECT generate_series(1, 25) AS n\"};\n"
          "SOURCE c TYPE CSV PARAMS {\"path\": \"data/c.csv\", \"has_header\": true};\n"
          "LOAD items_table FROM items;\n"
          "LOAD nums_table FROM nums;\n"
          "LOAD c_table FROM c;\n"
          "EXPORT SELECT count(*) AS n FROM items_table TO \"output/n.csv\" TYPE CSV OPTIONS {\"header\": "
          "true};\n");
  auto r = test::run_sqlflow({"pipeline", "run", "mixed", "--log-format", "json", "--log-level", "debug"},
                             dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");

  std::istringstream lines(r.err);
  std::string line;
  std::map<std::string, int> events;
  std::string run_id;
  int lines_seen = 0;
  while (std::getline(lines, line)) {
    ++lines_seen;
    Json j = Json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "not JSON: " << line;
    for (const char* key : {"ts", "level", "run_id", "pipeline", "step", "connector", "event", "msg"})
      ASSERT_TRUE(j.contains(key)) << key << " missing: " << line;
    EXPECT_EQ(j["pipeline"], "mixed") << line;
    if (run_id.empty()) run_id = j["run_id"];
    EXPECT_EQ(j["run_id"], run_id) << line;
    const std::string event = j["event"];
    ++events[event];
    if (event == "http_request") {
      EXPECT_EQ(j["step"], "load items_table") << line;
      EXPECT_EQ(j["connector"], "rest") << line;
      EXPECT_EQ(j["status"], 200) << line;
    }
    if (event == "connect") {
      EXPECT_EQ(j["step"], "load nums_table") << line;
      EXPECT_EQ(j["connector"], "postgres") << line;
    }
    if (event == "step_start" || event == "step_end") {
      EXPECT_TRUE(j["step"].is_string()) << line;
    }
  }
  EXPECT_GT(lines_seen, 0);
  EXPECT_EQ(events["run_start"], 1);
  EXPECT_EQ(events["run_end"], 1);
  EXPECT_EQ(events["step_start"], 4);
  EXPECT_EQ(events["step_end"], 4);
  EXPECT_GE(events["http_request"], 3);  // 120 records at 40 a page, plus the empty last page
  EXPECT_GE(events["connect"], 1);
}

TEST(JsonLogs, AnErrorBeforeTheRunIsAJsonLineToo) {
  test::TempDir dir("json-logs-error");
  test::write_file(dir / "pipelines/p.sf", "LOAD t FROM nowhere;\n");
  auto missing = test::run_sqlflow({"pipeline", "run", "nope", "--log-format", "json"}, dir.path());
  EXPECT_EQ(missing.exit_code, 2);
  Json j = Json::parse(missing.err);
  EXPECT_EQ(j["event"], "run_end");
  EXPECT_EQ(j["status"], "error");
  EXPECT_NE(j["msg"].get<std::string>().find("no pipeline named 'nope'"), std::string::npos);

  auto invalid = test::run_sqlflow({"pipeline", "run", "p", "--log-format", "json"}, dir.path());
  EXPECT_EQ(invalid.exit_code, 2);
  std::istringstream lines(invalid.err);
  std::string line;
  std::vector<std::string> events;
  while (std::getline(lines, line)) events.push_back(Json::parse(line)["event"]);
  ASSERT_FALSE(events.empty()) << invalid.err;
  EXPECT_EQ(events.front(), "pipeline_error");
  EXPECT_EQ(events.back(), "run_end");
}
