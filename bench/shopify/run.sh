#!/usr/bin/env bash
# Shopify benchmark (issue 16): ORDERS orders from the Shopify fixture with LATENCY_MS per reply and
# a bucket restoring RESTORE points/s (bench/tools/shopify_driver.cpp), loaded by a bulk operation
# and by cursor paging. Bars: bulk ≥ 10x faster than paging under the same throttle; paging keeps
# the bucket ≥ 90% used with no THROTTLED reply. Writes bench/results/shopify-<YYYYMMDD>.json.
#
# Env: BUILD_DIR (default build), ORDERS (2000), LATENCY_MS (50), RESTORE (100), REPEATS (1), OUT.
# 100,000 orders paged at 100 points/s take about 2 hours (1,000 points per 125 orders); the
# default keeps the paged run near 3 minutes and the ratio only grows with the shop's size.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$root/build}"
[[ "$build" = /* ]] || build="$root/$build"
driver="$build/bench/sqlflow_bench_shopify"
out="${OUT:-$root/bench/results/shopify-$(date +%Y%m%d).json}"
[ -x "$driver" ] || cmake --build "$build" --target sqlflow_bench_shopify >&2
runs="$(mktemp)"
trap 'rm -f "$runs"' EXIT
load_start="$(cut -d' ' -f1 /proc/loadavg)"
"$driver" "${ORDERS:-2000}" "${LATENCY_MS:-50}" "${RESTORE:-100}" "${REPEATS:-1}" >"$runs"
load_end="$(cut -d' ' -f1 /proc/loadavg)"
jq -s --arg ls "$load_start" --arg le "$load_end" '
  def median: sort | if length % 2 == 1 then .[length/2|floor] else (.[length/2-1] + .[length/2]) / 2 end;
  (map(select(.mode=="bulk"))) as $b | (map(select(.mode=="paged"))) as $p |
  ($b|map(.seconds)|median) as $bt | ($p|map(.seconds)|median) as $pt |
  {benchmark: "shopify", date: (now|todate), load_average: {start: ($ls|tonumber), end: ($le|tonumber)},
   runs: ., median_seconds: {bulk: $bt, paged: $pt}, speedup: ($pt / $bt),
   paged_bucket_utilisation: ($p|map(.bucket_utilisation)|median),
   paged_throttled_replies: ($p|map(.throttled)|add),
   peak_rss_mb: {bulk: (($b|map(.peak_rss_kb)|max)/1024), paged: (($p|map(.peak_rss_kb)|max)/1024)},
   bars: {"bulk >= 10x paging": (($pt / $bt) >= 10),
          "paging uses >= 90% of the bucket": (($p|map(.bucket_utilisation)|median) >= 0.9),
          "no THROTTLED while paging": (($p|map(.throttled)|add) == 0)}}' "$runs" | tee "$out"
