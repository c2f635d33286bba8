// PostgreSQL (and Citus) as the engine a pipeline's tables live in (profile `engine: postgres`,
// `engines: {postgres: {host, port, dbname, user, password, schema, distribution}}`): LOADs COPY
// their rows in binary into a temporary table of the engine and write the target from it in one
// transaction with the watermark; CREATE TABLE AS, APPEND, UPSERT (MERGE) and INCREMENTAL BY run
// as SQL inside PostgreSQL; EXPORT reads the result back with binary COPY. With `distribution`,
// tables are distributed (create_distributed_table) or replicated (create_reference_table) by
// Citus right after the step creates them.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "connectors/connector.hpp"
#include "connectors/postgres/params.hpp"
#include "engine/session.hpp"

namespace sqlflow::connectors::postgres {

struct EngineOptions {
  ConnectionOptions connection;
  std::string schema = "public";
  // Table (lower case) → distribution column, or "reference" for a reference table.
  std::map<std::string, std::string> distribution;

  // From the profile's engines.postgres object; throws a config error naming a bad key.
  static EngineOptions from(const Params& params);
};

std::vector<ParamSpec> engine_param_specs();

// "Citus 12.1 with 2 workers" or "no Citus", for `connect test`.
std::string citus_summary(PgConn& conn);

class PostgresEngine : public engine::Engine {
 public:
  explicit PostgresEngine(EngineOptions options);
  std::string name() const override { return "postgres"; }
  // Checks that the server answers, creates the schema, and checks that Citus is there when a
  // distribution is configured (a clear error otherwise).
  void prepare();
  std::unique_ptr<engine::Session> open(engine::Connection& local) override;
  // The relations of EXPLAIN (FORMAT JSON), inside a transaction that is rolled back.
  std::optional<std::vector<std::string>> tables_read(const std::string& sql) override;
  std::vector<std::optional<Error>> check(const std::vector<engine::ShadowStatement>& statements) override;
  std::vector<std::string> table_names() override;
  const EngineOptions& options() const { return options_; }

 private:
  EngineOptions options_;
};

}  // namespace sqlflow::connectors::postgres
