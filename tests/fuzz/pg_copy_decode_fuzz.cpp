// libFuzzer target for the PostgreSQL binary COPY decoder: on any bytes, fed in pieces of any
// size, CopyBinaryStream must either decode rows or raise sqlflow::Error, and never read out of
// bounds (ASan) or hit undefined behaviour (UBSan). Not part of the CMake build; see README.md.
// The first input byte picks the row layout and the second the piece size; the rest is the stream.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/postgres/copy_binary_decode.hpp"
#include "core/error.hpp"

namespace {

using namespace sqlflow;
using namespace sqlflow::connectors::postgres;

std::vector<DecodeSpec> layout(uint8_t pick) {
  static const Wire kWires[] = {
      Wire::Bool,    Wire::Int2,      Wire::Int4,        Wire::Int8,     Wire::Float4, Wire::Float8,
      Wire::Numeric, Wire::Text,      Wire::Jsonb,       Wire::Bytea,    Wire::Date,   Wire::Time,
      Wire::TimeTz,  Wire::Timestamp, Wire::TimestampTz, Wire::Interval, Wire::Uuid};
  constexpr size_t kCount = sizeof(kWires) / sizeof(kWires[0]);
  std::vector<DecodeSpec> out;
  const size_t fields = 1 + pick % 4;
  for (size_t i = 0; i < fields; ++i) {
    DecodeSpec s;
    s.wire = kWires[(pick / 4 + i * 5) % kCount];
    s.array = ((pick >> i) & 1) != 0;
    s.numeric = static_cast<NumericTarget>((pick + i) % 3);
    s.width = 38;
    s.scale = static_cast<uint8_t>((pick + i) % 19);
    s.column = "c" + std::to_string(i);
    out.push_back(s);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const auto fields = layout(data[0]);
  const size_t piece = 1 + data[1] % 64;
  const std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);
  std::vector<LogicalType> types;
  for (const auto& f : fields) types.push_back(f.duckdb_type());
  DataChunk chunk(types);
  CopyBinaryStream decoder(fields);
  size_t pos = 0;
  PullPiece pull = [&](std::string_view& out) {
    if (pos >= stream.size()) return false;
    out = stream.substr(pos, piece);
    pos += out.size();
    return true;
  };
  try {
    for (int round = 0; round < 64 && !decoder.finished(); ++round) {
      chunk.reset();
      std::vector<Vector> targets;
      for (size_t i = 0; i < fields.size(); ++i) targets.push_back(chunk.column(i));
      if (decoder.read(targets, DataChunk::capacity(), pull) == 0) break;
    }
  } catch (const Error&) {
  }
  return 0;
}
