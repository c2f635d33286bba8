#!/usr/bin/env bash
# REST benchmark (issue 7), against the fixture API of tests/fixtures/rest run in a child process:
#  - parse: JSON → DataChunks on one thread, a ~200 MB response held in memory, against Python
#    SQLFlow's path (json.loads + pandas.json_normalize, bench/baselines/pandas_json_normalize.py)
#    on the same file. Bars: ≥ 300 MB/s on one core (thread CPU time), ≥ 5x the baseline.
#  - pages: 500 pages × 1 000 records with 50 ms server latency, 16 requests in flight against 1
#    (sequential). Bar: ≥ 10x faster.
#  - load: ~1 GB of pages streamed through an aggregate. Bar: client peak RSS < 300 MB.
# Each measurement is its own process (bench/tools/rest_driver.cpp); /usr/bin/time -v gives the
# peak RSS of the baseline. Writes bench/results/rest-<YYYYMMDD>.json (or $OUT).
#
# Env: BUILD_DIR (default build), REPEATS (default 3), PARSE_MB (200), PAGES (500),
#      PAGE_RECORDS (1000), LATENCY_MS (50), INFLIGHT (16), LOAD_MB (1000), OUT.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$root/build}"
[[ "$build" = /* ]] || build="$root/$build"
driver="$build/bench/sqlflow_bench_rest"
repeats="${REPEATS:-3}"
parse_mb="${PARSE_MB:-200}"
pages="${PAGES:-500}"
page_records="${PAGE_RECORDS:-1000}"
latency="${LATENCY_MS:-50}"
inflight="${INFLIGHT:-16}"
load_mb="${LOAD_MB:-1000}"
out="${OUT:-$root/bench/results/rest-$(date +%Y%m%d).json}"

log() { printf 'bench/rest: %s\n' "$*" >&2; }
[ -x /usr/bin/time ] || { log "error: /usr/bin/time is missing (Debian package 'time')"; exit 1; }
if [ ! -x "$driver" ]; then
  log "building sqlflow_bench_rest in $build"
  cmake --build "$build" --target sqlflow_bench_rest >&2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
runs="$work/runs.jsonl"
: >"$runs"
data="$root/bench/data/rest-${parse_mb}mb.json"
mkdir -p "$(dirname "$data")"
[ -s "$data" ] || "$driver" gen "$parse_mb" "$data" >&2

measure() {  # label, command...
  local label="$1"; shift
  local stdout="$work/out" stderr="$work/err"
  if ! /usr/bin/time -v "$@" >"$stdout" 2>"$stderr"; then
    log "error: $label failed:"; cat "$stderr" >&2; exit 1
  fi
  local rss_kb
  rss_kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$stderr")
  /usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["label"]=sys.argv[2]; d["peak_rss_bytes"]=int(sys.argv[3])*1024; d["loadavg"]=open("/proc/loadavg").read().split()[:3]; print(json.dumps(d))' \
    "$(tail -n 1 "$stdout")" "$label" "$rss_kb" >>"$runs"
  log "$label: $(tail -n 1 "$runs")"
}

loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$repeats"); do
  measure parse "$driver" parse "$data"
  measure pages_parallel "$driver" pages "$pages" "$page_records" "$latency" "$inflight"
done
measure pandas /usr/bin/python3 "$root/bench/baselines/pandas_json_normalize.py" "$data"
measure pages_sequential "$driver" pages "$pages" "$page_records" "$latency" 1
measure load "$driver" load "$load_mb" 10000 8
loadavg_end="$(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p "$(dirname "$out")"
/usr/bin/python3 - "$runs" "$out" "$loadavg_start" "$loadavg_end" <<'PY'
import json, os, platform, statistics, sys, datetime
runs = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for r in runs:
    by.setdefault(r["label"], []).append(r)
med = lambda label, key: statistics.median(r[key] for r in by[label])
parse_cpu = med("parse", "mb_per_cpu_s")
parse_wall = med("parse", "mb_per_s")
pandas_wall = med("pandas", "mb_per_s")
pandas_cpu = med("pandas", "mb_per_cpu_s")
par = med("pages_parallel", "seconds")
seq = med("pages_sequential", "seconds")
load_rss = max(r["client_peak_rss_bytes"] for r in by["load"])
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
bars = {
    "parse_mb_per_cpu_s_ge_300": {"value": parse_cpu, "pass": parse_cpu >= 300},
    "parse_vs_pandas_ge_5x": {"value": parse_wall / pandas_wall, "cpu_ratio": parse_cpu / pandas_cpu,
                              "pass": parse_wall / pandas_wall >= 5},
    "parallel_pages_ge_10x": {"value": seq / par, "pass": seq / par >= 10},
    "load_1gb_client_rss_lt_300mb": {"value": load_rss, "pass": load_rss < 300e6},
}
result = {
    "benchmark": "rest",
    "date": datetime.datetime.utcnow().isoformat() + "Z",
    "machine": {"cpu": model, "cores": os.cpu_count(), "kernel": platform.release(),
                "loadavg_start": sys.argv[3].split(), "loadavg_end": sys.argv[4].split(),
                "note": "shared 2-core machine; other jobs were running (see loadavg)"},
    "medians": {"parse_mb_per_cpu_s": parse_cpu, "parse_mb_per_s_wall": parse_wall,
                "pandas_mb_per_s_wall": pandas_wall, "pandas_mb_per_cpu_s": pandas_cpu,
                "pages_parallel_seconds": par, "pages_sequential_seconds": seq},
    "bars": bars,
    "runs": runs,
}
json.dump(result, open(sys.argv[2], "w"), indent=2)
for k, v in bars.items():
    print(f"bench/rest: {k}: {v['value']:.3f} {'PASS' if v['pass'] else 'FAIL'}", file=sys.stderr)
sys.exit(0 if all(v["pass"] for v in bars.values()) else 1)
PY
