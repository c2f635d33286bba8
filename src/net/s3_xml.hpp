// A small, bounds-checked XML reader for S3's responses (ListBucketResult, InitiateMultipartUpload-
// Result, CompleteMultipartUploadResult, Error): elements, text, the five predefined entities and
// character references, comments, CDATA, the XML declaration. No DTDs (refused, so no entity
// expansion), attributes are skipped, namespace prefixes are dropped from names.
//
// Why not libxml2 or expat: neither is linked into sqlflow_net (DESIGN.md's dependency table has no
// XML library) and S3's replies are flat documents of a few element names, so a purpose-built
// reader of ~200 lines with a depth and size limit costs less than a new dependency and its
// hardening (libxml2 needs XML_PARSE_NONET and entity limits set right to be safe on hostile input).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sqlflow::net::s3xml {

struct Element {
  std::string name;  // local name (prefix dropped)
  std::string text;  // character data directly inside, entities decoded
  std::vector<Element> children;

  // The first child with this name, or nullptr.
  const Element* child(std::string_view name) const;
  // The text of the first child with this name, or "" when there is none.
  std::string child_text(std::string_view name) const;
  std::vector<const Element*> children_named(std::string_view name) const;
};

struct Limits {
  std::size_t max_bytes = 64u << 20;  // a 1000-key listing is ~300 KB
  std::size_t max_depth = 32;
  std::size_t max_elements = 1u << 20;
};

// Parses one document. Throws a data Error ("malformed XML from S3 at byte N: …") on anything
// that is not well-formed within the subset above.
Element parse(std::string_view xml, const Limits& limits = {});

// Escapes text for element content (& < > " ').
std::string escape(std::string_view text);

}  // namespace sqlflow::net::s3xml
