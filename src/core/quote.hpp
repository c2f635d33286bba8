// The only way identifiers and literals enter SQL text we build (DuckDB and PostgreSQL share
// these rules: double an embedded quote character).
#pragma once

#include <string>
#include <string_view>

namespace sqlflow {

// "name" with embedded double quotes doubled. Rejects NUL bytes, which no SQL identifier may hold.
std::string quote_identifier(std::string_view name);
// Dotted name a.b.c → "a"."b"."c" (each part quoted on its own).
std::string quote_qualified(std::string_view dotted);
// 'value' with embedded single quotes doubled (standard SQL strings: backslash is literal).
std::string quote_literal(std::string_view value);

}  // namespace sqlflow
