#include "connectors/shopify/source.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <thread>

#include "connectors/http_io.hpp"
#include "connectors/shopify/graphql_client.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/quote.hpp"
#include "engine/appender.hpp"
#include "metrics/secrets.hpp"
#include "net/http_client.hpp"

namespace sqlflow::connectors::shopify {

using nlohmann::json;

namespace {
class Reader final : public engine::PartitionReader {
 public:
  Reader(const RowTable& rows, std::vector<size_t> projection)
      : rows_(rows), projection_(std::move(projection)) {}
  size_t next(DataChunk& out) override {
    if (next_ >= rows_.rows()) return 0;
    size_t n = std::min(DataChunk::capacity(), rows_.rows() - next_);
    rows_.write(next_, n, projection_, out);
    next_ += n;
    return n;
  }

 private:
  const RowTable& rows_;
  std::vector<size_t> projection_;
  size_t next_ = 0;
};

std::string escape_search(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\'' || c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out;
}
}  // namespace

ShopifySource::ShopifySource(ShopifyOptions options, ConnectorContext context)
    : o_(std::move(options)),
      ctx_(std::move(context)),
      def_(object_def(o_.object.empty() ? "orders" : o_.object)) {
  if (o_.object.empty())
    throw validation_error("Shopify needs an object", "LOAD orders FROM … reads orders, or set \"object\"");
  schema_ = RowTable(def_.fields).schema();
  for (const auto& secret : {o_.access_token, o_.client_secret})
    if (!secret.empty()) metrics::register_secret(secret);
}

ShopifySource::~ShopifySource() = default;

GraphqlClient& ShopifySource::client() {
  if (!client_) {
    GraphqlOptions g;
    g.base_url = o_.base_url();
    g.api_version = o_.api_version;
    g.access_token = net::SecretString(o_.access_token);
    g.client_id = o_.client_id;
    g.client_secret = net::SecretString(o_.client_secret);
    g.timeout_s = o_.timeout;
    g.max_retries = o_.max_retries;
    g.retry_delay = o_.retry_delay;
    g.on_latency = ctx_.on_request_latency;
    client_ = std::make_unique<GraphqlClient>(std::move(g));
  }
  return *client_;
}

void ShopifySource::set_cursor(const std::string& field, const std::optional<std::string>& lower_bound) {
  if (field != "updated_at")
    throw validation_error("Shopify incremental loads follow updated_at, not '" + field + "'",
                           "set \"cursor_field\": \"updated_at\"");
  lower_bound_.reset();
  if (lower_bound) {
    std::int64_t micros = 0;
    if (!parse_timestamp(*lower_bound, micros))
      throw data_error("the stored watermark '" + *lower_bound + "' is not a timestamp");
    lower_bound_ = micros;
  }
}

std::string ShopifySource::search_query() const {
  std::string q = def_.search;
  auto add = [&](const std::string& term) { q += (q.empty() ? "" : " ") + term; };
  if (def_.name == "orders")
    for (const auto& s : o_.financial_status_filter) add("financial_status:" + escape_search(s));
  if (lower_bound_)
    add("updated_at:>'" + format_timestamp(*lower_bound_ - o_.lookback_window_s * 1000000).substr(0, 19) +
        "Z'");
  return q;
}

void ShopifySource::load() {
  std::lock_guard lock(mutex_);
  if (loaded_) return;
  rows_ = std::make_unique<RowTable>(def_.fields);
  if (def_.child) children_ = std::make_unique<RowTable>(def_.child->fields, def_.child->parent_column);
  bool bulk = o_.mode == "bulk" || (o_.mode == "auto" && !lower_bound_);
  if (bulk)
    load_bulk();
  else
    load_paged();
  rows_->dedupe_by_id();
  spdlog::info("shopify: {} {} ({} {}) via {}", rows_->rows(), def_.name, children_ ? children_->rows() : 0,
               def_.child ? def_.child->table_suffix : "children",
               bulk ? "a bulk operation" : "cursor paging");
  loaded_ = true;
}

void ShopifySource::load_bulk() {
  std::string inner = "{ " + def_.connection +
                      (search_query().empty() ? "" : "(query: \"" + search_query() + "\")") +
                      " { edges { node { " + selection_of(def_.fields);
  if (def_.child && o_.flatten_line_items)
    inner +=
        " " + def_.child->connection + " { edges { node { " + selection_of(def_.child->fields) + " } } }";
  inner += " } } } }";
  json data = client().run(
      "mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { "
      "field "
      "message } } }",
      {{"q", inner}}, 10);
  const json& run = data["bulkOperationRunQuery"];
  if (run.contains("userErrors") && run["userErrors"].is_array() && !run["userErrors"].empty())
    throw validation_error(
        "Shopify refused the bulk operation: " + run["userErrors"][0].value("message", std::string()),
        "another bulk operation may be running for this app; wait for it or use \"mode\": \"paged\"");
  std::string id = run.value("/bulkOperation/id"_json_pointer, std::string());
  if (id.empty()) throw data_error("Shopify did not return the bulk operation's id");

  double interval = o_.bulk_poll_interval;
  json op;
  for (;;) {
    auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(interval);
    while (std::chrono::steady_clock::now() < until) {
      if (interrupt::requested())
        throw usage_error("interrupted while waiting for the Shopify bulk operation");
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::min(50, static_cast<int>(interval * 1000) + 1)));
    }
    json d = client().run(
        "query($id: ID!) { node(id: $id) { ... on BulkOperation { id status errorCode objectCount url "
        "partialDataUrl "
        "} } }",
        {{"id", id}}, 1);
    op = d.value("node", json::object());
    std::string status = op.value("status", std::string());
    if (status == "COMPLETED") break;
    if (status == "FAILED" || status == "CANCELED" || status == "EXPIRED" || status == "CANCELING") {
      std::string code =
          op.contains("errorCode") && op["errorCode"].is_string() ? op["errorCode"].get<std::string>() : "";
      std::string count = op.contains("objectCount") ? op["objectCount"].dump() : "?";
      throw connection_error(
          "Shopify bulk operation " + id + " ended " + status + (code.empty() ? "" : " (" + code + ")") +
              " after " + count + " objects; its partial data was not loaded",
          false, "nothing changed; run the load again (Shopify suggests retrying INTERNAL_SERVER_ERROR)");
    }
    interval = std::min(10.0, interval * 1.5);
  }
  if (!op.contains("url") || !op["url"].is_string()) return;  // no objects at all
  std::size_t line_no = 0;
  client().download_lines(op["url"].get<std::string>(), [&](std::string_view line) {
    ++line_no;
    if (line.empty()) return;
    json node = json::parse(line, nullptr, false);
    if (!node.is_object())
      throw data_error(
          "line " + std::to_string(line_no) + " of the bulk result is not JSON (the download was cut?)",
          "nothing was loaded; run the load again");
    if (node.contains("__parentId")) {
      if (children_) children_->add(node, gid_number(node["__parentId"].get<std::string>()));
    } else {
      rows_->add(node);
    }
  });
}

void ShopifySource::load_paged() {
  const std::string child_sel =
      def_.child && o_.flatten_line_items
          ? " " + def_.child->connection + "(first: " + std::to_string(def_.child->page_size) +
                ") { pageInfo { hasNextPage endCursor } nodes { " + selection_of(def_.child->fields) + " } }"
          : "";
  std::string sort = def_.updated_at ? ", sortKey: UPDATED_AT" : "";
  std::string query = "query($first: Int!, $after: String, $q: String) { " + def_.connection +
                      "(first: $first, after: $after, query: $q" + sort +
                      ") { pageInfo { hasNextPage endCursor } nodes { " + selection_of(def_.fields) +
                      child_sel + " } } }";
  // As many parents per page as fit the single-query cost limit (1,000 points).
  int first = o_.page_size;
  while (first > 1 && paged_query_cost(def_, first) > 1000) first /= 2;
  std::optional<std::string> after;
  std::vector<std::pair<std::string, std::string>> more_children;  // parent gid, cursor
  for (;;) {
    json vars = {{"first", first}, {"q", search_query()}};
    if (after) vars["after"] = *after;
    GraphqlFailure failure;
    json data = client().run(query, vars, paged_query_cost(def_, first), &failure);
    if (!failure.code.empty() || !failure.message.empty()) {
      if (failure.code == "MAX_COST_EXCEEDED" && first > 1) {
        first /= 2;  // split the query
        continue;
      }
      throw data_error("Shopify GraphQL error " + failure.code + ": " + failure.message);
    }
    const json& conn = data[def_.connection];
    for (const auto& node : conn.value("nodes", json::array())) {
      rows_->add(node);
      if (!child_sel.empty() && node.contains(def_.child->connection)) {
        const json& c = node[def_.child->connection];
        std::int64_t parent = gid_number(node.value("id", std::string()));
        for (const auto& cn : c.value("nodes", json::array())) children_->add(cn, parent);
        if (c.value("/pageInfo/hasNextPage"_json_pointer, false))
          more_children.emplace_back(node.value("id", std::string()),
                                     c.value("/pageInfo/endCursor"_json_pointer, std::string()));
      }
    }
    if (!conn.value("/pageInfo/hasNextPage"_json_pointer, false)) break;
    after = conn.value("/pageInfo/endCursor"_json_pointer, std::string());
  }
  // Parents with more children than one page holds: the rest, per parent.
  for (auto& [gid, cursor] : more_children) {
    std::string q = "query($id: ID!, $after: String) { node(id: $id) { ... on " + def_.gql_type + " { " +
                    def_.child->connection +
                    "(first: 250, after: $after) { pageInfo { hasNextPage endCursor } nodes { " +
                    selection_of(def_.child->fields) + " } } } } }";
    std::int64_t parent = gid_number(gid);
    for (std::string after_child = cursor;;) {
      json data = client().run(q, {{"id", gid}, {"after", after_child}}, 2 + 250 * 2);
      const json& c = data["node"][def_.child->connection];
      for (const auto& cn : c.value("nodes", json::array())) children_->add(cn, parent);
      if (!c.value("/pageInfo/hasNextPage"_json_pointer, false)) break;
      after_child = c.value("/pageInfo/endCursor"_json_pointer, std::string());
    }
  }
}

std::unique_ptr<engine::PartitionReader> ShopifySource::open(size_t, const std::vector<size_t>& projection) {
  load();
  return std::make_unique<Reader>(*rows_, projection);
}

std::optional<size_t> ShopifySource::estimated_rows() {
  return loaded_ ? std::optional<size_t>(rows_->rows()) : std::nullopt;
}

std::optional<std::string> ShopifySource::max_cursor_value() {
  if (!loaded_ || !def_.updated_at || rows_->rows() == 0) return std::nullopt;
  std::size_t col = rows_->column("updated_at");
  std::int64_t best = rows_->int_at(col, 0);
  for (std::size_t r = 1; r < rows_->rows(); ++r) best = std::max(best, rows_->int_at(col, r));
  return format_timestamp(best);
}

ReadReport ShopifySource::after_read(engine::Connection& con, const std::string&,
                                     const std::string& target_table) {
  ReadReport report;
  if (!children_ || !o_.flatten_line_items) return report;
  const std::string table = target_table + "__" + def_.child->table_suffix;
  const std::string qt = quote_identifier(table);
  const std::string parent = quote_identifier(def_.child->parent_column);
  std::string cols;
  for (const auto& c : children_->schema())
    cols += (cols.empty() ? "" : ", ") + quote_identifier(c.name) + " " + c.type.to_sql();
  con.execute("CREATE TABLE IF NOT EXISTS " + qt + " (" + cols + ")");
  if (!lower_bound_) {
    con.execute("DELETE FROM " + qt);  // a full load replaces the children too
  } else {
    // The parents read this time get exactly the children read with them (ids are integers).
    const std::size_t id_col = rows_->column("id");
    for (std::size_t first = 0; first < rows_->rows(); first += 1000) {
      std::string ids;
      for (std::size_t r = first; r < std::min(rows_->rows(), first + 1000); ++r)
        ids += (ids.empty() ? "" : ",") + std::to_string(rows_->int_at(id_col, r));
      con.execute("DELETE FROM " + qt + " WHERE " + parent + " IN (" + ids + ")");
    }
  }
  engine::Appender app(con, table);
  Schema s = children_->schema();
  std::vector<size_t> all(s.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  DataChunk chunk(types_of(s));
  for (size_t first = 0; first < children_->rows(); first += DataChunk::capacity()) {
    size_t n = std::min(DataChunk::capacity(), children_->rows() - first);
    chunk.reset();
    children_->write(first, n, all, chunk);
    chunk.set_size(n);
    app.append(chunk);
  }
  app.close();
  spdlog::info("shopify: {} {} into {}", children_->rows(), def_.child->table_suffix, table);
  return report;
}

std::string ShopifySource::test_connection() {
  json d = client().run(
      "{ shop { name currencyCode ianaTimezone } currentAppInstallation { accessScopes { handle } } }",
      json::object(), 3);
  std::set<std::string> scopes;
  for (const auto& s : d.value("/currentAppInstallation/accessScopes"_json_pointer, json::array()))
    scopes.insert(s.value("handle", std::string()));
  std::string out = "shop '" + d.value("/shop/name"_json_pointer, std::string()) + "' (" +
                    d.value("/shop/currencyCode"_json_pointer, std::string()) + "), API " + o_.api_version;
  if (!scopes.count("read_orders") && def_.name == "orders")
    out += "; missing scope read_orders: orders cannot be read";
  if (!scopes.count("read_all_orders"))
    out += "; missing scope read_all_orders: only the last 60 days of orders are visible";
  return out;
}

IoStats ShopifySource::io_stats() const {
  if (!client_) return {};
  IoStats s = io_stats_of(client_->http());
  s.throttle_waits += client_->throttled_replies();
  return s;
}

}  // namespace sqlflow::connectors::shopify
