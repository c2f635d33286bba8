"""Numbers for the UDF case: row by row and vectorized."""
from decimal import Decimal

from sqlflow.udfs import python_scalar_udf, python_table_udf


@python_scalar_udf
def clean(x: float) -> float:
    """Same function name as text.clean."""
    return None if x is None else round(x, 2)


@python_scalar_udf
def with_tax(price, rate: float = 0.1) -> float:
    """Decimals arrive as decimal.Decimal; the default rate makes a one-argument overload."""
    if price is None:
        return None
    return float(price) * (1 + rate)


@python_scalar_udf(vectorized=True)
def doubled(x: float) -> float:
    """Vectorized: x is a whole batch (a numpy array where numpy is installed)."""
    return x * 2


@python_scalar_udf
def doubled_row(x: float) -> float:
    return None if x is None else x * 2


@python_table_udf(output_schema={"id": "BIGINT", "amount": "DOUBLE", "band": "VARCHAR"}, required_columns=["amount"])
def banded(df):
    """Adds a band column to the rows it is given."""
    out = df.copy()
    out["band"] = ["high" if a is not None and a >= 50 else "low" for a in out["amount"]]
    return out
