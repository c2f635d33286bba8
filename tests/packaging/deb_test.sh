#!/usr/bin/env bash
# The .deb, checked without touching the machine's own packages: cpack packs the already-built
# tree (nothing is compiled), then the package's metadata and size are checked, it is installed
# with dpkg -i into a scratch root (its own dpkg database; the machine's libraries stand in for the
# declared dependencies), its files run --version, completion and the demo pipeline with nothing
# from the build tree, and dpkg -P removes every file it installed. Usage: deb_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "deb_test: FAIL: $*" >&2; exit 1; }

for f in sqlflow share/man/man1/sqlflow.1.gz share/bash-completion/completions/sqlflow; do
  [ -e "$build/$f" ] || fail "$build/$f missing: build everything first (cmake --build $build)"
done

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack failed"; }
deb=$(ls "$work"/out/sqlflow_*_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || fail "cpack made no sqlflow_*.deb"
size=$(stat -c %s "$deb")
echo "deb_test: $(basename "$deb") $((size / 1024)) KiB"
[ "$size" -lt $((60 * 1024 * 1024)) ] || fail "package is $size bytes, over 60 MB"

# Dependencies: what the binary links, as Debian package names (dpkg-shlibdeps).
depends=$(dpkg-deb -f "$deb" Depends)
echo "deb_test: Depends: $depends"
for lib in libcurl4 libpq5 libyaml-cpp libsimdjson libspdlog libfmt libpython3.11 libssl3 libc6; do
  [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib"
done
[[ $depends != *duckdb* ]] || fail "Depends names DuckDB, which the package ships"

# Installed by dpkg into a scratch root.
root=$work/root
mkdir -p "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/info"
touch "$root/var/lib/dpkg/status"
dpkg_root() { dpkg --root="$root" --force-depends --force-not-root --force-script-chrootless --log=/dev/null "$@"; }
dpkg_root -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i failed"; }
dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status}' sqlflow | grep -q 'install ok installed' ||
  fail "dpkg does not list sqlflow as installed"
usr=$root/usr
for f in bin/sqlflow lib/sqlflow/libduckdb.so share/man/man1/sqlflow.1.gz \
         share/bash-completion/completions/sqlflow share/zsh/vendor-completions/_sqlflow \
         share/fish/vendor_completions.d/sqlflow.fish share/doc/sqlflow/examples/ecommerce; do
  [ -e "$usr/$f" ] || fail "package lacks /usr/$f"
done
runpath=$(readelf -d "$usr/bin/sqlflow" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')
[ "$runpath" = '$ORIGIN/../lib/sqlflow' ] || fail "RUNPATH is '$runpath', not \$ORIGIN/../lib/sqlflow"
# ldd prints the $ORIGIN path unresolved (…/usr/bin/../lib/sqlflow/…): compare real paths.
loaded=$(ldd "$usr/bin/sqlflow" | sed -n 's/.*libduckdb.so => \([^ ]*\) .*/\1/p')
[ -n "$loaded" ] && [ "$(realpath "$loaded")" = "$(realpath "$usr/lib/sqlflow/libduckdb.so")" ] ||
  fail "the unpacked binary does not load the packaged libduckdb.so: $(ldd "$usr/bin/sqlflow" | grep duckdb)"
zcat "$usr/share/man/man1/sqlflow.1.gz" | grep -q '^\.SS sqlflow pipeline run' || fail "man page lacks 'pipeline run'"
bash -n "$usr/share/bash-completion/completions/sqlflow" || fail "bash completion does not parse"

# Run from the unpacked files only: a clean environment, a copy of the packaged example project.
run() { env -i HOME="$work" PATH=/usr/bin:/bin "$usr/bin/sqlflow" "$@"; }
run --version | grep -q '^sqlflow ' || fail "--version"
cp -r "$usr/share/doc/sqlflow/examples/ecommerce" "$work/demo"
cd "$work/demo"
run pipeline run sales_report >"$work/run.log" 2>&1 || { cat "$work/run.log"; fail "demo pipeline failed"; }
[ -s output/monthly_category.csv ] && [ -s output/top_customers.parquet ] || fail "demo outputs missing"
run query "SELECT count(*) FROM 'output/top_customers.parquet'" >/dev/null || fail "query on the demo output"
[ "$(run __complete pipelines)" = "sales_report" ] || fail "pipeline names for completion: $(run __complete pipelines)"

# The packaged bash completion, driven as bash would: COMP_WORDS so far -> COMPREPLY.
complete_words() {
  env -i PATH=/usr/bin:/bin bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    __sqlflow_bash_complete; printf "%s\n" "${COMPREPLY[@]}"' _ \
    "$usr/share/bash-completion/completions/sqlflow" "$usr/bin/sqlflow" "$@" | sort | tr '\n' ' '
}
expect() { local want=$1; shift; local got; got=$(complete_words "$@")
  [[ " $got" == *" $want "* ]] || fail "completing '$*' gave '$got', no '$want'"; }
expect pipeline "pi"
expect run pipeline r
expect sales_report pipeline run ""
expect --profile pipeline run --pro
expect dev pipeline run sales_report --profile ""
expect json pipeline compile sales_report --format ""
expect csv connect describe c
expect fish completion ""
# Removed: dpkg -P leaves none of the package's files behind.
dpkg_root -P sqlflow >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -P failed"; }
left=$(find "$root" -path "$root/var/lib/dpkg" -prune -o -type f -print | head -5)
[ -z "$left" ] || fail "files left after dpkg -P: $left"
echo "deb_test: ok"
