#include "connectors/shopify/objects.hpp"

#include <map>
#include <set>

#include "core/error.hpp"
#include "core/suggest.hpp"

namespace sqlflow::connectors::shopify {

namespace {
std::vector<Field> money(const std::string& column, const std::string& set) {
  return {{column, set + ".shopMoney.amount", ColType::Decimal2}};
}

std::vector<ObjectDef> make_defs() {
  std::vector<ObjectDef> defs;
  {
    ObjectDef o;
    o.name = "orders";
    o.connection = "orders";
    o.gql_type = "Order";
    o.search = "status:any";  // the REST default of open orders only silently drops data
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
    for (auto& f : money("total_price", "totalPriceSet")) o.fields.push_back(f);
    for (auto& f : money("subtotal_price", "subtotalPriceSet")) o.fields.push_back(f);
    for (auto& f : money("total_tax", "totalTaxSet")) o.fields.push_back(f);
    ChildDef c;
    c.connection = "lineItems";
    c.table_suffix = "line_items";
    c.parent_column = "order_id";
    c.fields = {{"id", "id", ColType::Gid},
                {"title", "title", ColType::Varchar},
                {"quantity", "quantity", ColType::BigInt},
                {"sku", "sku", ColType::Varchar}};
    for (auto& f : money("unit_price", "originalUnitPriceSet")) c.fields.push_back(f);
    o.child = c;
    defs.push_back(o);
  }
  {
    ObjectDef o;
    o.name = "customers";
    o.connection = "customers";
    o.gql_type = "Customer";
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
    c.table_suffix = "variants";
    c.parent_column = "product_id";
    c.fields = {{"id", "id", ColType::Gid},
                {"sku", "sku", ColType::Varchar},
                {"price", "price", ColType::Decimal2},
                {"inventory_quantity", "inventoryQuantity", ColType::BigInt}};
    o.child = c;
    defs.push_back(o);
  }
  {
    ObjectDef o;
    o.name = "locations";
    o.connection = "locations";
    o.gql_type = "Location";
    o.updated_at = false;
    o.fields = {{"id", "id", ColType::Gid},
                {"name", "name", ColType::Varchar},
                {"is_active", "isActive", ColType::Boolean}};
    defs.push_back(o);
  }
  return defs;
}

const std::vector<ObjectDef>& defs() {
  static const std::vector<ObjectDef> d = make_defs();
  return d;
}

// A tree of dot paths, rendered as a GraphQL selection set.
struct Node {
  std::map<std::string, Node> children;
};
void render(const Node& n, std::string& out) {
  for (const auto& [name, child] : n.children) {
    if (!out.empty()) out += ' ';
    out += name;
    if (!child.children.empty()) {
      out += " {";
      render(child, out);
      out += " }";
    }
  }
}
}  // namespace

const ObjectDef& object_def(const std::string& name) {
  for (const auto& d : defs())
    if (d.name == name) return d;
  static const std::set<std::string> later = {"product_variants", "inventory_items", "inventory_levels",
                                              "transactions",     "fulfillments",    "refunds",
                                              "discounts",        "collections",     "metafields"};
  std::string list;
  for (const auto& d : defs()) list += (list.empty() ? "" : ", ") + d.name;
  if (later.count(name))
    throw validation_error(
        "Shopify object '" + name + "' is not supported yet",
        "supported: " + list + " (product variants come with products as <table>__variants)");
  throw validation_error(
      "Shopify has no object '" + name + "'" + did_you_mean(name, object_names()),
      "supported: " + list + "; the object is the LOAD's table name or the \"object\" parameter");
}

std::vector<std::string> object_names() {
  std::vector<std::string> names;
  for (const auto& d : defs()) names.push_back(d.name);
  return names;
}

std::string selection_of(const std::vector<Field>& fields) {
  Node root;
  for (const auto& f : fields) {
    Node* n = &root;
    std::size_t start = 0;
    while (true) {
      std::size_t dot = f.path.find('.', start);
      n = &n->children[f.path.substr(start, dot == std::string::npos ? std::string::npos : dot - start)];
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
  }
  std::string out;
  render(root, out);
  return out;
}

int paged_query_cost(const ObjectDef& def, int first) {
  auto object_cost = [](const std::vector<Field>& fields) {
    // 1 for the node, 1 for each nested object a path goes through.
    std::set<std::string> objects;
    for (const auto& f : fields)
      for (std::size_t dot = f.path.find('.'); dot != std::string::npos; dot = f.path.find('.', dot + 1))
        objects.insert(f.path.substr(0, dot));
    return 1 + static_cast<int>(objects.size());
  };
  int per_node = object_cost(def.fields);
  if (def.child) per_node += 2 + def.child->page_size * object_cost(def.child->fields);
  return 2 + first * per_node;
}

}  // namespace sqlflow::connectors::shopify
