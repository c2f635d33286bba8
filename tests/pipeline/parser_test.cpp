// Parser and lexer properties the golden files do not show: locations, verbatim SQL text, the
// excerpt format, limits on hostile input, and large pipelines.
#include "pipeline/parser.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "pipeline/lexer.hpp"
#include "pipeline/resolver.hpp"

using namespace sqlflow;
using namespace sqlflow::pipeline;

namespace {

ParseResult ok(const std::string& text, const std::string& file = "t.sf") {
  ParseResult r = parse(text, file);
  for (const Error& e : r.errors) ADD_FAILURE() << format_with_excerpt(e, text);
  return r;
}

std::vector<TokenKind> kinds(const std::string& text) {
  std::vector<TokenKind> out;
  for (const Token& t : lex(text, "x").tokens) out.push_back(t.kind);
  return out;
}

TEST(Lexer, TokenKinds) {
  using K = TokenKind;
  EXPECT_EQ(kinds("LOAD raw_${env} FROM s;"),
            (std::vector<K>{K::Word, K::Word, K::Word, K::Word, K::Semicolon, K::End}));
  EXPECT_EQ(kinds("'a''b' \"c\" 3.5e2 $$x;$$ {\"k\": \"}\"} ( ) , ="),
            (std::vector<K>{K::String, K::String, K::Number, K::DollarString, K::Json, K::LParen, K::RParen,
                            K::Comma, K::Other, K::End}));
  EXPECT_EQ(kinds("-- comment ; \n /* a /* nested ; */ ; */ x"), (std::vector<K>{K::Word, K::End}));
  EXPECT_EQ(kinds("E'\\';' ;"), (std::vector<K>{K::Word, K::String, K::Semicolon, K::End}));
  EXPECT_EQ(kinds("$1 $a"), (std::vector<K>{K::Other, K::Number, K::Other, K::Word, K::End}));
}

TEST(Lexer, PositionsCountCodePointsAndSkipTheBom) {
  const LexResult r = lex("\xEF\xBB\xBF\xC3\xA9t\xC3\xA9 x\r\n  y", "x");
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.tokens.size(), 4u);
  EXPECT_EQ(r.tokens[0].text, "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(r.tokens[0].column, 1);
  EXPECT_EQ(r.tokens[1].column, 5);  // é t é and a space: four code points before it
  EXPECT_EQ(r.tokens[2].line, 2);
  EXPECT_EQ(r.tokens[2].column, 3);
  EXPECT_TRUE(r.tokens[2].space_before);
}

TEST(Lexer, UnquoteUndoesDoubledQuotes) {
  const LexResult r = lex("'it''s' \"a\"\"b\"", "x");
  EXPECT_EQ(unquote(r.tokens[0]), "it's");
  EXPECT_EQ(unquote(r.tokens[1]), "a\"b");
}

TEST(Parser, StatementLocationsAndFieldLocations) {
  const ParseResult r =
      ok("-- header\n"
         "SOURCE s TYPE csv PARAMS\n"
         "  {\"path\": \"a.csv\"};\n"
         "   LOAD t FROM s;\n"
         "CREATE TABLE x MODE APPEND AS\n"
         "    SELECT 1;\n"
         "EXPORT SELECT * FROM x\n"
         "TO \"o.csv\" TYPE csv OPTIONS {};\n"
         "IF a == 'b' THEN\n"
         "ELSE IF c == 'd' THEN\n"
         "END IF;\n");
  const auto& st = r.pipeline.statements;
  ASSERT_EQ(st.size(), 5u);
  EXPECT_EQ(st[0].location.file, "t.sf");
  EXPECT_EQ(st[0].location.line, 2);
  EXPECT_EQ(st[0].location.column, 1);
  const auto& src = std::get<SourceStmt>(st[0].node);
  EXPECT_EQ(src.params_location.line, 3);
  EXPECT_EQ(src.params_location.column, 3);
  EXPECT_EQ(st[1].location.line, 4);
  EXPECT_EQ(st[1].location.column, 4);
  const auto& c = std::get<CreateTableStmt>(st[2].node);
  EXPECT_EQ(c.query, "SELECT 1");
  EXPECT_EQ(c.query_location.line, 6);
  EXPECT_EQ(c.query_location.column, 5);
  const auto& e = std::get<ExportStmt>(st[3].node);
  EXPECT_EQ(e.query, "SELECT * FROM x");
  EXPECT_EQ(e.query_location.line, 7);
  EXPECT_EQ(e.query_location.column, 8);
  EXPECT_EQ(e.options_location.line, 8);
  EXPECT_EQ(e.options_text, "{}");
  const auto& i = std::get<IfStmt>(st[4].node);
  ASSERT_EQ(i.branches.size(), 2u);
  EXPECT_EQ(i.branches[0].location.line, 9);
  EXPECT_EQ(i.branches[1].location.line, 10);
  EXPECT_EQ(i.branches[1].condition, "c == 'd'");
}

TEST(Parser, SqlIsKeptVerbatimWithoutTheSemicolon) {
  const std::string sql = "SELECT a, -- why\n  'x;y' /* note; */ FROM t";
  const ParseResult r = ok("  " + sql + "  ;  \nSELECT 2;");
  ASSERT_EQ(r.pipeline.statements.size(), 2u);
  EXPECT_EQ(std::get<SqlStmt>(r.pipeline.statements[0].node).sql, sql);
  EXPECT_EQ(std::get<SqlStmt>(r.pipeline.statements[1].node).sql, "SELECT 2");
}

TEST(Parser, FieldsOfEachStatement) {
  const ParseResult r = ok(R"(
source Src type CSV params {"a": 1};
source P from "pg_main" options {"table": "t"};
load "My T" from Src mode upsert key ("k 1", k2);
create or replace table t mode incremental by ts lookback 3 hours as select 1;
export "My T" to 'o.csv' type csv;
set v = 'x';
include "lib/a.sf" as a;
)");
  const auto& st = r.pipeline.statements;
  ASSERT_EQ(st.size(), 7u);
  const auto& s0 = std::get<SourceStmt>(st[0].node);
  EXPECT_EQ(s0.name, "Src");
  EXPECT_EQ(s0.type, "CSV");
  EXPECT_FALSE(s0.from_profile);
  EXPECT_EQ(s0.params_text, "{\"a\": 1}");
  const auto& s1 = std::get<SourceStmt>(st[1].node);
  EXPECT_TRUE(s1.from_profile);
  EXPECT_EQ(s1.profile_connector, "pg_main");
  EXPECT_EQ(s1.type, "");
  const auto& l = std::get<LoadStmt>(st[2].node);
  EXPECT_EQ(l.table, "My T");
  EXPECT_EQ(l.mode, LoadMode::Upsert);
  EXPECT_EQ(l.keys, (std::vector<std::string>{"k 1", "k2"}));
  const auto& c = std::get<CreateTableStmt>(st[3].node);
  EXPECT_TRUE(c.or_replace);
  EXPECT_EQ(c.mode, TransformMode::Incremental);
  EXPECT_EQ(c.incremental_column, "ts");
  ASSERT_TRUE(c.lookback.has_value());
  EXPECT_EQ(c.lookback->amount, 3);
  EXPECT_EQ(c.lookback->unit, "HOURS");
  const auto& e = std::get<ExportStmt>(st[4].node);
  ASSERT_TRUE(e.table.has_value());
  EXPECT_EQ(*e.table, "My T");
  EXPECT_EQ(e.query, "SELECT * FROM \"My T\"");
  EXPECT_EQ(e.uri, "o.csv");
  EXPECT_EQ(std::get<SetStmt>(st[5].node).value, "x");
  EXPECT_EQ(std::get<IncludeStmt>(st[6].node).path, "lib/a.sf");
  EXPECT_EQ(std::get<IncludeStmt>(st[6].node).alias, "a");
}

TEST(Parser, CollectsAllErrorsAndKeepsValidStatements) {
  const ParseResult r =
      parse("LOAD a FRM s;\nSELECT 1;\nLOAD b FROM s MODE UPSERT;\nLOAD c FROM s;\n", "m.sf");
  ASSERT_EQ(r.errors.size(), 2u);
  for (const Error& e : r.errors) {
    EXPECT_EQ(e.kind(), ErrorKind::Parse);
    ASSERT_TRUE(e.location().has_value());
    EXPECT_EQ(e.location()->file, "m.sf");
    EXPECT_FALSE(e.hint().empty());
  }
  EXPECT_EQ(r.errors[0].location()->line, 1);
  EXPECT_EQ(r.errors[1].location()->line, 3);
  EXPECT_EQ(r.errors[1].message(), "UPSERT mode requires KEY to be specified (found ';')");
  EXPECT_EQ(r.pipeline.statements.size(), 2u);  // SELECT 1 and LOAD c
}

TEST(Excerpt, CaretUnderTheColumnWithTabsAndUtf8) {
  const std::string text = "SELECT 1;\n\tLOAD \"\xC3\xA9\xC3\xA9\" FRM s;\n";
  const ParseResult r = parse(text, "e.sf");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].location()->column, 12);
  EXPECT_EQ(format_with_excerpt(r.errors[0], text),
            "e.sf:2:12: error: expected FROM after the table name, found 'FRM'\n"
            "  2 | \tLOAD \"\xC3\xA9\xC3\xA9\" FRM s;\n"
            "    | \t          ^\n"
            "  hint: LOAD table FROM source [MODE REPLACE|APPEND|UPSERT KEY (k, …)];\n");
}

TEST(Excerpt, WithoutLocationOrOutsideTheText) {
  const Error plain = validation_error("boom", "do this");
  EXPECT_EQ(format_with_excerpt(plain, "x"), "error: boom\n  hint: do this\n");
  const Error far = parse_error("late", {"f.sf", 99, 3});
  EXPECT_EQ(format_with_excerpt(far, "one line"), "f.sf:99:3: error: late\n");
}

TEST(Excerpt, LongLinesAreWindowed) {
  const std::string text = "SELECT '" + std::string(5000, 'x') + "' AS v; LOAD t FRM s;";
  const ParseResult r = parse(text, "l.sf");
  ASSERT_EQ(r.errors.size(), 1u);
  const std::string out = format_with_excerpt(r.errors[0], text);
  EXPECT_LT(out.size(), 600u);
  EXPECT_NE(out.find("…x"), std::string::npos);
  // The caret still sits under FRM.
  const std::size_t line_start = out.find("  1 | ") + 6;
  const std::size_t caret_line = out.find("    | ") + 6;
  const std::string shown = out.substr(line_start, out.find('\n', line_start) - line_start);
  const std::size_t caret = out.find('^', caret_line) - caret_line;
  // One display column for "…" (3 bytes): compare in code points.
  std::size_t cp = 0, i = 0;
  for (; i < shown.size() && cp < caret; ++i)
    if ((static_cast<unsigned char>(shown[i]) & 0xC0) != 0x80) ++cp;
  EXPECT_EQ(shown.substr(i, 3), "FRM");
}

TEST(Hostile, DeepIfNestingStopsWithAClearError) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "IF a == 'b' THEN\n";
  const ParseResult r = parse(text, "deep.sf");
  ASSERT_FALSE(r.errors.empty());
  EXPECT_NE(r.errors[0].message().find("nested more than 64 levels"), std::string::npos);
  // Depth 64 itself is fine, and resolves.
  std::string ok_text;
  for (int i = 0; i < kMaxIfNesting; ++i) ok_text += "IF 'a' == 'a' THEN\n";
  ok_text += "SELECT 'deepest';\n";
  for (int i = 0; i < kMaxIfNesting; ++i) ok_text += "END IF;\n";
  const ParseResult good = ok(ok_text);
  VariableSources vars;
  vars.use_environment = false;
  const ResolveResult resolved = resolve(good.pipeline, vars);
  ASSERT_EQ(resolved.statements.size(), 1u);
  EXPECT_EQ(std::get<SqlStmt>(resolved.statements[0].node).sql, "SELECT 'deepest'");
}

TEST(Hostile, LongElseIfChainsAreIterative) {
  std::string text = "IF x == 0 THEN SELECT 0;\n";
  for (int i = 1; i < 20000; ++i)
    text += "ELSE IF x == " + std::to_string(i) + " THEN SELECT " + std::to_string(i) + ";\n";
  text += "END IF;\n";
  const ParseResult r = ok(text);
  ASSERT_EQ(r.pipeline.statements.size(), 1u);
  EXPECT_EQ(std::get<IfStmt>(r.pipeline.statements[0].node).branches.size(), 20000u);
}

TEST(Hostile, ErrorFloodIsCapped) {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "LOAD t FRM s;\n${\n";
  const ParseResult r = parse(text, "flood.sf");
  EXPECT_EQ(r.errors.size(), kMaxErrors + 1);
  EXPECT_NE(r.errors.back().message().find("too many errors"), std::string::npos);
}

TEST(Hostile, RandomBytesNeverThrow) {
  std::mt19937 rng(12345);
  static const char kAlphabet[] =
      "LOADFROMSETIFTHENELSE END;{}()'\"$-/*\n\t ,=<>!|&${}xyz019\xC3\xA9\x00\xFF";
  const std::string alphabet(kAlphabet, sizeof(kAlphabet) - 1);  // keeps the NUL byte
  for (int round = 0; round < 300; ++round) {
    std::string text;
    const int n = static_cast<int>(rng() % 400);
    for (int i = 0; i < n; ++i) {
      if (rng() % 4 == 0) {
        static const char* words[] = {"SOURCE ", "LOAD ",  "EXPORT ", "SET ",  "INCLUDE ",      "IF ",
                                      "THEN ",   "ELSE ",  "END IF",  "ENDIF", "CREATE TABLE ", "MODE ",
                                      "UPSERT ", "KEY ",   "TO ",     "TYPE ", "PARAMS ",       "OPTIONS ",
                                      "AS ",     "${v|1}", "$$"};
        text += words[rng() % (sizeof(words) / sizeof(words[0]))];
      } else {
        text += alphabet[rng() % alphabet.size()];
      }
    }
    ParseResult r;
    ASSERT_NO_THROW(r = parse(text, "rnd.sf")) << text;
    for (const Error& e : r.errors) {
      ASSERT_TRUE(e.location().has_value());
      EXPECT_GE(e.location()->line, 1);
      const std::string shown = format_with_excerpt(e, text);
      EXPECT_EQ(shown.find('\0'), std::string::npos);
    }
    (void)dump(r.pipeline);
  }
}

TEST(Scale, ThousandsOfStatementsParseAndResolve) {
  // 20,000 statements of every kind; a quadratic step would make this test crawl.
  std::string text;
  for (int i = 0; i < 4000; ++i) {
    const std::string n = std::to_string(i);
    text +=
        "SOURCE s" + n + " TYPE csv PARAMS {\"path\": \"${dir|data}/f" + n + ".csv\", \"header\": true};\n";
    text += "LOAD t" + n + " FROM s" + n + " MODE UPSERT KEY (id);\n";
    text += "CREATE TABLE c" + n + " AS SELECT * FROM t" + n + " WHERE note <> 'a;b';\n";
    text += "EXPORT SELECT * FROM c" + n + " TO \"out/" + n + ".csv\" TYPE csv OPTIONS {\"header\": true};\n";
    text += "IF ${flag|true} == 'true' THEN SELECT " + n + "; END IF;\n";
  }
  const ParseResult r = ok(text);
  ASSERT_EQ(r.pipeline.statements.size(), 20000u);
  VariableSources vars;
  vars.use_environment = false;
  const ResolveResult resolved = resolve(r.pipeline, vars);
  EXPECT_TRUE(resolved.errors.empty());
  ASSERT_EQ(resolved.statements.size(), 20000u);
  EXPECT_EQ(std::get<SourceStmt>(resolved.statements[19995].node).params["path"], "data/f3999.csv");
  EXPECT_EQ(std::get<SqlStmt>(resolved.statements[19999].node).sql, "SELECT 3999");
  EXPECT_EQ(dump(r.pipeline).size() > text.size() / 2, true);
}

TEST(Scale, HugeSingleStatement) {
  // One 2 MB SELECT with 100,000 string literals.
  std::string text = "SELECT ";
  for (int i = 0; i < 100000; ++i) text += "'v;" + std::to_string(i) + "', ";
  text += "1;";
  const ParseResult r = ok(text);
  ASSERT_EQ(r.pipeline.statements.size(), 1u);
  EXPECT_EQ(std::get<SqlStmt>(r.pipeline.statements[0].node).sql.size(), text.size() - 1);
}

}  // namespace
