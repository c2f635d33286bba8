#!/usr/bin/env bash
# Runs the whole test suite of a build directory with the services it needs: a private
# PostgreSQL (scripts/pg-test-server.sh) when present, stopped again whatever happens.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-build}"
cd "$root"

if [ -x scripts/pg-test-server.sh ]; then
  export SQLFLOW_PG_DIR="$root/$build/pg-test"
  scripts/pg-test-server.sh start || { echo "run-tests: cannot start the PostgreSQL test server" >&2; exit 1; }
  trap 'scripts/pg-test-server.sh stop >/dev/null 2>&1' EXIT
  eval "$(scripts/pg-test-server.sh env)"
fi

ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 600
