#include "connectors/shopify/source.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>
#include <thread>

#include "connectors/http_io.hpp"
#include "connectors/shopify/graphql_client.hpp"
#include "core/crash_point.hpp"
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
      def_(object_def(o_.object.empty() ? "orders" : o_.object, o_.metafield_owner)) {
  if (o_.object.empty())
    throw validation_error("no object to read", "LOAD orders FROM … reads orders, or set \"object\"");
  schema_ = RowTable(def_.fields, def_.via ? def_.via->parent_column : "").schema();
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
  if (field != def_.cursor_column)
    throw validation_error(
        "incremental loads of " + def_.name + " follow " + def_.cursor_column + ", not '" + field + "'",
        "set \"cursor_field\": \"" + def_.cursor_column + "\"");
  lower_bound_.reset();
  if (lower_bound) {
    std::int64_t micros = 0;
    if (!parse_timestamp(*lower_bound, micros))
      throw data_error("the stored watermark '" + *lower_bound + "' is not a timestamp");
    lower_bound_ = micros;
  }
}

namespace {
std::string updated_after(std::int64_t micros) {
  return "updated_at:>'" + format_timestamp(micros).substr(0, 19) + "Z'";
}
}  // namespace

std::string ShopifySource::search_query() const {
  std::string q = def_.search;
  auto add = [&](const std::string& term) { q += (q.empty() ? "" : " ") + term; };
  if (def_.connection == "orders")
    for (const auto& s : o_.financial_status_filter) add("financial_status:" + escape_search(s));
  if (lower_bound_ && def_.cursor == CursorAt::Root)
    add(updated_after(*lower_bound_ - o_.lookback_window_s * 1000000));
  return q;
}

std::string ShopifySource::nested_search() const {
  if (!lower_bound_ || def_.cursor != CursorAt::Nested) return "";
  return updated_after(*lower_bound_ - o_.lookback_window_s * 1000000);
}

bool ShopifySource::enabled(const ChildDef& c) const {
  switch (c.gate) {
    case Gate::FlattenLineItems:
      return o_.flatten_line_items;
    case Gate::IncludeFulfillments:
      return o_.include_fulfillments;
    case Gate::IncludeRefunds:
      return o_.include_refunds;
  }
  return false;
}

std::vector<ShopifySource::Target> ShopifySource::connections() {
  std::vector<Target> out;
  if (def_.via && !def_.via->list) out.push_back({&*def_.via, rows_.get()});
  for (auto& c : children_)
    if (!c.def->list) out.push_back({c.def, c.rows.get()});
  return out;
}

void ShopifySource::add_root(const json& node) {
  std::int64_t id = gid_number(node.value("id", std::string()));
  if (!def_.via) rows_->add(node);
  auto each = [&](const ChildDef& c, RowTable& rows) {
    auto it = node.find(c.connection);
    if (it != node.end() && it->is_array())
      for (const auto& e : *it) rows.add(e, id);
  };
  if (def_.via && def_.via->list) each(*def_.via, *rows_);
  for (auto& c : children_)
    if (c.def->list) each(*c.def, *c.rows);
}

void ShopifySource::load() {
  std::lock_guard lock(mutex_);
  if (loaded_) return;
  rows_ = std::make_unique<RowTable>(def_.fields, def_.via ? def_.via->parent_column : "");
  children_.clear();
  if (!def_.via)
    for (const auto& c : def_.children)
      if (enabled(c)) children_.push_back({&c, std::make_unique<RowTable>(c.fields, c.parent_column)});
  bool bulk = o_.mode == "bulk" || (o_.mode == "auto" && !lower_bound_);
  if (bulk)
    load_bulk();
  else
    load_paged();
  rows_->dedupe_by_id();
  std::string kids;
  for (const auto& c : children_)
    kids += (kids.empty() ? "" : ", ") + std::to_string(c.rows->rows()) + " " + c.def->table_suffix;
  spdlog::info("shopify: {} {} ({}) via {}", rows_->rows(), def_.name,
               kids.empty() ? "no child tables" : kids, bulk ? "a bulk operation" : "cursor paging");
  loaded_ = true;
}

void ShopifySource::load_bulk() {
  // One top-level connection; children as nested connections (their nodes come back as lines of
  // their own with __parentId) or inline lists. https://shopify.dev/docs/api/usage/bulk-operations/queries
  auto nested = [](const ChildDef& c, const std::string& args) {
    std::string sel = selection_of(c.fields);
    return " " + c.connection + args + (c.list ? " { " + sel + " }" : " { edges { node { " + sel + " } } }");
  };
  std::string inner = "{ " + def_.connection +
                      (search_query().empty() ? "" : "(query: \"" + search_query() + "\")") +
                      " { edges { node { " + (def_.via ? "id" : selection_of(def_.fields, def_.fragments));
  if (def_.via)
    inner += nested(*def_.via, nested_search().empty() ? "" : "(query: \"" + nested_search() + "\")");
  for (const auto& c : children_) inner += nested(*c.def, "");
  inner += " } } } }";
  json data = client().run(
      "mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { "
      "field "
      "message } } }",
      {{"q", inner}}, 10);
  const json& run = data["bulkOperationRunQuery"];
  std::string id;
  if (run.contains("userErrors") && run["userErrors"].is_array() && !run["userErrors"].empty())
    id = adopt_running_bulk(run["userErrors"][0].value("message", std::string()), inner);
  else
    id = run.value("/bulkOperation/id"_json_pointer, std::string());
  if (id.empty()) throw data_error("Shopify did not return the bulk operation's id");

  double interval = o_.bulk_poll_interval;
  json op;
  for (;;) {
    auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(interval);
    while (std::chrono::steady_clock::now() < until) {
      if (interrupt::requested())
        throw usage_error("interrupted while waiting for Shopify bulk operation " + id +
                          "; it keeps running at Shopify, and the next run of this load takes it over");
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::min(50, static_cast<int>(interval * 1000) + 1)));
    }
    json d = client().run(
        "query($id: ID!) { node(id: $id) { ... on BulkOperation { id status errorCode objectCount url "
        "partialDataUrl "
        "} } }",
        {{"id", id}}, 1);
    crash_point("shopify.bulk_polled");
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
  // Lines with __parentId belong to the connection whose node type their gid names.
  std::vector<Target> by_type = connections();
  std::size_t line_no = 0;
  client().download_lines(op["url"].get<std::string>(), [&](std::string_view line) {
    ++line_no;
    if (line.empty()) return;
    json node = json::parse(line, nullptr, false);
    if (!node.is_object())
      throw data_error(
          "line " + std::to_string(line_no) + " of the bulk result is not JSON (the download was cut?)",
          "nothing was loaded; run the load again");
    auto parent = node.find("__parentId");
    if (parent == node.end()) return add_root(node);
    const std::string gid = node.value("id", std::string());
    for (const auto& t : by_type)
      if (gid.rfind("gid://shopify/" + t.def->gql_type + "/", 0) == 0)
        return t.rows->add(node, gid_number(parent->is_string() ? parent->get<std::string>() : ""));
  });
}

namespace {

// A GraphQL document with its whitespace runs folded, for comparing queries.
std::string folded(const std::string& query) {
  std::string out;
  for (char c : query) {
    const bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

std::string ShopifySource::adopt_running_bulk(const std::string& refusal, const std::string& query) {
  // Shopify runs a limited number of bulk queries per app and shop at once and refuses more with
  // "A bulk query operation for this app and shop is already in progress: gid://…". When that one
  // runs this very query, it is an earlier run of this load that was killed or interrupted while
  // it waited: its result is what this run would get, so the run takes it over instead of failing
  // until it ends. https://shopify.dev/docs/api/usage/bulk-operations/queries
  const std::string hint =
      "wait for it to finish, cancel it (bulkOperationCancel), or use \"mode\": \"paged\"";
  static const std::regex gid_re("gid://shopify/BulkOperation/[0-9]+");
  std::smatch m;
  if (refusal.find("in progress") == std::string::npos || !std::regex_search(refusal, m, gid_re))
    throw validation_error("Shopify refused the bulk operation: " + refusal, hint);
  const std::string id = m.str();
  json d =
      client().run("query($id: ID!) { node(id: $id) { ... on BulkOperation { id status query createdAt } } }",
                   {{"id", id}}, 1);
  const json op = d.value("node", json::object());
  const std::string status = op.value("status", std::string());
  const std::string running =
      op.contains("query") && op["query"].is_string() ? op["query"].get<std::string>() : "";
  if ((status == "CREATED" || status == "RUNNING") && folded(running) == folded(query)) {
    spdlog::info(
        "shopify: bulk operation {} (started {}) already runs this load's query, left by an earlier "
        "run; taking it over",
        id, op.value("createdAt", std::string("?")));
    return id;
  }
  throw validation_error("Shopify refused the bulk operation: " + refusal + " That operation (" +
                             (status.empty() ? std::string("status unknown") : status) + ", started " +
                             op.value("createdAt", std::string("?")) + ") runs another query.",
                         hint);
}

void ShopifySource::load_paged() {
  const std::vector<Target> conns = connections();
  const bool cq = def_.via && def_.cursor == CursorAt::Nested;  // via's own search, in $cq
  std::string child_sel;
  std::vector<const ChildDef*> costed;
  if (def_.via) costed.push_back(&*def_.via);
  for (const auto& c : children_) costed.push_back(c.def);
  for (const ChildDef* c : costed)
    child_sel +=
        " " + c->connection +
        (c->list ? " { " + selection_of(c->fields) + " }"
                 : "(first: " + std::to_string(c->page_size) + (cq && c == &*def_.via ? ", query: $cq" : "") +
                       ") { pageInfo { hasNextPage endCursor } nodes { " + selection_of(c->fields) + " } }");
  std::string sort = def_.sort_key.empty() ? "" : ", sortKey: " + def_.sort_key;
  std::string query = "query($first: Int!, $after: String, $q: String" +
                      std::string(cq ? ", $cq: String" : "") + ") { " + def_.connection +
                      "(first: $first, after: $after, query: $q" + sort +
                      ") { pageInfo { hasNextPage endCursor } nodes { " +
                      (def_.via ? "id" : selection_of(def_.fields, def_.fragments)) + child_sel + " } } }";
  // As many parents per page as fit the single-query cost limit (1,000 points).
  int first = o_.page_size;
  while (first > 1 && paged_query_cost(def_, first, costed) > 1000) first /= 2;
  std::optional<std::string> after;
  struct More {
    const Target* target;
    std::string parent_gid, cursor;
  };
  std::vector<More> more;  // parents with more children than one page holds
  for (;;) {
    json vars = {{"first", first}, {"q", search_query()}};
    if (cq) vars["cq"] = nested_search();
    if (after) vars["after"] = *after;
    GraphqlFailure failure;
    json data = client().run(query, vars, paged_query_cost(def_, first, costed), &failure);
    if (!failure.code.empty() || !failure.message.empty()) {
      if (failure.code == "MAX_COST_EXCEEDED" && first > 1) {
        first /= 2;  // split the query
        continue;
      }
      throw data_error("Shopify GraphQL error " + failure.code + ": " + failure.message);
    }
    const json& conn = data[def_.connection];
    for (const auto& node : conn.value("nodes", json::array())) {
      add_root(node);
      const std::string gid = node.value("id", std::string());
      for (const auto& t : conns) {
        auto c = node.find(t.def->connection);
        if (c == node.end() || !c->is_object()) continue;
        for (const auto& cn : c->value("nodes", json::array())) t.rows->add(cn, gid_number(gid));
        if (c->value("/pageInfo/hasNextPage"_json_pointer, false))
          more.push_back({&t, gid, c->value("/pageInfo/endCursor"_json_pointer, std::string())});
      }
    }
    if (!conn.value("/pageInfo/hasNextPage"_json_pointer, false)) break;
    after = conn.value("/pageInfo/endCursor"_json_pointer, std::string());
  }
  // The rest of those children, a parent at a time, as many per page as the cost limit allows.
  for (const auto& m : more) {
    const ChildDef& c = *m.target->def;
    const int cost = object_cost(c.fields);
    const int per_page = std::clamp((1000 - 3) / cost, 1, 250);
    const bool search = cq && &c == &*def_.via;
    std::string q = "query($id: ID!, $after: String" + std::string(search ? ", $cq: String" : "") +
                    ") { node(id: $id) { ... on " + def_.gql_type + " { " + c.connection +
                    "(first: " + std::to_string(per_page) + ", after: $after" +
                    (search ? ", query: $cq" : "") + ") { pageInfo { hasNextPage endCursor } nodes { " +
                    selection_of(c.fields) + " } } } } }";
    std::int64_t parent = gid_number(m.parent_gid);
    for (std::string after_child = m.cursor;;) {
      json vars = {{"id", m.parent_gid}, {"after", after_child}};
      if (search) vars["cq"] = nested_search();
      json data = client().run(q, vars, 3 + per_page * cost);
      const json& page = data["node"][c.connection];
      if (!page.is_object()) break;  // the parent was deleted since its first page
      for (const auto& cn : page.value("nodes", json::array())) m.target->rows->add(cn, parent);
      if (!page.value("/pageInfo/hasNextPage"_json_pointer, false)) break;
      after_child = page.value("/pageInfo/endCursor"_json_pointer, std::string());
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
  if (!loaded_ || def_.cursor == CursorAt::None || rows_->rows() == 0) return std::nullopt;
  std::size_t col = rows_->column(def_.cursor_column);
  if (col == std::string::npos) return std::nullopt;
  std::int64_t best = rows_->int_at(col, 0);
  for (std::size_t r = 1; r < rows_->rows(); ++r) best = std::max(best, rows_->int_at(col, r));
  return format_timestamp(best);
}

ReadReport ShopifySource::after_read(engine::Connection& con, const std::string&,
                                     const std::string& target_table) {
  ReadReport report;
  for (const auto& child : children_) {
    const RowTable& rows = *child.rows;
    const std::string table = target_table + "__" + child.def->table_suffix;
    const std::string qt = quote_identifier(table);
    const std::string parent = quote_identifier(child.def->parent_column);
    std::string cols;
    for (const auto& c : rows.schema())
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
    Schema s = rows.schema();
    std::vector<size_t> all(s.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    DataChunk chunk(types_of(s));
    for (size_t first = 0; first < rows.rows(); first += DataChunk::capacity()) {
      size_t n = std::min(DataChunk::capacity(), rows.rows() - first);
      chunk.reset();
      rows.write(first, n, all, chunk);
      chunk.set_size(n);
      app.append(chunk);
    }
    app.close();
    spdlog::info("shopify: {} {} into {}", rows.rows(), child.def->table_suffix, table);
  }
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
