#!/usr/bin/env bash
# Fails when a C++ file differs from what clang-format makes of it (.clang-format at the root).
# The version is pinned to Debian's clang-format 14: other versions format some constructs
# differently, and CI must judge a change the same way on every machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
want=14
command -v clang-format >/dev/null || { echo "check-format: clang-format is not installed (scripts/bootstrap.sh installs it)" >&2; exit 1; }
have=$(clang-format --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
if [ "$have" != "$want" ]; then
  echo "check-format: clang-format $want is required (Debian's clang-format), found ${have:-unknown}" >&2
  exit 1
fi
if ! git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror; then
  echo "check-format: run 'make format' and commit the result" >&2
  exit 1
fi
echo "check-format: every file is formatted"
