"""Input checks shared by every crmlib function.

Each check raises an error that names the argument or column, says what was expected and
what was found. None of them modifies its input: conversions return new objects.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from numbers import Real

import numpy as np
import pandas as pd

__all__ = [
    "DataWarning",
    "require_frame",
    "require_columns",
    "as_datetime",
    "align",
    "require_ids",
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


class DataWarning(UserWarning):
    """Something in the data was probably a mistake; crmlib went on and says what it did."""


# Day and month written as numbers in either order: 05/01/2024, 5.1.2024, 13-01-24.
_NUMERIC_DATE = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-]\d{2,4}(?:\D.*)?$"


def _day_month_order(text: pd.Series, column: str) -> bool | None:
    """True for day-first, False for month-first, None when no string shows it; raise when
    the column is written both ways or some dates cannot be read without knowing the order."""
    parts = text.astype(str).str.extract(_NUMERIC_DATE).dropna().astype(int)
    if parts.empty:
        return None
    first, second = parts[0], parts[1]
    day_first, month_first = text[parts.index[first > 12]], text[parts.index[second > 12]]
    if len(day_first) and len(month_first):
        raise ValueError(
            f"column {column!r}: dates are written day-first ({day_first.iloc[0]!r}) and "
            f"month-first ({month_first.iloc[0]!r}) in the same column; fix the source, or "
            f"convert the column yourself with pd.to_datetime(..., format=...)"
        )
    ambiguous = text[parts.index[(first <= 12) & (second <= 12) & (first != second)]]
    known = len(day_first) or len(month_first)
    if len(ambiguous) and not known:
        raise ValueError(
            f"column {column!r}: dates such as {ambiguous.iloc[0]!r} could be day-first or "
            f"month-first, and no value shows which; convert the column first with "
            f"pd.to_datetime(..., dayfirst=True) or format='%d/%m/%Y' (or '%m/%d/%Y')"
        )
    return bool(len(day_first)) if known else None


def _may_be_far(ticks: np.ndarray, unit: str) -> bool:
    """False when no date can be far from the others, decided from a histogram of days.

    Quartiles are bracketed to the day from the counts per day (no sort of the column, so
    cheap on 10M dates): with ``q3 >= q3_low`` and the spread at least ``spread_low``, a
    date up to ``q3_low + 3 spread_low`` is never far. True means "look closely".
    """
    day = int(pd.Timedelta(days=1) / pd.Timedelta(1, unit=unit))
    low, high = int(ticks.min()), int(ticks.max())
    if high - low <= 90 * day:  # the spread is at least 30 days
        return False
    if (high - low) // day > 10 * len(ticks):
        return True  # a histogram with more days than dates would cost more than it saves
    cumulative = np.cumsum(np.bincount((ticks - low) // day))
    n = len(ticks)

    def bracket(q: float) -> tuple[int, int]:
        k = int(np.floor(q * (n - 1)))  # the quantile lies between order statistics k, k+1
        first, last = np.searchsorted(cumulative, [k + 1, min(k + 2, n)])
        return low + int(first) * day, low + (int(last) + 1) * day

    q1_low, q1_high = bracket(0.25)
    q3_low, q3_high = bracket(0.75)
    spread_low = max(q3_low - q1_high, 30 * day)
    return high > q3_low + 3 * spread_low or low < q1_high - 3 * spread_low


def _warn_far_dates(parsed: pd.Series, column: str) -> None:
    """Warn about dates far outside the rest: usually a typing error (2099 for 2009) that
    would silently move any default computed from the data, such as ``as_of``."""
    index = pd.DatetimeIndex(parsed)
    ticks = index.asi8[~index.isna()] if index.hasnans else index.asi8
    if len(ticks) < 20 or not _may_be_far(ticks, index.unit):
        return
    days = parsed.dropna()
    q1, q3 = days.quantile(0.25), days.quantile(0.75)
    spread = max(q3 - q1, pd.Timedelta(days=30))
    far = days[(days > q3 + 3 * spread) | (days < q1 - 3 * spread)]
    if len(far):
        low, high = days.quantile(0.01), days.quantile(0.99)
        warnings.warn(
            f"column {column!r}: {len(far)} date(s) lie far outside the others, e.g. "
            f"{far.sort_values().iloc[-1]:%Y-%m-%d} while 98% fall between {low:%Y-%m-%d} and "
            f"{high:%Y-%m-%d}; a typing error? Defaults computed from the data (such as "
            f"as_of) use them",
            DataWarning,
            stacklevel=3,
        )


def as_datetime(values: pd.Series, column: str) -> pd.Series:
    """Return ``values`` as datetime64, parsing strings one way for the whole column.

    Refused, with the fix in the message: values that are not dates; a column whose
    day/month order is mixed or cannot be told; strings with different UTC offsets. Dates far
    outside the rest raise a :class:`DataWarning`.

    Examples
    --------
    >>> as_datetime(pd.Series(["13/01/2024", "05/01/2024"]), "day").dt.day.tolist()
    [13, 5]
    >>> as_datetime(pd.Series(["05/01/2024"]), "day")
    Traceback (most recent call last):
    ...
    ValueError: column 'day': dates such as '05/01/2024' could be day-first or month-first, ...
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        _warn_far_dates(values, column)
        return values
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise TypeError(
            f"column {column!r}: expected dates (datetime64 or date strings), "
            f"got {values.dtype} values such as {_preview(values.dropna().unique()[:3])}"
        )
    text = values.dropna()
    text = text[text.map(lambda v: isinstance(v, str))]
    dayfirst = _day_month_order(text, column) if len(text) else None
    offsets = text.str.extract(
        r"(?:T|\s)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})$"
    )[0]
    offsets = offsets.dropna().str.replace("Z", "+00:00").str.replace(":", "").unique()
    if len(offsets) > 1:
        raise ValueError(
            f"column {column!r}: the dates carry different UTC offsets "
            f"({_preview(sorted(offsets)[:3])}); convert them to one time zone first, e.g. "
            f"pd.to_datetime(values, utc=True).dt.tz_convert('Asia/Seoul')"
        )
    try:
        parsed = pd.to_datetime(values, errors="coerce", format="mixed", dayfirst=bool(dayfirst))
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError(
            f"column {column!r}: could not be read as dates ({exc}); convert the column "
            f"first with pd.to_datetime(..., format=...)"
        ) from None
    bad = values[parsed.isna() & values.notna()]
    if len(bad):
        raise ValueError(
            f"column {column!r}: {len(bad)} value(s) are not dates, "
            f"e.g. {_preview(bad.unique()[:3])}"
        )
    _warn_far_dates(parsed, column)
    return parsed


def require_ids(values: pd.Series, column: str) -> pd.Series:
    """Refuse an id column where one id is written two ways, so it would count as two.

    ``1`` and ``"1"`` (a number and text), or ``"A7"`` and ``" A7"`` (stray spaces), print
    alike but are different keys to pandas: every count per customer would silently split.
    Returns ``values`` unchanged when every id has one spelling.

    Examples
    --------
    >>> require_ids(pd.Series([1, "1", 2]), "customer_id")
    Traceback (most recent call last):
    ...
    ValueError: column 'customer_id': the same id is written in two ways (1 and '1'): ...
    """
    present = values.dropna()
    if present.dtype != object and not isinstance(present.dtype, pd.StringDtype):
        return values
    distinct = pd.Series(pd.unique(present), dtype=object)
    canonical = distinct.map(lambda v: str(v).strip())
    clash = canonical[canonical.duplicated(keep=False)]
    if len(clash):
        first = distinct[clash.index[clash == clash.iloc[0]]].tolist()[:2]
        raise ValueError(
            f"column {column!r}: the same id is written in two ways "
            f"({first[0]!r} and {first[1]!r}): as a number and as text, or with spaces; "
            f"convert the column to one form first, e.g. .astype(str).str.strip()"
        )
    return values


def align(first: object, second: object, names: tuple[str, str]) -> tuple[object, object]:
    """Pair two per-customer inputs by label when both are pandas objects, else by position.

    Two Series (or frames) with the same labels in another order are matched by label, so
    the same data in any row order gives the same answer; labels that do not match are
    refused, naming both arguments.

    Examples
    --------
    >>> y = pd.Series([1, 0], index=["a", "b"])
    >>> align(y, pd.Series([0.2, 0.9], index=["b", "a"]), ("y_true", "y_score"))[1].tolist()
    [0.9, 0.2]
    """
    if not (
        isinstance(first, pd.Series | pd.DataFrame) and isinstance(second, pd.Series | pd.DataFrame)
    ):
        return first, second
    if first.index.equals(second.index):
        return first, second
    a, b = names
    if not (first.index.is_unique and second.index.is_unique):
        raise ValueError(
            f"{a} and {b}: their indexes differ and hold duplicated labels, so rows cannot be "
            f"matched; give both the same index (e.g. .reset_index(drop=True) on both)"
        )
    only_first = first.index.difference(second.index)
    only_second = second.index.difference(first.index)
    if len(only_first) or len(only_second):
        extra = only_first if len(only_first) else only_second
        where = b if len(only_first) else a
        raise ValueError(
            f"{a} and {b}: expected the same customers (index labels), but {where} lacks "
            f"{_preview(extra[:3])} ({len(only_first) + len(only_second)} label(s) differ)"
        )
    return first, second.reindex(first.index)


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
