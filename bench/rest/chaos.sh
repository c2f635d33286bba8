#!/usr/bin/env bash
# Chaos over a long paginated run (issue 19 §2 bar: chaos ≤ 1.5x the fault-free time at 16 in
# flight). 1,000 pages of 10 records from the fixture API in a child process; in the chaos runs
# 20% of requests fail (tests/fixtures/rest/fault_injector.hpp: 503, 429 + Retry-After: 1, a reset
# mid-body, chunked JSON cut short, a 2 s stall against a 1 s timeout). Runs per server latency:
#  - clean:       /items/page, no faults (the baseline, same invocation)
#  - chaos:       /faulty/page, every kind of fault
#  - chaos_no429: /faulty/page without the 429s (what the other faults cost on their own)
# The result of every chaos run must equal the clean run's (count, sum(id), sum(price)).
# Each chaos run also reports the faults the server injected and its floor: the clean time plus
# the waits those faults force on any client (each 429's Retry-After and each stall's timeout,
# spread over the slots in flight), the best ratio a client that honours them can reach.
# Writes bench/results/rest-chaos-<YYYYMMDD>.json (or $OUT).
#
# Env: BUILD_DIR (default build), PAGES (1000), LATENCIES ("100 250"), INFLIGHT (16), OUT.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../tools/common.sh" rest/chaos
driver="$build/bench/sqlflow_bench_rest"
pages="${PAGES:-1000}"
latencies="${LATENCIES:-100 250}"
inflight="${INFLIGHT:-16}"
out="${OUT:-$root/bench/results/rest-chaos-$(date +%Y%m%d).json}"

if [ ! -x "$driver" ]; then
  log "building sqlflow_bench_rest in $build"
  cmake --build "$build" --target sqlflow_bench_rest >&2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
runs="$work/runs.jsonl"
: >"$runs"

measure() {  # label, latency, kinds mask, rate
  CHAOS_KINDS="$3" bench_run_driver "$runs" "$1" "$driver" chaos page "$pages" 10 "$2" "$inflight" "$4"
}

for latency in $latencies; do
  measure "clean_${latency}ms" "$latency" 31 0
  measure "chaos_${latency}ms" "$latency" 31 0.2
  measure "chaos_no429_${latency}ms" "$latency" 29 0.2   # bits: 503, reset, truncated, stall
done

mkdir -p "$(dirname "$out")"
/usr/bin/python3 - "$runs" "$out" "$latencies" <<'PY'
import json, os, platform, sys, datetime
runs = {r["label"]: r for r in map(json.loads, open(sys.argv[1]))}
bars, ok = {}, True
for lat in sys.argv[3].split():
    clean = runs[f"clean_{lat}ms"]
    for kind in ("chaos", "chaos_no429"):
        r = runs[f"{kind}_{lat}ms"]
        same = r["result"] == clean["result"]
        ok &= same
        ratio = r["seconds"] / clean["seconds"]
        # The floor: the clean time plus the waits the injected 429s and stalls impose by
        # themselves (rest_driver.cpp: forced_wait_s), with no backoff at all.
        floor = (clean["seconds"] + r["forced_wait_s"]) / clean["seconds"]
        bars[f"{kind}_{lat}ms_over_clean"] = {"value": ratio, "pass": ratio <= 1.5, "same_result": same,
                                              "retries": r["retries"], "server_wait_s": r["server_wait_s"],
                                              "injected": r["injected"], "forced_wait_s": r["forced_wait_s"],
                                              "floor_over_clean": floor}
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
json.dump({"benchmark": "rest-chaos", "issue": "19 section 2",
           "date": datetime.datetime.utcnow().isoformat() + "Z",
           "machine": {"cpu": model, "cores": os.cpu_count(), "kernel": platform.release()},
           "bars": bars, "runs": list(runs.values())}, open(sys.argv[2], "w"), indent=2)
for k, v in bars.items():
    print(f"bench/rest/chaos: {k}: {v['value']:.2f}x {'PASS' if v['pass'] else 'FAIL'}"
          f" (same result: {v['same_result']}, retries {v['retries']})", file=sys.stderr)
sys.exit(0 if ok else 1)
PY
