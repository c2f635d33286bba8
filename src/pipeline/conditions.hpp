// Safe evaluator of IF conditions (after ${…} substitution). It understands only comparisons,
// and / or / not, parentheses and constants, and never runs code — the C++ counterpart of the
// Python original's sqlflow/core/evaluator.py, which walked a restricted Python AST.
#pragma once

#include <string_view>

namespace sqlflow::pipeline {

// Parentheses and `not` nested deeper than this are refused (bounded recursion).
inline constexpr int kMaxConditionDepth = 100;

// Grammar:  or := and (('or' | '||') and)* ;  and := not (('and' | '&&') not)* ;
//           not := ('not' | '!') not | cmp ;   cmp := operand [('=='|'!='|'<>'|'<'|'<='|'>'|'>=') operand]
//           operand := '(' or ')' | 'string' | "string" | number | true | false | bare word
// Keywords are case-insensitive. A bare word is text (`production == 'production'` is true).
// Two numbers — or texts that both read as numbers — compare numerically, other values as
// text. true/false equal the texts 'true'/'false' (any case), as in the original. The result
// must be true or false.
// Throws sqlflow::Error (ErrorKind::Parse, no location — the caller adds the IF's) explaining
// what is wrong: '=' instead of '==', a function call, attribute access, a non-boolean result, …
bool evaluate_condition(std::string_view condition);

}  // namespace sqlflow::pipeline
