#include "pipeline/lexer.hpp"

#include <cstring>

namespace sqlflow::pipeline {

namespace {

bool is_ascii_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}
// Bytes >= 0x80 belong to words so that UTF-8 names stay one token; the parser decides
// whether a word is a valid name.
bool is_word_start(unsigned char c) {
  return is_ascii_alpha(c) || c == '_' || c >= 0x80;
}
bool is_word_char(unsigned char c) {
  return is_word_start(c) || is_digit(c);
}
bool is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k) {
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  }
  return len;
}

class Lexer {
 public:
  Lexer(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  LexResult run() {
    check_bytes();
    if (text_.size() >= 3 && std::memcmp(text_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;  // BOM
    out_.tokens.reserve(text_.size() / 4 + 1);
    while (pos_ < text_.size()) {
      const unsigned char c = peek(0);
      if (is_space(c)) {
        bump();
        space_ = true;
      } else if (c == '-' && peek(1) == '-') {
        while (pos_ < text_.size() && peek(0) != '\n') bump();
        space_ = true;
      } else if (c == '/' && peek(1) == '*') {
        block_comment();
        space_ = true;
      } else {
        token();
      }
    }
    Token end;
    end.kind = TokenKind::End;
    end.offset = text_.size();
    end.text = text_.substr(text_.size());
    end.line = line_;
    end.column = column_;
    end.space_before = true;
    out_.tokens.push_back(end);
    return std::move(out_);
  }

 private:
  unsigned char peek(std::size_t ahead) const {
    return pos_ + ahead < text_.size() ? static_cast<unsigned char>(text_[pos_ + ahead]) : 0;
  }

  void bump() {
    const unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column_;  // continuation bytes belong to the previous code point's column
    }
    ++pos_;
  }

  void bump_to(std::size_t end) {
    while (pos_ < end) bump();
  }

  SourceLocation here() const { return SourceLocation{file_, line_, column_}; }

  void error(const SourceLocation& at, std::string message, std::string hint = {}) {
    // One beyond the limit tells parse() that some were dropped (it adds a "too many errors" note).
    if (out_.errors.size() > kMaxErrors) return;
    out_.errors.push_back(parse_error(std::move(message), at, std::move(hint)));
  }

  // NUL bytes would silently cut SQL handed to DuckDB's C API, and DuckDB rejects invalid
  // UTF-8; report the first occurrence of each (one error each, not one per byte).
  void check_bytes() {
    std::size_t nul_count = 0, first_nul = std::string_view::npos;
    std::size_t first_bad = std::string_view::npos;
    for (std::size_t i = 0; i < text_.size();) {
      const unsigned char c = static_cast<unsigned char>(text_[i]);
      if (c == 0) {
        if (nul_count++ == 0) first_nul = i;
        ++i;
        continue;
      }
      if (c < 0x80) {
        ++i;
        continue;
      }
      const std::size_t len = utf8_length(text_, i);
      if (len == 0) {
        if (first_bad == std::string_view::npos) first_bad = i;
        ++i;
      } else {
        i += len;
      }
    }
    const SourceLocation origin{file_, 1, 1};
    if (first_nul != std::string_view::npos) {
      error(advance_location(origin, text_, first_nul),
            "the file contains " + std::to_string(nul_count) + " NUL byte" + (nul_count == 1 ? "" : "s"),
            "a .sf file is UTF-8 text; remove the NUL bytes (was the file saved as UTF-16 or is it binary?)");
    }
    if (first_bad != std::string_view::npos) {
      error(advance_location(origin, text_, first_bad), "invalid UTF-8 byte sequence",
            "save the file as UTF-8");
    }
  }

  void block_comment() {
    const SourceLocation start = here();
    bump();
    bump();
    int depth = 1;  // DuckDB (like PostgreSQL) nests block comments
    while (pos_ < text_.size()) {
      if (peek(0) == '/' && peek(1) == '*') {
        bump();
        bump();
        ++depth;
      } else if (peek(0) == '*' && peek(1) == '/') {
        bump();
        bump();
        if (--depth == 0) return;
      } else {
        bump();
      }
    }
    error(start, "unterminated /* comment", "close the comment with */");
  }

  void token() {
    Token tok;
    tok.offset = pos_;
    tok.line = line_;
    tok.column = column_;
    tok.space_before = space_;
    space_ = false;
    const unsigned char c = peek(0);
    if (is_word_start(c) || (c == '$' && peek(1) == '{')) {
      tok.kind = TokenKind::Word;
      word();
    } else if (is_digit(c)) {
      tok.kind = TokenKind::Number;
      number();
    } else if (c == '\'' || c == '"') {
      tok.kind = TokenKind::String;
      tok.quote = static_cast<char>(c);
      string(static_cast<char>(c), escape_string_prefix());
    } else if (c == '$' && dollar_quote()) {
      tok.kind = TokenKind::DollarString;
    } else if (c == '{') {
      tok.kind = TokenKind::Json;
      brace_block();
    } else {
      switch (c) {
        case ';':
          tok.kind = TokenKind::Semicolon;
          break;
        case '(':
          tok.kind = TokenKind::LParen;
          break;
        case ')':
          tok.kind = TokenKind::RParen;
          break;
        case ',':
          tok.kind = TokenKind::Comma;
          break;
        default:
          tok.kind = TokenKind::Other;
          break;
      }
      bump();
    }
    tok.text = text_.substr(tok.offset, pos_ - tok.offset);
    out_.tokens.push_back(tok);
  }

  void word() {
    while (pos_ < text_.size()) {
      const unsigned char c = peek(0);
      if (is_word_char(c)) {
        bump();
      } else if (c == '$' && peek(1) == '{') {
        variable_reference();
      } else {
        break;
      }
    }
  }

  // ${name} or ${name|default}: kept inside the word; the resolver substitutes it. It must
  // close on the same line, so a missing '}' cannot swallow the rest of the file.
  void variable_reference() {
    const SourceLocation start = here();
    std::size_t i = pos_ + 2;
    while (i < text_.size() && text_[i] != '}' && text_[i] != '\n' && text_[i] != '{') ++i;
    if (i < text_.size() && text_[i] == '}') {
      bump_to(i + 1);
      return;
    }
    error(start, "unterminated variable reference: '${' without a closing '}'",
          "write ${name} or ${name|default} on one line");
    bump_to(pos_ + 2);
  }

  void number() {
    while (is_digit(peek(0))) bump();
    if (peek(0) == '.' && is_digit(peek(1))) {
      bump();
      while (is_digit(peek(0))) bump();
    }
    if ((peek(0) == 'e' || peek(0) == 'E') &&
        (is_digit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && is_digit(peek(2))))) {
      bump();
      bump();
      while (is_digit(peek(0))) bump();
    }
  }

  // DuckDB's E'…' strings use backslash escapes; everywhere else a quote is escaped by doubling.
  bool escape_string_prefix() const {
    if (out_.tokens.empty()) return false;
    const Token& prev = out_.tokens.back();
    return prev.kind == TokenKind::Word && prev.end() == pos_ && (prev.text == "E" || prev.text == "e");
  }

  void string(char quote, bool backslash_escapes) {
    const SourceLocation start = here();
    bump();
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == quote) {
        if (static_cast<char>(peek(1)) == quote) {
          bump();
          bump();
          continue;
        }
        bump();
        return;
      }
      if (backslash_escapes && c == '\\' && pos_ + 1 < text_.size()) bump();
      bump();
    }
    out_.truncated = true;
    error(start, std::string("unterminated string: no closing ") + quote,
          std::string("close the string with ") + quote + " (write " + quote + quote +
              " for a quote inside it)");
  }

  // $$…$$ or $tag$…$tag$ (PostgreSQL/DuckDB dollar quoting). Returns false, consuming nothing,
  // when the '$' does not open one ($1 parameters, a lone '$').
  bool dollar_quote() {
    std::size_t i = pos_ + 1;
    if (i < text_.size() && text_[i] != '$') {
      const unsigned char first = static_cast<unsigned char>(text_[i]);
      if (!(is_ascii_alpha(first) || first == '_')) return false;
      while (i < text_.size() && (is_ascii_alpha(static_cast<unsigned char>(text_[i])) ||
                                  is_digit(static_cast<unsigned char>(text_[i])) || text_[i] == '_'))
        ++i;
      if (i >= text_.size() || text_[i] != '$') return false;
    }
    if (i >= text_.size()) return false;
    const std::string_view tag = text_.substr(pos_, i + 1 - pos_);
    const SourceLocation start = here();
    const std::size_t close = text_.find(tag, i + 1);
    if (close == std::string_view::npos) {
      out_.truncated = true;
      error(start, "unterminated dollar-quoted string: no closing " + std::string(tag),
            "close the body with " + std::string(tag));
      bump_to(text_.size());
    } else {
      bump_to(close + tag.size());
    }
    return true;
  }

  // A {…} block: braces balanced, braces inside "…" (JSON, backslash escapes) or '…' (SQL,
  // doubled quotes) strings ignored.
  void brace_block() {
    const SourceLocation start = here();
    int depth = 0;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '"' || c == '\'') {
        bump();
        while (pos_ < text_.size() && text_[pos_] != c) {
          if (c == '"' && text_[pos_] == '\\' && pos_ + 1 < text_.size()) bump();
          bump();
        }
        if (pos_ < text_.size()) bump();
        continue;
      }
      bump();
      if (c == '{') {
        ++depth;
      } else if (c == '}') {
        if (--depth == 0) return;
      }
    }
    out_.truncated = true;
    error(start, "unterminated { … } block: no matching '}'",
          "check the braces and quotes of the JSON block");
  }

  std::string_view text_;
  const std::string& file_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
  bool space_ = true;
  LexResult out_;
};

}  // namespace

bool Token::is(std::string_view keyword) const {
  if (kind != TokenKind::Word || text.size() != keyword.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != keyword[i]) return false;
  }
  return true;
}

std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  return i < text.size() ? utf8_length(text, i) : 0;
}

LexResult lex(std::string_view text, const std::string& file) {
  return Lexer(text, file).run();
}

std::string unquote(const Token& tok) {
  std::string_view body = tok.text;
  if (body.empty()) return {};
  const char q = body.front();
  body.remove_prefix(1);
  if (!body.empty() && body.back() == q) body.remove_suffix(1);
  std::string out;
  out.reserve(body.size());
  for (std::size_t i = 0; i < body.size(); ++i) {
    out += body[i];
    if (body[i] == q && i + 1 < body.size() && body[i + 1] == q) ++i;
  }
  return out;
}

bool is_identifier(std::string_view text) {
  if (text.empty()) return false;
  const auto c0 = static_cast<unsigned char>(text[0]);
  if (!(is_ascii_alpha(c0) || c0 == '_')) return false;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (!(is_ascii_alpha(c) || is_digit(c) || c == '_')) return false;
  }
  return true;
}

SourceLocation advance_location(const SourceLocation& start, std::string_view text, std::size_t offset) {
  SourceLocation loc = start;
  if (offset > text.size()) offset = text.size();
  for (std::size_t i = 0; i < offset; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++loc.line;
      loc.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++loc.column;
    }
  }
  return loc;
}

std::string printable(std::string_view text, std::size_t max_chars) {
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (chars == max_chars) {
      out += "…";
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t len = utf8_length(text, i);
    if (len == 0) {
      out += '?';
      ++i;
    } else if (len == 1) {
      out +=
          (c < 0x20 || c == 0x7F) ? (c == '\t' || c == '\n' || c == '\r' ? ' ' : '?') : static_cast<char>(c);
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
    ++chars;
  }
  return out;
}

}  // namespace sqlflow::pipeline
