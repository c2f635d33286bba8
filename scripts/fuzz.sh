#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang (ASan + UBSan + coverage) and runs each
# for SECONDS (default 60) from its checked-in seeds; exits non-zero on any crash, which is left
# as build-fuzz/<target>/crash-… to turn into a regression input (tests/fuzz/README.md).
#   scripts/fuzz.sh [SECONDS] [TARGET…]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-60}"
shift || true
out="$root/build-fuzz"
mkdir -p "$out"
duck="third_party/duckdb"
common=(-std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I src
        -I "$duck/include" -DSQLFLOW_VERSION='"fuzz"')
link_duck=(-L "$duck/lib" -Wl,-rpath,"$root/$duck/lib" -lduckdb)

# target → sources (beyond tests/fuzz/<target>.cpp), libraries, seed folders
declare -A srcs libs seeds
srcs[sf_parser_fuzz]="src/pipeline/lexer.cpp src/pipeline/parser.cpp src/pipeline/ast.cpp src/pipeline/variables.cpp src/pipeline/conditions.cpp src/pipeline/resolver.cpp src/core/error.cpp src/core/quote.cpp"
seeds[sf_parser_fuzz]="tests/pipeline/golden tests/pipeline/hostile tests/corpus/sf"
srcs[var_substitution_fuzz]="src/pipeline/variables.cpp src/pipeline/lexer.cpp src/core/error.cpp src/core/quote.cpp"
seeds[var_substitution_fuzz]="tests/fuzz/seeds/var_substitution"
srcs[link_next_fuzz]="src/connectors/rest/pagination.cpp src/net/auth.cpp src/net/redact.cpp src/net/secret.cpp src/core/error.cpp src/metrics/secrets.cpp"
libs[link_next_fuzz]="-lcurl -lcrypto -lfmt"
seeds[link_next_fuzz]="tests/fuzz/seeds/link_next"
srcs[rest_json_fuzz]="src/core/civil_time.cpp src/connectors/rest/json_records.cpp src/connectors/rest/schema_inference.cpp src/connectors/rest/options.cpp src/connectors/rest/pagination.cpp src/core/error.cpp src/core/data_chunk.cpp src/core/logical_type.cpp src/core/suggest.cpp src/core/quote.cpp src/metrics/secrets.cpp src/net/auth.cpp src/net/redact.cpp src/net/secret.cpp"
libs[rest_json_fuzz]="DUCK -lsimdjson -lcurl -lcrypto -lfmt"
seeds[rest_json_fuzz]="tests/corpus/json"
srcs[pg_copy_decode_fuzz]="src/connectors/postgres/copy_binary_decode.cpp src/connectors/postgres/type_map.cpp src/connectors/postgres/connection.cpp src/core/error.cpp src/core/data_chunk.cpp src/core/logical_type.cpp src/core/quote.cpp src/core/log_context.cpp src/core/suggest.cpp src/metrics/logging.cpp src/metrics/secrets.cpp src/metrics/run_metrics.cpp src/metrics/histogram.cpp src/metrics/progress.cpp"
libs[pg_copy_decode_fuzz]="-I /usr/include/postgresql DUCK -lpq -lspdlog -lfmt"
seeds[pg_copy_decode_fuzz]="tests/connectors/postgres/hostile"

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sf_parser_fuzz var_substitution_fuzz link_next_fuzz rest_json_fuzz pg_copy_decode_fuzz)

build() {
  local t="$1" extra=()
  for l in ${libs[$t]:-}; do
    if [ "$l" = DUCK ]; then extra+=("${link_duck[@]}"); else extra+=("$l"); fi
  done
  # shellcheck disable=SC2086
  clang++ "${common[@]}" "tests/fuzz/$t.cpp" ${srcs[$t]} "${extra[@]}" -o "$out/$t"
}

# Build every target first, as many at once as there are cores (each is one clang++ process).
jobs="$(nproc)"
pids=()
for t in "${targets[@]}"; do
  echo "fuzz: building $t" >&2
  build "$t" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$jobs" ]; then
    wait "${pids[0]}"
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p"; done

failed=0
for t in "${targets[@]}"; do
  work="$out/$t-corpus"
  mkdir -p "$work"
  dirs=()
  for s in ${seeds[$t]}; do [ -d "$s" ] && dirs+=("$s"); done
  echo "fuzz: running $t for ${seconds}s" >&2
  if ! (cd "$out" && "./$t" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "$work" "${dirs[@]/#/$root/}" >"$out/$t.log" 2>&1); then
    echo "fuzz: $t FAILED (see $out/$t.log and $out/crash-*)" >&2
    tail -30 "$out/$t.log" >&2
    failed=1
  else
    grep -E "stat::number_of_executed_units" "$out/$t.log" | sed "s/^/fuzz: $t /" >&2 || true
  fi
done
exit "$failed"
