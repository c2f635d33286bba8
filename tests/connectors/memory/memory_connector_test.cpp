// The memory connector: a destination publishes a table only at commit; the source serves it
// back through the scan table function with projection pushdown, in parallel.
#include <gtest/gtest.h>

#include "connectors/memory/store.hpp"
#include "connectors/registry.hpp"
#include "core/error.hpp"
#include "engine/scan_function.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using namespace sqlflow::connectors;

namespace {

void export_query(engine::Connection& con, const std::string& name, const std::string& sql, WriteMode mode) {
  const auto& info = Registry::instance().get("in_memory", Role::Destination);
  auto dest = info.make_destination(name, normalize_params(info.destination_params, Params::object()), {});
  engine::Result r = con.stream(sql);
  dest->open(r.schema(), mode, {});
  while (auto chunk = r.next()) dest->write(*chunk);
  dest->commit();
}

}  // namespace

TEST(MemoryConnector, RoundTripsEveryRowThroughTheScanFunction) {
  engine::DatabaseConfig cfg;
  cfg.threads = 4;
  engine::Database db(cfg);
  engine::Connection con(db);
  export_query(con, "nums",
               "SELECT range AS id, range::VARCHAR || 'x' AS s, [range, range + 1] AS l FROM range(10000)",
               WriteMode::Replace);
  // Appending rows of other types is refused (stored chunks keep their layout).
  EXPECT_THROW(
      export_query(con, "nums", "SELECT 10000 AS id, 'last' AS s, [1]::BIGINT[] AS l", WriteMode::Append),
      Error);
  export_query(con, "nums", "SELECT 10000::BIGINT AS id, 'last' AS s, [1]::BIGINT[] AS l", WriteMode::Append);

  engine::SourceCatalog catalog;
  catalog.install(con);
  const auto& info = Registry::instance().get("MEMORY", Role::Source);
  catalog.add("src", std::shared_ptr<Source>(info.make_source({{"table_name", "nums"}}, {})));
  catalog.create_view(con, "src");
  EXPECT_EQ(test::query_value(con, "SELECT count(*) FROM src"), "10001");
  EXPECT_EQ(test::query_value(con, "SELECT sum(id) FROM src"), std::to_string(10000LL * 10001 / 2));
  EXPECT_EQ(test::query_value(con, "SELECT count(*) FROM src WHERE s <> id::VARCHAR || 'x' AND id < 10000"),
            "0");
  EXPECT_EQ(test::query_value(con, "SELECT l FROM src WHERE id = 7"), "[7, 8]");
  EXPECT_EQ(test::query_value(con, "SELECT s FROM src WHERE id = 10000"), "last");
}

TEST(MemoryConnector, NothingIsVisibleBeforeCommitAndAbortLeavesNoTrace) {
  engine::Database db;
  engine::Connection con(db);
  const auto& info = Registry::instance().get("memory", Role::Destination);
  auto dest = info.make_destination("pending", Params::object(), {});
  engine::Result r = con.stream("SELECT 1 AS x");
  dest->open(r.schema(), WriteMode::Replace, {});
  while (auto chunk = r.next()) dest->write(*chunk);
  EXPECT_EQ(memory::Store::instance().get("pending"), nullptr);
  dest->abort();
  EXPECT_EQ(memory::Store::instance().get("pending"), nullptr);
  EXPECT_THROW(dest->open(r.schema(), WriteMode::Upsert, {"x"}), Error);
}

TEST(MemoryConnector, MissingTableIsAClearError) {
  const auto& info = Registry::instance().get("memory", Role::Source);
  auto src = info.make_source({{"table_name", "never_written"}}, {});
  try {
    src->schema();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("never_written"), std::string::npos);
  }
}
