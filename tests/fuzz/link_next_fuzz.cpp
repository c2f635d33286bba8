// libFuzzer target for the REST source's pagination helpers (src/connectors/rest/pagination.cpp):
// RFC 8288 Link header parsing, RFC 3986 reference resolution against a base URL, and adding
// query parameters to a URL, on arbitrary bytes. Must never crash. See README.md.
#include <cstddef>
#include <cstdint>
#include <string>

#include "connectors/rest/pagination.hpp"
#include "core/error.hpp"

using namespace sqlflow::connectors::rest;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  auto next = parse_link_next(input);
  try {
    (void)resolve_reference("https://api.example.com/v1/items?page=2", next ? *next : input);
    (void)with_query(input, {{"page", "3"}, {"q", input.substr(0, 16)}});
  } catch (const sqlflow::Error&) {
    // a malformed URL is an error, never a crash
  }
  return 0;
}
