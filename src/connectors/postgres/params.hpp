// The postgres connector's options, parsed once from validated PARAMS/OPTIONS into plain structs
// whose initialisers are the defaults (`connect describe` shows them from here); validate() runs
// before any I/O so a bad option fails at validation time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"
#include "connectors/postgres/connection.hpp"
#include "connectors/postgres/type_map.hpp"

namespace sqlflow::connectors::postgres {

struct ConnectionOptions {
  ConnectionTarget target;  // its connect_timeout is the connect_timeout parameter's default
  std::string application_name = "sqlflow";
  int max_retries = 3;                  // connect attempts (the resilience policy's retry.max_attempts)
  nlohmann::json resilience = nullptr;  // overrides of the postgres resilience profile (an object)
  int min_connections = 1;
  int max_connections = 8;

  // From host/port/dbname/user/password/sslmode/application_name/connect_timeout or a
  // `connection` URI (explicit keys override the URI's); throws a config error for a malformed URI.
  // Validates, then builds target.policy.
  static ConnectionOptions from(const Params& params);
  // Throws a validation Error naming the first bad value.
  void validate() const;
};

enum class PartitionMode { Auto, Count, Off };

struct SourceOptions {
  ConnectionOptions connection;
  std::string schema = "public";
  std::string table;  // either table …
  std::string query;  // … or query
  std::vector<std::string> columns;
  std::string where;
  PartitionMode partitions = PartitionMode::Auto;
  int partition_count = 0;
  std::string partition_column;
  // Whether a LOAD keeps the rows in the order they are read. Unset: only a query with ORDER BY
  // does; a table has no row order, so its partitions are loaded in parallel.
  std::optional<bool> preserve_order;
  NumericMode numeric_mode;
  std::string cursor_field;  // from sync_mode=incremental + cursor_field (set_cursor overrides)
  int timeout_seconds = 0;   // statement_timeout of the reading transactions (0: none)

  // Parses PARAMS and validates the result.
  static SourceOptions from(const Params& params);
  // Throws a validation Error naming the first bad value.
  void validate() const;
};

struct DestinationOptions {
  ConnectionOptions connection;
  std::string schema;             // empty: from the EXPORT target, else public
  std::string table;              // empty: from the EXPORT target
  std::optional<WriteMode> mode;  // OPTIONS "mode" (or SQLFlow's "if_exists"); else the EXPORT's
  bool fail_if_exists = false;    // SQLFlow's if_exists=fail
  std::vector<std::string> upsert_keys;
  bool create_table = true;

  static DestinationOptions from(const Params& params);
};

// The connection's parameters (host, port, dbname, user, password, …), shared by every role.
std::vector<ParamSpec> connection_param_specs();
std::vector<ParamSpec> source_param_specs();
std::vector<ParamSpec> destination_param_specs();

}  // namespace sqlflow::connectors::postgres
