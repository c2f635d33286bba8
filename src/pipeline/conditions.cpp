#include "pipeline/conditions.hpp"

#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pipeline/lexer.hpp"

namespace sqlflow::pipeline {

namespace {

constexpr const char* kHint = "e.g. IF ${env} == 'production' and ${region|eu} != 'us' THEN";

[[noreturn]] void fail(std::string message, std::string hint = kHint) {
  throw Error(ErrorKind::Parse, std::move(message), std::move(hint));
}

enum class Tok { LParen, RParen, Text, Number, Bool, And, Or, Not, Cmp, End };

struct Token {
  Tok kind = Tok::End;
  std::string text;  // Text: the string's content or the bare word; Cmp: the operator
  bool quoted = false;
  bool flag = false;  // Bool: its value
  double number = 0;
};

bool lower_equals(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// A whole text read as a finite decimal number ("42", "-3.5", "1e3"); not "inf", "nan", "0x1".
bool read_number(std::string_view s, double& out) {
  if (s.empty()) return false;
  const std::size_t digits_from = s[0] == '-' ? 1 : 0;
  if (digits_from >= s.size()) return false;
  const char c = s[digits_from];
  if (!((c >= '0' && c <= '9') || c == '.')) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(out);
}

bool word_char(char c) {
  switch (c) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case '(':
    case ')':
    case '\'':
    case '"':
    case '=':
    case '!':
    case '<':
    case '>':
    case '&':
    case '|':
      return false;
    default:
      return true;
  }
}

bool ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  const auto op = [&](Tok kind, std::string text, std::size_t len) {
    Token t;
    t.kind = kind;
    t.text = std::move(text);
    out.push_back(std::move(t));
    i += len;
  };
  while (i < s.size()) {
    const char c = s[i];
    const char n = i + 1 < s.size() ? s[i + 1] : '\0';
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (c == '(') {
      op(Tok::LParen, "(", 1);
    } else if (c == ')') {
      op(Tok::RParen, ")", 1);
    } else if (c == '\'' || c == '"') {
      Token t;
      t.kind = Tok::Text;
      t.quoted = true;
      std::size_t j = i + 1;
      bool closed = false;
      while (j < s.size()) {
        if (s[j] == c) {
          if (j + 1 < s.size() && s[j + 1] == c) {
            t.text += c;
            j += 2;
            continue;
          }
          closed = true;
          ++j;
          break;
        }
        t.text += s[j++];
      }
      if (!closed) fail(std::string("unterminated string in the condition: no closing ") + c);
      out.push_back(std::move(t));
      i = j;
    } else if (c == '=' && n == '=') {
      op(Tok::Cmp, "==", 2);
    } else if (c == '=') {
      fail("'=' is not a comparison: use '==' to test equality", "e.g. IF ${env} == 'production' THEN");
    } else if (c == '!' && n == '=') {
      op(Tok::Cmp, "!=", 2);
    } else if (c == '<' && n == '>') {
      op(Tok::Cmp, "!=", 2);
    } else if ((c == '<' || c == '>') && n == '=') {
      op(Tok::Cmp, std::string(1, c) + "=", 2);
    } else if (c == '<' || c == '>') {
      op(Tok::Cmp, std::string(1, c), 1);
    } else if (c == '!') {
      op(Tok::Not, "!", 1);
    } else if (c == '&' && n == '&') {
      op(Tok::And, "&&", 2);
    } else if (c == '|' && n == '|') {
      op(Tok::Or, "||", 2);
    } else if (c == '&' || c == '|') {
      fail(std::string("unexpected '") + c + "' in the condition: use " +
           (c == '&' ? "'and' or '&&'" : "'or' or '||'"));
    } else {
      std::size_t j = i;
      while (j < s.size() && word_char(s[j])) ++j;
      const std::string_view w = s.substr(i, j - i);
      i = j;
      Token t;
      if (lower_equals(w, "and")) {
        t.kind = Tok::And;
      } else if (lower_equals(w, "or")) {
        t.kind = Tok::Or;
      } else if (lower_equals(w, "not")) {
        t.kind = Tok::Not;
      } else if (lower_equals(w, "true") || lower_equals(w, "false")) {
        t.kind = Tok::Bool;
        t.flag = lower_equals(w, "true");
      } else if (read_number(w, t.number)) {
        t.kind = Tok::Number;
      } else {
        t.kind = Tok::Text;
        std::size_t k = i;
        while (k < s.size() && (s[k] == ' ' || s[k] == '\t')) ++k;
        if (k < s.size() && s[k] == '(')
          fail("function calls are not allowed in conditions: '" + printable(w, 40) + "(…)'",
               "compare values with == != < <= > >=, combined with and / or / not");
        if (ident_start(w[0])) {
          for (std::size_t d = 0; d + 1 < w.size(); ++d) {
            if (w[d] == '.' && ident_start(w[d + 1]))
              fail("attribute access is not allowed in conditions: '" + printable(w, 40) + "'",
                   "put text in quotes, e.g. '${host}' == 'db.example.com'");
          }
        }
      }
      t.text = std::string(w);
      out.push_back(std::move(t));
    }
  }
  out.push_back(Token{});
  return out;
}

struct Value {
  enum class Kind { Bool, Number, Text } kind = Kind::Text;
  bool flag = false;
  double number = 0;
  std::string text;

  std::string describe() const {
    switch (kind) {
      case Kind::Bool:
        return flag ? "true" : "false";
      case Kind::Number:
        return printable(text, 40);
      case Kind::Text:
        return "'" + printable(text, 40) + "'";
    }
    return {};
  }
};

class Evaluator {
 public:
  explicit Evaluator(std::vector<Token> tokens) : toks_(std::move(tokens)) {}

  bool run() {
    if (toks_.front().kind == Tok::End) fail("the condition is empty");
    const Value v = disjunction(0);
    if (peek().kind != Tok::End) unexpected("and, or or the end of the condition");
    if (v.kind != Value::Kind::Bool)
      fail("the condition must be true or false, but it is the value " + v.describe(),
           "compare it, e.g. IF ${flag} == 'true' THEN");
    return v.flag;
  }

 private:
  const Token& peek() const { return toks_[pos_]; }
  const Token& take() { return toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]; }

  [[noreturn]] void unexpected(const std::string& expected) const {
    const Token& t = peek();
    const std::string what =
        t.kind == Tok::End
            ? "the end of the condition"
            : "'" + printable(t.kind == Tok::Text && t.quoted ? "'" + t.text + "'" : t.text, 40) + "'";
    fail("expected " + expected + ", found " + what);
  }

  static void need_bool(const Value& v, const char* op) {
    if (v.kind != Value::Kind::Bool)
      fail(std::string("'") + op + "' needs true/false on both sides, found " + v.describe(),
           "compare first, e.g. ${a} == 'x' " + std::string(op) + " ${b} == 'y'");
  }

  void deeper(int depth) const {
    if (depth >= kMaxConditionDepth)
      fail("the condition is nested more than " + std::to_string(kMaxConditionDepth) + " levels deep");
  }

  Value disjunction(int depth) {
    Value v = conjunction(depth);
    while (peek().kind == Tok::Or) {
      take();
      const Value r = conjunction(depth);
      need_bool(v, "or");
      need_bool(r, "or");
      v.flag = v.flag || r.flag;
    }
    return v;
  }

  Value conjunction(int depth) {
    Value v = negation(depth);
    while (peek().kind == Tok::And) {
      take();
      const Value r = negation(depth);
      need_bool(v, "and");
      need_bool(r, "and");
      v.flag = v.flag && r.flag;
    }
    return v;
  }

  Value negation(int depth) {
    if (peek().kind == Tok::Not) {
      deeper(depth);
      take();
      Value v = negation(depth + 1);
      need_bool(v, "not");
      v.flag = !v.flag;
      return v;
    }
    return comparison(depth);
  }

  Value comparison(int depth) {
    Value l = operand(depth);
    if (peek().kind != Tok::Cmp) return l;
    const std::string op = take().text;
    const Value r = operand(depth);
    if (peek().kind == Tok::Cmp) fail("chained comparisons (a < b < c) are not supported: use 'and'");
    Value out;
    out.kind = Value::Kind::Bool;
    out.flag = compare(l, op, r);
    return out;
  }

  static bool as_number(const Value& v, double& out) {
    if (v.kind == Value::Kind::Number) {
      out = v.number;
      return true;
    }
    return v.kind == Value::Kind::Text && read_number(v.text, out);
  }

  static bool compare(const Value& l, const std::string& op, const Value& r) {
    const bool eq_op = op == "==" || op == "!=";
    if (l.kind == Value::Kind::Bool || r.kind == Value::Kind::Bool) {
      if (!eq_op) fail("true/false can only be compared with == or !=, not " + op);
      bool equal;
      if (l.kind == r.kind) {
        equal = l.flag == r.flag;
      } else {
        const Value& b = l.kind == Value::Kind::Bool ? l : r;
        const Value& o = l.kind == Value::Kind::Bool ? r : l;
        equal = lower_equals(o.text, b.flag ? "true" : "false");
      }
      return op == "==" ? equal : !equal;
    }
    double a = 0, b = 0;
    int c;
    if (as_number(l, a) && as_number(r, b)) {
      c = a < b ? -1 : a > b ? 1 : 0;
    } else {
      const int raw = l.text.compare(r.text);
      c = raw < 0 ? -1 : raw > 0 ? 1 : 0;
    }
    if (op == "==") return c == 0;
    if (op == "!=") return c != 0;
    if (op == "<") return c < 0;
    if (op == "<=") return c <= 0;
    if (op == ">") return c > 0;
    return c >= 0;
  }

  Value operand(int depth) {
    const Token& t = peek();
    Value v;
    switch (t.kind) {
      case Tok::LParen: {
        deeper(depth);
        take();
        v = disjunction(depth + 1);
        if (peek().kind != Tok::RParen) unexpected("')'");
        take();
        return v;
      }
      case Tok::Bool:
        v.kind = Value::Kind::Bool;
        v.flag = t.flag;
        v.text = t.flag ? "true" : "false";
        break;
      case Tok::Number:
        v.kind = Value::Kind::Number;
        v.number = t.number;
        v.text = t.text;
        break;
      case Tok::Text:
        v.kind = Value::Kind::Text;
        v.text = t.text;
        break;
      default:
        unexpected("a value (a 'string', a number, true, false or a word)");
    }
    take();
    return v;
  }

  std::vector<Token> toks_;
  std::size_t pos_ = 0;
};

}  // namespace

bool evaluate_condition(std::string_view condition) {
  return Evaluator(tokenize(condition)).run();
}

}  // namespace sqlflow::pipeline
