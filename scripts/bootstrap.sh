#!/usr/bin/env bash
# Installs everything sqlflow needs to build, test and benchmark on Debian 12, idempotently:
# Debian packages (only when one is missing), DuckDB's library + header from npm, checked
# against the integrity hashes in scripts/duckdb.lock, and the S3 tests' s3rver (npm ci against
# tests/fixtures/s3/package-lock.json). A second run takes seconds.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lock="$root/scripts/duckdb.lock"
dest="$root/third_party/duckdb"

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libsimdjson-dev nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev
  libcurl4-openssl-dev libssl-dev libpq-dev libcpp-httplib-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql postgresql-client hyperfine clang clang-format libclang-rt-14-dev lld
  libpython3.11-dev python3-numpy python3-pandas python3-psycopg2 time bc nodejs npm
  python3-botocore
)

log() { printf 'bootstrap: %s\n' "$*" >&2; }
die() { printf 'bootstrap: error: %s\n' "$*" >&2; exit 1; }

missing_packages() {
  local p status
  for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = "installed" ] || printf '%s\n' "$p"
  done
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  # npm may come from outside Debian (e.g. a NodeSource install); accept any working npm.
  if command -v npm >/dev/null 2>&1; then
    missing=("${missing[@]/npm/}"); missing=("${missing[@]/nodejs/}")
  fi
  local want=()
  for p in "${missing[@]}"; do [ -n "$p" ] && want+=("$p"); done
  [ ${#want[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${want[*]} (run as root or install them)"
  log "installing Debian packages: ${want[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
}

lock_value() { sed -n "s/^$1=//p" "$lock"; }

file_sha256() { sha256sum "$1" | cut -d' ' -f1; }

duckdb_ok() {
  [ -f "$dest/lib/libduckdb.so" ] && [ -f "$dest/include/duckdb.h" ] &&
    [ "$(file_sha256 "$dest/lib/libduckdb.so")" = "$(lock_value lib_sha256)" ] &&
    [ "$(file_sha256 "$dest/include/duckdb.h")" = "$(lock_value header_sha256)" ]
}

# npm's dist.integrity is "sha512-" + base64 of the tarball's SHA-512.
check_integrity() {
  local file=$1 expected=$2 actual
  actual="sha512-$(openssl dgst -sha512 -binary "$file" | base64 -w0)"
  [ "$actual" = "$expected" ] ||
    die "integrity check failed for $(basename "$file"): expected $expected, got $actual (tampered or truncated download; delete it and re-run)"
}

fetch_duckdb() {
  local tmp; tmp=$(mktemp -d)
  log "fetching DuckDB $(lock_value version) from npm"
  (cd "$tmp" && npm pack --silent "$(lock_value lib_package)" "$(lock_value header_package)" >/dev/null) ||
    die "npm pack failed (is the npm registry reachable?)"
  local lib_tgz header_tgz
  lib_tgz=$(ls "$tmp"/duckdb-node-bindings-linux-x64-*.tgz 2>/dev/null | head -1)
  header_tgz=$(ls "$tmp"/duckdb-[0-9]*.tgz 2>/dev/null | head -1)
  [ -n "$lib_tgz" ] && [ -n "$header_tgz" ] || die "npm pack did not produce the expected tarballs"
  verify_and_unpack "$lib_tgz" "$header_tgz" "$tmp"
  rm -rf "$tmp"
}

# The S3 tests' server: s3rver pinned by tests/fixtures/s3/package-lock.json (npm ci checks every
# package against the lock's integrity hashes; --legacy-peer-deps as the lock was made, since
# s3rver's peer ranges hit ERESOLVE with some npm versions). Reinstalled only when the lock file
# changes (its hash is kept as a stamp).
s3_fixture="$root/tests/fixtures/s3"
s3_stamp="$s3_fixture/node_modules/.sqlflow-lock-sha256"

s3rver_ok() {
  [ -f "$s3_fixture/node_modules/s3rver/bin/s3rver.js" ] && [ -f "$s3_stamp" ] &&
    [ "$(cat "$s3_stamp")" = "$(file_sha256 "$s3_fixture/package-lock.json")" ]
}

install_s3rver() {
  log "installing s3rver for the S3 tests (npm ci in tests/fixtures/s3)"
  (cd "$s3_fixture" && npm ci --legacy-peer-deps --no-audit --no-fund --silent >/dev/null) ||
    die "npm ci in tests/fixtures/s3 failed (is the npm registry reachable?)"
  [ -f "$s3_fixture/node_modules/s3rver/bin/s3rver.js" ] || die "npm ci did not install s3rver"
  file_sha256 "$s3_fixture/package-lock.json" >"$s3_stamp"
}

# Exposed for the test of the tamper check: verify_and_unpack LIB_TGZ HEADER_TGZ WORKDIR
verify_and_unpack() {
  local lib_tgz=$1 header_tgz=$2 work=$3
  check_integrity "$lib_tgz" "$(lock_value lib_integrity)"
  check_integrity "$header_tgz" "$(lock_value header_integrity)"
  tar -xzf "$lib_tgz" -C "$work" package/libduckdb.so || die "cannot unpack $lib_tgz"
  tar -xzf "$header_tgz" -C "$work" package/src/duckdb/src/include/duckdb.h || die "cannot unpack $header_tgz"
  mkdir -p "$dest/lib" "$dest/include"
  install -m 0644 "$work/package/libduckdb.so" "$dest/lib/libduckdb.so.tmp"
  install -m 0644 "$work/package/src/duckdb/src/include/duckdb.h" "$dest/include/duckdb.h"
  mv "$dest/lib/libduckdb.so.tmp" "$dest/lib/libduckdb.so"
  duckdb_ok || die "unpacked DuckDB files do not match the SHA-256 in scripts/duckdb.lock"
  log "DuckDB $(lock_value version) ready in third_party/duckdb"
}

main() {
  if [ "${1:-}" = "--verify-tarballs" ]; then
    shift; local work; work=$(mktemp -d)
    verify_and_unpack "$1" "$2" "$work"; rm -rf "$work"; return
  fi
  install_packages
  duckdb_ok || fetch_duckdb
  # --build-only (make demo, install, package): the S3 tests' server is not needed.
  [ "${1:-}" = "--build-only" ] && return
  s3rver_ok || install_s3rver
}

main "$@"
