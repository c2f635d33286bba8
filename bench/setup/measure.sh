#!/usr/bin/env bash
# Set-up time on a fresh clone, per phase (clone, bootstrap, configure, compile, link, run), for
# `make demo` and for the two builds CI makes (default preset: everything; sanitize preset: the
# unit tests), of one or two commits measured in the same invocation, so the ratios compare like
# with like. Writes bench/results/setup-<date>.json. Takes an hour or more on 2 cores, so
# bench/run.sh does not run it (its name is not run.sh).
#
#   bench/setup/measure.sh [--baseline REF] [--candidate REF] [--no-sanitize | --demo-only] [--out FILE]
#
# Defaults: candidate HEAD, no baseline. Each commit is cloned into a new folder and bootstrapped
# as a user would (scripts/bootstrap.sh fetches DuckDB from npm; the Debian packages are taken as
# installed). "compile" and "link" are the sums of ninja's per-step times (.ninja_log), which on
# 2 cores add up to about twice the build's wall time; wall and CPU (user+sys) are per build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
baseline="" candidate=HEAD sanitize=1 demo_only=0 out="$root/bench/results/setup-$(date +%Y%m%d).json"
while [ $# -gt 0 ]; do
  case "$1" in
    --baseline) baseline=$2; shift 2 ;;
    --candidate) candidate=$2; shift 2 ;;
    --no-sanitize) sanitize=0; shift ;;
    --demo-only) demo_only=1; sanitize=0; shift ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--baseline REF] [--candidate REF] [--no-sanitize | --demo-only] [--out FILE]" >&2; exit 2 ;;
  esac
done
jobs=2
work=$(mktemp -d "${TMPDIR:-/tmp}/sqlflow-setup.XXXXXX")
echo "setup: working in $work" >&2

# timed NAME CMD…: runs CMD, appends "NAME wall user sys" to $work/$tag.times.
timed() {
  local name=$1; shift
  local t; t=$(mktemp)
  /usr/bin/time -f "%e %U %S" -o "$t" "$@" >>"$work/$tag.log" 2>&1 ||
    { echo "setup: $tag: $name failed (log: $work/$tag.log)" >&2; tail -20 "$work/$tag.log" >&2; exit 1; }
  echo "$name $(cat "$t")" >>"$work/$tag.times"
  echo "setup: $tag: $name $(cat "$t") (wall user sys; load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  rm -f "$t"
}

# ninja_split DIR NAME: sums of step times from DIR/.ninja_log (entries since the last mark),
# compile (object and PCH files) apart from link (executables, archives).
ninja_split() {
  local dir=$1 name=$2 from
  from=$(cat "$dir/.ninja_mark" 2>/dev/null || echo 1)
  awk -v from="$from" -v name="$name" 'NR > from && !/^#/ {
      d = ($2 - $1) / 1000
      if ($4 ~ /\.(o|gch)$/) { c += d; nc++ } else if ($4 ~ /(\.a|\.so|\/[^.\/]+)$/) { l += d; nl++ }
    } END { printf "%s_compile %.1f %d\n%s_link %.1f %d\n", name, c, nc, name, l, nl }' \
    "$dir/.ninja_log" >>"$work/$tag.steps"
  wc -l <"$dir/.ninja_log" >"$dir/.ninja_mark"
}

measure() {
  tag=$1; local ref=$2 commit
  commit=$(git -C "$root" rev-parse "$ref")
  echo "$commit" >"$work/$tag.commit"
  : >"$work/$tag.times"; : >"$work/$tag.steps"
  timed clone git clone -q --no-local "$root" "$work/$tag"
  git -C "$work/$tag" checkout -q "$commit"
  cd "$work/$tag"
  # Bootstrap as `make demo` calls it (without the test-only npm packages where it can).
  if grep -q -- '--build-only' scripts/bootstrap.sh; then
    timed bootstrap scripts/bootstrap.sh --build-only
  else
    timed bootstrap scripts/bootstrap.sh
  fi
  # `make demo` as the Makefile of that commit does it, phase by phase.
  timed demo_configure cmake --preset default
  if grep -q '^build-sqlflow:' Makefile; then
    timed demo_build cmake --build --preset default -j $jobs --target sqlflow
  else
    timed demo_build cmake --build --preset default -j $jobs
  fi
  ninja_split build demo
  find build -name '*.o' -path '*test*' | wc -l >"$work/$tag.demo_test_objects"
  timed demo_run scripts/demo.sh
  [ "$demo_only" = 1 ] && { cd "$root"; return; }
  # The rest of `make test`'s build (nothing left for a commit whose demo built everything).
  timed test_build cmake --build --preset default -j $jobs
  ninja_split build test
  if [ "$sanitize" = 1 ]; then
    timed sanitize_configure cmake --preset sanitize
    timed sanitize_build cmake --build --preset sanitize -j $jobs --target unit_tests
    ninja_split build-sanitize sanitize
  fi
  cd "$root"
}

[ -n "$baseline" ] && measure baseline "$baseline"
measure candidate "$candidate"

python3 - "$work" "$out" "$baseline" <<'PY'
import json, os, platform, sys
work, out, baseline = sys.argv[1], sys.argv[2], sys.argv[3]

def load(tag):
    r = {"commit": open(f"{work}/{tag}.commit").read().strip(), "phases": {}, "ninja_steps": {}}
    for line in open(f"{work}/{tag}.times"):
        name, wall, user, sys_ = line.split()
        r["phases"][name] = {"wall_s": float(wall), "cpu_s": round(float(user) + float(sys_), 2)}
    for line in open(f"{work}/{tag}.steps"):
        name, secs, n = line.split()
        r["ninja_steps"][name] = {"sum_s": float(secs), "steps": int(n)}
    r["demo_compiled_test_objects"] = int(open(f"{work}/{tag}.demo_test_objects").read())
    p = r["phases"]
    def tot(names):
        names = [n for n in names if n in p]
        return {"wall_s": round(sum(p[n]["wall_s"] for n in names), 1),
                "cpu_s": round(sum(p[n]["cpu_s"] for n in names), 1)}
    r["make_demo"] = tot(["bootstrap", "demo_configure", "demo_build", "demo_run"])
    if "test_build" in p:
        r["default_build"] = tot(["demo_configure", "demo_build", "test_build"])
    if "sanitize_build" in p:
        r["sanitize_build"] = tot(["sanitize_configure", "sanitize_build"])
    return r

res = {"benchmark": "setup", "machine": {"nproc": os.cpu_count(), "cpu": platform.processor() or platform.machine()},
       "jobs": 2, "load_average_end": open("/proc/loadavg").read().split()[:3],
       "bars": {"make_demo_wall_s": 240, "demo_compiles_tests": False}}
res["candidate"] = load("candidate")
if baseline:
    res["baseline"] = load("baseline")
    ratios = {}
    for k in ("make_demo", "default_build", "sanitize_build"):
        if k in res["baseline"] and k in res["candidate"]:
            for m in ("wall_s", "cpu_s"):
                c = res["candidate"][k][m]
                ratios[f"{k}_{m}_baseline_over_candidate"] = round(res["baseline"][k][m] / c, 2) if c else None
    res["ratios"] = ratios
c = res["candidate"]
res["pass"] = {"make_demo_under_4_min": c["make_demo"]["wall_s"] < 240,
               "demo_compiles_no_tests": c["demo_compiled_test_objects"] == 0}
os.makedirs(os.path.dirname(out), exist_ok=True)
json.dump(res, open(out, "w"), indent=1)
print(json.dumps(res, indent=1))
PY
rm -rf "$work"
