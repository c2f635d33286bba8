// Google Sheets benchmark driver (bench/sheets/run.sh): serves a ROWS × COLS sheet from the Sheets
// fixture (tests/fixtures/sheets) with LATENCY ms per response and loads it with `sqlflow
// pipeline run` two ways, REPEATS times each, alternating:
//   batched  — the connector's defaults (blocks of ~2 MB, several per batchGet, requests in
//              parallel) under the default google_sheets rate limit (55 requests/min);
//   baseline — one 1,000-row block per request, one request at a time (a row-block-per-request,
//              sequential single-range path), with the client's rate limit lifted so the
//              baseline is limited by the protocol, not by our limiter.
// Each run is a child process: wall time from fork to exit, peak RSS from wait4's ru_maxrss,
// API requests from the fixture's counters. Prints one JSON object per run.

#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_run.hpp"
#include "fixtures/sheets/sheets_fixture.hpp"
#include "support/test_support.hpp"

using nlohmann::json;

int main(int argc, char** argv) {
  int rows = argc > 1 ? std::stoi(argv[1]) : 100000;
  int cols = argc > 2 ? std::stoi(argv[2]) : 10;
  int latency = argc > 3 ? std::stoi(argv[3]) : 50;
  int repeats = argc > 4 ? std::stoi(argv[4]) : 3;

  sqlflow::test::GoogleSheetsFixture::Options o;
  o.latency = std::chrono::milliseconds(latency);
  sqlflow::test::GoogleSheetsFixture api(o);
  api.start();
  api.add_spreadsheet("bench", "Bench");
  std::vector<std::vector<json>> values;
  std::vector<json> header;
  for (int c = 0; c < cols; ++c) header.push_back("c" + std::to_string(c));
  values.push_back(header);
  for (int r = 1; r <= rows; ++r) {
    std::vector<json> row;
    for (int c = 0; c < cols; ++c) {
      if (c % 3 == 0)
        row.push_back(r * cols + c);
      else if (c % 3 == 1)
        row.push_back((r + c) * 0.25);
      else
        row.push_back("text-" + std::to_string(r) + "-" + std::to_string(c));
    }
    values.push_back(std::move(row));
  }
  api.add_sheet("bench", "Data", std::move(values), rows + 1, cols);

  sqlflow::test::TempDir dir("sheets-bench");
  sqlflow::test::write_file(dir / "profiles/dev.yml", "engines:\n  duckdb:\n    mode: memory\n");
  auto key = api.write_key_file(dir.path());
  std::string common = "\"spreadsheet_id\": \"bench\", \"credentials_file\": \"" + key.filename().string() +
                       "\", \"api_url\": \"" + api.base_url() + "\"";
  auto pipeline = [&](const std::string& name, const std::string& more) {
    sqlflow::test::write_file(dir / ("pipelines/" + name + ".sf"),
                              "SOURCE s TYPE GOOGLE_SHEETS PARAMS {" + common + more +
                                  "};\nCREATE TABLE n AS SELECT count(*) AS rows, sum(c0) AS s FROM s;\n");
  };
  pipeline("batched", "");
  pipeline("baseline",
           ", \"batch_size\": 1000, \"ranges_per_request\": 1, \"parallel_requests\": 1, "
           "\"requests_per_minute\": 1000000");
  for (int i = 0; i < repeats; ++i) {
    for (std::string mode : {"batched", "baseline"}) {
      api.reset_counts();
      sqlflow::bench::ChildRun r =
          sqlflow::bench::run_child({SQLFLOW_BIN, "pipeline", "run", mode, "-q"}, dir.path().string());
      int requests = api.count("metadata") + api.count("values.batchGet") + api.count("values.get");
      json out = {{"mode", mode},
                  {"rows", rows},
                  {"cols", cols},
                  {"latency_ms", latency},
                  {"seconds", r.seconds},
                  {"peak_rss_kb", r.rss_kb},
                  {"exit", r.status},
                  {"api_requests", requests},
                  {"batch_get_ranges", api.batch_get_ranges()},
                  {"token_requests", api.count("token")},
                  {"responses_429", api.count("429")}};
      std::cout << out.dump() << std::endl;
      if (r.status != 0) return 1;
    }
  }
  return 0;
}
