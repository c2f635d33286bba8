// Network byte order (big-endian) reads and writes for the PostgreSQL binary formats.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

namespace sqlflow::connectors::postgres::wire {

inline uint16_t be16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return __builtin_bswap16(v);
}
inline uint32_t be32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}
inline uint64_t be64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}

inline void put16(std::string& out, uint16_t v) {
  v = __builtin_bswap16(v);
  out.append(reinterpret_cast<const char*>(&v), 2);
}
inline void put32(std::string& out, uint32_t v) {
  v = __builtin_bswap32(v);
  out.append(reinterpret_cast<const char*>(&v), 4);
}
inline void put64(std::string& out, uint64_t v) {
  v = __builtin_bswap64(v);
  out.append(reinterpret_cast<const char*>(&v), 8);
}

}  // namespace sqlflow::connectors::postgres::wire
