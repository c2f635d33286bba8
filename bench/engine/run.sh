#!/usr/bin/env bash
# The PostgreSQL engine (profile `engine: postgres`; issue 20's two bars), through the `sqlflow`
# command against the test server (scripts/pg-test-server.sh, started when it is not running):
#  1. transform: ORDERS orders (default 10 M) joined to CUSTOMERS customers (100 k) and grouped by
#     country, `CREATE TABLE country_revenue AS …` run by `sqlflow pipeline run` on a profile with
#     `engine: postgres` (schema bench_engine; the data is made by PostgreSQL with generate_series,
#     bench/engine/setup.sql, and kept between runs). Bar: the sqlflow process receives < 1 MB over
#     its sockets during the run — counted by strace on every socket fd of every thread, and
#     cross-checked by a counting TCP relay between sqlflow and the server (count_proxy.py).
#     Baseline, same hyperfine invocation: the same SQL by `psql -c` (ratio sqlflow/psql, expected
#     close to 1.0). Peak RSS of both under /usr/bin/time -v.
#  2. ecommerce: a copy of examples/ecommerce run on its dev profile (in-memory DuckDB) and on a
#     profiles/pg.yml (engine: postgres, schema bench_engine_ecommerce, the dev variables), both
#     in one hyperfine invocation with warmup. Bar: PostgreSQL-engine mean ≤ 3× DuckDB-engine
#     mean. Peak RSS of each under /usr/bin/time -v.
# The binary is copied into the work folder first (the build tree may be relinked meanwhile; its
# sha256 goes into the JSON). Writes bench/results/engine-<YYYYMMDD>.json (or $OUT); exits 3 when
# a bar is missed. Run it niced on a shared machine: `nice -n 10 bench/engine/run.sh`.
#
# Env: ORDERS (10000000), CUSTOMERS (100000), RUNS (5) and WARMUP (1) for the transform's
#      hyperfine, EC_RUNS (15) and EC_WARMUP (3) for the ecommerce one, RSS_RUNS (3),
#      SCHEMA (bench_engine; the ecommerce project uses SCHEMA_ecommerce, dropped at the end),
#      BUILD_DIR (build), SQLFLOW_PG_DIR (BUILD_DIR/pg-test), OUT, DROP_DATA=1 (drop SCHEMA at
#      the end; kept by default, like bench.lineitem_*).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../tools/common.sh" engine
here="$root/bench/engine"
orders="${ORDERS:-10000000}"
customers="${CUSTOMERS:-100000}"
runs="${RUNS:-5}"
warmup="${WARMUP:-1}"
ec_runs="${EC_RUNS:-15}"
ec_warmup="${EC_WARMUP:-3}"
rss_runs="${RSS_RUNS:-3}"
schema="${SCHEMA:-bench_engine}"
ec_schema="${schema}_ecommerce"
case "$schema" in bench_engine*) ;; *) log "error: SCHEMA must start with bench_engine (it may be dropped)"; exit 1 ;; esac
out="${OUT:-$root/bench/results/engine-$(date +%Y%m%d).json}"

for tool in hyperfine strace psql; do
  command -v "$tool" >/dev/null || { log "error: $tool is missing (Debian package '$tool', postgresql-client for psql)"; exit 1; }
done

# The build tree's binary may be missing for a moment while it is relinked: wait for it, then
# run a copy of it (its RUNPATH is absolute), so every run below uses the same binary.
for _ in $(seq 1 120); do [ -x "$build/sqlflow" ] && break; sleep 5; done
[ -x "$build/sqlflow" ] || { log "error: $build/sqlflow is missing: build it first"; exit 1; }

bench_pg_up

work="$(mktemp -d /tmp/sqlflow-engine.XXXXXX)"
proxy_pid=""
cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
  psql -Xq -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $ec_schema CASCADE" >/dev/null 2>&1 || true
  if [ "${DROP_DATA:-0}" = 1 ]; then
    psql -Xq -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  bench_pg_down
}
trap cleanup EXIT
mkdir -p "$work/bin"
for _ in 1 2 3; do cp "$build/sqlflow" "$work/bin/sqlflow" && "$work/bin/sqlflow" --version >/dev/null 2>&1 && break; sleep 10; done
bin="$work/bin/sqlflow"
"$bin" --version >/dev/null
bin_sha=$(sha256sum "$bin" | cut -d' ' -f1)
rss="$work/rss.jsonl"
: >"$rss"
loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------
# 1. The transform.
have_orders=-1 have_customers=-1
if [ "$(psql -XAtq -c "SELECT to_regclass('$schema.orders') IS NOT NULL AND to_regclass('$schema.customers') IS NOT NULL")" = t ]; then
  have_orders=$(psql -XAtq -c "SELECT count(*) FROM $schema.orders")
  have_customers=$(psql -XAtq -c "SELECT count(*) FROM $schema.customers")
fi
if [ "$have_orders" != "$orders" ] || [ "$have_customers" != "$customers" ]; then
  log "generating $orders orders and $customers customers in schema $schema (setup.sql)"
  psql -Xq -v schema="$schema" -v orders="$orders" -v customers="$customers" -f "$here/setup.sql"
fi
orders_bytes=$(psql -XAtq -c "SELECT pg_total_relation_size('$schema.orders')")
customers_bytes=$(psql -XAtq -c "SELECT pg_total_relation_size('$schema.customers')")
# What a client-side engine would have to receive at the least: the binary COPY of the columns the
# query reads (orders.customer_id, orders.amount; customers.id, customers.country).
rows_copy_bytes=$(( $(psql -XAtq -c "COPY (SELECT customer_id, amount FROM $schema.orders) TO STDOUT (FORMAT binary)" | wc -c) +
                    $(psql -XAtq -c "COPY (SELECT id, country FROM $schema.customers) TO STDOUT (FORMAT binary)" | wc -c) ))

# A profile running the pipeline's SQL on the test server's PostgreSQL, in schema $1.
pg_profile() {
  cat <<YML
engine: postgres
engines:
  postgres:
    host: \${PGHOST}
    port: \${PGPORT}
    dbname: \${PGDATABASE}
    user: \${PGUSER}
    password: \${PGPASSWORD}
    schema: $1
YML
}

tp="$work/transform"
mkdir -p "$tp/pipelines" "$tp/profiles"
pg_profile "$schema" >"$tp/profiles/pg.yml"
cp "$here/transform.sf" "$tp/pipelines/"
transform_sql="$(grep '^CREATE TABLE country_revenue' "$here/transform.sf")"

# The pipeline reads tables the engine's schema already holds (setup.sql made them).
as_specified_err="$work/as_specified.err"
"$bin" -C "$tp" pipeline validate transform -p pg >/dev/null 2>"$as_specified_err" ||
  { log "transform.sf is rejected: $(cat "$as_specified_err")"; exit 1; }
as_specified_ok=true
sf_args=(pipeline run transform -p pg)
sqlflow_cmd="$bin -C $tp ${sf_args[*]} --quiet"
psql_cmd="PGOPTIONS='-c search_path=$schema' psql -Xq -v ON_ERROR_STOP=1 -c 'DROP TABLE IF EXISTS country_revenue; $transform_sql'"
"$bin" -C "$tp" pipeline compile "${sf_args[2]}" -p pg >"$work/compile.txt" 2>&1 || true

check_result() {  # who
  local got
  got=$(psql -XAtq -c "SELECT count(*) || ' ' || sum(orders) FROM $schema.country_revenue")
  [ "$got" = "20 $orders" ] || { log "error: country_revenue after $1 holds '$got', not '20 $orders'"; exit 1; }
}

# Bytes: strace on every thread (-f -ff: a file per thread, so no call is split), each fd named (-yy).
log "transform: bytes over sockets (strace)"
mkdir -p "$work/strace"
strace -f -ff -ttt -yy -s 0 -e signal=none \
  -e trace=read,readv,recvfrom,recvmsg,recvmmsg,write,writev,sendto,sendmsg,sendmmsg \
  -o "$work/strace/t" "$bin" -C "$tp" "${sf_args[@]}" --quiet --metrics-json "$work/strace.metrics.json"
check_result "sqlflow (strace)"
/usr/bin/python3 "$here/socket_bytes.py" "$work/strace/t" "$work/strace.metrics.json" \
  "transform country_revenue" >"$work/strace.json"
log "strace: $(cat "$work/strace.json")"

# Cross-check on the wire: the same run through a counting relay (PGPORT points at it).
log "transform: bytes on the wire (count_proxy.py)"
/usr/bin/python3 "$here/count_proxy.py" "$PGHOST" "$PGPORT" "$work/proxy.port" "$work/proxy.json" &
proxy_pid=$!
for _ in $(seq 1 100); do [ -s "$work/proxy.port" ] && break; sleep 0.1; done
PGPORT="$(cat "$work/proxy.port")" "$bin" -C "$tp" "${sf_args[@]}" --quiet --metrics-json "$work/proxy.metrics.json"
kill "$proxy_pid"
wait "$proxy_pid" 2>/dev/null || true
proxy_pid=""
check_result "sqlflow (relay)"
log "relay: $(cat "$work/proxy.json")"

# Time: sqlflow against psql -c, in one hyperfine invocation.
log "transform: hyperfine, $warmup warmup + $runs runs each"
hyperfine --style basic --warmup "$warmup" --runs "$runs" --export-json "$work/transform.hyperfine.json" \
  --command-name sqlflow_pg "$sqlflow_cmd" --command-name psql "$psql_cmd" >&2
check_result "hyperfine"

# Peak RSS, each run its own process under /usr/bin/time -v.
rss_run() {  # label, run, command...
  local label="$1" i="$2" err="$work/rss.$1.$2.err" t0 t1 kb
  shift 2
  t0=$(date +%s.%N)
  if ! /usr/bin/time -v "$@" >/dev/null 2>"$err"; then
    log "error: $label run $i failed:"; cat "$err" >&2; exit 1
  fi
  t1=$(date +%s.%N)
  kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$err")
  /usr/bin/python3 -c 'import json,sys; print(json.dumps({"label": sys.argv[1], "run": int(sys.argv[2]), "seconds": float(sys.argv[4]) - float(sys.argv[3]), "peak_rss_bytes": int(sys.argv[5]) * 1024, "loadavg": open("/proc/loadavg").read().split()[:3]}))' \
    "$label" "$i" "$t0" "$t1" "$kb" >>"$rss"
  log "$label #$i: $(tail -n 1 "$rss")"
}
for i in $(seq 1 "$rss_runs"); do
  rss_run transform_sqlflow_pg "$i" "$bin" -C "$tp" "${sf_args[@]}" --quiet --metrics-json "$work/transform.metrics.$i.json"
  rss_run transform_psql "$i" env PGOPTIONS="-c search_path=$schema" psql -Xq -v ON_ERROR_STOP=1 \
    -c "DROP TABLE IF EXISTS country_revenue; $transform_sql"
done
check_result "the RSS runs"

# ---------------------------------------------------------------------------------------------
# 2. examples/ecommerce on both engines.
psql -Xq -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $ec_schema CASCADE"
for e in duckdb pg; do
  cp -r "$root/examples/ecommerce" "$work/ecommerce_$e"
  rm -rf "$work/ecommerce_$e/output" "$work/ecommerce_$e/target"
done
ec_duck="$work/ecommerce_duckdb" ec_pg="$work/ecommerce_pg"
{
  pg_profile "$ec_schema"
  sed -n '/^variables:/,$p' "$ec_duck/profiles/dev.yml"
} >"$ec_pg/profiles/pg.yml"
ec_duck_cmd="$bin -C $ec_duck pipeline run sales_report -p dev --quiet"
ec_pg_cmd="$bin -C $ec_pg pipeline run sales_report -p pg --quiet"
log "ecommerce: hyperfine, $ec_warmup warmup + $ec_runs runs each"
hyperfine --style basic --warmup "$ec_warmup" --runs "$ec_runs" --export-json "$work/ecommerce.hyperfine.json" \
  --command-name duckdb_engine "$ec_duck_cmd" --command-name postgres_engine "$ec_pg_cmd" >&2
for i in $(seq 1 "$rss_runs"); do
  rss_run ecommerce_duckdb "$i" "$bin" -C "$ec_duck" pipeline run sales_report -p dev --quiet \
    --metrics-json "$work/ecommerce.duckdb.metrics.$i.json"
  rss_run ecommerce_postgres "$i" "$bin" -C "$ec_pg" pipeline run sales_report -p pg --quiet \
    --metrics-json "$work/ecommerce.pg.metrics.$i.json"
done
# The two engines' outputs, as sorted CSV lines (the Parquet file is compared by the engine tests).
if diff <(sort "$ec_duck/output/monthly_category.csv") <(sort "$ec_pg/output/monthly_category.csv") >/dev/null; then
  ec_same=true
else
  ec_same=false
fi
loadavg_end="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------
mkdir -p "$(dirname "$out")"
/usr/bin/python3 "$here/report.py" --out "$out" --work "$work" --rss "$rss" \
  --orders "$orders" --customers "$customers" --schema "$schema" --ec-schema "$ec_schema" \
  --orders-bytes "$orders_bytes" --customers-bytes "$customers_bytes" --rows-copy-bytes "$rows_copy_bytes" \
  --as-specified-ok "$as_specified_ok" --as-specified-err "$as_specified_err" \
  --sqlflow-cmd "$sqlflow_cmd" --psql-cmd "$psql_cmd" --ec-duckdb-cmd "$ec_duck_cmd" --ec-pg-cmd "$ec_pg_cmd" \
  --ec-outputs-equal "$ec_same" --binary "$build/sqlflow" --binary-sha256 "$bin_sha" \
  --sqlflow-version "$("$bin" --version 2>&1 | head -n 1)" --git-rev "$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)" \
  --postgres-version "$(psql -XAtq -c 'SHOW server_version')" \
  --hyperfine-version "$(hyperfine --version)" --strace-version "$(strace -V | head -n 1)" \
  --loadavg-start "$loadavg_start" --loadavg-end "$loadavg_end" \
  --runs "$runs" --warmup "$warmup" --ec-runs "$ec_runs" --ec-warmup "$ec_warmup"
