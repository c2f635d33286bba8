#include "connectors/s3/cursor.hpp"

#include <cstdio>

#include "core/civil_time.hpp"
#include "core/error.hpp"

namespace sqlflow::connectors::s3 {

namespace {

constexpr std::int64_t kUsPerSecond = 1'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;

bool leap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

std::optional<std::int64_t> to_us(std::int64_t y, int mo, int d, int h, int mi, int s, std::int64_t frac_us) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1) return std::nullopt;
  if (d > kDays[mo - 1] + (mo == 2 && leap(y) ? 1 : 0)) return std::nullopt;
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return std::nullopt;
  std::int64_t seconds =
      days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * kSecondsPerDay + h * 3600 +
      mi * 60 + s;
  return seconds * kUsPerSecond + frac_us;
}

// Reads exactly `n` digits at `pos`; advances `pos`.
std::optional<int> digits(std::string_view t, std::size_t& pos, std::size_t n) {
  if (pos + n > t.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = t[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

bool take(std::string_view t, std::size_t& pos, char c) {
  if (pos < t.size() && t[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

}  // namespace

std::optional<std::int64_t> parse_timestamp_us(std::string_view t) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  std::size_t pos = 0;
  auto y = digits(t, pos, 4);
  if (!y || !take(t, pos, '-')) return std::nullopt;
  auto mo = digits(t, pos, 2);
  if (!mo || !take(t, pos, '-')) return std::nullopt;
  auto d = digits(t, pos, 2);
  if (!d) return std::nullopt;
  int h = 0, mi = 0, s = 0;
  std::int64_t frac = 0;
  if (pos < t.size()) {
    if (!take(t, pos, 'T') && !take(t, pos, ' ')) return std::nullopt;
    auto hh = digits(t, pos, 2);
    if (!hh || !take(t, pos, ':')) return std::nullopt;
    auto mm = digits(t, pos, 2);
    if (!mm || !take(t, pos, ':')) return std::nullopt;
    auto ss = digits(t, pos, 2);
    if (!ss) return std::nullopt;
    h = *hh;
    mi = *mm;
    s = *ss;
    if (take(t, pos, '.')) {
      // Up to microseconds; further digits (nanoseconds) are dropped.
      std::size_t n = 0;
      std::int64_t scale = 100'000;
      while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
        if (n < 6) frac += (t[pos] - '0') * scale;
        scale /= 10;
        ++n;
        ++pos;
      }
      if (n == 0) return std::nullopt;
    }
    // UTC only: Z, +00, +00:00, +0000.
    if (!take(t, pos, 'Z') && (take(t, pos, '+') || take(t, pos, '-'))) {
      std::string_view zone = t.substr(pos);
      if (zone != "00" && zone != "00:00" && zone != "0000") return std::nullopt;
      pos = t.size();
    }
  }
  if (pos != t.size()) return std::nullopt;
  return to_us(*y, *mo, *d, h, mi, s, frac);
}

std::string timestamp_text(std::int64_t us) {
  std::int64_t seconds = us / kUsPerSecond, frac = us % kUsPerSecond;
  if (frac < 0) {
    frac += kUsPerSecond;
    --seconds;
  }
  std::int64_t days = seconds / kSecondsPerDay, rem = seconds % kSecondsPerDay;
  if (rem < 0) {
    rem += kSecondsPerDay;
    --days;
  }
  const CivilDate c = civil_from_days(days);
  const std::int64_t y = c.year;
  const unsigned m = c.month, d = c.day;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lld", static_cast<long long>(y), m, d,
                static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60));
  std::string out = buf;
  if (frac) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
    out += buf;
  }
  return out;
}

KeyDatePattern::KeyDatePattern(std::string pattern) : pattern_(std::move(pattern)) {
  auto bad = [&](const std::string& why) {
    return validation_error(
        "key_date_pattern '" + pattern_ + "': " + why,
        "use %Y, %m, %d, %H, %M, %S and literal text, e.g. \"dt=%Y-%m-%d\" or \"%Y/%m/%d/\"");
  };
  std::string re;
  for (std::size_t i = 0; i < pattern_.size(); ++i) {
    char c = pattern_[i];
    if (c == '%') {
      if (i + 1 >= pattern_.size()) throw bad("it ends with a lone %");
      char f = pattern_[++i];
      if (f == '%') {
        re += '%';
        continue;
      }
      if (std::string("YmdHMS").find(f) == std::string::npos)
        throw bad(std::string("%") + f + " is not one of %Y %m %d %H %M %S");
      for (char seen : fields_)
        if (seen == f) throw bad(std::string("%") + f + " appears twice");
      fields_.push_back(f);
      re += f == 'Y' ? "([0-9]{4})" : "([0-9]{2})";
    } else if (std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos) {
      re += '\\';
      re += c;
    } else {
      re += c;
    }
  }
  bool has_year = false;
  for (char f : fields_) has_year = has_year || f == 'Y';
  if (!has_year) throw bad("it has no %Y");
  regex_ = std::regex(re, std::regex::ECMAScript);
}

std::optional<std::int64_t> KeyDatePattern::find(const std::string& key) const {
  std::smatch m;
  if (!std::regex_search(key, m, regex_)) return std::nullopt;
  int v[6] = {0, 1, 1, 0, 0, 0};  // Y m d H M S
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    int value = std::stoi(m[static_cast<int>(i) + 1].str());
    v[std::string("YmdHMS").find(fields_[i])] = value;
  }
  return to_us(v[0], v[1], v[2], v[3], v[4], v[5], 0);
}

}  // namespace sqlflow::connectors::s3
