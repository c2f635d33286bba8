#include "pipeline/variables.hpp"

#include <algorithm>
#include <cstdlib>

#include "pipeline/lexer.hpp"

namespace sqlflow::pipeline {

VariableScope::VariableScope(std::map<std::string, std::string> cli,
                             std::map<std::string, std::string> profile, bool use_environment,
                             std::map<std::string, std::string> dotenv)
    : cli_(cli.begin(), cli.end()),
      profile_(profile.begin(), profile.end()),
      dotenv_(dotenv.begin(), dotenv.end()),
      use_environment_(use_environment) {}

void VariableScope::set(const std::string& name, std::string value) {
  set_[name] = std::move(value);
}

std::optional<std::string> VariableScope::lookup(std::string_view name) const {
  looked_up_.emplace(name);
  for (const auto* level : {&cli_, &profile_, &set_}) {
    const auto it = level->find(name);
    if (it != level->end()) return it->second;
  }
  if (use_environment_ && !name.empty() && name.find('\0') == std::string_view::npos) {
    if (const char* v = std::getenv(std::string(name).c_str())) return std::string(v);
    if (const auto it = dotenv_.find(name); it != dotenv_.end()) return it->second;
  }
  return std::nullopt;
}

std::map<std::string, std::string> VariableScope::defined() const {
  std::map<std::string, std::string> out(set_.begin(), set_.end());
  for (const auto& [k, v] : profile_) out[k] = v;
  for (const auto& [k, v] : cli_) out[k] = v;
  return out;
}

std::size_t Substituted::input_offset(std::size_t output_offset) const {
  if (segments.empty()) return output_offset;
  auto it = std::upper_bound(segments.begin(), segments.end(), output_offset,
                             [](std::size_t o, const Segment& s) { return o < s.out; });
  if (it == segments.begin()) return segments.front().in;
  --it;
  return it->copied ? it->in + (output_offset - it->out) : it->in;
}

namespace {

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool ident_char(char c) {
  return ident_start(c) || (c >= '0' && c <= '9');
}

enum class Escape { None, Json, SingleQuote, DoubleQuote };

class Substituter {
 public:
  Substituter(std::string_view in, const VariableScope& vars) : in_(in), vars_(vars) {
    out_.text.reserve(in.size());
  }

  Substituted run(SubstitutionContext context) {
    switch (context) {
      case SubstitutionContext::Plain:
        plain();
        break;
      case SubstitutionContext::Sql:
        sql();
        break;
      case SubstitutionContext::Json:
        json();
        break;
      case SubstitutionContext::Condition:
        condition();
        break;
    }
    return std::move(out_);
  }

 private:
  bool ref_at(std::size_t i) const { return in_[i] == '$' && i + 1 < in_.size() && in_[i + 1] == '{'; }

  void copy_range(std::size_t b, std::size_t e) {
    if (b >= e) return;
    auto& segs = out_.segments;
    if (segs.empty() || !segs.back().copied || segs.back().in + (out_.text.size() - segs.back().out) != b)
      segs.push_back({out_.text.size(), b, true});
    out_.text.append(in_.substr(b, e - b));
  }
  void copy(std::size_t i) { copy_range(i, i + 1); }

  void paste(std::size_t ref_begin, const std::string& value, Escape escape) {
    out_.segments.push_back({out_.text.size(), ref_begin, false});
    switch (escape) {
      case Escape::None:
        out_.text += value;
        break;
      case Escape::Json:
        out_.text += json_escape(value);
        break;
      case Escape::SingleQuote:
      case Escape::DoubleQuote: {
        const char q = escape == Escape::SingleQuote ? '\'' : '"';
        for (const char c : value) {
          if (c == q) out_.text += q;
          out_.text += c;
        }
        break;
      }
    }
  }

  void problem(std::size_t offset, std::string message, std::string hint) {
    out_.problems.push_back({offset, std::move(message), std::move(hint)});
  }

  void undefined(std::size_t offset, const std::string& name) {
    problem(
        offset, "undefined variable '" + name + "'",
        "define it with SET, --vars or the profile's variables:, or give a default ${" + name + "|value}");
  }

  void value_of(std::size_t begin, std::size_t end, const std::string& name,
                const std::optional<std::string>& default_value, Escape escape) {
    std::optional<std::string> v = vars_.lookup(name);
    if (!v && default_value && default_value->find("${") != std::string::npos) {
      // A nested default: resolved the same way (its own undefined names are reported).
      Substituted inner = substitute(*default_value, vars_, SubstitutionContext::Plain);
      for (const auto& p : inner.problems) problem(begin, p.message, p.hint);
      v = inner.text;
    } else if (!v) {
      v = default_value;
    }
    if (!v) {
      undefined(begin, name);
      copy_range(begin, end);
      return;
    }
    paste(begin, *v, escape);
  }

  // At "${": substitutes the reference and returns the offset after it.
  std::size_t reference(std::size_t i, Escape escape) {
    const std::optional<VariableRef> ref = parse_reference(in_, i);
    if (!ref) {
      problem(i, "unterminated variable reference: '${' without a closing '}'",
              "write ${name} or ${name|default} on one line (at most " + std::to_string(kMaxReferenceLength) +
                  " characters)");
      copy_range(i, i + 2);
      return i + 2;
    }
    if (!is_identifier(ref->name)) {
      problem(i, "invalid variable reference '" + printable(in_.substr(i, ref->end - i), 60) + "'",
              "a variable name is letters, digits and _: ${name} or ${name|default}");
      copy_range(i, ref->end);
      return ref->end;
    }
    value_of(i, ref->end, ref->name, ref->default_value, escape);
    return ref->end;
  }

  void plain() {
    for (std::size_t i = 0; i < in_.size();) {
      if (ref_at(i)) {
        i = reference(i, Escape::None);
      } else {
        copy(i++);
      }
    }
  }

  // A quoted run starting at the quote at `i`; references inside are substituted with `escape`.
  // Returns the offset after the closing quote.
  std::size_t quoted(std::size_t i, Escape escape, bool backslash_escapes, bool doubled_escapes) {
    const char q = in_[i];
    copy(i++);
    while (i < in_.size()) {
      const char c = in_[i];
      if (ref_at(i)) {
        i = reference(i, escape);
      } else if (backslash_escapes && c == '\\' && i + 1 < in_.size()) {
        copy_range(i, i + 2);
        i += 2;
      } else if (c == q) {
        if (doubled_escapes && i + 1 < in_.size() && in_[i + 1] == q) {
          copy_range(i, i + 2);
          i += 2;
        } else {
          copy(i++);
          return i;
        }
      } else {
        copy(i++);
      }
    }
    return i;
  }

  // SQL: strings (also E'…', "…" identifiers, $$…$$ bodies) get substitution; comments do not.
  void sql() {
    std::size_t i = 0;
    while (i < in_.size()) {
      const char c = in_[i];
      const char n = i + 1 < in_.size() ? in_[i + 1] : '\0';
      if (c == '-' && n == '-') {
        std::size_t e = in_.find('\n', i);
        if (e == std::string_view::npos) e = in_.size();
        copy_range(i, e);
        i = e;
      } else if (c == '/' && n == '*') {
        std::size_t j = i + 2;
        int depth = 1;
        while (j < in_.size() && depth > 0) {
          if (in_[j] == '/' && j + 1 < in_.size() && in_[j + 1] == '*') {
            ++depth;
            j += 2;
          } else if (in_[j] == '*' && j + 1 < in_.size() && in_[j + 1] == '/') {
            --depth;
            j += 2;
          } else {
            ++j;
          }
        }
        copy_range(i, j);
        i = j;
      } else if (c == '\'' || c == '"') {
        const bool e_string = c == '\'' && i > 0 && (in_[i - 1] == 'E' || in_[i - 1] == 'e') &&
                              !(i > 1 && ident_char(in_[i - 2]));
        i = quoted(i, Escape::None, e_string, true);
      } else if (c == '$' && n == '{') {
        i = reference(i, Escape::None);
      } else if (c == '$') {
        i = dollar_quoted(i);
      } else {
        copy(i++);
      }
    }
  }

  std::size_t dollar_quoted(std::size_t i) {
    std::size_t j = i + 1;
    if (j < in_.size() && in_[j] != '$') {
      if (!ident_start(in_[j])) {
        copy(i);
        return i + 1;
      }
      while (j < in_.size() && ident_char(in_[j])) ++j;
    }
    if (j >= in_.size() || in_[j] != '$') {
      copy(i);
      return i + 1;
    }
    const std::string_view tag = in_.substr(i, j + 1 - i);
    std::size_t close = in_.find(tag, j + 1);
    if (close == std::string_view::npos) close = in_.size();
    copy_range(i, j + 1);
    for (std::size_t k = j + 1; k < close;) {
      if (ref_at(k)) {
        k = reference(k, Escape::None);
      } else {
        copy(k++);
      }
    }
    const std::size_t end = std::min(in_.size(), close + tag.size());
    copy_range(close, end);
    return end;
  }

  void json() {
    std::size_t i = 0;
    while (i < in_.size()) {
      const char c = in_[i];
      if (c == '"') {
        i = quoted(i, Escape::Json, true, false);
      } else if (c == '\'') {
        i = quoted(i, Escape::None, false, true);
      } else if (c == ',') {
        // Trailing commas (`{"a": 1,}`) are common in hand-written blocks; JSON refuses them.
        std::size_t j = i + 1;
        while (j < in_.size() && (in_[j] == ' ' || in_[j] == '\t' || in_[j] == '\n' || in_[j] == '\r')) ++j;
        if (j < in_.size() && (in_[j] == '}' || in_[j] == ']')) {
          ++i;
        } else {
          copy(i++);
        }
      } else if (ref_at(i)) {
        i = reference(i, Escape::None);
      } else {
        copy(i++);
      }
    }
  }

  void condition() {
    std::size_t i = 0;
    while (i < in_.size()) {
      const char c = in_[i];
      if (c == '\'' || c == '"') {
        i = quoted(i, c == '\'' ? Escape::SingleQuote : Escape::DoubleQuote, false, true);
      } else if (ref_at(i)) {
        i = reference(i, Escape::None);
      } else if (c == '$' && i + 1 < in_.size() && ident_start(in_[i + 1])) {
        // The Python original also accepts a bare $name in conditions.
        std::size_t j = i + 1;
        while (j < in_.size() && ident_char(in_[j])) ++j;
        value_of(i, j, std::string(in_.substr(i + 1, j - i - 1)), std::nullopt, Escape::None);
        i = j;
      } else {
        copy(i++);
      }
    }
  }

  std::string_view in_;
  const VariableScope& vars_;
  Substituted out_;
};

}  // namespace

std::optional<VariableRef> parse_reference(std::string_view text, std::size_t pos) {
  // The default may hold references of its own (${a|${b|x}}): count them to find the closing '}'.
  // A reference ends on its line and within kMaxReferenceLength characters, so a text full of
  // unclosed "${" costs linear time, not a scan to the end of the line from each of them.
  std::size_t i = pos + 2;
  const std::size_t limit = std::min(text.size(), pos + kMaxReferenceLength);
  int depth = 1;
  while (i < limit && text[i] != '\n') {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      ++depth;
      i += 2;
      continue;
    }
    if (text[i] == '{') return std::nullopt;
    if (text[i] == '}' && --depth == 0) break;
    ++i;
  }
  if (i >= limit || text[i] != '}') return std::nullopt;
  const std::string_view content = text.substr(pos + 2, i - pos - 2);
  const std::size_t bar = content.find('|');
  VariableRef ref;
  ref.begin = pos;
  ref.end = i + 1;
  ref.name = std::string(trim(content.substr(0, bar)));
  if (bar != std::string_view::npos) {
    std::string_view d = trim(content.substr(bar + 1));
    if (d.size() >= 2 && (d.front() == '\'' || d.front() == '"') && d.back() == d.front()) {
      d.remove_prefix(1);
      d.remove_suffix(1);
    }
    ref.default_value = std::string(d);
  }
  return ref;
}

Substituted substitute(std::string_view text, const VariableScope& vars, SubstitutionContext context) {
  return Substituter(text, vars).run(context);
}

std::string json_escape(std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(value.size());
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  return out;
}

}  // namespace sqlflow::pipeline
