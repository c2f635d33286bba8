// The connector framework: parameter specs, the Source and Destination interfaces, and what a
// connector registers. Connectors exchange DataChunks in DuckDB's layout with the engine.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/data_chunk.hpp"
#include "core/error.hpp"
#include "engine/connection.hpp"
#include "engine/table_source.hpp"

namespace sqlflow::connectors {

using Params = nlohmann::json;  // always a JSON object after validation

enum class ParamType { String, Int, Number, Bool, List, Object, Secret, Any };
const char* to_string(ParamType type);

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::String;
  bool required = false;
  nlohmann::json default_value = nullptr;  // null: no default
  std::string doc;                         // one line, shown by `connect describe`
  std::vector<std::string> aliases = {};   // other accepted names (e.g. SQLFlow's)
};

// Receives one remote request attempt's latency (for the run's histograms). Called from any
// thread; must be cheap and must not throw.
using RequestLatencySink = std::function<void(std::string_view connector, std::chrono::nanoseconds latency)>;

// What connectors may need from the run they are part of.
struct ConnectorContext {
  std::filesystem::path base_dir = ".";  // relative paths resolve against this (the project)
  // File exports write below base_dir or below one of these (the profile's allowed_paths), so a
  // path like "../../x.csv" cannot land anywhere; write_anywhere lifts that (--allow-outside-project).
  std::vector<std::filesystem::path> write_roots = {};
  bool write_anywhere = false;
  RequestLatencySink on_request_latency = {};  // may be empty
};

// What a connector moved and waited for since it was created, read into the step's metrics
// before and after each step that uses it (the difference is the step's share).
struct IoStats {
  std::uint64_t bytes = 0;            // payload bytes received and sent
  std::uint64_t requests = 0;         // remote calls (HTTP requests, COPY statements)
  std::uint64_t retries = 0;          // attempts repeated after a retryable failure
  std::uint64_t throttle_waits = 0;   // calls that waited for the rate limiter or a server throttle
  std::uint64_t breaker_trips = 0;    // times a circuit breaker opened
  std::uint64_t network_wait_ns = 0;  // time spent waiting on the network (summed over threads)

  // The counts accumulated after `earlier` was taken (each clamped at zero).
  IoStats since(const IoStats& earlier) const;
  IoStats& operator+=(const IoStats& other);
};

// What a LOAD's read left out or changed, for the run summary.
struct ReadReport {
  std::uint64_t rejected_rows = 0;    // input rows left out (on_error: skip), one per input line
  std::vector<std::string> warnings;  // e.g. short CSV rows padded with NULL
};

// What `connect discover` reports: the things a connection offers to read, each with what is
// known of it without reading it.
struct DiscoveredColumn {
  std::string name;
  std::string type;  // empty when unknown before a read (e.g. a sheet's header row)
};

struct DiscoveredItem {
  std::string kind;    // "table", "view", "file", "sheet", "stream", …
  std::string name;    // as a user would name it: "public.orders", "data/a.csv", a sheet's title
  std::string detail;  // a short note shown in parentheses (e.g. "2×4"); may be empty
  Params params = {};  // the SOURCE PARAMS that read this item (e.g. {"table": …}); null: none
  std::optional<std::int64_t> rows = std::nullopt;
  bool rows_estimated = false;  // rows is the server's estimate (e.g. pg_class.reltuples)
  std::optional<std::uint64_t> bytes = std::nullopt;
  std::vector<DiscoveredColumn> columns = {};
  std::string note = {};   // e.g. "empty first row"
  std::string error = {};  // why this item could not be described (the others still are)
};

struct Discovery {
  std::vector<std::string> notes;  // lines about the whole connection (e.g. a spreadsheet's title)
  std::vector<DiscoveredItem> items;
};

// What `connect test` reports: one line, then details (privileges…) one per line. A problem
// (the server answers, but what the connector names cannot be read) fails the test.
struct ConnectionReport {
  std::string summary;
  std::vector<std::string> details = {};
  std::string problem = {};
};

// A bound source. Besides producing chunks (TableSource), a source that DuckDB can read itself
// (local files) may return SQL for a view, so DuckDB pushes projections and filters down.
class Source : public engine::TableSource {
 public:
  // A SELECT that reads this source with DuckDB's own readers, or nullopt to be scanned through
  // the TableSource interface. Called after validation; must not have side effects.
  virtual std::optional<std::string> view_sql() { return std::nullopt; }

  // Incremental reads: the cursor column and the last committed watermark (as text, compared
  // with the column's type), or nullopt on the first run. Default: unsupported.
  virtual bool supports_cursor() const { return false; }
  virtual void set_cursor(const std::string& field, const std::optional<std::string>& lower_bound) {
    (void)field;
    (void)lower_bound;
  }
  // The highest cursor value among the rows this source handed to the engine (text, comparable as
  // the column's type), or nullopt when none was read or no cursor is set. The watermark advances
  // to it only when the load commits.
  virtual std::optional<std::string> max_cursor_value() { return std::nullopt; }

  // Whether the rows have no order worth keeping (a PostgreSQL table read in partitions, a REST
  // source with preserve_order false): a LOAD then lets DuckDB insert them in any order, so it
  // reads the partitions on every thread. Called after binding. Default: false (rows keep the
  // order they are read in).
  virtual bool rows_unordered() { return false; }

  // Runs on the LOAD's DuckDB connection, inside the LOAD's transaction, after the rows were
  // written to `target_table` and before commit (e.g. to keep rejected rows in
  // sqlflow_rejects.<source>). Reports what the read left out or changed. Default: nothing.
  virtual ReadReport after_read(engine::Connection& con, const std::string& source_name,
                                const std::string& target_table) {
    (void)con;
    (void)source_name;
    (void)target_table;
    return {};
  }

  // Called after a step that reads this source failed with `error`. Returns true after changing
  // how the source reads, so that the step may run again with the source's new view_sql() (e.g.
  // a CSV file whose short rows showed up after the sniffed sample is read again with padding).
  // Default: false.
  virtual bool adapt_after_failure(const Error& error) {
    (void)error;
    return false;
  }

  // Called when a step that reads this source failed with `error` for good: the error in the
  // source's own terms (its file, line and parameters instead of the engine's), or nullopt when
  // the error is not about this source. Default: nullopt.
  virtual std::optional<Error> explain_failure(const Error& error) {
    (void)error;
    return std::nullopt;
  }

  // `connect test`: opens a connection and returns a one-line description (server version…).
  virtual std::string test_connection() { return "ok"; }

  // `connect discover`: what this connector can read. Default: one "stream" item (its name left
  // empty for the caller to fill in) with the columns of schema().
  virtual Discovery discover_contents();

  // Cumulative I/O counters (thread-safe). Default: none — DuckDB's own readers do the I/O.
  virtual IoStats io_stats() const { return {}; }

  const Schema& schema() override = 0;
  size_t partition_count() override = 0;
};

enum class WriteMode { Replace, Append, Upsert };

class Destination {
 public:
  virtual ~Destination() = default;
  // Prepares to receive rows of `schema`. Nothing is visible to readers of the target until
  // commit(). Called once, before write().
  virtual void open(const Schema& schema, WriteMode mode, const std::vector<std::string>& keys) = 0;
  // Consumes one chunk (the chunk stays owned by the caller and is reused after the call).
  virtual void write(const DataChunk& chunk) = 0;
  // Makes everything written visible at once. After commit() the destination is done.
  virtual void commit() = 0;
  // Leaves no trace of this write; safe to call after a failed open/write/commit. Never throws.
  virtual void abort() noexcept = 0;

  // Destinations DuckDB can write by itself (COPY … TO) return the statement that writes the
  // given SELECT. Called after open(); the caller then runs that statement instead of calling
  // write(), and calls commit() (or abort() if it failed). Default: nullopt (use write()).
  virtual std::optional<std::string> copy_statement(const std::string& select_sql) {
    (void)select_sql;
    return std::nullopt;
  }

  // Cumulative I/O counters (thread-safe). Default: none.
  virtual IoStats io_stats() const { return {}; }
};

// Where `pipeline validate` gets a source's schema from: Local (files, via DuckDB's sniffing of
// headers and a sample), Remote (a metadata call; skipped with --offline) or RunTime (it exists
// only while the pipeline runs, e.g. an in-memory table an earlier EXPORT writes).
enum class SchemaDiscovery { Local, Remote, RunTime };

struct ConnectorInfo {
  std::string type;                       // canonical lower-case name, e.g. "csv"
  std::vector<std::string> aliases = {};  // e.g. "in_memory" for "memory"
  std::string description;
  std::vector<ParamSpec> source_params = {};
  std::vector<ParamSpec> destination_params = {};
  std::function<std::unique_ptr<Source>(const Params&, const ConnectorContext&)> make_source = {};
  std::function<std::unique_ptr<Destination>(const std::string& uri, const Params&, const ConnectorContext&)>
      make_destination = {};
  std::vector<std::string> notes = {};  // extra lines for `connect describe`
  SchemaDiscovery schema_discovery = SchemaDiscovery::Local;
  // Removes what killed runs left of an export to `uri` (temporary files of processes that no
  // longer run), before a run starts. Optional.
  std::function<void(const std::string& uri, const ConnectorContext&)> clean_debris = {};
  // Checks parameter values beyond their types (a pagination block, a mode name…) without any
  // I/O, so `pipeline validate` reports them; throw a validation Error. Optional.
  std::function<void(const Params&)> check_source = {};
  // A parameter that names what to read (e.g. Shopify's "object") and defaults to the table a
  // LOAD writes: `LOAD orders FROM shop` reads orders, as in SQLFlow. Empty: no such parameter.
  std::string object_from_load_target = {};
  std::function<void(const std::string& uri, const Params&, const ConnectorContext&)> check_destination = {};
};

// `connect test` and `connect discover` from a profile connector's params alone, for connectors
// whose params name a server rather than one thing to read (PostgreSQL without table or query).
// Registered by type from the connector's own folder (SQLFLOW_REGISTER_INSPECTOR, registry.hpp);
// the params are the profile's as written (not normalized). Either function may be empty.
struct ServerInspector {
  std::function<ConnectionReport(const Params&, const ConnectorContext&)> test = {};
  std::function<Discovery(const Params&, const ConnectorContext&)> discover = {};
};

}  // namespace sqlflow::connectors
