// Secrets (issue #19.7): canary values set as tokens, API keys, passwords, an AWS secret and an
// ${ENV} value never appear in stdout, stderr (text and JSON logs at debug), metrics files, the
// run history, the engine's database file or any other file a failing run leaves — over each
// connector's failure paths: auth refused (with a server that echoes the credential), connection
// refused, malformed responses, a missing table.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "fixtures/rest/rest_api_fixture.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
namespace fs = std::filesystem;

namespace {

constexpr const char* kCanary = "sqlflowcanary";

// A privileged port nothing listens on here: connections are refused at once.
constexpr int kClosedPort = 1;

struct Leak {
  std::string where;
};

// Every file of the project the run may have written (not the ones that hold the secret on purpose).
std::vector<Leak> leaks_in_files(const fs::path& dir) {
  std::vector<Leak> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const std::string rel = fs::relative(e.path(), dir).string();
    if (rel.rfind("pipelines/", 0) == 0 || rel.rfind("profiles/", 0) == 0 || rel == ".env") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.find(kCanary) != std::string::npos) out.push_back({rel});
  }
  return out;
}

struct Case {
  std::string name;
  std::string pipeline;  // uses the canaries
};

}  // namespace

TEST(Secrets, CanariesNeverLeaveTheProcessOnAnyFailurePath) {
  test::ensure_postgres();
  test::RestApiFixture api;
  const std::string dead = "http://127.0.0.1:" + std::to_string(kClosedPort);
  const std::vector<Case> cases = {
      {"rest_bearer_refused_and_echoed",
       "SOURCE s TYPE REST PARAMS {\"url\": \"" + api.url("/auth/bearer") +
           "\", \"auth\": {\"type\": \"bearer\", \"token\": \"sqlflowcanary-bearer-1\"}};\nLOAD t FROM s;\n"},
      {"rest_api_key_in_query_refused",
       "SOURCE s TYPE REST PARAMS {\"url\": \"" + api.url("/auth/apikey") +
           "\", \"auth\": {\"type\": \"api_key\", \"key_name\": \"api_key\", \"key_value\": "
           "\"sqlflowcanary-key-2\", \"in\": \"query\"}};\nLOAD t FROM s;\n"},
      {"rest_connection_refused", "SOURCE s TYPE REST PARAMS {\"url\": \"" + dead +
                                      "/x?token=sqlflowcanary-url-3\", \"max_retries\": 1, \"auth\": "
                                      "{\"type\": \"basic\", \"username\": "
                                      "\"u\", \"password\": \"sqlflowcanary-basic-4\"}};\nLOAD t FROM s;\n"},
      {"rest_malformed_body",
       "SOURCE s TYPE REST PARAMS {\"url\": \"" + api.url("/unterminated") +
           "\", \"data_path\": \"data\", \"pagination\": {\"type\": \"page_number\", \"page_size\": 50}, "
           "\"auth\": {\"type\": \"bearer\", \"token\": \"${CANARY_TOKEN}\"}};\nLOAD t FROM s;\n"},
      {"postgres_connection_refused",
       "SOURCE s TYPE POSTGRES PARAMS {\"host\": \"127.0.0.1\", \"port\": " + std::to_string(kClosedPort) +
           ", \"password\": \"sqlflowcanary-pg-5\", \"table\": \"t\", \"max_retries\": 1};\nLOAD t FROM "
           "s;\n"},
      {"postgres_missing_table",
       "SOURCE s TYPE POSTGRES PARAMS {\"password\": \"sqlflowcanary-pg-6\", \"table\": "
       "\"no_such_table_here\"};\nLOAD t FROM s;\n"},
      {"postgres_uri_password",
       "SOURCE s TYPE POSTGRES PARAMS {\"uri\": \"postgresql://nobody:sqlflowcanary-pg-7@127.0.0.1:" +
           std::to_string(kClosedPort) + "/db\", \"table\": \"t\", \"max_retries\": 1};\nLOAD t FROM s;\n"},
      {"s3_connection_refused",
       "SOURCE s TYPE S3 PARAMS {\"bucket\": \"b\", \"key\": \"k.csv\", \"endpoint_url\": \"" + dead +
           "\", \"access_key_id\": \"AKIDEXAMPLE\", \"secret_access_key\": \"sqlflowcanary-aws-8\", "
           "\"session_token\": \"sqlflowcanary-aws-9\", \"max_retries\": 1};\nLOAD t FROM s;\n"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    for (const bool json : {false, true}) {
      test::TempDir dir("secrets-" + c.name);
      test::write_file(dir / "profiles/dev.yml",
                       "engines:\n  duckdb:\n    mode: persistent\n    path: target/dev.duckdb\n");
      test::write_file(dir / ".env", "CANARY_TOKEN=sqlflowcanary-env-10\n");
      test::write_file(dir / "pipelines/p.sf", c.pipeline);
      auto r =
          test::run_sqlflow({"pipeline", "run", "p", "--log-level", "debug", "--log-format",
                             json ? "json" : "text", "--metrics-json", "m.json", "--metrics-prom", "m.prom"},
                            dir.path());
      EXPECT_EQ(r.exit_code, 1) << "the failing step did not run: " << r.err;
      EXPECT_EQ(r.out.find(kCanary), std::string::npos) << r.out;
      EXPECT_EQ(r.err.find(kCanary), std::string::npos) << r.err;
      EXPECT_TRUE(fs::exists(dir / "m.json"));
      for (const auto& leak : leaks_in_files(dir.path())) ADD_FAILURE() << "canary in " << leak.where;
      // The printed plan and resolved statements mask them too.
      auto sql = test::run_sqlflow({"pipeline", "compile", "p", "--sql"}, dir.path());
      EXPECT_EQ(sql.out.find(kCanary), std::string::npos) << sql.out;
    }
  }
}
