#include "net/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "net/secret.hpp"

namespace sqlflow::net {

namespace {

std::string normalize(std::string_view name) {
  std::string n;
  n.reserve(name.size());
  for (char c : name) {
    if (c == '-' || c == '.' || c == ' ') c = '_';
    n.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return n;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

// name=value&name=value with sensitive values replaced (query strings, fragments, form bodies).
std::string redact_pairs(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t amp = s.find('&', i);
    if (amp == std::string_view::npos) amp = s.size();
    std::string_view pair = s.substr(i, amp - i);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && is_sensitive_name(url_decode(pair.substr(0, eq)))) {
      out.append(pair.substr(0, eq + 1));
      if (eq + 1 < pair.size()) out.append(kRedacted);
    } else {
      out.append(pair);
    }
    if (amp < s.size()) out.push_back('&');
    i = amp + 1;
  }
  return out;
}

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

bool is_url_end(char c) {
  return std::isspace(static_cast<unsigned char>(c)) || c == '"' || c == '\'' || c == '<' || c == '>' ||
         c == '`';
}

bool iequals_prefix(std::string_view text, size_t pos, std::string_view word) {
  if (pos + word.size() > text.size()) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[pos + i])) != word[i]) return false;
  return true;
}

}  // namespace

bool is_sensitive_name(std::string_view raw) {
  std::string n = normalize(raw);
  static constexpr std::array<std::string_view, 9> kExact = {"key", "sig",   "code", "auth", "pass",
                                                             "pwd", "token", "jwt",  "otp"};
  for (auto e : kExact)
    if (n == e) return true;
  static constexpr std::array<std::string_view, 15> kContains = {
      "token",  "secret",      "password",   "passwd",  "signature",     "credential", "assertion", "api_key",
      "apikey", "private_key", "access_key", "session", "authorization", "cookie",     "key_value"};
  for (auto c : kContains)
    if (n.find(c) != std::string::npos) return true;
  return ends_with(n, "_key") || ends_with(n, "_sig") || ends_with(n, "_auth");
}

bool is_sensitive_header(std::string_view name) {
  std::string n = normalize(name);
  if (n == "authorization" || n == "proxy_authorization" || n == "cookie" || n == "set_cookie") return true;
  return is_sensitive_name(name);
}

std::string redact_url(std::string_view url) {
  std::string out;
  size_t scheme = url.find("://");
  size_t auth_start = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t auth_end = url.find_first_of("/?#", auth_start);
  if (auth_end == std::string_view::npos) auth_end = url.size();
  std::string_view authority = url.substr(auth_start, auth_end - auth_start);
  out.append(url.substr(0, auth_start));
  size_t at = scheme == std::string_view::npos ? std::string_view::npos : authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    size_t colon = userinfo.find(':');
    // user:password@ keeps the user; a lone token@ (e.g. https://TOKEN@host) is the secret itself.
    if (colon != std::string_view::npos) {
      out.append(userinfo.substr(0, colon + 1));
      out.append(kRedacted);
    } else {
      out.append(kRedacted);
    }
    out.append(authority.substr(at));
  } else {
    out.append(authority);
  }
  std::string_view rest = url.substr(auth_end);
  size_t q = rest.find('?');
  size_t h = rest.find('#');
  std::string_view path = rest.substr(0, std::min(q, h));
  out.append(path);
  if (q != std::string_view::npos && (h == std::string_view::npos || q < h)) {
    size_t qend = h == std::string_view::npos ? rest.size() : h;
    out.push_back('?');
    out.append(redact_pairs(rest.substr(q + 1, qend - q - 1)));
  }
  if (h != std::string_view::npos) {
    out.push_back('#');
    out.append(redact_pairs(rest.substr(h + 1)));
  }
  return out;
}

std::string redact_header_value(std::string_view name, std::string_view value) {
  if (is_sensitive_header(name)) return std::string(kRedacted);
  return redact(value);
}

std::string redact_headers(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out;
  for (const auto& [k, v] : headers) {
    if (!out.empty()) out += "\n";
    out += k + ": " + redact_header_value(k, v);
  }
  return out;
}

std::string redact_form(std::string_view body) {
  return scrub_secrets(redact_pairs(body));
}

std::string redact(std::string_view text) {
  // 1. URLs.
  std::string s;
  s.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (iequals_prefix(text, i, "http://") || iequals_prefix(text, i, "https://")) {
      size_t j = i;
      while (j < text.size() && !is_url_end(text[j])) ++j;
      s += redact_url(text.substr(i, j - i));
      i = j;
    } else {
      s.push_back(text[i++]);
    }
  }
  // 2. Credentials after an auth scheme, 3. name=value, name: value and "name": "value" pairs.
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    bool scheme = false;
    for (std::string_view w :
         {std::string_view("bearer "), std::string_view("basic "), std::string_view("token ")}) {
      if ((i == 0 || !is_name_char(s[i - 1])) && iequals_prefix(s, i, w)) {
        size_t j = i + w.size();
        size_t k = j;
        while (k < s.size() && !std::isspace(static_cast<unsigned char>(s[k])) && s[k] != '"' &&
               s[k] != '\'' && s[k] != ',' && s[k] != ';')
          ++k;
        if (k > j && s.compare(j, k - j, kRedacted) != 0) {
          out.append(s, i, w.size());
          out.append(kRedacted);
          i = k;
          scheme = true;
        }
        break;
      }
    }
    if (scheme) continue;
    char c = s[i];
    if (c == '=' || c == ':') {
      // The name just before the separator (possibly quoted).
      size_t end = out.size();
      bool quoted = end > 0 && out[end - 1] == '"';
      size_t name_end = quoted ? end - 1 : end;
      size_t b = name_end;
      while (b > 0 && is_name_char(out[b - 1])) --b;
      std::string_view name(out.data() + b, name_end - b);
      if (!name.empty() && is_sensitive_name(name)) {
        out.push_back(c);
        size_t j = i + 1;
        while (j < s.size() && s[j] == ' ') out.push_back(s[j++]);
        if (j < s.size() && s[j] == '"') {
          // a JSON string value
          size_t k = j + 1;
          while (k < s.size() && s[k] != '"') k += (s[k] == '\\') ? 2 : 1;
          out += "\"***\"";
          i = std::min(k + 1, s.size());
        } else {
          for (std::string_view w :
               {std::string_view("bearer "), std::string_view("basic "), std::string_view("token ")}) {
            if (iequals_prefix(s, j, w)) {
              out.append(s, j, w.size());
              j += w.size();
              break;
            }
          }
          size_t k = j;
          while (k < s.size() && !std::isspace(static_cast<unsigned char>(s[k])) && s[k] != '&' &&
                 s[k] != ',' && s[k] != ';' && s[k] != '"' && s[k] != '\'' && s[k] != '}' && s[k] != ')')
            ++k;
          // Leave ":" in "https://" or a time like 12:00 alone: only redact when a value follows.
          if (k > j) out.append(kRedacted);
          i = k;
        }
        continue;
      }
    }
    out.push_back(c);
    ++i;
  }
  return scrub_secrets(std::move(out));
}

}  // namespace sqlflow::net
