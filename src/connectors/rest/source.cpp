#include "connectors/rest/source.hpp"

#include <spdlog/spdlog.h>
#include <strings.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "connectors/http_io.hpp"
#include "connectors/rest/digest_auth.hpp"
#include "connectors/rest/json_records.hpp"
#include "connectors/rest/ordered_fetches.hpp"
#include "connectors/rest/pagination.hpp"
#include "core/crash_point.hpp"
#include "core/error.hpp"
#include "metrics/logging.hpp"
#include "metrics/secrets.hpp"
#include "net/http_client.hpp"
#include "net/oauth2.hpp"
#include "net/redact.hpp"
#include "resilience/profiles.hpp"

namespace sqlflow::connectors::rest {

namespace {

struct FetchedPage {
  std::int64_t index = 0;  // 0-based, in fetch order
  std::string url;         // as requested (may hold secrets: never printed)
  std::shared_ptr<const PageBody> body;
  PageMeta meta;
  std::string link_next;  // resolved rel="next" target, when the Link header has one
};

// Pages from a producer thread to the reader, in order, at most `capacity` buffered.
class PageStream {
 public:
  explicit PageStream(size_t capacity) : capacity_(std::max<size_t>(1, capacity)) {}
  ~PageStream() {
    {
      std::lock_guard lock(mutex_);
      cancelled_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  template <class F>
  void start(F producer) {
    thread_ = std::thread(metrics::with_log_context([this, producer = std::move(producer)]() mutable {
      std::exception_ptr error;
      try {
        producer(*this);
      } catch (...) {
        error = std::current_exception();
      }
      {
        std::lock_guard lock(mutex_);
        error_ = error;
        done_ = true;
      }
      cv_.notify_all();
    }));
  }
  // False when the reader went away (stop producing).
  bool push(FetchedPage page) {
    crash_point("rest.page");
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return cancelled_ || queue_.size() < capacity_; });
    if (cancelled_) return false;
    queue_.push_back(std::move(page));
    cv_.notify_all();
    return true;
  }
  bool cancelled() {
    std::lock_guard lock(mutex_);
    return cancelled_;
  }
  // The next page; nullopt at the end. Rethrows the producer's error once its pages are used.
  std::optional<FetchedPage> pop() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !queue_.empty() || done_; });
    if (!queue_.empty()) {
      FetchedPage p = std::move(queue_.front());
      queue_.pop_front();
      cv_.notify_all();
      return p;
    }
    if (error_) std::rethrow_exception(error_);
    return std::nullopt;
  }

 private:
  size_t capacity_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<FetchedPage> queue_;
  bool done_ = false;
  bool cancelled_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

struct Plan {
  std::string key;                         // the request identity (watermark) it was made for
  std::optional<std::int64_t> page_count;  // known: pages [0, count) fetched in parallel
  std::vector<std::pair<std::int64_t, std::int64_t>> ranges;  // partitions (known count only)
  std::mutex mutex;
  std::map<std::int64_t, FetchedPage> cached;  // pages fetched while planning; taken once
  // parallel_requests attempts on the wire, shared by the plan's ranges.
  std::shared_ptr<net::AttemptSlots> slots;

  std::optional<FetchedPage> take(std::int64_t index) {
    std::lock_guard lock(mutex);
    auto it = cached.find(index);
    if (it == cached.end()) return std::nullopt;
    FetchedPage p = std::move(it->second);
    cached.erase(it);
    return p;
  }
};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

struct RestSource::Core {
  RestOptions o;
  PagePlanner planner{o.pagination};
  RecordsSpec spec;
  MetaPaths meta_paths;
  std::shared_ptr<net::HttpClient> client;
  std::string base_endpoint;
  bool has_auth = false;
  SourceStats stats;

  std::mutex mutex;  // guards everything below
  std::optional<Schema> schema;
  std::vector<RestColumn> columns;
  std::optional<std::string> watermark;  // as sent in cursor_param
  std::string cached_key;
  std::map<std::int64_t, FetchedPage> cached;  // pages fetched by schema(), for the first scan
  std::optional<PageMeta> first_meta;          // of the first page schema() fetched
  std::shared_ptr<Plan> plan;
  std::vector<std::string> warnings;
  std::set<std::string> warned_keys;
  RateLimitWatch rate_watch;  // from the first scan's plan to after_read

  RequestLatencySink on_latency;

  Core(RestOptions options, RequestLatencySink latency_sink)
      : o(std::move(options)), on_latency(std::move(latency_sink)) {
    spec.data_path = o.data_path;
    spec.data_pointer = to_json_pointer(o.data_path);
    spec.flatten = o.flatten_response;
    spec.flatten_separator = o.flatten_separator;
    spec.infer_timestamps = o.infer_timestamps;
    meta_paths.total_pointer = to_json_pointer(o.pagination.total_path);
    meta_paths.total_pages_pointer = to_json_pointer(o.pagination.total_pages_path);
    if (o.pagination.type == PaginationOptions::Type::Cursor)
      meta_paths.cursor_pointer = to_json_pointer(o.pagination.cursor_path);
    if (o.pagination.type == PaginationOptions::Type::NextUrl)
      meta_paths.next_pointer = to_json_pointer(o.pagination.next_path);
    for (const auto& [name, type] : o.columns) (void)parse_declared_type(name, type);  // fail early
    // Credentials passed as plain headers or query parameters (Authorization, api_key, …) are
    // secrets too: keep them out of every message and log line.
    for (const auto& [k, v] : o.headers)
      if (net::is_sensitive_header(k)) remember_secret(v);
    for (const auto& [k, v] : o.params)
      if (net::is_sensitive_name(k)) remember_secret(v);
    base_endpoint = net::HttpClient::endpoint_of(o.url);
    make_client();
  }

  static void remember_secret(const std::string& value) {
    if (value.empty()) return;
    metrics::register_secret(value);
    net::register_secret(value);
    // "Bearer xyz": the token alone is the secret.
    if (auto sp = value.find(' '); sp != std::string::npos && sp + 1 < value.size()) {
      metrics::register_secret(value.substr(sp + 1));
      net::register_secret(value.substr(sp + 1));
    }
  }

  void make_client() {
    nlohmann::json overrides = nlohmann::json::object();
    if (o.max_retries) overrides["retry"]["max_attempts"] = *o.max_retries + 1;
    if (o.retry_delay) overrides["retry"]["initial_delay"] = *o.retry_delay;
    if (o.rate_limit_rpm) overrides["rate_limit"]["requests_per_minute"] = *o.rate_limit_rpm;
    if (o.resilience.is_object())
      overrides.merge_patch(o.resilience);
    else if (!o.resilience.is_null())
      throw validation_error("parameter 'resilience' must be an object",
                             resilience::describe_param_doc("rest"));
    auto policy = resilience::make_policy("rest", overrides);
    net::ClientOptions co;
    co.timeout = std::chrono::duration_cast<net::Duration>(std::chrono::duration<double>(o.timeout_s));
    co.connect_timeout = std::min<net::Duration>(co.timeout, std::chrono::seconds(10));
    co.verify_tls = o.verify_ssl;
    co.ca_bundle = o.ca_bundle;
    co.max_body_bytes = co.max_buffered_bytes = static_cast<std::uint64_t>(o.max_response_mb) << 20;
    co.body_limit_hint = "raise \"max_response_mb\" (now " + std::to_string(o.max_response_mb) +
                         ") if the API's pages really are this large, or lower \"parallel_requests\"";
    // Side clients (token endpoint, digest challenges) share the TLS settings, not the auth.
    auto side = [&](bool resilient) {
      return std::make_shared<net::HttpClient>(co, resilient ? policy : resilience::ResiliencePolicy());
    };
    using T = AuthOptions::Type;
    const AuthOptions& a = o.auth;
    switch (a.type) {
      case T::None:
        break;
      case T::Basic:
        co.auth = std::make_shared<net::BasicAuth>(a.username, a.password);
        break;
      case T::Bearer:
        co.auth = std::make_shared<net::BearerAuth>(a.token);
        break;
      case T::ApiKey:
        co.auth = std::make_shared<net::ApiKeyAuth>(
            a.key_name, a.key_value,
            a.in_query ? net::ApiKeyAuth::Location::Query : net::ApiKeyAuth::Location::Header);
        break;
      case T::Digest:
        co.auth = std::make_shared<DigestAuth>(a.username, a.password, side(false));
        break;
      case T::OAuth2ClientCredentials: {
        net::OAuth2ClientCredentials::Options oo;
        oo.token_url = a.token_url;
        oo.client_id = a.client_id;
        oo.client_secret = a.client_secret;
        oo.scope = a.scope;
        oo.audience = a.audience;
        oo.basic_auth = a.client_auth_basic;
        co.auth = std::make_shared<net::OAuth2ClientCredentials>(oo, side(true));
        break;
      }
    }
    has_auth = a.type != T::None;
    co.observer = latency_observer("rest", on_latency);
    client = std::make_shared<net::HttpClient>(co, policy);
  }

  // ---- requests ----

  KeyValues watermark_params() {
    KeyValues kv;
    std::lock_guard lock(mutex);
    if (!o.cursor_param.empty() && watermark) kv.emplace_back(o.cursor_param, *watermark);
    return kv;
  }
  std::string current_key() {
    std::lock_guard lock(mutex);
    return o.cursor_param.empty() ? std::string() : watermark.value_or("");
  }

  // The first request's URL, plus `extra` parameters.
  std::string url_with(const KeyValues& extra, const KeyValues& watermark_kv) {
    KeyValues all = o.params;
    all.insert(all.end(), watermark_kv.begin(), watermark_kv.end());
    all.insert(all.end(), extra.begin(), extra.end());
    return with_query(o.url, all);
  }

  std::string url_for_index(std::int64_t index, const KeyValues& wm) {
    return url_with(planner.params_for(index), wm);
  }

  net::Request request(const std::string& url) {
    net::Request r(o.method, url);
    r.headers = o.headers;
    bool has_accept = false, has_type = false;
    for (const auto& [k, v] : r.headers) {
      has_accept = has_accept || strcasecmp(k.c_str(), "Accept") == 0;
      has_type = has_type || strcasecmp(k.c_str(), "Content-Type") == 0;
    }
    if (!has_accept) r.headers.emplace_back("Accept", "application/json");
    if (o.body) {
      r.body = *o.body;
      if (!has_type) r.headers.emplace_back("Content-Type", "application/json");
    }
    // Reading a page twice changes nothing, even by POST (a search endpoint): retry it.
    r.idempotent = true;
    return r;
  }

  [[noreturn]] void fail_response(const net::Response& r, std::int64_t index) {
    const Error& e = *r.error;
    throw Error(e.kind(), "page " + std::to_string(index + 1) + ": " + e.message(), e.hint(), e.retryable());
  }

  FetchedPage finish_page(net::Response&& r, const std::string& url, std::int64_t index) {
    if (!r.ok()) fail_response(r, index);
    stats.pages.fetch_add(1, std::memory_order_relaxed);
    stats.bytes.fetch_add(r.body.size(), std::memory_order_relaxed);
    FetchedPage p;
    p.index = index;
    p.url = url;
    PageContext ctx{net::redact_url(url), index + 1, index == 0};
    if (r.status == 204 && r.body.empty()) r.body = "[]";  // No Content: an empty page
    p.body = std::make_shared<const PageBody>(std::move(r.body));
    if (o.pagination.type == PaginationOptions::Type::LinkHeader) {
      for (const auto& [k, v] : r.headers)
        if (strcasecmp(k.c_str(), "Link") == 0)
          if (auto next = parse_link_next(v)) {
            p.link_next = resolve_reference(url, *next);
            break;
          }
    }
    MetaPaths paths = meta_paths;
    paths.count_records = index == 0 || planner.addressable();
    p.meta = read_page_meta(*p.body, spec, paths, ctx);
    return p;
  }

  FetchedPage fetch(const std::string& url, std::int64_t index) {
    return finish_page(client->fetch(request(url)), url, index);
  }

  // The next page of a chain (cursor, link, next_url, or addressable pages without a known
  // count), or nullopt when `prev` was the last. `seen` catches APIs that loop.
  std::optional<std::string> next_url(const FetchedPage& prev, const KeyValues& wm,
                                      std::set<std::string>& seen, std::optional<std::int64_t> known_count) {
    const std::int64_t next_index = prev.index + 1;
    if (o.max_pages > 0 && next_index >= o.max_pages) return std::nullopt;
    if (known_count && next_index >= *known_count) return std::nullopt;
    using T = PaginationOptions::Type;
    std::string url;
    switch (o.pagination.type) {
      case T::None:
        return std::nullopt;
      case T::PageNumber:
      case T::Offset:
        if (!known_count && planner.is_last(prev.meta)) return std::nullopt;
        if (known_count && prev.meta.records == 0) return std::nullopt;
        return url_for_index(next_index, wm);
      case T::Cursor: {
        if (!prev.meta.cursor) return std::nullopt;
        if (!seen.insert("cursor:" + *prev.meta.cursor).second)
          throw data_error("pagination loop: page " + std::to_string(next_index) +
                               " returned the cursor of an earlier page",
                           "check pagination.cursor_path: it must lead to the cursor of the NEXT page");
        url = url_with({{o.pagination.cursor_param, *prev.meta.cursor}}, wm);
        break;
      }
      case T::LinkHeader:
        if (prev.link_next.empty()) return std::nullopt;
        url = prev.link_next;
        break;
      case T::NextUrl:
        if (!prev.meta.next_url) return std::nullopt;
        url = resolve_reference(prev.url, *prev.meta.next_url);
        break;
    }
    if (o.pagination.type != T::Cursor) {
      if (!seen.insert(url).second)
        throw data_error(
            "pagination loop: page " + std::to_string(next_index) + " links back to " + net::redact_url(url),
            "the API's next link repeats an earlier page");
      // Credentials go only to the host they were given for.
      if (has_auth && net::HttpClient::endpoint_of(url) != base_endpoint)
        throw data_error("the next-page link of page " + std::to_string(next_index) +
                             " points to another host (" + net::HttpClient::endpoint_of(url) + ")",
                         "credentials are sent only to " + base_endpoint);
    }
    return url;
  }

  // ---- schema ----

  void note_unknown(const std::string& key, const PageContext& ctx) {
    std::lock_guard lock(mutex);
    if (!warned_keys.insert(key).second) return;
    std::string msg =
        net::redact_url(o.url) + ": key '" + key + "' first appears on page " + std::to_string(ctx.page) +
        ", after the columns were inferred; its values are not loaded. Declare it in PARAMS columns "
        "(or sample more with infer_sample_pages) to load it";
    warnings.push_back(msg);
    spdlog::warn("{}", msg);
  }

  const Schema& ensure_schema() {
    {
      std::lock_guard lock(mutex);
      if (schema) return *schema;
    }
    std::lock_guard schema_lock(schema_mutex);
    {
      std::lock_guard lock(mutex);
      if (schema) return *schema;
    }
    KeyValues wm = watermark_params();
    std::string key = current_key();
    std::map<std::int64_t, FetchedPage> pages;
    FetchedPage first = fetch(url_with(planner.addressable() ? planner.params_for(0) : KeyValues{}, wm), 0);
    SchemaBuilder builder(spec.flatten_separator);
    size_t sampled = sample_records(*first.body, spec, static_cast<size_t>(o.infer_sample_records), builder,
                                    {net::redact_url(first.url), 1, true});
    std::optional<std::int64_t> count = planner.addressable() ? planner.page_count(first.meta) : std::nullopt;
    std::set<std::string> seen{first.url};
    FetchedPage* prev = &(pages[0] = std::move(first));
    for (int k = 1; k < o.infer_sample_pages; ++k) {
      auto url = next_url(*prev, wm, seen, count);
      if (!url) break;
      FetchedPage p = fetch(*url, k);
      sampled += sample_records(*p.body, spec, static_cast<size_t>(o.infer_sample_records), builder,
                                {net::redact_url(p.url), k + 1, false});
      prev = &(pages[k] = std::move(p));
    }
    std::vector<RestColumn> cols = builder.finish(o.columns);
    if (cols.empty())
      throw data_error(
          net::redact_url(o.url) + ": the first page" + (o.infer_sample_pages > 1 ? "s have" : " has") +
              " no records (" + std::to_string(sampled) + " sampled), so its columns cannot be inferred",
          "declare them in PARAMS columns, e.g. \"columns\": {\"id\": \"BIGINT\", \"name\": \"VARCHAR\"}");
    Schema s;
    for (const auto& c : cols) s.push_back({c.name, logical_type(c)});
    std::lock_guard lock(mutex);
    for (const auto& f : builder.lossy_fields(o.columns))
      warnings.push_back("column '" + f +
                         "' mixes integers beyond 2^53 with fractions: as DOUBLE those integers lose "
                         "digits; declare it in PARAMS columns as VARCHAR to keep every digit");
    columns = std::move(cols);
    first_meta = pages.at(0).meta;
    cached = std::move(pages);
    cached_key = key;
    schema = std::move(s);
    return *schema;
  }
  std::mutex schema_mutex;

  // ---- scans ----

  std::shared_ptr<Plan> make_plan() {
    ensure_schema();
    rate_watch.start(*client);
    KeyValues wm = watermark_params();
    auto plan = std::make_shared<Plan>();
    plan->key = current_key();
    {
      std::lock_guard lock(mutex);
      if (cached_key == plan->key) plan->cached = std::move(cached);
      cached.clear();
    }
    if (!plan->cached.count(0)) {
      FetchedPage first = fetch(url_with(planner.addressable() ? planner.params_for(0) : KeyValues{}, wm), 0);
      plan->cached.clear();
      plan->cached[0] = std::move(first);
    }
    const PageMeta& meta = plan->cached.at(0).meta;
    if (planner.addressable() && o.pagination.parallel_safe) {
      if (auto count = planner.page_count(meta)) {
        std::int64_t n = std::max<std::int64_t>(1, *count);
        if (o.max_pages > 0) n = std::min(n, o.max_pages);
        plan->page_count = n;
        // One range keeps rows in page order; several let DuckDB threads decode them at once.
        const std::int64_t per =
            o.preserve_order ? n : std::max<std::int64_t>(std::int64_t{4} * o.parallel_requests, (n + 7) / 8);
        for (std::int64_t b = 0; b < n; b += per) plan->ranges.emplace_back(b, std::min(n, b + per));
      }
    }
    plan->slots = std::make_shared<net::AttemptSlots>(static_cast<size_t>(o.parallel_requests));
    std::lock_guard lock(mutex);
    this->plan = plan;
    return plan;
  }

  // One page by index (pages sampled for the schema come from the plan). Runs on OrderedFetches'
  // worker threads; its attempts share the plan's parallel_requests slots on the wire.
  FetchedPage fetch_indexed(Plan& plan, std::int64_t index, const KeyValues& wm) {
    if (auto cached = plan.take(index)) return std::move(*cached);
    const std::string url = url_for_index(index, wm);
    net::Request req = request(url);
    req.slots = plan.slots;
    return finish_page(client->fetch(std::move(req)), url, index);
  }
  // Workers: twice parallel_requests, so that pages waiting out a retry delay (1 s, 2 s, … with
  // jitter, by default) leave fewer slots on the wire idle. Each worker keeps its own connection,
  // so more would open more connections than many servers like. Fetched pages may wait for a slow one before
  // them: up to 1,024 pages or 64 MiB per reader, enough to keep 16 requests busy through a few seconds of
  // backoff.
  size_t fetch_workers() const { return static_cast<size_t>(o.parallel_requests) * 2; }
  static constexpr size_t kPagesAhead = 1024;
  static constexpr size_t kBytesAhead = size_t{64} << 20;
  static size_t page_bytes(const FetchedPage& p) { return p.body ? p.body->capacity() : 0; }

  // Known page count: fetch [begin, end), parallel_requests at a time, handed on in order.
  void produce_range(PageStream& out, Plan& plan, std::int64_t begin, std::int64_t end, const KeyValues& wm) {
    OrderedFetches<FetchedPage> pages([&](std::int64_t i) { return fetch_indexed(plan, i, wm); }, begin, end,
                                      fetch_workers(), kPagesAhead, page_bytes, kBytesAhead);
    while (!out.cancelled()) {
      std::optional<FetchedPage> p = pages.next();
      if (!p || !out.push(std::move(*p))) return;
    }
  }

  // Unknown page count: follow the chain from the first page, one request ahead of the reader.
  void produce_chain(PageStream& out, Plan& plan, const KeyValues& wm) {
    std::optional<FetchedPage> page = plan.take(0);
    if (!page) page = fetch(url_with(planner.addressable() ? planner.params_for(0) : KeyValues{}, wm), 0);
    if (planner.addressable() && o.pagination.parallel_safe && o.parallel_requests > 1) {
      produce_speculative(out, plan, wm, std::move(*page));
      return;
    }
    std::set<std::string> seen{page->url};
    while (page && !out.cancelled()) {
      std::optional<std::string> url = next_url(*page, wm, seen, std::nullopt);
      std::int64_t index = page->index + 1;
      if (!out.push(std::move(*page))) return;
      page.reset();
      if (!url) break;
      if (auto cached = plan.take(index); cached && cached->url == *url)
        page = std::move(cached);
      else
        page = fetch(*url, index);
    }
  }

  // Addressable pages without a known count (no total in the response): fetch up to
  // parallel_requests pages ahead and stop at the first empty or short one. Requests past the end
  // are wasted (at most parallel_requests) and their answers — often an error for a page out of
  // range — are ignored.
  void produce_speculative(PageStream& out, Plan& plan, const KeyValues& wm, FetchedPage first) {
    auto ends_after = [&](const FetchedPage& p) {
      return planner.is_last(p.meta) || (o.max_pages > 0 && p.index + 1 >= o.max_pages);
    };
    if (ends_after(first)) {
      out.push(std::move(first));
      return;
    }
    const std::int64_t end = o.max_pages > 0 ? o.max_pages : OrderedFetches<FetchedPage>::kOpenEnded;
    OrderedFetches<FetchedPage> pages([&](std::int64_t i) { return fetch_indexed(plan, i, wm); },
                                      first.index + 1, end, static_cast<size_t>(o.parallel_requests),
                                      // fewer pages past the last one asked for in vain
                                      static_cast<size_t>(o.parallel_requests), page_bytes, kBytesAhead,
                                      ends_after);
    if (!out.push(std::move(first))) return;
    while (!out.cancelled()) {
      std::optional<FetchedPage> p = pages.next();
      if (!p) return;
      const bool last = ends_after(*p);  // the workers stopped at it already
      if (!out.push(std::move(*p)) || last) return;
    }
  }

  // Rows the scan will produce, when the first page says (for DuckDB's planner and progress).
  std::optional<size_t> estimated_rows() {
    std::lock_guard lock(mutex);
    if (!first_meta) return std::nullopt;
    const PageMeta& m = *first_meta;
    if (o.pagination.type == PaginationOptions::Type::PageNumber ||
        o.pagination.type == PaginationOptions::Type::Offset) {
      if (!o.pagination.total_path.empty() && m.total) return static_cast<size_t>(*m.total);
      if (!o.pagination.total_pages_path.empty() && m.total_pages && o.pagination.page_size > 0)
        return static_cast<size_t>(*m.total_pages * o.pagination.page_size);
    }
    if (o.pagination.type == PaginationOptions::Type::None) return m.records;
    return std::nullopt;
  }
};

namespace {

class RestReader final : public engine::PartitionReader {
 public:
  RestReader(std::shared_ptr<RestSource::Core> core, std::shared_ptr<Plan> plan, size_t partition,
             const std::vector<size_t>& projection)
      : core_(std::move(core)),
        plan_(std::move(plan)),
        decoder_(
            core_->columns, core_->spec, projection,
            [c = core_.get()](const std::string& key, const PageContext& ctx) { c->note_unknown(key, ctx); }),
        stream_(static_cast<size_t>(core_->o.parallel_requests)) {
    KeyValues wm = core_->watermark_params();
    RestSource::Core* c = core_.get();
    Plan* p = plan_.get();
    if (p->page_count) {
      auto [b, e] = p->ranges.at(partition);
      stream_.start([c, p, b = b, e = e, wm](PageStream& s) { c->produce_range(s, *p, b, e, wm); });
    } else {
      stream_.start([c, p, wm](PageStream& s) { c->produce_chain(s, *p, wm); });
    }
  }

  size_t next(DataChunk& out) override {
    const size_t cap = DataChunk::capacity();
    size_t rows = 0;
    while (rows < cap) {
      if (!active_) {
        std::optional<FetchedPage> page = stream_.pop();
        if (!page) break;
        check_not_repeated(*page);
        decoder_.start(page->body, {net::redact_url(page->url), page->index + 1, page->index == 0});
        active_ = true;
      }
      size_t n = decoder_.decode(out, rows);
      if (n == 0) {
        active_ = false;
        continue;
      }
      rows += n;
    }
    core_->stats.records.fetch_add(rows, std::memory_order_relaxed);
    return rows;
  }

 private:
  // An API that ignores the page (or offset) parameter answers every page with the first one's
  // records: without a total that never ends, with max_pages it loads copies. A page equal to the
  // page before it ends the load with an error instead.
  void check_not_repeated(const FetchedPage& page) {
    const auto type = core_->o.pagination.type;
    if (type != PaginationOptions::Type::PageNumber && type != PaginationOptions::Type::Offset) return;
    const std::string_view body = page.body->view();
    const size_t hash = std::hash<std::string_view>{}(body);
    const bool repeated = page.index == last_index_ + 1 && hash == last_hash_ && body.size() == last_size_ &&
                          !body.empty() && page.meta.records > 0;
    last_index_ = page.index;
    last_hash_ = hash;
    last_size_ = body.size();
    if (!repeated) return;
    const auto& pg = core_->o.pagination;
    const std::string param = type == PaginationOptions::Type::PageNumber ? pg.page_param : pg.offset_param;
    throw data_error(
        net::redact_url(core_->o.url) + ": page " + std::to_string(page.index + 1) +
            " has the same records as page " + std::to_string(page.index) +
            ": the API seems to ignore the '" + param + "' parameter",
        "check pagination.type and the parameter names against the API's documentation (" +
            std::string(type == PaginationOptions::Type::PageNumber ? "page_param" : "offset_param") +
            ", size_param)");
  }

  std::shared_ptr<RestSource::Core> core_;
  std::shared_ptr<Plan> plan_;
  RecordDecoder decoder_;
  std::int64_t last_index_ = -2;
  size_t last_hash_ = 0;
  size_t last_size_ = 0;
  bool active_ = false;
  PageStream stream_;  // last: its producer thread stops before the rest goes away
};

}  // namespace

RestSource::RestSource(RestOptions options, RequestLatencySink on_request_latency)
    : core_(std::make_shared<Core>(std::move(options), std::move(on_request_latency))) {}

IoStats RestSource::io_stats() const {
  return io_stats_of(*core_->client);
}
RestSource::~RestSource() = default;

const Schema& RestSource::schema() {
  return core_->ensure_schema();
}

std::optional<size_t> RestSource::estimated_rows() {
  return core_->estimated_rows();
}

size_t RestSource::partition_count() {
  auto plan = core_->make_plan();
  return plan->page_count ? plan->ranges.size() : 1;
}

std::unique_ptr<engine::PartitionReader> RestSource::open(size_t index,
                                                          const std::vector<size_t>& projection) {
  std::shared_ptr<Plan> plan;
  {
    std::lock_guard lock(core_->mutex);
    plan = core_->plan;
  }
  if (!plan) plan = core_->make_plan();
  return std::make_unique<RestReader>(core_, plan, index, projection);
}

void RestSource::set_cursor(const std::string& field, const std::optional<std::string>& lower_bound) {
  std::optional<std::string> value = lower_bound;
  if (value) {
    // TIMESTAMP watermarks come back as DuckDB prints them ("2024-01-03 10:00:00"); APIs expect
    // ISO 8601, so send them as "2024-01-03T10:00:00Z" (the column holds UTC).
    std::lock_guard lock(core_->mutex);
    for (const auto& c : core_->columns) {
      std::int64_t micros;
      if (lower(c.name) == lower(field) && c.as == WriteAs::Timestamp && parse_iso_timestamp(*value, micros))
        value = format_iso_timestamp(micros);
    }
  }
  std::lock_guard lock(core_->mutex);
  core_->watermark = value;
}

std::string RestSource::test_connection() {
  FetchedPage p =
      core_->fetch(core_->url_with(core_->planner.addressable() ? core_->planner.params_for(0) : KeyValues{},
                                   core_->watermark_params()),
                   0);
  return "HTTP OK, " + std::to_string(p.meta.records) + " records on the first page of " +
         net::redact_url(core_->o.url);
}

const std::vector<RestColumn>& RestSource::columns() {
  core_->ensure_schema();
  return core_->columns;
}

const SourceStats& RestSource::stats() const {
  return core_->stats;
}

net::HttpClient& RestSource::client() {
  return *core_->client;
}

ReadReport RestSource::after_read(engine::Connection&, const std::string&, const std::string&) {
  ReadReport report;
  report.warnings = warnings();
  if (auto note = core_->rate_watch.finish(
          *core_->client, "PARAMS rate_limit_rpm (or resilience.rate_limit.requests_per_minute)"))
    report.warnings.push_back(*note);
  return report;
}

bool RestSource::rows_unordered() {
  return !core_->o.preserve_order;
}

std::vector<std::string> RestSource::warnings() const {
  std::lock_guard lock(core_->mutex);
  return core_->warnings;
}

}  // namespace sqlflow::connectors::rest
