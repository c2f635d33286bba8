#!/usr/bin/env bash
# S3 benchmark (the S3 connector's issue) against s3rver on loopback, through the sqlflow binary
# (bench/tools/s3_driver.cpp; details in bench/s3/README.md):
#   read   — OBJECTS Parquet objects (~TOTAL_MB in all) read by SOURCE … TYPE S3 with
#            parallel_workers 8 and 1, a fresh cache_dir per run, REPEATS times alternating;
#   upload — a ~UPLOAD_MB file sent with the client's multipart upload (8 MiB parts, 8 in flight)
#            and with one PutObject, each in its own child; plus the EXPORT … TYPE S3 end to end and
#            the same EXPORT to a local file (no bar).
# Bars: read with 8 workers ≥ 3x faster than with 1; multipart ≥ 2x faster than a single PUT;
# peak RSS < 300 MB for the reads and for the multipart upload (EXPORT's is reported too).
# Writes bench/results/s3-<YYYYMMDD>.json (or $OUT); exits 1 when a bar is missed.
#
# Env: BUILD_DIR (default build), OBJECTS (200), TOTAL_MB (1000), UPLOAD_MB (1000), REPEATS (3), OUT.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$root/build}"
[[ "$build" = /* ]] || build="$root/$build"
driver="$build/bench/sqlflow_bench_s3"
out="${OUT:-$root/bench/results/s3-$(date +%Y%m%d).json}"
[ -x "$driver" ] || cmake --build "$build" --target sqlflow_bench_s3 >&2
runs="$(mktemp)"
trap 'rm -f "$runs"' EXIT
load_start="$(cut -d' ' -f1 /proc/loadavg)"
status=0
"$driver" bench "${OBJECTS:-200}" "${TOTAL_MB:-1000}" "${UPLOAD_MB:-1000}" "${REPEATS:-3}" >"$runs" || status=$?
load_end="$(cut -d' ' -f1 /proc/loadavg)"
jq -s --arg ls "$load_start" --arg le "$load_end" --argjson status "$status" --argjson nproc "$(nproc)" \
  --arg kernel "$(uname -r)" '
  def median: sort | if length == 0 then null elif length % 2 == 1 then .[length/2|floor]
                     else (.[length/2-1] + .[length/2]) / 2 end;
  (map(select(.kind=="setup"))[0]) as $setup |
  (map(select(.kind=="run"))) as $runs |
  def of($b; $m): $runs | map(select(.bench==$b and .mode==$m));
  def med($b; $m; f): of($b; $m) | map(f) | median;
  def med($b; $m): med($b; $m; .seconds);
  def rss($b; $m): (of($b; $m) | map(.peak_rss_kb) | max // 0) / 1024;
  def shares($b; $m): {seconds: med($b; $m),
    child_cpu_share: med($b; $m; .cpu_seconds / .seconds),
    s3rver_cpu_share: med($b; $m; .s3rver_cpu_share),
    s3rver_main_thread_share: med($b; $m; .s3rver_main_thread_share),
    other_tenants_core_share: med($b; $m; .machine.others_core_seconds / .seconds),
    idle_core_share: med($b; $m; .machine.idle_core_seconds / .seconds),
    steal_core_share: med($b; $m; .machine.steal_core_seconds / .seconds)};
  (med("read"; "workers_8")) as $r8 | (med("read"; "workers_1")) as $r1 |
  (med("upload"; "multipart")) as $mp | (med("upload"; "single_put")) as $sp |
  (med("upload"; "export_s3")) as $es | (med("upload"; "export_local")) as $el |
  (med("upload"; "multipart_phases"; .phases.parts_seconds)) as $parts |
  (med("upload"; "multipart_phases"; .phases.complete_seconds)) as $complete |
  ($setup.total_bytes / 1e6) as $read_mb |
  ((of("upload"; "export_local") | map(.bytes) | max) / 1e6) as $up_mb |
  ([rss("read"; "workers_8"), rss("read"; "workers_1")] | max) as $read_rss |
  {benchmark: "s3", date: (now|todate), machine: {nproc: $nproc, kernel: $kernel},
   load_average: {start: ($ls|tonumber), end: ($le|tonumber)},
   driver_exit: $status,
   setup: $setup,
   runs: $runs,
   driver: (map(select(.kind=="driver"))[0]),
   median_seconds: {read_workers_8: $r8, read_workers_1: $r1, multipart: $mp, single_put: $sp,
                    export_s3: $es, export_local: $el, multipart_phases: med("upload"; "multipart_phases"),
                    multipart_parts_phase: $parts, multipart_complete_phase: $complete,
                    read_cached: med("read"; "cached")},
   throughput_mb_s: {read_workers_8: ($read_mb / $r8), read_workers_1: ($read_mb / $r1),
                     multipart: ($up_mb / $mp), single_put: ($up_mb / $sp)},
   ratios: {read_8_over_1: ($r1 / $r8), multipart_over_single_put: ($sp / $mp),
            read_1_over_cached: ($r1 / med("read"; "cached")),
            single_put_over_multipart_parts_phase: ($sp / $parts),
            export_s3_minus_export_local_seconds: ($es - $el)},
   peak_rss_mb: {read_workers_8: rss("read"; "workers_8"), read_workers_1: rss("read"; "workers_1"),
                 multipart: rss("upload"; "multipart"), export_s3: rss("upload"; "export_s3"),
                 export_local: rss("upload"; "export_local"), single_put: rss("upload"; "single_put")},
   cpu_shares: {read_workers_8: shares("read"; "workers_8"), read_workers_1: shares("read"; "workers_1"),
                read_cached: shares("read"; "cached"), multipart_phases: shares("upload"; "multipart_phases"),
                single_put: shares("upload"; "single_put"), multipart: shares("upload"; "multipart"),
                export_s3: shares("upload"; "export_s3"), export_local: shares("upload"; "export_local")},
   bars: {"read: 8 workers >= 3x faster than 1": (($r1 / $r8) >= 3),
          "upload: multipart >= 2x faster than a single PUT": (($sp / $mp) >= 2),
          "peak RSS < 300 MB: reads": ($read_rss < 300),
          "peak RSS < 300 MB: multipart upload": (rss("upload"; "multipart") < 300),
          "every run succeeded": ($status == 0 and ($runs | all(.exit == 0 and (.result_ok // true))))},
   informational: {"EXPORT TYPE S3 end to end peak RSS < 300 MB": (rss("upload"; "export_s3") < 300),
                   "EXPORT to a local Parquet file peak RSS < 300 MB": (rss("upload"; "export_local") < 300)}}' \
  "$runs" | tee "$out"
[ "$status" -eq 0 ] || exit "$status"
jq -e '.bars | all' "$out" >/dev/null
