// Every Shopify object end to end, through `sqlflow pipeline run` against the fixture: each loads
// the same rows through a bulk operation and through cursor paging (nested connections paged per
// parent), with exact counts and sums; orders' fulfillments and refunds as child tables; an order
// with more line items than one page of a paged query holds.
#include <gtest/gtest.h>

#include "connectors/shopify/shopify_project.hpp"

using namespace sqlflow;
using test::ShopifyData;
using test::ShopifyFixture;
using test::ShopifyRecords;

namespace {

using Project = test::ShopifyProject;

std::string money(std::int64_t cents) {
  return ShopifyData::money(cents);
}

ShopifyFixture::Options small_shop() {
  ShopifyFixture::Options o;
  o.data.orders = 300;
  o.data.customers = 40;
  o.data.products = 30;
  o.bulk.max_concurrent = 5;  // API 2026-01: bulk and paged sources may overlap
  // A Plus-sized bucket: these tests are about what is read, the throttling tests about pacing.
  o.bucket_size = 10000;
  o.restore_rate = 10000;
  return o;
}

struct Case {
  std::string object, more;  // more: extra PARAMS
  std::string summary;       // SELECT … FROM {t}
  std::string expected;
};

std::vector<Case> cases(const ShopifyData::Options& o) {
  using R = ShopifyRecords;
  std::int64_t variants = 0, price = 0, cost = 0, available = 0, levels = 0;
  for (auto v : R::variant_ids(o)) {
    ++variants;
    price += ShopifyData::variant(o, v / 10, static_cast<int>(v % 10)).price_cents;
    cost += R::inventory_item(o, v).unit_cost_cents;
    for (std::int64_t loc = 1; loc <= o.locations; ++loc, ++levels)
      available += R::inventory_level(o, v * 100 + loc).available;
  }
  std::int64_t tx = 0, tx_cents = 0, ful = 0, ful_qty = 0, ref = 0, ref_cents = 0;
  for (std::int64_t id = 1; id <= o.orders; ++id) {
    for (const auto& t : R::transactions(o, id)) ++tx, tx_cents += t.amount_cents;
    for (const auto& f : R::fulfillments(o, id)) ++ful, ful_qty += f.total_quantity;
    for (const auto& r : R::refunds(o, id)) ++ref, ref_cents += r.total_cents;
  }
  std::int64_t usage = 0, products_counted = 0, product_meta = 0, order_meta = 0;
  for (std::int64_t id = 1; id <= o.discounts; ++id) usage += R::discount(o, id).usage;
  for (std::int64_t id = 1; id <= o.collections; ++id) products_counted += R::collection(o, id).products;
  for (std::int64_t id = 1; id <= o.products; ++id) product_meta += R::metafield_count(o, "Product", id);
  for (std::int64_t id = 1; id <= o.orders; ++id) order_meta += R::metafield_count(o, "Order", id);
  auto n = [](std::int64_t v) { return std::to_string(v); };
  return {
      {"product_variants", "",
       "count(*), count(DISTINCT product_id), sum(price), sum(inventory_item_id - id)",
       n(variants) + "|" + n(o.products) + "|" + money(price) + "|0"},
      {"inventory_items", "", "count(*), sum(unit_cost), typeof(max(updated_at))",
       n(variants) + "|" + money(cost) + "|TIMESTAMP WITH TIME ZONE"},
      {"inventory_levels", "",
       "count(*), count(DISTINCT location_id), sum(available), "
       "bool_and(gid LIKE '%?inventory_item_id=' || inventory_item_id)",
       n(levels) + "|" + n(o.locations) + "|" + n(available) + "|true"},
      {"transactions", "", "count(*), count(DISTINCT order_id), sum(amount), typeof(sum(amount))",
       n(tx) + "|" + n(o.orders) + "|" + money(tx_cents) + "|DECIMAL(38,2)"},
      {"fulfillments", "", "count(*), sum(total_quantity)", n(ful) + "|" + n(ful_qty)},
      {"refunds", "", "count(*), sum(total_refunded)", n(ref) + "|" + money(ref_cents)},
      {"discounts", "", "count(*), sum(usage_count), count(DISTINCT discount_type) > 2, count(title)",
       n(o.discounts) + "|" + n(usage) + "|true|" + n(o.discounts)},
      {"collections", "", "count(*), sum(products_count)", n(o.collections) + "|" + n(products_counted)},
      {"metafields", "", "count(*), count(DISTINCT owner_id), min(owner_type)",
       n(product_meta) + "|" +
           [&] {
             std::int64_t owners = 0;
             for (std::int64_t id = 1; id <= o.products; ++id)
               owners += R::metafield_count(o, "Product", id) > 0;
             return n(owners);
           }() +
           "|PRODUCT"},
      {"metafields", R"("metafield_owner": "orders")", "count(*), min(owner_type)", n(order_meta) + "|ORDER"},
  };
}

}  // namespace

TEST(ShopifyObjects, EachObjectLoadsTheSameRowsInBulkAndPaged) {
  ShopifyFixture shop(small_shop());
  Project p;
  for (const auto& c : cases(shop.data().options())) {
    SCOPED_TRACE(c.object + " " + c.more);
    std::string obj = R"("object": ")" + c.object + R"(")" + (c.more.empty() ? "" : ", " + c.more);
    p.pipeline("load", "SOURCE b TYPE SHOPIFY PARAMS {" +
                           test::shopify_params(shop, obj + R"(, "mode": "bulk")") +
                           "};\nSOURCE pg TYPE SHOPIFY PARAMS {" +
                           test::shopify_params(shop, obj + R"(, "mode": "paged", "page_size": 7)") +
                           "};\nLOAD bulk_t FROM b;\nLOAD paged_t FROM pg;\n");
    auto r = p.run("load");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* t : {"bulk_t", "paged_t"})
      EXPECT_EQ(p.query("SELECT " + c.summary + " FROM " + t), std::vector<std::string>{c.expected}) << t;
    EXPECT_EQ(p.query("SELECT (SELECT count(*) FROM (FROM bulk_t EXCEPT FROM paged_t)) + "
                      "(SELECT count(*) FROM (FROM paged_t EXCEPT FROM bulk_t))"),
              std::vector<std::string>{"0"});
  }
}

TEST(ShopifyObjects, InventoryLevelsAndOrderListsFollowTheWatermark) {
  ShopifyFixture shop(small_shop());
  Project p;
  const std::string inc = R"("sync_mode": "incremental", "primary_key": "id", "cursor_field": )";
  p.pipeline("inc", "SOURCE lv TYPE SHOPIFY PARAMS {" +
                        test::shopify_params(shop, inc + R"("updated_at", "object": "inventory_levels")") +
                        "};\nSOURCE tx TYPE SHOPIFY PARAMS {" +
                        test::shopify_params(shop, inc + R"("created_at", "object": "transactions")") +
                        "};\nLOAD inventory_levels FROM lv;\nLOAD transactions FROM tx;\n");
  auto r = p.run("inc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto before =
      p.query("SELECT (SELECT count(*) FROM inventory_levels), (SELECT count(*) FROM transactions)");
  EXPECT_EQ(shop.bulk_runs(), 2);
  // Nothing changed: the second run pages (no bulk operation) and reads nothing new.
  r = p.run("inc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(shop.bulk_runs(), 2);
  EXPECT_NE((r.out + r.err).find("shopify: 0 inventory_levels"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(p.query("SELECT (SELECT count(*) FROM inventory_levels), (SELECT count(*) FROM transactions)"),
            before);

  // A wrong cursor field is refused with the right one in the hint.
  p.pipeline("bad", "SOURCE tx TYPE SHOPIFY PARAMS {" +
                        test::shopify_params(shop, inc + R"("updated_at", "object": "transactions")") +
                        "};\nLOAD transactions FROM tx;\n");
  r = p.run("bad");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE((r.out + r.err).find("created_at"), std::string::npos) << r.out << r.err;
}

TEST(ShopifyObjects, OrdersWithFulfillmentsAndRefundsInBulkAndIncrementally) {
  ShopifyFixture shop(small_shop());
  const auto& o = shop.data().options();
  std::int64_t ful = 0, ful_qty = 0, ref = 0, ref_cents = 0, max_updated = 0;
  for (std::int64_t id = 1; id <= o.orders; ++id) {
    for (const auto& f : ShopifyRecords::fulfillments(o, id)) ++ful, ful_qty += f.total_quantity;
    for (const auto& r : ShopifyRecords::refunds(o, id)) ++ref, ref_cents += r.total_cents;
    max_updated = std::max(max_updated, ShopifyData::order_updated(o, id));
  }
  const std::string expected_children = std::to_string(ful) + "|" + std::to_string(ful_qty) + "|" +
                                        std::to_string(ref) + "|" + money(ref_cents);
  const std::string children_sql =
      "SELECT (SELECT count(*) FROM orders__fulfillments), (SELECT sum(total_quantity) FROM "
      "orders__fulfillments), (SELECT count(*) FROM orders__refunds), (SELECT sum(total_refunded) FROM "
      "orders__refunds)";
  Project p;
  p.pipeline("load",
             "SOURCE shop TYPE SHOPIFY PARAMS {" +
                 test::shopify_params(shop, R"("sync_mode": "incremental", "cursor_field": "updated_at",
      "primary_key": "id", "include_fulfillments": true, "include_refunds": true)") +
                 "};\nLOAD orders FROM shop;\n");
  auto r = p.run("load");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p.query(children_sql), std::vector<std::string>{expected_children});
  EXPECT_EQ(p.query("SELECT count(*) FROM orders__fulfillments f LEFT JOIN orders o ON o.id = f.order_id "
                    "WHERE o.id IS NULL"),
            std::vector<std::string>{"0"});

  // Refunded orders change: the paged increment re-reads them with their lists, replacing their
  // children rather than adding copies.
  std::vector<std::int64_t> changed;
  for (std::int64_t id = 1; id <= o.orders && changed.size() < 5; ++id)
    if (!ShopifyRecords::refunds(o, id).empty() && !ShopifyRecords::fulfillments(o, id).empty())
      changed.push_back(id);
  ASSERT_EQ(changed.size(), 5u);
  shop.data().update_orders(changed, max_updated + 60);
  r = p.run("load");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE((r.out + r.err).find("shopify: 5 orders"), std::string::npos) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("5 fulfillments, 5 refunds"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(p.query(children_sql), std::vector<std::string>{expected_children});

  // Without the options, no child tables beyond line items are read.
  p.pipeline("plain", "SOURCE shop TYPE SHOPIFY PARAMS {" +
                          test::shopify_params(shop, R"("object": "orders")") +
                          "};\nLOAD plain_orders FROM shop;\n");
  r = p.run("plain");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p.query("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'plain_orders__%'"),
            std::vector<std::string>{"1"});
}

TEST(ShopifyObjects, PagedLoadReadsEveryLineItemOfABigOrder) {
  ShopifyFixture::Options o = small_shop();
  o.data.big_order_id = 7;
  o.data.big_order_line_items = 37;  // 10 per order in the first page, the other 27 paged per order
  ShopifyFixture shop(o);
  const auto& d = shop.data().options();
  std::int64_t items = 0, max_updated = 0;
  for (std::int64_t id = 1; id <= d.orders; ++id) {
    items += ShopifyData::line_item_count(d, id);
    max_updated = std::max(max_updated, ShopifyData::order_updated(d, id));
  }
  std::int64_t big_cents = 0;
  for (int k = 1; k <= 37; ++k) {
    auto li = ShopifyData::line_item(d, 7, k);
    big_cents += li.quantity * li.unit_cents;
  }
  const std::string big_sql =
      "SELECT count(*), count(DISTINCT id), sum(quantity * unit_price) FROM orders__line_items WHERE "
      "order_id = 7";
  const std::vector<std::string> big = {"37|37|" + money(big_cents)};
  Project p;
  p.pipeline("paged", "SOURCE shop TYPE SHOPIFY PARAMS {" + test::shopify_params(shop, R"("mode": "paged")") +
                          "};\nLOAD orders FROM shop;\n");
  auto r = p.run("paged");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p.query(big_sql), big);
  EXPECT_EQ(p.query("SELECT count(*) FROM orders__line_items"),
            std::vector<std::string>{std::to_string(items)});

  // The incremental path: a bulk first run, then the big order changes and is paged again.
  p.pipeline(
      "inc",
      "SOURCE shop TYPE SHOPIFY PARAMS {" +
          test::shopify_params(
              shop, R"("sync_mode": "incremental", "cursor_field": "updated_at", "primary_key": "id")") +
          "};\nLOAD orders FROM shop;\n");
  r = p.run("inc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p.query(big_sql), big);
  shop.data().update_orders({7, 8}, max_updated + 60);
  auto queries_before = shop.queries();
  r = p.run("inc");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE((r.out + r.err).find("shopify: 2 orders"), std::string::npos) << r.out << r.err;
  EXPECT_GE(shop.queries() - queries_before, 2) << "the rest of the big order's line items took no query";
  EXPECT_EQ(p.query(big_sql), big);
  EXPECT_EQ(p.query("SELECT count(*) FROM orders__line_items"),
            std::vector<std::string>{std::to_string(items)});
}

TEST(ShopifyObjects, ConnectDescribeListsEveryObjectAndOption) {
  Project p;
  auto r = test::run_sqlflow({"connect", "describe", "shopify"}, p.dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"product_variants", "inventory_levels", "transactions", "discounts", "collections",
                        "metafields", "metafield_owner", "<table>__fulfillments", "<table>__refunds"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  EXPECT_EQ(r.out.find("accepted for compatibility\n  include"), std::string::npos);
}
