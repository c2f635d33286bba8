// What the S3 end-to-end tests share: a project with a persistent engine whose pipelines run
// through the sqlflow binary, clients for s3rver and the fault fixture, and object writers.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "fixtures/s3/s3_fault_fixture.hpp"
#include "fixtures/s3/s3rver_fixture.hpp"
#include "net/s3_client.hpp"
#include "support/pipeline_project.hpp"
#include "support/test_support.hpp"

namespace sqlflow::test::s3 {

namespace fs = std::filesystem;

struct Project : PipelineProject {
  Project() : PipelineProject("s3-e2e") {}
  std::size_t cached_files() {
    std::size_t n = 0;
    if (fs::exists(dir / "target/s3-cache"))
      for (auto& e : fs::recursive_directory_iterator(dir / "target/s3-cache")) n += e.is_regular_file();
    return n;
  }
};

inline net::S3Client client_for(const S3rverFixture& s3) {
  net::S3Options o;
  o.endpoint_url = s3.endpoint();
  o.access_key_id = S3rverFixture::kAccessKeyId;
  o.secret_access_key = net::SecretString(S3rverFixture::kSecretAccessKey);
  return net::S3Client(o);
}

// The objects of data-bucket below `prefix`, in key order.
inline std::vector<net::S3Object> objects_under(net::S3Client& client, const std::string& prefix) {
  net::S3ListOptions lo;
  lo.prefix = prefix;
  return client.list_objects("data-bucket", lo).objects;
}

// Writes `sql`'s result to a local file with DuckDB and uploads it as `key` of `bucket`.
inline void put_query(net::S3Client& client, const fs::path& scratch, const std::string& key,
                      const std::string& sql, const std::string& format,
                      const std::string& bucket = "data-bucket") {
  engine::Database db;
  engine::Connection con(db);
  fs::path file = scratch / fs::path(key).filename();
  con.execute("COPY (" + sql + ") TO '" + file.string() + "' (" + format + ")");
  client.put_file(bucket, key, file);
}

// PARAMS for s3rver's data-bucket, followed by `more`.
inline std::string s3_params(const S3rverFixture& s3, const std::string& more) {
  return std::string(R"("bucket": "data-bucket", "endpoint_url": ")") + s3.endpoint() +
         R"(", "access_key_id": "S3RVER", "secret_access_key": "S3RVER", )" + more;
}

// PARAMS for the fault fixture's bucket (its credentials; quick retries), followed by `more`.
inline std::string fault_params(const S3FaultFixture& fx, const std::string& more) {
  return std::string(R"("bucket": "bucket", "endpoint_url": ")") + fx.endpoint() + R"(", "region": ")" +
         fx.options().region + R"(", "access_key_id": ")" + fx.options().access_key_id +
         R"(", "secret_access_key": ")" + fx.options().secret_access_key +
         R"(", "resilience": {"retry": {"initial_delay": "5ms", "max_delay": "50ms"}}, )" + more;
}

// Sleeps into the next whole second (plus a margin): S3 dates objects to the second at best, and
// objects of the listing's own second wait for a later run.
inline void next_second() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto next = time_point_cast<seconds>(now) + seconds(1) + milliseconds(100);
  std::this_thread::sleep_until(next);
}

// "id,amount" CSV text of ids [first, first + n).
inline std::string csv_rows(int first, int n) {
  std::string s = "id,amount\n";
  for (int i = first; i < first + n; ++i) s += std::to_string(i) + "," + std::to_string(i % 7) + ".5\n";
  return s;
}

}  // namespace sqlflow::test::s3
