#include <fstream>

#include "core/atomic_output.hpp"
#include "core/error.hpp"
#include "metrics/exporters.hpp"

namespace sqlflow::metrics::detail {

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  // core's AtomicOutput: temporary sibling + rename, missing parent folders created, debris of
  // killed runs cleaned; its errors already name the path.
  files::AtomicOutput output(std::filesystem::absolute(path), files::AtomicOutput::Layout::File,
                             "metrics file");
  output.prepare();
  {
    std::ofstream out(output.temp_path(), std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out)
      throw usage_error("cannot write metrics file '" + path.string() + "'",
                        "check that the directory is writable and the disk not full");
  }
  output.commit();
}

}  // namespace sqlflow::metrics::detail
