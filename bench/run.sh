#!/usr/bin/env bash
# Runs every end-to-end benchmark (bench/*/run.sh, each writing JSON into bench/results/), then,
# with MICRO=1, the Google Benchmark micro-benchmarks (build/bench/*_bench) into
# bench/results/micro-<name>-<date>.json. Exits non-zero if any script failed or missed a bar,
# after running all of them. Env: BUILD_DIR (default build), ROWS and the scripts' own knobs,
# ONLY=name to run one script (e.g. ONLY=ingest).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
[[ "$build" = /* ]] || build="$root/$build"
export BUILD_DIR="$build"
status=0

for script in "$root"/bench/*/run.sh; do
  name="$(basename "$(dirname "$script")")"
  [ -n "${ONLY:-}" ] && [ "$name" != "$ONLY" ] && continue
  printf 'bench: %s\n' "$name" >&2
  if ! bash "$script"; then
    printf 'bench: %s failed or missed a bar\n' "$name" >&2
    status=1
  fi
done

if [ "${MICRO:-0}" = 1 ]; then
  for exe in "$build"/bench/*_bench; do
    [ -x "$exe" ] || continue
    name="$(basename "$exe")"
    printf 'bench: micro %s\n' "$name" >&2
    "$exe" --benchmark_out="$root/bench/results/micro-$name-$(date +%Y%m%d).json" --benchmark_out_format=json || status=1
  done
fi

exit "$status"
