#include "connectors/csv/line_scan.hpp"

#include <cstdio>
#include <memory>
#include <vector>

namespace sqlflow::connectors::csv {

namespace {

// Calls `on_byte(c)` for every byte of the file, in 1 MB blocks; stops when it returns false.
template <class F>
void each_byte(const std::filesystem::path& file, F on_byte) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!f) return;
  std::vector<char> buf(1 << 20);
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0)
    for (size_t i = 0; i < n; ++i)
      if (!on_byte(buf[i])) return;
}

}  // namespace

std::optional<std::int64_t> unclosed_quote_line(const std::filesystem::path& file, char quote) {
  std::int64_t line = 1, opened_at = 0;
  bool in_quotes = false;
  each_byte(file, [&](char c) {
    if (c == quote) {
      in_quotes = !in_quotes;  // "" inside quotes toggles twice: an escaped quote
      if (in_quotes) opened_at = line;
    } else if (c == '\n') {
      ++line;
    }
    return true;
  });
  if (in_quotes) return opened_at;
  return std::nullopt;
}

std::optional<std::int64_t> first_line_longer_than(const std::filesystem::path& file, std::int64_t limit) {
  std::int64_t line = 1, length = 0;
  std::optional<std::int64_t> found;
  each_byte(file, [&](char c) {
    if (c == '\n') {
      ++line;
      length = 0;
      return true;
    }
    if (++length > limit) {
      found = line;
      return false;
    }
    return true;
  });
  return found;
}

}  // namespace sqlflow::connectors::csv
