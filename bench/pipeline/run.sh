#!/usr/bin/env bash
# Pipeline-language benchmarks (issue 4's bars), through the sqlflow binary:
#  1. parse + resolve + plan a 5,000-statement pipeline (`pipeline compile`): bar < 1 s;
#  2. per-step overhead: 200 trivial steps via `pipeline run` minus the same SQL run directly
#     by `sqlflow query` in one call, divided by 200: bar < 2 ms per step.
# Each figure is the median of RUNS runs (default 5). Writes bench/results/pipeline-<date>.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${SQLFLOW_BIN:-$root/build/sqlflow}"
runs="${RUNS:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/big/pipelines" "$work/small/pipelines" "$root/bench/results"

# 5,000 statements: sources, loads, transforms (with joins) and exports, as a real pipeline mixes them.
{
  echo "SET out = 'output';"
  for i in $(seq 1 1000); do
    echo "SOURCE s$i TYPE generate PARAMS {\"rows\": 10};"
    echo "LOAD t$i FROM s$i MODE APPEND;"
    echo "CREATE TABLE a$i AS SELECT t.id, t.value * 2 AS v FROM t$i t JOIN s$i USING (id) WHERE t.id > 1;"
    echo "CREATE TABLE b$i MODE UPSERT KEY (id) AS SELECT id, sum(v) AS total FROM a$i GROUP BY id;"
    echo "EXPORT SELECT * FROM b$i TO \"\${out}/b$i.csv\" TYPE CSV OPTIONS {\"header\": true};"
  done
} > "$work/big/pipelines/big.sf"

{
  for i in $(seq 1 200); do echo "CREATE TABLE t$i AS SELECT $i AS x;"; done
} > "$work/small/pipelines/small.sf"
direct_sql=$(cat "$work/small/pipelines/small.sf" | sed 's/CREATE TABLE/CREATE OR REPLACE TABLE/')

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
time_cmd() {  # dir, command… → seconds
  local dir=$1; shift
  local t0 t1
  t0=$(now); (cd "$dir" && "$@" >/dev/null 2>&1); t1=$(now)
  echo "$t1 - $t0" | bc -l
}

compile_times=(); run_times=(); query_times=()
for _ in $(seq 1 "$runs"); do
  compile_times+=("$(time_cmd "$work/big" "$bin" pipeline compile big)")
  run_times+=("$(time_cmd "$work/small" "$bin" pipeline run small --jobs 1)")
  query_times+=("$(time_cmd "$work/small" "$bin" query "$direct_sql")")
done
compile_s=$(printf '%s\n' "${compile_times[@]}" | median)
run_s=$(printf '%s\n' "${run_times[@]}" | median)
query_s=$(printf '%s\n' "${query_times[@]}" | median)
per_step_ms=$(echo "($run_s - $query_s) * 1000 / 200" | bc -l)
rss_kb=$(cd "$work/big" && { /usr/bin/time -v "$bin" pipeline compile big >/dev/null; } 2>&1 | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}')
out="$root/bench/results/pipeline-$(date +%Y%m%d).json"
cat > "$out" <<JSON
{
  "benchmark": "pipeline",
  "machine": {"nproc": $(nproc), "cpu": "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"},
  "runs": $runs,
  "load_average": "$(cut -d" " -f1-3 /proc/loadavg)",
  "compile_5000_statements_seconds": $compile_s,
  "compile_peak_rss_kb": ${rss_kb:-0},
  "bar_compile_seconds": 1.0,
  "run_200_steps_seconds": $run_s,
  "same_sql_via_query_seconds": $query_s,
  "overhead_per_step_ms": $per_step_ms,
  "bar_overhead_per_step_ms": 2.0,
  "pass": {"compile": $(echo "$compile_s < 1.0" | bc -l | sed 's/1/true/;s/0/false/'), "overhead": $(echo "$per_step_ms < 2.0" | bc -l | sed 's/1/true/;s/0/false/')}
}
JSON
cat "$out"
