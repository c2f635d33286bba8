// The PostgreSQL source against the real test server: parallel reads on one snapshot, projection
// pushdown, incremental reads, dropped connections, and clear errors without secrets.
#include "connectors/postgres/source.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "connectors/postgres/connection.hpp"
#include "connectors/postgres/connection_pool.hpp"
#include "pg_test_util.hpp"

using namespace sqlflow;
using namespace pgtest;
namespace pg = sqlflow::connectors::postgres;

namespace {

class PgSource : public PgTest {
 protected:
  // accounts(id, balance, filler): `rows` rows whose balances sum to 0.
  void create_accounts(int rows) {
    admin->exec("CREATE TABLE " + q("accounts") +
                " (id int PRIMARY KEY, balance bigint NOT NULL, filler text)");
    admin->exec("INSERT INTO " + q("accounts") + " SELECT g, 0, repeat('x', 100) FROM generate_series(1, " +
                std::to_string(rows) + ") g");
    admin->exec("VACUUM ANALYZE " + q("accounts"));
  }

  std::vector<std::string> backends(const std::string& state, const std::string& query_like = "%") {
    std::vector<std::string> pids;
    for (auto& r :
         admin->rows("SELECT pid FROM pg_stat_activity WHERE application_name = '" + app() +
                     "' AND state = '" + state + "' AND query LIKE '" + query_like + "' ORDER BY pid"))
      pids.push_back(r[0]);
    return pids;
  }

  void terminate(const std::string& pid) {
    admin->exec("SELECT pg_terminate_backend(" + pid + ")");
    for (int i = 0; i < 200; ++i) {
      if (admin->value("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid) == "0") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "backend " << pid << " did not go away";
  }
};

TEST_F(PgSource, ParallelReadEqualsSerialRead) {
  create_accounts(20000);
  admin->exec("UPDATE " + q("accounts") + " SET balance = id % 97 - 48");
  auto parallel = make_source(source_params("accounts", {{"partitions", 6}}));
  auto serial = make_source(source_params("accounts", {{"partitions", "off"}}));
  EXPECT_EQ(parallel->partition_count(), 6u);
  EXPECT_EQ(serial->partition_count(), 1u);
  const connectors::Source* p_src = parallel.get();
  const connectors::Source* s_src = serial.get();
  Duck duck(4);
  duck.load("p", std::move(parallel));
  duck.load("s", std::move(serial));
  const std::string sum =
      "SELECT count(*), count(DISTINCT id), sum(balance), sum(hash(id, balance, filler)) FROM ";
  EXPECT_EQ(test::query_rows(duck.con, sum + "p"), test::query_rows(duck.con, sum + "s"));
  EXPECT_EQ(test::query_value(duck.con, "SELECT count(*) FROM p"), "20000");
  EXPECT_EQ(test::query_value(duck.con, "SELECT count(*) FROM (SELECT * FROM p EXCEPT SELECT * FROM s)"),
            "0");
  // The metrics counters: one COPY per partition, and the same row bytes either way — each extra
  // COPY adds one binary header (19 bytes) and trailer (2 bytes), per PostgreSQL's COPY docs.
  connectors::IoStats pio = p_src->io_stats(), sio = s_src->io_stats();
  EXPECT_EQ(pio.requests, 6u);
  EXPECT_EQ(sio.requests, 1u);
  EXPECT_GT(sio.bytes, 20000u * 100u);
  EXPECT_EQ(pio.bytes - sio.bytes, 5u * (19u + 2u));
}

TEST_F(PgSource, ParallelPartitionsShareOneSnapshotWhileAWriterRuns) {
  create_accounts(40000);
  // The writer moves money between random accounts (sum stays 0), which puts new row versions on
  // other pages, and inserts the next id in the same transaction: a read not on one snapshot sees
  // a wrong sum, a row twice, or a gap in the inserted ids (count(*) = max(id) only on a snapshot).
  std::atomic<bool> stop{false};
  std::atomic<int> commits{0};
  std::thread writer([&] {
    Admin w;
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> pick(1, 40000);
    int next_id = 40001;
    while (!stop) {
      int a = pick(rng), b = pick(rng);
      if (a == b) continue;
      w.exec("BEGIN; UPDATE " + q("accounts") + " SET balance = balance - 5 WHERE id = " + std::to_string(a) +
             "; UPDATE " + q("accounts") + " SET balance = balance + 5 WHERE id = " + std::to_string(b) +
             "; INSERT INTO " + q("accounts") + " VALUES (" + std::to_string(next_id++) +
             ", 0, repeat('y', 100)); COMMIT");
      ++commits;
    }
  });
  for (int round = 0; round < 3; ++round) {
    int before = commits;
    Duck duck(4);
    duck.load("p", make_source(source_params("accounts", {{"partitions", 8}})));
    EXPECT_EQ(test::query_rows(
                  duck.con, "SELECT count(*) = count(DISTINCT id), count(*) = max(id), sum(balance) FROM p"),
              (std::vector<std::string>{"true|true|0"}));
    EXPECT_GE(std::stoi(test::query_value(duck.con, "SELECT count(*) FROM p")), 40000);
    while (commits == before) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  stop = true;
  writer.join();
  EXPECT_GT(commits.load(), 3);
  // At rest, parallel and serial agree exactly.
  Duck duck(4);
  duck.load("p", make_source(source_params("accounts", {{"partitions", 8}})));
  duck.load("s", make_source(source_params("accounts", {{"partitions", "off"}})));
  EXPECT_EQ(test::query_value(duck.con, "SELECT count(*) FROM (SELECT * FROM p EXCEPT SELECT * FROM s)"),
            "0");
  EXPECT_EQ(test::query_value(duck.con, "SELECT count(*) FROM (SELECT * FROM s EXCEPT SELECT * FROM p)"),
            "0");
}

TEST_F(PgSource, OnlyProjectedColumnsAreCopied) {
  create_accounts(10);
  auto source = make_source(source_params("accounts", {{"partitions", "off"}}));
  auto* pg_source = dynamic_cast<pg::PostgresSource*>(source.get());
  ASSERT_NE(pg_source, nullptr);
  EXPECT_EQ(pg_source->copy_sql(0, {1}),
            "COPY (SELECT \"balance\" FROM " + q("accounts") + ") TO STDOUT (FORMAT binary)");
  EXPECT_EQ(pg_source->copy_sql(0, {}),
            "COPY (SELECT  FROM " + q("accounts") + ") TO STDOUT (FORMAT binary)");
  Duck duck;
  std::shared_ptr<connectors::Source> shared = std::move(source);
  duck.catalog.add("acc", shared);
  duck.catalog.create_view(duck.con, "acc");
  EXPECT_EQ(test::query_value(duck.con, "SELECT count(*) FROM acc"), "10");
  EXPECT_EQ(test::query_value(duck.con, "SELECT sum(id) FROM acc"), "55");
}

TEST_F(PgSource, QueryColumnsAndWhereParameters) {
  create_accounts(100);
  Duck duck;
  duck.load("q",
            make_source(merged(conn_params(app()), {{"query", "SELECT id * 2 AS twice, filler FROM " +
                                                                  q("accounts") + " WHERE id <= 10;"}})));
  EXPECT_EQ(test::query_value(duck.con, "SELECT sum(twice) FROM q"), "110");
  duck.load("w", make_source(source_params("accounts", {{"columns", {"id"}}, {"where", "id > 90"}})));
  EXPECT_EQ(test::query_rows(duck.con, "SELECT count(*), min(id) FROM w"),
            (std::vector<std::string>{"10|91"}));
  EXPECT_EQ(
      test::query_value(duck.con, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'w'"),
      "1");
  duck.load("r", make_source(source_params("accounts", {{"partition_column", "id"}, {"partitions", 4}})));
  EXPECT_EQ(test::query_rows(duck.con, "SELECT count(*), count(DISTINCT id), sum(id) FROM r"),
            (std::vector<std::string>{"100|100|5050"}));
}

TEST_F(PgSource, IncrementalRunsLoadEachRowOnce) {
  admin->exec("CREATE TABLE " + q("events") + " (id bigint, at timestamptz, name text)");
  admin->exec("INSERT INTO " + q("events") +
              " SELECT g, '2024-01-01'::timestamptz + g * interval '1 minute', 'e' || g "
              "FROM generate_series(1, 100) g");
  Duck duck;
  std::optional<std::string> watermark;
  {
    auto source =
        make_source(source_params("events", {{"sync_mode", "incremental"}, {"cursor_field", "id"}}));
    ASSERT_TRUE(source->supports_cursor());
    source->set_cursor("id", watermark);
    std::shared_ptr<connectors::Source> shared = std::move(source);
    duck.load("events", shared, "name, \"at\"");  // the cursor column is not even selected
    watermark = shared->max_cursor_value();
  }
  ASSERT_TRUE(watermark);
  EXPECT_EQ(*watermark, "100");
  admin->exec("INSERT INTO " + q("events") + " SELECT g, now(), 'e' || g FROM generate_series(101, 150) g");
  {
    auto source = make_source(source_params("events"));
    source->set_cursor("id", watermark);
    std::shared_ptr<connectors::Source> shared = std::move(source);
    duck.catalog.add("more", shared);
    duck.catalog.create_view(duck.con, "more");
    duck.con.execute("INSERT INTO events SELECT name, \"at\" FROM more");
    watermark = shared->max_cursor_value();
  }
  EXPECT_EQ(*watermark, "150");
  EXPECT_EQ(test::query_rows(duck.con, "SELECT count(*), count(DISTINCT name) FROM events"),
            (std::vector<std::string>{"150|150"}));
  // A third run with nothing new reads nothing.
  auto source = make_source(source_params("events"));
  source->set_cursor("id", watermark);
  std::shared_ptr<connectors::Source> shared = std::move(source);
  duck.load("none", shared);
  EXPECT_EQ(test::query_value(duck.con, "SELECT count(*) FROM none"), "0");
  EXPECT_FALSE(shared->max_cursor_value());
}

TEST_F(PgSource, TimestampTextAndNumericCursorsRoundTripTheirWatermark) {
  admin->exec("CREATE TABLE " + q("c") + " (ts timestamptz, d date, t text, n numeric(12,3), u uuid)");
  admin->exec(
      "INSERT INTO " + q("c") +
      " VALUES ('2024-03-01 10:11:12.345678+02', '0044-03-15 BC', 'apple', 1.5, "
      "'00000000-0000-0000-0000-000000000001'), ('2023-01-01 00:00:00+00', '2024-01-01', 'Zebra', -7.25, "
      "'ffffffff-0000-0000-0000-000000000000'), ('2024-03-01 08:11:12.345677+00', '2020-01-01', "
      "'\xc3\xa9t\xc3\xa9', 1.499, NULL)");
  struct Case {
    const char* column;
    const char* expected;
  } cases[] = {{"ts", "2024-03-01 08:11:12.345678+00"},
               {"d", "2024-01-01"},
               {"t", "\xc3\xa9t\xc3\xa9"},
               {"n", "1.500"},
               {"u", "ffffffff-0000-0000-0000-000000000000"}};
  for (const auto& c : cases) {
    auto first = make_source(source_params("c"));
    first->set_cursor(c.column, std::nullopt);
    std::shared_ptr<connectors::Source> shared = std::move(first);
    Duck duck;
    duck.load("all", shared);
    auto mark = shared->max_cursor_value();
    ASSERT_TRUE(mark) << c.column;
    EXPECT_EQ(*mark, c.expected) << c.column;
    // Reading again from the watermark finds nothing: the text parses back to the same value.
    auto again = make_source(source_params("c"));
    again->set_cursor(c.column, mark);
    duck.load("next", std::move(again));
    EXPECT_EQ(test::query_value(duck.con, "SELECT count(*) FROM next"), "0") << c.column;
  }
  // Watermarks as the executor keeps them (DuckDB's max(col)::VARCHAR) parse back too.
  {
    Duck duck;
    auto first = make_source(source_params("c"));
    duck.load("all", std::move(first));
    for (const char* column : {"ts", "d", "n", "u"}) {
      std::string mark =
          test::query_value(duck.con, std::string("SELECT max(") + column + ")::VARCHAR FROM \"all\"");
      auto again = make_source(source_params("c"));
      again->set_cursor(column, mark);
      duck.load("next", std::move(again));
      EXPECT_EQ(test::query_value(duck.con, "SELECT count(*) FROM next"), "0") << column << " from " << mark;
    }
    auto bc = make_source(source_params("c"));
    bc->set_cursor("d",
                   test::query_value(duck.con, "SELECT min(d)::VARCHAR FROM \"all\""));  // "0044-03-15 (BC)"
    duck.load("after_bc", std::move(bc));
    EXPECT_EQ(test::query_value(duck.con, "SELECT count(*) FROM after_bc"), "2");
  }
  // Lower bounds are bound values, never SQL.
  auto hostile = make_source(source_params("c"));
  hostile->set_cursor("t", "'; DROP TABLE c; --");
  Duck duck;
  duck.load("h", std::move(hostile));
  EXPECT_EQ(test::query_value(duck.con, "SELECT count(*) FROM h"), "3");
  EXPECT_EQ(admin->value("SELECT count(*) FROM " + q("c")), "3");
}

TEST_F(PgSource, WrongPasswordFailsClearlyOnceAndKeepsTheSecret) {
  const std::string secret = "canary-Secret-9xq";
  auto params =
      merged(conn_params("sqlflow_wrongpw"), {{"password", secret}, {"schema", schema}, {"table", "nope"}});
  auto source = make_source(params);
  const size_t before = pg::connection_attempts();
  try {
    source->schema();
    FAIL() << "expected an authentication error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Connection);
    EXPECT_FALSE(e.retryable());
    std::string text = e.format();
    EXPECT_NE(text.find("password authentication failed"), std::string::npos) << text;
    EXPECT_EQ(text.find(secret), std::string::npos) << text;
    EXPECT_EQ(text.find(secret.substr(0, 6)), std::string::npos) << text;
  }
  EXPECT_EQ(pg::connection_attempts() - before, 1u);
  // The same secret inside a connection URI is redacted too.
  auto uri_params =
      nlohmann::json{{"connection", "postgresql://" + env("PGUSER") + ":" + secret + "@" + env("PGHOST") +
                                        ":" + env("PGPORT") + "/" + env("PGDATABASE")},
                     {"table", "nope"}};
  try {
    make_source(uri_params)->schema();
    FAIL() << "expected an authentication error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
  }
}

TEST_F(PgSource, UnreachableServerIsRetriedThenReported) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);  // nothing listens on this port now
  const int port = ntohs(addr.sin_port);
  auto params =
      merged(conn_params("sqlflow_unreachable"), {{"port", port}, {"table", "t"}, {"max_retries", 2}});
  const size_t before = pg::connection_attempts();
  try {
    make_source(params)->schema();
    FAIL() << "expected a connection error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Connection);
    EXPECT_TRUE(e.retryable());
    EXPECT_NE(std::string(e.what()).find(std::to_string(port)), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find(env("PGPASSWORD")), std::string::npos) << e.what();
  }
  EXPECT_EQ(pg::connection_attempts() - before, 2u);
}

TEST_F(PgSource, MissingTableNamesItAndSuggests) {
  create_accounts(1);
  try {
    make_source(source_params("acounts"))->schema();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string text = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::Validation);
    EXPECT_NE(text.find("\"acounts\""), std::string::npos) << text;
    EXPECT_NE(text.find("accounts"), std::string::npos) << text;
    EXPECT_NE(text.find("does not exist"), std::string::npos) << text;
  }
  EXPECT_THROW(make_source(merged(conn_params(), {{"table", "a"}, {"query", "SELECT 1"}})), Error);
  EXPECT_THROW(make_source(merged(conn_params(), {{"table", "a"}, {"partitions", "many"}})), Error);
  EXPECT_THROW(
      make_source(merged(conn_params(), {{"connection", "postgresql://u@h:notaport/db"}, {"table", "a"}})),
      Error);
}

TEST_F(PgSource, HostileIdentifiersAreQuoted) {
  admin->exec("CREATE TABLE " + q("sentinel") + " (x int)");
  const std::string table = "we\"ird; DROP TABLE sentinel;--";
  const std::string column = "x\"; DROP TABLE sentinel;--";
  admin->exec("CREATE TABLE " + q(table) + " (" + quote_identifier(column) + " text, \"select\" int)");
  admin->exec("INSERT INTO " + q(table) + " VALUES ('v1', 1), ('v\"2''', 2)");
  Duck duck;
  duck.load("h", make_source(source_params(
                     table, {{"partitions", 2}, {"cursor_field", column}, {"sync_mode", "incremental"}})));
  EXPECT_EQ(
      test::query_rows(duck.con, "SELECT " + quote_identifier(column) + ", \"select\" FROM h ORDER BY 2"),
      (std::vector<std::string>{"v1|1", "v\"2'|2"}));
  EXPECT_EQ(admin->value("SELECT count(*) FROM " + q("sentinel")), "0");
}

TEST_F(PgSource, ScanStoppedEarlyReleasesItsConnections) {
  create_accounts(50000);
  std::shared_ptr<connectors::Source> source = make_source(source_params("accounts", {{"partitions", 4}}));
  Duck duck(2);
  duck.catalog.add("acc", source);
  duck.catalog.create_view(duck.con, "acc");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(test::query_value(duck.con, "SELECT count(*) FROM (SELECT * FROM acc LIMIT 5)"), "5");
  }
  // Abandoned COPYs were closed, not left streaming: a full read still sees every row.
  EXPECT_EQ(test::query_value(duck.con, "SELECT count(*) FROM acc"), "50000");
  EXPECT_EQ(admin->value("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app() +
                         "' AND state = 'active'"),
            "0");
}

TEST_F(PgSource, LibpqEnvironmentSuppliesMissingConnectionParameters) {
  create_accounts(5);
  // No host, port, user, password or database: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE.
  Duck duck;
  duck.load("e", make_source({{"schema", schema}, {"table", "accounts"}, {"application_name", app()}}));
  EXPECT_EQ(test::query_value(duck.con, "SELECT count(*) FROM e"), "5");
  duck.load("d", make_source({{"table", schema + ".accounts"}}));  // "schema.table" in table
  EXPECT_EQ(test::query_value(duck.con, "SELECT count(*) FROM d"), "5");
}

TEST_F(PgSource, ConnectTestReportsVersionAndLatency) {
  auto source = make_source(source_params("whatever"));
  std::string line = source->test_connection();
  EXPECT_NE(line.find("PostgreSQL 1"), std::string::npos) << line;
  EXPECT_NE(line.find("round trip"), std::string::npos) << line;
  EXPECT_EQ(line.find(env("PGPASSWORD")), std::string::npos) << line;
}

TEST_F(PgSource, ConnectionsArePooledAcrossSources) {
  create_accounts(100);
  auto params = source_params("accounts", {{"partitions", "off"}});
  Duck duck;
  duck.load("a", make_source(params));
  auto count = [&] {
    return admin->value("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app() + "'");
  };
  const std::string after_first = count();
  duck.load("b", make_source(params));
  duck.load("c", make_source(params));
  EXPECT_EQ(count(), after_first);
  EXPECT_EQ(after_first, "1");
}

TEST_F(PgSource, DroppedIdleConnectionIsReplacedBeforeAnyRowIsHandedOn) {
  create_accounts(20000);
  auto source = make_source(source_params("accounts", {{"partitions", 4}, {"max_connections", 3}}));
  ASSERT_EQ(source->partition_count(), 4u);
  std::vector<LogicalType> types = {LogicalType::of(DUCKDB_TYPE_INTEGER)};
  DataChunk chunk(types);
  size_t total = 0;
  auto r0 = source->open(0, {0});
  size_t n = r0->next(chunk);  // partition 0 streams on the exporting connection
  ASSERT_GT(n, 0u);
  total += n;
  {
    auto r1 = source->open(1, {0});
    chunk.reset();
    while ((n = r1->next(chunk)) > 0) {
      total += n;
      chunk.reset();
    }
  }
  // r1's connection waits idle in the snapshot's transaction: kill it.
  auto idle = backends("idle in transaction", "%ctid >= %");
  ASSERT_EQ(idle.size(), 1u);
  terminate(idle[0]);
  for (size_t p : {2, 3}) {
    auto r = source->open(p, {0});
    chunk.reset();
    while ((n = r->next(chunk)) > 0) {
      total += n;
      chunk.reset();
    }
  }
  chunk.reset();
  while ((n = r0->next(chunk)) > 0) {
    total += n;
    chunk.reset();
  }
  EXPECT_EQ(total, 20000u);
}

TEST_F(PgSource, ConnectionDroppedMidPartitionFailsRetryably) {
  auto source = make_source(
      merged(conn_params(app()),
             {{"query", "SELECT g, repeat('y', 200) AS pad FROM generate_series(1, 2000000) g"}}));
  std::vector<LogicalType> types = {LogicalType::of(DUCKDB_TYPE_INTEGER)};
  DataChunk chunk(types);
  auto reader = source->open(0, {0});
  ASSERT_GT(reader->next(chunk), 0u);
  auto active = backends("active");
  ASSERT_EQ(active.size(), 1u);
  terminate(active[0]);
  try {
    for (int i = 0; i < 100000; ++i) {
      chunk.reset();
      if (reader->next(chunk) == 0) break;
    }
    FAIL() << "expected the read to fail";
  } catch (const Error& e) {
    EXPECT_TRUE(e.retryable()) << e.what();
    EXPECT_NE(std::string(e.what()).find("retried whole"), std::string::npos) << e.what();
  }
}

TEST_F(PgSource, LoadFailingMidwayLeavesNoTableBehind) {
  create_accounts(30000);
  Duck duck(2);
  // A division by zero on the server for one row aborts that partition's COPY.
  admin->exec("CREATE VIEW " + q("bad") + " AS SELECT id, 1 / (id - 25000) AS boom FROM " + q("accounts"));
  auto bad = make_source(source_params("bad"));
  duck.catalog.add("bad", std::move(bad));
  duck.catalog.create_view(duck.con, "bad");
  duck.con.execute("BEGIN");
  EXPECT_THROW(duck.con.execute("CREATE TABLE t AS SELECT * FROM bad"), Error);
  duck.con.execute("ROLLBACK");
  EXPECT_EQ(
      test::query_value(duck.con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 't'"),
      "0");
}

}  // namespace

// A table has no row order to keep: read in partitions, a LOAD may insert its rows in any order
// (and so read the partitions in parallel). A query with ORDER BY keeps its order; preserve_order
// says otherwise either way.
TEST_F(PgSource, RowsAreUnorderedForPartitionedTablesAndQueriesWithoutOrderBy) {
  create_accounts(2000);
  auto unordered = [&](const nlohmann::json& params) { return make_source(params)->rows_unordered(); };
  EXPECT_TRUE(unordered(source_params("accounts", {{"partitions", 4}})));
  EXPECT_FALSE(unordered(source_params("accounts", {{"partitions", "off"}})));  // one partition
  EXPECT_FALSE(unordered(source_params("accounts", {{"partitions", 4}, {"preserve_order", true}})));
  auto query = [&](const std::string& sql, nlohmann::json extra = nlohmann::json::object()) {
    extra["query"] = sql;
    extra["partition_column"] = "id";
    extra["partitions"] = 4;
    return merged(conn_params(app()), extra);
  };
  const std::string from = " FROM " + q("accounts");
  EXPECT_TRUE(unordered(query("SELECT id, balance" + from)));
  EXPECT_FALSE(unordered(query("SELECT id, balance" + from + " ORDER BY id")));
  EXPECT_FALSE(unordered(query("select id, balance" + from + " order\n  -- newest first\n  by id desc")));
  EXPECT_FALSE(unordered(query("SELECT id, row_number() OVER (ORDER BY id) AS n" + from)));
  EXPECT_TRUE(unordered(query("SELECT id, 'order by' AS note, balance AS \"order by\"" + from)));
  EXPECT_TRUE(
      unordered(query("SELECT id /* ORDER BY id */, $$order by$$ AS t, $x$ order by $x$ AS u" + from)));
  EXPECT_TRUE(unordered(query("SELECT id, id AS border, balance AS order_by" + from)));
  EXPECT_FALSE(unordered(query("SELECT id, balance" + from + " ORDER BY id", {{"preserve_order", true}})));
  EXPECT_TRUE(unordered(query("SELECT id, balance" + from + " ORDER BY id", {{"preserve_order", false}})));
}
