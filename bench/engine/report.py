#!/usr/bin/env python3
"""Summarises bench/engine/run.sh: the bytes the sqlflow process received during the PostgreSQL
engine's 10 M-row transform (strace, cross-checked by the counting relay), hyperfine's means and
ratios for the transform (against psql -c) and for examples/ecommerce (PostgreSQL engine against
DuckDB engine), peak RSS; pass/fail per bar. Writes JSON; exits 3 when a bar is missed."""
import argparse
import datetime
import glob
import json
import os
import platform
import statistics
import sys

MB = 1_000_000  # the bar's megabyte: 10^6 bytes (the stricter reading)


def hyperfine(path):
    d = json.load(open(path))
    out = {}
    for r in d["results"]:
        out[r["command"]] = {
            "mean_seconds": r["mean"], "stddev_seconds": r["stddev"], "median_seconds": r["median"],
            "min_seconds": r["min"], "max_seconds": r["max"], "user_seconds": r["user"],
            "system_seconds": r["system"], "runs_seconds": r["times"],
        }
    return out


def main():
    ap = argparse.ArgumentParser()
    for name in ("out", "work", "rss", "schema", "ec-schema", "as-specified-ok", "as-specified-err",
                 "sqlflow-cmd", "psql-cmd", "ec-duckdb-cmd", "ec-pg-cmd", "ec-outputs-equal", "binary",
                 "binary-sha256", "sqlflow-version", "git-rev", "postgres-version", "hyperfine-version",
                 "strace-version", "loadavg-start", "loadavg-end"):
        ap.add_argument("--" + name, required=True)
    for name in ("orders", "customers", "orders-bytes", "customers-bytes", "rows-copy-bytes", "runs", "warmup",
                 "ec-runs", "ec-warmup"):
        ap.add_argument("--" + name, type=int, required=True)
    a = ap.parse_args()
    w = a.work

    strace = json.load(open(os.path.join(w, "strace.json")))
    proxy = json.load(open(os.path.join(w, "proxy.json")))
    tf = hyperfine(os.path.join(w, "transform.hyperfine.json"))
    ec = hyperfine(os.path.join(w, "ecommerce.hyperfine.json"))
    rss = [json.loads(line) for line in open(a.rss) if line.strip()]

    def rss_of(label):
        vals = [r["peak_rss_bytes"] for r in rss if r["label"] == label]
        return {"median_bytes": int(statistics.median(vals)), "max_bytes": max(vals), "runs": len(vals),
                "median_mb": round(statistics.median(vals) / 2**20, 1)}

    def steps(pattern):
        """Per-step seconds of the RSS runs' --metrics-json files (medians), where the time goes."""
        by = {}
        for path in sorted(glob.glob(os.path.join(w, pattern))):
            for s in json.load(open(path))["steps"]:
                by.setdefault(s["name"], []).append(s["duration_seconds"])
        return {k: round(statistics.median(v), 4) for k, v in by.items()}

    def run_seconds(pattern):
        vals = [json.load(open(p))["duration_seconds"] for p in sorted(glob.glob(os.path.join(w, pattern)))]
        return round(statistics.median(vals), 4) if vals else None

    received = strace["socket_received_bytes"]
    sqlflow_t, psql_t = tf["sqlflow_pg"]["mean_seconds"], tf["psql"]["mean_seconds"]
    duck_t, pg_t = ec["duckdb_engine"]["mean_seconds"], ec["postgres_engine"]["mean_seconds"]
    as_specified_ok = a.as_specified_ok == "true"
    as_specified_err = open(a.as_specified_err).read().strip() if not as_specified_ok else ""

    bars = {
        "transform_bytes_received_lt_1MB": {
            "value": received, "limit": MB, "pass": received < MB,
            "how": "bytes returned by every read/readv/recvfrom/recvmsg/recvmmsg on a socket fd, summed over "
                   "all threads of the `sqlflow pipeline run` process for the whole run (strace -f -ff -yy); "
                   "the run holds only the transform step, so this bounds the step's bytes from above "
                   "(it includes connecting, authentication and sqlflow's own state queries)",
        },
        "ecommerce_postgres_engine_within_3x_duckdb_engine": {
            "value": pg_t / duck_t, "limit": 3.0, "pass": pg_t / duck_t <= 3.0,
            "how": "hyperfine mean of `sqlflow pipeline run sales_report -p pg` / mean of `-p dev` "
                   "(in-memory DuckDB), both in one hyperfine invocation with warmup",
        },
    }
    informational = {
        "transform_sqlflow_over_psql": {
            "value": sqlflow_t / psql_t, "expected": "close to 1.0",
            "within_10pct": abs(sqlflow_t / psql_t - 1) <= 0.10,
            "how": "hyperfine mean of the sqlflow run / mean of `psql -c` running the same DROP + CREATE TABLE AS",
        },
        "transform_wire_bytes_to_client_relay": proxy["to_client_bytes"],
        "transform_bytes_received_during_step_window": strace.get("step_socket_received_bytes"),
        "transform_rows_binary_copy_bytes": a.rows_copy_bytes,
        "transform_reduction_factor": a.rows_copy_bytes / max(received, 1),
        "ecommerce_outputs_equal": a.ec_outputs_equal == "true",
    }
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    result = {
        "benchmark": "engine",
        "issue": "20 (PostgreSQL as the engine: `engine: postgres`)",
        "date": datetime.datetime.utcnow().isoformat() + "Z",
        "machine": {"cpu": model, "cores": os.cpu_count(), "kernel": platform.release(),
                    "loadavg_start": a.loadavg_start.split(), "loadavg_end": a.loadavg_end.split(),
                    "note": "shared 2-core machine (other builds and tests running); every command ran under "
                            "nice -n 10, the PostgreSQL server (not niced) on the same two cores"},
        "versions": {"sqlflow": a.sqlflow_version, "git_rev": a.git_rev, "binary": a.binary,
                     "binary_sha256": a.binary_sha256, "postgres": a.postgres_version,
                     "hyperfine": a.hyperfine_version, "strace": a.strace_version},
        "bars": bars,
        "informational": informational,
        "transform": {
            "data": {"schema": a.schema, "orders_rows": a.orders, "customers_rows": a.customers,
                     "orders_table_bytes": a.orders_bytes, "customers_table_bytes": a.customers_bytes,
                     "made_by": "bench/engine/setup.sql: generate_series inside PostgreSQL (psql -f)"},
            "sql": "CREATE TABLE country_revenue AS SELECT c.country, count(*) AS orders, sum(o.amount) AS revenue "
                   "FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.country;",
            "pipeline_as_specified_accepted": as_specified_ok,
            "pipeline_as_specified_error": as_specified_err or None,
            "pipeline_run": "bench/engine/transform.sf",
            "commands": {"sqlflow_pg": a.sqlflow_cmd, "psql": a.psql_cmd},
            "bytes": {
                "method": "strace -f -ff -ttt -yy -s 0 -e trace=read,readv,recvfrom,recvmsg,recvmmsg,write,writev,"
                          "sendto,sendmsg,sendmmsg on a separate run of the same command (not timed): -yy names "
                          "each fd, so only sockets count (libpq reads with recvfrom on its TCP connection; "
                          "files read at start-up are reported apart as other_fd_read_bytes). Cross-check: "
                          "one more run with PGPORT pointing at bench/engine/count_proxy.py, a TCP relay "
                          "counting what the server sent towards sqlflow (to_client_bytes). PostgreSQL 15 keeps "
                          "no per-backend byte counters (and pg_stat_statements is not installed), so the "
                          "server's own view is not available; the relay is the view from the wire.",
                "strace": strace,
                "relay": proxy,
            },
            "hyperfine": {"warmup": a.warmup, "runs": a.runs, **tf},
            "ratio_sqlflow_over_psql_mean": sqlflow_t / psql_t,
            "ratio_sqlflow_over_psql_median": tf["sqlflow_pg"]["median_seconds"] / tf["psql"]["median_seconds"],
            "peak_rss": {"sqlflow_pg": rss_of("transform_sqlflow_pg"), "psql": rss_of("transform_psql")},
            "step_seconds_median_of_rss_runs": steps("transform.metrics.*.json"),
        },
        "ecommerce": {
            "project": "a copy of examples/ecommerce (pipelines/sales_report.sf: 3 CSV loads, 3 transforms, "
                       "CSV + Parquet exports); profiles/dev.yml (in-memory DuckDB) and profiles/pg.yml "
                       f"(engine: postgres, schema {a.ec_schema}, dev.yml's variables)",
            "commands": {"duckdb_engine": a.ec_duckdb_cmd, "postgres_engine": a.ec_pg_cmd},
            "hyperfine": {"warmup": a.ec_warmup, "runs": a.ec_runs, **ec},
            "ratio_postgres_over_duckdb_mean": pg_t / duck_t,
            "ratio_postgres_over_duckdb_median": ec["postgres_engine"]["median_seconds"] / ec["duckdb_engine"]["median_seconds"],
            "peak_rss": {"duckdb_engine": rss_of("ecommerce_duckdb"), "postgres_engine": rss_of("ecommerce_postgres")},
            "run_seconds_median_of_rss_runs": {"duckdb_engine": run_seconds("ecommerce.duckdb.metrics.*.json"),
                                               "postgres_engine": run_seconds("ecommerce.pg.metrics.*.json")},
            "step_seconds_median_of_rss_runs": {"duckdb_engine": steps("ecommerce.duckdb.metrics.*.json"),
                                                "postgres_engine": steps("ecommerce.pg.metrics.*.json")},
        },
        "rss_runs": rss,
    }
    json.dump(result, open(a.out, "w"), indent=2)
    for k, v in bars.items():
        print(f"bench/engine: {k}: {v['value']:.4g} (limit {v['limit']:g}) {'PASS' if v['pass'] else 'FAIL'}",
              file=sys.stderr)
    print(f"bench/engine: transform sqlflow {sqlflow_t:.2f} s / psql {psql_t:.2f} s = {sqlflow_t / psql_t:.3f}; "
          f"ecommerce postgres {pg_t:.3f} s / duckdb {duck_t:.3f} s = {pg_t / duck_t:.2f}", file=sys.stderr)
    sys.exit(0 if all(v["pass"] for v in bars.values()) else 3)


if __name__ == "__main__":
    main()
