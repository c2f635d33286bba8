// Grammar: SQLFlow's .sf language as implemented by the Python original's
// sqlflow/parser/parser.py (statement forms, error texts), with SQL statements kept verbatim
// instead of re-joined from tokens, so DuckDB sees exactly what the user wrote.
#include "pipeline/parser.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <system_error>
#include <utility>

#include "core/quote.hpp"
#include "pipeline/lexer.hpp"

namespace sqlflow::pipeline {

namespace {

namespace fs = std::filesystem;

// Thrown inside the parser to unwind a broken statement to the block loop, which records the
// error and resumes at the next ';'.
struct SyntaxError {
  Error error;
  std::size_t token;  // index of the offending token
};
// Thrown to stop parsing altogether (nesting too deep, too many errors).
struct StopParsing {};

enum class Terminator { None, ElseIf, Else, EndIf };

Error too_many_errors(SourceLocation at);

// A name: a Word made of [A-Za-z0-9_] and ${…} references (raw_${env}), not starting with a digit.
bool is_name_word(std::string_view text) {
  if (text.empty()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      const std::size_t close = text.find('}', i);
      if (close == std::string_view::npos) return false;
      i = close;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& file, const std::vector<Token>& tokens,
         std::vector<Error>& errors, bool truncated)
      : text_(text), file_(file), tokens_(tokens), errors_(errors), truncated_(truncated) {}

  std::vector<Statement> run() {
    try {
      block(0, false, top_);
    } catch (const StopParsing&) {
    }
    return std::move(top_);
  }

 private:
  // --- token access -------------------------------------------------------------------------

  const Token& peek(std::size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& next() {
    const Token& t = tokens_[pos_];
    if (t.kind != TokenKind::End) ++pos_;
    return t;
  }
  bool at(TokenKind kind) const { return peek().kind == kind; }
  bool is_equals(const Token& t) const { return t.kind == TokenKind::Other && t.text == "="; }

  std::size_t index_of(const Token& t) const { return static_cast<std::size_t>(&t - tokens_.data()); }

  // Where a token is; for the end of input, just past the last real token (where the missing
  // ';' or END IF belongs), as compilers do.
  SourceLocation location_of(const Token& t) const {
    const std::size_t i = index_of(t);
    if (t.kind == TokenKind::End && i > 0) {
      const Token& prev = tokens_[i - 1];
      return advance_location(SourceLocation{file_, prev.line, prev.column}, prev.text, prev.text.size());
    }
    return SourceLocation{file_, t.line, t.column};
  }

  static std::string found(const Token& t) {
    switch (t.kind) {
      case TokenKind::End:
        return "end of file";
      case TokenKind::Semicolon:
        return "';'";
      case TokenKind::String:
        return "string " + printable(t.text, 40);
      case TokenKind::Json:
        return "a { … } block";
      case TokenKind::DollarString:
        return "a dollar-quoted string";
      default:
        return "'" + printable(t.text, 40) + "'";
    }
  }

  std::string_view source(std::size_t begin, std::size_t end) const {
    return text_.substr(begin, end - begin);
  }

  // Tokens [first, last] joined with one space where the source had whitespace or a comment
  // (comments dropped, strings kept verbatim): IF conditions and SET values.
  std::string join(std::size_t first, std::size_t last) const {
    std::string out;
    for (std::size_t k = first; k <= last; ++k) {
      if (k > first && tokens_[k].space_before) out += ' ';
      out.append(tokens_[k].text);
    }
    return out;
  }

  // --- errors -------------------------------------------------------------------------------

  [[noreturn]] void fail(const Token& at, std::string message, std::string hint) const {
    throw SyntaxError{parse_error(std::move(message), location_of(at), std::move(hint)), index_of(at)};
  }

  void record(Error e) {
    if (errors_.size() >= kMaxErrors) {
      errors_.push_back(too_many_errors(location_of(peek())));
      throw StopParsing{};
    }
    errors_.push_back(std::move(e));
  }

  bool starts_line(std::size_t i) const { return i == 0 || tokens_[i].line > tokens_[i - 1].line; }

  static bool is_statement_keyword(const Token& t) {
    return t.is("SOURCE") || t.is("LOAD") || t.is("EXPORT") || t.is("SET") || t.is("INCLUDE") || t.is("IF") ||
           t.is("CREATE") || t.is("ELSE") || t.is("ELSEIF") || t.is("ENDIF") || t.is("END");
  }

  // After an error: resume at the next statement. Usually that is after the next ';', but when
  // the offending token is a statement keyword opening a new line, the user most likely forgot a
  // ';', so parsing resumes right there instead of swallowing the next statement.
  void recover(std::size_t offending) {
    if (offending >= pos_ && offending < tokens_.size() && is_statement_keyword(tokens_[offending]) &&
        starts_line(offending) && tokens_[offending].kind != TokenKind::End) {
      pos_ = offending;
      return;
    }
    while (!at(TokenKind::End) && !at(TokenKind::Semicolon)) next();
    if (at(TokenKind::Semicolon)) next();
  }

  // --- blocks -------------------------------------------------------------------------------

  Terminator terminator(std::size_t* length = nullptr) const {
    std::size_t n = 1;
    Terminator t = Terminator::None;
    if (peek().is("ELSEIF")) {
      t = Terminator::ElseIf;
    } else if (peek().is("ELSE")) {
      // ELSE IF on one line continues the chain; an IF on a later line opens a nested block
      // in the ELSE branch (with its own END IF).
      t = peek(1).is("IF") && peek(1).line == peek().line ? Terminator::ElseIf : Terminator::Else;
      if (t == Terminator::ElseIf) n = 2;
    } else if (peek().is("ENDIF")) {
      t = Terminator::EndIf;
    } else if (peek().is("END") && peek(1).is("IF")) {
      t = Terminator::EndIf;
      n = 2;
    }
    if (length) *length = n;
    return t;
  }

  // Statements until the end of input or, inside IF bodies, ELSE / ELSE IF / END IF.
  void block(int depth, bool in_if, std::vector<Statement>& out) {
    while (!at(TokenKind::End)) {
      if (terminator() != Terminator::None) {
        if (in_if) return;
        stray_terminator();
        continue;
      }
      if (at(TokenKind::Semicolon)) {  // empty statement
        next();
        continue;
      }
      try {
        out.push_back(statement(depth));
      } catch (SyntaxError& e) {
        if (!(truncated_ && tokens_[e.token].kind == TokenKind::End)) record(std::move(e.error));
        recover(e.token);
      }
    }
  }

  void stray_terminator() {
    std::size_t n = 0;
    const Terminator t = terminator(&n);
    const Token& kw = peek();
    const char* what = t == Terminator::Else ? "ELSE" : t == Terminator::ElseIf ? "ELSE IF" : "END IF";
    Error e = parse_error(std::string(what) + " without a matching IF", location_of(kw), syntax::kIf);
    for (std::size_t k = 0; k < n; ++k) next();
    if (t == Terminator::ElseIf) {  // skip its condition too
      std::size_t k = pos_;
      while (tokens_[k].kind != TokenKind::End && tokens_[k].kind != TokenKind::Semicolon &&
             !tokens_[k].is("THEN"))
        ++k;
      if (tokens_[k].is("THEN")) pos_ = k + 1;
    } else if (t == Terminator::EndIf && at(TokenKind::Semicolon)) {
      next();
    }
    record(std::move(e));
  }

  Statement statement(int depth) {
    const Token& t = peek();
    Statement s;
    s.location = location_of(t);
    if (t.is("SOURCE")) {
      s.node = source_statement();
    } else if (t.is("LOAD")) {
      s.node = load_statement();
    } else if (t.is("EXPORT")) {
      // DuckDB's own EXPORT DATABASE 'dir' passes through.
      if (peek(1).is("DATABASE") && peek(2).kind == TokenKind::String)
        s.node = sql_statement();
      else
        s.node = export_statement();
    } else if (t.is("SET")) {
      // DuckDB's SET GLOBAL/SESSION/LOCAL/VARIABLE x = … passes through; SET x = … is a variable.
      const Token& scope = peek(1);
      const bool duckdb_form =
          (scope.is("GLOBAL") || scope.is("SESSION") || scope.is("LOCAL") || scope.is("VARIABLE")) &&
          peek(2).kind == TokenKind::Word;
      if (duckdb_form)
        s.node = sql_statement();
      else
        s.node = set_statement();
    } else if (t.is("INCLUDE")) {
      s.node = include_statement();
    } else if (t.is("IF")) {
      s.node = if_statement(depth);
    } else if (t.is("CREATE")) {
      s.node = create_statement();
    } else {
      s.node = sql_statement();
    }
    return s;
  }

  // --- pieces -------------------------------------------------------------------------------

  void end_statement(const char* statement, const char* hint) {
    if (at(TokenKind::Semicolon)) {
      next();
      return;
    }
    fail(peek(),
         std::string("expected ';' at the end of the ") + statement + " statement, found " + found(peek()),
         hint);
  }

  bool is_quoted_name(const Token& t) const { return t.kind == TokenKind::String && t.quote == '"'; }
  bool is_name(const Token& t, bool allow_quoted) const {
    return (t.kind == TokenKind::Word && is_name_word(t.text)) || (allow_quoted && is_quoted_name(t));
  }

  // A name: identifier (may hold ${…}); for tables and columns also a "quoted identifier".
  std::string name(const std::string& what, const char* hint, bool allow_quoted) {
    const Token& t = peek();
    if (t.kind == TokenKind::Word && is_name_word(t.text)) {
      next();
      return std::string(t.text);
    }
    if (allow_quoted && is_quoted_name(t)) {
      std::string n = unquote(t);
      if (n.empty()) fail(t, "expected " + what + ", found an empty quoted name", hint);
      if (n.find('\0') != std::string::npos) fail(t, "a name may not contain a NUL byte", hint);
      next();
      return n;
    }
    std::string message = "expected " + what + ", found " + found(t);
    if (t.kind == TokenKind::Word)
      message += " (names are letters, digits and _" + std::string(allow_quoted ? ", or \"quoted\")" : ")");
    fail(t, std::move(message), hint);
  }

  std::string json_block(const char* after, const char* hint, SourceLocation* where) {
    const Token& t = peek();
    if (t.kind != TokenKind::Json)
      fail(t, std::string("expected a { … } JSON block after ") + after + ", found " + found(t), hint);
    next();
    *where = location_of(t);
    return std::string(t.text);
  }

  // KEY (k1, k2) or KEY k1, k2 — the KEY keyword already consumed.
  std::vector<std::string> key_list(const char* hint) {
    std::vector<std::string> keys;
    if (at(TokenKind::LParen)) {
      next();
      while (true) {
        keys.push_back(name("a key column", hint, true));
        if (at(TokenKind::Comma)) {
          next();
        } else if (at(TokenKind::RParen)) {
          next();
          break;
        } else {
          fail(peek(), "expected ',' or ')' in the KEY list, found " + found(peek()), hint);
        }
      }
    } else {
      keys.push_back(name("a key column after KEY", hint, true));
      while (at(TokenKind::Comma)) {
        next();
        keys.push_back(name("a key column", hint, true));
      }
    }
    return keys;
  }

  // --- statements ---------------------------------------------------------------------------

  SourceStmt source_statement() {
    next();  // SOURCE
    SourceStmt s;
    s.name = name("a source name after SOURCE", syntax::kSource, false);
    const Token& t = peek();
    if (t.is("FROM")) {
      next();
      const Token& c = peek();
      if (c.kind != TokenKind::String)
        fail(c, "expected the profile connector name as a string after FROM, found " + found(c),
             syntax::kSourceFrom);
      next();
      s.from_profile = true;
      s.profile_connector = unquote(c);
      if (at_keyword("TYPE"))
        fail(peek(), "cannot mix FROM and TYPE in SOURCE: a profile connector's type comes from the profile",
             syntax::kSource);
      if (at_keyword("PARAMS"))
        fail(peek(),
             "cannot use PARAMS with FROM: override the profile connector's params with OPTIONS { … }",
             syntax::kSourceFrom);
      if (at_keyword("OPTIONS")) {
        next();
        s.params_text = json_block("OPTIONS", syntax::kSourceFrom, &s.params_location);
      }
      if (at_keyword("PARAMS"))
        fail(peek(),
             "cannot use PARAMS with FROM: override the profile connector's params with OPTIONS { … }",
             syntax::kSourceFrom);
      end_statement("SOURCE", syntax::kSourceFrom);
    } else if (t.is("TYPE")) {
      next();
      s.type = name("a connector type after TYPE", syntax::kSourceType, false);
      if (at_keyword("FROM"))
        fail(peek(),
             "cannot mix TYPE and FROM in SOURCE: use TYPE … PARAMS { … } or FROM \"…\" OPTIONS { … }",
             syntax::kSource);
      if (at_keyword("OPTIONS"))
        fail(peek(), "cannot use OPTIONS with TYPE: an inline source takes PARAMS { … }",
             syntax::kSourceType);
      if (!at_keyword("PARAMS"))
        fail(peek(), "expected PARAMS after the connector type, found " + found(peek()), syntax::kSourceType);
      next();
      s.params_text = json_block("PARAMS", syntax::kSourceType, &s.params_location);
      if (at_keyword("OPTIONS"))
        fail(peek(), "cannot use OPTIONS with TYPE: an inline source takes PARAMS { … }",
             syntax::kSourceType);
      end_statement("SOURCE", syntax::kSourceType);
    } else {
      fail(t, "expected TYPE or FROM after the source name, found " + found(t), syntax::kSource);
    }
    return s;
  }

  bool at_keyword(std::string_view kw) const { return peek().is(kw); }

  LoadStmt load_statement() {
    next();  // LOAD
    LoadStmt l;
    l.table = name("a table name after LOAD", syntax::kLoad, true);
    if (!at_keyword("FROM"))
      fail(peek(), "expected FROM after the table name, found " + found(peek()), syntax::kLoad);
    next();
    l.source = name("a source name after FROM", syntax::kLoad, false);
    if (at_keyword("MODE")) {
      next();
      l.mode_explicit = true;
      const Token& m = peek();
      if (m.is("REPLACE")) {
        next();
        l.mode = LoadMode::Replace;
      } else if (m.is("APPEND")) {
        next();
        l.mode = LoadMode::Append;
      } else if (m.is("UPSERT")) {
        next();
        l.mode = LoadMode::Upsert;
        if (!at_keyword("KEY"))
          fail(peek(), "UPSERT mode requires KEY to be specified (found " + found(peek()) + ")",
               syntax::kLoad);
        next();
        l.keys = key_list(syntax::kLoad);
      } else if (m.is("INCREMENTAL")) {
        fail(m,
             "LOAD supports MODE REPLACE, APPEND or UPSERT, not INCREMENTAL (that is a CREATE TABLE … MODE)",
             syntax::kLoad);
      } else {
        fail(m, "expected REPLACE, APPEND or UPSERT after MODE, found " + found(m), syntax::kLoad);
      }
    }
    end_statement("LOAD", syntax::kLoad);
    return l;
  }

  // CREATE [OR REPLACE] TABLE name AS|MODE … is ours; any other CREATE goes to DuckDB as is.
  StatementNode create_statement() {
    std::size_t i = 1;
    const bool or_replace = peek(1).is("OR") && peek(2).is("REPLACE");
    if (or_replace) i = 3;
    if (!peek(i).is("TABLE") || !is_name(peek(i + 1), true) ||
        !(peek(i + 2).is("AS") || peek(i + 2).is("MODE")))
      return sql_statement();
    for (std::size_t k = 0; k < i + 1; ++k) next();  // CREATE [OR REPLACE] TABLE
    CreateTableStmt c;
    c.or_replace = or_replace;
    c.table = name("a table name after TABLE", syntax::kCreate, true);
    if (at_keyword("MODE")) {
      next();
      const Token& m = peek();
      if (m.is("REPLACE")) {
        c.mode = TransformMode::Replace;
      } else if (m.is("APPEND")) {
        c.mode = TransformMode::Append;
      } else if (m.is("UPSERT")) {
        c.mode = TransformMode::Upsert;
      } else if (m.is("INCREMENTAL")) {
        c.mode = TransformMode::Incremental;
      } else {
        fail(m, "invalid MODE " + found(m) + ": expected REPLACE, APPEND, UPSERT or INCREMENTAL",
             syntax::kCreate);
      }
      next();
      if (c.mode == TransformMode::Upsert) {
        if (!at_keyword("KEY"))
          fail(peek(), "UPSERT mode requires KEY to be specified (found " + found(peek()) + ")",
               syntax::kCreate);
        next();
        c.keys = key_list(syntax::kCreate);
      } else if (c.mode == TransformMode::Incremental) {
        if (!at_keyword("BY"))
          fail(peek(), "INCREMENTAL mode requires BY <column> (found " + found(peek()) + ")",
               syntax::kCreate);
        next();
        c.incremental_column = name("a column after BY", syntax::kCreate, true);
        if (at_keyword("LOOKBACK")) c.lookback = lookback();
      }
      if (at_keyword("LOOKBACK") && c.mode != TransformMode::Incremental)
        fail(peek(), "LOOKBACK can only be used with INCREMENTAL mode", syntax::kCreate);
      if (at_keyword("KEY") && c.mode != TransformMode::Upsert)
        fail(peek(), "KEY can only be used with UPSERT mode", syntax::kCreate);
      if (at_keyword("BY") && c.mode != TransformMode::Incremental)
        fail(peek(), "BY can only be used with INCREMENTAL mode", syntax::kCreate);
      if (!at_keyword("AS"))
        fail(peek(), "expected AS after the MODE clause, found " + found(peek()), syntax::kCreate);
    }
    next();  // AS
    if (at(TokenKind::Semicolon) || at(TokenKind::End))
      fail(peek(), "expected a query after AS, found " + found(peek()), syntax::kCreate);
    const Token& first = peek();
    while (!at(TokenKind::Semicolon) && !at(TokenKind::End)) next();
    c.query_location = location_of(first);
    c.query = std::string(source(first.offset, tokens_[pos_ - 1].end()));
    end_statement("CREATE TABLE", syntax::kCreate);
    return c;
  }

  Lookback lookback() {
    next();  // LOOKBACK
    const Token& n = peek();
    Lookback lb;
    bool ok = n.kind == TokenKind::Number && n.text.size() <= 6 &&
              n.text.find_first_not_of("0123456789") == std::string_view::npos;
    if (ok) {
      lb.amount = std::stoi(std::string(n.text));
      ok = lb.amount > 0;
    }
    if (!ok)
      fail(n, "expected a whole number (1 to 999999) after LOOKBACK, found " + found(n), syntax::kCreate);
    next();
    const Token& u = peek();
    if (u.is("DAYS") || u.is("DAY")) {
      lb.unit = "DAYS";
    } else if (u.is("HOURS") || u.is("HOUR")) {
      lb.unit = "HOURS";
    } else {
      fail(u, "expected DAYS or HOURS after the LOOKBACK amount, found " + found(u), syntax::kCreate);
    }
    next();
    return lb;
  }

  ExportStmt export_statement() {
    next();  // EXPORT
    ExportStmt e;
    const Token& a = peek();
    if (is_name(a, true) && peek(1).is("TO")) {
      e.query_location = location_of(a);
      e.table = name("a table name after EXPORT", syntax::kExport, true);
      e.query = "SELECT * FROM " + quote_identifier(*e.table);
      next();  // TO
    } else {
      // The query may hold anything (subqueries, strings saying TO); the clause is the first
      // TO followed by a string outside parentheses.
      std::size_t j = pos_, to = 0, bare_to = 0;
      int depth = 0;
      for (; tokens_[j].kind != TokenKind::End && tokens_[j].kind != TokenKind::Semicolon; ++j) {
        const Token& t = tokens_[j];
        if (t.kind == TokenKind::LParen) ++depth;
        if (t.kind == TokenKind::RParen && depth > 0) --depth;
        if (depth == 0 && t.is("TO")) {
          if (tokens_[j + 1].kind == TokenKind::String) {
            to = j;
            break;
          }
          if (bare_to == 0) bare_to = j;
        }
      }
      if (to == 0) {
        if (bare_to != 0)
          fail(tokens_[bare_to + 1],
               "expected the destination URI as a string after TO, found " + found(tokens_[bare_to + 1]),
               syntax::kExport);
        fail(tokens_[j],
             "expected TO \"uri\" TYPE connector_type after the EXPORT query, found " + found(tokens_[j]),
             syntax::kExport);
      }
      if (to == pos_)
        fail(peek(), "expected a query or a table name after EXPORT, found 'TO'", syntax::kExport);
      e.query_location = location_of(peek());
      e.query = std::string(source(peek().offset, tokens_[to - 1].end()));
      pos_ = to + 1;
    }
    const Token& u = peek();
    if (u.kind != TokenKind::String)
      fail(u, "expected the destination URI as a string after TO, found " + found(u), syntax::kExport);
    next();
    e.uri = unquote(u);
    if (!at_keyword("TYPE"))
      fail(peek(), "expected TYPE after the destination URI, found " + found(peek()), syntax::kExport);
    next();
    e.type = name("a connector type after TYPE", syntax::kExport, false);
    if (at_keyword("OPTIONS")) {
      next();
      e.options_text = json_block("OPTIONS", syntax::kExport, &e.options_location);
    }
    end_statement("EXPORT", syntax::kExport);
    return e;
  }

  SetStmt set_statement() {
    next();  // SET
    SetStmt s;
    const Token& n = peek();
    if (n.kind != TokenKind::Word || !is_identifier(n.text))
      fail(n, "expected a variable name after SET, found " + found(n), syntax::kSet);
    next();
    s.name = std::string(n.text);
    if (!is_equals(peek()))
      fail(peek(), "expected '=' after the variable name, found " + found(peek()), syntax::kSet);
    next();
    const std::size_t first = pos_;
    while (!at(TokenKind::Semicolon) && !at(TokenKind::End)) next();
    if (pos_ == first) fail(peek(), "expected a value after '=', found " + found(peek()), syntax::kSet);
    const Token& only = tokens_[first];
    if (pos_ == first + 1 && only.kind == TokenKind::String)
      s.value = unquote(only);
    else
      s.value = join(first, pos_ - 1);
    end_statement("SET", syntax::kSet);
    return s;
  }

  IncludeStmt include_statement() {
    next();  // INCLUDE
    IncludeStmt inc;
    const Token& p = peek();
    if (p.kind != TokenKind::String)
      fail(p, "expected the file path as a string after INCLUDE, found " + found(p), syntax::kInclude);
    inc.path = unquote(p);
    if (inc.path.empty()) fail(p, "the INCLUDE path is empty", syntax::kInclude);
    next();
    if (at_keyword("AS")) {
      next();
      const Token& a = peek();
      if (a.kind != TokenKind::Word || !is_identifier(a.text))
        fail(a, "expected an alias after AS, found " + found(a), syntax::kInclude);
      next();
      inc.alias = std::string(a.text);
    }
    end_statement("INCLUDE", syntax::kInclude);
    return inc;
  }

  IfStmt if_statement(int depth) {
    if (depth >= kMaxIfNesting) {
      errors_.push_back(parse_error(
          "IF blocks are nested more than " + std::to_string(kMaxIfNesting) + " levels deep; stopping here",
          location_of(peek()), "flatten the conditions (combine them with and / or)"));
      throw StopParsing{};
    }
    const Token& kw = next();  // IF
    const int if_line = kw.line;
    IfStmt st;
    st.branches.push_back(branch(kw, depth));
    while (true) {
      std::size_t n = 0;
      const Terminator t = terminator(&n);
      if (t == Terminator::ElseIf) {
        // Misplaced branches are reported and parsed (then dropped), so the block still ends
        // at its END IF instead of leaving stray keywords behind.
        const bool misplaced = st.otherwise.has_value();
        if (misplaced)
          record(parse_error("ELSE IF after ELSE: the ELSE branch must come last", location_of(peek()),
                             syntax::kIf));
        const Token& k = peek();
        for (std::size_t i = 0; i < n; ++i) next();
        IfBranch b = branch(k, depth);
        if (!misplaced) st.branches.push_back(std::move(b));
      } else if (t == Terminator::Else) {
        if (st.otherwise) {
          record(parse_error("a second ELSE in the same IF", location_of(peek()), syntax::kIf));
          next();
          std::vector<Statement> dropped;
          block(depth + 1, true, dropped);
          continue;
        }
        next();
        st.otherwise.emplace();
        block(depth + 1, true, *st.otherwise);
      } else if (t == Terminator::EndIf) {
        for (std::size_t i = 0; i < n; ++i) next();
        if (at(TokenKind::Semicolon)) {
          next();
        } else {
          // Reported without skipping ahead: the next statement is most likely fine.
          record(parse_error("expected ';' after END IF, found " + found(peek()), location_of(peek()),
                             syntax::kIf));
        }
        return st;
      } else {
        fail(peek(),
             "the IF at line " + std::to_string(if_line) + " is not closed: expected END IF; found " +
                 found(peek()),
             syntax::kIf);
      }
    }
  }

  // condition THEN statements — IF / ELSE IF already consumed; `kw` is that keyword.
  // A broken condition is reported and the body still parsed, so the block's END IF matches.
  IfBranch branch(const Token& kw, int depth) {
    const std::size_t first = pos_;
    while (!at(TokenKind::End) && !at(TokenKind::Semicolon) && !at_keyword("THEN")) next();
    IfBranch b;
    b.location = location_of(kw);
    if (at(TokenKind::End))
      fail(peek(), "expected THEN after the IF condition, found end of file", syntax::kIf);
    if (at(TokenKind::Semicolon)) {
      record(
          parse_error("expected THEN after the IF condition, found ';'", location_of(peek()), syntax::kIf));
    } else if (pos_ == first) {
      record(parse_error("expected a condition before THEN", location_of(peek()), syntax::kIf));
    } else {
      b.condition = join(first, pos_ - 1);
    }
    next();  // THEN (or the ';' that ended a condition without THEN)
    block(depth + 1, true, b.body);
    return b;
  }

  SqlStmt sql_statement() {
    const Token& first = peek();
    while (!at(TokenKind::Semicolon) && !at(TokenKind::End)) next();
    SqlStmt s;
    s.sql = std::string(source(first.offset, tokens_[pos_ - 1].end()));
    if (at(TokenKind::End))
      fail(peek(), "expected ';' at the end of the statement, found end of file",
           "end every statement with ;");
    next();
    return s;
  }

  std::string_view text_;
  const std::string& file_;
  const std::vector<Token>& tokens_;
  std::vector<Error>& errors_;
  // The lexer already reported an unterminated string/block running to the end of the input:
  // "found end of file" errors would only repeat it.
  bool truncated_;
  std::size_t pos_ = 0;
  std::vector<Statement> top_;
};

Error too_many_errors(SourceLocation at) {
  return parse_error("too many errors (" + std::to_string(kMaxErrors) + "); stopping here", std::move(at));
}

bool position_less(const Error& a, const Error& b) {
  const int la = a.location() ? a.location()->line : 0, lb = b.location() ? b.location()->line : 0;
  if (la != lb) return la < lb;
  const int ca = a.location() ? a.location()->column : 0, cb = b.location() ? b.location()->column : 0;
  return ca < cb;
}

}  // namespace

ParseResult parse(std::string_view text, const std::string& file) {
  ParseResult result;
  result.pipeline.file = file;
  LexResult lexed = lex(text, file);
  result.errors = std::move(lexed.errors);
  if (result.errors.size() > kMaxErrors) {  // the lexer alone hit the limit: not worth parsing
    result.errors.erase(result.errors.begin() + static_cast<std::ptrdiff_t>(kMaxErrors), result.errors.end());
    std::stable_sort(result.errors.begin(), result.errors.end(), position_less);
    result.errors.push_back(too_many_errors(*result.errors.back().location()));
    return result;
  }
  try {
    result.pipeline.statements = Parser(text, file, lexed.tokens, result.errors, lexed.truncated).run();
  } catch (const Error& e) {  // defensive: a helper refusing a value must not escape parse()
    result.errors.push_back(
        parse_error(std::string("internal parser error: ") + e.message(), SourceLocation{file}));
  }
  // Lexer and parser errors interleave by position; a final "too many errors" note stays last.
  auto end = result.errors.end();
  if (!result.errors.empty() && result.errors.back().message().rfind("too many errors", 0) == 0) --end;
  std::stable_sort(result.errors.begin(), end, position_less);
  return result;
}

std::string read_pipeline_file(const std::filesystem::path& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw usage_error("pipeline file not found: " + path.string());
  if (fs::is_directory(st)) throw usage_error("not a pipeline file: " + path.string() + " is a directory");
  if (!fs::is_regular_file(st))
    throw usage_error("not a pipeline file: " + path.string() + " is not a regular file");
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) throw usage_error("cannot read pipeline file " + path.string() + ": " + ec.message());
  if (size > kMaxFileBytes)
    throw usage_error("pipeline file " + path.string() + " is too large (" + std::to_string(size) +
                      " bytes; the limit is " + std::to_string(kMaxFileBytes) + ")");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw usage_error("cannot read pipeline file " + path.string() + ": " + std::strerror(errno));
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

ParseResult parse_file(const std::filesystem::path& path) {
  std::string text;
  try {
    text = read_pipeline_file(path);
  } catch (const Error& e) {
    ParseResult result;
    result.pipeline.file = path.string();
    Error located = e;
    located.at(SourceLocation{path.string()});
    result.errors.push_back(std::move(located));
    return result;
  }
  return parse(text, path.string());
}

namespace {

// One line of the excerpt: control characters and invalid UTF-8 shown as '?', tabs kept so the
// caret line (which copies them) stays aligned.
struct ExcerptLine {
  std::string shown;
  std::string caret_pad;
};

ExcerptLine render_line(std::string_view line, int column) {
  constexpr std::size_t kWindow = 120;
  const auto continuation = [&](std::size_t i) {
    return (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80;
  };
  // Code points are counted by their lead bytes (a stray continuation byte counts with its
  // predecessor, like the lexer's columns); only the shown window is decoded.
  std::size_t total = 0;
  for (std::size_t i = 0; i < line.size(); ++i) total += !continuation(i);
  const std::size_t col = column > 0 ? static_cast<std::size_t>(column - 1) : 0;
  std::size_t from = 0, to = total;
  if (total > kWindow) {
    from = std::min(total, col > kWindow / 2 ? col - kWindow / 2 : 0);
    to = std::min(total, from + kWindow);
  }
  std::size_t pos = 0;
  for (std::size_t cp = 0; pos < line.size() && cp < from;) {
    ++pos;
    while (pos < line.size() && continuation(pos)) ++pos;
    ++cp;
  }
  ExcerptLine out;
  if (from > 0) {
    out.shown += "…";
    out.caret_pad += ' ';
  }
  for (std::size_t k = from; k < to && pos < line.size(); ++k) {
    std::size_t next = pos + 1;
    while (next < line.size() && continuation(next)) ++next;
    const std::string_view cp = line.substr(pos, next - pos);
    pos = next;
    const auto c = static_cast<unsigned char>(cp[0]);
    const bool tab = cp.size() == 1 && c == '\t';
    if (tab) {
      out.shown += '\t';
    } else if (cp.size() == 1 && (c < 0x20 || c >= 0x7F)) {
      out.shown += '?';
    } else if (utf8_sequence_length(cp, 0) != cp.size()) {
      out.shown += '?';
    } else {
      out.shown.append(cp);
    }
    if (k < col) out.caret_pad += tab ? '\t' : ' ';
  }
  if (to < total) out.shown += "…";
  return out;
}

}  // namespace

std::string format_with_excerpt(const Error& error, std::string_view text) {
  std::string out;
  const auto& loc = error.location();
  if (loc && !loc->file.empty()) {
    out += loc->file;
    if (loc->line > 0) {
      out += ':' + std::to_string(loc->line);
      if (loc->column > 0) out += ':' + std::to_string(loc->column);
    }
    out += ": ";
  } else if (loc && loc->line > 0) {
    out += "line " + std::to_string(loc->line) + ": ";
  }
  out += "error: " + error.message() + "\n";
  if (loc && loc->line > 0) {
    std::size_t start = 0;
    bool found_line = true;
    for (int l = 1; l < loc->line; ++l) {
      const std::size_t nl = text.find('\n', start);
      if (nl == std::string_view::npos) {
        found_line = false;
        break;
      }
      start = nl + 1;
    }
    if (found_line && start <= text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      const ExcerptLine ex = render_line(line, loc->column);
      const std::string gutter = std::to_string(loc->line);
      out += "  " + gutter + " | " + ex.shown + "\n";
      if (loc->column > 0) out += "  " + std::string(gutter.size(), ' ') + " | " + ex.caret_pad + "^\n";
    }
  }
  if (!error.hint().empty()) out += "  hint: " + error.hint() + "\n";
  return out;
}

}  // namespace sqlflow::pipeline
