// A project folder for end-to-end connector tests: a file-backed engine (target/state.duckdb),
// pipelines written into pipelines/, runs of the sqlflow binary in the folder, and queries of the
// engine's file after a run.
#pragma once

#include <string>
#include <vector>

#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "support/test_support.hpp"

namespace sqlflow::test {

struct PipelineProject {
  TempDir dir;

  explicit PipelineProject(const std::string& prefix) : dir(prefix) {
    write_file(dir / "profiles/dev.yml",
               "engines:\n  duckdb:\n    mode: persistent\n    path: target/state.duckdb\n");
  }
  void pipeline(const std::string& name, const std::string& text) {
    write_file(dir / ("pipelines/" + name + ".sf"), text);
  }
  RunResult run(const std::string& name, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"pipeline", "run", name};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_sqlflow(args, dir.path());
  }
  std::vector<std::string> query(const std::string& sql) {
    engine::DatabaseConfig c;
    c.path = (dir / "target/state.duckdb").string();
    engine::Database db(c);
    engine::Connection con(db);
    return query_rows(con, sql);
  }
  // The stored watermark of SOURCE `source`, "" when there is none.
  std::string watermark(const std::string& source) {
    auto rows = query("SELECT coalesce(max(value), '') FROM sqlflow_state.watermarks WHERE source = '" +
                      source + "'");
    return rows.empty() ? "" : rows[0];
  }
};

}  // namespace sqlflow::test
