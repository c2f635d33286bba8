#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include "metrics/exporters.hpp"
#include "metrics/secrets.hpp"
#include "sample_run.hpp"
#include "support/test_support.hpp"
#include "test_regex.hpp"

using namespace sqlflow::metrics;

namespace {

// Grammar of text format 0.0.4, one regex per line kind.
const std::regex kHelp(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$)");
const std::regex kType(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
const std::regex kSample(
    R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? (NaN|[+-]Inf|[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)$)");

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;  // unescaped
  std::string value;
};

std::map<std::string, std::string> parse_labels(const std::string& set) {
  std::map<std::string, std::string> out;
  std::size_t i = 1;  // after '{'
  while (i < set.size() && set[i] != '}') {
    std::size_t eq = set.find('=', i);
    std::string key = set.substr(i, eq - i);
    std::string value;
    std::size_t j = eq + 2;  // after ="
    for (; set[j] != '"'; ++j) {
      if (set[j] == '\\') {
        ++j;
        value.push_back(set[j] == 'n' ? '\n' : set[j]);
      } else {
        value.push_back(set[j]);
      }
    }
    out[key] = value;
    i = j + 1;
    if (set[i] == ',') ++i;
  }
  return out;
}

// Checks every line against the grammar and the family rules; returns the samples.
std::vector<Sample> parse_exposition(const std::string& text) {
  std::vector<Sample> samples;
  std::istringstream in(text);
  std::string line, help_for, type_for, type;
  std::set<std::string> finished_families;
  std::string current_family;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, kHelp)) {
      EXPECT_EQ(finished_families.count(m[1]), 0u) << "family declared twice: " << m[1];
      if (!current_family.empty()) finished_families.insert(current_family);
      current_family = m[1];
      help_for = m[1];
    } else if (std::regex_match(line, m, kType)) {
      EXPECT_EQ(m[1], help_for) << "TYPE without its HELP: " << line;
      type_for = m[1];
      type = m[2];
    } else if (std::regex_match(line, m, kSample)) {
      std::string name = m[1];
      std::string family = name;
      if (type == "histogram") {
        for (const char* suffix : {"_bucket", "_sum", "_count"})
          if (name.ends_with(suffix)) family = name.substr(0, name.size() - std::strlen(suffix));
      }
      EXPECT_EQ(family, type_for) << "sample outside its family: " << line;
      samples.push_back(
          {name, m[2].matched ? parse_labels(m[2]) : std::map<std::string, std::string>{}, m[3]});
    } else {
      ADD_FAILURE() << "line does not match the exposition format: [" << line << "]";
    }
  }
  EXPECT_TRUE(text.empty() || text.back() == '\n');
  return samples;
}

const Sample* find(const std::vector<Sample>& samples, const std::string& name,
                   const std::map<std::string, std::string>& want) {
  for (const auto& s : samples) {
    if (s.name != name) continue;
    bool all = true;
    for (const auto& [k, v] : want)
      if (!s.labels.count(k) || s.labels.at(k) != v) all = false;
    if (all) return &s;
  }
  return nullptr;
}

}  // namespace

TEST(PrometheusExport, EveryLineFollowsTheFormat) {
  auto run = test::sample_run();
  sqlflow::test::TempDir dir("metrics-prom");
  write_prometheus(*run, dir / "m.prom");
  auto samples = parse_exposition(sqlflow::test::read_file(dir / "m.prom"));
  ASSERT_FALSE(samples.empty());

  const Sample* rows =
      find(samples, "sqlflow_step_rows_total", {{"pipeline", "daily_sales"}, {"step", "load_orders"}});
  ASSERT_NE(rows, nullptr);
  EXPECT_EQ(rows->value, "12340");
  EXPECT_EQ(rows->labels.at("kind"), "load");
  EXPECT_EQ(rows->labels.at("connector"), "rest");
  EXPECT_EQ(find(samples, "sqlflow_step_rows_in_total", {{"step", "load_orders"}})->value, "12345");
  EXPECT_EQ(find(samples, "sqlflow_step_rejected_rows_total", {{"step", "load_orders"}})->value, "5");
  EXPECT_EQ(find(samples, "sqlflow_step_network_wait_seconds_total", {{"step", "load_orders"}})->value,
            "1.5");
  EXPECT_EQ(find(samples, "sqlflow_step_status", {{"step", "totals"}, {"status", "failed"}})->value, "1");
  EXPECT_EQ(find(samples, "sqlflow_step_status", {{"step", "totals"}, {"status", "ok"}})->value, "0");
  EXPECT_EQ(find(samples, "sqlflow_run_success", {{"pipeline", "daily_sales"}})->value, "0");
  EXPECT_EQ(find(samples, "sqlflow_run_info", {{"profile", "prod"}})->value, "1");
}

TEST(PrometheusExport, HistogramBucketsAreCumulativeAndEndInInf) {
  auto run = test::sample_run();
  auto samples = parse_exposition(to_prometheus(*run));
  std::vector<const Sample*> buckets;
  for (const auto& s : samples)
    if (s.name == "sqlflow_request_duration_seconds_bucket") buckets.push_back(&s);
  ASSERT_EQ(buckets.size(), Histogram::kBuckets);
  std::uint64_t prev = 0;
  double prev_le = -1;
  for (const Sample* b : buckets) {
    EXPECT_EQ(b->labels.at("connector"), "rest");
    std::uint64_t v = std::stoull(b->value);
    EXPECT_GE(v, prev);
    prev = v;
    if (b != buckets.back()) {
      double le = std::stod(b->labels.at("le"));
      EXPECT_GT(le, prev_le);
      prev_le = le;
    }
  }
  EXPECT_EQ(buckets.back()->labels.at("le"), "+Inf");
  EXPECT_EQ(buckets.back()->value, "4");
  EXPECT_EQ(find(samples, "sqlflow_request_duration_seconds_count", {{"connector", "rest"}})->value, "4");
  EXPECT_EQ(find(samples, "sqlflow_request_duration_seconds_bucket", {{"le", "0.002"}})->value, "3");
  EXPECT_EQ(std::stod(find(samples, "sqlflow_request_duration_seconds_sum", {})->value),
            (15'000 + 3'000'000 + 200'000'000'000.0) / 1e9);
}

TEST(PrometheusExport, LabelValuesAreEscaped) {
  const std::string weird = "we\"ird\\name\nline";
  auto run = test::sample_run(weird);
  std::string text = to_prometheus(*run);
  EXPECT_NE(text.find(R"(step="we\"ird\\name\nline")"), std::string::npos);
  auto samples = parse_exposition(text);  // the regex rejects raw quotes/newlines inside values
  const Sample* s = find(samples, "sqlflow_step_rows_total", {{"step", weird}});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, "12340");
}

TEST(PrometheusExport, RepeatedStepNamesStayDistinctSeries) {
  RunMetrics run("p");
  run.add_step("s", StepKind::Sql).rows_out.add(1);
  run.add_step("s", StepKind::Sql).rows_out.add(2);
  auto samples = parse_exposition(to_prometheus(run));
  EXPECT_EQ(find(samples, "sqlflow_step_rows_total", {{"step", "s"}})->value, "1");
  EXPECT_EQ(find(samples, "sqlflow_step_rows_total", {{"step", "s#2"}})->value, "2");
}

TEST(PrometheusExport, IdenticalRunToRunExceptTimes) {
  auto without_times = [](const std::string& text) {
    std::istringstream in(text);
    std::string line, out;
    while (std::getline(in, line))
      if (line.find("duration_seconds{") == std::string::npos &&
          line.find("timestamp_seconds{") == std::string::npos)
        out += line + "\n";
    return out;
  };
  auto a = test::sample_run();
  auto b = test::sample_run();
  EXPECT_EQ(without_times(to_prometheus(*a)), without_times(to_prometheus(*b)));
}

TEST(PrometheusExport, SecretsNeverReachTheFile) {
  const std::string canary = "CANARY-prom-91ab";
  register_secret(canary);
  auto run = test::sample_run("step_" + canary);
  std::string text = to_prometheus(*run);
  EXPECT_EQ(text.find(canary), std::string::npos);
  EXPECT_NE(text.find(R"(step="step_***")"), std::string::npos);
}
