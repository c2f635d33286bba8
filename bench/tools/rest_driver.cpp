// REST benchmark driver (bench/rest/run.sh): one measurement per process, so /usr/bin/time -v
// gives each its own peak RSS. Prints one JSON line.
//
//   rest_driver gen MB FILE                       write ~MB of the fixture's records as one JSON array
//   rest_driver parse FILE                         JSON → DataChunks on this thread (meta pass + decode)
//   rest_driver pages PAGES RECORDS LATENCY_MS INFLIGHT [bench|defaults|sqlflow60]
//                                                  fixture API → sqlflow_scan, pages fetched with
//                                                  INFLIGHT requests at once (1: sequential)
//   rest_driver load MB PAGE_RECORDS INFLIGHT      stream ~MB of pages through an aggregate (peak RSS)
//   rest_driver chaos STYLE PAGES RECORDS LATENCY_MS INFLIGHT RATE
//                                                  fixture API → sqlflow_scan through /faulty/STYLE
//                                                  (RATE of requests fail) or /items/STYLE (RATE 0)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "connectors/registry.hpp"
#include "connectors/rest/json_records.hpp"
#include "connectors/rest/source.hpp"
#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "engine/scan_function.hpp"
#include "fixtures/rest/rest_api_fixture.hpp"
#include "net/http_client.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using namespace sqlflow::connectors::rest;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// CPU time of the calling thread: "one core" throughput that other load on the machine does
// not distort (wall time is reported too).
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int gen(double mb, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  const std::int64_t target = static_cast<std::int64_t>(mb * 1e6);
  std::int64_t bytes = 1, id = 0;
  out << '[';
  std::string rec;
  while (bytes < target) {
    rec.clear();
    if (id) rec += ',';
    test::RestApiFixture::append_record(rec, id++);
    out << rec;
    bytes += static_cast<std::int64_t>(rec.size());
  }
  out << ']';
  std::cout << nlohmann::json{{"mode", "gen"}, {"records", id}, {"bytes", bytes + 1}}.dump() << "\n";
  return 0;
}

int parse(const std::string& path) {
  std::string text = read_all(path);
  const size_t bytes = text.size();
  auto body = std::make_shared<const PageBody>(std::move(text));
  RecordsSpec spec;
  PageContext ctx{"file", 1, true};
  SchemaBuilder builder;
  sample_records(*body, spec, 1000, builder, ctx);
  auto columns = builder.finish({});
  std::vector<LogicalType> types;
  std::vector<size_t> projection;
  for (size_t i = 0; i < columns.size(); ++i) {
    types.push_back(logical_type(columns[i].as));
    projection.push_back(i);
  }
  DataChunk chunk(types);
  RecordDecoder decoder(columns, spec, projection, {});
  const double cpu0 = thread_cpu_seconds();
  auto t0 = Clock::now();
  // As for the pages of a parallel load: validated, not counted (the decoder counts).
  MetaPaths paths;
  paths.count_records = false;
  PageMeta meta = read_page_meta(*body, spec, paths, ctx);
  double meta_s = seconds_since(t0);
  auto t1 = Clock::now();
  decoder.start(body, ctx);
  size_t rows = 0;
  while (size_t n = decoder.decode(chunk, 0)) {
    rows += n;
    chunk.reset();
  }
  double decode_s = seconds_since(t1);
  double total = meta_s + decode_s;
  double cpu = thread_cpu_seconds() - cpu0;
  std::cout << nlohmann::json{{"mode", "parse"},
                              {"bytes", bytes},
                              {"records", rows},
                              {"columns", columns.size()},
                              {"seconds", total},
                              {"meta_seconds", meta_s},
                              {"decode_seconds", decode_s},
                              {"mb_per_s", bytes / 1e6 / total},
                              {"cpu_seconds", cpu},
                              {"mb_per_cpu_s", bytes / 1e6 / cpu}}
                   .dump()
            << "\n";
  (void)meta;
  return rows > 0 ? 0 : 1;
}

// The fixture API in a child process, so the client's CPU and peak RSS are its own. The child
// serves until the parent closes the pipe (or dies).
class ServerProcess {
 public:
  explicit ServerProcess(const test::RestApiOptions& o) {
    int port_pipe[2], life_pipe[2], count_pipe[2];
    if (pipe(port_pipe) != 0 || pipe(life_pipe) != 0 || pipe(count_pipe) != 0)
      throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      close(port_pipe[0]);
      close(life_pipe[1]);
      close(count_pipe[0]);
      {
        test::RestApiFixture api(o, 256);  // a connection per client worker, and the stalled ones
        int port = api.server().port();
        if (write(port_pipe[1], &port, sizeof port) != sizeof port) _exit(1);
        char c;
        while (read(life_pipe[0], &c, 1) > 0) {
        }
        // What was injected, kind by kind, for the client to report.
        std::array<std::int64_t, test::FaultInjector::kKinds> counts{};
        for (int k = 0; k < test::FaultInjector::kKinds; ++k)
          counts[static_cast<std::size_t>(k)] =
              api.faults().injected(static_cast<test::FaultInjector::Kind>(k));
        if (write(count_pipe[1], counts.data(), sizeof counts) != static_cast<ssize_t>(sizeof counts))
          _exit(1);
      }
      _exit(0);
    }
    close(port_pipe[1]);
    close(life_pipe[0]);
    close(count_pipe[1]);
    life_ = life_pipe[1];
    counts_ = count_pipe[0];
    if (read(port_pipe[0], &port_, sizeof port_) != sizeof port_)
      throw std::runtime_error("server did not start");
    close(port_pipe[0]);
  }
  ~ServerProcess() { stop(); }
  // Stops the server; returns the faults it injected, by FaultInjector::Kind.
  std::array<std::int64_t, test::FaultInjector::kKinds> stop() {
    std::array<std::int64_t, test::FaultInjector::kKinds> counts{};
    if (pid_ < 0) return counts;
    close(life_);
    if (read(counts_, counts.data(), sizeof counts) != static_cast<ssize_t>(sizeof counts)) counts.fill(-1);
    close(counts_);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return counts;
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  pid_t pid_ = -1;
  int life_ = -1;
  int counts_ = -1;
  int port_ = 0;
};

std::int64_t self_peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<std::int64_t>(u.ru_maxrss) * 1024;
}

struct Scan {
  engine::Database db;
  engine::Connection con;
  engine::SourceCatalog catalog;
  std::shared_ptr<RestSource> source;
  explicit Scan(const nlohmann::json& params) : con(db) {
    const auto& info = connectors::Registry::instance().get("rest", connectors::Role::Source);
    auto made = info.make_source(connectors::normalize_params(info.source_params, params), {});
    source.reset(static_cast<RestSource*>(made.release()));
    catalog.install(con);
    catalog.add("s", source);
  }
};

// `settings`: "bench" switches the client-side rate limit off explicitly (the figures of issue 7);
// "defaults" passes no resilience settings at all, as a user's SOURCE does; "sqlflow60" is the
// old default of the rest profile (60 requests/min, burst 10), for comparison.
nlohmann::json page_params(const ServerProcess& api, std::int64_t page_records, int inflight,
                           const std::string& settings = "bench") {
  nlohmann::json p = {
      {"url", api.url("/items/page")},
      {"data_path", "data"},
      {"pagination",
       {{"type", "page_number"}, {"page_size", page_records}, {"total_pages_path", "total_pages"}}},
      {"parallel_requests", inflight}};
  if (settings == "bench")
    p["resilience"] = {{"rate_limit", false}};
  else if (settings == "sqlflow60")
    p["resilience"] = {{"rate_limit", {{"requests_per_minute", 60}, {"burst", 10}}}};
  else if (settings != "defaults")
    throw std::invalid_argument("settings must be bench, defaults or sqlflow60, got " + settings);
  return p;
}

int pages(std::int64_t n_pages, std::int64_t records, int latency_ms, int inflight,
          const std::string& settings = "bench") {
  test::RestApiOptions o;
  o.records = n_pages * records;
  o.page_size = records;
  o.latency = std::chrono::milliseconds(latency_ms);
  ServerProcess api(o);
  Scan scan(page_params(api, records, inflight, settings));
  auto t0 = Clock::now();
  auto rows = test::query_rows(scan.con, "SELECT count(*), sum(id) FROM sqlflow_scan('s')");
  double s = seconds_since(t0);
  auto policy = scan.source->client().policy().stats().snapshot();
  auto note = scan.source->after_read(scan.con, "s", "t").warnings;
  std::cout << nlohmann::json{{"mode", "pages"},
                              {"settings", settings},
                              {"rate_limit_waits", policy.rate_limit_waits},
                              {"rate_limit_bound_s", static_cast<double>(policy.rate_limit_bound_ns) / 1e9},
                              {"server_waits", policy.server_waits},
                              {"summary_notes", note},
                              {"pages", n_pages},
                              {"records_per_page", records},
                              {"latency_ms", latency_ms},
                              {"inflight", inflight},
                              {"seconds", s},
                              {"result", rows.at(0)},
                              {"pages_fetched", scan.source->stats().pages.load()},
                              {"client_peak_rss_bytes", self_peak_rss_bytes()},
                              {"bytes", scan.source->stats().bytes.load()}}
                   .dump()
            << "\n";
  return 0;
}

int load(double mb, std::int64_t page_records, int inflight) {
  const std::int64_t per_record = 160;  // the fixture's records average ~160 bytes
  const std::int64_t records = static_cast<std::int64_t>(mb * 1e6) / per_record;
  test::RestApiOptions o;
  o.records = records;
  o.page_size = page_records;
  ServerProcess api(o);
  Scan scan(page_params(api, page_records, inflight));
  auto t0 = Clock::now();
  // Every column is decoded; the aggregate keeps nothing, so RSS measures the source's buffers.
  auto rows = test::query_rows(
      scan.con,
      "SELECT count(*), sum(id), sum(price), count(*) FILTER (active), max(created_at), "
      "sum(length(name)), sum(length(\"meta.source\")), sum(\"meta.rank\"), sum(length(tags)) "
      "FROM sqlflow_scan('s')");
  double s = seconds_since(t0);
  std::uint64_t bytes = scan.source->stats().bytes.load();
  std::cout << nlohmann::json{{"mode", "load"},
                              {"records", records},
                              {"bytes", bytes},
                              {"seconds", s},
                              {"mb_per_s", bytes / 1e6 / s},
                              {"inflight", inflight},
                              {"page_records", page_records},
                              {"result", rows.at(0)},
                              {"client_peak_rss_bytes", self_peak_rss_bytes()}}
                   .dump()
            << "\n";
  return 0;
}

// Chaos (issue 19 §2): the fixture's fault injector fails RATE of the requests (503, 429 with
// Retry-After: 1, a reset mid-body, chunked JSON cut short, a 2 s stall); the client has a 1 s
// timeout and otherwise default resilience settings, with max_retries 8 so that no page runs out
// of attempts (at 20% a page fails 4 times in a row once in 625 pages: the default 3 retries
// would fail most 1,000-page runs).
int chaos(const std::string& style, std::int64_t n_pages, std::int64_t records, int latency_ms, int inflight,
          double rate) {
  test::RestApiOptions o;
  o.records = n_pages * records;
  o.page_size = records;
  o.latency = std::chrono::milliseconds(latency_ms);
  o.faults.rate = rate;
  o.faults.stall = std::chrono::milliseconds(2000);
  o.faults.retry_after_seconds = 1;
  // CHAOS_KINDS: a bit mask of FaultInjector::Kind (503, 429, reset, truncated, stall) to inject.
  if (const char* k = std::getenv("CHAOS_KINDS")) o.faults.kinds = static_cast<unsigned>(std::stoul(k));
  ServerProcess api(o);
  nlohmann::json p = {{"url", api.url((rate > 0 ? "/faulty/" : "/items/") + style)},
                      {"parallel_requests", inflight},
                      {"timeout", 1},
                      {"max_retries", 8}};
  if (style == "page") {
    p["data_path"] = "data";
    p["pagination"] = {{"type", "page_number"}, {"page_size", records}, {"total_pages_path", "total_pages"}};
  } else if (style == "offset") {
    p["data_path"] = "results";
    p["pagination"] = {{"type", "offset"}, {"limit", records}, {"total_path", "count"}};
  } else if (style == "cursor") {
    p["data_path"] = "items";
    p["pagination"] = {{"type", "cursor"}, {"cursor_path", "meta.next_cursor"}, {"cursor_param", "cursor"}};
  } else if (style == "link") {
    p["pagination"] = {{"type", "link_header"}};
  } else if (style == "next") {
    p["data_path"] = "data";
    p["pagination"] = {{"type", "next_url"}, {"next_path", "links.next"}};
  } else {
    throw std::invalid_argument("style must be page, offset, cursor, link or next, got " + style);
  }
  Scan scan(p);
  auto t0 = Clock::now();
  auto rows = test::query_rows(scan.con, "SELECT count(*), sum(id), sum(price) FROM sqlflow_scan('s')");
  double s = seconds_since(t0);
  const auto& stats = scan.source->client().stats();
  auto policy = scan.source->client().policy().stats().snapshot();
  const auto injected = api.stop();
  using K = test::FaultInjector::Kind;
  auto n = [&](K k) { return injected[static_cast<std::size_t>(k)]; };
  // The waits the faults themselves impose, whatever the client does: each 429 asks for
  // Retry-After (1 s) before that page is fetched again, each stall holds its attempt for the
  // whole 1 s timeout. Spread perfectly over `inflight` slots, they add at least this much.
  const double forced_s = (static_cast<double>(n(K::k429)) * o.faults.retry_after_seconds +
                           static_cast<double>(n(K::kStall)) * 1.0) /
                          inflight;
  std::cout << nlohmann::json{{"mode", "chaos"},
                              {"injected",
                               {{"503", n(K::k503)},
                                {"429", n(K::k429)},
                                {"reset", n(K::kReset)},
                                {"truncated", n(K::kTruncated)},
                                {"stall", n(K::kStall)}}},
                              {"forced_wait_s", forced_s},
                              {"server_waits", policy.server_waits},
                              {"server_wait_s", static_cast<double>(policy.server_wait_ns) / 1e9},
                              {"breaker_opens", policy.breaker_opens},
                              {"style", style},
                              {"pages", n_pages},
                              {"records_per_page", records},
                              {"latency_ms", latency_ms},
                              {"inflight", inflight},
                              {"fault_rate", rate},
                              {"seconds", s},
                              {"result", rows.at(0)},
                              {"retries", stats.retries.load()},
                              {"attempts", stats.attempts.load()},
                              {"client_peak_rss_bytes", self_peak_rss_bytes()}}
                   .dump()
            << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "gen" && argc == 4) return gen(std::stod(argv[2]), argv[3]);
    if (mode == "parse" && argc == 3) return parse(argv[2]);
    if (mode == "pages" && (argc == 6 || argc == 7))
      return pages(std::stoll(argv[2]), std::stoll(argv[3]), std::stoi(argv[4]), std::stoi(argv[5]),
                   argc == 7 ? argv[6] : "bench");
    if (mode == "chaos" && argc == 8)
      return chaos(argv[2], std::stoll(argv[3]), std::stoll(argv[4]), std::stoi(argv[5]), std::stoi(argv[6]),
                   std::stod(argv[7]));
    if (mode == "load" && argc == 5) return load(std::stod(argv[2]), std::stoll(argv[3]), std::stoi(argv[4]));
  } catch (const std::exception& e) {
    std::cerr << "rest_driver: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "usage: rest_driver gen MB FILE | parse FILE | pages PAGES RECORDS LATENCY_MS INFLIGHT "
               "[bench|defaults|sqlflow60] | load "
               "MB PAGE_RECORDS INFLIGHT | chaos STYLE PAGES RECORDS LATENCY_MS INFLIGHT RATE\n";
  return 2;
}
