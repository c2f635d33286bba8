#include "connectors/json/nesting_guard.hpp"

#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace sqlflow::connectors::json {

namespace {
constexpr std::size_t kScanBytes = 64u << 20;
}  // namespace

void check_nesting(const std::filesystem::path& file, const char* what) {
  const std::string ext = file.extension().string();
  if (ext == ".gz" || ext == ".zst" || ext == ".zstd") return;
  std::ifstream in(file, std::ios::binary);
  if (!in) return;  // the reader reports unreadable files itself
  std::vector<char> buf(1 << 16);
  std::size_t depth = 0, line = 1, scanned = 0;
  bool in_string = false, escaped = false;
  while (scanned < kScanBytes && in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    for (std::size_t i = 0; i < n; ++i) {
      const char c = buf[i];
      if (c == '\n') ++line;
      if (in_string) {
        if (escaped)
          escaped = false;
        else if (c == '\\')
          escaped = true;
        else if (c == '"')
          in_string = false;
        continue;
      }
      if (c == '"') {
        in_string = true;
      } else if (c == '[' || c == '{') {
        if (++depth > kMaxJsonNesting)
          throw data_error(subject_prefix(what) + "'" + file.string() + "' line " + std::to_string(line) +
                               " nests arrays or objects more than " + std::to_string(kMaxJsonNesting) +
                               " levels deep",
                           "no real record is nested this deeply: the file is damaged or hostile");
      } else if ((c == ']' || c == '}') && depth > 0) {
        --depth;
      }
    }
    scanned += n;
  }
}

}  // namespace sqlflow::connectors::json
