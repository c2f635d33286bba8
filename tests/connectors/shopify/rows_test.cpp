#include "connectors/shopify/rows.hpp"

#include <gtest/gtest.h>

#include "connectors/shopify/objects.hpp"
#include "core/error.hpp"

namespace sqlflow::connectors::shopify {
namespace {

TEST(ShopifyRows, GidsAndTimestamps) {
  EXPECT_EQ(gid_number("gid://shopify/Order/123"), 123);
  EXPECT_EQ(gid_number("gid://shopify/LineItem/9?x=1"), 9);
  EXPECT_EQ(gid_number("gid://shopify/Order/abc"), -1);
  EXPECT_EQ(gid_number("123"), -1);
  std::int64_t us = 0;
  ASSERT_TRUE(parse_timestamp("2024-01-02T03:04:05Z", us));
  EXPECT_EQ(format_timestamp(us), "2024-01-02T03:04:05.000000Z");
  ASSERT_TRUE(parse_timestamp("2024-01-02T05:04:05.25+02:00", us));
  EXPECT_EQ(format_timestamp(us), "2024-01-02T03:04:05.250000Z");
  ASSERT_TRUE(parse_timestamp("2024-01-02 03:04:05+00", us));  // DuckDB's text of a TIMESTAMPTZ
  EXPECT_EQ(format_timestamp(us), "2024-01-02T03:04:05.000000Z");
  EXPECT_FALSE(parse_timestamp("yesterday", us));
}

TEST(ShopifyRows, ConvertsNodesAndRejectsBadValues) {
  RowTable t({{"id", "id", ColType::Gid},
              {"total", "totalPriceSet.shopMoney.amount", ColType::Decimal2},
              {"n", "numberOfOrders", ColType::BigInt}});
  t.add(
      nlohmann::json::parse(R"({"id":"gid://shopify/Order/5","totalPriceSet":{"shopMoney":{"amount":"12.5"}},
                                  "numberOfOrders":"7"})"));
  t.add(nlohmann::json::parse(R"({"id":"gid://shopify/Order/6","totalPriceSet":null,"numberOfOrders":1})"));
  t.add(nlohmann::json::parse(
      R"({"id":"gid://shopify/Order/5","totalPriceSet":{"shopMoney":{"amount":"1.00"}}})"));
  EXPECT_EQ(t.rows(), 3u);
  t.dedupe_by_id();  // the last version of order 5 wins, where it was read
  ASSERT_EQ(t.rows(), 2u);
  EXPECT_EQ(t.int_at(t.column("id"), 0), 6);
  EXPECT_EQ(t.int_at(t.column("id"), 1), 5);
  EXPECT_EQ(t.int_at(t.column("total"), 1), 100);
  EXPECT_THROW(t.add(nlohmann::json::parse(
                   R"({"id":"gid://shopify/Order/7","totalPriceSet":{"shopMoney":{"amount":"1.005"}}})")),
               Error);
  EXPECT_EQ(t.schema().size(), 4u);  // id, gid, total, n

  RowTable levels(
      {{"id", "id", ColType::Gid}, {"on_hand", "q(names: [\"a\"])[name=on_hand].quantity", ColType::BigInt}},
      "location_id");
  levels.add(nlohmann::json::parse(R"({"id":"gid://shopify/InventoryLevel/12?inventory_item_id=3",
                                       "q":[{"name":"available","quantity":1},{"name":"on_hand","quantity":4}]})"),
             9);
  levels.add(nlohmann::json::parse(R"({"id":"gid://shopify/InventoryLevel/13?inventory_item_id=3","q":[]})"),
             9);
  EXPECT_EQ(levels.int_at(levels.column("id"), 0), 12);
  EXPECT_EQ(levels.int_at(levels.column("location_id"), 0), 9);
  EXPECT_EQ(levels.int_at(levels.column("on_hand"), 0), 4);
}

TEST(ShopifyObjects, SelectionsAndCosts) {
  EXPECT_EQ(
      selection_of(
          {{"a", "id", ColType::Gid}, {"b", "x.y.z", ColType::Varchar}, {"c", "x.w", ColType::Varchar}}),
      "id x { w y { z } }");
  const ObjectDef& orders = object_def("orders");
  EXPECT_LE(paged_query_cost(orders, 20, {&orders.children[0]}),
            1000);  // 20 orders with 10 line items each fit
  EXPECT_THROW(object_def("ordres"), Error);
  EXPECT_EQ(object_def("refunds").via->connection, "refunds");
  EXPECT_EQ(object_def("metafields", "collections").connection, "collections");
  EXPECT_THROW(object_def("metafields", "shops"), Error);
  // Arguments and list picks in a path; fragments around a union's fields.
  EXPECT_EQ(selection_of({{"a", R"(q(names: ["x", "y"])[name=x].quantity)", ColType::BigInt},
                          {"b", R"(q(names: ["x", "y"])[name=y].quantity)", ColType::BigInt}}),
            R"(q(names: ["x", "y"]) { name quantity })");
  EXPECT_EQ(selection_of({{"t", "d.title", ColType::Varchar}}, {{"d", {"A", "B"}}}),
            "d { ... on A { title } ... on B { title } }");
}

}  // namespace
}  // namespace sqlflow::connectors::shopify
