#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include "core/error.hpp"
#include "metrics/exporters.hpp"

namespace sqlflow::metrics::detail {

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  auto fail = [&](const std::string& why) {
    return usage_error("cannot write metrics file '" + path.string() + "': " + why,
                       "check that the directory exists and is writable");
  };
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw fail(std::strerror(errno));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      throw fail("write failed");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw fail(ec.message());
  }
}

}  // namespace sqlflow::metrics::detail
