"""The relationship stages in a transaction log: acquired, retained, enhanced, lapsed.

CRM organises a customer relationship into three stages, acquisition (관계획득), retention
(관계유지) and enhancement (관계강화). In a log of purchases each customer's status in a
period (a month, a quarter) can be read from what they bought in it and in the period
before:

==============  ==========================================================================
status          the customer in this period
==============  ==========================================================================
``acquired``    buys for the first time in the log
``reactivated`` buys again after at least one period without a purchase (won back)
``enhanced``    bought last period and buys again, spending more than ``growth`` above it
``retained``    bought last period and buys again, without spending that much more
``lapsed``      bought last period, buys nothing in this one
==============  ==========================================================================

:func:`period_status` labels every active customer-period (and every first silent period,
``lapsed``); :func:`flow_table` counts customers or adds up spending by period and status.

Two cautions the functions cannot remove. The first period of a log has no "before", so
everyone in it is ``acquired``, and customers won before the log began keep appearing as
``acquired`` for a while (left-censoring): drop a warm-up period. And in a non-contractual
setting a lapse is only a silent period, not a lost customer: many lapsed customers come back
(``reactivated``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from crmlib.validation import (
    DataWarning,
    as_datetime,
    as_numeric,
    preview,
    require_columns,
    require_frame,
    require_ids,
    require_number,
)

__all__ = ["STATUSES", "period_status", "flow_table", "stage_kpis", "churn_per_period"]

#: The statuses in stage order: acquisition (acquired, reactivated), retention (retained),
#: enhancement (enhanced), and the outflow (lapsed).
STATUSES: tuple[str, ...] = ("acquired", "reactivated", "retained", "enhanced", "lapsed")

_FREQS = ("M", "Q", "Y")


def period_status(
    tx: pd.DataFrame,
    *,
    customer: str = "customer",
    date: str = "date",
    amount: str = "amount",
    freq: str = "M",
    growth: float = 0.0,
) -> pd.DataFrame:
    """Label each customer's status in each period from a log of transaction lines.

    A customer is *active* in a period when they have at least one line with a positive
    ``amount`` in it; their spending in the period is the sum of all their lines in it,
    so cancellations (negative amounts) are netted.

    Parameters
    ----------
    tx : DataFrame
        One row per transaction line.
    customer, date, amount : str
        Column names. Rows without a customer are dropped.
    freq : {"M", "Q", "Y"}
        Length of a period: month, quarter or year.
    growth : float
        A returning customer counts as ``enhanced`` when they spend more than
        ``(1 + growth)`` times the previous period's spending; 0 means any increase.

    Returns
    -------
    DataFrame
        One row per customer and period in which the customer is active, plus one row for
        the first silent period after an active one (``lapsed``), sorted by period and
        customer, with columns ``customer``, ``period`` (pandas Period), ``status``
        (ordered categorical, :data:`STATUSES`), ``amount`` (spending in the period, 0 when
        lapsed) and ``previous_amount`` (spending in the period before; 0 if none).
        The last period of the log may be incomplete: compare it with care.

    Examples
    --------
    >>> tx = pd.DataFrame({
    ...     "customer": ["a", "a", "a", "b", "b"],
    ...     "date": pd.to_datetime(["2024-01-05", "2024-02-03", "2024-04-09",
    ...                             "2024-02-10", "2024-03-01"]),
    ...     "amount": [10.0, 25.0, 5.0, 40.0, 30.0]})
    >>> s = period_status(tx)
    >>> s.assign(period=s["period"].astype(str))[["customer", "period", "status"]]
      customer   period       status
    0        a  2024-01     acquired
    1        a  2024-02     enhanced
    2        b  2024-02     acquired
    3        a  2024-03       lapsed
    4        b  2024-03     retained
    5        a  2024-04  reactivated
    6        b  2024-04       lapsed
    """
    require_frame(tx, "tx")
    require_columns(tx, [customer, date, amount], "tx")
    if freq not in _FREQS:
        raise ValueError(f"freq: expected one of {list(_FREQS)}, got {freq!r}")
    growth = require_number(growth, "growth", minimum=0)
    if 1 < growth <= 100:
        warnings.warn(
            f"growth={growth:g}: a customer counts as enhanced only when spending grows by more "
            f"than {growth:.0%} from one period to the next; a percentage? Give "
            f"{growth / 100:g} for {growth:g}%",
            DataWarning,
            stacklevel=2,
        )
    lines = tx.loc[tx[customer].notna(), [customer, date, amount]]
    if lines.empty:
        raise ValueError(f"tx: column {customer!r} has no values; no customer can be followed")
    when = as_datetime(lines[date], date)
    require_ids(lines[customer], customer)
    spend = as_numeric(lines[amount], amount).astype(float)
    if not (spend > 0).any():
        raise ValueError(
            f"column {amount!r}: no line has a positive amount, so no customer is ever active "
            f"(found {preview(spend.unique()[:3])}); is it the right column?"
        )
    periods = when.dt.to_period(freq)
    first = periods.min()
    ordinals = np.asarray(periods.array.asi8)  # period numbers, so no per-row Python objects
    index = ordinals - first.ordinal
    n_periods = int(index.max()) + 1

    codes, names = pd.factorize(lines[customer], sort=True)
    total = np.zeros((len(names), n_periods))
    np.add.at(total, (codes, index), spend.to_numpy())
    active = np.zeros((len(names), n_periods), dtype=bool)
    buying = (spend > 0).to_numpy()
    active[codes[buying], index[buying]] = True

    before = np.zeros_like(active)
    before[:, 1:] = active[:, :-1]
    seen_before = np.zeros_like(active)
    seen_before[:, 1:] = np.maximum.accumulate(active, axis=1)[:, :-1]
    previous = np.zeros_like(total)
    previous[:, 1:] = total[:, :-1]

    status = np.full(active.shape, "", dtype=object)
    status[active & ~seen_before] = "acquired"
    status[active & seen_before & ~before] = "reactivated"
    returning = active & before
    more = total > (1.0 + growth) * previous
    status[returning & more] = "enhanced"
    status[returning & ~more] = "retained"
    status[~active & before] = "lapsed"

    rows, cols = np.nonzero(status != "")
    out = pd.DataFrame(
        {
            "customer": names[rows],
            "period": pd.PeriodIndex.from_ordinals(first.ordinal + cols, freq=first.freq),
            "status": pd.Categorical(status[rows, cols], categories=STATUSES, ordered=True),
            "amount": np.where(active[rows, cols], total[rows, cols], 0.0),
            "previous_amount": previous[rows, cols],
        }
    )
    return out.sort_values(["period", "customer"], kind="stable").reset_index(drop=True)


def flow_table(status: pd.DataFrame, *, value: str = "customers") -> pd.DataFrame:
    """Count customers, or add up spending, by period and status.

    Parameters
    ----------
    status : DataFrame
        The result of :func:`period_status`.
    value : {"customers", "amount", "previous_amount"}
        ``"customers"`` counts customers; ``"amount"`` adds up this period's spending (0 for
        lapsed customers); ``"previous_amount"`` adds up the spending of the period before,
        which for ``lapsed`` is the spending that walked away.

    Returns
    -------
    DataFrame
        One row per period (index ``period``), one column per status in :data:`STATUSES`
        order; periods and statuses without customers show 0.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer": [1, 1, 2], "amount": [5.0, 9.0, 4.0],
    ...                    "date": pd.to_datetime(["2024-01-02", "2024-02-02", "2024-01-09"])})
    >>> flow_table(period_status(tx))
    status   acquired  reactivated  retained  enhanced  lapsed
    period
    2024-01         2            0         0         0       0
    2024-02         0            0         0         1       1
    """
    require_frame(status, "status")
    require_columns(status, ["period", "status", "amount", "previous_amount"], "status")
    values = ("customers", "amount", "previous_amount")
    if value not in values:
        raise ValueError(f"value: expected one of {list(values)}, got {value!r}")
    stages = pd.Categorical(status["status"], categories=STATUSES)
    if value == "customers":
        table = pd.crosstab(status["period"], stages)
    else:
        table = pd.crosstab(status["period"], stages, values=status[value], aggfunc="sum")
    table = table.reindex(columns=list(STATUSES)).fillna(0)
    if value == "customers":
        table = table.astype("int64")
    table.columns.name, table.index.name = "status", "period"
    return table


__all__ += ["stage_kpis"]  # noqa: PLE0605 - extends the list defined at the top


def stage_kpis(status: pd.DataFrame) -> pd.DataFrame:
    """Process KPIs of the three stages per period, from :func:`period_status`.

    The CRM Scorecard's process perspective measures acquisition (관계획득), retention
    (관계유지) and enhancement (관계강화). From a transaction log:

    - acquisition: ``new_customers`` (first purchase), ``new_customer_share`` (of the period's
      active customers), ``won_back`` (reactivated) and ``win_back_rate`` (이탈고객 재탈환율):
      won back / customers who had bought before but not in the previous period;
    - retention: ``retention_rate`` (고객유지율) = customers of the previous period who buy
      again / customers of the previous period, and ``churn_rate`` = 1 - retention rate;
    - enhancement: ``enhancement_rate``, the share of retained customers who spend more than
      in the previous period (the ``growth`` rule of :func:`period_status`);
    - ``active``, ``revenue`` (net spending of active customers) and ``revenue_per_customer``.

    The first period has no period before it: its rates are missing. In a non-contractual
    setting a customer silent for one period is not necessarily lost, so ``churn_rate`` here
    is "did not buy again in the next period".

    Parameters
    ----------
    status : DataFrame
        The result of :func:`period_status`.

    Returns
    -------
    DataFrame
        One row per period (index ``period``) with the columns above.

    Examples
    --------
    >>> tx = pd.DataFrame({
    ...     "customer": ["a", "a", "a", "b", "b"],
    ...     "date": pd.to_datetime(["2024-01-05", "2024-02-03", "2024-04-09",
    ...                             "2024-02-10", "2024-03-01"]),
    ...     "amount": [10.0, 25.0, 5.0, 40.0, 30.0]})
    >>> kpis = stage_kpis(period_status(tx))
    >>> kpis[["active", "new_customers", "retention_rate", "win_back_rate"]]
             active  new_customers  retention_rate  win_back_rate
    period
    2024-01       1              1             NaN            NaN
    2024-02       2              1             1.0            NaN
    2024-03       1              0             0.5            NaN
    2024-04       1              0             0.0            1.0
    """
    counts = flow_table(status)
    money = flow_table(status, value="amount")
    active = counts[["acquired", "reactivated", "retained", "enhanced"]].sum(axis=1)
    kept = counts["retained"] + counts["enhanced"]
    before = kept + counts["lapsed"]  # customers of the previous period
    seen = counts["acquired"].cumsum().shift(1)  # customers first seen before this period
    pool = seen - active.shift(1)  # ... and not active in the previous period
    with np.errstate(divide="ignore", invalid="ignore"):
        out = pd.DataFrame(
            {
                "active": active,
                "new_customers": counts["acquired"],
                "new_customer_share": counts["acquired"] / active,
                "won_back": counts["reactivated"],
                "win_back_rate": counts["reactivated"] / pool.where(pool > 0),
                "retention_rate": kept / before.where(before > 0),
                "churn_rate": counts["lapsed"] / before.where(before > 0),
                "enhancement_rate": counts["enhanced"] / kept.where(kept > 0),
                "revenue": money.sum(axis=1),
                "revenue_per_customer": money.sum(axis=1) / active.where(active > 0),
            }
        )
    out.iloc[0, out.columns.get_indexer(["retention_rate", "churn_rate", "win_back_rate",
                                         "enhancement_rate"])] = np.nan  # fmt: skip
    out.columns.name = None
    return out


def churn_per_period(
    customers: pd.DataFrame,
    *,
    churned: str = "churn",
    tenure: str = "tenure",
    by: str | None = None,
) -> pd.Series | float:
    """Churn rate per period from a snapshot: leavers divided by the periods observed.

    A snapshot of subscribers with a flag "left in the last period" and each subscriber's
    tenure (completed periods with the company) does not give a churn rate per period by
    reading the flag as a share: the share of leavers depends on how the snapshot was drawn.
    Dividing the leavers by all the customer-periods observed (the sum of the tenures) gives
    the rate at which customers left per period they were customers, the estimate chapter 01
    of the course uses.

    Parameters
    ----------
    customers : DataFrame
        One row per customer.
    churned : str
        Boolean (or 0/1) column: the customer left.
    tenure : str
        Periods (months) the customer has been a customer, >= 0.
    by : str, optional
        A column to group by (a contract type): one rate per group.

    Returns
    -------
    float, or Series indexed by ``by`` (named ``churn_rate``)

    Examples
    --------
    >>> subs = pd.DataFrame({"churn": [True, False, False], "tenure": [2, 10, 8]})
    >>> round(churn_per_period(subs), 3)
    0.05
    """
    require_frame(customers, "customers")
    require_columns(customers, [churned, tenure, *([by] if by is not None else [])], "customers")
    left = as_numeric(customers[churned].astype(float), churned)
    months = as_numeric(customers[tenure], tenure)
    if (months < 0).any():
        raise ValueError(f"{tenure}: expected tenures >= 0; found {months.min()}")
    if by is None:
        total = months.sum()
        if total <= 0:
            raise ValueError(f"{tenure}: expected a positive sum of tenures; found {total}")
        return float(left.sum() / total)
    grouped = pd.DataFrame({"left": left, "months": months, by: customers[by]})
    sums = grouped.groupby(by, observed=True, sort=True)[["left", "months"]].sum()
    if (sums["months"] <= 0).any():
        empty = sums.index[sums["months"] <= 0].tolist()
        raise ValueError(f"{tenure}: expected a positive sum of tenures in every group; "
                         f"found none for {empty}")  # fmt: skip
    return (sums["left"] / sums["months"]).rename("churn_rate")
