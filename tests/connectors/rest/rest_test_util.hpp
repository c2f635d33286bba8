// Shared by the REST connector tests: a DuckDB database with one REST source registered as
// sqlflow_scan('s'), built from PARAMS through the registry like a pipeline does.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "connectors/registry.hpp"
#include "connectors/rest/source.hpp"
#include "engine/scan_function.hpp"
#include "fixtures/rest/rest_api_fixture.hpp"
#include "support/test_support.hpp"

namespace sqlflow::test {

// PARAMS with fast retries and the client-side rate limit switched off explicitly.
inline nlohmann::json rest_params(const RestApiFixture& api, const std::string& path) {
  return {{"url", api.url(path)},
          {"resilience", {{"rate_limit", false}, {"retry", {{"initial_delay", 0.01}, {"max_delay", 0.05}}}}}};
}

struct RestScan {
  engine::Database db;
  engine::Connection con;
  engine::SourceCatalog catalog;
  std::shared_ptr<connectors::rest::RestSource> source;

  explicit RestScan(const nlohmann::json& params, int threads = 2) : db(config(threads)), con(db) {
    const auto& info = connectors::Registry::instance().get("rest", connectors::Role::Source);
    auto errors = connectors::check_params(info, connectors::Role::Source, params);
    if (!errors.empty()) throw errors.front();
    auto made = info.make_source(connectors::normalize_params(info.source_params, params), {});
    source.reset(static_cast<connectors::rest::RestSource*>(made.release()));
    catalog.install(con);
    catalog.add("s", source);
  }
  static engine::DatabaseConfig config(int threads) {
    engine::DatabaseConfig c;
    c.threads = threads;
    return c;
  }
  // The first row, its cells joined by '|'.
  std::string value(const std::string& sql) {
    auto r = query_rows(con, sql);
    return r.empty() ? std::string() : r.front();
  }
  std::vector<std::string> rows(const std::string& sql) { return query_rows(con, sql); }
};

// The error a query raises (what() of the sqlflow::Error), or "" when it succeeds.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace sqlflow::test
