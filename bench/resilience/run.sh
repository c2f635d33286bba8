#!/usr/bin/env bash
# Resilience + HTTP client benchmark (issue 6 bars), one process under /usr/bin/time -v:
# - policy overhead: retry + breaker + token bucket (high limit) around a no-op call, minus the
#   bare call measured in the same run; bar < 100 ns per call single-threaded;
# - breaker closed path on 2 threads against 1 (lock-free: per-op time must not grow like a
#   lock's would); bar: 2-thread per-op time <= 1.5x the 1-thread time;
# - HTTP client: 1,000 requests, concurrency 32, to a local fixture server with 50 ms latency;
#   bar <= 2.5 s; baseline: 20 sequential requests in the same run, extrapolated to 1,000.
# Writes bench/results/resilience-<YYYYMMDD>.json (or $OUT). Env: BUILD_DIR (default build),
# REPEATS (benchmark repetitions, default 3), OUT.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$root/build}"
[[ "$build" = /* ]] || build="$root/$build"
exe="$build/bench/resilience_bench"
repeats="${REPEATS:-3}"
out="${OUT:-$root/bench/results/resilience-$(date +%Y%m%d).json}"

log() { printf 'bench/resilience: %s\n' "$*" >&2; }

[ -x /usr/bin/time ] || { log "error: /usr/bin/time is missing (Debian package 'time')"; exit 1; }
if [ ! -x "$exe" ]; then
  log "building resilience_bench in $build"
  cmake --build "$build" --target resilience_bench >&2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if ! /usr/bin/time -v "$exe" --benchmark_repetitions="$repeats" --benchmark_report_aggregates_only=true \
    --benchmark_min_time=0.5 --benchmark_out="$work/raw.json" --benchmark_out_format=json \
    >"$work/stdout" 2>"$work/stderr"; then
  log "error: resilience_bench failed:"; cat "$work/stderr" "$work/stdout" >&2; exit 1
fi
cat "$work/stdout" >&2
rss_kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$work/stderr")
mkdir -p "$(dirname "$out")"

/usr/bin/python3 - "$work/raw.json" "$out" "$rss_kb" "$repeats" <<'PY'
import json, os, platform, sys
raw, out, rss_kb, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
data = json.load(open(raw))

def median(run_name, field="real_time"):
    for b in data["benchmarks"]:
        if b.get("run_name") == run_name and b.get("aggregate_name") == "median":
            return b[field]
    for b in data["benchmarks"]:  # single repetition: no aggregates
        if b.get("run_name") == run_name and b.get("run_type") == "iteration":
            return b[field]
    raise SystemExit(f"missing benchmark {run_name}")

bare = median("BM_BareCall/real_time/threads:1")
policy1 = median("BM_PolicyNoop/real_time/threads:1")
policy2 = median("BM_PolicyNoop/real_time/threads:2")
policy1_cpu = median("BM_PolicyNoop/real_time/threads:1", "cpu_time")
bare_cpu = median("BM_BareCall/real_time/threads:1", "cpu_time")
br1 = median("BM_BreakerClosedPath/real_time/threads:1")
br2 = median("BM_BreakerClosedPath/real_time/threads:2")
tb1 = median("BM_TokenBucketReserve/real_time/threads:1")
tb2 = median("BM_TokenBucketReserve/real_time/threads:2")
seq_ms = median("BM_HttpSequential/20/iterations:1/real_time")
conc_ms = median("BM_HttpConcurrent/1000/32/iterations:1/real_time")
seq_extrapolated_s = seq_ms / 20 * 1000 / 1000.0
conc_s = conc_ms / 1000.0

# Google Benchmark reports per-thread time per iteration for threaded runs with UseRealTime:
# per-op time at 2 threads equal to 1 thread means throughput doubled.
bars = {
    "policy_overhead_ns_lt_100": {"value": policy1 - bare, "limit": 100, "pass": policy1 - bare < 100},
    "breaker_closed_2_threads_per_op_ratio_le_1_5": {"value": br2 / br1, "limit": 1.5, "pass": br2 / br1 <= 1.5},
    "http_1000_requests_c32_50ms_le_2_5_s": {"value": conc_s, "limit": 2.5, "pass": conc_s <= 2.5},
}
result = {
    "benchmark": "resilience",
    "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "processor": platform.processor(),
                "load_average": os.getloadavg(), "context": data.get("context", {})},
    "repetitions": repeats,
    "policy": {"bare_call_ns": bare, "policy_noop_ns": policy1, "overhead_ns": policy1 - bare,
               "overhead_cpu_ns": policy1_cpu - bare_cpu, "policy_noop_2_threads_ns_per_op": policy2,
               "ratio_policy_to_bare": policy1 / bare if bare else None},
    "breaker_closed_path": {"ns_per_op_1_thread": br1, "ns_per_op_2_threads": br2,
                            "throughput_ratio_2_vs_1": 2 * br1 / br2},
    "token_bucket_reserve": {"ns_per_op_1_thread": tb1, "ns_per_op_2_threads": tb2,
                             "throughput_ratio_2_vs_1": 2 * tb1 / tb2},
    "http": {"server_latency_ms": 50, "requests": 1000, "concurrency": 32, "concurrent_s": conc_s,
             "baseline_sequential_requests": 20, "baseline_sequential_ms": seq_ms,
             "sequential_extrapolated_s": seq_extrapolated_s,
             "speedup_vs_sequential": seq_extrapolated_s / conc_s},
    "peak_rss_bytes": rss_kb * 1024,
    "bars": bars,
    "pass": all(b["pass"] for b in bars.values()),
}
json.dump(result, open(out, "w"), indent=2)
print(f"policy overhead {policy1 - bare:.1f} ns/call (bare {bare:.1f} ns, policy {policy1:.1f} ns); "
      f"breaker 2-thread/1-thread per-op {br2 / br1:.2f}; http 1000x c32 {conc_s:.2f} s "
      f"(sequential ~{seq_extrapolated_s:.1f} s, {seq_extrapolated_s / conc_s:.1f}x); peak RSS {rss_kb / 1024:.0f} MB",
      file=sys.stderr)
for name, b in bars.items():
    print(f"  {name}: {b['value']:.3f} (limit {b['limit']}) {'ok' if b['pass'] else 'MISSED'}", file=sys.stderr)
print(f"wrote {out}", file=sys.stderr)
sys.exit(0 if result["pass"] else 1)
PY
