// ASCII case folding, one copy for every module (unity builds put files that each had their own
// `lower` into one translation unit).
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace sqlflow {

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace sqlflow
