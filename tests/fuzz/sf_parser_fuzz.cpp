// libFuzzer target for the .sf language front end: on any input the lexer, parser, dump(),
// format_with_excerpt(), the context-aware ${…} substitution, the condition evaluator and
// resolve() must neither crash nor trip ASan/UBSan. Not part of the CMake build; see README.md.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "pipeline/conditions.hpp"
#include "pipeline/parser.hpp"
#include "pipeline/resolver.hpp"
#include "pipeline/variables.hpp"

namespace {

using namespace sqlflow::pipeline;

// INCLUDE would read arbitrary paths named by the input; the fuzzer resolves without them.
void drop_includes(std::vector<Statement>& statements) {
  std::vector<Statement> kept;
  kept.reserve(statements.size());
  for (Statement& s : statements) {
    if (std::holds_alternative<IncludeStmt>(s.node)) continue;
    if (auto* branch = std::get_if<IfStmt>(&s.node)) {
      for (IfBranch& b : branch->branches) drop_includes(b.body);
      if (branch->otherwise) drop_includes(*branch->otherwise);
    }
    kept.push_back(std::move(s));
  }
  statements = std::move(kept);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  ParseResult parsed = parse(text, "fuzz.sf");
  for (const sqlflow::Error& e : parsed.errors) (void)format_with_excerpt(e, text);
  (void)dump(parsed.pipeline);

  drop_includes(parsed.pipeline.statements);
  VariableSources sources;
  sources.cli = {{"a", "x\"'}{,"}, {"env", "prod"}};
  sources.use_environment = false;
  const ResolveResult resolved = resolve(parsed.pipeline, sources);
  for (const sqlflow::Error& e : resolved.errors) (void)format_with_excerpt(e, text);

  const VariableScope scope(sources.cli, {}, false);
  for (const auto context : {SubstitutionContext::Plain, SubstitutionContext::Sql, SubstitutionContext::Json,
                             SubstitutionContext::Condition}) {
    const Substituted s = substitute(text, scope, context);
    for (std::size_t i = 0; i <= s.text.size(); i += 1 + s.text.size() / 16) {
      if (s.input_offset(i) > text.size() + 1) __builtin_trap();
    }
  }

  try {
    (void)evaluate_condition(text);
  } catch (const sqlflow::Error&) {
  }
  return 0;
}
