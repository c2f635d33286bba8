// The planner: dependencies from DuckDB's parser, parallel groups, barriers, cycles.
#include "pipeline/planner.hpp"

#include <gtest/gtest.h>

using namespace sqlflow;
using namespace sqlflow::pipeline;

namespace {

Statement at(int line, StatementNode node) {
  return Statement{SourceLocation{"p.sf", line, 1}, std::move(node)};
}
Statement load(int line, std::string table, std::string source) {
  return at(line, LoadStmt{std::move(table), std::move(source), LoadMode::Replace, {}});
}
Statement create(int line, std::string table, std::string query) {
  CreateTableStmt c;
  c.table = std::move(table);
  c.query = std::move(query);
  return at(line, c);
}
Statement source(int line, std::string name) {
  SourceStmt s;
  s.name = std::move(name);
  s.type = "csv";
  return at(line, s);
}

const Step& step_named(const Plan& plan, const std::string& name) {
  for (const auto& s : plan.steps)
    if (s.name == name) return s;
  throw std::runtime_error("no step " + name);
}

}  // namespace

TEST(TableRefs, FromDuckDBsParserWithoutCtesOrFunctions) {
  TableRefExtractor refs;
  auto r = refs.reads(
      "WITH c AS (SELECT * FROM a JOIN s.b ON true) SELECT * FROM c, (SELECT 1 FROM D) x "
      "WHERE EXISTS (SELECT 1 FROM e) AND id IN (SELECT id FROM read_csv('f.csv'))");
  ASSERT_TRUE(r);
  std::set<TableRef> expected{{"", "a"}, {"s", "b"}, {"", "d"}, {"", "e"}};
  EXPECT_EQ(*r, expected);
  EXPECT_FALSE(refs.reads("INSERT INTO t VALUES (1)"));
  EXPECT_FALSE(refs.reads("SELEC broken"));
}

TEST(Planner, IndependentLoadsShareAGroupAndTransformsFollowTheirInputs) {
  TableRefExtractor refs;
  std::vector<Error> errors;
  Plan plan = make_plan({source(1, "s1"), source(2, "s2"), load(3, "t1", "s1"), load(4, "t2", "s2"),
                         create(5, "joined", "SELECT * FROM t1 JOIN t2 USING (id)"),
                         create(6, "other", "SELECT count(*) FROM t1")},
                        refs, errors);
  ASSERT_TRUE(errors.empty()) << errors[0].format();
  EXPECT_EQ(plan.sources.size(), 2u);
  ASSERT_EQ(plan.steps.size(), 4u);
  EXPECT_EQ(step_named(plan, "load t1").level, 0);
  EXPECT_EQ(step_named(plan, "load t2").level, 0);
  EXPECT_EQ(step_named(plan, "transform joined").level, 1);
  EXPECT_EQ(step_named(plan, "transform other").level, 1);
  EXPECT_EQ(step_named(plan, "transform joined").depends_on.size(), 2u);
  EXPECT_EQ(plan.levels(), 2);
}

TEST(Planner, ForwardReferencesAreOrderedByDependencyLikeSqlflow) {
  TableRefExtractor refs;
  std::vector<Error> errors;
  Plan plan = make_plan({create(1, "report", "SELECT * FROM staged"), create(2, "staged", "SELECT 1 AS x")},
                        refs, errors);
  ASSERT_TRUE(errors.empty());
  EXPECT_EQ(plan.steps[0].name, "transform staged");
  EXPECT_EQ(plan.steps[1].name, "transform report");
}

TEST(Planner, WritersOfOneTableKeepFileOrderAndReadersSeeTheRightVersion) {
  TableRefExtractor refs;
  std::vector<Error> errors;
  CreateTableStmt append;
  append.table = "t";
  append.mode = TransformMode::Append;
  append.query = "SELECT 2 AS x";
  Plan plan = make_plan({create(1, "t", "SELECT 1 AS x"), create(2, "snap", "SELECT * FROM t"), at(3, append),
                         create(4, "after", "SELECT * FROM t")},
                        refs, errors);
  ASSERT_TRUE(errors.empty());
  std::vector<std::string> order;
  for (const auto& s : plan.steps) order.push_back(s.name + "@" + std::to_string(s.statement.location.line));
  // snap reads t before the append; the append waits for snap (write after read).
  EXPECT_EQ(order, (std::vector<std::string>{"transform t@1", "transform snap@2", "transform t@3",
                                             "transform after@4"}));
}

TEST(Planner, UnparseableSqlIsABarrier) {
  TableRefExtractor refs;
  std::vector<Error> errors;
  Plan plan = make_plan({create(1, "a", "SELECT 1 AS x"), at(2, SqlStmt{"INSERT INTO a VALUES (2)"}),
                         create(3, "b", "SELECT 1 AS y")},
                        refs, errors);
  ASSERT_TRUE(errors.empty());
  const Step& insert = step_named(plan, "sql line 2");
  EXPECT_TRUE(insert.barrier);
  EXPECT_EQ(insert.writes, std::set<std::string>{"a"});
  EXPECT_EQ(step_named(plan, "transform b").depends_on, std::vector<size_t>{insert.id});
}

TEST(Planner, CyclesAndDuplicateSourcesAreErrors) {
  TableRefExtractor refs;
  std::vector<Error> errors;
  make_plan({create(1, "a", "SELECT * FROM b"), create(2, "b", "SELECT * FROM a")}, refs, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message().find("circular dependency"), std::string::npos) << errors[0].message();
  errors.clear();
  make_plan({source(1, "s"), source(2, "S")}, refs, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message().find("duplicate source definition"), std::string::npos);
}

// SQLFlow lets a table be defined again: definitions run in file order, a reader between two
// definitions sees the first, and a reader after both sees the second.
TEST(Planner, RedefinedTablesKeepTheirVersionsApart) {
  TableRefExtractor refs;
  std::vector<Error> errors;
  CreateTableStmt again;
  again.table = "X";
  again.or_replace = true;
  again.query = "SELECT 2";
  Plan plan = make_plan(
      {create(1, "x", "SELECT 1"), create(2, "early", "SELECT * FROM x"), at(3, again),
       create(4, "late", "SELECT * FROM x"), create(5, "y", "SELECT 1"), create(6, "y", "SELECT 2")},
      refs, errors);
  ASSERT_TRUE(errors.empty());
  const Step& first = step_named(plan, "transform x");
  const Step& second = step_named(plan, "transform X");
  const Step& early = step_named(plan, "transform early");
  const Step& late = step_named(plan, "transform late");
  EXPECT_EQ(early.depends_on, std::vector<size_t>{first.id});
  // The second definition waits for the reader of the first, and the later reader for it.
  EXPECT_NE(std::find(second.depends_on.begin(), second.depends_on.end(), early.id), second.depends_on.end());
  EXPECT_EQ(late.depends_on, std::vector<size_t>{second.id});
  // A plain CREATE TABLE twice is a warning naming both lines; CREATE OR REPLACE is not.
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_NE(plan.warnings[0].find("p.sf:6: table 'y' is created again (first at line 5)"), std::string::npos)
      << plan.warnings[0];
}

TEST(Planner, JsonPlanIsMachineReadable) {
  TableRefExtractor refs;
  std::vector<Error> errors;
  Plan plan = make_plan({source(1, "s"), load(2, "t", "s")}, refs, errors);
  std::string json = plan_to_json(plan, "p");
  EXPECT_NE(json.find("\"kind\": \"load\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"reads\": [\n        \"s\"\n      ]"), std::string::npos) << json;
}
