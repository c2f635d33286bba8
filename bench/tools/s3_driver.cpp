// S3 benchmark driver (bench/s3/run.sh) against s3rver on loopback (tests/fixtures/s3).
//
//   sqlflow_bench_s3 bench OBJECTS TOTAL_MB UPLOAD_MB REPEATS
//       Starts s3rver, prepares the data (a `prepare` child), then runs REPEATS rounds of
//       read   — `sqlflow pipeline run`: SOURCE … TYPE S3 over the OBJECTS Parquet objects under
//                in/ with parallel_workers 8 and 1 (alternating), a fresh cache_dir per run so every
//                run downloads everything, CREATE TABLE n AS SELECT count(*), sum(id) (checked);
//       upload — export_local (no bar): `sqlflow pipeline run` EXPORTing ~UPLOAD_MB of those rows
//                to a local Parquet file, the file the client modes then send; then, rotating:
//                single_put: a child sending it with one PutObject through the client's put_file
//                (multipart_threshold raised above the file's size: the body is held in memory);
//                multipart: a child running the client's multipart_upload_file with its defaults
//                (8 MiB parts, 8 in flight); multipart_phases (diagnostic): the same upload through
//                the client's multipart calls, timing the parts apart from CompleteMultipartUpload;
//                export_s3: `sqlflow pipeline run` EXPORTing the same rows to
//                s3://bucket/out/export.parquet with the connector's defaults.
//       Every run is a child process: wall time from fork to exit, peak RSS and CPU time from
//       wait4; s3rver's CPU time (all threads, and its main thread: Node's event loop) from
//       /proc/<pid>/stat; the machine's busy/idle/stolen core-seconds from /proc/stat. Every
//       process keeps the driver small (it never loads data), since a child's ru_maxrss starts
//       from what it inherits at fork. One JSON object per line.
//   sqlflow_bench_s3 prepare ENDPOINT DIR OBJECTS TOTAL_MB
//       Writes OBJECTS Parquet files of ~TOTAL_MB/OBJECTS MB each to DIR/data/in with DuckDB and
//       uploads them to s3://bucket/in/; writes DIR/prepare.json.
//   sqlflow_bench_s3 put|multipart ENDPOINT KEY FILE
//   sqlflow_bench_s3 multipart_phases ENDPOINT KEY FILE OUT_JSON
//       One upload of FILE to s3://bucket/KEY.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "child_run.hpp"
#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "fixtures/s3/s3rver_fixture.hpp"
#include "net/s3_client.hpp"
#include "support/test_support.hpp"

using nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kBucket = "bucket";

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

sqlflow::net::S3Client client_for(const std::string& endpoint) {
  sqlflow::net::S3Options o;
  o.endpoint_url = endpoint;
  o.access_key_id = sqlflow::test::S3rverFixture::kAccessKeyId;
  o.secret_access_key = sqlflow::net::SecretString(sqlflow::test::S3rverFixture::kSecretAccessKey);
  return sqlflow::net::S3Client(o);
}

// ---- children -------------------------------------------------------------------------------

// One row: id, a random double and four 16-byte hash BLOBs (80 bytes raw, ~74 in zstd Parquet:
// the hashes do not compress), so object sizes follow the row count.
std::string rows_sql(std::int64_t from, std::int64_t to) {
  std::string blobs;
  for (int k = 0; k < 4; ++k)
    blobs += ", unhex(md5((i + " + std::to_string(k) + ")::VARCHAR || '" + std::to_string(k) + "')) AS h" +
             std::to_string(k);
  return "SELECT i AS id, random() AS r" + blobs + " FROM range(" + std::to_string(from) + ", " +
         std::to_string(to) + ") t(i)";
}

int prepare(const std::string& endpoint, const fs::path& dir, int objects, double total_mb) {
  auto t0 = Clock::now();
  fs::path in = dir / "data/in";
  fs::create_directories(in);
  sqlflow::engine::Database db;
  sqlflow::engine::Connection con(db);
  auto write = [&](int n, std::int64_t from, std::int64_t rows) {
    char name[32];
    std::snprintf(name, sizeof name, "part-%05d.parquet", n);
    fs::path f = in / name;
    con.execute("COPY (" + rows_sql(from, from + rows) + ") TO '" + f.string() +
                "' (FORMAT parquet, COMPRESSION zstd)");
    return fs::file_size(f);
  };
  // Calibrate bytes per row on a sample, then write every object with the same row count.
  const double target = total_mb * 1e6 / objects;
  const std::int64_t sample_rows = 20000;
  const double bytes_per_row = static_cast<double>(write(0, 0, sample_rows)) / sample_rows;
  const std::int64_t rows = std::max<std::int64_t>(1, std::llround(target / bytes_per_row));
  std::uint64_t total = 0, smallest = UINT64_MAX, largest = 0;
  for (int n = 0; n < objects; ++n) {
    std::uint64_t size = write(n, n * rows, rows);
    total += size;
    smallest = std::min(smallest, size);
    largest = std::max(largest, size);
  }
  const double generate_s = seconds_since(t0);
  auto t1 = Clock::now();
  auto client = client_for(endpoint);
  for (int n = 0; n < objects; ++n) {
    char name[32];
    std::snprintf(name, sizeof name, "part-%05d.parquet", n);
    client.put_file(kBucket, std::string("in/") + name, in / name);
  }
  json out = {{"objects", objects},
              {"rows_per_object", rows},
              {"rows", rows * objects},
              {"bytes_per_row", static_cast<double>(total) / static_cast<double>(rows * objects)},
              {"total_bytes", total},
              {"object_bytes_min", smallest},
              {"object_bytes_max", largest},
              {"generate_seconds", generate_s},
              {"upload_seconds", seconds_since(t1)}};
  sqlflow::test::write_file(dir / "prepare.json", out.dump());
  return 0;
}

int upload(const std::string& mode, const std::string& endpoint, const std::string& key, const fs::path& file,
           const fs::path& phases_out) {
  auto client = client_for(endpoint);
  if (mode == "put") {
    // The client's own single-PutObject path: put_file below multipart_threshold reads the file
    // into one std::string and sends it with put_object (HttpClient takes bodies as strings).
    sqlflow::net::S3Options o = client.options();
    o.multipart_threshold = std::uint64_t{5} << 30;  // S3's PutObject limit
    sqlflow::net::S3Client single(o);
    single.put_file(kBucket, key, file);
  } else if (mode == "multipart") {
    client.multipart_upload_file(kBucket, key, file);  // defaults: 8 MiB parts, 8 in flight
  } else {
    // multipart_phases (diagnostic, no bar): the same steps as multipart_upload_file (8 MiB
    // parts, 8 threads pulling part numbers in order) through the client's public multipart
    // calls, timing the parts apart from CompleteMultipartUpload.
    const std::uint64_t size = fs::file_size(file), part = client.options().part_size;
    const int parts = static_cast<int>((size + part - 1) / part);
    auto t0 = Clock::now();
    const std::string id = client.create_multipart_upload(kBucket, key);
    const double create_s = seconds_since(t0);
    auto t1 = Clock::now();
    std::vector<std::string> etags(static_cast<std::size_t>(parts));
    std::atomic<int> next{0};
    std::atomic<bool> failed{false};
    auto worker = [&] {
      std::ifstream in(file, std::ios::binary);
      for (int i; !failed && (i = next.fetch_add(1)) < parts;) {
        const std::uint64_t offset = static_cast<std::uint64_t>(i) * part;
        std::string body(std::min(part, size - offset), '\0');
        in.seekg(static_cast<std::streamoff>(offset));
        in.read(body.data(), static_cast<std::streamsize>(body.size()));
        try {
          etags[static_cast<std::size_t>(i)] = client.upload_part(kBucket, key, id, i + 1, std::move(body));
        } catch (const std::exception& e) {
          std::cerr << e.what() << "\n";
          failed = true;
        }
      }
    };
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < client.options().concurrency; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
    if (failed) return 1;
    const double parts_s = seconds_since(t1);
    auto t2 = Clock::now();
    std::vector<sqlflow::net::S3CompletedPart> done;
    for (int i = 0; i < parts; ++i) done.push_back({i + 1, etags[static_cast<std::size_t>(i)]});
    client.complete_multipart_upload(kBucket, key, id, done);
    json out = {{"create_seconds", create_s},
                {"parts_seconds", parts_s},
                {"complete_seconds", seconds_since(t2)},
                {"parts", parts}};
    sqlflow::test::write_file(phases_out, out.dump());
  }
  return 0;
}

// ---- the benchmark --------------------------------------------------------------------------

using Run = sqlflow::bench::ChildRun;

Run run_child(const std::vector<std::string>& args, const fs::path& cwd, const fs::path& log) {
  return sqlflow::bench::run_child(args, cwd.string(), log.string());
}

// The s3rver process: the fixture's child running node.
pid_t find_s3rver() {
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = sqlflow::test::read_file(e.path() / "stat");
    auto close = stat.rfind(')');
    if (close == std::string::npos || stat.find("(node)") == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    long ppid = 0;
    rest >> state >> ppid;
    if (ppid == getpid()) return static_cast<pid_t>(std::stol(name));
  }
  return -1;
}

// utime + stime from a /proc stat file: a process (all its threads) or one of its tasks.
double cpu_seconds_of(const std::string& stat_file) {
  std::string stat = sqlflow::test::read_file(stat_file);
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double process_cpu_seconds(pid_t pid) {
  return cpu_seconds_of("/proc/" + std::to_string(pid) + "/stat");
}
// The main thread alone: Node's event loop, where s3rver's JavaScript (and its MD5 hashing) runs.
double main_thread_cpu_seconds(pid_t pid) {
  return cpu_seconds_of("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/stat");
}

// The whole machine's CPU time (all cores, seconds) from /proc/stat: busy, idle (with iowait)
// and stolen by the hypervisor.
struct MachineCpu {
  double busy = 0, idle = 0, steal = 0;
};
MachineCpu machine_cpu() {
  std::istringstream in(sqlflow::test::read_file("/proc/stat"));
  std::string cpu;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  return {static_cast<double>(user + nice + system + irq + softirq) / tick,
          static_cast<double>(idle + iowait) / tick, static_cast<double>(steal) / tick};
}

long own_rss_kb() {
  std::istringstream in(sqlflow::test::read_file("/proc/self/status"));
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

std::string tail(const fs::path& file) {
  std::string text = fs::exists(file) ? sqlflow::test::read_file(file) : std::string();
  return text.size() > 4000 ? text.substr(text.size() - 4000) : text;
}

int bench(const std::string& self, int objects, double total_mb, double upload_mb, int repeats) {
  sqlflow::test::S3rverFixture s3({kBucket});
  const pid_t server = find_s3rver();
  if (server < 0) throw std::runtime_error("cannot find the s3rver process");
  sqlflow::test::TempDir dir("s3-bench");
  const fs::path project = dir.path();
  sqlflow::test::write_file(project / "profiles/dev.yml", "engines:\n  duckdb:\n    mode: memory\n");
  fs::create_directories(project / "logs");

  Run prep = run_child(
      {self, "prepare", s3.endpoint(), project.string(), std::to_string(objects), std::to_string(total_mb)},
      project, project / "logs/prepare.log");
  if (prep.status != 0) {
    std::cerr << "prepare failed (" << prep.status << "): " << tail(project / "logs/prepare.log") << "\n";
    return 1;
  }
  json setup = json::parse(sqlflow::test::read_file(project / "prepare.json"));
  const std::int64_t rows = setup["rows"];
  const double bytes_per_row = setup["bytes_per_row"];
  const std::int64_t export_rows =
      std::min<std::int64_t>(rows, std::llround(upload_mb * 1e6 / bytes_per_row));
  setup["kind"] = "setup";
  setup["export_rows"] = export_rows;
  setup["s3rver_pid"] = server;
  std::cout << setup.dump() << std::endl;

  const std::string conn = std::string("\"endpoint_url\": \"") + s3.endpoint() +
                           "\", \"access_key_id\": \"S3RVER\", \"secret_access_key\": \"S3RVER\"";
  auto pipeline = [&](const std::string& name, const std::string& text) {
    sqlflow::test::write_file(project / ("pipelines/" + name + ".sf"), text);
  };
  const std::string export_select = "SELECT * FROM src WHERE id < " + std::to_string(export_rows);
  pipeline("export_s3", "SOURCE src TYPE PARQUET PARAMS {\"path\": \"data/in/*.parquet\"};\nEXPORT " +
                            export_select + " TO \"s3://bucket/out/export.parquet\" TYPE S3 OPTIONS {" +
                            conn + "};\n");
  pipeline("export_local", "SOURCE src TYPE PARQUET PARAMS {\"path\": \"data/in/*.parquet\"};\nEXPORT " +
                               export_select + " TO \"output/export.parquet\" TYPE PARQUET OPTIONS {};\n");
  auto client = client_for(s3.endpoint());
  const std::string sqlflow_bin = SQLFLOW_BIN;
  int run_no = 0;
  bool failed = false;

  auto measured = [&](const std::vector<std::string>& args, const fs::path& log, json out) {
    const double server0 = process_cpu_seconds(server), main0 = main_thread_cpu_seconds(server);
    const MachineCpu machine0 = machine_cpu();
    Run r = run_child(args, project, log);
    const MachineCpu machine1 = machine_cpu();
    const double server_cpu = process_cpu_seconds(server) - server0;
    const double main_cpu = main_thread_cpu_seconds(server) - main0;
    const double busy = machine1.busy - machine0.busy;
    // Core-seconds over the run: ours (the child and s3rver), other tenants' (the rest of the
    // busy time), idle and stolen by the hypervisor.
    out["machine"] = {{"busy_core_seconds", busy},
                      {"others_core_seconds", std::max(0.0, busy - r.cpu_s - server_cpu)},
                      {"idle_core_seconds", machine1.idle - machine0.idle},
                      {"steal_core_seconds", machine1.steal - machine0.steal}};
    out["s3rver_main_thread_cpu_seconds"] = main_cpu;
    out["s3rver_main_thread_share"] = main_cpu / r.seconds;  // 1.0: Node's event loop saturated
    out["run"] = run_no++;
    out["seconds"] = r.seconds;
    out["peak_rss_kb"] = r.rss_kb;
    out["cpu_seconds"] = r.cpu_s;
    out["s3rver_cpu_seconds"] = server_cpu;
    out["s3rver_cpu_share"] = server_cpu / r.seconds;  // 1.0: one core busy all along
    out["exit"] = r.status;
    if (r.status != 0) {
      std::cerr << out["mode"].get<std::string>() << " failed (" << r.status << "): " << tail(log) << "\n";
      failed = true;
    }
    return out;
  };

  // The file the client modes upload: the export_local output.
  const fs::path upload_file = project / "output/export.parquet";
  for (int i = 0; i < repeats && !failed; ++i) {
    // Reads: 8 and 1 workers, alternating which goes first.
    for (int workers : (i % 2 == 0 ? std::vector<int>{8, 1} : std::vector<int>{1, 8})) {
      const std::string cache = "target/cache-" + std::to_string(run_no);
      const std::string result = "output/read-" + std::to_string(run_no) + ".csv";
      pipeline("read",
               "SOURCE s TYPE S3 PARAMS {\"bucket\": \"bucket\", " + conn +
                   ", \"path_prefix\": \"in/\", \"file_format\": \"parquet\", \"parallel_workers\": " +
                   std::to_string(workers) + ", \"cache_dir\": \"" + cache +
                   "\"};\nCREATE TABLE n AS SELECT count(*) AS rows, sum(id) AS s FROM s;\n"
                   "EXPORT SELECT * FROM n TO \"" +
                   result + "\" TYPE CSV OPTIONS {};\n");
      json out = measured({sqlflow_bin, "pipeline", "run", "read", "-q"}, project / "logs/read.log",
                          {{"kind", "run"},
                           {"bench", "read"},
                           {"mode", "workers_" + std::to_string(workers)},
                           {"parallel_workers", workers},
                           {"objects", objects},
                           {"bytes", setup["total_bytes"]}});
      if (out["exit"] == 0) {
        // The table's count and sum, and one cached file per object.
        std::string csv = sqlflow::test::read_file(project / result);
        const std::string expected = std::to_string(rows) + "," + std::to_string(rows * (rows - 1) / 2);
        std::size_t cached = 0;
        for (auto& e : fs::recursive_directory_iterator(project / cache)) cached += e.is_regular_file();
        out["cached_files"] = cached;
        // Header line, then "rows,sum".
        const std::size_t line = csv.find('\n') + 1;
        out["result"] = csv.substr(line, csv.find('\n', line) - line);
        out["result_ok"] = out["result"] == expected && cached == static_cast<std::size_t>(objects);
        if (!out["result_ok"].get<bool>()) {
          std::cerr << "read result " << out["result"] << " != " << expected << " or " << cached
                    << " cached files\n";
          failed = true;
        }
      }
      std::cout << out.dump() << std::endl;
      if (workers == 8 && !failed) {
        // Diagnostic (no bar): the same pipeline again over the now full cache, so nothing is
        // downloaded: what the read costs apart from the downloads (start-up, listing, the Parquet
        // source's page-checksum pass, the query) — a part that parallel_workers cannot shorten.
        json again =
            measured({sqlflow_bin, "pipeline", "run", "read", "-q"}, project / "logs/read-cached.log",
                     {{"kind", "run"}, {"bench", "read"}, {"mode", "cached"}, {"objects", objects}});
        std::cout << again.dump() << std::endl;
      }
      fs::remove_all(project / cache);
    }
    if (failed) break;
    // Uploads. export_local first: it writes the file the client modes send. The others rotate.
    std::vector<std::string> modes = {"export_s3", "single_put", "multipart", "multipart_phases"};
    std::rotate(modes.begin(), modes.begin() + (i % modes.size()), modes.end());
    modes.insert(modes.begin(), "export_local");
    for (const auto& mode : modes) {
      json out = {{"kind", "run"}, {"bench", "upload"}, {"mode", mode}};
      const fs::path log = project / ("logs/" + mode + ".log");
      std::string key;
      if (mode == "export_local" || mode == "export_s3") {
        if (mode == "export_local") fs::remove(upload_file);
        out = measured({sqlflow_bin, "pipeline", "run", mode, "-q"}, log, out);
        out["rows"] = export_rows;
        if (mode == "export_s3") key = "out/export.parquet";
        if (mode == "export_local" && fs::exists(upload_file)) out["bytes"] = fs::file_size(upload_file);
      } else {
        key = "out/" + mode + ".parquet";
        const fs::path phases = project / "logs/phases.json";
        std::vector<std::string> args = {self, mode == "single_put" ? "put" : mode, s3.endpoint(), key,
                                         upload_file.string()};
        if (mode == "multipart_phases") args.push_back(phases.string());
        out = measured(args, log, out);
        out["bytes"] = fs::file_size(upload_file);
        if (mode == "multipart_phases" && out["exit"] == 0)
          out["phases"] = json::parse(sqlflow::test::read_file(phases));
      }
      if (!key.empty() && out["exit"] == 0) {
        auto info = client.head_object(kBucket, key);
        out["object_bytes"] = info.size;
        if (mode != "export_s3" && info.size != fs::file_size(upload_file)) {
          std::cerr << mode << ": object of " << info.size << " bytes\n";
          failed = true;
        }
        client.delete_object(kBucket, key);
      }
      std::cout << out.dump() << std::endl;
      if (failed) break;
    }
  }
  std::cout << json{{"kind", "driver"}, {"driver_rss_kb", own_rss_kb()}}.dump() << std::endl;
  return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "bench" && argc == 6) {
      char self[4096];
      ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
      if (n <= 0) throw std::runtime_error("cannot read /proc/self/exe");
      self[n] = '\0';
      return bench(self, std::stoi(argv[2]), std::stod(argv[3]), std::stod(argv[4]), std::stoi(argv[5]));
    }
    if (mode == "prepare" && argc == 6)
      return prepare(argv[2], argv[3], std::stoi(argv[4]), std::stod(argv[5]));
    if ((mode == "put" || mode == "multipart") && argc == 5)
      return upload(mode, argv[2], argv[3], argv[4], {});
    if (mode == "multipart_phases" && argc == 6) return upload(mode, argv[2], argv[3], argv[4], argv[5]);
    std::cerr << "usage: sqlflow_bench_s3 bench OBJECTS TOTAL_MB UPLOAD_MB REPEATS\n"
                 "       sqlflow_bench_s3 prepare ENDPOINT DIR OBJECTS TOTAL_MB\n"
                 "       sqlflow_bench_s3 put|multipart ENDPOINT KEY FILE\n"
                 "       sqlflow_bench_s3 multipart_phases ENDPOINT KEY FILE OUT_JSON\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "sqlflow_bench_s3: " << e.what() << "\n";
    return 1;
  }
}
