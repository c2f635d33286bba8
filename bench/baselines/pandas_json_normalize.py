#!/usr/bin/env python3
"""Baseline of bench/rest: the Python SQLFlow's REST path, json.loads + pandas.json_normalize.

The Python original's REST source parses each response with `response.json()` (json.loads) and,
with flatten_response (its default), turns the records into a DataFrame with
pandas.json_normalize, which flattens nested objects into columns. This script times exactly
those two calls on a JSON array read into memory first (the same file sqlflow's parse benchmark
reads), so both sides start from bytes in RAM. json_normalize joins nested keys with "." by
default; the original passes sep="_", as done here.

Usage: pandas_json_normalize.py FILE.json  → one JSON line {"mode","bytes","records","seconds",…}.
"""
import json
import sys
import time

import pandas as pd


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: pandas_json_normalize.py FILE.json")
    with open(sys.argv[1], "rb") as f:
        text = f.read()
    t0 = time.monotonic()
    c0 = time.process_time()
    records = json.loads(text)
    t_loads = time.monotonic() - t0
    df = pd.json_normalize(records, sep="_")
    seconds = time.monotonic() - t0
    cpu = time.process_time() - c0
    print(json.dumps({
        "mode": "pandas_json_normalize",
        "bytes": len(text),
        "records": len(df),
        "columns": len(df.columns),
        "seconds": seconds,
        "loads_seconds": t_loads,
        "cpu_seconds": cpu,
        "mb_per_s": len(text) / 1e6 / seconds,
        "mb_per_cpu_s": len(text) / 1e6 / cpu,
        "pandas": pd.__version__,
    }))


if __name__ == "__main__":
    main()
