#!/usr/bin/env bash
# Ingest benchmark (issue 3): ROWS rows of (BIGINT, DOUBLE, VARCHAR(16), TIMESTAMP) into a DuckDB
# table through the generate source + sqlflow_scan, against DuckDB building the same rows from
# range() and against a row-by-row prepared INSERT (NAIVE_ROWS rows, compared per row). Each run
# is its own process under /usr/bin/time -v (peak RSS per path); REPEATS runs per mode, medians
# reported. Writes bench/results/ingest-<YYYYMMDD>.json (or $OUT) and prints a summary.
#
# Env: ROWS (default 10000000), NAIVE_ROWS (default min(ROWS, 200000)), REPEATS (default 3),
#      BUILD_DIR (default build), OUT (result file).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$root/build}"
[[ "$build" = /* ]] || build="$root/$build"
driver="$build/bench/sqlflow_bench_ingest"
rows="${ROWS:-10000000}"
naive_rows="${NAIVE_ROWS:-$(( rows < 200000 ? rows : 200000 ))}"
repeats="${REPEATS:-3}"
out="${OUT:-$root/bench/results/ingest-$(date +%Y%m%d).json}"

log() { printf 'bench/ingest: %s\n' "$*" >&2; }

[ -x /usr/bin/time ] || { log "error: /usr/bin/time is missing (Debian package 'time'; scripts/bootstrap.sh installs it)"; exit 1; }
if [ ! -x "$driver" ]; then
  log "building sqlflow_bench_ingest in $build"
  cmake --build "$build" --target sqlflow_bench_ingest >&2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
runs="$work/runs.jsonl"
: >"$runs"

# One measured process: the driver's JSON line plus /usr/bin/time's peak RSS and exit status.
measure() {
  local label="$1" i="$2"; shift 2
  local stdout="$work/$label.$i.out" stderr="$work/$label.$i.err"
  if ! /usr/bin/time -v "$driver" "$@" >"$stdout" 2>"$stderr"; then
    log "error: $label run $i failed:"; cat "$stderr" >&2; exit 1
  fi
  local rss_kb
  rss_kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$stderr")
  /usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["label"]=sys.argv[2]; d["peak_rss_bytes"]=int(sys.argv[3])*1024; d["argv"]=sys.argv[4:]; print(json.dumps(d))' \
    "$(tail -n 1 "$stdout")" "$label" "$rss_kb" "$@" >>"$runs"
  log "$label #$i: $(tail -n 1 "$stdout") peak_rss=${rss_kb}KB"
}

for i in $(seq 1 "$repeats"); do
  # Interleaved, so drift on the machine (thermal, other load) hits every mode alike.
  measure source "$i" source "$rows"
  measure range "$i" range "$rows"
  measure naive "$i" naive "$naive_rows"
  # Informational, not a bar: the same source path with DuckDB's insertion-order preservation
  # off, which lets the insert run on every thread (see bench/README.md).
  measure source_unordered "$i" source "$rows" --set preserve_insertion_order=false
done

mkdir -p "$(dirname "$out")"
/usr/bin/python3 "$root/bench/ingest/report.py" --runs "$runs" --out "$out" \
  --duckdb-version "$("$driver" version)" --rows "$rows" --naive-rows "$naive_rows" --repeats "$repeats"
