// What each Shopify object is in the GraphQL Admin API: its root connection, the fields we read
// and the columns they become (ids as BIGINT from gid://shopify/Type/N with the gid kept, money as
// DECIMAL(18,2), timestamps as TIMESTAMPTZ), and its nested child connection, which lands in a
// table of its own (orders → orders__line_items) keyed by the parent's id.
// https://shopify.dev/docs/api/admin-graphql
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sqlflow::connectors::shopify {

enum class ColType { BigInt, Varchar, Decimal2, TimestampTz, Boolean, Gid };

struct Field {
  std::string column;
  std::string path;  // dot path in the node: "totalPriceSet.shopMoney.amount"
  ColType type = ColType::Varchar;
};

struct ChildDef {
  std::string connection;     // "lineItems"
  std::string table_suffix;   // "line_items": the table is <target>__line_items
  std::string parent_column;  // "order_id"
  std::vector<Field> fields;
  int page_size = 10;  // children per parent in a paged query (more are fetched per parent)
};

struct ObjectDef {
  std::string name;        // "orders"
  std::string connection;  // root field: "orders"
  std::string gql_type;    // "Order", for node(id:) queries
  std::string search;      // always in the search query ("status:any" for orders)
  bool updated_at = true;  // can be searched and sorted by updated_at
  std::vector<Field> fields;
  std::optional<ChildDef> child;
};

// The object named `name` (lower case); throws a validation Error listing the supported ones.
const ObjectDef& object_def(const std::string& name);
std::vector<std::string> object_names();

// GraphQL selection of `fields` ("id name totalPriceSet { shopMoney { amount } }").
std::string selection_of(const std::vector<Field>& fields);

// Shopify's requested-cost formula for a paged query of `first` parents (objects 1, connections
// 2 + first × the child's cost, scalars 0): https://shopify.dev/docs/api/usage/rate-limits
int paged_query_cost(const ObjectDef& def, int first);

}  // namespace sqlflow::connectors::shopify
