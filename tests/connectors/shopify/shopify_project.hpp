// A sqlflow project in a temporary directory for the Shopify end-to-end tests: pipelines written
// into it, `sqlflow pipeline run` in it, queries on its persistent DuckDB file, and the PARAMS
// that point a SOURCE at a ShopifyFixture.
#pragma once

#include <string>
#include <vector>

#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "fixtures/shopify/shopify_fixture.hpp"
#include "support/test_support.hpp"

namespace sqlflow::test {

struct ShopifyProject {
  TempDir dir{"shopify-e2e"};
  ShopifyProject() {
    write_file(dir / "profiles/dev.yml",
               "engines:\n  duckdb:\n    mode: persistent\n    path: target/state.duckdb\n");
  }
  void pipeline(const std::string& name, const std::string& text) {
    write_file(dir / ("pipelines/" + name + ".sf"), text);
  }
  RunResult run(const std::string& name, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"pipeline", "run", name};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_sqlflow(args, dir.path());
  }
  std::vector<std::string> query(const std::string& sql) {
    engine::DatabaseConfig c;
    c.path = (dir / "target/state.duckdb").string();
    engine::Database db(c);
    engine::Connection con(db);
    return query_rows(con, sql);
  }
};

inline std::string shopify_params(ShopifyFixture& shop, const std::string& more = "") {
  return R"("shop_domain": "fixture-shop", "api_url": ")" + shop.base_url() + R"(", "access_token": ")" +
         shop.access_token() + R"(", "bulk_poll_interval": 0.02, "retry_delay": 0.02)" +
         (more.empty() ? "" : ", " + more);
}

}  // namespace sqlflow::test
