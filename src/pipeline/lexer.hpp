// Tokenizer of .sf text: splits it into words, strings, {…} blocks and punctuation, skipping
// whitespace and comments, so the parser can find statement boundaries without ever splitting
// inside a string, a comment, a $$…$$ body or a JSON block.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace sqlflow::pipeline {

// Errors reported per file at most; past it one "too many errors" note ends the list.
inline constexpr std::size_t kMaxErrors = 100;

enum class TokenKind {
  Word,          // identifier or keyword; may contain ${…} references (raw_${env})
  Number,        // 42, 3.14, 1e5
  String,        // '…' or "…" (quote = the quote character); text includes the quotes
  DollarString,  // $$…$$ or $tag$…$tag$
  Json,          // a balanced {…} block (text includes the braces)
  Semicolon,
  LParen,
  RParen,
  Comma,
  Other,  // any other single character (operators, '.', '=', '$', …)
  End,    // end of input (text empty)
};

struct Token {
  TokenKind kind = TokenKind::End;
  std::string_view text;      // the token exactly as written (views the lexed text)
  std::size_t offset = 0;     // byte offset of the first character
  int line = 1;               // 1-based
  int column = 1;             // 1-based, counted in UTF-8 code points
  bool space_before = false;  // whitespace or a comment separates it from the previous token
  char quote = 0;             // String: '\'' or '"'

  std::size_t end() const { return offset + text.size(); }
  // Case-insensitive comparison of a Word with an (upper-case ASCII) keyword.
  bool is(std::string_view keyword) const;
};

struct LexResult {
  std::vector<Token> tokens;  // always ends with one End token
  std::vector<Error> errors;  // unterminated strings/comments/blocks, NUL bytes, invalid UTF-8
  bool truncated = false;     // an unterminated string, $$ body or {…} block ran to the end
};

// Never throws on bad input. `file` is only used for error locations.
LexResult lex(std::string_view text, const std::string& file);

// The content of a String token: quotes removed, doubled quotes ('' or "") undone.
std::string unquote(const Token& string_token);

// True if `text` is [A-Za-z_][A-Za-z0-9_]*.
bool is_identifier(std::string_view text);

// Location of byte `offset` of `text`, given that `text` starts at `start` (for positions
// inside a statement's text). Columns count UTF-8 code points, like the lexer's.
SourceLocation advance_location(const SourceLocation& start, std::string_view text, std::size_t offset);

// Length of the valid UTF-8 sequence at text[i], or 0 where the bytes are not valid UTF-8
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

// `text` for one-line display: control characters and invalid UTF-8 replaced by '?', cut to
// `max_chars` code points with "…" appended when longer.
std::string printable(std::string_view text, std::size_t max_chars);

}  // namespace sqlflow::pipeline
