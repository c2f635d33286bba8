// scripts/bootstrap.sh refuses a tampered or truncated DuckDB download with a clear message and
// leaves third_party/duckdb untouched.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>

#include "support/test_support.hpp"

using namespace sqlflow;
namespace fs = std::filesystem;

TEST(Bootstrap, RejectsATamperedTarball) {
  test::TempDir dir("bootstrap");
  const fs::path lib = fs::path(test::source_dir()) / "third_party/duckdb/lib/libduckdb.so";
  const auto before = fs::last_write_time(lib);
  test::write_file(dir / "fake.tgz", std::string(4096, 'x'));
  const fs::path out = dir / "out.txt";
  std::string cmd = "'" + test::source_dir() + "/scripts/bootstrap.sh' --verify-tarballs '" +
                    (dir / "fake.tgz").string() + "' '" + (dir / "fake.tgz").string() + "' >'" +
                    out.string() + "' 2>&1";
  int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 0);
  std::string text = test::read_file(out);
  EXPECT_NE(text.find("integrity check failed for fake.tgz"), std::string::npos) << text;
  EXPECT_NE(text.find("tampered or truncated"), std::string::npos) << text;
  EXPECT_EQ(fs::last_write_time(lib), before);
}
