// dump(): one line per statement, IF bodies indented by two spaces. SQL is shown on one line
// (whitespace runs and comments collapsed to one space, strings verbatim with newlines as \n);
// PARAMS/OPTIONS are shown as written, minified, with ${…} unresolved — so a dump never shows a
// secret that a variable would bring in.
#include "pipeline/ast.hpp"

#include <string>
#include <string_view>

#include "pipeline/lexer.hpp"

namespace sqlflow::pipeline {

namespace {

void append_escaped_newlines(std::string& out, std::string_view text) {
  for (const char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
}

std::string one_line(std::string_view sql) {
  const LexResult lexed = lex(sql, std::string());
  std::string out;
  out.reserve(sql.size());
  bool first = true;
  for (const Token& t : lexed.tokens) {
    if (t.kind == TokenKind::End) break;
    if (!first && t.space_before) out += ' ';
    first = false;
    append_escaped_newlines(out, t.text);
  }
  return out;
}

// JSON block without whitespace outside strings; ${…} references kept exactly as written.
std::string minify_block(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"' || c == '\'') {
      out += c;
      for (++i; i < text.size() && text[i] != c; ++i) {
        if (c == '"' && text[i] == '\\' && i + 1 < text.size()) {
          out += text[i];
          ++i;
        }
        append_escaped_newlines(out, text.substr(i, 1));
      }
      if (i < text.size()) out += c;
    } else if (c == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      std::size_t close = text.find('}', i);
      if (close == std::string_view::npos) close = text.size() - 1;
      append_escaped_newlines(out, text.substr(i, close - i + 1));
      i = close;
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') {
      out += c;
    }
  }
  return out;
}

std::string quote_text(std::string_view text, char q) {
  std::string out(1, q);
  for (const char c : text) {
    if (c == q) out += q;
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += q;
  return out;
}

// A name as the user would write it: bare when it is identifier-like (${…} allowed), else "quoted".
std::string name(std::string_view n) {
  bool plain = !n.empty() && !(n[0] >= '0' && n[0] <= '9');
  for (std::size_t i = 0; plain && i < n.size(); ++i) {
    const char c = n[i];
    if (c == '$' && i + 1 < n.size() && n[i + 1] == '{') {
      const std::size_t close = n.find('}', i);
      if (close == std::string_view::npos) {
        plain = false;
      } else {
        i = close;
      }
      continue;
    }
    plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
  return plain ? std::string(n) : quote_text(n, '"');
}

std::string key_list(const std::vector<std::string>& keys) {
  std::string out = "(";
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i) out += ", ";
    out += name(keys[i]);
  }
  return out + ")";
}

struct LineWriter {
  std::string& out;
  int indent;

  void line(const std::string& text) const {
    out.append(static_cast<std::size_t>(indent) * 2, ' ');
    out += text;
    out += '\n';
  }

  void operator()(const SourceStmt& s) const {
    std::string l = "SOURCE " + name(s.name);
    if (s.from_profile) {
      l += " FROM " + quote_text(s.profile_connector, '"');
      if (!s.params_text.empty()) l += " OPTIONS " + minify_block(s.params_text);
    } else {
      l += " TYPE " + name(s.type) + " PARAMS " + minify_block(s.params_text);
    }
    line(l);
  }

  void operator()(const LoadStmt& s) const {
    std::string l = "LOAD " + name(s.table) + " FROM " + name(s.source) + " MODE ";
    switch (s.mode) {
      case LoadMode::Replace:
        l += "REPLACE";
        break;
      case LoadMode::Append:
        l += "APPEND";
        break;
      case LoadMode::Upsert:
        l += "UPSERT KEY " + key_list(s.keys);
        break;
    }
    line(l);
  }

  void operator()(const CreateTableStmt& s) const {
    std::string l = s.or_replace ? "CREATE OR REPLACE TABLE " : "CREATE TABLE ";
    l += name(s.table);
    switch (s.mode) {
      case TransformMode::Plain:
        break;
      case TransformMode::Replace:
        l += " MODE REPLACE";
        break;
      case TransformMode::Append:
        l += " MODE APPEND";
        break;
      case TransformMode::Upsert:
        l += " MODE UPSERT KEY " + key_list(s.keys);
        break;
      case TransformMode::Incremental:
        l += " MODE INCREMENTAL BY " + name(s.incremental_column);
        if (s.lookback) l += " LOOKBACK " + std::to_string(s.lookback->amount) + " " + s.lookback->unit;
        break;
    }
    line(l + " AS " + one_line(s.query));
  }

  void operator()(const ExportStmt& s) const {
    std::string l = "EXPORT " + (s.table ? name(*s.table) : one_line(s.query));
    l += " TO " + quote_text(s.uri, '"') + " TYPE " + name(s.type);
    if (!s.options_text.empty()) l += " OPTIONS " + minify_block(s.options_text);
    line(l);
  }

  void operator()(const SetStmt& s) const { line("SET " + s.name + " = " + quote_text(s.value, '\'')); }

  void operator()(const IncludeStmt& s) const {
    std::string l = "INCLUDE " + quote_text(s.path, '"');
    if (!s.alias.empty()) l += " AS " + s.alias;
    line(l);
  }

  void operator()(const IfStmt& s) const {
    for (std::size_t i = 0; i < s.branches.size(); ++i) {
      line((i == 0 ? "IF " : "ELSE IF ") + one_line(s.branches[i].condition) + " THEN");
      out += dump(s.branches[i].body, indent + 1);
    }
    if (s.otherwise) {
      line("ELSE");
      out += dump(*s.otherwise, indent + 1);
    }
    line("END IF");
  }

  void operator()(const SqlStmt& s) const { line("SQL " + one_line(s.sql)); }
};

}  // namespace

std::string dump(const Pipeline& pipeline) {
  return dump(pipeline.statements, 0);
}

std::string dump(const std::vector<Statement>& statements, int indent) {
  std::string out;
  for (const Statement& s : statements) std::visit(LineWriter{out, indent}, s.node);
  return out;
}

}  // namespace sqlflow::pipeline
