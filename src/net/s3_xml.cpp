#include "net/s3_xml.hpp"

#include <cstdint>

#include "core/error.hpp"

namespace sqlflow::net::s3xml {

const Element* Element::child(std::string_view n) const {
  for (const auto& c : children)
    if (c.name == n) return &c;
  return nullptr;
}

std::string Element::child_text(std::string_view n) const {
  const Element* c = child(n);
  return c ? c->text : std::string();
}

std::vector<const Element*> Element::children_named(std::string_view n) const {
  std::vector<const Element*> out;
  for (const auto& c : children)
    if (c.name == n) out.push_back(&c);
  return out;
}

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_name_char(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u >= 0x80 || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '-' || c == '.' || c == ':';
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Parser {
 public:
  Parser(std::string_view s, const Limits& l) : s_(s), limits_(l) {}

  Element document() {
    if (s_.size() > limits_.max_bytes)
      fail("document of " + std::to_string(s_.size()) + " bytes exceeds the limit of " +
           std::to_string(limits_.max_bytes));
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // UTF-8 byte order mark
    misc();
    if (pos_ >= s_.size() || s_[pos_] != '<') fail("expected the root element");
    Element root = element(1);
    misc();
    if (pos_ != s_.size()) fail("content after the root element");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw data_error("malformed XML from S3 at byte " + std::to_string(pos_) + ": " + what,
                     "the server did not answer like S3; check endpoint_url");
  }

  bool starts(std::string_view t) const { return s_.substr(pos_, t.size()) == t; }

  void skip_until(std::string_view end, const char* what) {
    size_t at = s_.find(end, pos_);
    if (at == std::string_view::npos) fail(std::string("unterminated ") + what);
    pos_ = at + end.size();
  }

  // Whitespace, comments and processing instructions (the XML declaration) between elements.
  void misc() {
    for (;;) {
      while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
      if (starts("<?")) {
        skip_until("?>", "processing instruction");
      } else if (starts("<!--")) {
        pos_ += 4;
        skip_until("-->", "comment");
      } else if (starts("<!")) {
        fail("DTDs and declarations are not accepted");
      } else {
        return;
      }
    }
  }

  std::string name() {
    size_t start = pos_;
    while (pos_ < s_.size() && is_name_char(s_[pos_])) ++pos_;
    if (pos_ == start) fail("expected a name");
    std::string_view n = s_.substr(start, pos_ - start);
    if (size_t colon = n.rfind(':'); colon != std::string_view::npos) n = n.substr(colon + 1);
    return std::string(n);
  }

  void attributes() {
    for (;;) {
      while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
      if (pos_ >= s_.size()) fail("unterminated start tag");
      if (s_[pos_] == '>' || s_[pos_] == '/') return;
      name();
      while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
      if (pos_ >= s_.size() || s_[pos_] != '=') fail("expected '=' in an attribute");
      ++pos_;
      while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\''))
        fail("expected a quoted attribute value");
      char q = s_[pos_++];
      size_t end = s_.find(q, pos_);
      if (end == std::string_view::npos) fail("unterminated attribute value");
      if (s_.substr(pos_, end - pos_).find('<') != std::string_view::npos) fail("'<' in an attribute value");
      pos_ = end + 1;
    }
  }

  void reference(std::string& out) {
    size_t semi = s_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 12) fail("unterminated entity reference");
    std::string_view ref = s_.substr(pos_ + 1, semi - pos_ - 1);
    if (ref == "lt")
      out.push_back('<');
    else if (ref == "gt")
      out.push_back('>');
    else if (ref == "amp")
      out.push_back('&');
    else if (ref == "quot")
      out.push_back('"');
    else if (ref == "apos")
      out.push_back('\'');
    else if (ref.size() >= 2 && ref[0] == '#') {
      bool hex = ref[1] == 'x';
      std::string_view digits = ref.substr(hex ? 2 : 1);
      if (digits.empty()) fail("empty character reference");
      std::uint32_t cp = 0;
      for (char c : digits) {
        int d = -1;
        if (c >= '0' && c <= '9')
          d = c - '0';
        else if (hex && c >= 'a' && c <= 'f')
          d = c - 'a' + 10;
        else if (hex && c >= 'A' && c <= 'F')
          d = c - 'A' + 10;
        if (d < 0) fail("bad character reference");
        cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
        if (cp > 0x10FFFF) fail("character reference out of range");
      }
      if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) fail("character reference to an invalid character");
      append_utf8(out, cp);
    } else {
      fail("unknown entity '&" + std::string(ref) + ";'");
    }
    pos_ = semi + 1;
  }

  Element element(size_t depth) {
    if (depth > limits_.max_depth) fail("elements nested deeper than " + std::to_string(limits_.max_depth));
    if (++elements_ > limits_.max_elements)
      fail("more than " + std::to_string(limits_.max_elements) + " elements");
    ++pos_;  // '<'
    Element e;
    e.name = name();
    attributes();
    if (starts("/>")) {
      pos_ += 2;
      return e;
    }
    ++pos_;  // '>'
    for (;;) {
      if (pos_ >= s_.size()) fail("unterminated element <" + e.name + ">");
      char c = s_[pos_];
      if (c == '&') {
        reference(e.text);
      } else if (c != '<') {
        e.text.push_back(c);
        ++pos_;
      } else if (starts("</")) {
        pos_ += 2;
        std::string closing = name();
        while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
        if (pos_ >= s_.size() || s_[pos_] != '>') fail("unterminated end tag");
        ++pos_;
        if (closing != e.name) fail("</" + closing + "> closes <" + e.name + ">");
        return e;
      } else if (starts("<!--")) {
        pos_ += 4;
        skip_until("-->", "comment");
      } else if (starts("<![CDATA[")) {
        size_t start = pos_ + 9;
        size_t end = s_.find("]]>", start);
        if (end == std::string_view::npos) fail("unterminated CDATA section");
        e.text.append(s_.substr(start, end - start));
        pos_ = end + 3;
      } else if (starts("<?")) {
        skip_until("?>", "processing instruction");
      } else if (starts("<!")) {
        fail("declarations are not accepted inside elements");
      } else {
        e.children.push_back(element(depth + 1));
      }
    }
  }

  std::string_view s_;
  const Limits& limits_;
  size_t pos_ = 0;
  size_t elements_ = 0;
};

}  // namespace

Element parse(std::string_view xml, const Limits& limits) {
  return Parser(xml, limits).document();
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace sqlflow::net::s3xml
