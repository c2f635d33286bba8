// Pipeline variables: ${name} / ${name|default} references, SQLFlow's precedence
// (CLI --vars > profile variables: > SET > environment) and substitution that escapes each value
// for where it lands (JSON string, quoted condition string, SQL, plain text).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sqlflow::pipeline {

// The variables visible at one point of a pipeline. SET adds to its own level, so a CLI or
// profile value always wins over a SET of the same name (as in the Python original's
// sqlflow/core/variables/v2/resolution.py).
class VariableScope {
 public:
  // `dotenv`: the project's .env, consulted after the process environment (same priority level).
  VariableScope(std::map<std::string, std::string> cli, std::map<std::string, std::string> profile,
                bool use_environment, std::map<std::string, std::string> dotenv = {});

  void set(const std::string& name, std::string value);  // a SET statement
  std::optional<std::string> lookup(std::string_view name) const;
  // Every name lookup() was asked for (the variables a pipeline uses).
  const std::set<std::string, std::less<>>& looked_up() const { return looked_up_; }
  // Every variable defined by the CLI, the profile or SET, each with the value that wins.
  // The environment is not listed.
  std::map<std::string, std::string> defined() const;

 private:
  std::map<std::string, std::string, std::less<>> cli_, profile_, set_, dotenv_;
  bool use_environment_;
  mutable std::set<std::string, std::less<>> looked_up_;
};

// One ${…} reference in a text.
struct VariableRef {
  std::size_t begin = 0;  // offset of '$'
  std::size_t end = 0;    // one past '}'
  std::string name;
  std::optional<std::string> default_value;  // text after '|', trimmed, outer quotes removed
};

// Where substituted text goes; decides how a value is written into it.
enum class SubstitutionContext {
  Plain,      // names, URIs, SET values, INCLUDE paths: pasted as is
  Sql,        // SQL: pasted as is; references in -- and /* */ comments are left alone
  Json,       // PARAMS/OPTIONS: JSON-escaped inside "strings", pasted as is outside; trailing commas dropped
  Condition,  // IF: inside '…' / "…" the quote character is doubled; bare $name also counts as a reference
};

// A reference that could not be substituted (undefined without default, malformed).
struct SubstitutionProblem {
  std::size_t offset = 0;  // in the input text
  std::string message;
  std::string hint;
};

struct Substituted {
  struct Segment {
    std::size_t out = 0;  // first output offset of the segment
    std::size_t in = 0;   // input offset it comes from
    bool copied = true;   // false: a substituted value (every offset maps to its "${")
  };

  std::string text;
  std::vector<SubstitutionProblem> problems;
  std::vector<Segment> segments;

  // The input offset an output offset came from (for error positions after substitution).
  std::size_t input_offset(std::size_t output_offset) const;
};

// Parses the ${…} reference at text[pos] (which must start with "${"). nullopt if it does not
// close with '}' on the same line within kMaxReferenceLength characters ("${" to "}").
inline constexpr std::size_t kMaxReferenceLength = 1024;
std::optional<VariableRef> parse_reference(std::string_view text, std::size_t pos);

// Substitutes every ${…} reference of `text` (never recursively: a value's own ${…} stays as
// is). An undefined variable without a default, or a malformed reference, is left in place and
// reported in `problems`.
Substituted substitute(std::string_view text, const VariableScope& vars, SubstitutionContext context);

// `value` as the content of a JSON string (RFC 8259 §7 escapes; no surrounding quotes).
std::string json_escape(std::string_view value);

}  // namespace sqlflow::pipeline
