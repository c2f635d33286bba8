#include "connectors/rest/pagination.hpp"

#include <curl/curl.h>

#include <memory>

#include "core/error.hpp"
#include "net/auth.hpp"
#include "net/redact.hpp"

namespace sqlflow::connectors::rest {

std::string with_query(const std::string& url, const KeyValues& extra) {
  if (extra.empty()) return url;
  std::string out = url;
  std::string fragment;
  if (auto hash = out.find('#'); hash != std::string::npos) {
    fragment = out.substr(hash);
    out.resize(hash);
  }
  char sep = out.find('?') == std::string::npos ? '?' : '&';
  if (!out.empty() && (out.back() == '?' || out.back() == '&')) sep = 0;
  for (const auto& [k, v] : extra) {
    if (sep) out += sep;
    out += net::url_encode(k) + "=" + net::url_encode(v);
    sep = '&';
  }
  return out + fragment;
}

namespace {

void skip_ws(std::string_view s, size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::optional<std::string> parse_link_next(std::string_view h) {
  size_t i = 0;
  while (i < h.size()) {
    skip_ws(h, i);
    if (i < h.size() && h[i] == ',') {
      ++i;
      continue;
    }
    if (i >= h.size() || h[i] != '<') {  // not a link-value: skip to the next comma
      while (i < h.size() && h[i] != ',') ++i;
      continue;
    }
    size_t close = h.find('>', i + 1);
    if (close == std::string_view::npos) return std::nullopt;
    std::string target(h.substr(i + 1, close - i - 1));
    i = close + 1;
    bool next = false;
    // link-params: *( OWS ";" OWS link-param ), link-param = token BWS [ "=" BWS ( token / quoted-string ) ]
    while (true) {
      skip_ws(h, i);
      if (i >= h.size() || h[i] != ';') break;
      ++i;
      skip_ws(h, i);
      size_t name_start = i;
      while (i < h.size() && h[i] != '=' && h[i] != ';' && h[i] != ',' && h[i] != ' ' && h[i] != '\t') ++i;
      std::string name = lower(std::string(h.substr(name_start, i - name_start)));
      skip_ws(h, i);
      std::string value;
      if (i < h.size() && h[i] == '=') {
        ++i;
        skip_ws(h, i);
        if (i < h.size() && h[i] == '"') {
          ++i;
          while (i < h.size() && h[i] != '"') {
            if (h[i] == '\\' && i + 1 < h.size()) ++i;
            value += h[i++];
          }
          if (i < h.size()) ++i;
        } else {
          size_t vs = i;
          while (i < h.size() && h[i] != ';' && h[i] != ',' && h[i] != ' ' && h[i] != '\t') ++i;
          value = std::string(h.substr(vs, i - vs));
        }
      }
      if (name == "rel") {
        // RFC 8288 §3.3: rel is a space-separated list of relation types, compared case-insensitively.
        std::string rels = lower(value);
        size_t p = 0;
        while (p < rels.size()) {
          size_t sp = rels.find(' ', p);
          if (rels.substr(p, sp == std::string::npos ? std::string::npos : sp - p) == "next") next = true;
          if (sp == std::string::npos) break;
          p = sp + 1;
        }
      }
    }
    if (next) return target;
    while (i < h.size() && h[i] != ',') ++i;
  }
  return std::nullopt;
}

std::string resolve_reference(const std::string& base, const std::string& ref) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), &curl_url_cleanup);
  if (!u) throw internal_error("curl_url failed");
  CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, base.c_str(), 0);
  if (rc == CURLUE_OK) rc = curl_url_set(u.get(), CURLUPART_URL, ref.c_str(), CURLU_NON_SUPPORT_SCHEME);
  char* out = nullptr;
  if (rc == CURLUE_OK) rc = curl_url_get(u.get(), CURLUPART_URL, &out, 0);
  if (rc != CURLUE_OK || !out)
    throw data_error("the next-page link '" + net::redact_url(ref) +
                     "' is not a usable URL: " + curl_url_strerror(rc));
  std::string s(out);
  curl_free(out);
  return s;
}

bool PagePlanner::addressable() const {
  return o_.type == PaginationOptions::Type::PageNumber || o_.type == PaginationOptions::Type::Offset;
}

KeyValues PagePlanner::params_for(std::int64_t index) const {
  KeyValues out;
  if (o_.type == PaginationOptions::Type::PageNumber) {
    out.emplace_back(o_.page_param, std::to_string(o_.start_page + index));
    if (o_.page_size > 0 && !o_.size_param.empty())
      out.emplace_back(o_.size_param, std::to_string(o_.page_size));
  } else if (o_.type == PaginationOptions::Type::Offset) {
    out.emplace_back(o_.offset_param, std::to_string(o_.start_offset + index * o_.limit));
    out.emplace_back(o_.limit_param, std::to_string(o_.limit));
  }
  return out;
}

std::optional<std::int64_t> PagePlanner::page_count(const PageMeta& first) const {
  if (o_.type == PaginationOptions::Type::PageNumber) {
    if (!o_.total_pages_path.empty() && first.total_pages) return *first.total_pages;
    if (!o_.total_path.empty() && first.total && o_.page_size > 0)
      return (*first.total + o_.page_size - 1) / o_.page_size;
  } else if (o_.type == PaginationOptions::Type::Offset) {
    if (!o_.total_path.empty() && first.total) {
      std::int64_t remaining = *first.total - o_.start_offset;
      return remaining <= 0 ? 0 : (remaining + o_.limit - 1) / o_.limit;
    }
  }
  return std::nullopt;
}

bool PagePlanner::is_last(const PageMeta& page) const {
  if (page.records == 0) return true;
  if (o_.type == PaginationOptions::Type::PageNumber)
    return o_.page_size > 0 && static_cast<std::int64_t>(page.records) < o_.page_size;
  if (o_.type == PaginationOptions::Type::Offset) return static_cast<std::int64_t>(page.records) < o_.limit;
  return true;
}

}  // namespace sqlflow::connectors::rest
