#!/usr/bin/env python3
"""Turns the files benchmark's per-run JSON lines into bench/results/files-<date>.json.

Medians over the repeats; every ratio is against a baseline measured in the same invocation; the
bars of issue 5 are checked (exit status 3 when one is missed, after the file is written).
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

MB = 1e6


def machine():
    cpu, mem_kb = "unknown", None
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), cpu)
        with open("/proc/meminfo") as f:
            mem_kb = next((int(l.split()[1]) for l in f if l.startswith("MemTotal:")), None)
    except OSError:
        pass
    try:
        load = list(os.getloadavg())
    except OSError:
        load = None
    return {"nproc": os.cpu_count(), "loadavg_at_end": load, "cpu_model": cpu,
            "mem_total_bytes": mem_kb * 1024 if mem_kb else None, "kernel": platform.release()}


def git_commit(root):
    try:
        head = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return head.stdout.strip() + ("+dirty" if dirty else "")
    except OSError:
        return None


def summarize(runs):
    seconds = statistics.median(r["seconds"] for r in runs)
    rows = runs[0]["rows"]
    moved = runs[0].get("bytes_in") or runs[0].get("bytes_out") or 0
    s = {
        "rows": rows,
        "median_seconds": seconds,
        "rows_per_second": rows / seconds if seconds > 0 else None,
        "mb_per_second": moved / MB / seconds if seconds > 0 and moved else None,
        "bytes_in": runs[0].get("bytes_in"),
        "bytes_out": runs[0].get("bytes_out"),
        "max_peak_rss_bytes": max(r["peak_rss_bytes"] for r in runs),
        "median_process_cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs) if all("cpu_seconds" in r for r in runs) else None,
        "runs": [{"seconds": r["seconds"], "peak_rss_bytes": r["peak_rss_bytes"], "cpu_seconds": r.get("cpu_seconds")}
                 for r in runs],
    }
    for key in ("threads", "columns", "filters", "type", "scope", "pandas_version"):
        if key in runs[0]:
            s[key] = runs[0][key]
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--duckdb-version", required=True)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--repeats", type=int, required=True)
    a = ap.parse_args()

    by_label = {}
    with open(a.runs) as f:
        for line in f:
            r = json.loads(line)
            by_label.setdefault(r["label"], []).append(r)
    m = {label: summarize(runs) for label, runs in by_label.items()}
    sec = {label: s["median_seconds"] for label, s in m.items()}

    def speed(ours, baseline):  # how many times faster than the baseline ours is
        return sec[baseline] / sec[ours]

    def fraction(part, whole):
        return sec[part] / sec[whole]

    bars = {
        "csv_load_vs_duckdb_read_csv": {
            "value": speed("csv_load", "csv_load_duckdb"), "min": 0.95,
            "what": "CSV -> table through the csv connector vs DuckDB's own read_csv into a table (x as fast)"},
        "parquet_2_of_12_columns_vs_full_read": {
            "value": fraction("parquet_columns", "parquet_full"), "max": 0.30,
            "what": "reading columns [id, price] of the 16 files takes this fraction of reading all 12"},
        "parquet_selective_filter_vs_full_read": {
            "value": fraction("parquet_filter", "parquet_full"), "max": 0.30,
            "what": "reading with filters [[year, >=, 2024]] (10% of rows) takes this fraction of the unfiltered read"},
        "parquet_parallel_vs_one_thread": {
            "value": speed("parquet_full", "parquet_one_thread"), "min": 1.6,
            "what": "reading the 16 files with all threads vs one thread (x as fast)"},
        "export_csv_vs_duckdb_copy": {
            "value": speed("export_csv", "export_csv_duckdb"), "min": 0.95,
            "what": "table -> CSV through the csv destination (atomic) vs DuckDB's COPY TO (x as fast)"},
        "export_parquet_vs_duckdb_copy": {
            "value": speed("export_parquet", "export_parquet_duckdb"), "min": 0.95,
            "what": "table -> Parquet through the parquet destination (atomic) vs DuckDB's COPY TO (x as fast)"},
        "csv_to_parquet_peak_rss": {
            "value": m["csv_to_parquet"]["max_peak_rss_bytes"], "max": 1e9,
            "what": "highest peak RSS of CSV -> Parquet (bytes; 1 GB = 1e9)"},
    }
    if "pandas_read_csv" in m:
        bars["csv_load_vs_pandas"] = {
            "value": speed("csv_load", "pandas_read_csv"), "min": 5.0,
            "what": "CSV -> table through the csv connector vs pandas.read_csv alone (a lower bound of the "
                    "Python SQLFlow's pandas -> DuckDB path, so the true ratio is higher)"}
    informational = {}
    cpu = {label: s["median_process_cpu_seconds"] for label, s in m.items()}
    # CPU seconds (whole process, user + system) of the baseline over ours: what the wall-time
    # ratio approaches on an idle machine for paths that use the same number of threads.
    for ours, base in (("csv_load", "csv_load_duckdb"), ("export_csv", "export_csv_duckdb"),
                       ("export_parquet", "export_parquet_duckdb"), ("csv_load", "pandas_read_csv")):
        if cpu.get(ours) and cpu.get(base):
            informational[f"cpu_{ours}_vs_{base}"] = cpu[base] / cpu[ours]
    if "parquet_load" in m and "parquet_load_one_thread" in m:
        informational["parquet_load_all_threads_vs_one"] = speed("parquet_load", "parquet_load_one_thread")
    for b in bars.values():
        b["pass"] = b["value"] >= b["min"] if "min" in b else b["value"] <= b["max"]

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    result = {
        "benchmark": "files",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git_commit(root),
        "machine": machine(),
        "duckdb_version": a.duckdb_version,
        "database": "in-memory",
        "rows": a.rows,
        "csv_bytes": m["csv_load"]["bytes_in"],
        "parquet_files": 16,
        "parquet_bytes": m["parquet_full"]["bytes_in"],
        "repeats": a.repeats,
        "measurements": m,
        "bars": bars,
        "informational_ratios": informational,
        "pass": all(b["pass"] for b in bars.values()),
    }
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")

    print(f"files: {a.rows} rows, CSV {result['csv_bytes'] / MB:.0f} MB, Parquet {result['parquet_bytes'] / MB:.0f} MB "
          f"in 16 files, median of {a.repeats}, DuckDB {a.duckdb_version}")
    for label, s in m.items():
        mbps = f"{s['mb_per_second']:8.1f} MB/s" if s["mb_per_second"] else " " * 13
        print(f"  {label:22s} {s['median_seconds']:8.2f} s {s['rows_per_second']:>13,.0f} rows/s {mbps}"
              f"  peak RSS {s['max_peak_rss_bytes'] / MB:8.1f} MB")
    for name, b in bars.items():
        if name == "csv_to_parquet_peak_rss":
            shown, need = f"{b['value'] / MB:.0f} MB", f"<= {b['max'] / MB:.0f} MB"
        else:
            shown, need = f"{b['value']:.2f}", (f">= {b['min']}" if "min" in b else f"<= {b['max']}")
        print(f"  bar {name}: {shown} (need {need}) {'PASS' if b['pass'] else 'FAIL'}")
    for name, v in informational.items():
        print(f"  (info) {name}: {v:.2f}")
    print(f"  wrote {a.out}")
    return 0 if result["pass"] else 3


if __name__ == "__main__":
    sys.exit(main())
