#include "resilience/classify.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <vector>

namespace sqlflow::resilience {

bool is_retryable_http_status(int status) {
  switch (status) {
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return true;
    default:
      return false;
  }
}

bool has_google_rate_limit_reason(std::string_view body) {
  // Google's JSON error bodies: {"error": {"errors": [{"reason": "rateLimitExceeded"}], "status":
  // "RESOURCE_EXHAUSTED"}}
  return body.find("rateLimitExceeded") != std::string_view::npos ||
         body.find("userRateLimitExceeded") != std::string_view::npos ||
         body.find("RESOURCE_EXHAUSTED") != std::string_view::npos;
}

Failure classify_http_status(int status, std::string_view retry_after_header, std::string_view body_prefix,
                             WallTime now) {
  Failure f;
  f.reason = "HTTP " + std::to_string(status);
  f.retryable = is_retryable_http_status(status);
  f.throttled = status == 429;
  if (status == 403 && has_google_rate_limit_reason(body_prefix)) {
    f.retryable = true;
    f.throttled = true;
    f.reason += " (rate limit exceeded)";
  }
  // Only server-side trouble says the endpoint is unhealthy.
  f.counts_for_breaker = status >= 500 || status == 408;
  if (!retry_after_header.empty() && (f.retryable || status == 503))
    f.retry_after = parse_retry_after(retry_after_header, now);
  return f;
}

bool is_retryable_sqlstate(std::string_view s) {
  if (s.size() != 5) return false;
  if (s.substr(0, 2) == "08") return true;
  return s == "40001" || s == "40P01" || s == "57P01" || s == "57P02" || s == "57P03" || s == "53300";
}

Failure classify_sqlstate(std::string_view sqlstate, std::string reason) {
  Failure f;
  f.retryable = is_retryable_sqlstate(sqlstate);
  f.counts_for_breaker =
      sqlstate.substr(0, 2) == "08" || sqlstate.substr(0, 3) == "57P" || sqlstate == "53300";
  f.reason = std::move(reason);
  return f;
}

namespace {

std::string_view trim(std::string_view v) {
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
  return v;
}

int month_index(std::string_view m) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (size_t i = 0; i < kMonths.size(); ++i)
    if (kMonths[i] == m) return static_cast<int>(i);
  return -1;
}

bool parse_int(std::string_view s, int& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_hms(std::string_view s, int& h, int& m, int& sec) {
  return s.size() == 8 && s[2] == ':' && s[5] == ':' && parse_int(s.substr(0, 2), h) &&
         parse_int(s.substr(3, 2), m) && parse_int(s.substr(6, 2), sec) && h < 24 && m < 60 && sec <= 60;
}

std::vector<std::string_view> split_ws(std::string_view v) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && v[i] == ' ') ++i;
    size_t j = i;
    while (j < v.size() && v[j] != ' ') ++j;
    if (j > i) parts.push_back(v.substr(i, j - i));
    i = j;
  }
  return parts;
}

}  // namespace

std::optional<WallTime> parse_http_date(std::string_view value) {
  value = trim(value);
  int day = 0, year = 0, h = 0, m = 0, s = 0, mon = -1;
  auto parts = split_ws(value);
  if (parts.size() == 6 && parts[0].size() == 4 && parts[0].back() == ',' && parts[5] == "GMT") {
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    if (!parse_int(parts[1], day) || (mon = month_index(parts[2])) < 0 || !parse_int(parts[3], year) ||
        !parse_hms(parts[4], h, m, s))
      return std::nullopt;
  } else if (parts.size() == 4 && !parts[0].empty() && parts[0].back() == ',' && parts[3] == "GMT") {
    // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"; two-digit years are taken as 19xx/20xx per §5.6.7.
    auto d = parts[1];
    if (d.size() != 9 || d[2] != '-' || d[6] != '-' || !parse_int(d.substr(0, 2), day) ||
        (mon = month_index(d.substr(3, 3))) < 0 || !parse_int(d.substr(7, 2), year) ||
        !parse_hms(parts[2], h, m, s))
      return std::nullopt;
    year += year < 70 ? 2000 : 1900;
  } else if (parts.size() == 5) {
    // asctime: "Sun Nov  6 08:49:37 1994"
    if ((mon = month_index(parts[1])) < 0 || !parse_int(parts[2], day) || !parse_hms(parts[3], h, m, s) ||
        !parse_int(parts[4], year))
      return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (day < 1 || day > 31 || year < 1970) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon;
  tm.tm_mday = day;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = s;
  std::time_t t = timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

std::string format_http_date(WallTime t) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                kDays[static_cast<size_t>(tm.tm_wday)], tm.tm_mday, kMonths[static_cast<size_t>(tm.tm_mon)],
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<Duration> parse_retry_after(std::string_view value, WallTime now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(value.front()))) {
    double secs = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
    if (ec != std::errc() || p != value.data() + value.size() || !std::isfinite(secs) || secs < 0)
      return std::nullopt;
    // Clamp absurd values (a year) so the arithmetic cannot overflow; the policy caps waits anyway.
    secs = std::min(secs, 365.0 * 24 * 3600);
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(secs));
  }
  auto date = parse_http_date(value);
  if (!date) return std::nullopt;
  if (*date <= now) return Duration(0);
  return std::chrono::duration_cast<Duration>(*date - now);
}

std::optional<ServerBucketState> parse_call_limit_header(std::string_view value) {
  value = trim(value);
  auto slash = value.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  ServerBucketState st;
  auto a = trim(value.substr(0, slash)), b = trim(value.substr(slash + 1));
  auto r1 = std::from_chars(a.data(), a.data() + a.size(), st.used);
  auto r2 = std::from_chars(b.data(), b.data() + b.size(), st.capacity);
  if (r1.ec != std::errc() || r1.ptr != a.data() + a.size() || r2.ec != std::errc() ||
      r2.ptr != b.data() + b.size() || !(st.capacity > 0) || st.used < 0 || !std::isfinite(st.used) ||
      !std::isfinite(st.capacity))
    return std::nullopt;
  return st;
}

}  // namespace sqlflow::resilience

namespace sqlflow::resilience {

namespace {

// The first number of a header value ("57", "100, 100;w=60", "1.5"); nullopt when none.
std::optional<double> leading_number(std::string_view v) {
  v = trim(v);
  size_t end = 0;
  while (end < v.size() && (std::isdigit(static_cast<unsigned char>(v[end])) || v[end] == '.')) ++end;
  if (end == 0) return std::nullopt;
  double d = 0;
  auto r = std::from_chars(v.data(), v.data() + end, d);
  if (r.ec != std::errc() || r.ptr != v.data() + end || !std::isfinite(d) || d < 0) return std::nullopt;
  return d;
}

// A parameter `key=number` of a structured-field item (`"default";r=50;t=30`).
std::optional<double> sf_param(std::string_view v, std::string_view key) {
  size_t pos = 0;
  while ((pos = v.find(';', pos)) != std::string_view::npos) {
    ++pos;
    std::string_view rest = trim(v.substr(pos));
    if (rest.size() > key.size() && rest.substr(0, key.size()) == key && rest[key.size()] == '=')
      return leading_number(rest.substr(key.size() + 1));
  }
  return std::nullopt;
}

Duration seconds_to_duration(double s) {
  s = std::min(s, 86400.0 * 365);
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

// X-RateLimit-Reset: delta seconds, or a Unix time in seconds (> 10^9) or milliseconds (> 10^12).
Duration reset_from(double value, WallTime now) {
  if (value > 1e9) {
    double epoch_s = value > 1e12 ? value / 1000.0 : value;
    double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
    return seconds_to_duration(std::max(0.0, epoch_s - now_s));
  }
  return seconds_to_duration(value);
}

}  // namespace

std::optional<ServerQuotaState> parse_rate_limit_headers(
    const std::function<std::string(std::string_view)>& header, WallTime now) {
  ServerQuotaState st;
  // The draft's single structured field (draft 08 and later).
  if (std::string sf = header("RateLimit"); !sf.empty()) {
    if (auto r = sf_param(sf, "r")) {
      st.remaining = *r;
      if (auto t = sf_param(sf, "t")) st.reset = seconds_to_duration(*t);
      if (std::string pol = header("RateLimit-Policy"); !pol.empty())
        if (auto q = sf_param(pol, "q")) st.limit = *q;
      return st;
    }
  }
  for (const char* prefix : {"RateLimit-", "X-RateLimit-"}) {
    const std::string p = prefix;
    auto remaining = leading_number(header(p + "Remaining"));
    if (!remaining) continue;
    st.remaining = *remaining;
    if (auto reset = leading_number(header(p + "Reset")))
      st.reset = reset_from(*reset, now);
    else if (auto after = leading_number(header(p + "Reset-After")))
      st.reset = seconds_to_duration(*after);
    st.limit = leading_number(header(p + "Limit"));
    return st;
  }
  return std::nullopt;
}

}  // namespace sqlflow::resilience
