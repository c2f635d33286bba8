#!/usr/bin/env python3
"""Turns the ingest benchmark's per-run JSON lines into bench/results/ingest-<date>.json.

Medians over the repeats; ratios against the baselines measured in the same invocation; the bars
of issue 3 checked (exit status 3 when one is missed, after the file is written).
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

# The bars (issue 3): source >= 0.5x range() throughput; naive per-row cost >= 50x ours; peak RSS
# of the source path <= 1.5 x the table's data + 200 MB (decimal MB, the stricter reading).
MIN_THROUGHPUT_RATIO_VS_RANGE = 0.5
MIN_NAIVE_PER_ROW_COST_RATIO = 50.0
RSS_TABLE_FACTOR = 1.5
RSS_SLACK_BYTES = 200 * 1000 * 1000


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_kb = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_kb = int(line.split()[1])
    except OSError:
        pass
    try:
        load = list(os.getloadavg())
    except OSError:
        load = None
    return {
        "nproc": os.cpu_count(),
        "loadavg_at_end": load,  # other work on the machine during the run skews the figures
        "cpu_model": cpu,
        "mem_total_bytes": mem_kb * 1024 if mem_kb else None,
        "kernel": platform.release(),
    }


def git_commit(root):
    try:
        out = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return out.stdout.strip() + ("+dirty" if dirty else "")
    except OSError:
        return None


def summarize(runs):
    rows = runs[0]["rows"]
    seconds = statistics.median(r["seconds"] for r in runs)
    return {
        "argv": runs[0]["argv"],
        "rows": rows,
        "threads": runs[0]["threads"],
        "median_seconds": seconds,
        "rows_per_second": rows / seconds if seconds > 0 else None,
        "seconds_per_row": seconds / rows if rows else None,
        "median_peak_rss_bytes": int(statistics.median(r["peak_rss_bytes"] for r in runs)),
        "max_peak_rss_bytes": max(r["peak_rss_bytes"] for r in runs),
        "table_bytes": int(statistics.median(r["table_bytes"] for r in runs)),
        "runs": [{"seconds": r["seconds"], "peak_rss_bytes": r["peak_rss_bytes"], "table_bytes": r["table_bytes"]}
                 for r in runs],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--duckdb-version", required=True)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--naive-rows", type=int, required=True)
    ap.add_argument("--repeats", type=int, required=True)
    a = ap.parse_args()

    by_label = {}
    with open(a.runs) as f:
        for line in f:
            r = json.loads(line)
            by_label.setdefault(r["label"], []).append(r)
    m = {label: summarize(runs) for label, runs in by_label.items()}
    src, rng, naive = m["source"], m["range"], m["naive"]

    throughput_ratio = src["rows_per_second"] / rng["rows_per_second"]
    naive_ratio = naive["seconds_per_row"] / src["seconds_per_row"]
    rss_limit = RSS_TABLE_FACTOR * src["table_bytes"] + RSS_SLACK_BYTES
    bars = {
        "source_throughput_vs_range": {
            "value": throughput_ratio, "min": MIN_THROUGHPUT_RATIO_VS_RANGE,
            "pass": throughput_ratio >= MIN_THROUGHPUT_RATIO_VS_RANGE,
            "what": "source rows/s divided by DuckDB range() rows/s (medians)"},
        "naive_per_row_cost_vs_source": {
            "value": naive_ratio, "min": MIN_NAIVE_PER_ROW_COST_RATIO,
            "pass": naive_ratio >= MIN_NAIVE_PER_ROW_COST_RATIO,
            "what": "naive seconds per row divided by source seconds per row (medians)"},
        "source_peak_rss": {
            "value": src["max_peak_rss_bytes"], "max": rss_limit,
            "pass": src["max_peak_rss_bytes"] <= rss_limit,
            "what": "highest peak RSS of the source runs <= 1.5 x table_bytes + 200 MB"},
    }
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    result = {
        "benchmark": "ingest",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git_commit(root),
        "machine": machine(),
        "duckdb_version": a.duckdb_version,
        "database": "in-memory",
        "table_bytes_from": "duckdb_memory() tag IN_MEMORY_TABLE after the insert",
        "rows": a.rows,
        "naive_rows": a.naive_rows,
        "repeats": a.repeats,
        "measurements": m,
        "ratios": {
            "source_vs_range_throughput": throughput_ratio,
            "naive_vs_source_per_row_cost": naive_ratio,
            "source_unordered_vs_range_throughput":
                m["source_unordered"]["rows_per_second"] / rng["rows_per_second"] if "source_unordered" in m else None,
        },
        "bars": bars,
        "pass": all(b["pass"] for b in bars.values()),
    }
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")

    mb = 1e6
    print(f"ingest: {a.rows} rows (naive {a.naive_rows}), median of {a.repeats}, DuckDB {a.duckdb_version}")
    for label, s in m.items():
        print(f"  {label:17s} {s['rows_per_second']:>14,.0f} rows/s  {s['seconds_per_row'] * 1e9:>10,.1f} ns/row"
              f"  peak RSS {s['max_peak_rss_bytes'] / mb:8.1f} MB  table {s['table_bytes'] / mb:8.1f} MB")
    for name, b in bars.items():
        bound = f">= {b['min']}" if "min" in b else f"<= {b['max'] / mb:.1f} MB"
        value = f"{b['value']:.2f}" if "min" in b else f"{b['value'] / mb:.1f} MB"
        print(f"  bar {name}: {value} (need {bound}) {'PASS' if b['pass'] else 'FAIL'}")
    print(f"  wrote {a.out}")
    return 0 if result["pass"] else 3


if __name__ == "__main__":
    sys.exit(main())
