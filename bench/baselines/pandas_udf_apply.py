"""Baseline for bench/udf: the Python SQLFlow's per-row path, a plain function applied with
pandas' Series.apply over ROWS doubles. Prints nanoseconds per row for the apply alone."""
import sys
import time

import numpy as np
import pandas as pd


def doubled_row(x: float) -> float:
    return x * 2


rows = int(sys.argv[1])
df = pd.DataFrame({"x": np.arange(rows, dtype=np.float64)})
t0 = time.perf_counter()
total = df["x"].apply(doubled_row).sum()
t1 = time.perf_counter()
assert total == rows * (rows - 1), total
print((t1 - t0) * 1e9 / rows)
