#!/usr/bin/env bash
# REST with default settings (issue 19 §1): a SOURCE with "parallel_requests": 16 and no
# resilience settings, against the fixture API (tests/fixtures/rest, in a child process).
#  - defaults_parallel: 200 pages × 100 records, 50 ms server latency, 16 in flight, no settings.
#  - defaults_sequential: the same with 1 in flight (the baseline, same invocation).
#    Bar: defaults_parallel ≥ 8x faster than defaults_sequential.
#  - sqlflow60_parallel (informational): the old default of the rest profile, 60 requests/min with
#    a burst of 10, 16 in flight, on OLD_PAGES pages only (it runs at one page per second).
# Each run is its own process; /usr/bin/time -v gives its peak RSS. Writes
# bench/results/rest-defaults-<YYYYMMDD>.json (or $OUT).
#
# Env: BUILD_DIR (default build), REPEATS (3), PAGES (200), PAGE_RECORDS (100), LATENCY_MS (50),
#      INFLIGHT (16), OLD_PAGES (30), OUT.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../tools/common.sh" rest/defaults
driver="$build/bench/sqlflow_bench_rest"
repeats="${REPEATS:-3}"
pages="${PAGES:-200}"
page_records="${PAGE_RECORDS:-100}"
latency="${LATENCY_MS:-50}"
inflight="${INFLIGHT:-16}"
old_pages="${OLD_PAGES:-30}"
out="${OUT:-$root/bench/results/rest-defaults-$(date +%Y%m%d).json}"

if [ ! -x "$driver" ]; then
  log "building sqlflow_bench_rest in $build"
  cmake --build "$build" --target sqlflow_bench_rest >&2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
runs="$work/runs.jsonl"
: >"$runs"

measure() {  # label, command...
  bench_run_driver "$runs" "$@"
}

loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$repeats"); do
  # Interleaved, so drift on the shared machine hits both alike.
  measure defaults_parallel "$driver" pages "$pages" "$page_records" "$latency" "$inflight" defaults
  measure defaults_sequential "$driver" pages "$pages" "$page_records" "$latency" 1 defaults
done
measure sqlflow60_parallel "$driver" pages "$old_pages" "$page_records" "$latency" "$inflight" sqlflow60
loadavg_end="$(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p "$(dirname "$out")"
/usr/bin/python3 - "$runs" "$out" "$loadavg_start" "$loadavg_end" "$pages" "$old_pages" <<'PY'
import json, os, platform, statistics, sys, datetime
runs = [json.loads(l) for l in open(sys.argv[1])]
pages, old_pages = int(sys.argv[5]), int(sys.argv[6])
by = {}
for r in runs:
    by.setdefault(r["label"], []).append(r)
med = lambda label, key: statistics.median(r[key] for r in by[label])
par = med("defaults_parallel", "seconds")
seq = med("defaults_sequential", "seconds")
old = med("sqlflow60_parallel", "seconds")
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
bars = {
    "defaults_parallel_ge_8x_sequential": {
        "value": seq / par, "pass": seq / par >= 8,
        "how": "median seconds of defaults_sequential / defaults_parallel (same invocation, interleaved)"},
    "defaults_no_token_waits": {
        "value": max(r["rate_limit_waits"] for r in by["defaults_parallel"] + by["defaults_sequential"]),
        "pass": all(r["rate_limit_waits"] == 0 for r in by["defaults_parallel"] + by["defaults_sequential"])},
}
result = {
    "benchmark": "rest-defaults",
    "issue": "19 section 1",
    "date": datetime.datetime.utcnow().isoformat() + "Z",
    "machine": {"cpu": model, "cores": os.cpu_count(), "kernel": platform.release(),
                "loadavg_start": sys.argv[3].split(), "loadavg_end": sys.argv[4].split(),
                "note": "shared 2-core machine; other jobs were running (see loadavg)"},
    "medians": {"defaults_parallel_seconds": par, "defaults_sequential_seconds": seq,
                "defaults_parallel_pages_per_s": pages / par, "defaults_sequential_pages_per_s": pages / seq,
                "sqlflow60_parallel_seconds": old, "sqlflow60_parallel_pages_per_s": old_pages / old,
                "defaults_parallel_peak_rss_bytes": med("defaults_parallel", "peak_rss_bytes"),
                "defaults_sequential_peak_rss_bytes": med("defaults_sequential", "peak_rss_bytes")},
    "bars": bars,
    "runs": runs,
}
json.dump(result, open(sys.argv[2], "w"), indent=2)
for k, v in bars.items():
    print(f"bench/rest/defaults: {k}: {v['value']:.3f} {'PASS' if v['pass'] else 'FAIL'}", file=sys.stderr)
print(f"bench/rest/defaults: old 60/min default, {old_pages} pages, 16 in flight: {old:.2f} s "
      f"({old_pages / old:.2f} pages/s)", file=sys.stderr)
sys.exit(0 if all(v["pass"] for v in bars.values()) else 1)
PY
