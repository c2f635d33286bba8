#include "connectors/s3/source.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "connectors/http_io.hpp"
#include "connectors/registry.hpp"
#include "connectors/s3/cache.hpp"
#include "connectors/s3/cursor.hpp"
#include "connectors/s3/selection.hpp"
#include "core/quote.hpp"
#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "engine/error_text.hpp"
#include "net/s3_client.hpp"

namespace sqlflow::connectors::s3 {

namespace fs = std::filesystem;

// The matched objects of the bucket, listed once per run, with their cursor values.
struct S3Source::Listing {
  std::vector<net::S3Object> objects;  // key order
  std::vector<std::int64_t> modified;  // LastModified, µs since the epoch
  std::vector<std::int64_t> cursor;    // the cursor_field's value for each object
  std::int64_t cutoff_us = 0;  // _last_modified: objects modified at or after it wait (settle_seconds)
  std::string clock;           // whose clock the cutoff comes from, for messages
};

// What one scan of a metadata-cursor source reads: the objects after the bound, fetched, and the
// SQL reading their local copies in a private database.
struct S3Source::Read {
  std::optional<std::int64_t> bound;
  std::size_t objects = 0;
  std::shared_ptr<engine::Database> db;
  std::vector<std::string> columns;            // per schema column: its expression, cast to the schema's type
  std::string from;                            // " FROM … JOIN (VALUES …) …"
  std::string what;                            // "3 objects under s3://b/p/ newer than …", for messages
  std::map<std::string, std::string> uris;     // local path → s3:// URI
  std::function<Error(const Error&)> explain;  // a failure of the read in S3's terms
};

namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size())
    text.replace(at, from.size(), to);
  return text;
}

// Longest paths first, so a path that is the prefix of another does not cut it in two.
std::string local_paths_to_uris(std::string text, const std::map<std::string, std::string>& uris) {
  std::vector<const std::pair<const std::string, std::string>*> order;
  for (const auto& e : uris) order.push_back(&e);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->first.size() > b->first.size(); });
  for (const auto* e : order) text = replace_all(std::move(text), e->first, e->second);
  return text;
}

// Streams the private query's chunks into DuckDB's output chunk.
class MetadataReader final : public engine::PartitionReader {
 public:
  MetadataReader(std::shared_ptr<const void> keep, std::shared_ptr<engine::Database> db,
                 const std::string& sql, std::size_t columns, std::function<Error(const Error&)> explain)
      : keep_(std::move(keep)),
        db_(std::move(db)),
        con_(*db_),
        columns_(columns),
        explain_(std::move(explain)) {
    guard([&] {
      result_.emplace(con_.stream(sql));
      for (std::size_t i = 0; i < columns_; ++i) types_.push_back(result_->column_type(i));
    });
  }

  size_t next(DataChunk& out) override {
    size_t rows = 0;
    guard([&] {
      while (auto chunk = result_->next()) {
        if (chunk->size() == 0) continue;
        for (std::size_t i = 0; i < columns_; ++i)
          copy_vector(chunk->column(i), out.column(i), types_[i], chunk->size());
        rows = chunk->size();
        return;
      }
    });
    return rows;
  }

 private:
  template <class F>
  void guard(F&& f) {
    try {
      f();
    } catch (const Error& e) {
      throw explain_(e);
    }
  }

  std::shared_ptr<const void> keep_;
  std::shared_ptr<engine::Database> db_;
  engine::Connection con_;
  std::size_t columns_;
  std::function<Error(const Error&)> explain_;
  std::optional<engine::Result> result_;
  std::vector<LogicalType> types_;
};

LogicalType timestamp_type() {
  return LogicalType::of(DUCKDB_TYPE_TIMESTAMP);
}

}  // namespace

S3Source::S3Source(SourceOptions options, ConnectorContext context)
    : o_(std::move(options)), ctx_(std::move(context)) {
  o_.connection.on_request_latency = ctx_.on_request_latency;
}

S3Source::~S3Source() = default;

net::S3Client& S3Source::client() {
  if (!client_) client_ = std::make_unique<net::S3Client>(o_.connection.client_options());
  return *client_;
}

std::vector<fs::path> S3Source::fetch(const std::vector<net::S3Object>& objects) {
  fs::path dir(o_.cache_dir);
  if (dir.is_relative()) dir = ctx_.base_dir / dir;
  dir = fs::absolute(dir).lexically_normal();
  ObjectCache cache(dir, static_cast<std::uint64_t>(o_.cache_max_gb * 1e9));
  std::vector<fs::path> paths;
  std::size_t fetched = cache.fetch(client(), o_.bucket, objects,
                                    static_cast<std::size_t>(o_.connection.parallel_workers), paths);
  downloaded_ += fetched;
  for (std::size_t i = 0; i < objects.size(); ++i)
    local_to_uri_[paths[i].string()] = net::s3_uri(o_.bucket, objects[i].key);
  std::set<fs::path> keep;
  for (const auto& [path, _] : local_to_uri_) keep.insert(path);  // everything this run reads
  cache.trim(keep);
  return paths;
}

std::unique_ptr<Source> S3Source::make_file_source(const std::vector<fs::path>& paths, bool filename) {
  // The file connector of the format reads the local copies.
  Params p = Params::object();
  Params files = Params::array();
  for (const auto& f : paths) files.push_back(f.string());
  p["path"] = files;
  std::string type = o_.file_format;
  if (type == "csv" || type == "tsv") {
    type = "csv";
    p["has_header"] = o_.csv_header;
    p["delimiter"] = o_.csv_delimiter;
    p["compression"] = o_.compression;
  } else if (type == "parquet") {
    if (!o_.parquet_columns.empty()) {
      p["columns"] = o_.parquet_columns;
      if (filename) p["columns"].push_back("filename");
    }
  } else {
    p["format"] = type == "jsonl" ? "newline_delimited" : "auto";
    type = "json";
    p["compression"] = o_.compression;
  }
  if (filename) p["filename"] = true;
  const ConnectorInfo& info = Registry::instance().get(type, Role::Source);
  return info.make_source(normalize_params(info.source_params, p), ctx_);
}

Source& S3Source::inner() {
  std::lock_guard lock(mutex_);
  if (inner_) return *inner_;
  net::S3ListOptions lo;
  lo.prefix = list_prefix(o_);
  std::vector<net::S3Object> objects = select_objects(o_, client().list_objects(o_.bucket, lo).objects);
  const std::size_t before = downloaded_;
  std::vector<fs::path> paths = fetch(objects);
  const std::size_t fetched = downloaded_ - before;
  spdlog::info("s3: {} objects selected under s3://{}/{}, {} downloaded, {} from the cache", objects.size(),
               o_.bucket, list_prefix(o_), fetched, objects.size() - fetched);
  inner_ = make_file_source(paths, false);
  if (cursor_) inner_->set_cursor(cursor_->first, cursor_->second);
  return *inner_;
}

// ---- metadata cursor ----------------------------------------------------------------------------

const S3Source::Listing& S3Source::listing() {
  if (listing_) return *listing_;
  net::S3ListOptions lo;
  lo.prefix = list_prefix(o_);
  net::S3ListResult r = client().list_objects(o_.bucket, lo);
  auto l = std::make_unique<Listing>();
  l->objects = match_objects(o_, std::move(r.objects));
  const auto now = r.server_time.value_or(std::chrono::system_clock::now());
  l->clock = r.server_time ? "the server's clock" : "this machine's clock (the server sent no Date)";
  const std::int64_t listed_at =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() * 1'000'000;
  l->cutoff_us = listed_at - std::llround(o_.settle_seconds * 1e6);
  std::optional<KeyDatePattern> pattern;
  if (o_.metadata_cursor == MetadataCursor::KeyDate) pattern.emplace(o_.key_date_pattern);
  for (const auto& obj : l->objects) {
    std::optional<std::int64_t> modified = parse_timestamp_us(obj.last_modified);
    if (!modified && obj.last_modified_time.time_since_epoch().count() != 0)
      modified =
          std::chrono::duration_cast<std::chrono::microseconds>(obj.last_modified_time.time_since_epoch())
              .count();
    if (!modified)
      throw data_error("the listing gives s3://" + o_.bucket + "/" + obj.key + " a LastModified of '" +
                           obj.last_modified + "', which is no timestamp",
                       "the server did not answer like S3; check endpoint_url");
    l->modified.push_back(*modified);
    if (pattern) {
      auto date = pattern->find(obj.key);
      if (!date)
        throw data_error("object s3://" + o_.bucket + "/" + obj.key +
                             " has no date matching key_date_pattern '" + o_.key_date_pattern + "'",
                         "narrow path_prefix or the key glob to the dated objects, or correct the pattern");
      l->cursor.push_back(*date);
    } else {
      l->cursor.push_back(*modified);
    }
  }
  listing_ = std::move(l);
  return *listing_;
}

const Schema& S3Source::schema() {
  if (!by_metadata()) return inner().schema();
  std::lock_guard lock(mutex_);
  if (schema_) return *schema_;
  const Listing& l = listing();
  // The newest object: on a run with new objects it is one of them (fetched anyway); on a run
  // without, it is the one the last run read (in the cache). So the schema costs no extra GET.
  std::size_t newest = 0;
  for (std::size_t i = 1; i < l.objects.size(); ++i)
    if (l.cursor[i] > l.cursor[newest] ||
        (l.cursor[i] == l.cursor[newest] && l.modified[i] > l.modified[newest]))
      newest = i;
  std::vector<fs::path> paths = fetch({l.objects[newest]});
  std::unique_ptr<Source> one = make_file_source(paths, true);
  Schema s;
  try {
    for (const auto& c : one->schema()) {
      if (c.name == "filename") continue;
      if (c.name == kLastModifiedColumn || c.name == kKeyDateColumn)
        throw data_error("the objects have a column named " + c.name +
                             ", which sync_mode incremental by object metadata adds itself",
                         "rename the column in the files, or use it as cursor_field under another name");
      s.push_back(c);
    }
  } catch (const Error& e) {
    throw Error(e.kind(), local_paths_to_uris(e.message(), local_to_uri_),
                local_paths_to_uris(e.hint(), local_to_uri_), e.retryable());
  }
  s.push_back({kLastModifiedColumn, timestamp_type()});
  if (!o_.key_date_pattern.empty()) s.push_back({kKeyDateColumn, timestamp_type()});
  schema_from_ = net::s3_uri(o_.bucket, l.objects[newest].key);
  spdlog::debug("s3: the columns come from {}, the newest object", schema_from_);
  schema_ = std::move(s);
  return *schema_;
}

const S3Source::Read& S3Source::prepare_read() {
  const std::optional<std::int64_t> bound = bound_set_ ? bound_us_ : std::nullopt;
  if (read_ && read_->bound == bound) return *read_;
  const Listing& l = listing();
  std::map<std::string, std::size_t> index;  // key → position in the listing
  const std::string after = bound ? " newer than the watermark " + timestamp_text(*bound) : std::string();
  const std::string where = "s3://" + o_.bucket + "/" + (o_.key.empty() ? o_.prefix : o_.key);
  std::vector<net::S3Object> newer = sample_and_guard(o_, settled_after(l, bound, where, index), after);

  auto r = std::make_shared<Read>();
  r->bound = bound;
  r->objects = newer.size();
  r->what =
      std::to_string(newer.size()) + (newer.size() == 1 ? " object" : " objects") + " under " + where + after;
  if (newer.empty()) {
    spdlog::info("s3: no objects under {}{}, of {} listed: nothing to download", where, after,
                 l.objects.size());
    read_ = std::move(r);
    return *read_;
  }
  const std::size_t before = downloaded_;
  std::vector<fs::path> paths = fetch(newer);
  const std::size_t fetched = downloaded_ - before;
  spdlog::info("s3: {} of {} objects under {}{}: {} downloaded, {} from the cache", newer.size(),
               l.objects.size(), where, after, fetched, newer.size() - fetched);
  for (std::size_t i = 0; i < paths.size(); ++i)
    r->uris[paths[i].string()] = net::s3_uri(o_.bucket, newer[i].key);

  const Explain wrap = [what = r->what, uris = r->uris](const Error& e) {
    return Error(
        e.kind(),
        "reading " + what + " failed: " + local_paths_to_uris(engine::strip_sql_excerpt(e.message()), uris),
        local_paths_to_uris(e.hint(), uris), e.retryable());
  };
  r->explain = wrap;
  std::unique_ptr<Source> files = make_file_source(paths, true);
  std::string view;
  Schema found;
  try {
    view = *files->view_sql();
    found = files->schema();
  } catch (const Error& e) {
    throw wrap(e);
  }
  const Casts casts = project_columns(*r, found);
  r->from = metadata_join(l, index, newer, paths, view);
  engine::DatabaseConfig config;
  r->db = std::make_shared<engine::Database>(config);
  if (!casts.empty()) r->explain = explain_bad_cast(*r, casts, wrap);
  try {
    std::string all;
    for (const auto& c : r->columns) all += (all.empty() ? "" : ", ") + c;
    engine::Connection con(*r->db);
    (void)con.prepare("SELECT " + all + r->from);  // bind now: a type that cannot be cast is named here
  } catch (const Error& e) {
    throw wrap(e);
  }
  read_ = std::move(r);
  return *read_;
}

std::vector<net::S3Object> S3Source::settled_after(const Listing& l, std::optional<std::int64_t> bound,
                                                   const std::string& where,
                                                   std::map<std::string, std::size_t>& index) const {
  const bool by_modified = o_.metadata_cursor == MetadataCursor::LastModified;
  std::vector<net::S3Object> newer;
  std::size_t waiting = 0;
  for (std::size_t i = 0; i < l.objects.size(); ++i) {
    if (bound && l.cursor[i] <= *bound) continue;
    if (by_modified && l.modified[i] >= l.cutoff_us) {
      ++waiting;
      continue;
    }
    index[l.objects[i].key] = i;
    newer.push_back(l.objects[i]);
  }
  if (waiting)
    spdlog::info(
        "s3: {} of the objects under {} were modified less than settle_seconds ({} s) before the listing "
        "(by {}): they wait for a later run, so that an upload still running then is not passed by the "
        "watermark",
        waiting, where, o_.settle_seconds, l.clock);
  return newer;
}

// The rows are cast to the schema the source declared (from the newest object).
S3Source::Casts S3Source::project_columns(Read& r, const Schema& found) const {
  std::map<std::string, std::string> have;  // column → its type in these objects
  for (const auto& c : found) have[c.name] = c.type.to_sql();
  std::vector<std::string> missing;
  std::set<std::string> declared;
  Casts casts;
  for (const auto& c : *schema_) {
    declared.insert(c.name);
    if (c.name == kLastModifiedColumn) {
      r.columns.push_back("__m.__modified");
    } else if (c.name == kKeyDateColumn) {
      r.columns.push_back("__m.__key_date");
    } else if (!have.count(c.name)) {
      missing.push_back(c.name);
    } else if (have[c.name] == c.type.to_sql()) {
      r.columns.push_back("__d." + quote_identifier(c.name));
    } else {
      r.columns.push_back("CAST(__d." + quote_identifier(c.name) + " AS " + c.type.to_sql() + ")");
      casts.emplace_back(c.name, c.type.to_sql());
    }
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw data_error(
        r.what + " lack column(s) " + list + " of the source's columns, which come from the newest object",
        "objects read by one SOURCE must share their columns");
  }
  std::string extra;
  for (const auto& c : found)
    if (c.name != "filename" && !declared.count(c.name)) extra += (extra.empty() ? "" : ", ") + c.name;
  if (!extra.empty())
    spdlog::warn(
        "s3: column(s) {} of {} are not among the source's columns (from the newest object): left out", extra,
        r.what);
  return casts;
}

// Each object's metadata is joined to its rows on its local file's name.
std::string S3Source::metadata_join(const Listing& l, const std::map<std::string, std::size_t>& index,
                                    const std::vector<net::S3Object>& objects,
                                    const std::vector<fs::path>& paths, const std::string& view) const {
  std::string values;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const std::size_t at = index.at(objects[i].key);
    values += std::string(values.empty() ? "" : ", ") + "(" + quote_literal(paths[i].filename().string()) +
              ", TIMESTAMP " + quote_literal(timestamp_text(l.modified[at]));
    if (!o_.key_date_pattern.empty()) values += ", TIMESTAMP " + quote_literal(timestamp_text(l.cursor[at]));
    values += ")";
  }
  return " FROM (" + view + ") AS __d JOIN (VALUES " + values + ") AS __m(__file, __modified" +
         (o_.key_date_pattern.empty() ? "" : ", __key_date") +
         ") ON parse_filename(__d.\"filename\") = __m.__file";
}

// A value that does not fit the schema's type fails the cast without naming its file: the
// explanation finds the first such value, its column and its object.
S3Source::Explain S3Source::explain_bad_cast(const Read& r, const Casts& casts, Explain wrap) const {
  std::string any_bad, which, value;
  for (const auto& [name, type] : casts) {
    const std::string col = "__d." + quote_identifier(name);
    const std::string bad = "(" + col + " IS NOT NULL AND TRY_CAST(" + col + " AS " + type + ") IS NULL)";
    any_bad += (any_bad.empty() ? "" : " OR ") + bad;
    which += " WHEN " + bad + " THEN " + quote_literal(name + "\t" + type);
    value += " WHEN " + bad + " THEN CAST(" + col + " AS VARCHAR)";
  }
  const std::string sql = "SELECT __m.__file, CASE" + which + " END, CASE" + value + " END" + r.from +
                          " WHERE " + any_bad + " LIMIT 1";
  std::map<std::string, std::string> by_name;  // local file name → URI
  for (const auto& [path, uri] : r.uris) by_name[fs::path(path).filename().string()] = uri;
  return [wrap, sql, by_name, db = r.db, schema_from = schema_from_](const Error& e) -> Error {
    if (e.message().find("onver") == std::string::npos) return wrap(e);  // "Conversion Error", "convert"
    try {
      engine::Connection con(*db);
      auto rows = con.query(sql).rows();
      if (rows.empty() || rows[0].size() != 3) return wrap(e);
      const std::string column = rows[0][1].substr(0, rows[0][1].find('\t'));
      const std::string type = rows[0][1].substr(rows[0][1].find('\t') + 1);
      auto uri = by_name.find(rows[0][0]);
      return data_error((uri == by_name.end() ? rows[0][0] : uri->second) + ": column " + column +
                            " holds '" + rows[0][2] + "', which is not a valid " + type +
                            " (the column's type in " + schema_from +
                            ", the newest object, which gives the source its columns)",
                        "objects read by one SOURCE must share their column types: correct or replace the "
                        "object (a replaced object is newer, so the next run reads it)");
    } catch (const Error&) {
      return wrap(e);
    }
  };
}

void S3Source::set_cursor(const std::string& field, const std::optional<std::string>& lower_bound) {
  std::lock_guard lock(mutex_);
  if (by_metadata() && field == o_.cursor_field) {
    std::optional<std::int64_t> us;
    if (lower_bound) {
      us = parse_timestamp_us(*lower_bound);
      if (!us)
        throw data_error(
            "the stored watermark '" + *lower_bound + "' of cursor_field " + field + " is not a timestamp",
            "reset the source's watermark (sqlflow_state.watermarks) and load again");
    }
    // The lowest bound of the run: a LOAD whose watermark is higher filters the rest out itself.
    if (!bound_set_)
      bound_us_ = us;
    else if (!us || !bound_us_)
      bound_us_ = std::nullopt;  // a LOAD without a watermark yet reads every object
    else
      bound_us_ = std::min(*bound_us_, *us);
    bound_set_ = true;
    return;
  }
  if (inner_)
    inner_->set_cursor(field, lower_bound);
  else
    cursor_ = std::make_pair(field, lower_bound);
}

std::optional<std::string> S3Source::view_sql() {
  if (by_metadata()) return std::nullopt;
  return inner().view_sql();
}

size_t S3Source::partition_count() {
  if (!by_metadata()) return inner().partition_count();
  std::lock_guard lock(mutex_);
  if (!schema_) throw internal_error("a scan started before schema()");
  return prepare_read().objects == 0 ? 0 : 1;
}

std::unique_ptr<engine::PartitionReader> S3Source::open(size_t index, const std::vector<size_t>& projection) {
  if (!by_metadata()) return inner().open(index, projection);
  std::shared_ptr<Read> r;
  {
    std::lock_guard lock(mutex_);
    prepare_read();
    r = read_;
  }
  std::string select;
  for (size_t col : projection) {
    if (col >= r->columns.size()) throw internal_error("column " + std::to_string(col) + " asked for");
    select += (select.empty() ? "" : ", ") + r->columns[col];
  }
  if (select.empty()) select = "NULL";  // count(*): rows without columns
  return std::make_unique<MetadataReader>(r, r->db, "SELECT " + select + r->from, projection.size(),
                                          r->explain);
}

std::optional<size_t> S3Source::estimated_rows() {
  if (by_metadata()) return std::nullopt;  // called at bind, before the watermark is known
  return inner().estimated_rows();
}

std::optional<std::string> S3Source::max_cursor_value() {
  if (by_metadata()) return std::nullopt;  // the pipeline takes the maximum of the rows it staged
  return inner().max_cursor_value();
}

ReadReport S3Source::after_read(engine::Connection& con, const std::string& source_name,
                                const std::string& target_table) {
  if (by_metadata()) return {};
  return inner().after_read(con, source_name, target_table);
}

bool S3Source::adapt_after_failure(const Error& error) {
  if (by_metadata()) return false;
  return inner().adapt_after_failure(error);
}

std::string S3Source::in_s3_terms(std::string text) const {
  return local_paths_to_uris(std::move(text), local_to_uri_);
}

std::optional<Error> S3Source::explain_failure(const Error& error) {
  std::optional<Error> explained;
  if (!by_metadata() && inner_) explained = inner_->explain_failure(error);
  const Error& base = explained ? *explained : error;
  std::lock_guard lock(mutex_);
  std::string message = in_s3_terms(base.message());
  if (!explained && message == base.message()) return std::nullopt;
  Error out(base.kind(), std::move(message), in_s3_terms(base.hint()), base.retryable());
  if (base.location()) out.at(*base.location());
  return out;
}

std::string S3Source::test_connection() {
  net::S3ListOptions lo;
  lo.prefix = list_prefix(o_);
  lo.max_keys = 1000;
  net::S3ListPage page = client().list_objects_page(o_.bucket, lo);
  std::uint64_t bytes = 0;
  for (const auto& obj : page.objects) bytes += obj.size;
  return "bucket " + o_.bucket + ": " + std::to_string(page.objects.size()) + (page.truncated ? "+" : "") +
         " objects (" + std::to_string(bytes >> 20) + " MB) under '" + lo.prefix + "' as " +
         client().config().credentials_source;
}

IoStats S3Source::io_stats() const {
  return client_ ? io_stats_of(client_->http()) : IoStats{};
}

}  // namespace sqlflow::connectors::s3
