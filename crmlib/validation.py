"""Input checks shared by every crmlib function.

Each check raises an error that names the argument or column, says what was expected and
what was found. None of them modifies its input: conversions return new objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Real

import numpy as np
import pandas as pd

__all__ = [
    "require_frame",
    "require_columns",
    "as_datetime",
    "as_numeric",
    "require_fraction",
    "require_positive_int",
    "require_number",
]


def _preview(values: Iterable, limit: int = 8) -> str:
    values = list(values)
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


def require_frame(df: object, name: str = "tx", *, allow_empty: bool = False) -> pd.DataFrame:
    """Return ``df`` if it is a non-empty DataFrame, else raise naming ``name``."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name}: expected a pandas DataFrame, got {type(df).__name__}")
    if not allow_empty and len(df) == 0:
        raise ValueError(f"{name}: expected at least one row, got an empty DataFrame")
    return df


def require_columns(df: pd.DataFrame, columns: Iterable[str], name: str = "tx") -> None:
    """Raise ``KeyError`` naming every missing column and listing the columns present."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(
            f"{name}: missing column(s) {_preview(missing)}; "
            f"the columns present are {_preview(df.columns, limit=30)}"
        )


def as_datetime(values: pd.Series, column: str) -> pd.Series:
    """Return ``values`` as datetime64, parsing strings; refuse what cannot be parsed."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise TypeError(
            f"column {column!r}: expected dates (datetime64 or date strings), "
            f"got {values.dtype} values such as {_preview(values.dropna().unique()[:3])}"
        )
    parsed = pd.to_datetime(values, errors="coerce", format="mixed")
    bad = values[parsed.isna() & values.notna()]
    if len(bad):
        raise ValueError(
            f"column {column!r}: {len(bad)} value(s) are not dates, "
            f"e.g. {_preview(bad.unique()[:3])}"
        )
    return parsed


def as_numeric(values: pd.Series, column: str) -> pd.Series:
    """Return ``values`` as numbers; refuse text and booleans that are not numbers."""
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        parsed = pd.to_numeric(values, errors="coerce")
        bad = values[parsed.isna() & values.notna()]
        if len(bad) or pd.api.types.is_bool_dtype(values):
            example = bad.unique()[:3] if len(bad) else values.unique()[:3]
            raise TypeError(
                f"column {column!r}: expected numbers, got {values.dtype} values "
                f"such as {_preview(example)}"
            )
        return parsed
    return values


def require_fraction(
    value: object, name: str, *, low_inclusive: bool = False, high_inclusive: bool = True
) -> float:
    """Return ``value`` as a float in (0, 1] (bounds configurable), else raise naming it."""
    lo, hi = ("[" if low_inclusive else "("), ("]" if high_inclusive else ")")
    if isinstance(value, bool) or not isinstance(value, Real) or np.isnan(value):
        raise TypeError(f"{name}: expected a number in {lo}0, 1{hi}, got {value!r}")
    ok_lo = value >= 0 if low_inclusive else value > 0
    ok_hi = value <= 1 if high_inclusive else value < 1
    if not (ok_lo and ok_hi):
        raise ValueError(f"{name}: expected a fraction in {lo}0, 1{hi}, got {value!r}")
    return float(value)


def require_positive_int(value: object, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int >= ``minimum``, else raise naming it."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name}: expected a whole number >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name}: expected a whole number >= {minimum}, got {value!r}")
    return int(value)


def require_number(
    value: object, name: str, *, minimum: float | None = None, strict: bool = False
) -> float:
    """Return ``value`` as a finite float (>= ``minimum``, or > it if ``strict``), else raise."""
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise TypeError(f"{name}: expected a finite number, got {value!r}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        bound = f"> {minimum}" if strict else f">= {minimum}"
        raise ValueError(f"{name}: expected a number {bound}, got {value!r}")
    return float(value)
