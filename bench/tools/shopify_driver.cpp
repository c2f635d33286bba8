// Shopify benchmark driver (bench/shopify/run.sh): serves ORDERS orders from the Shopify fixture
// (tests/fixtures/shopify) with LATENCY ms per reply and a bucket restoring RESTORE points/s, and
// loads them with `sqlflow pipeline run` two ways, REPEATS times each:
//   bulk  — one bulk operation, its JSONL streamed (the connector's full-load path);
//   paged — cursor paging at the largest page the single-query cost limit allows (250 orders
//           without line items request about 2,000 points, so pages of 125).
// Both read orders without line items, so they move the same rows. Each run is a child process:
// wall time, peak RSS (wait4), and the fixture's counters (queries, THROTTLED replies). Bucket
// utilisation of the paged run = points the fixture charged / (bucket size + restore rate × time).

#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_run.hpp"
#include "fixtures/shopify/shopify_fixture.hpp"
#include "support/test_support.hpp"

using nlohmann::json;

int main(int argc, char** argv) {
  std::int64_t orders = argc > 1 ? std::stoll(argv[1]) : 2000;
  int latency = argc > 2 ? std::stoi(argv[2]) : 50;
  double restore = argc > 3 ? std::stod(argv[3]) : 100;
  int repeats = argc > 4 ? std::stoi(argv[4]) : 1;

  sqlflow::test::ShopifyFixture::Options o;
  o.data.orders = orders;
  o.latency = std::chrono::milliseconds(latency);
  o.restore_rate = restore;
  sqlflow::test::ShopifyFixture shop(o);

  sqlflow::test::TempDir dir("shopify-bench");
  sqlflow::test::write_file(dir / "profiles/dev.yml", "engines:\n  duckdb:\n    mode: memory\n");
  std::string common = R"("shop_domain": "bench", "api_url": ")" + shop.base_url() +
                       R"(", "access_token": ")" + shop.access_token() +
                       R"(", "flatten_line_items": false, "bulk_poll_interval": 0.25)";
  for (std::string mode : {"bulk", "paged"})
    sqlflow::test::write_file(
        dir / ("pipelines/" + mode + ".sf"),
        "SOURCE shop TYPE SHOPIFY PARAMS {" + common + R"(, "mode": ")" + mode +
            "\"};\nLOAD orders FROM shop;\nCREATE TABLE n AS SELECT count(*) AS c FROM orders;\n");
  for (int i = 0; i < repeats; ++i) {
    for (std::string mode : {"bulk", "paged"}) {
      shop.set_bucket(o.bucket_size, restore);  // a full bucket at the start of every run
      auto q0 = shop.queries(), t0 = shop.throttled(), p0 = shop.points_charged();
      sqlflow::bench::ChildRun r =
          sqlflow::bench::run_child({SQLFLOW_BIN, "pipeline", "run", mode, "-q"}, dir.path().string());
      double capacity = o.bucket_size + restore * r.seconds;
      json out = {{"mode", mode},
                  {"orders", orders},
                  {"latency_ms", latency},
                  {"restore_rate", restore},
                  {"seconds", r.seconds},
                  {"peak_rss_kb", r.rss_kb},
                  {"exit", r.status},
                  {"queries", shop.queries() - q0},
                  {"throttled", shop.throttled() - t0},
                  {"points_charged", shop.points_charged() - p0},
                  {"bucket_utilisation", static_cast<double>(shop.points_charged() - p0) / capacity}};
      std::cout << out.dump() << std::endl;
      if (r.status != 0) return 1;
    }
  }
  return 0;
}
