// What each Shopify object is in the GraphQL Admin API: its root connection, the fields we read
// and the columns they become (ids as BIGINT from gid://shopify/Type/N with the gid kept, money as
// DECIMAL(18,2), timestamps as TIMESTAMPTZ), and its nested children, which land in tables of their
// own (orders → orders__line_items) keyed by the parent's id. Some objects have no root connection
// of their own and are read below a parent (transactions under orders, inventory levels under
// locations, metafields under their owner).
// https://shopify.dev/docs/api/admin-graphql
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sqlflow::connectors::shopify {

enum class ColType { BigInt, Varchar, Decimal2, TimestampTz, Boolean, Gid };

struct Field {
  std::string column;
  // Dot path in the node: "totalPriceSet.shopMoney.amount". A step may carry GraphQL arguments
  // ("quantities(names: [\"available\"])", sent as written, ignored when reading) and pick one
  // element of a list by a key ("…[name=available]": the element whose name is "available").
  std::string path;
  ColType type = ColType::Varchar;
};

// Inline fragments for a union or interface field: {"discount", {"DiscountCodeBasic", …}} selects
// the fields below `discount` once per member type (the reply merges them into one object).
using Fragments = std::vector<std::pair<std::string, std::vector<std::string>>>;

// Which option turns a child table on.
enum class Gate { FlattenLineItems, IncludeFulfillments, IncludeRefunds };

struct ChildDef {
  std::string connection;     // field on the parent: "lineItems"
  std::string gql_type;       // its node type ("LineItem"): bulk lines are routed by their gid's type
  bool list = false;          // a plain list ([Fulfillment!]!), inline in the parent's reply and
                              // bulk line, rather than a paged connection
  std::string table_suffix;   // "line_items": the table is <target>__line_items
  std::string parent_column;  // "order_id"
  std::vector<Field> fields;
  int page_size = 10;       // children per parent in a paged query (more are fetched per parent)
  bool searchable = false;  // the connection takes query: "updated_at:>…" itself
  Gate gate = Gate::FlattenLineItems;
};

// Where an incremental load applies the watermark.
enum class CursorAt {
  None,    // nowhere: the object always loads fully (an incremental LOAD still keeps only newer rows)
  Root,    // the root connection's updated_at search
  Nested,  // the `via` connection's own updated_at search
};

struct ObjectDef {
  std::string name;        // "orders"
  std::string connection;  // root field: "orders"
  std::string gql_type;    // "Order", for node(id:) queries
  std::string search;      // always in the search query ("status:any" for orders)
  std::string sort_key;    // sortKey of paged queries; empty: the connection's default (id order)
  CursorAt cursor = CursorAt::Root;
  std::string cursor_column = "updated_at";  // the column an incremental load follows
  std::vector<Field> fields;                 // the table's columns (via's fields when set)
  Fragments fragments;
  std::vector<ChildDef> children;
  // Set when the object's rows are the nodes of a field of each root node (transactions of orders):
  // the root nodes are only walked, and each row gets via->parent_column.
  std::optional<ChildDef> via;
};

// The object named `name` (lower case); metafields are read below `metafield_owner` (products,
// customers, orders or collections). Throws a validation Error listing the supported ones.
const ObjectDef& object_def(const std::string& name, const std::string& metafield_owner = "products");
std::vector<std::string> object_names();
std::vector<std::string> metafield_owners();

// One step of a Field path: "quantities(names: [\"available\"])[name=available]" is name
// "quantities", args "(names: [\"available\"])", match name = available.
struct PathStep {
  std::string name, args, match_key, match_value;
};
std::vector<PathStep> split_path(const std::string& path);

// GraphQL selection of `fields` ("id name totalPriceSet { shopMoney { amount } }").
std::string selection_of(const std::vector<Field>& fields, const Fragments& fragments = {});

// What one node with these fields costs: 1, plus 1 per nested object.
int object_cost(const std::vector<Field>& fields);

// Shopify's requested-cost formula for a paged query of `first` parents with these children
// (objects 1, connections 2 + first × the child's cost, scalars 0; a list as one of its elements):
// https://shopify.dev/docs/api/usage/rate-limits
int paged_query_cost(const ObjectDef& def, int first, const std::vector<const ChildDef*>& children);

}  // namespace sqlflow::connectors::shopify
