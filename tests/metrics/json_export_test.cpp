#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "metrics/exporters.hpp"
#include "metrics/secrets.hpp"
#include "sample_run.hpp"
#include "support/test_support.hpp"

using namespace sqlflow::metrics;
using nlohmann::json;

TEST(JsonExport, DocumentFollowsTheSchema) {
  auto run = test::sample_run();
  sqlflow::test::TempDir dir("metrics-json");
  write_json(*run, dir / "m.json");
  json doc = json::parse(sqlflow::test::read_file(dir / "m.json"));

  EXPECT_EQ(doc["schema_version"], 1);
  EXPECT_EQ(doc["pipeline"], "daily_sales");
  EXPECT_EQ(doc["profile"], "prod");
  EXPECT_EQ(doc["status"], "failed");
  EXPECT_TRUE(doc["error"].is_null());
  EXPECT_TRUE(doc["started_at"].is_string());
  EXPECT_TRUE(doc["finished_at"].is_string());
  EXPECT_TRUE(doc["duration_seconds"].is_number());

  const json& totals = doc["totals"];
  EXPECT_EQ(totals["steps"], 3);
  EXPECT_EQ(totals["steps_ok"], 1);
  EXPECT_EQ(totals["steps_failed"], 1);
  EXPECT_EQ(totals["steps_skipped"], 1);
  EXPECT_EQ(totals["rows_in"], 12345);
  EXPECT_EQ(totals["rows_out"], 12340 + 31);
  EXPECT_EQ(totals["rejected_rows"], 5);
  EXPECT_DOUBLE_EQ(totals["network_wait_seconds"].get<double>(), 1.5);

  ASSERT_EQ(doc["steps"].size(), 3u);
  const json& load = doc["steps"][0];
  EXPECT_EQ(load["name"], "load_orders");
  EXPECT_EQ(load["kind"], "load");
  EXPECT_EQ(load["connector"], "rest");
  EXPECT_EQ(load["line"], 3);
  EXPECT_EQ(load["status"], "ok");
  EXPECT_EQ(load["bytes"], 987654);
  EXPECT_EQ(load["retries"], 2);
  EXPECT_EQ(load["throttle_waits"], 1);
  EXPECT_EQ(load["breaker_trips"], 0);
  EXPECT_TRUE(load["error"].is_null());
  const json& transform = doc["steps"][1];
  EXPECT_TRUE(transform["connector"].is_null());
  EXPECT_EQ(transform["status"], "failed");
  EXPECT_EQ(transform["error"], "HTTP 503 from api.example.com");
  const json& skipped = doc["steps"][2];
  EXPECT_EQ(skipped["status"], "skipped");
  EXPECT_TRUE(skipped["started_at"].is_null());
  EXPECT_EQ(skipped["duration_seconds"], 0.0);

  ASSERT_EQ(doc["connectors"].size(), 2u);  // csv, rest — sorted
  EXPECT_EQ(doc["connectors"][0]["connector"], "csv");
  EXPECT_TRUE(doc["connectors"][0]["request_latency"].is_null());
  const json& rest = doc["connectors"][1];
  EXPECT_EQ(rest["connector"], "rest");
  EXPECT_EQ(rest["steps"], 1);
  const json& lat = rest["request_latency"];
  EXPECT_EQ(lat["count"], 4);
  EXPECT_DOUBLE_EQ(lat["max_seconds"].get<double>(), 200.0);
  ASSERT_EQ(lat["buckets"].size(), Histogram::kBuckets);
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < Histogram::kBuckets; ++i) {
    const json& b = lat["buckets"][i];
    if (i + 1 < Histogram::kBuckets)
      EXPECT_DOUBLE_EQ(b["le_seconds"].get<double>(),
                       static_cast<double>(Histogram::kUpperBoundsNs[i]) / 1e9);
    else
      EXPECT_TRUE(b["le_seconds"].is_null());
    sum += b["count"].get<std::uint64_t>();
  }
  EXPECT_EQ(sum, 4u);
  EXPECT_EQ(lat["buckets"][Histogram::bucket_index(1'500'000)]["count"], 2);
  EXPECT_EQ(lat["buckets"][Histogram::kBuckets - 1]["count"], 1);
}

TEST(JsonExport, KeysComeInTheDocumentedOrder) {
  auto run = test::sample_run();
  json doc = json::parse(to_json(*run));
  std::vector<std::string> keys;
  // nlohmann::json sorts keys, so read the order from the text itself.
  std::string text = to_json(*run);
  for (const char* key : {"\"schema_version\"", "\"generator\"", "\"pipeline\"", "\"profile\"", "\"status\"",
                          "\"error\"", "\"started_at\"", "\"finished_at\"", "\"duration_seconds\"",
                          "\"totals\"", "\"steps\"", "\"connectors\""}) {
    keys.push_back(key);
  }
  std::size_t last = 0;
  for (const auto& k : keys) {
    std::size_t pos = text.find(k);
    ASSERT_NE(pos, std::string::npos) << k;
    EXPECT_GE(pos, last) << k;
    last = pos;
  }
  EXPECT_EQ(doc.size(), keys.size());
}

TEST(JsonExport, IdenticalRunToRunExceptTimes) {
  auto strip = [](json doc) {
    doc.erase("started_at");
    doc.erase("finished_at");
    doc.erase("duration_seconds");
    for (auto& s : doc["steps"]) {
      s.erase("started_at");
      s.erase("finished_at");
      s.erase("duration_seconds");
    }
    return doc.dump();
  };
  auto a = test::sample_run();
  auto b = test::sample_run();
  EXPECT_EQ(strip(json::parse(to_json(*a))), strip(json::parse(to_json(*b))));
}

TEST(JsonExport, CreatesMissingFoldersAndReplacesAtomically) {
  auto run = test::sample_run();
  sqlflow::test::TempDir dir("metrics-json");
  const auto target = dir / "reports" / "daily" / "m.json";
  write_json(*run, target);
  write_json(*run, target);  // replaces the previous file
  EXPECT_EQ(json::parse(sqlflow::test::read_file(target))["pipeline"], "daily_sales");
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(target.parent_path())) ++entries;
  EXPECT_EQ(entries, 1u);  // no temporary file left behind
}

TEST(JsonExport, SecretsNeverReachTheFile) {
  const std::string canary = "CANARY-json-5d2c";
  register_secret(canary);
  auto run = test::sample_run(
      "load_" + canary, "auth failed for https://api.example.com/v1?api_key=UNREGISTERED-KEY with " + canary);
  std::string text = to_json(*run);
  EXPECT_EQ(text.find(canary), std::string::npos);
  EXPECT_EQ(text.find("UNREGISTERED-KEY"), std::string::npos);
  json doc = json::parse(text);
  EXPECT_EQ(doc["steps"][0]["name"], "load_***");
  EXPECT_EQ(doc["steps"][1]["error"], "auth failed for https://api.example.com/v1?api_key=*** with ***");
}

TEST(JsonExport, UnwritablePathIsAClearError) {
  auto run = test::sample_run();
  sqlflow::test::TempDir dir("metrics-json");
  sqlflow::test::write_file(dir / "plain-file", "x");
  const auto target = dir / "plain-file" / "m.json";  // a file where a folder must be: fails even as root
  try {
    write_json(*run, target);
    FAIL() << "expected an error";
  } catch (const sqlflow::Error& e) {
    EXPECT_NE(std::string(e.what()).find("plain-file"), std::string::npos) << e.what();
  }
}
