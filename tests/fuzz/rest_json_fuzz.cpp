// libFuzzer target for the REST source's JSON path: on any response body, reading the pagination
// fields, sampling records for types and decoding them into DataChunks must neither crash nor
// trip ASan/UBSan; malformed input must end in a sqlflow::Error. The first byte picks the options
// (data_path, flattening, timestamps) so every path is reached. Not part of the CMake build; see
// README.md.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "connectors/rest/json_records.hpp"
#include "connectors/rest/options.hpp"
#include "connectors/rest/pagination.hpp"
#include "core/error.hpp"

using namespace sqlflow;
using namespace sqlflow::connectors::rest;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const char* paths[] = {"", "data", "data.items", "0", "a.b.c"};
  RecordsSpec spec;
  spec.data_path = paths[mode % 5];
  spec.data_pointer = to_json_pointer(spec.data_path);
  spec.flatten = (mode & 8) != 0;
  spec.infer_timestamps = (mode & 16) != 0;
  MetaPaths meta_paths;
  meta_paths.total_pointer = "/total";
  meta_paths.cursor_pointer = "/meta/next";
  meta_paths.next_pointer = "/links/next";
  meta_paths.count_records = (mode & 32) != 0;
  PageContext ctx{"http://fuzz/", 1, (mode & 64) != 0};
  // The Link header parser sees the same bytes.
  (void)parse_link_next(body);
  try {
    auto page = std::make_shared<const PageBody>(body);
    read_page_meta(*page, spec, meta_paths, ctx);
    SchemaBuilder builder;
    sample_records(*page, spec, 100, builder, ctx);
    auto columns = builder.finish({});
    if (columns.empty()) return 0;
    std::vector<LogicalType> types;
    std::vector<size_t> projection;
    for (size_t i = 0; i < columns.size(); ++i) {
      types.push_back(logical_type(columns[i].as));
      if (!(mode & 128) || i % 2 == 0) projection.push_back(i);  // sometimes a projection
    }
    std::vector<LogicalType> projected;
    for (size_t i : projection) projected.push_back(types[i]);
    DataChunk chunk(projected);
    RecordDecoder decoder(columns, spec, projection, {});
    decoder.start(page, ctx);
    while (decoder.decode(chunk, 0) > 0) chunk.reset();
  } catch (const Error&) {
    // Malformed bodies and values that do not fit are errors, as they should be.
  }
  return 0;
}
