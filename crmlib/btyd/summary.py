"""The customer summary that every customer-base model is fitted on.

One row per customer: ``repeat_purchases`` (x, purchases after the first),
``age_at_last_purchase`` (t_x, time from the first purchase to the last one) and ``age``
(T, time from the first purchase to the end of the calibration period), plus
``mean_repeat_spend`` (m) and the holdout columns ``holdout_purchases``,
``holdout_length`` and ``holdout_mean_spend``. The time unit is stored in
``summary.attrs["unit"]``. The names differ from RFM's on purpose: RFM's ``recency`` is the
time *since* the last purchase, ``age_at_last_purchase`` the time *up to* it.

A summary built elsewhere (SQL, Spark) works as long as it has these columns; set its unit
with ``frame.attrs["unit"] = "W"`` or pass ``unit=`` to ``fit``. lifetimes' names
(frequency, recency, T, ...) map with ``frame.rename(columns=btyd.LIFETIMES_NAMES)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.btyd._base import (
    DAYS_PER_UNIT,
    HOLDOUT_SPEND,
    HOLDOUT_T,
    HOLDOUT_X,
    SPEND,
    TX,
    T,
    X,
    as_array,
    check_counts,
    check_recency,
    check_unit,
)
from crmlib.validation import (
    as_datetime,
    as_numeric,
    as_timestamp,
    require_columns,
    require_frame,
    require_ids,
    round_amounts,
    warn_far_after,
)

__all__ = ["summarize", "summary_frame", "repeat_purchases_by_period"]


def _factorize_sorted(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes for ``values`` numbered in sorted order of the distinct values."""
    codes, ids = pd.factorize(values)
    ids = pd.Index(ids)
    try:
        order = ids.argsort()
    except TypeError:
        return codes, ids
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    return rank[codes], ids[order]


def _purchase_days(tx, customer, date, amount, unit, observation_end):
    """Distinct purchase ticks (days, hours for unit "h") per customer, amounts added."""
    tx = require_frame(tx, "tx")
    require_columns(tx, [customer, date] + ([amount] if amount is not None else []), "tx")
    check_unit(unit)
    for col in [customer, date] + ([amount] if amount is not None else []):
        n_missing = int(tx[col].isna().sum())
        if n_missing:
            raise ValueError(f"column {col!r}: expected no missing values, found {n_missing}")
    grain = "h" if unit == "h" else "D"
    dates = as_datetime(tx[date], date)
    stamp = pd.DatetimeIndex(dates).tz_localize(None) if dates.dt.tz is not None else dates
    ticks = stamp.to_numpy().astype(f"datetime64[{grain}]").astype(np.int64)
    codes, ids = _factorize_sorted(require_ids(tx[customer], customer))
    values = (
        as_numeric(tx[amount], amount).to_numpy(dtype=float)
        if amount is not None
        else np.zeros(len(tx))
    )

    def tick(value: object, name: str) -> int:
        return int(
            np.datetime64(as_timestamp(value, name).tz_localize(None), grain).astype(np.int64)
        )

    end_obs = tick(observation_end, "observation_end") if observation_end is not None else None
    if end_obs is None:
        end_obs = int(ticks.max())
    else:
        stamp_of = lambda t: pd.Timestamp(np.datetime64(int(t), grain))  # noqa: E731
        warn_far_after(
            stamp_of(end_obs), stamp_of(ticks.min()), stamp_of(ticks.max()), "observation_end"
        )
    keep = ticks <= end_obs
    if not keep.any():
        raise ValueError(
            f"observation_end: every purchase in column {date!r} comes after {observation_end!r}"
        )
    codes, ticks, values = codes[keep], ticks[keep], values[keep]
    low = int(ticks.min())
    pair, rows = pd.factorize(codes.astype(np.int64) * (end_obs - low + 1) + (ticks - low))
    codes, ticks = np.divmod(rows, end_obs - low + 1)
    values = np.bincount(pair, weights=values, minlength=len(rows))
    return codes, ticks + low, values, ids, end_obs, tick


def summarize(
    tx: pd.DataFrame,
    *,
    customer: str,
    date: str,
    amount: str | None = None,
    unit: str = "W",
    calibration_end: object = None,
    observation_end: object = None,
) -> pd.DataFrame:
    """Summarise a transaction log into one purchase-history row per customer.

    Purchases on the same calendar day (the same hour when ``unit="h"``) are merged into one
    transaction, their amounts added. Ages are measured from each customer's first purchase
    in units of ``unit`` as fractions (``"W"``: days / 7), as in Fader, Hardie & Lee's CDNOW
    data.

    Parameters
    ----------
    tx : DataFrame
        One row per purchase (not modified).
    customer, date : str
        Columns holding the customer id and the purchase date (datetime or date strings).
    amount : str, optional
        Column holding the value of each purchase; adds ``mean_repeat_spend``.
    unit : {"h", "D", "W", "M", "Y"}
        Time unit of the ages and of ``holdout_length``, stored in ``attrs["unit"]``. ``"M"``
        and ``"Y"`` are average months (365.25/12 days) and years (365.25 days).
    calibration_end : date, optional
        Last day of the calibration period (inclusive). Customers whose first purchase comes
        later are left out; later purchases up to ``observation_end`` form the holdout.
    observation_end : date, optional
        Last day of observation (inclusive); later purchases are ignored. Defaults to the
        last purchase date in ``tx``.

    Returns
    -------
    DataFrame
        Indexed by customer (sorted), with columns

        - ``repeat_purchases`` (x): purchases after the first;
        - ``age_at_last_purchase`` (t_x): age at the last purchase (0 if no repeat purchase);
        - ``age`` (T): age at the end of the calibration (or observation) period;
        - ``mean_repeat_spend`` (m, if ``amount``): mean value of the repeat purchases, 0 if
          none;
        - ``holdout_purchases``, ``holdout_length`` (if ``calibration_end``): purchases in the
          holdout period and its length, plus ``holdout_mean_spend`` (mean value of the
          holdout purchases, 0 if none) if ``amount`` is given.

    Examples
    --------
    >>> tx = pd.DataFrame({
    ...     "id": ["a", "a", "a", "b"],
    ...     "day": ["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-08"],
    ...     "spend": [10.0, 20.0, 40.0, 5.0],
    ... })
    >>> s = summarize(tx, customer="id", date="day", amount="spend", observation_end="2024-01-29")
    >>> s  # doctest: +NORMALIZE_WHITESPACE
        repeat_purchases  age_at_last_purchase  age  mean_repeat_spend
    id
    a                  2                   2.0  4.0               30.0
    b                  0                   0.0  3.0                0.0
    >>> s.attrs["unit"]
    'W'
    """
    codes, ticks, values, ids, end_obs, tick = _purchase_days(
        tx, customer, date, amount, unit, observation_end
    )
    per_unit = 1.0 if unit == "h" else DAYS_PER_UNIT[unit]
    end_cal = tick(calibration_end, "calibration_end") if calibration_end is not None else None
    if end_cal is not None and end_cal >= end_obs:
        raise ValueError(
            f"calibration_end: expected a date before observation_end "
            f"({observation_end or 'the last purchase'}), got {calibration_end!r}"
        )
    n_customers = len(ids)
    cal_end = end_obs if end_cal is None else end_cal
    in_cal = ticks <= cal_end
    first_tick = np.full(n_customers, np.iinfo(np.int64).max)
    np.minimum.at(first_tick, codes, ticks)
    is_first = ticks == first_tick[codes]
    has_cal = first_tick <= cal_end

    n_cal = np.bincount(codes[in_cal], minlength=n_customers)
    last_tick = np.full(n_customers, np.iinfo(np.int64).min)
    np.maximum.at(last_tick, codes[in_cal], ticks[in_cal])
    repeat = in_cal & ~is_first
    spend = np.bincount(codes[repeat], weights=values[repeat], minlength=n_customers)

    x = n_cal - 1
    out = pd.DataFrame(
        {
            X: x,
            TX: (last_tick - first_tick) / per_unit,
            T: (cal_end - first_tick) / per_unit,
        },
        index=pd.Index(ids, name=customer),
    )
    if amount is not None:
        out[SPEND] = np.where(x > 0, round_amounts(spend) / np.maximum(x, 1), 0.0)
    if end_cal is not None:
        hold = ~in_cal
        n_hold = np.bincount(codes[hold], minlength=n_customers)
        out[HOLDOUT_X] = n_hold
        out[HOLDOUT_T] = (end_obs - end_cal) / per_unit
        if amount is not None:
            spend_hold = np.bincount(codes[hold], weights=values[hold], minlength=n_customers)
            out[HOLDOUT_SPEND] = np.where(
                n_hold > 0, round_amounts(spend_hold) / np.maximum(n_hold, 1), 0.0
            )
    out = out[has_cal]
    if len(out) == 0:
        raise ValueError(
            f"calibration_end: no customer made a purchase on or before {calibration_end!r}"
        )
    out.attrs["unit"] = unit
    return out


def summary_frame(
    repeat_purchases: object,
    age_at_last_purchase: object,
    age: object,
    mean_repeat_spend: object = None,
    *,
    unit: str,
    index: object = None,
) -> pd.DataFrame:
    """A summary frame from arrays (or single numbers), e.g. for customers not in the data.

    Examples
    --------
    >>> summary_frame(2, 30.43, 38.86, unit="W")  # customer 1 of the CDNOW sample
       repeat_purchases  age_at_last_purchase    age
    0               2.0                 30.43  38.86
    """
    check_unit(unit)
    columns = {X: repeat_purchases, TX: age_at_last_purchase, T: age}
    if mean_repeat_spend is not None:
        columns[SPEND] = mean_repeat_spend
    arrays = {name: as_array(values, name) for name, values in columns.items()}
    lengths = {len(a) for a in arrays.values()}
    if len(lengths) > 1:
        raise ValueError(
            f"{', '.join(arrays)}: expected arrays of the same length, got lengths "
            f"{ {k: len(v) for k, v in arrays.items()} }"
        )
    check_counts(arrays[X], X)
    check_recency(arrays[X], arrays[TX], arrays[T])
    out = pd.DataFrame(arrays, index=index)
    out.attrs["unit"] = unit
    return out


def repeat_purchases_by_period(
    tx: pd.DataFrame,
    *,
    customer: str,
    date: str,
    calibration_end: object,
    observation_end: object,
    unit: str = "W",
) -> pd.Series:
    """Repeat purchases per period by the customers of :func:`summarize`'s summary.

    The same purchases as the summary counts (one per customer and day, first purchases
    left out, only customers whose first purchase is on or before ``calibration_end``),
    added up per period of one ``unit``. Period ``k`` ends ``k`` units after the calibration
    end (so ``k <= 0`` is the calibration period and ``k > 0`` the holdout). A summary built
    elsewhere can be paired with totals built the same way in SQL.

    Returns
    -------
    Series
        Indexed by ``k`` (named ``period``), the number of repeat purchases in period ``k``.

    Examples
    --------
    >>> tx = pd.DataFrame({"id": ["a", "a", "a", "b", "b"],
    ...     "day": ["2024-01-01", "2024-01-03", "2024-01-10", "2024-01-09", "2024-01-16"]})
    >>> repeat_purchases_by_period(tx, customer="id", date="day",
    ...     calibration_end="2024-01-09", observation_end="2024-01-16").to_dict()
    {-1: 0, 0: 1, 1: 2}
    """
    codes, ticks, _, ids, end_obs, tick = _purchase_days(
        tx, customer, date, None, unit, observation_end
    )
    end_cal = tick(calibration_end, "calibration_end")
    if end_cal >= end_obs:
        raise ValueError(
            f"calibration_end: expected a date before observation_end, got {calibration_end!r}"
        )
    first = np.full(len(ids), np.iinfo(np.int64).max)
    np.minimum.at(first, codes, ticks)
    repeat = (ticks > first[codes]) & (first[codes] <= end_cal)
    per_unit = 1.0 if unit == "h" else DAYS_PER_UNIT[unit]
    # period k holds ticks in (end_cal + (k-1)u, end_cal + k u]
    period = np.ceil((ticks[repeat] - end_cal) / per_unit - 1e-9).astype(np.int64)
    low = int(np.floor((int(first.min()) - end_cal) / per_unit)) + 1
    high = int(np.ceil((end_obs - end_cal) / per_unit - 1e-9))
    index = np.arange(low, high + 1)
    counts = pd.Series(period).value_counts().reindex(index, fill_value=0)
    return pd.Series(counts.to_numpy(), index=pd.Index(index, name="period"), name=X)
