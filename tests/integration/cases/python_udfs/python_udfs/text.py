"""Text helpers for the UDF case."""
from sqlflow.udfs import python_scalar_udf


@python_scalar_udf
def title(s: str) -> str:
    """Capitalizes each word; None stays None."""
    if s is None:
        return None
    return " ".join(w.capitalize() for w in s.split())


@python_scalar_udf
def clean(s: str) -> str:
    """Strips the text (same name as scale.clean: the module tells them apart)."""
    return None if s is None else s.strip()


@python_scalar_udf(name="length_of")
def text_length(s: str) -> int:
    return None if s is None else len(s)


@python_scalar_udf(returns="DATE")
def next_day(d):
    """Dates come in as datetime.date; without an annotation, returns= gives the SQL type."""
    import datetime
    return None if d is None else d + datetime.timedelta(days=1)


@python_scalar_udf
def fails(x: int) -> int:
    if x > 1:
        raise ValueError("x too large: %d" % x)
    return x


@python_scalar_udf
def quits(x: int) -> int:
    """SystemExit must fail the step, not end sqlflow."""
    raise SystemExit(3)
