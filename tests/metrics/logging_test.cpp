#include "metrics/logging.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/error.hpp"
#include "metrics/secrets.hpp"
#include "test_regex.hpp"

using namespace sqlflow::metrics;
using nlohmann::json;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// Restores a logger that writes nowhere the next test could trip over.
struct LoggingFixture : ::testing::Test {
  std::ostringstream out;
  void TearDown() override {
    static std::ostringstream sink;
    init_logging(LogLevel::Off, LogFormat::Text, false, &sink);
  }
};

}  // namespace

TEST_F(LoggingFixture, JsonLinesCarryStepConnectorAndLevel) {
  init_logging(LogLevel::Debug, LogFormat::Json, false, &out);
  spdlog::info("run started");
  {
    LogContext scope("load_orders", "postgres");
    spdlog::debug("copy {} rows", 42);
    {
      LogContext inner("nested");
      spdlog::warn("inner \"quoted\"\nline");
    }
    spdlog::error("copy failed");
  }
  spdlog::trace("not shown at debug level");

  auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 4u) << out.str();
  std::vector<json> docs;
  for (const auto& l : lines) docs.push_back(json::parse(l));
  for (const auto& d : docs) {
    ASSERT_EQ(d.size(), 8u);  // ts, level, run_id, pipeline, step, connector, event, msg
    EXPECT_EQ(d["event"], "message");
    EXPECT_TRUE(std::regex_match(d["ts"].get<std::string>(),
                                 std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")));
  }
  EXPECT_EQ(docs[0]["level"], "info");
  EXPECT_TRUE(docs[0]["step"].is_null());
  EXPECT_TRUE(docs[0]["connector"].is_null());
  EXPECT_EQ(docs[0]["msg"], "run started");
  EXPECT_EQ(docs[1]["level"], "debug");
  EXPECT_EQ(docs[1]["step"], "load_orders");
  EXPECT_EQ(docs[1]["connector"], "postgres");
  EXPECT_EQ(docs[1]["msg"], "copy 42 rows");
  EXPECT_EQ(docs[2]["level"], "warn");
  EXPECT_EQ(docs[2]["step"], "nested");
  EXPECT_TRUE(docs[2]["connector"].is_null());
  EXPECT_EQ(docs[2]["msg"], "inner \"quoted\"\nline");
  EXPECT_EQ(docs[3]["level"], "error");
  EXPECT_EQ(docs[3]["step"], "load_orders");  // the outer scope came back
  // Key order is part of the format.
  EXPECT_EQ(lines[0].find("{\"ts\":"), 0u);
  EXPECT_LT(lines[0].find("\"level\""), lines[0].find("\"step\""));
  EXPECT_LT(lines[0].find("\"connector\""), lines[0].find("\"msg\""));
}

TEST_F(LoggingFixture, EventsCarryTheRunAndTheirFieldsInBothFormats) {
  init_logging(LogLevel::Info, LogFormat::Json, false, &out);
  set_run_context("20261205T000000000Z-abcd", "orders");
  register_secret("s3cr3t-value");
  {
    LogContext scope("load orders", "rest");
    log_event(LogLevel::Info, "retry", "retrying",
              {{"attempt", 2}, {"url", "https://x/?token=s3cr3t-value"}});
  }
  log_event(LogLevel::Debug, "hidden", "below the level", nlohmann::ordered_json::object());
  auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 1u) << out.str();
  json d = json::parse(lines[0]);
  EXPECT_EQ(d["run_id"], "20261205T000000000Z-abcd");
  EXPECT_EQ(d["pipeline"], "orders");
  EXPECT_EQ(d["step"], "load orders");
  EXPECT_EQ(d["connector"], "rest");
  EXPECT_EQ(d["event"], "retry");
  EXPECT_EQ(d["attempt"], 2);
  EXPECT_EQ(lines[0].find("s3cr3t-value"), std::string::npos) << lines[0];
  EXPECT_TRUE(json_logging());

  std::ostringstream text;
  init_logging(LogLevel::Info, LogFormat::Text, false, &text);
  EXPECT_FALSE(json_logging());
  log_event(LogLevel::Info, "watermark", "watermark advanced", {{"to", "2024-01-02 00:00:00"}, {"rows", 3}});
  EXPECT_NE(text.str().find("[info] watermark advanced to=\"2024-01-02 00:00:00\" rows=3"), std::string::npos)
      << text.str();
  set_run_context({}, {});
}

TEST_F(LoggingFixture, ThreadsStartedWithTheContextCarryIt) {
  init_logging(LogLevel::Info, LogFormat::Json, false, &out);
  {
    LogContext scope("export x", "s3");
    std::thread(with_log_context([] { spdlog::info("from a worker"); })).join();
  }
  std::thread([] { spdlog::info("no context"); }).join();
  auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(json::parse(lines[0])["step"], "export x");
  EXPECT_TRUE(json::parse(lines[1])["step"].is_null());
}

TEST_F(LoggingFixture, TextFormat) {
  init_logging(LogLevel::Info, LogFormat::Text, false, &out);
  spdlog::debug("hidden");
  spdlog::info("hello {}", "world");
  {
    LogContext scope("orders", "csv");
    spdlog::warn("slow");
  }
  auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 2u) << out.str();
  EXPECT_TRUE(std::regex_match(
      lines[0], std::regex(R"(\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\] \[info\] hello world)")))
      << lines[0];
  EXPECT_TRUE(std::regex_match(lines[1], std::regex(R"(\[[^\]]+\] \[warn\] \[orders\] slow)"))) << lines[1];
}

TEST_F(LoggingFixture, QuietKeepsWarningsAndErrors) {
  init_logging(LogLevel::Debug, LogFormat::Text, true, &out);
  spdlog::info("chatter");
  spdlog::warn("careful");
  spdlog::error("broken");
  auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("careful"), std::string::npos);
}

TEST_F(LoggingFixture, CanariesNeverAppearInTextOrJsonAtDebugLevel) {
  const std::string canary = "CANARY-log-c0ffee";
  const std::string quoted_canary = "CANARY\"log\\q";
  register_secret(canary);
  register_secret(quoted_canary);
  auto emit = [&] {
    LogContext scope("load_" + canary, "rest");
    spdlog::debug("GET https://api.example.com/items?api_key={}&page=2", canary);
    spdlog::debug("dsn=postgresql://etl:{}@db:5432/shop", canary);
    spdlog::debug("headers: Authorization: Bearer {}", canary);
    spdlog::debug("body {}", json{{"password", quoted_canary}}.dump());
    spdlog::error("auth failed with token {}", canary);
    spdlog::debug("unregistered https://h/?token=UNREGISTERED-TOK and password=UNREGISTERED-PW");
  };
  for (LogFormat format : {LogFormat::Text, LogFormat::Json}) {
    out.str("");
    init_logging(LogLevel::Trace, format, false, &out);
    emit();
    const std::string text = out.str();
    EXPECT_EQ(lines_of(text).size(), 6u);
    EXPECT_EQ(text.find(canary), std::string::npos) << text;
    EXPECT_EQ(text.find("CANARY"), std::string::npos) << text;  // no spelling of either canary survives
    EXPECT_EQ(text.find("UNREGISTERED"), std::string::npos) << text;
    if (format == LogFormat::Json) {
      for (const auto& l : lines_of(text)) EXPECT_TRUE(json::accept(l)) << l;
    }
  }
}

TEST_F(LoggingFixture, ContextIsPerThread) {
  init_logging(LogLevel::Info, LogFormat::Json, false, &out);
  LogContext scope("main_step");
  std::thread worker([ctx = LogContext::current()] {
    spdlog::info("without context");
    LogContext inherited(ctx);
    spdlog::info("with context");
  });
  worker.join();
  auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(json::parse(lines[0])["step"].is_null());
  EXPECT_EQ(json::parse(lines[1])["step"], "main_step");
}

TEST(LogOptions, ParseLevelsAndFormats) {
  EXPECT_EQ(parse_log_level("DEBUG"), LogLevel::Debug);
  EXPECT_EQ(parse_log_level("warning"), LogLevel::Warn);
  EXPECT_EQ(parse_log_level("off"), LogLevel::Off);
  EXPECT_EQ(parse_log_format("Json"), LogFormat::Json);
  try {
    parse_log_level("debg");
    FAIL();
  } catch (const sqlflow::Error& e) {
    EXPECT_EQ(e.exit_code(), 2);
    EXPECT_NE(std::string(e.what()).find("did you mean 'debug'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_log_format("yaml"), sqlflow::Error);
}
