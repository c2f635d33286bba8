#!/usr/bin/env bash
# PostgreSQL LOAD with default settings (issue 19 §1), through `sqlflow pipeline run` — so the
# executor's per-LOAD insertion-order switch is what is measured — on the lineitem-like table of
# bench/postgres (bench/postgres/lineitem.sql, ROWS rows, schema `bench` of the test server):
#  - auto: SOURCE … PARAMS {schema, table} and nothing else (partitions auto, in-memory engine,
#    no engine settings, 2 threads).
#  - off: the same with "partitions": "off" (one partition: the baseline, same invocation).
#    Bar: auto ≥ 1.2x faster than off.
#  - auto_ordered (informational): auto with "preserve_order": true, i.e. what `partitions: auto`
#    did before (DuckDB keeps insertion order, so the partitions are read one after another).
# Runs interleaved REPEATS times, each its own process under /usr/bin/time -v (peak RSS). Writes
# bench/results/postgres-defaults-<YYYYMMDD>.json (or $OUT).
#
# Env: ROWS (default 5000000), REPEATS (3), THREADS (2), BUILD_DIR (build), OUT.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../tools/common.sh" postgres/defaults
bin="$build/sqlflow"
rows="${ROWS:-5000000}"
repeats="${REPEATS:-3}"
threads="${THREADS:-2}"
out="${OUT:-$root/bench/results/postgres-defaults-$(date +%Y%m%d).json}"

[ -x "$bin" ] || { log "error: $bin is missing; build first"; exit 1; }

bench_pg_up

work="$(mktemp -d)"
cleanup() {
  rm -rf "$work"
  bench_pg_down
}
trap cleanup EXIT
runs="$work/runs.jsonl"
: >"$runs"

bench_lineitem "$rows"
t="bench.lineitem_$rows"
table_bytes=$(psql -XAtq -c "SELECT pg_relation_size('$t')")

# A project with the default profile: in-memory engine, no settings but the thread count.
project="$work/project"
mkdir -p "$project/pipelines" "$project/profiles"
printf 'engines:\n  duckdb:\n    threads: %s\n' "$threads" >"$project/profiles/dev.yml"
pipeline() {  # name, extra PARAMS (JSON members, may be empty)
  cat >"$project/pipelines/$1.sf" <<SF
SOURCE li TYPE POSTGRES PARAMS { "schema": "bench", "table": "lineitem_$rows"$2 };
LOAD lineitem FROM li;
SF
}
pipeline auto ""
pipeline off ', "partitions": "off"'
pipeline auto_ordered ', "preserve_order": true'

measure() {  # label, run
  local label="$1" i="$2" stderr="$work/$1.$2.err" t0 t1
  t0=$(date +%s.%N)
  if ! (cd "$project" && /usr/bin/time -v "$bin" pipeline run "$label" --metrics-json "$work/$label.$i.json") \
       >/dev/null 2>"$stderr"; then
    log "error: $label run $i failed:"; cat "$stderr" >&2; exit 1
  fi
  t1=$(date +%s.%N)
  local rss_kb
  rss_kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$stderr")
  /usr/bin/python3 - "$label" "$i" "$rss_kb" "$t0" "$t1" "$work/$label.$i.json" "$rows" >>"$runs" <<'PY'
import json, sys
label, i, rss_kb, t0, t1, metrics, rows = sys.argv[1:8]
m = json.load(open(metrics))
steps = m.get("steps", [])
load = next((s for s in steps if s.get("kind") == "load"), {})
print(json.dumps({"label": label, "run": int(i), "seconds": float(t1) - float(t0),
                  "load_step_seconds": load.get("duration_seconds"),
                  "rows": load.get("rows_out"), "expected_rows": int(rows),
                  "peak_rss_bytes": int(rss_kb) * 1024,
                  "loadavg": open("/proc/loadavg").read().split()[:3]}))
PY
  log "$label #$i: $(tail -n 1 "$runs")"
}

loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$repeats"); do
  # Interleaved, so drift on the shared machine hits every path alike.
  measure auto "$i"
  measure off "$i"
  measure auto_ordered "$i"
done
loadavg_end="$(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p "$(dirname "$out")"
/usr/bin/python3 - "$runs" "$out" "$loadavg_start" "$loadavg_end" "$rows" "$table_bytes" "$threads" \
  "$(psql -XAtq -c 'SHOW server_version')" <<'PY'
import json, os, platform, statistics, sys, datetime
runs = [json.loads(l) for l in open(sys.argv[1])]
rows, table_bytes, threads = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
by = {}
for r in runs:
    by.setdefault(r["label"], []).append(r)
med = lambda label, key="seconds": statistics.median(r[key] for r in by[label])
auto, off, ordered = med("auto"), med("off"), med("auto_ordered")
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
bars = {
    "partitions_auto_default_settings_ge_1_2x_one_partition": {
        "value": off / auto, "pass": off / auto >= 1.2,
        "how": "median wall seconds of `pipeline run` with partitions off / with default settings"},
    "every_row_loaded": {"value": min(r["rows"] or 0 for r in runs),
                         "pass": all(r["rows"] == rows for r in runs)},
}
result = {
    "benchmark": "postgres-defaults",
    "issue": "19 section 1",
    "date": datetime.datetime.utcnow().isoformat() + "Z",
    "rows": rows, "table_bytes": table_bytes, "threads": threads, "postgres_version": sys.argv[8],
    "machine": {"cpu": model, "cores": os.cpu_count(), "kernel": platform.release(),
                "loadavg_start": sys.argv[3].split(), "loadavg_end": sys.argv[4].split(),
                "note": "shared 2-core machine: PostgreSQL's backends and the client share the two cores"},
    "medians": {"auto_seconds": auto, "off_seconds": off, "auto_ordered_seconds": ordered,
                "auto_rows_per_s": rows / auto, "off_rows_per_s": rows / off,
                "auto_peak_rss_bytes": med("auto", "peak_rss_bytes"),
                "off_peak_rss_bytes": med("off", "peak_rss_bytes"),
                "auto_ordered_peak_rss_bytes": med("auto_ordered", "peak_rss_bytes")},
    "ratios": {"off_over_auto": off / auto, "auto_ordered_over_auto": ordered / auto},
    "bars": bars,
    "runs": runs,
}
json.dump(result, open(sys.argv[2], "w"), indent=2)
for k, v in bars.items():
    print(f"bench/postgres/defaults: {k}: {v['value']:.3f} {'PASS' if v['pass'] else 'FAIL'}", file=sys.stderr)
print(f"bench/postgres/defaults: auto {auto:.2f} s, off {off:.2f} s, auto with preserve_order {ordered:.2f} s",
      file=sys.stderr)
sys.exit(0 if all(v["pass"] for v in bars.values()) else 3)
PY
