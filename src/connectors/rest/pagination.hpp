// Pagination of a REST source: which request fetches page k, when the pages end, RFC 8288 Link
// headers and RFC 3986 reference resolution for next-page URLs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/rest/json_records.hpp"
#include "connectors/rest/options.hpp"

namespace sqlflow::connectors::rest {

// `url` with `extra` appended to its query (names and values percent-encoded, RFC 3986).
std::string with_query(const std::string& url, const KeyValues& extra);

// The target of the first link with relation type "next" in a Link header value (RFC 8288 §3:
// `<uri>; rel="next", <uri>; rel="last"`; rel may list several types), or nullopt.
std::optional<std::string> parse_link_next(std::string_view header);

// `ref` resolved against `base` (RFC 3986 §5.2; absolute refs are returned as they are). Throws a
// data Error for a reference libcurl cannot parse.
std::string resolve_reference(const std::string& base, const std::string& ref);

class PagePlanner {
 public:
  explicit PagePlanner(const PaginationOptions& options) : o_(options) {}

  // page_number and offset address any page directly (so pages can be fetched in parallel).
  bool addressable() const;
  // The query parameters that select page `index` (0-based, in fetch order).
  KeyValues params_for(std::int64_t index) const;
  // The number of pages, when the first page says (total_path / total_pages_path).
  std::optional<std::int64_t> page_count(const PageMeta& first) const;
  // For addressable styles without a known count: whether this page is the last one (empty, or
  // shorter than the page size).
  bool is_last(const PageMeta& page) const;

 private:
  const PaginationOptions& o_;
};

}  // namespace sqlflow::connectors::rest
