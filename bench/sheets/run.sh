#!/usr/bin/env bash
# Google Sheets benchmark (issue 15): loads a ROWS × COLS sheet from the Sheets fixture with
# LATENCY_MS per response, batched (the connector's defaults, under the default quota) against a
# row-block-per-request sequential baseline, REPEATS times each (bench/tools/sheets_driver.cpp).
# Bars: batched uses ≤ 10% of the baseline's API requests and is ≥ 5x faster, with no 429.
# Writes bench/results/sheets-<YYYYMMDD>.json (or $OUT).
#
# Env: BUILD_DIR (default build), ROWS (100000), COLS (10), LATENCY_MS (50), REPEATS (3), OUT.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$root/build}"
[[ "$build" = /* ]] || build="$root/$build"
driver="$build/bench/sqlflow_bench_sheets"
out="${OUT:-$root/bench/results/sheets-$(date +%Y%m%d).json}"
[ -x "$driver" ] || cmake --build "$build" --target sqlflow_bench_sheets >&2
runs="$(mktemp)"
trap 'rm -f "$runs"' EXIT
load_start="$(cut -d' ' -f1 /proc/loadavg)"
"$driver" "${ROWS:-100000}" "${COLS:-10}" "${LATENCY_MS:-50}" "${REPEATS:-3}" >"$runs"
load_end="$(cut -d' ' -f1 /proc/loadavg)"
jq -s --arg ls "$load_start" --arg le "$load_end" '
  def median: sort | if length % 2 == 1 then .[length/2|floor] else (.[length/2-1] + .[length/2]) / 2 end;
  (map(select(.mode=="batched"))) as $b | (map(select(.mode=="baseline"))) as $s |
  ($b|map(.seconds)|median) as $bt | ($s|map(.seconds)|median) as $st |
  ($b[0].api_requests) as $br | ($s[0].api_requests) as $sr |
  {benchmark: "sheets", date: (now|todate), load_average: {start: ($ls|tonumber), end: ($le|tonumber)},
   runs: .,
   median_seconds: {batched: $bt, baseline: $st},
   speedup: ($st / $bt),
   request_share: ($br / $sr),
   peak_rss_mb: {batched: (($b|map(.peak_rss_kb)|max)/1024), baseline: (($s|map(.peak_rss_kb)|max)/1024)},
   bars: {"speedup >= 5": (($st / $bt) >= 5), "requests <= 10% of baseline": (($br / $sr) <= 0.10),
          "no 429 under the default quota": ($b|all(.responses_429 == 0))}}' "$runs" | tee "$out"
