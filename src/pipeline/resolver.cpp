#include "pipeline/resolver.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

#include "core/quote.hpp"
#include "pipeline/conditions.hpp"
#include "pipeline/lexer.hpp"
#include "pipeline/parser.hpp"
#include "pipeline/variables.hpp"

namespace sqlflow::pipeline {

namespace {

namespace fs = std::filesystem;

// IF bodies and INCLUDEd files together nested deeper than this are refused: each file is
// already limited to kMaxIfNesting, this bounds the recursion across included files.
constexpr int kMaxNesting = 256;

struct StopResolving {};

// nlohmann's message without its "[json.exception…] parse error at line…" prefix (positions in
// the substituted text mean nothing to the user; we give our own) and without "last read: '…'",
// which could echo a substituted secret.
std::string json_message(const char* what) {
  std::string m = what;
  const std::size_t syntax = m.find("syntax error");
  if (syntax != std::string::npos) {
    m = m.substr(syntax);
  } else if (const std::size_t colon = m.find(": "); colon != std::string::npos) {
    m = m.substr(colon + 2);
  }
  const std::size_t lr = m.find("; last read: '");
  if (lr != std::string::npos) {
    const std::size_t expected = m.find("'; expected ", lr + 14);
    if (expected != std::string::npos) {
      m.erase(lr, expected + 1 - lr);
    } else {
      m.erase(lr);
    }
  }
  return m;
}

std::string path_key(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  if (ec) c = p.lexically_normal();
  return c.string();
}

const SourceLocation& or_statement(const SourceLocation& field, const SourceLocation& statement) {
  return field.line > 0 ? field : statement;
}

class Resolver {
 public:
  explicit Resolver(const VariableSources& v) : scope_(v.cli, v.profile, v.use_environment, v.dotenv) {}

  ResolveResult run(const Pipeline& pipeline) {
    if (!pipeline.file.empty()) {
      chain_.push_back(pipeline.file);
      keys_.push_back(path_key(pipeline.file));
    }
    try {
      walk(pipeline.statements, 0);
    } catch (const StopResolving&) {
    }
    out_.variables = scope_.defined();
    out_.used.insert(scope_.looked_up().begin(), scope_.looked_up().end());
    return std::move(out_);
  }

 private:
  void add(Error e) {
    out_.errors.push_back(std::move(e));
    if (out_.errors.size() >= kMaxErrors) {
      out_.errors.push_back(Error(ErrorKind::Validation,
                                  "too many errors (" + std::to_string(kMaxErrors) + "); stopping here"));
      throw StopResolving{};
    }
  }

  void error(ErrorKind kind, std::string message, const SourceLocation& at, std::string hint = {}) {
    Error e(kind, std::move(message), std::move(hint));
    e.at(at);
    add(std::move(e));
  }

  // Substitutes variables in `in`. Problems are located inside the text when `base` is where the
  // text starts in the file (precise), else at `base` itself.
  std::string text(std::string_view in, SubstitutionContext context, const SourceLocation& base,
                   bool precise) {
    Substituted s = substitute(in, scope_, context);
    for (const SubstitutionProblem& p : s.problems)
      error(ErrorKind::Validation, p.message, precise ? advance_location(base, in, p.offset) : base, p.hint);
    return std::move(s.text);
  }
  std::string plain(std::string_view in, const SourceLocation& at) {
    return text(in, SubstitutionContext::Plain, at, false);
  }

  nlohmann::json json_block(const std::string& raw, const SourceLocation& where, const std::string& what,
                            const char* hint) {
    if (raw.empty()) return nlohmann::json::object();
    Substituted s = substitute(raw, scope_, SubstitutionContext::Json);
    for (const SubstitutionProblem& p : s.problems)
      error(ErrorKind::Validation, p.message, advance_location(where, raw, p.offset), p.hint);
    if (!s.problems.empty()) return nlohmann::json::object();  // a JSON error now would only echo them
    try {
      nlohmann::json j = nlohmann::json::parse(s.text);
      if (!j.is_object()) {
        error(ErrorKind::Parse, what + " must be a JSON object { … }", where, hint);
        return nlohmann::json::object();
      }
      return j;
    } catch (const nlohmann::json::parse_error& e) {
      std::size_t out_offset = e.byte > 0 ? static_cast<std::size_t>(e.byte - 1) : 0;
      if (out_offset > s.text.size()) out_offset = s.text.size();
      const std::size_t in_offset = std::min(s.input_offset(out_offset), raw.size());
      error(ErrorKind::Parse, "invalid JSON in " + what + ": " + json_message(e.what()),
            advance_location(where, raw, in_offset), hint);
      return nlohmann::json::object();
    }
  }

  void walk(const std::vector<Statement>& statements, int depth) {
    for (const Statement& s : statements) statement(s, depth);
  }

  void statement(const Statement& s, int depth) {
    const SourceLocation& loc = s.location;
    if (const auto* src = std::get_if<SourceStmt>(&s.node)) {
      SourceStmt r = *src;
      r.name = plain(src->name, loc);
      r.type = plain(src->type, loc);
      r.profile_connector = plain(src->profile_connector, loc);
      const char* block = src->from_profile ? "OPTIONS" : "PARAMS";
      r.params = json_block(src->params_text, or_statement(src->params_location, loc),
                            std::string(block) + " of SOURCE " + r.name,
                            "a JSON object: \"key\": value pairs, strings in double quotes");
      out_.statements.push_back(Statement{loc, std::move(r)});
    } else if (const auto* load = std::get_if<LoadStmt>(&s.node)) {
      LoadStmt r = *load;
      r.table = plain(load->table, loc);
      r.source = plain(load->source, loc);
      for (std::string& k : r.keys) k = plain(k, loc);
      out_.statements.push_back(Statement{loc, std::move(r)});
    } else if (const auto* create = std::get_if<CreateTableStmt>(&s.node)) {
      CreateTableStmt r = *create;
      r.table = plain(create->table, loc);
      for (std::string& k : r.keys) k = plain(k, loc);
      r.incremental_column = plain(create->incremental_column, loc);
      const bool precise = create->query_location.line > 0;
      r.query =
          text(create->query, SubstitutionContext::Sql, or_statement(create->query_location, loc), precise);
      out_.statements.push_back(Statement{loc, std::move(r)});
    } else if (const auto* exp = std::get_if<ExportStmt>(&s.node)) {
      ExportStmt r = *exp;
      if (exp->table) {
        r.table = plain(*exp->table, loc);
        try {
          r.query = "SELECT * FROM " + quote_identifier(*r.table);
        } catch (const Error& e) {
          error(ErrorKind::Validation, "invalid table name in EXPORT: " + e.message(), loc);
        }
      } else {
        const bool precise = exp->query_location.line > 0;
        r.query = text(exp->query, SubstitutionContext::Sql, or_statement(exp->query_location, loc), precise);
      }
      r.uri = plain(exp->uri, loc);
      r.type = plain(exp->type, loc);
      r.options = json_block(exp->options_text, or_statement(exp->options_location, loc), "OPTIONS of EXPORT",
                             "a JSON object: \"key\": value pairs, strings in double quotes");
      out_.statements.push_back(Statement{loc, std::move(r)});
    } else if (const auto* sql = std::get_if<SqlStmt>(&s.node)) {
      // The SQL text starts at the statement's first token, so positions inside it are exact.
      SqlStmt r{text(sql->sql, SubstitutionContext::Sql, loc, loc.line > 0)};
      out_.statements.push_back(Statement{loc, std::move(r)});
    } else if (const auto* set = std::get_if<SetStmt>(&s.node)) {
      scope_.set(set->name, plain(set->value, loc));
    } else if (const auto* inc = std::get_if<IncludeStmt>(&s.node)) {
      include(*inc, loc, depth);
    } else if (const auto* cond = std::get_if<IfStmt>(&s.node)) {
      conditional(*cond, loc, depth);
    }
  }

  void conditional(const IfStmt& st, const SourceLocation& loc, int depth) {
    if (depth >= kMaxNesting) {
      error(ErrorKind::Validation,
            "IF/INCLUDE nested more than " + std::to_string(kMaxNesting) + " levels deep", loc);
      return;
    }
    for (const IfBranch& b : st.branches) {
      const SourceLocation& at = or_statement(b.location, loc);
      const Substituted c = substitute(b.condition, scope_, SubstitutionContext::Condition);
      for (const SubstitutionProblem& p : c.problems) error(ErrorKind::Validation, p.message, at, p.hint);
      if (!c.problems.empty()) return;  // no branch is taken when a condition cannot be computed
      bool taken = false;
      try {
        taken = evaluate_condition(c.text);
      } catch (const Error& e) {
        // The condition as written, not substituted: values may be secrets.
        error(ErrorKind::Parse,
              "cannot evaluate the IF condition '" + printable(b.condition, 80) + "': " + e.message(), at,
              e.hint());
        return;
      }
      if (taken) {
        walk(b.body, depth + 1);
        return;
      }
    }
    if (st.otherwise) walk(*st.otherwise, depth + 1);
  }

  void include(const IncludeStmt& inc, const SourceLocation& loc, int depth) {
    const std::size_t errors_before = out_.errors.size();
    const std::string written = plain(inc.path, loc);
    if (out_.errors.size() != errors_before) return;  // an undefined variable in the path: already reported
    const fs::path base = fs::path(loc.file).parent_path();
    const fs::path p(written);
    const fs::path full = (p.is_absolute() ? p : base / p).lexically_normal();
    const std::string display = full.string();
    const std::string key = path_key(full);
    const auto seen = std::find(keys_.begin(), keys_.end(), key);
    if (seen != keys_.end()) {
      std::string chain;
      for (auto i = static_cast<std::size_t>(seen - keys_.begin()); i < chain_.size(); ++i)
        chain += chain_[i] + " → ";
      error(ErrorKind::Validation, "INCLUDE cycle: " + chain + display, loc,
            "a file must not include, directly or through other files, a file that includes it");
      return;
    }
    if (depth >= kMaxNesting || chain_.size() > static_cast<std::size_t>(kMaxIncludeDepth)) {
      error(ErrorKind::Validation,
            "INCLUDE nested more than " + std::to_string(kMaxIncludeDepth) + " files deep: " + display, loc);
      return;
    }
    std::error_code ec;
    if (!fs::exists(full, ec)) {
      error(ErrorKind::Validation, "INCLUDE file not found: " + display, loc,
            "the path is relative to the directory of the including file");
      return;
    }
    ParseResult parsed = parse_file(full);
    if (!parsed.errors.empty()) {
      for (Error& e : parsed.errors) {
        if (e.kind() == ErrorKind::Usage) {  // the file itself (a directory, too large, unreadable)
          error(ErrorKind::Validation, "cannot INCLUDE " + display + ": " + e.message(), loc, e.hint());
        } else {
          add(std::move(e));
        }
      }
      return;
    }
    chain_.push_back(display);
    keys_.push_back(key);
    walk(parsed.pipeline.statements, depth + 1);
    chain_.pop_back();
    keys_.pop_back();
  }

  VariableScope scope_;
  ResolveResult out_;
  std::vector<std::string> chain_;  // files being resolved, as named (for cycle messages)
  std::vector<std::string> keys_;   // the same, canonical (for cycle detection)
};

}  // namespace

ResolveResult resolve(const Pipeline& pipeline, const VariableSources& vars) {
  return Resolver(vars).run(pipeline);
}

}  // namespace sqlflow::pipeline
