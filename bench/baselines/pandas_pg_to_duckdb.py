#!/usr/bin/env python3
"""Baseline of bench/postgres: the Python SQLFlow's PostgreSQL source path, pandas.read_sql → DuckDB.

The Python original's postgres source runs the table's SELECT through psycopg2 and builds a pandas
DataFrame with pandas.read_sql (one DataFrame for the whole table), then the LOAD registers the
DataFrame with DuckDB and runs CREATE TABLE AS over it. This machine has Debian's pandas and
psycopg2 but no `duckdb` Python module (no PyPI), so the script times read_sql and stops there:
the DuckDB step it leaves out only adds time and memory, so the measured seconds and peak RSS are
LOWER bounds of the original path, and sqlflow's advantage against them is a lower bound too.

Connection from libpq's environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE).
Usage: pandas_pg_to_duckdb.py TABLE  → one JSON line {"mode","rows","seconds",…}.
"""
import json
import sys
import time
import warnings

import pandas as pd
import psycopg2


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: pandas_pg_to_duckdb.py TABLE")
    table = sys.argv[1]
    conn = psycopg2.connect("application_name=sqlflow_bench_pandas")
    quoted = ".".join('"' + part.replace('"', '""') + '"' for part in table.split("."))
    t0 = time.monotonic()
    with warnings.catch_warnings():
        # pandas warns that it prefers SQLAlchemy connections; the original passes a DBAPI one too.
        warnings.simplefilter("ignore", UserWarning)
        df = pd.read_sql(f"SELECT * FROM {quoted}", conn)
    seconds = time.monotonic() - t0
    conn.close()
    print(json.dumps({
        "mode": "pandas-read-sql",
        "rows": int(len(df)),
        "columns": int(len(df.columns)),
        "seconds": seconds,
        "pandas_version": pd.__version__,
        "psycopg2_version": psycopg2.__version__.split()[0],
        "scope": "pandas.read_sql only (the DataFrame -> DuckDB step is not measured): a lower bound of the Python path",
    }))


if __name__ == "__main__":
    main()
