# Shared by bench scripts: source it with the script's name, e.g.
#   . "$(dirname "${BASH_SOURCE[0]}")/../tools/common.sh" rest/chaos
# Sets `root` (the checkout) and `build` (BUILD_DIR, default build/, made absolute) and defines
# the helpers below. Needs /usr/bin/time (Debian package 'time').
bench_name="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$root/build}"
[[ "$build" = /* ]] || build="$root/$build"

log() { printf 'bench/%s: %s\n' "$bench_name" "$*" >&2; }
[ -x /usr/bin/time ] || { log "error: /usr/bin/time is missing (Debian package 'time')"; exit 1; }

# The PostgreSQL test server of this build tree (scripts/pg-test-server.sh), started when it is
# not running; its PG* variables are exported. bench_pg_down stops it again if we started it.
bench_pg_up() {
  export SQLFLOW_PG_DIR="${SQLFLOW_PG_DIR:-$build/pg-test}"
  bench_pg_started=0
  if ! "$root/scripts/pg-test-server.sh" status >/dev/null 2>&1; then
    "$root/scripts/pg-test-server.sh" start
    bench_pg_started=1
  fi
  eval "$("$root/scripts/pg-test-server.sh" env)"
}
bench_pg_down() {
  if [ "${bench_pg_started:-0}" = 1 ]; then "$root/scripts/pg-test-server.sh" stop; fi
  return 0
}

# bench.lineitem_ROWS (bench/postgres/lineitem.sql), generated unless it holds ROWS rows already.
bench_lineitem() {  # rows
  local t="bench.lineitem_$1" have=-1
  psql -Xq -c "SET client_min_messages = warning; CREATE SCHEMA IF NOT EXISTS bench"
  if [ "$(psql -XAtq -c "SELECT to_regclass('$t') IS NOT NULL")" = t ]; then
    have=$(psql -XAtq -c "SELECT count(*) FROM $t")
  fi
  if [ "$have" != "$1" ]; then
    log "generating $1 rows into $t"
    psql -Xq -v ON_ERROR_STOP=1 -v rows="$1" -v name="$t" -f "$root/bench/postgres/lineitem.sql"
  fi
}

# Runs a driver that prints one JSON line under /usr/bin/time -v and appends that line to RUNS
# with "label", "peak_rss_bytes" and "loadavg" added. Extra environment: put it before the call.
bench_run_driver() {  # runs-file label command...
  local runs="$1" label="$2" out err rss_kb
  shift 2
  out="$(mktemp)" err="$(mktemp)"
  if ! /usr/bin/time -v "$@" >"$out" 2>"$err"; then
    log "error: $label failed:"; cat "$err" >&2; rm -f "$out" "$err"; exit 1
  fi
  rss_kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$err")
  /usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["label"]=sys.argv[2]; d["peak_rss_bytes"]=int(sys.argv[3])*1024; d["loadavg"]=open("/proc/loadavg").read().split()[:3]; print(json.dumps(d))' \
    "$(tail -n 1 "$out")" "$label" "$rss_kb" >>"$runs"
  rm -f "$out" "$err"
  log "$label: $(tail -n 1 "$runs")"
}
