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
  // Adds or replaces a source under `name`. Errors it throws while DuckDB reads it reach the
  // query's caller with "<error_subject>: " before their message (none when empty).
  void add(const std::string& name, std::shared_ptr<TableSource> source, std::string error_subject = {});
  std::shared_ptr<TableSource> find(const std::string& name) const;
  struct Entry {
    std::shared_ptr<TableSource> source;
    std::string error_subject;
  };
  // The source and its error subject; a null source when unknown.
  Entry find_entry(const std::string& name) const;
  // Creates (or replaces) a temporary view `name` on this connection reading the source.
  void create_view(Connection& con, const std::string& name) const;
  // Creates the views of every source on a new connection.
  void create_all_views(Connection& con) const;

 private:
  struct Sources {
    mutable std::mutex mutex;
    std::map<std::string, Entry> by_name;
  };
  // Shared with the registered function so it stays valid as long as DuckDB holds it.
  std::shared_ptr<Sources> sources_;
};

}  // namespace sqlflow::engine
