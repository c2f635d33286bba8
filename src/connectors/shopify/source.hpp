// The Shopify source on the GraphQL Admin API. A full load runs one bulk operation
// (bulkOperationRunQuery, polled until COMPLETED, its JSONL streamed: parent lines into the
// object's table, child lines — any order, with __parentId — into <table>__<child>, or into the
// object's table when the object lives below a parent (inventory levels of locations)); an
// incremental load pages with cursors (first ≤ 250, after, sortKey UPDATED_AT, query
// updated_at:>'watermark − lookback_window'), de-duplicated by id. A FAILED bulk operation fails
// the load: partial data is never reported as success.
// https://shopify.dev/docs/api/usage/bulk-operations/queries
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "connectors/shopify/objects.hpp"
#include "connectors/shopify/options.hpp"
#include "connectors/shopify/rows.hpp"

namespace sqlflow::connectors::shopify {

class GraphqlClient;

class ShopifySource final : public Source {
 public:
  ShopifySource(ShopifyOptions options, ConnectorContext context);
  ~ShopifySource() override;

  const Schema& schema() override { return schema_; }  // fixed per object: no call needed
  size_t partition_count() override { return 1; }
  std::unique_ptr<engine::PartitionReader> open(size_t index, const std::vector<size_t>& projection) override;
  std::optional<size_t> estimated_rows() override;

  bool supports_cursor() const override { return def_.cursor != CursorAt::None; }
  void set_cursor(const std::string& field, const std::optional<std::string>& lower_bound) override;
  std::optional<std::string> max_cursor_value() override;
  // Writes the child rows into <target>__<child> in the LOAD's transaction.
  ReadReport after_read(engine::Connection& con, const std::string& source_name,
                        const std::string& target_table) override;
  // The shop's name and currency, the API version, and whether read_all_orders is granted.
  std::string test_connection() override;
  IoStats io_stats() const override;

 private:
  // A child table being filled (or, with `via` a connection, the object's own rows).
  struct Target {
    const ChildDef* def;
    RowTable* rows;
  };

  GraphqlClient& client();
  void load();
  void load_bulk();
  // The id of the bulk operation Shopify says is `refusal`'s reason ("already in progress: gid…")
  // when it runs `query` too; otherwise throws the refusal with what is running instead.
  std::string adopt_running_bulk(const std::string& refusal, const std::string& query);
  void load_paged();
  bool enabled(const ChildDef& c) const;
  // Paged connections read with each root node: connection children, or `via`.
  std::vector<Target> connections();
  // A root node (a page's node or a bulk line without __parentId): its row and its list children.
  void add_root(const nlohmann::json& node);
  std::string search_query() const;   // the root connection's query:
  std::string nested_search() const;  // via's query: (CursorAt::Nested)

  struct Child {
    const ChildDef* def;
    std::unique_ptr<RowTable> rows;
  };

  ShopifyOptions o_;
  ConnectorContext ctx_;
  const ObjectDef& def_;
  Schema schema_;
  std::mutex mutex_;
  std::unique_ptr<GraphqlClient> client_;
  std::unique_ptr<RowTable> rows_;
  std::vector<Child> children_;  // enabled child tables
  bool loaded_ = false;
  std::optional<std::int64_t> lower_bound_;  // µs, from the stored watermark
};

}  // namespace sqlflow::connectors::shopify
