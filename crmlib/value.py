"""Customer value with a constant retention rate: CLV, customer equity, share of wallet.

:func:`portfolio_plan` puts them to use: it combines CLV, share of wallet and an RFM segment
into a plan per customer (invest, retain, win back, let go, develop, maintain).

The textbook model (Gupta & Lehmann 2003, 2005; Gupta, Lehmann & Stuart 2004): a customer
brings a margin ``m`` per period, stays each period with probability ``r`` (the retention
rate) and money is discounted at rate ``d`` per period. With ``q = r / (1 + d)``:

- ``timing="end"`` (Gupta & Lehmann's convention, the default): margins arrive at the end of
  each period, from customers still there, so even the first period's margin needs the
  customer to be retained: ``CLV = sum_{t=1..T} m q**t = m q (1 - q**T) / (1 - q)``, which is
  ``m r / (1 + d - r)`` for an infinite horizon;
- ``timing="start"``: the first margin is certain and paid now, later ones at the start of
  each period: ``CLV = sum_{t=0..T-1} m q**t = m (1 - q**T) / (1 - q)``, which is
  ``m (1 + d) / (1 + d - r)`` for an infinite horizon.

The two differ by the factor ``q``. All functions are vectorised: pass arrays (or Series) and
NumPy broadcasting makes a sensitivity grid in one call.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from crmlib.validation import (
    as_number,
    as_numbers,
    preview,
    require_choice,
    require_columns,
    require_fraction,
    require_frame,
    require_number,
    require_positive_int,
    shaped,
)

__all__ = [
    "TIMINGS",
    "WalletShare",
    "clv",
    "customer_equity",
    "share_of_wallet",
    "retention_vs_acquisition",
    "PLANS",
    "portfolio_plan",
]

TIMINGS = ("end", "start")


def _index_of(named: dict[str, object]) -> pd.Index | None:
    """The common index of the Series among the arguments; raise if they differ."""
    series = {k: v for k, v in named.items() if isinstance(v, pd.Series)}
    if not series:
        return None
    (first, s0), *rest = series.items()
    for other, s in rest:
        if not s.index.equals(s0.index):
            raise ValueError(
                f"{other}: expected the same index as {first} (Series are matched by "
                f"position here), got a different one"
            )
    return s0.index


def _broadcast(arrays: dict[str, np.ndarray]) -> list[np.ndarray]:
    try:
        return list(np.broadcast_arrays(*arrays.values()))
    except ValueError as err:
        shapes = ", ".join(f"{k} {v.shape}" for k, v in arrays.items() if v.ndim)
        raise ValueError(
            f"the shapes of the arguments do not broadcast together: {shapes}"
        ) from err


def _timing(timing: object) -> str:
    return require_choice(timing, "timing", TIMINGS)


def _clv(margin, retention, discount_rate, horizon, timing) -> np.ndarray:
    """CLV from validated arrays, by the closed form (q**inf is 0 as q < 1)."""
    q = retention / (1 + discount_rate)
    factor = (1 - q**horizon) / (1 - q)
    return margin * factor * (q if timing == "end" else 1.0)


def clv(
    margin: float | np.ndarray | pd.Series,
    retention: float | np.ndarray | pd.Series,
    discount_rate: float | np.ndarray | pd.Series,
    *,
    horizon: int | np.ndarray | None = None,
    acquisition_cost: float | np.ndarray | pd.Series = 0.0,
    timing: str = "end",
) -> float | np.ndarray | pd.Series:
    """Customer lifetime value with a constant margin, retention rate and discount rate.

    Parameters
    ----------
    margin : number, array or Series
        Margin per customer per period (may be negative: an unprofitable customer).
    retention : number, array or Series
        Probability that a customer stays each period, in [0, 1).
    discount_rate : number, array or Series
        Discount rate per period, >= 0 (e.g. 0.1 for 10% a year).
    horizon : int, array or None
        Number of periods (margins) counted, >= 1; ``None`` or ``np.inf``: infinite.
    acquisition_cost : number, array or Series, default 0
        Subtracted once, at time 0 (>= 0).
    timing : {"end", "start"}
        When margins arrive; see the module docstring. ``"end"`` gives Gupta & Lehmann's
        ``m r / (1 + d - r)``, ``"start"`` gives ``m (1 + d) / (1 + d - r)``.

    Returns
    -------
    float, ndarray or Series
        The CLV, broadcast over the arguments: a float for numbers, a Series (with their
        index) when a Series is given, an array otherwise.

    Examples
    --------
    >>> round(clv(100, 0.8, 0.1), 2)  # 100 * 0.8 / (1 + 0.1 - 0.8)
    266.67
    >>> round(clv(100, 0.8, 0.1, timing="start"), 2)  # 100 * 1.1 / 0.3
    366.67
    >>> clv(100, np.array([[0.6], [0.8]]), np.array([0.05, 0.1])).round(1)  # a grid
    array([[133.3, 120. ],
           [320. , 266.7]])
    """
    index = _index_of(
        {
            "margin": margin,
            "retention": retention,
            "discount_rate": discount_rate,
            "acquisition_cost": acquisition_cost,
        }
    )
    timing = _timing(timing)
    args = {
        "margin": as_numbers(margin, "margin"),
        "retention": as_numbers(retention, "retention", low=0, high=1, high_open=True),
        "discount_rate": as_numbers(discount_rate, "discount_rate", low=0, high=1),
        "horizon": _horizon(horizon),
        "acquisition_cost": as_numbers(acquisition_cost, "acquisition_cost", low=0),
    }
    m, r, d, t, cost = _broadcast(args)
    return shaped(_clv(m, r, d, t, timing) - cost, index, "clv")


def _horizon(horizon: object) -> np.ndarray:
    if horizon is None:
        return np.asarray(np.inf)
    return as_numbers(horizon, "horizon", low=1, whole=True)


def customer_equity(
    customers: float | np.ndarray | pd.Series,
    margin: float | np.ndarray | pd.Series,
    retention: float | np.ndarray | pd.Series,
    discount_rate: float,
    *,
    horizon: int | None = None,
    timing: str = "end",
    new_customers: float = 0.0,
    acquisition_cost: float = 0.0,
    acquisition_periods: int | None = None,
) -> pd.Series:
    """Customer equity: the value of today's customers, plus future cohorts if asked.

    ``current_customers`` sums ``customers * clv(margin, retention, discount_rate)`` over the
    cohorts or customers given (arrays broadcast together; use ``customers=1`` and
    per-customer arrays for one row per customer). Today's customers are already acquired,
    so no acquisition cost is charged for them.

    ``future_cohorts`` adds a cohort of ``new_customers`` acquired at the end of each of
    the next ``acquisition_periods`` periods (``None``: forever, which needs
    ``discount_rate > 0``), each new customer worth ``clv(...) - acquisition_cost`` when acquired,
    discounted to today: ``new_customers * (clv - acquisition_cost) * sum_{k=1..K} (1+d)**-k``
    (Gupta, Lehmann & Stuart 2004, with constant margin, retention and cohort size). Future
    cohorts take the same ``margin`` and ``retention``, which must then be single numbers.

    Parameters
    ----------
    customers : number, array or Series
        Customers in each cohort (>= 0).
    margin, retention : number, array or Series
        Per period, per customer; as in :func:`clv`.
    discount_rate : float
        Discount rate per period (>= 0).
    horizon, timing
        As in :func:`clv`.
    new_customers : float, default 0
        Customers acquired per period in future (>= 0).
    acquisition_cost : float, default 0
        Cost of acquiring one new customer (>= 0).
    acquisition_periods : int or None
        Number of future cohorts; ``None``: one every period forever.

    Returns
    -------
    Series
        ``current_customers``, ``future_cohorts`` and ``total``.

    Examples
    --------
    >>> customer_equity([1000, 500], [100, 60], [0.8, 0.6], 0.1).round(1)
    current_customers    302666.7
    future_cohorts            0.0
    total                302666.7
    Name: customer_equity, dtype: float64
    """
    _index_of({"customers": customers, "margin": margin, "retention": retention})
    counts = as_numbers(customers, "customers", low=0)
    d = as_number(discount_rate, "discount_rate", low=0, high=1)
    value = np.asarray(clv(margin, retention, d, horizon=horizon, timing=timing))
    counts, each = _broadcast({"customers": counts, "margin and retention": value})
    current = float((counts * each).sum())
    new = as_number(new_customers, "new_customers", low=0)
    cost = as_number(acquisition_cost, "acquisition_cost", low=0)
    if acquisition_periods is not None:
        acquisition_periods = require_positive_int(acquisition_periods, "acquisition_periods")
    future = 0.0
    if new > 0:
        if value.ndim:
            raise ValueError(
                "new_customers: future cohorts need a single margin and retention, got "
                f"values of shape {value.shape}"
            )
        if acquisition_periods is None:
            if d == 0:
                raise ValueError(
                    "acquisition_periods: cohorts acquired forever need discount_rate > 0, got 0; "
                    "give a number of periods"
                )
            annuity = 1 / d
        else:
            k = require_positive_int(acquisition_periods, "acquisition_periods")
            annuity = k if d == 0 else (1 - (1 + d) ** -k) / d
        future = new * (float(value) - cost) * annuity
    return pd.Series(
        {"current_customers": current, "future_cohorts": future, "total": current + future},
        name="customer_equity",
    )


class WalletShare(NamedTuple):
    """Share of wallet per customer and over the whole base."""

    per_customer: pd.Series
    overall: float


def share_of_wallet(
    spend_with_us: pd.Series | np.ndarray, total_category_spend: pd.Series | np.ndarray
) -> WalletShare:
    """Share of each customer's category spend that comes to us, and the base's share.

    Parameters
    ----------
    spend_with_us : Series or array
        What each customer spent with us (>= 0).
    total_category_spend : Series or array
        What each customer spent in the category, with all suppliers including us
        (>= ``spend_with_us``). Two Series must hold the same customers (in any order);
        arrays are matched by position.

    Returns
    -------
    WalletShare
        ``per_customer``: spend_with_us / total_category_spend, NaN where the customer spent
        nothing in the category; ``overall``: total spend with us / total category spend,
        a spend-weighted share (not the mean of the per-customer shares).

    Examples
    --------
    >>> ours = pd.Series([20.0, 90.0], index=["ann", "bob"])
    >>> total = pd.Series([100.0, 100.0], index=["ann", "bob"])
    >>> share_of_wallet(ours, total).per_customer.tolist(), share_of_wallet(ours, total).overall
    ([0.2, 0.9], 0.55)
    """
    index = None
    if isinstance(spend_with_us, pd.Series) and isinstance(total_category_spend, pd.Series):
        index = spend_with_us.index
        for name, values in (
            ("spend_with_us", spend_with_us),
            ("total_category_spend", total_category_spend),
        ):
            if not values.index.is_unique:
                repeated = values.index[values.index.duplicated()].unique()
                raise ValueError(
                    f"{name}: expected one value per customer, repeated: {preview(repeated)}"
                )
        other = total_category_spend.index
        if not other.equals(index):
            missing, extra = index.difference(other), other.difference(index)
            if len(missing) or len(extra):
                raise ValueError(
                    "total_category_spend: expected the same customers as spend_with_us; "
                    f"{len(missing)} missing ({preview(missing)}), "
                    f"{len(extra)} not in spend_with_us ({preview(extra)})"
                )
            total_category_spend = total_category_spend.reindex(index)
    elif isinstance(spend_with_us, pd.Series) or isinstance(total_category_spend, pd.Series):
        index = (
            spend_with_us if isinstance(spend_with_us, pd.Series) else total_category_spend
        ).index
    ours = as_numbers(spend_with_us, "spend_with_us", low=0)
    total = as_numbers(total_category_spend, "total_category_spend", low=0)
    if ours.ndim != 1 or ours.shape != total.shape:
        raise ValueError(
            "spend_with_us, total_category_spend: expected two 1-D sequences of equal length, "
            f"got shapes {ours.shape} and {total.shape}"
        )
    over = ours > total
    if over.any():
        where = index[over] if index is not None else np.flatnonzero(over)
        raise ValueError(
            f"spend_with_us: expected at most total_category_spend, but {int(over.sum())} "
            f"customer(s) spend more with us than in the category: {preview(where)}"
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, ours / total, np.nan)
    if index is None:
        index = pd.RangeIndex(len(ours))
    per_customer = pd.Series(share, index=index, name="share_of_wallet")
    overall = float(ours.sum() / total.sum()) if total.sum() > 0 else float("nan")
    return WalletShare(per_customer, overall)


def retention_vs_acquisition(
    customers: int,
    churn_rate: float,
    margin: float,
    retention_cost: float,
    *,
    budget: float | np.ndarray | None = None,
    acquisition_multiple: float = 6.0,
    discount_rate: float = 0.1,
    horizon: int | None = None,
) -> pd.DataFrame:
    """What-if: spend a budget on keeping customers, or on winning new ones?

    The model, one period ahead: of ``customers``, ``customers * churn_rate`` would leave.

    - *retention*: every ``retention_cost`` spent keeps one of them, up to all of them
      (money beyond that is wasted);
    - *acquisition*: every ``acquisition_multiple * retention_cost`` spent wins one new
      customer (the course's rule of thumb: winning a customer costs ~5-7 times keeping one).

    A customer kept or won is worth ``clv(margin, 1 - churn_rate, discount_rate, horizon=horizon,
    timing="start")``: this period's margin, then the base's retention. Profit is that value
    times customers gained, minus the budget.

    Parameters
    ----------
    customers : int
        Customers at the start of the period (>= 1).
    churn_rate : float
        Share of them who would leave this period, in (0, 1].
    margin : float
        Margin per customer per period (> 0; with no margin neither option pays).
    retention_cost : float
        Cost of keeping one customer who would otherwise leave (> 0).
    budget : number or array, optional
        Budgets to compare (>= 0). Default: 11 steps from 0 to twice what keeping every
        leaver would cost.
    acquisition_multiple : float, default 6
        Cost of winning a customer / cost of keeping one (> 0).
    discount_rate : float, default 0.1
        Discount rate per period (>= 0).
    horizon : int or None
        Periods of value counted (None: infinite).

    Returns
    -------
    DataFrame
        Tidy, two rows per budget (``strategy`` "retention" and "acquisition"), with
        ``budget``, ``strategy``, ``cost_per_customer``, ``customers_gained``,
        ``churn_rate`` (after spending), ``customers_next`` (customers after the period),
        ``value_gained``, ``profit`` and ``roi`` (profit / budget; NaN at budget 0).

    Examples
    --------
    >>> out = retention_vs_acquisition(10_000, 0.2, 50.0, 20.0, budget=[20_000, 60_000])
    >>> out[["budget", "strategy", "customers_gained", "profit"]].round(0)
        budget     strategy  customers_gained    profit
    0  20000.0    retention            1000.0  163333.0
    1  20000.0  acquisition             167.0   10556.0
    2  60000.0    retention            2000.0  306667.0
    3  60000.0  acquisition             500.0   31667.0
    """
    n = require_positive_int(customers, "customers")
    churn = require_fraction(churn_rate, "churn_rate")
    m = as_number(margin, "margin", low=0, low_open=True)
    keep_cost = as_number(retention_cost, "retention_cost", low=0, low_open=True)
    multiple = as_number(acquisition_multiple, "acquisition_multiple", low=0, low_open=True)
    d = as_number(discount_rate, "discount_rate", low=0, high=1)
    leavers = n * churn
    if budget is None:
        budget = np.linspace(0, 2 * leavers * keep_cost, 11)
    spend = as_numbers(budget, "budget", low=0)
    if spend.ndim > 1:
        raise ValueError(f"budget: expected a number or a 1-D array, got shape {spend.shape}")
    spend = np.atleast_1d(spend)
    worth = clv(m, 1 - churn, d, horizon=horizon, timing="start")
    saved = np.minimum(spend / keep_cost, leavers)
    won = spend / (keep_cost * multiple)
    frames = []
    for strategy, cost, gained, churn_after in (
        ("retention", keep_cost, saved, (leavers - saved) / n),
        ("acquisition", keep_cost * multiple, won, np.full(spend.shape, churn)),
    ):
        frames.append(
            pd.DataFrame(
                {
                    "budget": spend,
                    "strategy": strategy,
                    "cost_per_customer": cost,
                    "customers_gained": gained,
                    "churn_rate": churn_after,
                    "customers_next": n - leavers + gained,
                    "value_gained": gained * worth,
                    "profit": gained * worth - spend,
                }
            )
        )
    out = pd.concat(frames).sort_values(["budget"], kind="stable").reset_index(drop=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["roi"] = np.where(out["budget"] > 0, out["profit"] / out["budget"], np.nan)
    return out


#: The plans of :func:`portfolio_plan`, in the order its rules are tried.
PLANS = (
    "invest: grow the share",
    "retain: protect the relationship",
    "win back, spending less than the CLV",
    "let go",
    "develop: test cheaply",
    "maintain at low cost",
)


def portfolio_plan(
    customers: pd.DataFrame,
    *,
    clv_threshold: float,
    share_threshold: float = 0.5,
    clv: str = "clv",
    share: str = "share_of_wallet",
    segment: str = "segment",
    win_back: tuple[str, ...] = ("At risk", "Can't lose"),
    let_go: tuple[str, ...] = ("Lost", "Hibernating"),
) -> pd.DataFrame:
    """A plan per customer from CLV, share of wallet and RFM segment.

    A customer's **potential** is the CLV they would have if we won their whole wallet at
    their current retention: ``clv / share_of_wallet``. The rules are tried in order and
    the first that holds gives the plan (:data:`PLANS`):

    1. *invest: grow the share*: CLV >= ``clv_threshold`` and share < ``share_threshold``;
    2. *retain: protect the relationship*: CLV >= ``clv_threshold`` (the share is large);
    3. *win back, spending less than the CLV*: the segment is in ``win_back``;
    4. *let go*: the segment is in ``let_go``;
    5. *develop: test cheaply*: share < ``share_threshold`` and potential >= ``clv_threshold``;
    6. *maintain at low cost*: everyone else.

    Parameters
    ----------
    customers : DataFrame
        One row per customer with the columns named by ``clv``, ``share`` and ``segment``;
        not modified.
    clv_threshold : float
        The CLV (in the money unit of the ``clv`` column) from which a customer counts as
        valuable, > 0.
    share_threshold : float, default 0.5
        Share of wallet below which there is room to grow, in (0, 1].
    clv, share, segment : str
        Column names: CLV (any number), share of wallet (in (0, 1]) and RFM segment names.
    win_back, let_go : tuple of str
        Segment names (e.g. of :func:`crmlib.rfm.name_segments`) for rules 3 and 4.

    Returns
    -------
    DataFrame
        ``customers`` with ``potential`` (float) and ``plan`` (categorical, categories in
        the order of :data:`PLANS`).

    Examples
    --------
    >>> base = pd.DataFrame({
    ...     "clv": [3000.0, 2700.0, 330.0, 260.0, 13.0, 540.0],
    ...     "share_of_wallet": [0.9, 0.25, 0.4, 0.15, 0.3, 0.95],
    ...     "segment": ["Champions", "Champions", "At risk", "New", "Lost", "Loyal"],
    ... })
    >>> portfolio_plan(base, clv_threshold=1000)["plan"].tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['retain: protect the relationship', 'invest: grow the share',
     'win back, spending less than the CLV', 'develop: test cheaply', 'let go',
     'maintain at low cost']
    """
    require_frame(customers, "customers")
    require_columns(customers, [clv, share, segment], "customers")
    threshold = require_number(clv_threshold, "clv_threshold", minimum=0, strict=True)
    room_below = require_fraction(share_threshold, "share_threshold")
    for name, names in (("win_back", win_back), ("let_go", let_go)):
        if isinstance(names, str) or not all(isinstance(n, str) for n in names):
            raise TypeError(f"{name}: expected a tuple of segment names, got {names!r}")
    value = as_numbers(customers[clv], f"column {clv!r}")
    wallet = as_numbers(customers[share], f"column {share!r}", low=0, low_open=True, high=1)
    segments = customers[segment].astype(object)
    potential = value / wallet
    high, room = value >= threshold, wallet < room_below
    rules = [
        high & room,
        high,
        segments.isin(win_back).to_numpy(),
        segments.isin(let_go).to_numpy(),
        room & (potential >= threshold),
    ]
    codes = np.select(rules, range(len(rules)), default=len(PLANS) - 1)
    out = customers.copy()
    out["potential"] = potential
    out["plan"] = pd.Categorical.from_codes(codes, categories=list(PLANS))
    return out


# --------------------------------------------------------------------------------------------
# Concentration of value: how much of it the best customers hold
# --------------------------------------------------------------------------------------------

__all__ += ["concentration"]  # noqa: PLE0605 - extends the list defined at the top


def concentration(values: object, top: float) -> float:
    """Share of the total held by the top ``top`` share of customers ("the top 10 % bring 50 %").

    Customers are ranked by value, highest first (ties keep their order); the top group is
    the ``round(top * n)`` first of them, at least one. Negative values (customers who lose
    money) count in the total, so the share can exceed 1 when the others give part of the
    profit back.

    Parameters
    ----------
    values : array-like of numbers, or Series
        One value per customer (profit, revenue, CLV), no missing values.
    top : float in (0, 1]
        Share of customers in the top group, e.g. 0.1 for the top 10 %.

    Returns
    -------
    float
        The top group's sum divided by the sum over all customers.

    Raises
    ------
    TypeError
        If a value is not a number.
    ValueError
        If ``values`` is empty, holds missing values, sums to 0 or less (a share of a loss
        means nothing), or ``top`` is not in (0, 1].

    Examples
    --------
    >>> round(concentration([50, 20, 10, 10, 5, 5, 0, 0, 0, 0], top=0.2), 2)
    0.7
    >>> concentration([120, 0, 0, -20], top=0.25)  # the loss-maker gives some back
    1.2
    """
    top = require_fraction(top, "top")
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"values: expected numbers (one per customer), got {preview(np.ravel(values))}"
        ) from None
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f"values: expected a non-empty 1-D list of numbers, got shape {array.shape}"
        )
    if np.isnan(array).any():
        raise ValueError(
            f"values: expected a value for every customer, got {int(np.isnan(array).sum())} missing"
        )
    total = array.sum()
    if not total > 0:
        raise ValueError(f"values: expected a positive total to take a share of, got {total:g}")
    ranked = -np.sort(-array, kind="stable")
    n_top = max(1, int(round(top * array.size)))
    return float(ranked[:n_top].sum() / total)
