// libFuzzer target for ${var} substitution (src/pipeline/variables.cpp) on its own: every
// context, values that themselves hold quotes, backslashes and "${", and parse_reference at every
// offset. Must never crash; offsets it reports must lie inside the input. See README.md.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pipeline/variables.hpp"

using namespace sqlflow::pipeline;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  VariableScope vars({{"a", "x\"y'z\\"}, {"b", "${a}"}, {"empty", ""}}, {{"p", "1,2"}}, false);
  vars.set("s", std::string(reinterpret_cast<const char*>(data) + 1, (size - 1) / 2));
  static const SubstitutionContext contexts[] = {SubstitutionContext::Plain, SubstitutionContext::Sql,
                                                 SubstitutionContext::Json, SubstitutionContext::Condition};
  Substituted out = substitute(text, vars, contexts[mode % 4]);
  for (const auto& p : out.problems)
    if (p.offset > text.size()) __builtin_trap();
  for (std::size_t pos = 0; pos < text.size(); ++pos)
    if (auto ref = parse_reference(text, pos))
      if (ref->begin != pos || ref->end > text.size() || ref->end <= ref->begin) __builtin_trap();
  (void)json_escape(text);
  return 0;
}
