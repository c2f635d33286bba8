#include "connectors/rest/json_records.hpp"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.hpp"

namespace sqlflow::connectors::rest {

namespace od = simdjson::ondemand;
using simdjson::error_code;

// Objects nested deeper than this are not flattened further (kept as JSON text), which also
// bounds the recursion on hostile input.
constexpr int kMaxFlattenDepth = 32;

PageBody::PageBody(std::string body) : bytes_(std::move(body)) {
  size_ = bytes_.size();
  bytes_.append(simdjson::SIMDJSON_PADDING, '\0');
}

namespace {

std::string where(const PageContext& ctx) {
  return "page " + std::to_string(ctx.page) + " (" + ctx.url + ")";
}

// The byte offset the document's iterator is at, when it can tell.
std::string offset_text(od::document& doc, const char* base) {
  const char* loc = nullptr;
  if (doc.current_location().get(loc) == simdjson::SUCCESS && loc >= base)
    return " at byte " + std::to_string(loc - base);
  return "";
}

[[noreturn]] void malformed(const PageContext& ctx, error_code e, const std::string& at) {
  throw data_error(
      "response of " + where(ctx) + " is not valid JSON" + at + ": " + simdjson::error_message(e),
      "the API sent a malformed body; if this repeats, check the URL and data_path");
}

// A body that is not JSON at all (an HTML login or error page, XML) says so before any parse
// error does, since "improper structure at byte 0" hides what came back.
void check_looks_like_json(const PageBody& body, const PageContext& ctx) {
  const std::string_view v = body.view();
  const size_t first = v.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || v[first] != '<') return;
  const bool html = v.substr(first, 200).find("html") != std::string_view::npos ||
                    v.substr(first, 200).find("HTML") != std::string_view::npos;
  throw data_error("response of " + where(ctx) + " is " + (html ? "an HTML page" : "XML or HTML") +
                       ", not JSON (it starts with \"" +
                       std::string(v.substr(first, std::min<size_t>(40, v.size() - first))) +
                       (v.size() - first > 40 ? "…" : "") + "\")",
                   "check the URL and the credentials: a login or error page often comes back as HTML");
}

od::document open_document(od::parser& parser, const PageBody& body, const PageContext& ctx) {
  check_looks_like_json(body, ctx);
  od::document doc;
  error_code e =
      parser.iterate(simdjson::padded_string_view(body.data(), body.size(), body.capacity())).get(doc);
  if (e) malformed(ctx, e, "");
  return doc;
}

bool missing(error_code e) {
  return e == simdjson::NO_SUCH_FIELD || e == simdjson::INDEX_OUT_OF_BOUNDS || e == simdjson::INCORRECT_TYPE;
}

// Positions `arr` on the records array. Returns false for an empty page (data_path null, or
// missing on a later page); sets `single` when the records are one top-level object.
bool find_records(od::document& doc, const PageBody& body, const RecordsSpec& spec, const PageContext& ctx,
                  od::array& arr, bool& single) {
  single = false;
  error_code e;
  if (spec.data_pointer.empty()) {
    od::json_type t;
    if ((e = doc.type().get(t))) malformed(ctx, e, offset_text(doc, body.data()));
    if (t == od::json_type::array) {
      if ((e = doc.get_array().get(arr))) malformed(ctx, e, offset_text(doc, body.data()));
      return true;
    }
    if (t == od::json_type::object) {
      single = true;
      return true;
    }
    throw data_error("response of " + where(ctx) + " is neither a JSON array nor an object",
                     "set data_path to the records array, e.g. data.items");
  }
  {
    // data_path leads into an object or array: a top-level scalar is valid JSON without records.
    od::json_type root;
    if ((e = doc.type().get(root))) malformed(ctx, e, offset_text(doc, body.data()));
    if (root != od::json_type::object && root != od::json_type::array) {
      std::string_view raw;
      std::string shown =
          doc.raw_json_token().get(raw) ? std::string("a scalar") : std::string(raw.substr(0, 40));
      while (!shown.empty() && std::isspace(static_cast<unsigned char>(shown.back()))) shown.pop_back();
      throw data_error("response of " + where(ctx) + " is the JSON value " + shown +
                           ", which has no data_path '" + spec.data_path + "'",
                       "the API answered with a single value, not records: check the URL and data_path");
    }
    doc.rewind();
  }
  od::value v;
  e = doc.at_pointer(spec.data_pointer).get(v);
  if (e && !missing(e)) malformed(ctx, e, offset_text(doc, body.data()));
  bool is_null = false;
  if (!e) {
    od::json_type t;
    if ((e = v.type().get(t))) malformed(ctx, e, offset_text(doc, body.data()));
    is_null = t == od::json_type::null;
    if (t == od::json_type::array) {
      if ((e = v.get_array().get(arr))) malformed(ctx, e, offset_text(doc, body.data()));
      return true;
    }
    if (!is_null)
      throw data_error("data_path '" + spec.data_path + "' in " + where(ctx) + " is not an array",
                       "data_path must lead to the list of records, e.g. data.items");
  }
  if (e && ctx.first)
    throw data_error(
        "data_path '" + spec.data_path + "' was not found in the response of " + where(ctx),
        "check data_path against the API's response (dot path, e.g. data.items; $ for a top-level array)");
  return false;
}

std::optional<std::string> text_at(od::document& doc, const PageBody& body, const std::string& pointer,
                                   const PageContext& ctx) {
  if (pointer.empty()) return std::nullopt;
  od::value v;
  error_code e = doc.at_pointer(pointer).get(v);
  if (missing(e)) return std::nullopt;
  if (e) malformed(ctx, e, offset_text(doc, body.data()));
  od::json_type t;
  if ((e = v.type().get(t))) malformed(ctx, e, offset_text(doc, body.data()));
  if (t == od::json_type::null) return std::nullopt;
  if (t == od::json_type::string) {
    std::string_view s;
    if ((e = v.get_string().get(s))) malformed(ctx, e, offset_text(doc, body.data()));
    if (s.empty()) return std::nullopt;
    return std::string(s);
  }
  std::string_view raw = v.raw_json_token();
  while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back()))) raw.remove_suffix(1);
  return std::string(raw);
}

std::optional<std::int64_t> int_at(od::document& doc, const PageBody& body, const std::string& pointer,
                                   const std::string& path_name, const PageContext& ctx) {
  auto text = text_at(doc, body, pointer, ctx);
  if (!text) return std::nullopt;
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || p != text->data() + text->size() || n < 0)
    throw data_error(
        "pagination field " + path_name + " in " + where(ctx) + " is not a count: " + text->substr(0, 40),
        "total_path / total_pages_path must lead to a non-negative integer");
  return n;
}

std::string_view trimmed_token(od::value& v) {
  std::string_view raw = v.raw_json_token();
  while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back()))) raw.remove_suffix(1);
  return raw;
}

// An integer too long for 64 bits (simdjson 3.0 reports those as a number error).
bool big_integer(std::string_view token) {
  if (!token.empty() && token.front() == '-') token.remove_prefix(1);
  if (token.empty() || (token.size() > 1 && token.front() == '0')) return false;
  for (char c : token)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

PageMeta read_page_meta(const PageBody& body, const RecordsSpec& spec, const MetaPaths& paths,
                        const PageContext& ctx) {
  // One parser per thread: its buffers are reused from page to page (they grow to the largest
  // page a thread has read; producer threads end with their scan).
  thread_local od::parser parser;
  od::document doc = open_document(parser, body, ctx);
  // On-Demand checks only what it visits: walk the whole document once, so a truncated or
  // garbled body fails here, before any of its records is used.
  std::string_view whole;
  if (error_code e = doc.raw_json().get(whole)) malformed(ctx, e, offset_text(doc, body.data()));
  for (size_t i = static_cast<size_t>(whole.data() - body.data()) + whole.size(); i < body.size(); ++i)
    if (!std::isspace(static_cast<unsigned char>(body.data()[i])))
      malformed(ctx, simdjson::TRAILING_CONTENT, " at byte " + std::to_string(i));
  doc.rewind();
  PageMeta meta;
  meta.total = int_at(doc, body, paths.total_pointer, "total_path", ctx);
  meta.total_pages = int_at(doc, body, paths.total_pages_pointer, "total_pages_path", ctx);
  meta.cursor = text_at(doc, body, paths.cursor_pointer, ctx);
  meta.next_url = text_at(doc, body, paths.next_pointer, ctx);
  doc.rewind();
  od::array arr;
  bool single = false;
  if (find_records(doc, body, spec, ctx, arr, single)) {
    if (single) {
      meta.records = 1;
    } else if (paths.count_records) {
      size_t n = 0;
      error_code e = arr.count_elements().get(n);
      if (e) malformed(ctx, e, offset_text(doc, body.data()));
      meta.records = n;
    }
  }
  return meta;
}

// ------------------------------------------------------------------------------------------------
// Sampling

namespace {

struct Sampler {
  const RecordsSpec& spec;
  SchemaBuilder& builder;
  const PageContext& ctx;
  std::string name;  // the flattened name being built
  int depth = 0;

  ValueKind kind_of(od::value& v, od::json_type t) {
    switch (t) {
      case od::json_type::null:
        return ValueKind::Null;
      case od::json_type::boolean:
        return ValueKind::Bool;
      case od::json_type::array:
        return ValueKind::Json;
      case od::json_type::object:
        return ValueKind::Json;
      case od::json_type::string: {
        std::string_view s;
        if (v.get_string().get(s)) return ValueKind::String;
        std::int64_t micros;
        if (spec.infer_timestamps && parse_iso_timestamp(s, micros)) return ValueKind::Timestamp;
        return ValueKind::String;
      }
      case od::json_type::number: {
        od::number_type nt;
        if (error_code e = v.get_number_type().get(nt)) {
          if (big_integer(trimmed_token(v))) return ValueKind::BigNumber;  // beyond 64 bits: kept as text
          malformed(ctx, e, "");
        }
        if (nt == od::number_type::signed_integer) {
          std::int64_t i = 0;
          if (!v.get_int64().get(i) && (i > (std::int64_t{1} << 53) || i < -(std::int64_t{1} << 53)))
            return ValueKind::WideInt;
          return ValueKind::Int;
        }
        if (nt == od::number_type::unsigned_integer) return ValueKind::BigNumber;  // ≥ 2^63
        return ValueKind::Double;
      }
    }
    return ValueKind::String;
  }

  void value(od::value v) {
    od::json_type t;
    if (error_code e = v.type().get(t)) malformed(ctx, e, "");
    if (t == od::json_type::object && spec.flatten && depth < kMaxFlattenDepth) {
      od::object obj;
      if (error_code e = v.get_object().get(obj)) malformed(ctx, e, "");
      builder.observe_object(name);
      ++depth;
      fields(obj);
      --depth;
      return;
    }
    builder.observe(name, kind_of(v, t));
  }

  void fields(od::object& obj) {
    const size_t base = name.size();
    for (auto field : obj) {
      std::string_view key;
      if (error_code e = field.unescaped_key().get(key)) malformed(ctx, e, "");
      if (base) name += spec.flatten_separator;
      name.append(key);
      value(field.value());
      name.resize(base);
    }
  }
};

}  // namespace

size_t sample_records(const PageBody& body, const RecordsSpec& spec, size_t max_records,
                      SchemaBuilder& builder, const PageContext& ctx) {
  od::parser parser;
  od::document doc = open_document(parser, body, ctx);
  od::array arr;
  bool single = false;
  if (!find_records(doc, body, spec, ctx, arr, single)) return 0;
  Sampler s{spec, builder, ctx, {}};
  if (single) {
    od::object obj;
    if (error_code e = doc.get_object().get(obj)) malformed(ctx, e, offset_text(doc, body.data()));
    s.fields(obj);
    return 1;
  }
  size_t n = 0;
  for (auto element : arr) {
    if (n >= max_records) break;
    od::value v;
    if (error_code e = element.get(v)) malformed(ctx, e, offset_text(doc, body.data()));
    od::json_type t;
    if (error_code e = v.type().get(t)) malformed(ctx, e, offset_text(doc, body.data()));
    if (t == od::json_type::object) {
      od::object obj;
      if (error_code e = v.get_object().get(obj)) malformed(ctx, e, offset_text(doc, body.data()));
      s.fields(obj);
    } else {  // a list of scalars: one column named "value"
      s.name = "value";
      s.builder.observe("value", s.kind_of(v, t));
      s.name.clear();
    }
    ++n;
  }
  return n;
}

// ------------------------------------------------------------------------------------------------
// Decoding

namespace {

struct TransparentHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

}  // namespace

struct RecordDecoder::Impl {
  std::vector<RestColumn> columns;
  RecordsSpec spec;
  UnknownKey on_unknown;
  std::unordered_map<std::string, size_t, TransparentHash, std::equal_to<>> index;  // name → column
  std::vector<int> out_pos;         // column → position in the output chunk, -1 when not projected
  std::vector<size_t> projected;    // output position → column
  std::vector<std::uint64_t> seen;  // output position → generation that wrote it
  std::uint64_t generation = 0;
  std::unordered_map<std::string, bool, TransparentHash, std::equal_to<>> reported;

  od::parser parser;
  od::document doc;
  od::array arr;
  od::array_iterator it, end;
  bool active = false;
  bool single = false;
  bool single_done = false;
  std::shared_ptr<const PageBody> body;
  PageContext ctx;
  size_t record = 0;

  // Per decode() call: the output vectors.
  struct Out {
    duckdb_vector vec = nullptr;
    void* data = nullptr;
    uint64_t* validity = nullptr;
  };
  std::vector<Out> out;
  std::string name;  // flattened key being built
  int depth = 0;

  [[noreturn]] void mismatch(size_t col, od::value& v, const char* why = nullptr) {
    std::string token(trimmed_token(v));
    if (token.size() > 60) token = token.substr(0, 57) + "...";
    const RestColumn& c = columns[col];
    std::string msg = where(ctx) + ", record " + std::to_string(record + 1) + ": '" + c.name + "' is " +
                      token + ", which does not fit the column's type " + sql_name(c.as);
    if (why) msg += std::string(" (") + why + ")";
    std::string hint =
        c.declared ? "the type comes from PARAMS columns; declare a wider one (e.g. VARCHAR)"
                   : "the type was inferred from the first records; declare it in PARAMS columns, e.g. "
                     "\"columns\": {\"" +
                         c.name + "\": \"VARCHAR\"}, or sample more pages with infer_sample_pages";
    throw data_error(msg, hint);
  }

  void set_null(size_t p, size_t row) {
    Out& o = out[p];
    if (!o.validity) {
      duckdb_vector_ensure_validity_writable(o.vec);
      o.validity = duckdb_vector_get_validity(o.vec);
    }
    o.validity[row / 64] &= ~(std::uint64_t{1} << (row % 64));
  }

  void write_string(size_t p, size_t row, std::string_view s) {
    duckdb_vector_assign_string_element_len(out[p].vec, row, s.data(), s.size());
  }

  void write(size_t col, size_t p, size_t row, od::value& v) {
    od::json_type t;
    if (error_code e = v.type().get(t)) malformed(ctx, e, offset_text(doc, body->data()));
    if (t == od::json_type::null) {
      set_null(p, row);
      return;
    }
    void* data = out[p].data;
    switch (columns[col].as) {
      case WriteAs::Varchar: {
        if (t == od::json_type::string) {
          std::string_view s;
          if (error_code e = v.get_string().get(s)) malformed(ctx, e, offset_text(doc, body->data()));
          write_string(p, row, s);
        } else if (t == od::json_type::object || t == od::json_type::array) {
          std::string_view s;
          if (error_code e = simdjson::to_json_string(v).get(s))
            malformed(ctx, e, offset_text(doc, body->data()));
          write_string(p, row, s);
        } else {
          if (t == od::json_type::number) {  // check it is a number before keeping its text
            double d;
            error_code e = v.get_double().get(d);
            if (e && !big_integer(trimmed_token(v))) malformed(ctx, e, offset_text(doc, body->data()));
          } else {
            bool b;
            if (error_code e = v.get_bool().get(b)) malformed(ctx, e, offset_text(doc, body->data()));
            write_string(p, row, b ? "true" : "false");
            return;
          }
          write_string(p, row, trimmed_token(v));
        }
        return;
      }
      case WriteAs::Int64:
      case WriteAs::Int32: {
        std::int64_t x = 0;
        if (t == od::json_type::number) {
          if (v.get_int64().get(x)) {
            double d;
            if (v.get_double().get(d) || d != std::trunc(d) || !(std::fabs(d) < 9.2e18)) mismatch(col, v);
            x = static_cast<std::int64_t>(d);
          }
        } else if (t == od::json_type::string) {
          std::string_view s;
          if (v.get_string().get(s)) mismatch(col, v);
          auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
          if (ec != std::errc() || ptr != s.data() + s.size()) mismatch(col, v);
        } else {
          mismatch(col, v);
        }
        if (columns[col].as == WriteAs::Int32) {
          if (x < std::numeric_limits<std::int32_t>::min() || x > std::numeric_limits<std::int32_t>::max())
            mismatch(col, v, "out of INTEGER's range");
          static_cast<std::int32_t*>(data)[row] = static_cast<std::int32_t>(x);
        } else {
          static_cast<std::int64_t*>(data)[row] = x;
        }
        return;
      }
      case WriteAs::Double: {
        double d = 0;
        if (t == od::json_type::number) {
          if (v.get_double().get(d)) mismatch(col, v);
        } else if (t == od::json_type::string) {
          std::string_view s;
          if (v.get_string().get(s)) mismatch(col, v);
          auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
          if (ec != std::errc() || ptr != s.data() + s.size()) mismatch(col, v);
        } else {
          mismatch(col, v);
        }
        static_cast<double*>(data)[row] = d;
        return;
      }
      case WriteAs::Bool: {
        bool b = false;
        if (t == od::json_type::boolean) {
          if (v.get_bool().get(b)) mismatch(col, v);
        } else if (t == od::json_type::string) {
          std::string_view s;
          if (v.get_string().get(s)) mismatch(col, v);
          if (s == "true")
            b = true;
          else if (s != "false")
            mismatch(col, v);
        } else {
          mismatch(col, v);
        }
        static_cast<bool*>(data)[row] = b;
        return;
      }
      case WriteAs::Timestamp: {
        std::string_view s;
        std::int64_t micros = 0;
        if (t != od::json_type::string || v.get_string().get(s)) mismatch(col, v);
        if (!parse_iso_timestamp(s, micros)) {
          std::int32_t days;
          if (!parse_iso_date(s, days)) mismatch(col, v, "not an ISO 8601 date-time");
          micros = std::int64_t{days} * 86400 * 1000000;
        }
        static_cast<duckdb_timestamp*>(data)[row].micros = micros;
        return;
      }
      case WriteAs::Date: {
        std::string_view s;
        std::int32_t days = 0;
        if (t != od::json_type::string || v.get_string().get(s)) mismatch(col, v);
        if (!parse_iso_date(s, days)) {
          std::int64_t micros;
          if (!parse_iso_timestamp(s, micros)) mismatch(col, v, "not an ISO 8601 date");
          days = static_cast<std::int32_t>(std::floor(static_cast<double>(micros) / 86400e6));
        }
        static_cast<duckdb_date*>(data)[row].days = days;
        return;
      }
    }
  }

  void unknown(std::string_view key) {
    if (reported.find(key) != reported.end()) return;
    reported.emplace(std::string(key), true);
    if (on_unknown) on_unknown(std::string(key), ctx);
  }

  // Records of one API almost always list their keys in the same order: remember the k-th key
  // of the last record (nested keys included) and the column it went to, and compare the next
  // record's raw key bytes with it first — no unescaping, no name building, no hashing. The
  // first mismatch sends the rest of that record down the general path, which updates the
  // predictions.
  struct Prediction {
    std::string key;     // the key itself (the last segment of the flattened name)
    bool plain = false;  // no quote or backslash: its raw bytes equal the key
    int depth = 0;
    size_t col = 0;
  };
  std::vector<Prediction> predicted;
  size_t field_no = 0;
  bool chain_ok = true;
  static constexpr size_t kNoColumn = static_cast<size_t>(-1);
  static constexpr size_t kMaxPredicted = 256;

  void leaf(size_t col, od::value& v, size_t row) {
    int p = out_pos[col];
    if (p < 0) return;  // not projected: the iterator skips it
    seen[static_cast<size_t>(p)] = generation;
    write(col, static_cast<size_t>(p), row, v);
  }

  // A key that is not a column: flatten a nested object, or report the key.
  void other(od::value& v, size_t row) {
    od::json_type t;
    if (error_code e = v.type().get(t)) malformed(ctx, e, offset_text(doc, body->data()));
    if (t == od::json_type::object && spec.flatten && depth < kMaxFlattenDepth) {
      od::object obj;
      if (error_code e = v.get_object().get(obj)) malformed(ctx, e, offset_text(doc, body->data()));
      ++depth;
      fields(obj, row);
      --depth;
      return;
    }
    if (t == od::json_type::null) return;  // nothing lost
    if (t == od::json_type::object) {      // an empty object flattens to nothing
      od::object obj;
      size_t n = 0;
      if (!v.get_object().get(obj) && !obj.count_fields().get(n) && n == 0) return;
    }
    unknown(name);
  }

  // A record that is not an object: its value is the column "value".
  void field_value(od::value v, size_t row) {
    auto found = index.find(std::string_view(name));
    if (found != index.end())
      leaf(found->second, v, row);
    else
      other(v, row);
  }

  void fields(od::object& obj, size_t row) {
    const size_t base = name.size();
    for (auto result : obj) {
      od::field f;
      if (error_code e = std::move(result).get(f)) malformed(ctx, e, offset_text(doc, body->data()));
      const size_t k = field_no++;
      if (chain_ok && k < predicted.size()) {
        const Prediction& pr = predicted[k];
        if (pr.plain && pr.depth == depth && f.key().unsafe_is_equal(pr.key)) {
          if (pr.col != kNoColumn) {
            leaf(pr.col, f.value(), row);
          } else {
            if (base) name += spec.flatten_separator;
            name.append(pr.key);
            other(f.value(), row);
            name.resize(base);
          }
          continue;
        }
        chain_ok = false;
      }
      std::string_view key;
      if (error_code e = f.unescaped_key().get(key)) malformed(ctx, e, offset_text(doc, body->data()));
      if (base) name += spec.flatten_separator;
      name.append(key);
      auto found = index.find(std::string_view(name));
      const size_t col = found == index.end() ? kNoColumn : found->second;
      if (k < kMaxPredicted) {
        if (k >= predicted.size()) predicted.resize(k + 1);
        Prediction& pr = predicted[k];
        pr.key.assign(key);
        pr.plain = key.find_first_of("\"\\") == std::string_view::npos;
        pr.depth = depth;
        pr.col = col;
      }
      if (col != kNoColumn)
        leaf(col, f.value(), row);
      else
        other(f.value(), row);
      name.resize(base);
    }
  }

  void record_into(od::value v, size_t row) {
    ++generation;
    field_no = 0;
    chain_ok = true;
    od::json_type t;
    if (error_code e = v.type().get(t)) malformed(ctx, e, offset_text(doc, body->data()));
    name.clear();
    if (t == od::json_type::object) {
      od::object obj;
      if (error_code e = v.get_object().get(obj)) malformed(ctx, e, offset_text(doc, body->data()));
      fields(obj, row);
    } else {
      name = "value";
      field_value(v, row);
      name.clear();
    }
    for (size_t p = 0; p < seen.size(); ++p)
      if (seen[p] != generation) set_null(p, row);
  }
};

RecordDecoder::RecordDecoder(const std::vector<RestColumn>& columns, RecordsSpec spec,
                             const std::vector<size_t>& projection, UnknownKey on_unknown)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.columns = columns;
  m.spec = std::move(spec);
  m.on_unknown = std::move(on_unknown);
  m.out_pos.assign(columns.size(), -1);
  for (size_t i = 0; i < columns.size(); ++i) m.index.emplace(columns[i].name, i);
  for (size_t p = 0; p < projection.size(); ++p) {
    m.out_pos[projection[p]] = static_cast<int>(p);
    m.projected.push_back(projection[p]);
  }
  m.seen.assign(projection.size(), 0);
  m.out.resize(projection.size());
}

RecordDecoder::~RecordDecoder() = default;

void RecordDecoder::start(std::shared_ptr<const PageBody> body, PageContext ctx) {
  Impl& m = *impl_;
  m.active = false;
  m.body = std::move(body);
  m.ctx = std::move(ctx);
  m.record = 0;
  record_index_ = 0;
  m.doc = open_document(m.parser, *m.body, m.ctx);
  if (!find_records(m.doc, *m.body, m.spec, m.ctx, m.arr, m.single)) return;
  if (m.single) {
    m.single_done = false;
  } else {
    if (error_code e = m.arr.begin().get(m.it)) malformed(m.ctx, e, offset_text(m.doc, m.body->data()));
    if (error_code e = m.arr.end().get(m.end)) malformed(m.ctx, e, offset_text(m.doc, m.body->data()));
  }
  m.active = true;
}

size_t RecordDecoder::decode(DataChunk& out, size_t offset) {
  Impl& m = *impl_;
  if (!m.active) return 0;
  const size_t cap = DataChunk::capacity();
  for (size_t p = 0; p < m.out.size(); ++p) {
    duckdb_vector vec = out.column(p).handle();
    m.out[p].vec = vec;
    m.out[p].data = duckdb_vector_get_data(vec);
    m.out[p].validity = duckdb_vector_get_validity(vec);
    if (offset == 0 && m.out[p].validity)  // a reused chunk: start all valid
      std::memset(m.out[p].validity, 0xFF, (cap + 63) / 64 * sizeof(std::uint64_t));
  }
  size_t n = 0;
  if (m.single) {
    if (m.single_done || offset >= cap) return 0;
    m.doc.rewind();
    od::value root;
    // A document's root as a value: iterate its fields through get_object().
    od::object obj;
    if (error_code e = m.doc.get_object().get(obj)) malformed(m.ctx, e, offset_text(m.doc, m.body->data()));
    ++m.generation;
    m.field_no = 0;
    m.chain_ok = true;
    m.name.clear();
    m.fields(obj, offset);
    for (size_t p = 0; p < m.seen.size(); ++p)
      if (m.seen[p] != m.generation) m.set_null(p, offset);
    (void)root;
    m.single_done = true;
    m.active = false;
    ++record_index_;
    return 1;
  }
  while (offset + n < cap && m.it != m.end) {
    od::value v;
    if (error_code e = (*m.it).get(v)) malformed(m.ctx, e, offset_text(m.doc, m.body->data()));
    m.record = record_index_;
    m.record_into(v, offset + n);
    ++m.it;
    ++n;
    ++record_index_;
  }
  // (read_page_meta has checked the whole body, so the end of the array is the end of the data.)
  if (!(m.it != m.end)) m.active = false;
  return n;
}

}  // namespace sqlflow::connectors::rest
