// Registers TableSources with DuckDB: one table function `sqlflow_scan(name)` per database, with
// projection pushdown and parallel partitions, plus a view per source so SQL can say
// `SELECT … FROM source_name`.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "engine/connection.hpp"
#include "engine/table_source.hpp"

namespace sqlflow::engine {

class SourceCatalog {
 public:
  SourceCatalog();
  // Registers the table function on `con`'s database (once per database).
  void install(Connection& con);
  // Adds or replaces a source under `name`.
  void add(const std::string& name, std::shared_ptr<TableSource> source);
  std::shared_ptr<TableSource> find(const std::string& name) const;
  // Creates (or replaces) a temporary view `name` on this connection reading the source.
  void create_view(Connection& con, const std::string& name) const;
  // Creates the views of every source on a new connection.
  void create_all_views(Connection& con) const;

 private:
  struct Sources {
    mutable std::mutex mutex;
    std::map<std::string, std::shared_ptr<TableSource>> by_name;
  };
  // Shared with the registered function so it stays valid as long as DuckDB holds it.
  std::shared_ptr<Sources> sources_;
};

}  // namespace sqlflow::engine
