#!/usr/bin/env bash
# 100M rows in bounded memory (issue 19 §6), through the `sqlflow` command with
# `memory_limit: 1GB` on a file-backed engine:
#  - pg_parquet: a lineitem-like PostgreSQL table (16 columns, bench/postgres/lineitem.sql)
#    → LOAD → EXPORT to Parquet;
#  - csv_table:  the same rows as a CSV file (~10 GB at 100M) → LOAD into a table.
# Each runs at ROWS (default 100M) and at SMALL_ROWS (default 10M, the per-row baseline measured in
# the same invocation). The peak RSS of each run must stay under 1.5 GB; its throughput per row
# within 20% of the SMALL_ROWS run's; no temp-directory leftovers (DuckDB's .tmp spill directory,
# sqlflow_stage_* files). RSS is sampled each second from /proc and drawn with gnuplot into
# bench/results/scale-rss-<YYYYMMDD>.png (Debian's gnuplot-nox, installed when missing);
# the figures go to bench/results/scale-<YYYYMMDD>.json (or $OUT).
#
# Env: ROWS, SMALL_ROWS, BUILD_DIR (default build), WORK (default a new folder under /tmp; needs
#      ~30 GB at 100M rows), OUT, PNG.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../tools/common.sh" scale
sqlflow="$build/sqlflow"
rows="${ROWS:-100000000}"
small="${SMALL_ROWS:-10000000}"
day="$(date +%Y%m%d)"
out="${OUT:-$root/bench/results/scale-$day.json}"
png="${PNG:-$root/bench/results/scale-rss-$day.png}"

[ -x "$sqlflow" ] || { log "error: $sqlflow is missing: build it first (make demo)"; exit 1; }
if ! command -v gnuplot >/dev/null; then
  log "installing gnuplot-nox (Debian) for the RSS plot"
  apt-get install -y -qq gnuplot-nox >/dev/null
fi

bench_pg_up

work="${WORK:-$(mktemp -d /tmp/sqlflow-scale.XXXXXX)}"
mkdir -p "$work"
cleanup() {
  rm -rf "$work"
  bench_pg_down
}
trap cleanup EXIT
samples="$work/rss.tsv"
: >"$samples"
runs="$work/runs.jsonl"
: >"$runs"

for n in "$small" "$rows"; do
  t="bench.lineitem_$n"
  bench_lineitem "$n"
  if [ ! -s "$work/lineitem_$n.csv" ]; then
    log "writing lineitem_$n.csv"
    psql -Xq -c "\\copy (SELECT * FROM $t) TO '$work/lineitem_$n.csv' CSV HEADER"
  fi
done

# A project per run: a file-backed engine with 1 GB of memory, its spill directory inside. The
# PostgreSQL source connects with the PG* variables of the test server (libpq reads them).
project() {  # dir
  mkdir -p "$1/pipelines" "$1/profiles" "$1/output"
  cat >"$1/profiles/dev.yml" <<YML
engines:
  duckdb:
    mode: persistent
    path: target/scale.duckdb
    memory_limit: 1GB
YML
}

# Runs `sqlflow pipeline run NAME` in DIR, sampling its RSS each second into $samples.
measure() {  # label, dir, rows
  local label="$1" dir="$2" n="$3"
  local t0 t1 pid peak=0 rss s=0
  t0=$(date +%s.%N)
  (cd "$dir" && exec "$sqlflow" pipeline run scale --metrics-json metrics.json >run.log 2>&1) &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    # the sqlflow process is the subshell's exec, so $pid is sqlflow itself
    [ -n "$rss" ] || rss=0
    printf '%s\t%s\t%s\n' "$label" "$s" "$rss" >>"$samples"
    [ "$rss" -gt "$peak" ] && peak=$rss
    sleep 1
    s=$((s + 1))
  done
  wait "$pid" || { log "error: $label failed:"; tail -20 "$dir/run.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  local leftovers
  leftovers=$(find "$dir" \( -name '*.tmp' -o -name 'sqlflow_stage_*' -o -name '*.wal' \) -print | wc -l)
  /usr/bin/python3 -c 'import json,sys; print(json.dumps({"label":sys.argv[1],"rows":int(sys.argv[2]),"seconds":float(sys.argv[3]),"peak_rss_bytes":int(sys.argv[4])*1024,"leftovers":int(sys.argv[5]),"loadavg":open("/proc/loadavg").read().split()[:3]}))' \
    "$label" "$n" "$(echo "$t1 - $t0" | bc)" "$peak" "$leftovers" >>"$runs"
  log "$label: $(tail -n 1 "$runs")"
}

for n in "$small" "$rows"; do
  d="$work/pg_$n"
  project "$d"
  cat >"$d/pipelines/scale.sf" <<SF
SOURCE li TYPE POSTGRES PARAMS {"schema": "bench", "table": "lineitem_$n"};
LOAD lineitem FROM li;
EXPORT SELECT * FROM lineitem TO "output/lineitem.parquet" TYPE PARQUET;
SF
  measure "pg_parquet_$n" "$d" "$n"
  rm -rf "$d/target" "$d/output"

  d="$work/csv_$n"
  project "$d"
  cat >"$d/pipelines/scale.sf" <<SF
SOURCE li TYPE CSV PARAMS {"path": "$work/lineitem_$n.csv", "has_header": true};
LOAD lineitem FROM li;
SF
  measure "csv_table_$n" "$d" "$n"
  rm -rf "$d/target"
done

mkdir -p "$(dirname "$out")"
/usr/bin/python3 - "$runs" "$out" "$small" "$rows" "$samples" "$png" <<'PY'
import json, os, platform, sys, datetime, subprocess
runs = {r["label"]: r for r in map(json.loads, open(sys.argv[1]))}
small, rows = sys.argv[3], sys.argv[4]
bars = {}
for path in ("pg_parquet", "csv_table"):
    big, base = runs[f"{path}_{rows}"], runs[f"{path}_{small}"]
    per_row_ratio = (big["seconds"] / big["rows"]) / (base["seconds"] / base["rows"])
    bars[f"{path}_peak_rss_under_1_5GB"] = {"value": big["peak_rss_bytes"], "pass": big["peak_rss_bytes"] < 1.5e9}
    bars[f"{path}_per_row_within_20pct_of_{small}"] = {"value": per_row_ratio, "pass": per_row_ratio <= 1.2}
    bars[f"{path}_no_leftovers"] = {"value": big["leftovers"], "pass": big["leftovers"] == 0}
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
json.dump({"benchmark": "scale", "issue": "19 section 6", "date": datetime.datetime.utcnow().isoformat() + "Z",
           "machine": {"cpu": model, "cores": os.cpu_count(), "kernel": platform.release()},
           "bars": bars, "runs": list(runs.values()), "rss_plot": os.path.basename(sys.argv[6])},
          open(sys.argv[2], "w"), indent=2)
# The RSS curves, one line per run, MB against seconds.
series = {}
for line in open(sys.argv[5]):
    label, s, kb = line.split("\t")
    series.setdefault(label, []).append((int(s), int(kb) / 1024))
data = sys.argv[5] + ".dat"
with open(data, "w") as f:
    for label, pts in series.items():
        f.write(f'# {label}\n' + "".join(f"{s} {mb:.1f}\n" for s, mb in pts) + "\n\n")
plots = ", ".join(f'"{data}" index {i} with lines title "{label}"' for i, label in enumerate(series))
subprocess.run(["gnuplot", "-e",
                f'set terminal pngcairo size 1000,600 noenhanced; set output "{sys.argv[6]}"; '
                f'set xlabel "seconds"; set ylabel "RSS (MB)"; set key left top; '
                f'set title "sqlflow peak RSS, memory_limit 1GB ({rows} and {small} rows)"; '
                f'set arrow from graph 0, first 1536 to graph 1, first 1536 nohead dt 2; plot {plots}'],
               check=True)
for k, v in bars.items():
    print(f"bench/scale: {k}: {v['value']} {'PASS' if v['pass'] else 'FAIL'}", file=sys.stderr)
sys.exit(0 if all(v["pass"] for v in bars.values()) else 3)
PY
