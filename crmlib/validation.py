"""Input checks shared by every crmlib function.

Each check raises an error that names the argument or column, says what was expected and
what was found. None of them modifies its input: conversions return new objects.
"""

from __future__ import annotations

import re
import sqlite3
import warnings
from collections.abc import Iterable, Mapping
from numbers import Real

import numpy as np
import pandas as pd

__all__ = [
    "require_sqlite",
    "DataWarning",
    "preview",
    "require_frame",
    "require_columns",
    "as_datetime",
    "count_missing",
    "datetime_extent",
    "scan_dates",
    "warn_far_dates",
    "align",
    "require_ids",
    "as_numeric",
    "round_amounts",
    "require_fraction",
    "require_positive_int",
    "require_number",
    "as_numbers",
    "as_number",
    "require_counts",
    "require_outcomes",
    "require_choice",
    "require_bool",
    "require_int_list",
    "shaped",
    "statement_kind",
    "warn_far_after",
    "require_select",
]


def preview(values: Iterable, limit: int = 8) -> str:
    """The first ``limit`` values as reprs, for an error message ("1, 'a', ... (40 in all)").

    Examples
    --------
    >>> preview(range(20), limit=3)
    '0, 1, 2, ... (20 in all)'
    """
    values = list(values)
    shown = ", ".join(repr(v.item() if isinstance(v, np.generic) else v) for v in values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


def first_ids(ids: Iterable, n: int) -> list:
    """The ``n`` smallest ids, sorted (in the order given if they cannot be compared), for a
    message that shows examples: the same examples whatever the order of the lines.

    Examples
    --------
    >>> first_ids([17547, 13958, 16995, 14213], 3)
    [13958, 14213, 16995]
    >>> first_ids(pd.Series([17547.0, 13958.0]), 5)  # a column with a missing id is float
    [13958, 17547]
    """
    values = np.asarray(ids)
    if values.dtype.kind == "f" and np.all(values == np.round(values)):
        values = values.astype(np.int64)  # integer ids read as floats beside a missing one
    ids = values.tolist()
    try:
        ids = sorted(ids)
    except TypeError:
        pass
    return ids[:n]


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
            f"{name}: missing column(s) {preview(missing)}; "
            f"the columns present are {preview(df.columns, limit=30)}"
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


_NAT = np.iinfo(np.int64).min  # NaT as an integer: the smallest int64


def count_missing(values: pd.Series) -> int:
    """Missing values in a column, reading it only when its dtype can hold any.

    Integer and boolean columns have none; a float column is summed first (a NaN makes the
    sum NaN), Arrow-backed columns know their null count; datetimes use their minimum (NaT
    is the smallest tick). Only when something may be missing is the column counted.

    Examples
    --------
    >>> count_missing(pd.Series([1.0, float("nan"), 3.0]))
    1
    >>> count_missing(pd.Series([1, 2, 3]))
    0
    """
    dtype = values.dtype
    if isinstance(dtype, np.dtype):
        if dtype.kind in "iub":
            return 0
        if dtype.kind == "f":
            array = values.to_numpy()
            with np.errstate(invalid="ignore", over="ignore"):  # inf - inf: look closer
                if np.isfinite(np.add.reduce(array, axis=None)):
                    return 0
            return int(np.count_nonzero(np.isnan(array)))
        if dtype.kind == "M":
            return datetime_extent(values)[0]
    arrow = getattr(values.array, "__arrow_array__", None)
    if arrow is not None and isinstance(dtype, pd.StringDtype | pd.ArrowDtype):
        return int(arrow().null_count)
    return int(values.isna().sum())


def datetime_extent(values: pd.Series) -> tuple[int, int | None, int | None]:
    """``(missing, first, last)`` of a datetime column: the number of NaT and the first and
    last value as integer ticks of the column's unit (None when every value is missing).

    Two vectorised passes (minimum, maximum) when nothing is missing: NaT is the smallest
    tick, so the minimum shows whether any value is missing.

    Examples
    --------
    >>> datetime_extent(pd.Series(pd.to_datetime(["2024-01-02", None, "2024-01-01"])))
    (1, 1704067200000000, 1704153600000000)
    """
    ticks = _ticks(values)
    if not len(ticks):
        return 0, None, None
    low = int(ticks.min())
    if low != _NAT:
        return 0, low, int(ticks.max())
    present = ticks[ticks != _NAT]
    if not len(present):
        return len(ticks), None, None
    return len(ticks) - len(present), int(present.min()), int(present.max())


def _ticks(values: pd.Series) -> np.ndarray:
    """The int64 ticks of a datetime column (time-zone aware: UTC ticks), without a copy."""
    return pd.DatetimeIndex(values).asi8


def _may_be_far(
    ticks: np.ndarray,
    unit: str,
    low: int | None = None,
    high: int | None = None,
    histogram: tuple[int, np.ndarray] | None = None,
) -> bool:
    """False when no date can be far from the others, decided from a histogram of days.

    Quartiles are bracketed from the counts per bin (no sort of the column, so cheap on 10M
    dates; a bin is the largest power of two ticks not over a day, found by a shift): with
    ``q3 >= q3_low`` and the spread at least ``spread_low``, a date up to
    ``q3_low + 3 spread_low`` is never far. True means "look closely". ``low`` and ``high``
    (the first and last tick) are computed when not given, and so is ``histogram``
    (``(base, counts)``: counts of ``(ticks >> shift) - base`` from the first bin to the last,
    as :func:`scan_dates` finds them).
    """
    day = int(pd.Timedelta(days=1) / pd.Timedelta(1, unit=unit))
    low = int(ticks.min()) if low is None else low
    high = int(ticks.max()) if high is None else high
    if high - low <= 90 * day:  # the spread is at least 30 days
        return False
    shift = _day_shift(unit)  # a bin of 2**shift ticks: at most a day
    width = 1 << shift
    base = low >> shift  # the first bin (floor division, also before 1970)
    if (high >> shift) - base > 10 * len(ticks):
        return True  # a histogram with more bins than dates would cost more than it saves
    if histogram is None:
        counts = _bin_counts(ticks, shift, base, (high >> shift) - base + 1)
    else:
        base, counts = histogram
    cumulative = np.cumsum(counts)
    n = len(ticks)

    def bracket(q: float) -> tuple[int, int]:
        k = int(np.floor(q * (n - 1)))  # the quantile lies between order statistics k, k+1
        first, last = np.searchsorted(cumulative, [k + 1, min(k + 2, n)])
        return (base + int(first)) * width, (base + int(last) + 1) * width

    q1_low, q1_high = bracket(0.25)
    q3_low, q3_high = bracket(0.75)
    spread_low = max(q3_low - q1_high, 30 * day)
    return high > q3_low + 3 * spread_low or low < q1_high - 3 * spread_low


#: From this many dates on, the histogram is counted by a compiled loop (one pass instead of
#: numpy's three: shift, bincount's maximum, the count); below, numpy's cost is negligible
#: and importing numba would cost more.
COMPILED_FROM = 500_000


def _bin_counts(ticks: np.ndarray, shift: int, base: int, n_bins: int) -> np.ndarray:
    """Counts of ``(ticks >> shift) - base`` in ``range(n_bins)`` (every tick in range)."""
    if len(ticks) >= COMPILED_FROM:
        return _compiled_bin_counts()(ticks, shift, base, n_bins)
    bins = np.right_shift(ticks, shift)
    if base:
        np.subtract(bins, base, out=bins)
    return np.bincount(bins, minlength=n_bins)


_KERNELS: dict[str, object] = {}


def _compiled_bin_counts():
    if "bin_counts" not in _KERNELS:
        import numba

        @numba.njit(cache=True, nogil=True)
        def bin_counts(ticks, shift, base, n_bins):  # pragma: no cover - compiled
            counts = np.zeros(n_bins, np.int64)
            for tick in ticks:
                counts[(tick >> shift) - base] += 1
            return counts

        _KERNELS["bin_counts"] = bin_counts
    return _KERNELS["bin_counts"]


def _compiled_scan():
    if "scan" not in _KERNELS:
        import numba

        @numba.njit(cache=True, nogil=True)
        def scan(ticks, shift, n_bins):  # pragma: no cover - compiled
            counts = np.zeros(n_bins, np.int64)
            low, high = np.iinfo(np.int64).max, np.iinfo(np.int64).min
            missing = outside = 0
            for tick in ticks:
                if tick == np.iinfo(np.int64).min:  # NaT
                    missing += 1
                    continue
                low = min(low, tick)
                high = max(high, tick)
                k = tick >> shift
                if 0 <= k < n_bins:
                    counts[k] += 1
                else:
                    outside += 1
            return missing, low, high, counts, outside

        _KERNELS["scan"] = scan
    return _KERNELS["scan"]


def _day_shift(unit: str) -> int:
    """The shift whose bins (2**shift ticks of ``unit``) are the largest not over a day."""
    return int(pd.Timedelta(days=1) / pd.Timedelta(1, unit=unit)).bit_length() - 1


def scan_dates(
    dates: pd.Series,
) -> tuple[tuple[int, int | None, int | None], tuple[int, np.ndarray] | None]:
    """One read of a large datetime column for every check: its :func:`datetime_extent`
    and the histogram :func:`warn_far_dates` brackets quartiles with.

    Returns ``(extent, histogram)``. A compiled loop does both for a column of
    :data:`COMPILED_FROM` dates or more with dates from 1970 to 2099; otherwise
    ``histogram`` is None (:func:`warn_far_dates` makes its own).

    Examples
    --------
    >>> days = pd.Series(pd.to_datetime(["2024-01-02", None, "2024-01-01"]))
    >>> scan_dates(days)[0]
    (1, 1704067200000000, 1704153600000000)
    """
    ticks = _ticks(dates)
    unit = pd.DatetimeIndex(dates).unit
    if len(ticks) >= COMPILED_FROM and ticks.flags.c_contiguous:
        shift = _day_shift(unit)
        n_bins = (int(np.datetime64("2100-01-01", unit).astype(np.int64)) >> shift) + 1
        missing, low, high, counts, outside = _compiled_scan()(ticks, shift, n_bins)
        if missing == len(ticks):
            extent = (missing, None, None)
        else:
            extent = (int(missing), int(low), int(high))
        histogram = None
        if not outside and extent[1] is not None:
            base = extent[1] >> shift
            histogram = (base, counts[base : (extent[2] >> shift) + 1])
        return extent, histogram
    return datetime_extent(dates), None


def warn_far_dates(
    parsed: pd.Series,
    column: str,
    extent: tuple[int, int | None, int | None] | None = None,
    histogram: tuple[int, np.ndarray] | None = None,
) -> None:
    """Warn about dates far outside the rest: usually a typing error (2099 for 2009) that
    would silently move any default computed from the data, such as ``as_of``.

    A date is far when it lies more than three interquartile ranges (at least 30 days)
    beyond the quartiles. ``extent`` is :func:`datetime_extent` of ``parsed`` and
    ``histogram`` its histogram, if the caller has them already (:func:`scan_dates`); the
    quartiles are first bracketed from the histogram (one pass, no sort), and only data that
    may hold a far date are looked at closely.

    Examples
    --------
    >>> days = pd.Series(pd.date_range("2024-01-01", periods=40, freq="D"))
    >>> warn_far_dates(days, "date")  # nothing far: no warning
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_far_dates(pd.concat([days, pd.Series([pd.Timestamp("2099-01-05")])]), "date")
    >>> str(caught[0].message)[:68]
    "column 'date': 1 date(s) lie far outside the others, e.g. 2099-01-05"
    """
    missing, low, high = datetime_extent(parsed) if extent is None else extent
    ticks = _ticks(parsed)
    if missing:
        ticks = ticks[ticks != _NAT]
    unit = pd.DatetimeIndex(parsed).unit
    if len(ticks) < 20 or not _may_be_far(ticks, unit, low, high, histogram):
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


def as_timestamp(value: object, name: str, example: str = "1997-09-30") -> pd.Timestamp:
    """One date argument (``calibration_end=``, ``cutoff=``, ...) as a Timestamp.

    >>> as_timestamp("2011-09-01", "cutoff")
    Timestamp('2011-09-01 00:00:00')
    >>> as_timestamp("soon", "cutoff", "2011-09-01")
    Traceback (most recent call last):
    ...
    ValueError: cutoff: expected a date such as '2011-09-01', got 'soon'
    """
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if stamp is pd.NaT:
        raise ValueError(f"{name}: expected a date such as {example!r}, got {value!r}")
    return stamp


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
        warn_far_dates(values, column)
        return values
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise TypeError(
            f"column {column!r}: expected dates (datetime64 or date strings), "
            f"got {values.dtype} values such as {preview(values.dropna().unique()[:3])}"
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
            f"({preview(sorted(offsets)[:3])}); convert them to one time zone first, e.g. "
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
            f"e.g. {preview(bad.unique()[:3])}"
        )
    warn_far_dates(parsed, column)
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
            f"{preview(extra[:3])} ({len(only_first) + len(only_second)} label(s) differ)"
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
                f"such as {preview(example)}"
            )
        return parsed
    return values


def round_amounts(values: object) -> np.ndarray:
    """Net amounts rounded to 1e-9 of the unit, -0.0 written 0.0: sums of money, made alike.

    A float sum depends on the order of addition: a purchase fully refunded nets to 4.5e-13
    in one engine and -5.7e-14 in another, and 249.1 may come out as 249.10000000000002.
    Every path that sums amounts (:func:`crmlib.rfm.summarize`, :func:`crmlib.btyd.summarize`,
    :mod:`crmlib.engines`) rounds its sums here, so a cut-off at 0 scores alike everywhere.

    Examples
    --------
    >>> round_amounts([4.547473508864641e-13, -5.7e-14, 249.10000000000002]).tolist()
    [0.0, 0.0, 249.1]
    """
    return np.round(np.asarray(values, dtype=np.float64), 9) + 0.0


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
        hint = (
            f"; a percentage? Give a fraction: {value / 100:g} for {value:g}%"
            if 1 < value <= 100
            else ""
        )
        raise ValueError(f"{name}: expected a fraction in {lo}0, 1{hi}, got {value!r}{hint}")
    return float(value)


def require_positive_int(value: object, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int >= ``minimum``, else raise naming it.

    Text such as ``"100"`` is refused (a setting read from a file or a form is converted by
    the caller, who knows where it came from); so are floats, even whole ones, and booleans.

    Examples
    --------
    >>> require_positive_int("100", "max_iter")
    Traceback (most recent call last):
    ...
    TypeError: max_iter: expected a whole number >= 1, got '100' (text); write 100 without quotes
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        hint = ""
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            hint = f" (text); write {value.strip()} without quotes"
        elif isinstance(value, float) and np.isfinite(value) and value == round(value):
            hint = f" (a float); write {int(value)}"
        raise TypeError(f"{name}: expected a whole number >= {minimum}, got {value!r}{hint}")
    if value < minimum:
        raise ValueError(f"{name}: expected a whole number >= {minimum}, got {value!r}")
    return int(value)


def require_number(
    value: object, name: str, *, minimum: float | None = None, strict: bool = False
) -> float:
    """Return ``value`` as a finite float (>= ``minimum``, or > it if ``strict``), else raise."""
    if isinstance(value, bool) or not isinstance(value, Real):
        hint = " (text); write it without quotes" if isinstance(value, str) else ""
        raise TypeError(f"{name}: expected a finite number, got {value!r}{hint}")
    if not np.isfinite(value):  # TypeError, as before: tests and callers rely on it
        raise TypeError(f"{name}: expected a finite number, got {value!r}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        bound = f"> {minimum}" if strict else f">= {minimum}"
        raise ValueError(f"{name}: expected a number {bound}, got {value!r}")
    return float(value)


def as_numbers(
    value: object,
    name: str,
    *,
    low: float | None = None,
    low_open: bool = False,
    high: float | None = None,
    high_open: bool = False,
    whole: bool = False,
) -> np.ndarray:
    """``value`` (a number, list, array or Series) as a float array, checked element-wise.

    The array form of :func:`require_number` and :func:`require_fraction`: booleans, text and
    missing values are refused; ``low``/``high`` bound the values (open bounds with
    ``low_open``/``high_open``); ``whole=True`` asks for whole numbers. Without an upper bound,
    infinity is refused. When values above a bound of 1 look like percentages, the message
    gives the fraction they probably mean.

    Examples
    --------
    >>> as_numbers([0.8, 0.9], "retention", low=0, high=1).tolist()
    [0.8, 0.9]
    >>> as_numbers(80, "retention", low=0, high=1)
    Traceback (most recent call last):
    ...
    ValueError: retention: expected numbers >= 0 and <= 1, got 80.0; a percentage? Give a ...
    """
    if isinstance(value, pd.DataFrame):
        raise TypeError(f"{name}: expected a number, array or Series, got a DataFrame")
    try:
        array = np.asarray(value.to_numpy() if isinstance(value, pd.Series) else value)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name}: expected numbers, got {value!r}") from err
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        if array.dtype == object:  # numbers held as objects (a Series with None) are numbers
            try:
                converted = array.astype(np.float64)
            except (TypeError, ValueError):
                converted = None
            if converted is not None and not any(isinstance(v, bool | str) for v in array.flat):
                array = converted
        if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
            raise TypeError(
                f"{name}: expected numbers, got {array.dtype} values such as "
                f"{preview(array.ravel()[:3].tolist())}"
            )
    if np.iscomplexobj(array):
        raise TypeError(f"{name}: expected real numbers, got complex values")
    array = array.astype(np.float64)
    if np.isnan(array).any():
        raise ValueError(f"{name}: expected numbers, found {int(np.isnan(array).sum())} missing")
    bad = np.zeros(array.shape, dtype=bool)
    if low is not None:
        bad |= (array <= low) if low_open else (array < low)
    if high is not None:
        bad |= (array >= high) if high_open else (array > high)
    if whole:
        bad |= np.isfinite(array) & (array != np.round(array))  # infinity: 'forever'
    elif high is None:
        bad |= np.isinf(array)
    if bad.any():
        lo = "" if low is None else f"{'>' if low_open else '>='} {low:g}"
        hi = "" if high is None else f"{'<' if high_open else '<='} {high:g}"
        kind = "whole numbers" if whole else "finite numbers" if high is None else "numbers"
        bounds = " and ".join(filter(None, (lo, hi)))
        found = np.unique(array[bad])
        hint = ""
        if high == 1 and ((found > 1) & (found <= 100)).all():
            hint = f"; a percentage? Give a fraction: {found[0] / 100:g} for {found[0]:g}%"
        raise ValueError(
            f"{name}: expected {kind}{' ' + bounds if bounds else ''}, "
            f"got {preview(found.tolist())}{hint}"
        )
    return array


def as_number(value: object, name: str, **bounds) -> float:
    """One number, checked as :func:`as_numbers` checks each element.

    Examples
    --------
    >>> as_number(0.1, "discount_rate", low=0, high=1)
    0.1
    """
    array = as_numbers(value, name, **bounds)
    if array.ndim:
        raise ValueError(f"{name}: expected one number, got an array of shape {array.shape}")
    return float(array)


def require_counts(values: object, name: str) -> np.ndarray:
    """``values`` as a float array of whole numbers >= 0 (counts of purchases, customers...).

    Examples
    --------
    >>> require_counts([0, 2, 1.5], "repeat_purchases")
    Traceback (most recent call last):
    ...
    ValueError: repeat_purchases: expected whole numbers >= 0 (counts), got 1.5
    """
    array = as_numbers(values, name)
    bad = (array < 0) | (array != np.round(array))
    if bad.any():
        raise ValueError(
            f"{name}: expected whole numbers >= 0 (counts), got {preview(np.unique(array[bad]))}"
        )
    return array


def require_outcomes(
    values: object, name: str = "y_true", *, need_positive: bool = False, need_both: bool = False
) -> np.ndarray:
    """``values`` as a 1-d float array of 0/1 outcomes (1 = responded, churned, bought...).

    Accepted: booleans, and numbers that are all 0 or 1 (a pandas column with missing values
    is refused, naming how many). Text such as ``"yes"``/``"no"`` or ``"1"``/``"0"`` is
    refused: which label is the positive one is the caller's to say. ``need_both=True`` also
    asks for at least one 0 and one 1, ``need_positive=True`` for at least one 1.

    Examples
    --------
    >>> require_outcomes([True, False, 1]).tolist()
    [1.0, 0.0, 1.0]
    >>> require_outcomes(["yes", "no"], "responded")
    Traceback (most recent call last):
    ...
    ValueError: responded: expected binary outcomes (True/False or 0/1, 1 = yes), got values such as ...
    """
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"{name}: expected one outcome per customer (1-d), got a DataFrame")
    if isinstance(values, pd.Series):
        series = values
    else:
        if np.ndim(values) > 1:
            raise ValueError(
                f"{name}: expected a 1-d list of 0/1 outcomes, got shape {np.shape(values)}"
            )
        array = np.asarray(values) if isinstance(values, np.ndarray) else None
        if array is not None and array.dtype.kind in "biuf":
            series = pd.Series(array)  # typed already: no per-value check needed
        else:
            series = pd.Series(list(np.ravel(values)), dtype=object)
    if len(series) == 0:
        raise ValueError(f"{name}: expected at least one customer, got none")
    missing = int(series.isna().sum())
    if missing:
        raise ValueError(
            f"{name}: expected binary outcomes (True/False or 0/1) for every customer, found "
            f"{missing} missing"
        )
    typed = pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series)
    kind = series.dtype.kind if isinstance(series.dtype, np.dtype) else ("f" if typed else "O")
    numeric = kind in "biuf" or (
        kind == "O" and all(isinstance(v, Real | np.bool_) for v in series.to_numpy(dtype=object))
    )
    ok = numeric and series.astype(float).isin([0.0, 1.0]).all()
    if not ok:
        found = pd.unique(
            series[~series.map(lambda v: isinstance(v, Real | np.bool_) and v in (0, 1))].astype(
                object
            )
        )[:4]
        text = any(isinstance(v, str) for v in found)
        fix = "; convert labels first, e.g. y == 'yes'" if text else ""
        raise ValueError(
            f"{name}: expected binary outcomes (True/False or 0/1, 1 = yes), got values such as "
            f"{preview(found)}{fix}"
        )
    y = series.to_numpy(dtype=float)
    if need_positive and y.sum() == 0:
        raise ValueError(f"{name}: expected at least one responder (1), got none")
    if need_both and (y.min() == y.max()):
        raise ValueError(
            f"{name}: expected both outcomes (some 0 and some 1), got only {int(y[0])}s"
        )
    return y


def require_choice(value: object, name: str, choices: Iterable) -> object:
    """Return ``value`` if it is one of ``choices``, else raise naming them all.

    Examples
    --------
    >>> require_choice("start", "timing", ("end", "start"))
    'start'
    """
    choices = tuple(choices)
    try:
        ok = value in choices and not isinstance(value, bool)
    except TypeError:  # an unhashable value compared with strings
        ok = False
    if not ok:
        raise ValueError(f"{name}: expected one of ({preview(choices, 20)}), got {value!r}")
    return value


def shaped(values: np.ndarray, like: object, name: str | None = None):
    """Give a result the shape of the caller's input: a float for a number, a Series (same
    index) for a Series or a DataFrame, else the array.

    Examples
    --------
    >>> shaped(np.array([2.0]), 1.0)
    2.0
    >>> shaped(np.array([1.0, 2.0]), pd.Series([0, 0], index=["a", "b"]), "clv").to_dict()
    {'a': 1.0, 'b': 2.0}
    """
    values = np.asarray(values)
    if isinstance(like, pd.Series | pd.DataFrame | pd.Index):
        index = like if isinstance(like, pd.Index) else like.index
        if values.shape != (len(index),):
            raise ValueError(
                f"a Series argument gives the result's index ({len(index)} rows), "
                f"but the result has shape {values.shape}"
            )
        return pd.Series(values, index=index, name=name)
    if like is None:
        return float(values) if values.ndim == 0 else values
    if np.ndim(like) == 0 and values.size == 1:
        return float(values.ravel()[0])
    return values


def require_int_list(values: object, name: str, *, minimum: int = 1) -> list[int]:
    """``values`` (a list, range or array of whole numbers) as a non-empty list of ints.

    One number where a list is expected is refused with the list it probably means.

    Examples
    --------
    >>> require_int_list(range(2, 5), "k_range", minimum=2)
    [2, 3, 4]
    >>> require_int_list(5, "k_range", minimum=2)
    Traceback (most recent call last):
    ...
    TypeError: k_range: expected a list of whole numbers >= 2, got one number 5; for every value from 2 to 5 write range(2, 6) ...
    """
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        if isinstance(values, int | np.integer) and not isinstance(values, bool):
            raise TypeError(
                f"{name}: expected a list of whole numbers >= {minimum}, got one number "
                f"{values!r}; for every value from {minimum} to {values} write "
                f"range({minimum}, {int(values) + 1}) (or [{values}] for that one value)"
            )
        raise TypeError(
            f"{name}: expected a list of whole numbers >= {minimum}, "
            f"got {type(values).__name__} {values!r}"
        )
    items = list(values)
    if not items:
        raise ValueError(f"{name}: expected at least one value, got none")
    return [require_positive_int(v, name, minimum=minimum) for v in items]


def statement_kind(sql: object, name: str = "sql") -> str:
    """The first keyword of one SQL statement (``"SELECT"``, ``"WITH"``, ``"DELETE"``...),
    comments and spaces skipped; raise naming ``name`` for anything that is not SQL text.

    Query helpers use it to refuse, before anything runs, a statement that would change the
    user's database.

    Examples
    --------
    >>> statement_kind("/* yearly */ select 1")
    'SELECT'
    """
    if not isinstance(sql, str) or not sql.strip():
        raise TypeError(f"{name}: expected the text of a SELECT statement, got {sql!r}")
    text = re.sub(r"(--[^\n]*\n?|/\*.*?\*/|\s|\()+", " ", sql, flags=re.S).strip()
    word = re.match(r"[A-Za-z_]+", text)
    return word.group(0).upper() if word else ""


def require_select(
    sql: object, name: str = "sql", *, reads: Iterable[str] = ("SELECT", "WITH", "VALUES")
) -> str:
    """Return ``sql`` if it is one SELECT (or WITH ... SELECT, VALUES) statement, else raise
    saying why: a query helper never changes the user's database.

    Examples
    --------
    >>> require_select("DELETE FROM t")
    Traceback (most recent call last):
    ...
    ValueError: sql: expected a SELECT statement (or WITH ... SELECT), got DELETE; a query ...
    """
    kind = statement_kind(sql, name)
    if kind not in set(reads):
        raise ValueError(
            f"{name}: expected a SELECT statement (or WITH ... SELECT), got "
            f"{kind or 'text that is not SQL'}; a query helper only reads and never changes your "
            f"database, so nothing was run. Run changes yourself, e.g. with con.execute(...)"
        )
    return sql


def warn_far_after(end: pd.Timestamp, first: pd.Timestamp, last: pd.Timestamp, name: str) -> None:
    """Warn when a date given for the end of the data (``as_of``, ``observation_end``) lies
    far after the last purchase: more than a year, and more than the whole span of the data.

    Every age or recency computed up to it grows by the gap, which is usually a typing error
    (2099 for 2009) rather than a real observation period.
    """
    gap = end - last
    if gap > pd.Timedelta(days=365) and gap > last - first:
        warnings.warn(
            f"{name}: {end:%Y-%m-%d} lies {gap.days:,} days after the last purchase "
            f"({last:%Y-%m-%d}), longer than the data's whole span ({(last - first).days:,} "
            f"days); every recency or age includes the gap. A typing error?",
            DataWarning,
            stacklevel=3,
        )


def require_bool(value: object, name: str) -> bool:
    """Return ``value`` if it is True or False (NumPy's too), else raise naming it.

    Text such as ``"no"`` is refused: ``bool("no")`` is True.

    Examples
    --------
    >>> require_bool("no", "drop_duplicates")
    Traceback (most recent call last):
    ...
    TypeError: drop_duplicates: expected True or False, got 'no'
    """
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name}: expected True or False, got {value!r}")
    return bool(value)


def require_sqlite(con: object, name: str = "con") -> sqlite3.Connection:
    """Return ``con`` if it is a SQLite connection, else raise naming ``name``."""
    if not isinstance(con, sqlite3.Connection):
        raise TypeError(
            f"{name}: expected a sqlite3.Connection (e.g. sqlite3.connect(':memory:')), "
            f"got {type(con).__name__}"
        )
    return con
