"""What the engines compute, written once: SQL for every engine, checks and messages.

The pandas functions (:func:`crmlib.rfm.summarize`, :func:`crmlib.rfm.score`,
:func:`crmlib.btyd.summarize`) are the readable reference; this module states the same
definitions in SQL so that DuckDB and Spark run them where the data are. Each step is a
function that returns SQL text for a :class:`Dialect`; the engines run the text and hand the
small per-customer results to the checks here, which raise the errors and warnings of the
pandas path with the same messages.

RFM (see :func:`crmlib.rfm.summarize`): a *purchase line* has a positive amount; ``recency``
is whole calendar days from the last purchase line to ``as_of``, ``frequency`` the number of
distinct invoices with a purchase line, ``monetary`` the net amount of all lines. The
engines return one row per customer, and the scores are computed from those rows by
:func:`crmlib.rfm.score`'s own code (:func:`rfm_finish`), so every path scores alike.

BTYD (see :func:`crmlib.btyd.summarize`): purchases of one customer on one day (one hour for
``unit="h"``) are one transaction; ``repeat_purchases``, ``age_at_last_purchase``, ``age``,
``mean_repeat_spend`` and the holdout columns, ages in units of ``unit``.
"""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from crmlib.validation import (
    DataWarning,
    as_timestamp,
    first_ids,
    preview,
    require_columns,
    require_number,
    round_amounts,
    warn_far_after,
)

__all__ = [
    "Dialect",
    "DUCKDB",
    "SPARK",
    "DAYS_PER_UNIT",
    "BTYD_COLUMNS",
    "RFM_COLUMNS",
    "require_source_columns",
    "rfm_aggregate_sql",
    "frame_checks",
    "rfm_finish",
    "btyd_days_sql",
    "btyd_checks_sql",
    "BtydRequest",
    "btyd_check",
    "btyd_summary_sql",
    "btyd_checked_summary_sql",
    "btyd_statement",
    "btyd_frame",
    "parse_dates",
    "require_distinct_ids",
    "warn_cancellations",
    "cancellation_warning",
    "cut_day",
    "cut_message",
    "text_numbers_message",
    "PREDICTION_COLUMNS",
    "fit_btyd",
    "predict_btyd",
]

from crmlib.btyd._base import DAYS_PER_UNIT

BTYD_COLUMNS = (
    "repeat_purchases",
    "age_at_last_purchase",
    "age",
    "mean_repeat_spend",
    "holdout_purchases",
    "holdout_length",
    "holdout_mean_spend",
)
RFM_COLUMNS = (
    "recency",
    "frequency",
    "monetary",
    "r_score",
    "f_score",
    "m_score",
    "rfm_cell",
    "rfm_score",
)
_MEASURES = ("recency", "frequency", "monetary")


@dataclass(frozen=True)
class Dialect:
    """The few spellings that differ between DuckDB and Spark SQL."""

    name: str
    quote_char: str
    int_div: str  # a {a} // {b} template
    days_between: str  # whole days from {earlier} to {later}
    day_number: str  # days since 1970-01-01 of the date {day}
    hour_number: str  # hours since 1970-01-01 00:00 of the timestamp {ts}

    def q(self, name: str) -> str:
        """A quoted identifier."""
        c = self.quote_char
        return c + str(name).replace(c, c + c) + c

    def idiv(self, a: str, b: str) -> str:
        return self.int_div.format(a=a, b=b)

    def days(self, later: str, earlier: str) -> str:
        return self.days_between.format(later=later, earlier=earlier)

    def tick_key(self, ts: str, unit: str) -> str:
        """What lines are grouped by: the date (hours since 1970 for ``unit="h"``)."""
        return self.hour_number.format(ts=ts) if unit == "h" else f"CAST({ts} AS DATE)"

    def tick(self, key: str, unit: str) -> str:
        """The integer tick of a :meth:`tick_key` (days or hours since 1970)."""
        return key if unit == "h" else self.day_number.format(day=key)


DUCKDB = Dialect(
    name="duckdb",
    quote_char='"',
    int_div="(({a}) // ({b}))",
    days_between="(({later}) - ({earlier}))",
    day_number="({day} - DATE '1970-01-01')",
    hour_number="CAST(floor(epoch(CAST({ts} AS TIMESTAMP)) / 3600) AS BIGINT)",
)
SPARK = Dialect(
    name="spark",
    quote_char="`",
    int_div="(({a}) div ({b}))",
    days_between="datediff({later}, {earlier})",
    day_number="datediff({day}, DATE '1970-01-01')",
    hour_number="CAST(floor(unix_timestamp({ts}) / 3600) AS BIGINT)",
)


def require_source_columns(present: Iterable[str], wanted: Iterable[str], name: str) -> None:
    """:func:`crmlib.validation.require_columns` on a file or table, plus "did you mean".

    Examples
    --------
    >>> require_source_columns(["CustomerID", "InvoiceDate"], ["customer_id", "date"], "sales.csv")
    Traceback (most recent call last):
    ...
    KeyError: "sales.csv: missing column(s) 'customer_id', 'date'; ...; did you mean 'CustomerID' for 'customer_id', 'InvoiceDate' for 'date'?"
    """
    present = [str(c) for c in present]
    wanted = list(wanted)
    if set(wanted) <= set(present):
        return
    try:
        require_columns(pd.DataFrame(columns=present), wanted, name)
    except KeyError as err:
        missing = [c for c in wanted if c not in present]
        hints = [f"{match!r} for {column!r}" for column, match in _closest(missing, present)]
        message = err.args[0] + (f"; did you mean {', '.join(hints)}?" if hints else "")
        raise KeyError(message) from None


def _closest(missing: list[str], present: list[str]) -> list[tuple[str, str]]:
    """Pair each missing name with the most similar unused present name, best pairs first:
    the same letters (CustomerID, customer_id), one inside the other (date, InvoiceDate),
    else spelling similarity above 0.6."""
    scored = []
    for column in missing:
        for candidate in present:
            a, b = _fold(column), _fold(candidate)
            if a == b:
                score = 2.0
            elif a and b and (a in b or b in a):
                score = 1.0 + min(len(a), len(b)) / max(len(a), len(b))
            else:
                score = difflib.SequenceMatcher(None, a, b).ratio()
            if score >= 0.6:
                scored.append((score, column, candidate))
    pairs, used_columns, used_present = {}, set(), set()
    for _, column, candidate in sorted(scored, key=lambda t: -t[0]):
        if column not in used_columns and candidate not in used_present:
            pairs[column] = candidate
            used_columns.add(column)
            used_present.add(candidate)
    return [(c, pairs[c]) for c in missing if c in pairs]


def _fold(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


# --------------------------------------------------------------------------------------------
# RFM
# --------------------------------------------------------------------------------------------


def rfm_aggregate_sql(
    source: str,
    d: Dialect,
    *,
    customer: str,
    date: str,
    amount: str,
    invoice: str,
    counts: bool = True,
) -> str:
    """One row per customer (and one for lines without a customer), sorted by customer, with
    ``last_day`` (the last purchase line's date, in days since 1970), ``frequency`` and
    ``monetary``: the one pass over the lines. With ``counts``, also what the checks need
    (lines, non-missing dates, amounts, invoices, last date); a pandas frame is checked in
    pandas instead, which is cheaper. The scores are computed from these rows by
    :func:`rfm_finish` with :func:`crmlib.rfm.score`'s own code: scoring a few thousand
    customers in NumPy costs less than the window functions that would score them in SQL.
    """
    c, t, a, i = (d.q(x) for x in (customer, date, amount, invoice))
    inner = outer = ""
    if counts:
        inner = f"""
           COUNT(*) AS n_lines, COUNT({t}) AS n_dates, COUNT({a}) AS n_amounts,
           COUNT({i}) AS n_invoices, MAX({t}) AS last_line,"""
        outer = f"""
       SUM(n_lines) AS n_lines, SUM(n_dates) AS n_dates, SUM(n_amounts) AS n_amounts,
       SUM(n_invoices) AS n_invoices,
       {d.day_number.format(day="CAST(MAX(last_line) AS DATE)")} AS last_line,"""
    # Two steps, invoices first: a purchase invoice is one with a last purchase time. This
    # is the same count as COUNT(DISTINCT ...) and faster on every engine tried.
    return f"""
SELECT customer,{outer}
       {d.day_number.format(day="CAST(MAX(last_purchase) AS DATE)")} AS last_day,
       COUNT(last_purchase) AS frequency,
       SUM(monetary) AS monetary
FROM (
    SELECT {c} AS customer,{inner}
           MAX({t}) FILTER (WHERE {a} > 0) AS last_purchase,
           SUM({a}) AS monetary
    FROM {source}
    GROUP BY {c}, {i}
) AS invoices
GROUP BY customer
ORDER BY customer"""


def _score_options(bins: object, ties: object, cutoffs: object) -> tuple[int, str, dict]:
    """``score``'s arguments, validated by :func:`crmlib.rfm.score`'s own checks."""
    from crmlib.rfm import TIES, _cutoffs
    from crmlib.validation import require_positive_int

    bins = require_positive_int(bins, "bins", minimum=2)
    if ties not in TIES:
        raise ValueError(f"ties: expected one of {TIES}, got {ties!r}")
    return bins, str(ties), _cutoffs(cutoffs, bins)


def _grain_tick(tick: int | None, unit_of_ticks: str, unit: str) -> int | None:
    """A tick of a datetime64 array (its own unit) as days, or hours for ``unit="h"``,
    since 1970-01-01."""
    if tick is None:
        return None
    grain = "h" if unit == "h" else "D"
    value = np.datetime64(int(tick), unit_of_ticks).astype(f"datetime64[{grain}]")
    return int(value.view(np.int64))


def frame_checks(
    tx: pd.DataFrame,
    dates: pd.Series,
    *,
    customer: str,
    amount: str | None,
    invoice: str | None = None,
    unit: str = "D",
) -> dict:
    """What the checks need of a pandas frame with datetime64 ``dates``, read from pandas.

    ``n_lines``; the missing values ``no_customer``, ``no_date``, ``no_amount`` and
    ``no_invoice`` (the last three among rows with a customer, as :func:`crmlib.rfm.summarize`
    counts them); ``first_tick`` and ``last_tick`` (days, or hours for ``unit="h"``, since
    1970); ``date_extent`` and ``date_histogram`` (for
    :func:`crmlib.validation.warn_far_dates`). A column is read only where its dtype can
    hold a missing value (:func:`crmlib.validation.count_missing`: a float amount is summed,
    and counted only if the sum is not finite); the dates are read once for their extent and
    histogram (:func:`crmlib.validation.scan_dates`). Nothing is copied.
    """
    from crmlib.validation import count_missing, scan_dates

    extent, histogram = scan_dates(dates)
    no_customer = count_missing(tx[customer])
    checks = {"n_lines": len(tx), "no_customer": no_customer, "no_date": extent[0]}
    checks["no_amount"] = count_missing(tx[amount]) if amount is not None else 0
    checks["no_invoice"] = count_missing(tx[invoice]) if invoice is not None else 0
    if no_customer:  # only rows with a customer count
        named = tx[customer].notna().to_numpy()
        for key, values in (("no_date", dates), ("no_amount", amount), ("no_invoice", invoice)):
            if checks[key]:
                values = values if key == "no_date" else tx[values]
                checks[key] = int(np.count_nonzero(values.isna().to_numpy() & named))
    ticks_unit = np.datetime_data(dates.dtype)[0]
    checks["first_tick"] = _grain_tick(extent[1], ticks_unit, unit)
    checks["last_tick"] = _grain_tick(extent[2], ticks_unit, unit)
    checks["date_extent"] = extent
    checks["date_histogram"] = histogram
    return checks


def rfm_finish(
    result: pd.DataFrame,
    *,
    customer: str,
    date: str,
    amount: str,
    invoice: str,
    as_of: object,
    bins: int = 5,
    ties: str = "first",
    cutoffs: Mapping[str, object] | None = None,
    counts: Mapping[str, object] | None = None,
    index_dtype: object = None,
    name: str = "tx",
    stacklevel: int = 3,
) -> pd.DataFrame:
    """Check the rows of :func:`rfm_aggregate_sql` and return :func:`crmlib.rfm.score`'s frame.

    Raises and warns as :func:`crmlib.rfm.summarize` does, with its messages. ``counts``
    are :func:`frame_checks` for a frame; without them the result's count columns are used.
    The scores are :func:`crmlib.rfm.score`'s, computed by its own code.
    """
    from crmlib.rfm import RFMDataWarning, _as_day, _score_columns

    bins, ties, edges = _score_options(bins, ties, cutoffs)
    named = result["customer"].notna().to_numpy()
    frequency = result["frequency"].to_numpy(np.int64)
    if counts is None:
        n_lines = result["n_lines"].to_numpy(np.int64)
        counts = {
            "n_lines": int(n_lines.sum()),
            "no_customer": int(n_lines[~named].sum()),
            "last_tick": result["last_line"].max(),
        }
        for key, column in (
            ("no_date", "n_dates"),
            ("no_amount", "n_amounts"),
            ("no_invoice", "n_invoices"),
        ):
            counts[key] = int((n_lines - result[column].to_numpy(np.int64))[named].sum())
    for column, key in ((date, "no_date"), (amount, "no_amount")):
        if counts[key]:
            raise ValueError(f"column {column!r}: expected no missing values, found {counts[key]}")
    n_missing = counts["no_customer"]
    if n_missing == counts["n_lines"]:
        raise ValueError(f"column {customer!r}: every row is missing its customer id")
    if n_missing:
        warnings.warn(
            f"{name}: {n_missing:,} row(s) with no {customer!r} are left out",
            RFMDataWarning,
            stacklevel=stacklevel,
        )
    if counts["no_invoice"]:
        raise ValueError(
            f"column {invoice!r}: expected no missing values, found {counts['no_invoice']}"
        )
    kept = named & (frequency > 0)
    if not kept.all():
        silent = result["customer"][named & ~kept]
        if len(silent):
            shown = preview(first_ids(silent, 5))
            warnings.warn(
                f"{name}: {len(silent):,} customer(s) with no purchase line (only cancellations, "
                f"returns or zero amounts) are left out, e.g. {shown}",
                RFMDataWarning,
                stacklevel=stacklevel,
            )
        result = result[kept]
    if as_of is None:  # the day after the last line, as summarize's default
        as_of_day = int(counts["last_tick"]) + 1 if len(result) else 0
    else:
        as_of_day = _as_day(as_of)
    recency = as_of_day - result["last_day"].to_numpy(np.int64)
    if as_of is not None and len(recency):
        least = int(recency.min())
        if least < 0:
            raise ValueError(
                f"as_of: expected a date on or after the last purchase "
                f"({np.datetime64(as_of_day - least, 'D')}), got {as_of!r}; "
                "cut tx to the period before as_of first"
            )
        _warn_far_as_of(as_of, recency, least, int(recency.max()))
    index = _customer_index(result["customer"], customer, index_dtype)
    columns = {
        "recency": recency,
        "frequency": result["frequency"].to_numpy(np.int64),
        "monetary": round_amounts(result["monetary"].to_numpy(np.float64)),
    }
    values = {m: np.asarray(columns[m], np.float64) for m in _MEASURES}
    columns |= _score_columns(values, bins, ties, edges, index)
    out = pd.DataFrame(columns, index=index, copy=False)
    out.attrs["as_of"] = str(np.datetime64(as_of_day, "D"))  # for reports
    return out


def _customer_index(ids: pd.Series, customer: str, index_dtype: object) -> pd.Index:
    """The engine's customer ids as an index of the input column's dtype where they fit it
    (an engine may hand back integer ids as floats, or strings in its own dtype)."""
    index = pd.Index(ids, name=customer)
    if index_dtype is not None and index.dtype != index_dtype:
        try:
            index = index.astype(index_dtype)
        except (TypeError, ValueError):
            pass
    return index


def _warn_far_as_of(
    as_of: object, recency: np.ndarray, least: int | None = None, most: int | None = None
) -> None:
    """The warning of :func:`crmlib.rfm.summarize` for an as_of far after the data."""
    from crmlib.rfm import _as_day

    day = _as_day(as_of)
    least = int(np.min(recency)) if least is None else least
    most = int(np.max(recency)) if most is None else most
    if least <= 365:  # no gap of more than a year: nothing to warn about, no timestamps made
        return
    latest = pd.Timestamp(day - least, unit="D")
    earliest = pd.Timestamp(day - most, unit="D")
    warn_far_after(pd.Timestamp(day, unit="D"), earliest, latest, "as_of")


# --------------------------------------------------------------------------------------------
# BTYD calibration / holdout summary
# --------------------------------------------------------------------------------------------


def btyd_days_sql(
    source: str,
    d: Dialect,
    *,
    customer: str,
    date: str,
    amount: str | None,
    unit: str,
    counts: bool = True,
    end_obs: int | None = None,
) -> str:
    """One row per customer and purchase tick (day, or hour for ``unit="h"``), amounts
    added: the one pass over the lines. With ``counts``, also the numbers of lines and of
    missing amounts that the checks need; with ``end_obs``, later lines are skipped."""
    c, t = d.q(customer), d.q(date)
    value = f"SUM({d.q(amount)})" if amount is not None else "0.0"
    extra = ""
    if counts:
        missing = f"COUNT(*) - COUNT({d.q(amount)})" if amount is not None else "0"
        extra = f""",
       COUNT(*) AS n_lines,
       {missing} AS no_amount"""
    key = d.tick_key(t, unit)
    where = f"\nWHERE {d.tick(key, unit)} <= {int(end_obs)}" if end_obs is not None else ""
    # Grouped by the date, converted to a number after: once per customer and day, not per
    # line (the grouping key is also narrower).
    counted = ", n_lines, no_amount" if counts else ""
    return f"""
SELECT customer, {d.tick("tick_key", unit)} AS tick, value{counted}
FROM (
SELECT {c} AS customer,
       {key} AS tick_key,
       {value} AS value{extra}
FROM {source}{where}
GROUP BY 1, 2)"""


def btyd_checks_sql(table: str) -> str:
    return f"""
SELECT SUM(CASE WHEN customer IS NULL THEN n_lines ELSE 0 END) AS no_customer,
       SUM(CASE WHEN tick IS NULL THEN n_lines ELSE 0 END) AS no_date,
       SUM(no_amount) AS no_amount,
       MIN(tick) AS first_tick,
       MAX(tick) AS last_tick
FROM {table}"""


def _tick_of(value: object, name: str, unit: str) -> int:
    stamp = as_timestamp(value, name)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    grain = "h" if unit == "h" else "D"
    return int(np.datetime64(stamp, grain).astype(np.int64))


class BtydRequest(NamedTuple):
    """What a BTYD summary was asked for: :func:`crmlib.btyd.summarize`'s arguments."""

    customer: str
    date: str
    amount: str | None
    unit: str
    calibration_end: object
    observation_end: object


def btyd_check(checks: Mapping[str, object], request: BtydRequest) -> tuple[int, int | None]:
    """Raise as :func:`crmlib.btyd.summarize` does; return (observation end, calibration
    end) as ticks (the latter None without ``calibration_end``)."""
    customer, date, amount, unit, calibration_end, observation_end = request
    if unit not in DAYS_PER_UNIT:
        raise ValueError(f"unit: expected one of 'h', 'D', 'W', 'M', 'Y', got {unit!r}")
    for column, key in ((customer, "no_customer"), (date, "no_date"), (amount, "no_amount")):
        n = int(checks[key] or 0)
        if column is not None and n:
            raise ValueError(f"column {column!r}: expected no missing values, found {n}")
    end_obs = (
        _tick_of(observation_end, "observation_end", unit)
        if observation_end is not None
        else int(checks["last_tick"])
    )
    if checks.get("first_tick") is not None and int(checks["first_tick"]) > end_obs:
        raise ValueError(
            f"observation_end: every purchase in column {date!r} comes after {observation_end!r}"
        )
    if observation_end is not None and checks.get("first_tick") is not None:
        grain = "h" if unit == "h" else "D"
        stamp = lambda t: pd.Timestamp(np.datetime64(int(t), grain))  # noqa: E731
        warn_far_after(
            stamp(end_obs), stamp(checks["first_tick"]), stamp(checks["last_tick"]),
            "observation_end",
        )  # fmt: skip
    end_cal = None
    if calibration_end is not None:
        end_cal = _tick_of(calibration_end, "calibration_end", unit)
        if end_cal >= end_obs:
            raise ValueError(
                f"calibration_end: expected a date before observation_end "
                f"({observation_end or 'the last purchase'}), got {calibration_end!r}"
            )
    return end_obs, end_cal


def btyd_summary_sql(
    table: str,
    d: Dialect,
    *,
    unit: str,
    end_obs: int,
    end_cal: int | None,
    amount: bool,
    last_tick: int | None = None,
) -> str:
    """The summary from the per-day table, sorted by customer.

    The table's customers are known to be present (:func:`btyd_check` refused missing
    ones); ``last_tick`` is its latest tick, when known: ticks after ``end_obs`` are
    filtered out only if there are any."""
    per_unit = 1.0 if unit == "h" else DAYS_PER_UNIT[unit]
    cal = end_obs if end_cal is None else end_cal
    holdout = ""
    if end_cal is not None:
        holdout = f""",
       SUM(CASE WHEN tick > {cal} THEN 1 ELSE 0 END) AS holdout_purchases,
       SUM(CASE WHEN tick > {cal} THEN value ELSE 0.0 END) AS holdout_spend"""
    later = last_tick is None or last_tick > end_obs
    where = f"\nWHERE tick <= {end_obs}" if later else ""
    # No window for the first purchase: the spend after it is the spend up to the
    # calibration end minus the first day's (min_by: the value at the smallest tick).
    return f"""
SELECT customer,
       SUM(CASE WHEN tick <= {cal} THEN 1 ELSE 0 END) - 1 AS repeat_purchases,
       CAST(MAX(CASE WHEN tick <= {cal} THEN tick END) - MIN(tick) AS DOUBLE)
           / {per_unit!r} AS age_at_last_purchase,
       CAST({cal} - MIN(tick) AS DOUBLE) / {per_unit!r} AS age,
       SUM(CASE WHEN tick <= {cal} THEN value ELSE 0.0 END) - min_by(value, tick)
           AS repeat_spend{holdout}
FROM {table}{where}
GROUP BY customer
HAVING MIN(tick) <= {cal}
ORDER BY customer"""


def btyd_checked_summary_sql(
    checks: Mapping[str, object], d: Dialect, request: BtydRequest, table: str = "crm_days"
) -> tuple[str, int, int | None]:
    """:func:`btyd_check` on the per-day ``table``'s checks, then :func:`btyd_summary_sql`
    over it: ``(query, end_obs, end_cal)`` (for engines that keep the per-day table)."""
    end_obs, end_cal = btyd_check(checks, request)
    query = btyd_summary_sql(
        table,
        d,
        unit=request.unit,
        end_obs=end_obs,
        end_cal=end_cal,
        amount=request.amount is not None,
        last_tick=checks["last_tick"],
    )
    return query, end_obs, end_cal


def btyd_statement(
    source: str,
    d: Dialect,
    request: BtydRequest,
    end_obs: int,
    end_cal: int | None,
    last_tick: int | None = None,
) -> str:
    """Days and summary in one statement (engines that keep a CTE, such as DuckDB).

    ``last_tick``: the lines' latest tick, when known; lines after ``end_obs`` are
    skipped only if there are any, sparing a filter on every line."""
    later = last_tick is None or last_tick > end_obs
    days = btyd_days_sql(
        source,
        d,
        customer=request.customer,
        date=request.date,
        amount=request.amount,
        unit=request.unit,
        counts=False,
        end_obs=end_obs if later else None,
    )
    summary = btyd_summary_sql(
        "crm_days",
        d,
        unit=request.unit,
        end_obs=end_obs,
        end_cal=end_cal,
        amount=request.amount is not None,
        last_tick=min(last_tick, end_obs) if last_tick is not None else end_obs,
    )
    return f"WITH crm_days AS ({days}\n){summary}"


def btyd_frame(
    result: pd.DataFrame,
    request: BtydRequest,
    end_obs: int,
    end_cal: int | None,
    index_dtype: object = None,
) -> pd.DataFrame:
    """The engine's result in :func:`crmlib.btyd.summarize`'s shape."""
    customer, unit, amount = request.customer, request.unit, request.amount is not None
    calibration_end = request.calibration_end
    if len(result) == 0:
        raise ValueError(
            f"calibration_end: no customer made a purchase on or before {calibration_end!r}"
        )
    per_unit = 1.0 if unit == "h" else DAYS_PER_UNIT[unit]
    x = result["repeat_purchases"].to_numpy(np.int64)
    columns = {
        "repeat_purchases": x,
        "age_at_last_purchase": result["age_at_last_purchase"].to_numpy(np.float64),
        "age": result["age"].to_numpy(np.float64),
    }
    if amount:
        spend = round_amounts(result["repeat_spend"].to_numpy(np.float64))
        columns["mean_repeat_spend"] = np.where(x > 0, spend / np.maximum(x, 1), 0.0)
    if end_cal is not None:
        hold = result["holdout_purchases"].to_numpy(np.int64)
        columns["holdout_purchases"] = hold
        columns["holdout_length"] = np.full(len(x), (end_obs - end_cal) / per_unit)
        if amount:
            spend = round_amounts(result["holdout_spend"].to_numpy(np.float64))
            columns["holdout_mean_spend"] = np.where(hold > 0, spend / np.maximum(hold, 1), 0.0)
    index = _customer_index(result["customer"], customer, index_dtype)
    out = pd.DataFrame(columns, index=index)
    out.attrs["unit"] = unit
    return out


# --------------------------------------------------------------------------------------------
# Dates and ids read one way, with the row of a bad value
# --------------------------------------------------------------------------------------------


def parse_dates(values: pd.Series, column: str, locate=None) -> pd.Series:
    """:func:`crmlib.validation.as_datetime`, naming where the first unreadable value is.

    ``locate(value)`` returns a text such as ``"row 7 (line 8 of sales.csv)"``; for a frame
    the default names the row label. Time zones are dropped, keeping the wall-clock time, as
    the pandas path does.

    Examples
    --------
    >>> parse_dates(pd.Series(["2024-01-02", "soon"]), "date")
    Traceback (most recent call last):
    ...
    ValueError: column 'date': 1 value(s) are not dates, e.g. 'soon'; the first is in row 1: 'soon'
    """
    from crmlib.validation import as_datetime

    try:
        parsed = as_datetime(values, column)
    except ValueError as err:
        if "are not dates" not in str(err):
            raise
        probe = pd.to_datetime(values, errors="coerce", format="mixed")
        bad = values[probe.isna() & values.notna()]
        if not len(bad):
            raise
        value = bad.iloc[0]
        where = locate(value) if locate is not None else f"row {bad.index[0]!r}"
        raise ValueError(f"{err.args[0]}; the first is in {where}: {value!r}") from None
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    return parsed


def warn_cancellations(invoices: pd.Series, name: str) -> None:
    """Warn when invoice ids look like cancellations (text starting with "C", as in Online
    Retail): they count as baskets unless the lines that are not purchases are left out
    (``quantity=``, the quantity or amount column)."""
    if invoices.dtype.kind in "biuf":
        return
    distinct = pd.Series(pd.unique(invoices.dropna()), dtype=object).astype(str)
    cancelled = distinct[distinct.str.startswith("C")]
    example = cancelled.min() if len(cancelled) else None
    cancellation_warning(name, len(cancelled), len(distinct), example)


def cancellation_warning(name: str, n: int, total: int, example: object) -> None:
    """The warning of :func:`warn_cancellations`, from counts an engine made."""
    if n:
        warnings.warn(
            f"{name}: {n:,} of the {total:,} baskets have an invoice id starting with 'C', "
            f"as cancellations do (e.g. {example!r}); they count as baskets and lower every "
            "support; give quantity= (a quantity or amount column) to leave out the lines "
            "that are not purchases",
            DataWarning,
            stacklevel=4,
        )


def cut_day(until: object) -> np.datetime64:
    """The day of ``until`` (a date, or a timestamp whose time is ignored), naming it."""
    stamp = as_timestamp(until, "until")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return np.datetime64(stamp.date(), "D")


def cut_message(
    name: str, date: str, day: np.datetime64, later: int, kept: int, first: object
) -> None:
    """Warn how many lines dated after ``day`` were left out (``until=``); refuse a day
    before every line."""
    if later and not kept:
        raise ValueError(
            f"until: every line in column {date!r} is dated after {day} (the first is on "
            f"{pd.Timestamp(first).date()}), so none is left"
        )
    if later:
        warnings.warn(
            f"{name}: {later:,} line(s) dated after {day} are left out",
            DataWarning,
            stacklevel=5,
        )


def text_numbers_message(column: str, examples: Sequence, where: str) -> str:
    """A column of a file that should hold numbers holds text: say so, where, and the
    likely fix (decimal commas, a currency sign, thousands separators)."""
    shown = preview(list(examples)[:3], 3)
    text = [str(v).strip() for v in examples]
    hint = ""
    if text and all(re.fullmatch(r"[-+]?\d+,\d+", v) for v in text):
        hint = (
            f"; decimal commas? write them with a point ({text[0]} as {text[0].replace(',', '.')})"
        )
    elif text and all(re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?", v) for v in text):
        hint = f"; thousands separators? leave them out ({text[0]} as {text[0].replace(',', '')})"
    elif text and all(re.match(r"[-+]?\s*[£$€¥₩]|.*[£$€¥₩]$", v) for v in text):
        bare = re.sub(r"[£$€¥₩\s]", "", text[0])
        hint = f"; a currency sign? leave it out ({text[0]} as {bare})"
    return f"column {column!r}: expected numbers, found text such as {shown}; the first is in {where}{hint}"


def require_distinct_ids(ids: Sequence, column: str) -> None:
    """:func:`crmlib.validation.require_ids` on the distinct ids an engine found."""
    from crmlib.validation import require_ids

    require_ids(pd.Series(list(ids), dtype=object), column)


# --------------------------------------------------------------------------------------------
# BTYD predictions per customer (BG/NBD + Gamma-Gamma), fitted on one machine
# --------------------------------------------------------------------------------------------

PREDICTION_COLUMNS = ("p_alive", "expected_purchases", "expected_spend", "expected_value")


def fit_btyd(summary: pd.DataFrame) -> tuple[object, object | None]:
    """BG/NBD on every customer and, if the summary has spend, Gamma-Gamma on the repeat
    buyers whose mean spend is positive (the model's domain; refunds can make it zero).

    The summary is one row per customer, small enough for one machine even when the lines
    were not: this is how the field fits these models for Spark too.
    """
    from crmlib import btyd

    purchases = btyd.BetaGeo().fit(summary)
    spend = None
    if "mean_repeat_spend" in summary.columns:
        buyers = summary[(summary["repeat_purchases"] > 0) & (summary["mean_repeat_spend"] > 0)]
        if len(buyers):
            spend = btyd.GammaGamma().fit(buyers)
    return purchases, spend


def predict_btyd(
    purchases: object, spend: object | None, summary: pd.DataFrame, horizon: float
) -> pd.DataFrame:
    """Per-customer predictions over the next ``horizon`` units (the summary's unit).

    Columns ``p_alive`` (the probability the customer is still active, 활동확률),
    ``expected_purchases`` in the horizon and, with a spend model, ``expected_spend`` per
    purchase and ``expected_value`` (their product, undiscounted). The same function runs on
    one machine and inside Spark's ``mapInPandas`` on each partition.

    Examples
    --------
    >>> from crmlib.btyd import BetaGeo, GammaGamma, summary_frame
    >>> bg = BetaGeo().set_fitted("W", r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> gg = GammaGamma().set_fitted(p=6.25, q=3.74, gamma=15.44)
    >>> one = summary_frame(2, 30.43, 38.86, 30.0, unit="W")
    >>> predict_btyd(bg, gg, one, 39).round(3)  # doctest: +NORMALIZE_WHITESPACE
       p_alive  expected_purchases  expected_spend  expected_value
    0    0.727               1.226          30.938          37.931
    """
    from crmlib.btyd._base import PurchaseModel
    from crmlib.btyd.bg_bb import BetaGeoBetaBinom
    from crmlib.btyd.gamma_gamma import GammaGamma

    if not isinstance(purchases, PurchaseModel | BetaGeoBetaBinom):
        raise TypeError(
            f"purchases: expected a fitted BetaGeo, ParetoNBD, ModifiedBetaGeo or "
            f"BetaGeoBetaBinom, got {type(purchases).__name__}"
        )
    if spend is not None and not isinstance(spend, GammaGamma):
        raise TypeError(f"spend: expected a fitted GammaGamma or None, got {type(spend).__name__}")
    horizon = require_number(horizon, "horizon", minimum=0, strict=True)
    out = pd.DataFrame(index=summary.index)
    out["p_alive"] = np.asarray(purchases.p_alive(summary), float)
    out["expected_purchases"] = np.asarray(
        purchases.conditional_expected_purchases(summary, horizon), float
    )
    if spend is not None:
        # Gamma-Gamma is fitted on positive mean spends (fit_btyd); a customer whose repeat
        # purchases net to less than 0 (returns) is outside what it can predict and gets
        # the population's mean spend, as a customer with no repeat purchase does.
        outside = (summary["repeat_purchases"] > 0) & (summary["mean_repeat_spend"] < 0)
        if outside.any():
            summary = summary.copy()
            summary.loc[outside, ["repeat_purchases", "mean_repeat_spend"]] = 0
            warnings.warn(
                f"{int(outside.sum()):,} customer(s) whose repeat purchases net to less than 0 "
                "(returns) get the population's mean spend per purchase, as customers with "
                "no repeat purchase do",
                DataWarning,
                stacklevel=2,
            )
        out["expected_spend"] = np.asarray(spend.conditional_expected_spend(summary), float)
        out["expected_value"] = out["expected_purchases"] * out["expected_spend"]
    return out
