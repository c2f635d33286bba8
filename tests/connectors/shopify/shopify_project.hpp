// A sqlflow project in a temporary directory for the Shopify end-to-end tests: pipelines written
// into it, `sqlflow pipeline run` in it, queries on its persistent DuckDB file, and the PARAMS
// that point a SOURCE at a ShopifyFixture.
#pragma once

#include <string>
#include <vector>

#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "fixtures/shopify/shopify_fixture.hpp"
#include "support/pipeline_project.hpp"
#include "support/test_support.hpp"

namespace sqlflow::test {

struct ShopifyProject : PipelineProject {
  ShopifyProject() : PipelineProject("shopify-e2e") {}
};

inline std::string shopify_params(ShopifyFixture& shop, const std::string& more = "") {
  return R"("shop_domain": "fixture-shop", "api_url": ")" + shop.base_url() + R"(", "access_token": ")" +
         shop.access_token() + R"(", "bulk_poll_interval": 0.02, "retry_delay": 0.02)" +
         (more.empty() ? "" : ", " + more);
}

}  // namespace sqlflow::test
