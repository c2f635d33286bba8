#!/usr/bin/env bash
# Python UDF benchmark (issue 14's bars), through the sqlflow binary on ROWS doubles (default
# 10,000,000) in a persistent DuckDB file:
#  - sql:      sum(x * 2) in DuckDB alone (the baseline subtracted from the UDF steps);
#  - vec:      sum(PYTHON_FUNC(doubled, x)), a vectorized UDF (numpy arrays over DuckDB's memory);
#  - per_row:  sum(PYTHON_FUNC(doubled_row, x)), a plain UDF called once per row;
#  - pandas:   SQLFlow's path, `df["x"].apply(doubled_row)` over the same values (Debian's pandas,
#              /usr/bin/python3), timed around the apply only.
# A UDF's cost per row is (its step's time - the sql step's time) / ROWS: what the UDF adds to
# the query, without Python's start (done before the steps run) or reading the file (a first step
# reads the table into DuckDB's buffers). Medians of RUNS runs (default
# 5), with one DuckDB thread (the same core count as pandas) and with THREADS (default nproc).
# Bars: vec <= 10 ns/row, per_row <= 300 ns/row, both >= 3x faster than pandas apply.
# Writes bench/results/udf-<date>.json; exits 1 when a bar is missed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${SQLFLOW_BIN:-${BUILD_DIR:-$root/build}/sqlflow}"
rows="${ROWS:-10000000}"
runs="${RUNS:-5}"
threads="${THREADS:-$(nproc)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/python_udfs" "$work/pipelines" "$work/profiles" "$root/bench/results"

cat > "$work/python_udfs/bench.py" <<'PY'
from sqlflow.udfs import python_scalar_udf


@python_scalar_udf(vectorized=True)
def doubled(x: float) -> float:
    return x * 2


@python_scalar_udf
def doubled_row(x: float) -> float:
    return x * 2
PY
for t in 1 "$threads"; do
  cat > "$work/profiles/t$t.yml" <<YML
engines:
  duckdb:
    mode: persistent
    path: target/bench.duckdb
    threads: $t
YML
done
echo "CREATE TABLE nums AS SELECT range::DOUBLE AS x FROM range($rows);" > "$work/pipelines/setup.sf"
cat > "$work/pipelines/udf.sf" <<'SF'
CREATE OR REPLACE TABLE r_warm AS SELECT sum(x) AS s FROM nums;
CREATE OR REPLACE TABLE r_sql AS SELECT sum(x * 2) AS s FROM nums;
CREATE OR REPLACE TABLE r_vec AS SELECT sum(PYTHON_FUNC("python_udfs.bench.doubled", x)) AS s FROM nums;
CREATE OR REPLACE TABLE r_row AS SELECT sum(PYTHON_FUNC("python_udfs.bench.doubled_row", x)) AS s FROM nums;
SF
(cd "$work" && "$bin" pipeline run setup --profile "t$threads" -q)

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
step_seconds() { jq -r --arg n "$2" '.steps[] | select(.name == "transform " + $n) | .duration_seconds' "$1"; }

declare -A ns
for t in 1 "$threads"; do
  sql=(); vec=(); row=()
  for i in $(seq 1 "$runs"); do
    (cd "$work" && "$bin" pipeline run udf --profile "t$t" --jobs 1 -q --metrics-json "$work/m.json")
    sql+=("$(step_seconds "$work/m.json" r_sql)")
    vec+=("$(step_seconds "$work/m.json" r_vec)")
    row+=("$(step_seconds "$work/m.json" r_row)")
  done
  s=$(printf '%s\n' "${sql[@]}" | median)
  v=$(printf '%s\n' "${vec[@]}" | median)
  r=$(printf '%s\n' "${row[@]}" | median)
  ns[vec$t]=$(echo "($v - $s) * 1000000000 / $rows" | bc -l)
  ns[row$t]=$(echo "($r - $s) * 1000000000 / $rows" | bc -l)
  ns[sql$t]=$(echo "$s * 1000000000 / $rows" | bc -l)
done
# The answers agree (sum of 2x over 0..rows-1).
(cd "$work" && "$bin" query --profile "t$threads" --format csv \
  "SELECT (SELECT s FROM r_sql) = (SELECT s FROM r_vec) AND (SELECT s FROM r_sql) = (SELECT s FROM r_row)") \
  | tail -1 | grep -qi true || { echo "bench udf: the UDF results differ from SQL's" >&2; exit 1; }

pandas=()
for i in $(seq 1 "$runs"); do
  pandas+=("$(/usr/bin/python3 "$root/bench/baselines/pandas_udf_apply.py" "$rows")")
done
pandas_ns=$(printf '%s\n' "${pandas[@]}" | median)
rss_kb=$(cd "$work" && { /usr/bin/time -v "$bin" pipeline run udf --profile "t$threads" -q >/dev/null; } 2>&1 |
  awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}')

fmt() { printf '%.2f' "$1"; }
pass() { echo "$1" | bc -l | sed 's/^1$/true/;s/^0$/false/'; }
vec1=${ns[vec1]}; row1=${ns[row1]}
out="$root/bench/results/udf-$(date +%Y%m%d).json"
cat > "$out" <<JSON
{
  "benchmark": "udf",
  "machine": {"nproc": $(nproc), "cpu": "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"},
  "rows": $rows,
  "runs": $runs,
  "load_average": "$(cut -d" " -f1-3 /proc/loadavg)",
  "one_thread": {"sql_ns_per_row": $(fmt "${ns[sql1]}"), "vectorized_udf_ns_per_row": $(fmt "$vec1"), "per_row_udf_ns_per_row": $(fmt "$row1")},
  "threads_$threads": {"sql_ns_per_row": $(fmt "${ns[sql$threads]}"), "vectorized_udf_ns_per_row": $(fmt "${ns[vec$threads]}"), "per_row_udf_ns_per_row": $(fmt "${ns[row$threads]}")},
  "pandas_apply_ns_per_row": $(fmt "$pandas_ns"),
  "ratio_pandas_over_vectorized": $(fmt "$(echo "$pandas_ns / $vec1" | bc -l)"),
  "ratio_pandas_over_per_row": $(fmt "$(echo "$pandas_ns / $row1" | bc -l)"),
  "peak_rss_kb": ${rss_kb:-0},
  "bars": {"vectorized_ns_per_row": 10, "per_row_ns_per_row": 300, "ratio_over_pandas": 3},
  "pass": {
    "vectorized": $(pass "$vec1 <= 10"),
    "per_row": $(pass "$row1 <= 300"),
    "ratio_vectorized": $(pass "$pandas_ns / $vec1 >= 3"),
    "ratio_per_row": $(pass "$pandas_ns / $row1 >= 3")
  }
}
JSON
cat "$out"
! grep -q false <(jq -r '.pass[]' "$out")
