// <regex> for the metrics tests. GCC 12 with -O2 -fsanitize=address,undefined reports a false
// -Wmaybe-uninitialized inside std::regex's std::function members (GCC bug 105562), which
// -Werror turns into a build failure; the warning is off for the rest of each including file.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <regex>
