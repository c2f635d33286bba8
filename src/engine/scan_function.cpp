#include "engine/scan_function.hpp"

#include <atomic>

#include "core/error.hpp"
#include "core/log_context.hpp"
#include "core/quote.hpp"
#include "engine/scan_error.hpp"

namespace sqlflow::engine {

namespace {

struct BindData {
  std::shared_ptr<TableSource> source;
  std::string error_subject;
  LogContext::Value log_context;  // of the query's thread: DuckDB's scan threads log for its step
};

struct GlobalState {
  std::shared_ptr<TableSource> source;
  std::string error_subject;
  LogContext::Value log_context;
  std::vector<size_t> projection;
  size_t partitions = 0;
  std::atomic<size_t> next_partition{0};
};

struct LocalState {
  std::unique_ptr<PartitionReader> reader;
};

// Runs f; an exception becomes `error`, the message to hand to DuckDB (the Error kept for the
// query's caller, prefixed by the source's subject).
template <class F>
bool guarded(F&& f, const std::string& subject, std::string& error) {
  auto keep = [&](const Error& e) {
    error = stash_scan_error(subject.empty() ? e : with_subject(e, subject));
  };
  try {
    f();
    return true;
  } catch (const Error& e) {
    keep(e);
  } catch (const std::exception& e) {
    keep(internal_error(e.what()));
  }
  return false;
}

}  // namespace

SourceCatalog::SourceCatalog() : sources_(std::make_shared<Sources>()) {}

void SourceCatalog::add(const std::string& name, std::shared_ptr<TableSource> source,
                        std::string error_subject) {
  std::lock_guard lock(sources_->mutex);
  sources_->by_name[name] = Entry{std::move(source), std::move(error_subject)};
}

SourceCatalog::Entry SourceCatalog::find_entry(const std::string& name) const {
  std::lock_guard lock(sources_->mutex);
  auto it = sources_->by_name.find(name);
  return it == sources_->by_name.end() ? Entry{} : it->second;
}

std::shared_ptr<TableSource> SourceCatalog::find(const std::string& name) const {
  return find_entry(name).source;
}

void SourceCatalog::create_view(Connection& con, const std::string& name) const {
  con.execute("CREATE OR REPLACE TEMP VIEW " + quote_identifier(name) + " AS SELECT * FROM sqlflow_scan(" +
              quote_literal(name) + ")");
}

void SourceCatalog::create_all_views(Connection& con) const {
  std::vector<std::string> names;
  {
    std::lock_guard lock(sources_->mutex);
    for (const auto& [name, _] : sources_->by_name) names.push_back(name);
  }
  for (const auto& n : names) create_view(con, n);
}

namespace {

void bind(duckdb_bind_info info) {
  auto* extra = static_cast<std::shared_ptr<void>*>(duckdb_bind_get_extra_info(info));
  auto* catalog = static_cast<SourceCatalog*>(extra->get());
  duckdb_value arg = duckdb_bind_get_parameter(info, 0);
  char* raw = duckdb_get_varchar(arg);
  std::string name = raw ? raw : "";
  duckdb_free(raw);
  duckdb_destroy_value(&arg);

  std::string error;
  const SourceCatalog::Entry entry = catalog->find_entry(name);
  const auto& source = entry.source;
  bool ok = guarded(
      [&] {
        if (!source) throw validation_error("no source named '" + name + "' is defined");
        for (const auto& col : source->schema())
          duckdb_bind_add_result_column(info, col.name.c_str(), col.type.handle());
        if (auto rows = source->estimated_rows()) duckdb_bind_set_cardinality(info, *rows, false);
        duckdb_bind_set_bind_data(info, new BindData{source, entry.error_subject, LogContext::current()},
                                  [](void* p) { delete static_cast<BindData*>(p); });
      },
      entry.error_subject, error);
  if (!ok) duckdb_bind_set_error(info, error.c_str());
}

void init(duckdb_init_info info) {
  auto* bind_data = static_cast<BindData*>(duckdb_init_get_bind_data(info));
  std::string error;
  bool ok = guarded(
      [&] {
        auto state = std::make_unique<GlobalState>();
        state->source = bind_data->source;
        state->error_subject = bind_data->error_subject;
        state->log_context = bind_data->log_context;
        const size_t columns = state->source->schema().size();
        for (size_t i = 0; i < duckdb_init_get_column_count(info); ++i) {
          size_t idx = duckdb_init_get_column_index(info, i);
          if (idx >= columns)
            throw internal_error("DuckDB asked for column " + std::to_string(idx) + " of a " +
                                 std::to_string(columns) + "-column source");
          state->projection.push_back(idx);
        }
        state->partitions = state->source->partition_count();
        duckdb_init_set_max_threads(info, std::max<size_t>(1, state->partitions));
        duckdb_init_set_init_data(info, state.release(),
                                  [](void* p) { delete static_cast<GlobalState*>(p); });
      },
      bind_data->error_subject, error);
  if (!ok) duckdb_init_set_error(info, error.c_str());
}

void local_init(duckdb_init_info info) {
  duckdb_init_set_init_data(info, new LocalState, [](void* p) { delete static_cast<LocalState*>(p); });
}

void scan(duckdb_function_info info, duckdb_data_chunk output) {
  auto* global = static_cast<GlobalState*>(duckdb_function_get_init_data(info));
  auto* local = static_cast<LocalState*>(duckdb_function_get_local_init_data(info));
  LogContext log_context(global->log_context);
  std::string error;
  bool ok = guarded(
      [&] {
        DataChunk out = DataChunk::borrow(output);
        while (true) {
          if (!local->reader) {
            size_t p = global->next_partition.fetch_add(1);
            if (p >= global->partitions) {
              out.set_size(0);
              return;
            }
            local->reader = global->source->open(p, global->projection);
          }
          size_t n = local->reader->next(out);
          if (n > 0) {
            out.set_size(n);
            return;
          }
          local->reader.reset();
        }
      },
      global->error_subject, error);
  if (!ok) duckdb_function_set_error(info, error.c_str());
}

}  // namespace

void SourceCatalog::install(Connection& con) {
  duckdb_table_function fn = duckdb_create_table_function();
  duckdb_table_function_set_name(fn, "sqlflow_scan");
  duckdb_logical_type varchar = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  duckdb_table_function_add_parameter(fn, varchar);
  duckdb_destroy_logical_type(&varchar);
  // The function keeps a view of this catalog's sources alive for as long as DuckDB keeps it.
  auto* self = new std::shared_ptr<void>(std::make_shared<SourceCatalog>(*this));
  duckdb_table_function_set_extra_info(fn, self,
                                       [](void* p) { delete static_cast<std::shared_ptr<void>*>(p); });
  duckdb_table_function_set_bind(fn, bind);
  duckdb_table_function_set_init(fn, init);
  duckdb_table_function_set_local_init(fn, local_init);
  duckdb_table_function_set_function(fn, scan);
  duckdb_table_function_supports_projection_pushdown(fn, true);
  duckdb_state st = duckdb_register_table_function(con.handle(), fn);
  duckdb_destroy_table_function(&fn);
  if (st != DuckDBSuccess) throw internal_error("cannot register the sqlflow_scan table function");
}

}  // namespace sqlflow::engine
