#include "connectors/shopify/objects.hpp"

#include <map>
#include <set>

#include "core/error.hpp"
#include "core/suggest.hpp"

namespace sqlflow::connectors::shopify {

namespace {
void add_money(std::vector<Field>& fields, const std::string& column, const std::string& set) {
  fields.push_back({column, set + ".shopMoney.amount", ColType::Decimal2});
}

// InventoryLevel.quantities(names:) is a list of {name quantity}; every column selects the same
// names so the field is asked for once.
// https://shopify.dev/docs/api/admin-graphql/latest/objects/InventoryLevel#field-quantities
const std::string kQuantities = R"(quantities(names: ["available", "on_hand", "committed", "incoming"]))";

// https://shopify.dev/docs/api/admin-graphql/latest/objects/LineItem
ChildDef line_items() {
  ChildDef c;
  c.connection = "lineItems";
  c.gql_type = "LineItem";
  c.table_suffix = "line_items";
  c.parent_column = "order_id";
  c.fields = {{"id", "id", ColType::Gid},
              {"title", "title", ColType::Varchar},
              {"quantity", "quantity", ColType::BigInt},
              {"sku", "sku", ColType::Varchar}};
  add_money(c.fields, "unit_price", "originalUnitPriceSet");
  return c;
}

// Order.fulfillments is a list ([Fulfillment!]!), not a connection: it comes inline.
// https://shopify.dev/docs/api/admin-graphql/latest/objects/Fulfillment
ChildDef fulfillments() {
  ChildDef c;
  c.connection = "fulfillments";
  c.gql_type = "Fulfillment";
  c.list = true;
  c.table_suffix = "fulfillments";
  c.parent_column = "order_id";
  c.gate = Gate::IncludeFulfillments;
  c.fields = {{"id", "id", ColType::Gid},
              {"name", "name", ColType::Varchar},
              {"status", "status", ColType::Varchar},
              {"total_quantity", "totalQuantity", ColType::BigInt},
              {"created_at", "createdAt", ColType::TimestampTz},
              {"updated_at", "updatedAt", ColType::TimestampTz},
              {"delivered_at", "deliveredAt", ColType::TimestampTz}};
  return c;
}

// Order.refunds is a list ([Refund!]!). https://shopify.dev/docs/api/admin-graphql/latest/objects/Refund
ChildDef refunds() {
  ChildDef c;
  c.connection = "refunds";
  c.gql_type = "Refund";
  c.list = true;
  c.table_suffix = "refunds";
  c.parent_column = "order_id";
  c.gate = Gate::IncludeRefunds;
  c.fields = {{"id", "id", ColType::Gid},
              {"note", "note", ColType::Varchar},
              {"created_at", "createdAt", ColType::TimestampTz},
              {"updated_at", "updatedAt", ColType::TimestampTz}};
  add_money(c.fields, "total_refunded", "totalRefundedSet");
  return c;
}

// Order.transactions is a list ([OrderTransaction!]!); transactions have no updatedAt.
// https://shopify.dev/docs/api/admin-graphql/latest/objects/OrderTransaction
ChildDef transactions() {
  ChildDef c;
  c.connection = "transactions";
  c.gql_type = "OrderTransaction";
  c.list = true;
  c.table_suffix = "transactions";
  c.parent_column = "order_id";
  c.fields = {{"id", "id", ColType::Gid},
              {"kind", "kind", ColType::Varchar},
              {"status", "status", ColType::Varchar},
              {"gateway", "gateway", ColType::Varchar}};
  add_money(c.fields, "amount", "amountSet");
  c.fields.push_back({"currency", "amountSet.shopMoney.currencyCode", ColType::Varchar});
  c.fields.push_back({"test", "test", ColType::Boolean});
  c.fields.push_back({"error_code", "errorCode", ColType::Varchar});
  c.fields.push_back({"parent_id", "parentTransaction.id", ColType::Gid});
  c.fields.push_back({"created_at", "createdAt", ColType::TimestampTz});
  c.fields.push_back({"processed_at", "processedAt", ColType::TimestampTz});
  return c;
}

ObjectDef orders_root() {
  ObjectDef o;
  o.connection = "orders";
  o.gql_type = "Order";
  o.search = "status:any";  // the REST default of open orders only silently drops data
  o.sort_key = "UPDATED_AT";
  return o;
}

// An object read below each node of `root` (which is only walked: its id, and updatedAt when
// the watermark is applied to it).
ObjectDef below(const std::string& name, ObjectDef root, ChildDef via, CursorAt cursor) {
  root.name = name;
  root.cursor = cursor;
  root.fields = via.fields;
  root.via = std::move(via);
  return root;
}

std::vector<ObjectDef> make_defs() {
  std::vector<ObjectDef> defs;
  {
    ObjectDef o = orders_root();
    o.name = "orders";
    o.fields = {{"id", "id", ColType::Gid},
                {"name", "name", ColType::Varchar},
                {"email", "email", ColType::Varchar},
                {"created_at", "createdAt", ColType::TimestampTz},
                {"updated_at", "updatedAt", ColType::TimestampTz},
                {"processed_at", "processedAt", ColType::TimestampTz},
                {"financial_status", "displayFinancialStatus", ColType::Varchar},
                {"fulfillment_status", "displayFulfillmentStatus", ColType::Varchar},
                {"currency", "currencyCode", ColType::Varchar},
                {"customer_id", "customer.id", ColType::Gid}};
    add_money(o.fields, "total_price", "totalPriceSet");
    add_money(o.fields, "subtotal_price", "subtotalPriceSet");
    add_money(o.fields, "total_tax", "totalTaxSet");
    o.children = {line_items(), fulfillments(), refunds()};
    defs.push_back(o);
  }
  {
    ObjectDef o;
    o.name = "customers";
    o.connection = "customers";
    o.gql_type = "Customer";
    o.sort_key = "UPDATED_AT";
    o.fields = {{"id", "id", ColType::Gid},
                {"first_name", "firstName", ColType::Varchar},
                {"last_name", "lastName", ColType::Varchar},
                {"email", "email", ColType::Varchar},
                {"created_at", "createdAt", ColType::TimestampTz},
                {"updated_at", "updatedAt", ColType::TimestampTz},
                {"orders_count", "numberOfOrders", ColType::BigInt},
                {"total_spent", "amountSpent.amount", ColType::Decimal2}};
    defs.push_back(o);
  }
  {
    ObjectDef o;
    o.name = "products";
    o.connection = "products";
    o.gql_type = "Product";
    o.sort_key = "UPDATED_AT";
    o.fields = {{"id", "id", ColType::Gid},
                {"title", "title", ColType::Varchar},
                {"handle", "handle", ColType::Varchar},
                {"vendor", "vendor", ColType::Varchar},
                {"product_type", "productType", ColType::Varchar},
                {"status", "status", ColType::Varchar},
                {"created_at", "createdAt", ColType::TimestampTz},
                {"updated_at", "updatedAt", ColType::TimestampTz}};
    ChildDef c;
    c.connection = "variants";
    c.gql_type = "ProductVariant";
    c.table_suffix = "variants";
    c.parent_column = "product_id";
    c.fields = {{"id", "id", ColType::Gid},
                {"sku", "sku", ColType::Varchar},
                {"price", "price", ColType::Decimal2},
                {"inventory_quantity", "inventoryQuantity", ColType::BigInt}};
    o.children = {c};
    defs.push_back(o);
  }
  {
    // productVariants searches updated_at but has no UPDATED_AT sort key: pages come in id order.
    // https://shopify.dev/docs/api/admin-graphql/latest/queries/productVariants
    ObjectDef o;
    o.name = "product_variants";
    o.connection = "productVariants";
    o.gql_type = "ProductVariant";
    o.fields = {{"id", "id", ColType::Gid},
                {"product_id", "product.id", ColType::Gid},
                {"title", "title", ColType::Varchar},
                {"sku", "sku", ColType::Varchar},
                {"barcode", "barcode", ColType::Varchar},
                {"price", "price", ColType::Decimal2},
                {"compare_at_price", "compareAtPrice", ColType::Decimal2},
                {"inventory_quantity", "inventoryQuantity", ColType::BigInt},
                {"inventory_item_id", "inventoryItem.id", ColType::Gid},
                {"position", "position", ColType::BigInt},
                {"created_at", "createdAt", ColType::TimestampTz},
                {"updated_at", "updatedAt", ColType::TimestampTz}};
    defs.push_back(o);
  }
  {
    // https://shopify.dev/docs/api/admin-graphql/latest/queries/inventoryItems (no sortKey)
    ObjectDef o;
    o.name = "inventory_items";
    o.connection = "inventoryItems";
    o.gql_type = "InventoryItem";
    o.fields = {{"id", "id", ColType::Gid},
                {"sku", "sku", ColType::Varchar},
                {"tracked", "tracked", ColType::Boolean},
                {"requires_shipping", "requiresShipping", ColType::Boolean},
                {"unit_cost", "unitCost.amount", ColType::Decimal2},
                {"country_code_of_origin", "countryCodeOfOrigin", ColType::Varchar},
                {"harmonized_system_code", "harmonizedSystemCode", ColType::Varchar},
                {"created_at", "createdAt", ColType::TimestampTz},
                {"updated_at", "updatedAt", ColType::TimestampTz}};
    defs.push_back(o);
  }
  ObjectDef locations;
  locations.name = "locations";
  locations.connection = "locations";
  locations.gql_type = "Location";
  locations.cursor = CursorAt::None;
  locations.fields = {{"id", "id", ColType::Gid},
                      {"name", "name", ColType::Varchar},
                      {"is_active", "isActive", ColType::Boolean}};
  defs.push_back(locations);
  {
    // Every level of every location: locations → inventoryLevels (a connection that searches
    // updated_at itself, so increments re-read only changed levels). The id keeps Shopify's
    // "?inventory_item_id=…" in gid. https://shopify.dev/docs/api/admin-graphql/latest/objects/Location
    ChildDef c;
    c.connection = "inventoryLevels";
    c.gql_type = "InventoryLevel";
    c.table_suffix = "inventory_levels";
    c.parent_column = "location_id";
    c.page_size = 50;
    c.searchable = true;
    c.fields = {{"id", "id", ColType::Gid},
                {"inventory_item_id", "item.id", ColType::Gid},
                {"available", kQuantities + "[name=available].quantity", ColType::BigInt},
                {"on_hand", kQuantities + "[name=on_hand].quantity", ColType::BigInt},
                {"committed", kQuantities + "[name=committed].quantity", ColType::BigInt},
                {"incoming", kQuantities + "[name=incoming].quantity", ColType::BigInt},
                {"created_at", "createdAt", ColType::TimestampTz},
                {"updated_at", "updatedAt", ColType::TimestampTz}};
    defs.push_back(below("inventory_levels", locations, c, CursorAt::Nested));
  }
  // Orders' lists: the watermark applies to the order's updatedAt (a new transaction, fulfillment
  // or refund updates its order); transactions follow their created_at.
  defs.push_back(below("transactions", orders_root(), transactions(), CursorAt::Root));
  defs.back().cursor_column = "created_at";
  defs.push_back(below("fulfillments", orders_root(), fulfillments(), CursorAt::Root));
  defs.push_back(below("refunds", orders_root(), refunds(), CursorAt::Root));
  {
    // discountNodes: DiscountNode.discount is the Discount union, so its fields are asked per member.
    // https://shopify.dev/docs/api/admin-graphql/latest/queries/discountNodes
    ObjectDef o;
    o.name = "discounts";
    o.connection = "discountNodes";
    o.gql_type = "DiscountNode";
    o.sort_key = "UPDATED_AT";
    o.fields = {{"id", "id", ColType::Gid},
                {"discount_type", "discount.__typename", ColType::Varchar},
                {"title", "discount.title", ColType::Varchar},
                {"status", "discount.status", ColType::Varchar},
                {"starts_at", "discount.startsAt", ColType::TimestampTz},
                {"ends_at", "discount.endsAt", ColType::TimestampTz},
                {"usage_count", "discount.asyncUsageCount", ColType::BigInt},
                {"created_at", "discount.createdAt", ColType::TimestampTz},
                {"updated_at", "discount.updatedAt", ColType::TimestampTz}};
    o.fragments = {{"discount",
                    {"DiscountAutomaticApp", "DiscountAutomaticBasic", "DiscountAutomaticBxgy",
                     "DiscountAutomaticFreeShipping", "DiscountCodeApp", "DiscountCodeBasic",
                     "DiscountCodeBxgy", "DiscountCodeFreeShipping"}}};
    defs.push_back(o);
  }
  {
    // https://shopify.dev/docs/api/admin-graphql/latest/queries/collections (productsCount is a Count)
    ObjectDef o;
    o.name = "collections";
    o.connection = "collections";
    o.gql_type = "Collection";
    o.sort_key = "UPDATED_AT";
    o.fields = {{"id", "id", ColType::Gid},
                {"title", "title", ColType::Varchar},
                {"handle", "handle", ColType::Varchar},
                {"sort_order", "sortOrder", ColType::Varchar},
                {"products_count", "productsCount.count", ColType::BigInt},
                {"updated_at", "updatedAt", ColType::TimestampTz}};
    defs.push_back(o);
  }
  return defs;
}

// Metafields have no root connection: they are the `metafields` connection of an owner (which
// takes no search, so they always load fully).
// https://shopify.dev/docs/api/admin-graphql/latest/objects/Metafield
std::vector<ObjectDef> make_metafield_defs(const std::vector<ObjectDef>& defs) {
  ChildDef c;
  c.connection = "metafields";
  c.gql_type = "Metafield";
  c.table_suffix = "metafields";
  c.parent_column = "owner_id";
  c.fields = {{"id", "id", ColType::Gid},
              {"namespace", "namespace", ColType::Varchar},
              {"key", "key", ColType::Varchar},
              {"value", "value", ColType::Varchar},
              {"type", "type", ColType::Varchar},
              {"owner_type", "ownerType", ColType::Varchar},
              {"created_at", "createdAt", ColType::TimestampTz},
              {"updated_at", "updatedAt", ColType::TimestampTz}};
  std::vector<ObjectDef> out;
  for (const auto& owner : metafield_owners())
    for (const auto& d : defs)
      if (d.name == owner) {
        ObjectDef root;
        root.connection = d.connection;
        root.gql_type = d.gql_type;
        root.search = d.search;
        out.push_back(below("metafields", root, c, CursorAt::None));
      }
  return out;
}

const std::vector<ObjectDef>& defs() {
  static const std::vector<ObjectDef> d = make_defs();
  return d;
}

// A tree of path steps, rendered as a GraphQL selection set.
struct Node {
  std::map<std::string, Node> children;  // key: the step with its arguments
};
void render(const Node& n, const std::string& path, const Fragments& fragments, std::string& out) {
  const std::vector<std::string>* types = nullptr;
  for (const auto& [p, t] : fragments)
    if (p == path) types = &t;
  if (types) {
    for (const auto& t : *types) {
      std::string body;
      render(n, path, {}, body);  // fragments are one level deep: none inside
      out += (out.empty() ? "" : " ") + std::string("... on ") + t + " { " + body + " }";
    }
    return;
  }
  for (const auto& [key, child] : n.children) {
    if (!out.empty()) out += ' ';
    out += key;
    if (!child.children.empty()) {
      out += " {";
      std::string name = key.substr(0, key.find('('));
      render(child, path.empty() ? name : path + "." + name, fragments, out);
      out += " }";
    }
  }
}
}  // namespace

std::vector<PathStep> split_path(const std::string& path) {
  std::vector<PathStep> out;
  PathStep cur;
  std::string* into = &cur.name;
  int depth = 0;
  char quote = 0;
  auto finish = [&] {
    auto eq = cur.match_key.find('=');
    if (eq != std::string::npos) {
      cur.match_value = cur.match_key.substr(eq + 1);
      cur.match_key.resize(eq);
    }
    out.push_back(std::move(cur));
    cur = {};
    into = &cur.name;
  };
  for (char c : path) {
    if (quote) {
      *into += c;
      if (c == quote) quote = 0;
    } else if (c == '"') {
      *into += c;
      quote = c;
    } else if (c == '(') {
      if (depth++ == 0) into = &cur.args;
      *into += c;
    } else if (c == ')') {
      *into += c;
      --depth;
    } else if (c == '[' && depth == 0) {
      into = &cur.match_key;
    } else if (c == ']' && depth == 0) {
      into = &cur.name;  // nothing follows a match but the next step
    } else if (c == '.' && depth == 0) {
      finish();
    } else {
      *into += c;
    }
  }
  finish();
  return out;
}

const ObjectDef& object_def(const std::string& name, const std::string& metafield_owner) {
  for (const auto& d : defs())
    if (d.name == name) return d;
  std::string list;
  for (const auto& n : object_names()) list += (list.empty() ? "" : ", ") + n;
  if (name == "metafields") {
    static const std::vector<ObjectDef> metafields = make_metafield_defs(defs());
    const auto owners = metafield_owners();
    for (std::size_t i = 0; i < owners.size(); ++i)
      if (owners[i] == metafield_owner) return metafields[i];
    std::string owner_list;
    for (const auto& o : owners) owner_list += (owner_list.empty() ? "" : ", ") + o;
    throw validation_error("metafield_owner '" + metafield_owner + "' is not one of " + owner_list +
                               did_you_mean(metafield_owner, owners),
                           "metafields are read below their owner: \"metafield_owner\": \"products\"");
  }
  throw validation_error(
      "Shopify has no object '" + name + "'" + did_you_mean(name, object_names()),
      "supported: " + list + "; the object is the LOAD's table name or the \"object\" parameter");
}

std::vector<std::string> object_names() {
  std::vector<std::string> names;
  for (const auto& d : defs()) names.push_back(d.name);
  names.push_back("metafields");
  return names;
}

std::vector<std::string> metafield_owners() {
  return {"products", "customers", "orders", "collections"};
}

std::string selection_of(const std::vector<Field>& fields, const Fragments& fragments) {
  Node root;
  for (const auto& f : fields) {
    Node* n = &root;
    for (const auto& step : split_path(f.path)) {
      n = &n->children[step.name + step.args];
      if (!step.match_key.empty()) n->children[step.match_key];  // to tell the list's elements apart
    }
  }
  std::string out;
  render(root, "", fragments, out);
  return out;
}

int object_cost(const std::vector<Field>& fields) {
  std::set<std::string> objects;
  for (const auto& f : fields) {
    std::string prefix;
    auto steps = split_path(f.path);
    for (std::size_t i = 0; i + 1 < steps.size(); ++i) objects.insert(prefix += "." + steps[i].name);
  }
  return 1 + static_cast<int>(objects.size());
}

int paged_query_cost(const ObjectDef& def, int first, const std::vector<const ChildDef*>& children) {
  int per_node = def.via ? 1 : object_cost(def.fields);
  for (const ChildDef* c : children)
    per_node += c->list ? object_cost(c->fields) : 2 + c->page_size * object_cost(c->fields);
  return 2 + first * per_node;
}

}  // namespace sqlflow::connectors::shopify
