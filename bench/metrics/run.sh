#!/usr/bin/env bash
# Metrics overhead benchmark (issue 6 bar), two processes under /usr/bin/time -v:
# - end to end: a ROWS-row CSV → table load (DuckDB read_csv) with metrics off and on, runs
#   alternating, REPEATS each (metrics_bench --e2e). "On" is what the executor adds to a step:
#   progress thread at 10 Hz (forced on, drawn into a discarding stream) polling
#   duckdb_query_progress with enable_progress_bar on, logging, RunMetrics counters, JSON +
#   Prometheus files and the summary; plus "duckdb_progress" (only DuckDB's progress tracking
#   switched on) to tell DuckDB's share from ours. Modes rotate run by run so load drift on a
#   shared machine hits all alike; process CPU time is recorded beside wall time because it is
#   far less sensitive to other load. Bar: median wall(on) / median wall(off) <= 1.02.
# - micro (informational): Counter::add, Histogram::record on 1 and 2 threads against a plain
#   increment, per-chunk accounting, one progress frame, masking a log line.
# Writes bench/results/metrics-<YYYYMMDD>.json (or $OUT). Env: BUILD_DIR (default build),
# ROWS (default 10 000 000), REPEATS (default 5), OUT.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$root/build}"
[[ "$build" = /* ]] || build="$root/$build"
exe="$build/bench/metrics_bench"
rows="${ROWS:-10000000}"
repeats="${REPEATS:-5}"
out="${OUT:-$root/bench/results/metrics-$(date +%Y%m%d).json}"

log() { printf 'bench/metrics: %s\n' "$*" >&2; }

[ -x /usr/bin/time ] || { log "error: /usr/bin/time is missing (Debian package 'time')"; exit 1; }
if [ ! -x "$exe" ]; then
  log "building metrics_bench in $build"
  cmake --build "$build" --target metrics_bench >&2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

log "end to end: $rows rows, $repeats runs per mode"
if ! /usr/bin/time -v "$exe" --e2e "$rows" "$repeats" "$work/e2e" >"$work/e2e.json" 2>"$work/e2e.stderr"; then
  log "error: metrics_bench --e2e failed:"; cat "$work/e2e.stderr" >&2; exit 1
fi
log "micro-benchmarks"
if ! /usr/bin/time -v "$exe" --benchmark_min_time=0.3 --benchmark_out="$work/micro.json" \
    --benchmark_out_format=json >"$work/micro.stdout" 2>"$work/micro.stderr"; then
  log "error: metrics_bench failed:"; cat "$work/micro.stderr" >&2; exit 1
fi
cat "$work/micro.stdout" >&2
rss() { sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$1"; }
mkdir -p "$(dirname "$out")"

/usr/bin/python3 - "$work/e2e.json" "$work/micro.json" "$out" "$(rss "$work/e2e.stderr")" "$(rss "$work/micro.stderr")" <<'PY'
import json, os, platform, sys
e2e_path, micro_path, out, e2e_rss_kb, micro_rss_kb = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
e2e = json.load(open(e2e_path))
micro = json.load(open(micro_path))

def ns(run_name):
    for b in micro["benchmarks"]:
        if b.get("run_name") == run_name and b.get("run_type") == "iteration":
            return {"real_ns": b["real_time"], "cpu_ns": b["cpu_time"]}
    raise SystemExit(f"missing benchmark {run_name}")

names = ["BM_PlainIncrement/real_time", "BM_CounterAdd/real_time/threads:1", "BM_CounterAdd/real_time/threads:2",
         "BM_HistogramRecord/real_time/threads:1", "BM_HistogramRecord/real_time/threads:2",
         "BM_ScopedLatency/real_time", "BM_ChunkAccounting/real_time/threads:1",
         "BM_ChunkAccounting/real_time/threads:2", "BM_ProgressFrame", "BM_MaskLogLine"]
micro_out = {n: ns(n) for n in names}
plain = micro_out["BM_PlainIncrement/real_time"]["cpu_ns"]
counter = micro_out["BM_CounterAdd/real_time/threads:1"]["cpu_ns"]
ratio = e2e["ratio_on_off"]
bars = {"e2e_on_off_ratio_le_1_02": {"value": ratio, "limit": 1.02, "pass": ratio <= 1.02}}
result = {
    "benchmark": "metrics",
    "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "processor": platform.processor(),
                "load_average": os.getloadavg(), "context": micro.get("context", {})},
    "e2e": e2e,
    "e2e_peak_rss_bytes": e2e_rss_kb * 1024,
    "micro": micro_out,
    "micro_ratio_counter_add_to_plain_increment_cpu": counter / plain if plain else None,
    "micro_peak_rss_bytes": micro_rss_kb * 1024,
    "bars": bars,
    "pass": all(b["pass"] for b in bars.values()),
}
json.dump(result, open(out, "w"), indent=2)
print(f"e2e {e2e['rows']} rows CSV -> table: off {e2e['median_off_seconds']:.3f} s, on {e2e['median_on_seconds']:.3f} s, "
      f"ratio {ratio:.4f} (cpu ratio {e2e['cpu_ratio_on_off']:.4f}; duckdb progress alone {e2e['ratio_duckdb_progress_off']:.4f}); "
      f"load average {os.getloadavg()[0]:.1f}; counter add {counter:.1f} ns cpu (plain {plain:.2f} ns); "
      f"peak RSS e2e {e2e_rss_kb / 1024:.0f} MB", file=sys.stderr)
for name, b in bars.items():
    print(f"  {name}: {b['value']:.4f} (limit {b['limit']}) {'ok' if b['pass'] else 'MISSED'}", file=sys.stderr)
print(f"wrote {out}", file=sys.stderr)
sys.exit(0 if result["pass"] else 1)
PY
