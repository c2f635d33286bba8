#!/usr/bin/env python3
"""Baseline of bench/files: the Python SQLFlow's CSV path, pandas.read_csv → DuckDB.

The Python original's CSV source reads the file with pandas.read_csv (its `engine` picks pyarrow for
large files when pyarrow is installed; it is not here, so pandas' C parser runs, as it does in the
original without pyarrow), then the LOAD registers the DataFrame with DuckDB and runs
CREATE TABLE AS over it. This machine has Debian's pandas but no `duckdb` Python module (no PyPI),
so the script times read_csv and stops there: the DuckDB step it leaves out only adds time, so
the measured seconds are a LOWER bound of the original path, and sqlflow's speed-up against them
is a lower bound of the real one.

Usage: pandas_csv_to_duckdb.py FILE.csv  → one JSON line {"mode","rows","seconds","bytes_in",…}.
"""
import json
import os
import sys
import time

import pandas as pd


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: pandas_csv_to_duckdb.py FILE.csv")
    path = sys.argv[1]
    t0 = time.monotonic()
    # The Python SQLFlow's defaults: has_header true, delimiter ",", quote_char '"', utf-8.
    df = pd.read_csv(path, sep=",", header=0, quotechar='"', encoding="utf-8")
    seconds = time.monotonic() - t0
    print(json.dumps({
        "mode": "pandas-read-csv",
        "rows": int(len(df)),
        "columns": int(len(df.columns)),
        "seconds": seconds,
        "bytes_in": os.path.getsize(path),
        "pandas_version": pd.__version__,
        "scope": "pandas.read_csv only (the DataFrame -> DuckDB step is not measured): a lower bound of the Python path",
    }))


if __name__ == "__main__":
    main()
