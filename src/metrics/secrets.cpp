#include "metrics/secrets.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace sqlflow::metrics {

namespace {

struct Registry {
  std::shared_mutex mutex;
  std::vector<std::string> values;  // longest first, so a secret containing another is masked whole
};

Registry& registry() {
  static Registry r;
  return r;
}

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
bool is_name_char(char c) {
  return is_alnum(c) || c == '_' || c == '-' || c == '.';
}

// RFC 3986 percent-encoding of everything but unreserved characters, as query strings carry it.
std::string percent_encode(std::string_view s) {
  static const char* const kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      auto u = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

// The spelling a JSON string (RFC 8259 §7) gives the secret, e.g. in a logged request body.
std::string json_escape(std::string_view s) {
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      out += "\\u00";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void replace_all(std::string& text, std::string_view needle) {
  if (needle.empty()) return;
  std::size_t pos = 0;
  while ((pos = text.find(needle, pos)) != std::string::npos) {
    text.replace(pos, needle.size(), kMask);
    pos += kMask.size();
  }
}

// Replaces text[begin, end) with the mask unless it is empty or already masked; returns the
// position just after the mask (or `end`).
std::size_t mask_range(std::string& text, std::size_t begin, std::size_t end) {
  if (end <= begin || text.compare(begin, end - begin, kMask) == 0) return end;
  text.replace(begin, end - begin, kMask);
  return begin + kMask.size();
}

bool contains_any(const std::string& s, std::initializer_list<std::string_view> parts) {
  return std::any_of(parts.begin(), parts.end(),
                     [&](std::string_view p) { return s.find(p) != std::string::npos; });
}
bool equals_any(const std::string& s, std::initializer_list<std::string_view> names) {
  return std::any_of(names.begin(), names.end(), [&](std::string_view n) { return s == n; });
}

bool sensitive_query_param(const std::string& name) {
  return contains_any(name, {"key", "token", "secret", "password", "passwd", "signature", "credential"}) ||
         equals_any(name, {"pwd", "sig", "auth"});
}
bool sensitive_conninfo_param(const std::string& name) {
  return contains_any(name, {"password", "passwd", "secret", "token"}) || equals_any(name, {"pwd"});
}

bool value_terminator(char c) {
  return std::isspace(static_cast<unsigned char>(c)) || c == '&' || c == '#' || c == '"' || c == '\'' ||
         c == '<' || c == '>' || c == ',' || c == ';' || c == ')' || c == ']' || c == '}';
}

// scheme://user:PASSWORD@host (RFC 3986 §3.2.1).
void mask_url_userinfo(std::string& text) {
  std::size_t pos = 0;
  while ((pos = text.find("://", pos)) != std::string::npos) {
    std::size_t begin = pos + 3;
    std::size_t end = begin;
    while (end < text.size() && text[end] != '/' && text[end] != '?' && text[end] != '#' &&
           !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '"' && text[end] != '\'' &&
           text[end] != '<' && text[end] != '>')
      ++end;
    std::size_t at = text.rfind('@', end == 0 ? 0 : end - 1);
    if (at != std::string::npos && at >= begin && at < end) {
      std::size_t colon = text.find(':', begin);
      if (colon != std::string::npos && colon < at) {
        mask_range(text, colon + 1, at);
        end = text.find('@', colon) + 1;
      }
    }
    pos = end > pos + 3 ? end : pos + 3;
  }
}

// name=VALUE in query strings (after ? or &) and in connection strings (after a separator).
void mask_key_values(std::string& text) {
  std::size_t pos = 0;
  while ((pos = text.find('=', pos)) != std::string::npos) {
    std::size_t name_begin = pos;
    while (name_begin > 0 && is_name_char(text[name_begin - 1])) --name_begin;
    if (name_begin == pos) {
      ++pos;
      continue;
    }
    std::string name = to_lower(std::string_view(text).substr(name_begin, pos - name_begin));
    char before = name_begin == 0 ? ' ' : text[name_begin - 1];
    bool sensitive = false;
    if (before == '?' || before == '&') {
      sensitive = sensitive_query_param(name);
    } else if (std::isspace(static_cast<unsigned char>(before)) || before == ';' || before == ',' ||
               before == '(' || before == '"' || before == '\'' || before == '{' || before == '[') {
      sensitive = sensitive_conninfo_param(name);
    }
    std::size_t value = pos + 1;
    if (!sensitive || value >= text.size()) {
      pos = value;
      continue;
    }
    if (text[value] == '\'' || text[value] == '"') {  // quoted: password='a b'
      std::size_t close = text.find(text[value], value + 1);
      if (close == std::string::npos) close = text.size();
      pos = mask_range(text, value + 1, close);
    } else {
      std::size_t end = value;
      while (end < text.size() && !value_terminator(text[end])) ++end;
      pos = mask_range(text, value, end);
    }
  }
}

bool starts_with_ci(const std::string& text, std::size_t pos, std::string_view word) {
  if (pos + word.size() > text.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (lower(text[pos + i]) != word[i]) return false;
  return true;
}

bool token_char(char c) {
  return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
}

// "Bearer TOKEN" / "Basic BASE64" (RFC 6750, RFC 7617) wherever they appear.
void mask_auth_schemes(std::string& text) {
  for (std::string_view scheme : {std::string_view("bearer "), std::string_view("basic ")}) {
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t hit = std::string::npos;
      for (std::size_t i = pos; i + scheme.size() <= text.size(); ++i) {
        if (starts_with_ci(text, i, scheme) && (i == 0 || !is_alnum(text[i - 1]))) {
          hit = i;
          break;
        }
      }
      if (hit == std::string::npos) break;
      std::size_t begin = hit + scheme.size();
      while (begin < text.size() && text[begin] == ' ') ++begin;
      std::size_t end = begin;
      while (end < text.size() && token_char(text[end])) ++end;
      // "basic" also occurs in prose; only mask what looks like a credential there.
      bool credential = scheme == "bearer " ? end > begin : end - begin >= 8;
      pos = credential ? mask_range(text, begin, end) : begin;
    }
  }
}

// Header: VALUE (to the end of the line), also in JSON form "Header": "VALUE".
void mask_credential_headers(std::string& text) {
  static constexpr std::array<std::string_view, 8> kHeaders = {
      "authorization", "proxy-authorization",    "x-api-key", "api-key",
      "x-auth-token",  "x-shopify-access-token", "cookie",    "set-cookie"};
  for (std::string_view header : kHeaders) {
    std::size_t pos = 0;
    while (pos + header.size() <= text.size()) {
      if (!starts_with_ci(text, pos, header) || (pos > 0 && is_name_char(text[pos - 1]))) {
        ++pos;
        continue;
      }
      std::size_t i = pos + header.size();
      bool quoted_name = i < text.size() && text[i] == '"';
      if (quoted_name) ++i;
      while (i < text.size() && text[i] == ' ') ++i;
      if (i >= text.size() || text[i] != ':') {
        pos = i;
        continue;
      }
      ++i;
      while (i < text.size() && text[i] == ' ') ++i;
      std::size_t end;
      if (i < text.size() && text[i] == '"') {
        ++i;
        end = i;
        while (end < text.size() && text[end] != '"')
          end += text[end] == '\\' && end + 1 < text.size() ? 2 : 1;
        end = std::min(end, text.size());
      } else {
        end = i;
        while (end < text.size() && text[end] != '\n' && text[end] != '\r') ++end;
      }
      pos = mask_range(text, i, end);
    }
  }
}

}  // namespace

void register_secret(std::string secret) {
  if (secret.empty()) return;
  std::vector<std::string> spellings{secret, percent_encode(secret), json_escape(secret)};
  auto& r = registry();
  std::unique_lock lock(r.mutex);
  for (auto& s : spellings)
    if (std::find(r.values.begin(), r.values.end(), s) == r.values.end()) r.values.push_back(std::move(s));
  std::stable_sort(r.values.begin(), r.values.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::size_t registered_secret_count() {
  auto& r = registry();
  std::shared_lock lock(r.mutex);
  return r.values.size();
}

std::string mask_secrets(std::string_view input) {
  std::string text(input);
  {
    auto& r = registry();
    std::shared_lock lock(r.mutex);
    for (const auto& secret : r.values) replace_all(text, secret);
  }
  mask_url_userinfo(text);
  mask_key_values(text);
  mask_auth_schemes(text);
  mask_credential_headers(text);
  return text;
}

}  // namespace sqlflow::metrics
