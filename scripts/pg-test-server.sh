#!/usr/bin/env bash
# A private PostgreSQL 15 server for tests and benchmarks: initdb into $SQLFLOW_PG_DIR (default
# build/pg-test), listening on 127.0.0.1 on a free port with its socket directory beside the data.
#   scripts/pg-test-server.sh start   # idempotent: initialises once, starts when not running
#   scripts/pg-test-server.sh start --idle-stop SECONDS
#                                     # … and stops it after SECONDS without client connections
#                                     # (tests run by plain ctest, which has no cleanup step)
#   scripts/pg-test-server.sh stop    # idempotent
#   scripts/pg-test-server.sh env     # prints `export PGHOST=… PGPORT=… PGUSER=… PGPASSWORD=… PGDATABASE=…`
#   scripts/pg-test-server.sh status  # exit 0 when running
# initdb and postgres refuse to run as root, so as root they run as the `postgres` system user
# (runuser), which then owns the data and socket directories.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${SQLFLOW_PG_DIR:-$root/build/pg-test}"
# As root the server runs as `postgres`, which must be able to reach the data directory: when a
# parent folder is private (e.g. a clone inside a 0700 temporary folder, as CI may make), the
# cluster lives in a folder of its own under /tmp, named after the requested one.
if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; then
  mkdir -p "$(dirname "$dir")"
  if ! runuser -u postgres -- test -x "$(dirname "$dir")" 2>/dev/null; then
    dir="/tmp/sqlflow-pg-$(printf '%s' "$dir" | sha256sum | cut -c1-16)"
  fi
fi
data="$dir/data"
sock="$dir/sock"
log="$dir/server.log"
port_file="$dir/port"
test_user=sqlflow
test_password=sqlflow_test_pw
test_db=sqlflow_test

die() { printf 'pg-test-server: error: %s\n' "$*" >&2; exit 1; }

pg_bin=""
for v in 15 16 17 14 13; do
  if [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]; then pg_bin="/usr/lib/postgresql/$v/bin"; break; fi
done
[ -n "$pg_bin" ] || die "PostgreSQL server binaries not found (install Debian's postgresql, or run scripts/bootstrap.sh)"

# Runs a server binary as the owner of the data directory.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

is_running() {
  [ -f "$data/PG_VERSION" ] && as_owner "$pg_bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

init_cluster() {
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' system user (Debian's postgresql package creates it)"
    chown postgres: "$dir"
  fi
  rm -rf "$data"
  as_owner mkdir -p "$data" "$sock"
  as_owner "$pg_bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  # Only TCP on loopback with passwords (so tests can check a wrong password), trust on the private
  # socket for administration.
  as_owner tee "$data/pg_hba.conf" >/dev/null <<EOF
local all all trust
host  all all 127.0.0.1/32 scram-sha-256
EOF
  as_owner tee -a "$data/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sock'
max_connections = 200
shared_buffers = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
log_min_messages = warning
log_connections = off
EOF
}

start() {
  exec 9>"$dir.lock" 2>/dev/null || { mkdir -p "$(dirname "$dir")"; exec 9>"$dir.lock"; }
  flock 9
  if is_running; then return 0; fi
  [ -f "$data/PG_VERSION" ] || init_cluster
  local port
  port=$(free_port)
  as_owner "$pg_bin/pg_ctl" -D "$data" -l "$log" -w -t 60 -o "-p $port" start >/dev/null 9>&- ||
    { tail -20 "$log" >&2 || true; die "the server did not start (log: $log)"; }
  echo "$port" >"$port_file"
  local psql=(as_owner psql -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres -d postgres)
  if ! "${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$test_user'" | grep -q 1; then
    "${psql[@]}" -c "CREATE ROLE $test_user LOGIN SUPERUSER PASSWORD '$test_password'"
    "${psql[@]}" -c "CREATE DATABASE $test_db OWNER $test_user"
  fi
}

# Stops the server once no client has been connected for $1 seconds (checked every 5 s). Detached
# from the caller's terminal and pipes, so a test runner waiting on its output is not held up.
start_watchdog() {
  local limit="$1" pidfile="$dir/watchdog.pid"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then return 0; fi
  local port; port=$(cat "$port_file")
  setsid bash -c '
    idle=0
    while sleep 5; do
      '"$(declare -f as_owner)"'
      as_owner "$1/pg_ctl" -D "$2" status >/dev/null 2>&1 || exit 0
      n=$(as_owner psql -X -At -h "$3" -p "$4" -U postgres -d postgres -c \
          "SELECT count(*) FROM pg_stat_activity WHERE backend_type = '"'client backend'"' AND pid <> pg_backend_pid()" 2>/dev/null || echo 1)
      if [ "$n" = 0 ]; then idle=$((idle + 5)); else idle=0; fi
      if [ "$idle" -ge "$5" ]; then as_owner "$1/pg_ctl" -D "$2" -m fast -w stop >/dev/null 2>&1; exit 0; fi
    done' watchdog "$pg_bin" "$data" "$sock" "$port" "$limit" </dev/null >/dev/null 2>&1 9>&- &
  echo $! >"$pidfile"
}

stop() {
  if is_running; then as_owner "$pg_bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi
  return 0
}

env_lines() {
  [ -f "$port_file" ] || die "not started (run: $0 start)"
  echo "export PGHOST=127.0.0.1 PGPORT=$(cat "$port_file") PGUSER=$test_user PGPASSWORD=$test_password PGDATABASE=$test_db"
  echo "export SQLFLOW_PG_SOCKET_DIR=$sock"
}

case "${1:-}" in
  start)
    start
    if [ "${2:-}" = "--idle-stop" ]; then start_watchdog "${3:?--idle-stop needs seconds}"; fi
    ;;
  stop) stop ;;
  env) env_lines ;;
  status) is_running ;;
  *) echo "usage: $0 start|stop|env|status" >&2; exit 2 ;;
esac
