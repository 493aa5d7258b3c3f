"""CRM price management (CRM 가격관리): prices per customer group, bundles, life-cycle stage.

Prices are set from what customers are willing to pay (their *reservation price*,
유보가격): a customer buys when the price is at most that amount and, offered several
options, takes the one that leaves the most surplus (willingness to pay - price).

- :func:`best_price` is the profit-maximising single price of one product for a group of
  customers; applied per segment it shows what **price discrimination** (차별가격: the same
  product at different prices to different buyers) adds over one price for all.
- :func:`bundle_choices` says what each customer buys when two products are sold separately,
  as a bundle, or both (**mixed bundling**), and :func:`compare_bundling` finds the best
  prices of each strategy (**bundle pricing**, 묶음 가격). The numbers reproduce the
  bundling example of Pindyck & Rubinfeld, *Microeconomics* (section 11.5): separate sales
  earn 150, pure bundling 200, mixed bundling 229.90.
- :func:`price_by_quantity` measures volume discounts in transaction lines (the price paid
  relative to a product's usual price, by quantity band): price discrimination by quantity.
- :func:`introductory_offer_cost` prices the acquisition stage: what an introductory
  discount for the first months costs, paid only in the months the customer stays.
- :func:`break_even_retention` prices the retention stage: how much must a price cut for
  existing customers raise their retention to pay for itself, in customer lifetime value.

Conventions. Optimal prices are searched among the customers' own reservation prices, and a
customer who is indifferent (surplus 0, or two options with equal surplus) takes the option
that earns the seller most. That is the limit of prices a little below the reservation
prices (Pindyck & Rubinfeld charge 89.95 against a reservation price of 90 for the same
reason), so the optimum here is the upper bound of what slightly lower prices earn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from crmlib.validation import (
    as_numeric,
    require_columns,
    require_frame,
    require_number,
)
from crmlib.value import clv

__all__ = [
    "BestPrice",
    "best_price",
    "price_discrimination",
    "bundle_choices",
    "compare_bundling",
    "price_by_quantity",
    "introductory_offer_cost",
    "break_even_retention",
]

_TIE = 1e-9  # surpluses closer than this are a tie


class BestPrice(NamedTuple):
    """Result of :func:`best_price`."""

    price: float
    buyers: int
    revenue: float
    profit: float


def _wtp(values: object, name: str) -> np.ndarray:
    """Reservation prices as a float array: numbers >= 0, no gaps, at least one."""
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values).ravel())
    if len(series) == 0:
        raise ValueError(f"{name}: expected at least one reservation price, got none")
    numbers = as_numeric(series, name).to_numpy(dtype=float)
    if np.isnan(numbers).any():
        raise ValueError(f"{name}: expected a reservation price for every customer, got gaps")
    if (numbers < 0).any() or not np.isfinite(numbers).all():
        raise ValueError(
            f"{name}: expected finite amounts >= 0, got {numbers[~(numbers >= 0)][:3].tolist()}"
            if (numbers < 0).any()
            else f"{name}: expected finite amounts, got an infinite one"
        )
    return numbers


def best_price(wtp: object, cost: float = 0.0) -> BestPrice:
    """The single price that maximises profit, given each customer's reservation price.

    A customer buys one unit when the price is at most their reservation price. The best
    price is one of the reservation prices: any price between two of them sells to the same
    customers as the higher one, for less.

    Parameters
    ----------
    wtp : array-like or Series of numbers >= 0
        Reservation prices, one per customer.
    cost : float >= 0, default 0
        Cost of one unit.

    Returns
    -------
    BestPrice
        ``price``, ``buyers``, ``revenue`` and ``profit`` ((price - cost) x buyers). When no
        price covers the cost, the price is NaN and nothing is sold.

    Examples
    --------
    Pindyck & Rubinfeld's good 1 (reservation prices 10, 50, 60, 90; cost 20): at 50,
    three buy and profit is 3 x 30 = 90.

    >>> best_price([10, 50, 60, 90], cost=20)
    BestPrice(price=50.0, buyers=3, revenue=150.0, profit=90.0)
    """
    values = _wtp(wtp, "wtp")
    cost = require_number(cost, "cost", minimum=0)
    prices = np.unique(values)
    buyers = (values[None, :] >= prices[:, None]).sum(axis=1)
    profit = (prices - cost) * buyers
    best = int(np.argmax(profit))  # the first (lowest) price of equal profit
    if profit[best] <= 0:
        return BestPrice(float("nan"), 0, 0.0, 0.0)
    return BestPrice(
        float(prices[best]),
        int(buyers[best]),
        float(prices[best] * buyers[best]),
        float(profit[best]),
    )


def price_discrimination(
    df: pd.DataFrame, *, wtp: str = "wtp", segment: str = "segment", cost: float = 0.0
) -> pd.DataFrame:
    """Best price per segment against one best price for everyone.

    Parameters
    ----------
    df : DataFrame
        One row per customer with a reservation price and a segment.
    wtp, segment : str
        Column names.
    cost : float >= 0, default 0
        Cost of one unit.

    Returns
    -------
    pandas.DataFrame
        One row per segment (sorted), then ``"one price for all"``, the row ``"segment
        prices, total"`` and ``"gain from segment prices"``, with columns ``price``,
        ``customers``, ``buyers``, ``revenue`` and ``profit``.

    Examples
    --------
    >>> df = pd.DataFrame({"segment": ["student"] * 3 + ["office"] * 3,
    ...                    "wtp": [3, 4, 5, 8, 9, 10]})
    >>> price_discrimination(df, cost=1)[["price", "buyers", "profit"]]
                              price  buyers  profit
    office                      8.0       3    21.0
    student                     3.0       3     6.0
    one price for all           8.0       3    21.0
    segment prices, total       NaN       6    27.0
    gain from segment prices    NaN       3     6.0
    """
    df = require_frame(df, "df")
    require_columns(df, [wtp, segment], "df")
    if df[segment].isna().any():
        raise ValueError(f"column {segment!r}: expected a segment for every customer, got gaps")
    rows = {}
    for name, group in df.groupby(segment, sort=True):
        rows[name] = {"customers": len(group), **best_price(group[wtp], cost)._asdict()}
    rows["one price for all"] = {"customers": len(df), **best_price(df[wtp], cost)._asdict()}
    out = pd.DataFrame.from_dict(rows, orient="index")[
        ["price", "customers", "buyers", "revenue", "profit"]
    ]
    segments = out.iloc[:-1]
    total = segments[["customers", "buyers", "revenue", "profit"]].sum()
    out.loc["segment prices, total"] = [np.nan, *total]
    gain = total - out.loc["one price for all", ["customers", "buyers", "revenue", "profit"]]
    out.loc["gain from segment prices"] = [np.nan, *gain]
    out.loc["gain from segment prices", "customers"] = 0
    return out.astype({"customers": int, "buyers": int})


def _two_goods(wtp: object, costs: object) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    wtp = require_frame(wtp, "wtp")
    if wtp.shape[1] != 2:
        raise ValueError(
            f"wtp: expected two columns, one reservation price per product, got "
            f"{wtp.shape[1]}: {list(wtp.columns)}"
        )
    values = np.column_stack([_wtp(wtp[c], f"wtp[{c!r}]") for c in wtp.columns])
    if isinstance(costs, Mapping):
        missing = [c for c in wtp.columns if c not in costs]
        if missing:
            raise KeyError(f"costs: expected a cost for each product, missing {missing}")
        costs = [costs[c] for c in wtp.columns]
    if isinstance(costs, str) or not isinstance(costs, Sequence | np.ndarray) or len(costs) != 2:
        raise ValueError(
            f"costs: expected two unit costs (a list or a dict by product), got {costs!r}"
        )
    unit = np.array([require_number(c, "costs", minimum=0) for c in costs])
    return wtp, values, unit


def _price(value: object, name: str) -> float:
    """A price >= 0, or inf for 'not offered' (None or inf)."""
    if value is None or (isinstance(value, float) and value == float("inf")):
        return float("inf")
    return require_number(value, name, minimum=0)


_OPTIONS = ("nothing", "first", "second", "both separately", "bundle")


def _choose(values: np.ndarray, unit: np.ndarray, p1, p2, pb) -> tuple[np.ndarray, ...]:
    """Each customer's option for every bundle price in ``pb`` (customers x len(pb))."""
    w1, w2 = values[:, 0:1], values[:, 1:2]
    pb = np.atleast_1d(np.asarray(pb, dtype=float))[None, :]
    shape = (values.shape[0], pb.shape[1])
    surplus = np.stack(
        [
            np.zeros(shape),
            np.broadcast_to(w1 - p1, shape),
            np.broadcast_to(w2 - p2, shape),
            np.broadcast_to(w1 + w2 - p1 - p2, shape),
            np.broadcast_to(w1 + w2 - pb, shape),
        ]
    )
    margin = np.stack(
        [
            np.zeros(shape),
            np.full(shape, p1 - unit[0]),
            np.full(shape, p2 - unit[1]),
            np.full(shape, p1 + p2 - unit.sum()),
            np.broadcast_to(pb - unit.sum(), shape),
        ]
    )
    pays = np.stack(
        [np.zeros(shape), np.full(shape, p1), np.full(shape, p2), np.full(shape, p1 + p2)]
        + [np.broadcast_to(pb, shape)]
    )
    with np.errstate(invalid="ignore"):
        surplus = np.where(np.isfinite(pays), surplus, -np.inf)
        best = surplus.max(axis=0)
        # among the options of (nearly) the best surplus, the one the seller earns most on
        candidate = np.where(surplus >= best - _TIE, margin, -np.inf)
    choice = candidate.argmax(axis=0)
    pick = np.take_along_axis
    return (
        choice,
        pick(pays, choice[None], 0)[0],
        pick(margin, choice[None], 0)[0],
        pick(surplus, choice[None], 0)[0],
    )


def bundle_choices(
    wtp: pd.DataFrame,
    prices: Sequence[float | None],
    bundle_price: float | None = None,
    *,
    costs: Sequence[float] | Mapping[str, float],
) -> pd.DataFrame:
    """What each customer buys at given prices of two products and of their bundle.

    Parameters
    ----------
    wtp : DataFrame
        One row per customer, two columns: the reservation price of each product. The
        bundle is worth the sum of the two to a customer.
    prices : two numbers (None = not sold separately)
        Prices of the two products, in the order of ``wtp``'s columns.
    bundle_price : float, optional
        Price of the bundle; None = no bundle. ``prices=[None, None]`` with a bundle price
        is pure bundling; both prices and a bundle price is mixed bundling.
    costs : two numbers >= 0, or a dict by product
        Unit cost of each product (the bundle costs their sum).

    Returns
    -------
    pandas.DataFrame
        Indexed as ``wtp``: ``buys`` ("nothing", a product's name, "both separately" or
        "bundle"), ``pays``, ``profit`` (pays - costs) and ``surplus`` (reservation prices
        of what is bought - pays). Ties go to the option that earns the seller most.

    Examples
    --------
    Pindyck & Rubinfeld's mixed bundling (prices 89.95, 89.95, bundle 100; costs 20, 30):

    >>> wtp = pd.DataFrame({"good_1": [10, 50, 60, 90], "good_2": [90, 50, 40, 10]},
    ...                    index=list("ABCD"))
    >>> out = bundle_choices(wtp, [89.95, 89.95], 100, costs=[20, 30])
    >>> out
         buys   pays  profit  surplus
    A  good_2  89.95   59.95     0.05
    B  bundle 100.00   50.00     0.00
    C  bundle 100.00   50.00     0.00
    D  good_1  89.95   69.95     0.05
    >>> round(float(out["profit"].sum()), 2)
    229.9
    """
    wtp, values, unit = _two_goods(wtp, costs)
    if isinstance(prices, str) or not isinstance(prices, Sequence | np.ndarray) or len(prices) != 2:
        raise ValueError(
            f"prices: expected two prices (None = not sold separately), got {prices!r}"
        )
    p1, p2 = (_price(p, f"prices[{i}]") for i, p in enumerate(prices))
    pb = _price(bundle_price, "bundle_price")
    choice, pays, profit, surplus = (a[:, 0] for a in _choose(values, unit, p1, p2, [pb]))
    names = np.array(["nothing", str(wtp.columns[0]), str(wtp.columns[1]), *_OPTIONS[3:]])
    return pd.DataFrame(
        {"buys": names[choice], "pays": pays, "profit": profit, "surplus": surplus},
        index=wtp.index,
    )


def compare_bundling(
    wtp: pd.DataFrame,
    *,
    costs: Sequence[float] | Mapping[str, float],
    max_evaluations: int = 50_000_000,
) -> pd.DataFrame:
    """Best prices and profit of selling two products separately, as a bundle, or both.

    Each strategy's prices are searched among the reservation prices (see the module's
    conventions): *separate* prices each product alone (:func:`best_price`); *pure bundle*
    sells only the bundle, priced from the sums; *mixed bundle* offers the two products and
    the bundle, every combination of candidate prices being tried (the products' candidates
    include "not sold separately").

    Parameters
    ----------
    wtp : DataFrame
        One row per customer, two columns of reservation prices.
    costs : two numbers >= 0, or a dict by product
        Unit cost of each product.
    max_evaluations : int, default 50,000,000
        Refuse a mixed-bundling search that would evaluate more customer-price
        combinations than this (it grows with the cube of distinct reservation prices).

    Returns
    -------
    pandas.DataFrame
        Rows ``separate``, ``pure bundle``, ``mixed bundle``; columns the two prices and
        ``bundle_price`` (NaN = not offered), ``buyers`` (customers who buy anything),
        ``revenue``, ``profit`` and ``surplus`` (customers' total surplus).

    Examples
    --------
    >>> wtp = pd.DataFrame({"good_1": [10, 50, 60, 90], "good_2": [90, 50, 40, 10]})
    >>> compare_bundling(wtp, costs=[20, 30])[["good_1", "good_2", "bundle_price", "profit"]]
                  good_1  good_2  bundle_price  profit
    separate        50.0    90.0           NaN   150.0
    pure bundle      NaN     NaN         100.0   200.0
    mixed bundle    90.0    90.0         100.0   230.0
    """
    wtp, values, unit = _two_goods(wtp, costs)
    limit = require_number(max_evaluations, "max_evaluations", minimum=1)
    first, second = wtp.columns
    c1 = np.append(np.unique(values[:, 0]), np.inf)
    c2 = np.append(np.unique(values[:, 1]), np.inf)
    cb = np.unique(values.sum(axis=1))
    evaluations = len(c1) * len(c2) * len(cb) * len(values)
    if evaluations > limit:
        raise ValueError(
            f"wtp: mixed bundling would try {len(c1) * len(c2) * len(cb):,} price "
            f"combinations for {len(values):,} customers ({evaluations:,.0f} evaluations, "
            f"above max_evaluations={limit:,.0f}); round the reservation prices to a price "
            "grid first (e.g. wtp.round(-3) for steps of 1,000) or raise max_evaluations"
        )
    rows = {}
    s1, s2 = best_price(values[:, 0], unit[0]), best_price(values[:, 1], unit[1])
    rows["separate"] = (s1.price, s2.price, None)
    pure = best_price(values.sum(axis=1), unit.sum())
    rows["pure bundle"] = (None, None, pure.price)
    best, best_profit = (None, None, None), -np.inf
    for p1 in c1:
        for p2 in c2:
            _, _, margin, _ = _choose(values, unit, p1, p2, cb)
            profits = margin.sum(axis=0)
            at = int(np.argmax(profits))
            if profits[at] > best_profit + _TIE:
                best_profit = profits[at]
                best = (p1, p2, cb[at])
    rows["mixed bundle"] = best
    table = {}
    for name, (p1, p2, pb) in rows.items():
        clean = [None if p is None or not np.isfinite(p) else float(p) for p in (p1, p2, pb)]
        out = bundle_choices(wtp, clean[:2], clean[2], costs=list(unit))
        table[name] = {
            first: clean[0],
            second: clean[1],
            "bundle_price": clean[2],
            "buyers": int((out["buys"] != "nothing").sum()),
            "revenue": float(out["pays"].sum()),
            "profit": float(out["profit"].sum()),
            "surplus": float(out["surplus"].sum()),
        }
    return pd.DataFrame.from_dict(table, orient="index").astype(
        {first: float, second: float, "bundle_price": float}
    )


def price_by_quantity(
    tx: pd.DataFrame,
    *,
    item: str = "item",
    quantity: str = "quantity",
    price: str = "price",
    bands: Sequence[float] = (0, 5, 11, 23, 47, 99, np.inf),
) -> pd.DataFrame:
    """Price paid relative to each product's usual price, by quantity bought on the line.

    A product's *usual price* is the unit price on most of its lines (the lowest of equally
    common ones). A relative price below 1 for large quantities is a volume discount.

    Parameters
    ----------
    tx : DataFrame
        Transaction lines with the product, the quantity (> 0) and the unit price (> 0).
    item, quantity, price : str
        Column names.
    bands : increasing numbers, default (0, 5, 11, 23, 47, 99, inf)
        Edges of the quantity bands (right edge included: 0 < q <= 5, ...).

    Returns
    -------
    pandas.DataFrame
        One row per band: ``lines``, ``mean_relative_price`` (price / usual price) and
        ``share_below_usual`` (share of lines priced below the usual price).

    Examples
    --------
    >>> tx = pd.DataFrame({"item": ["a"] * 4, "quantity": [1, 2, 3, 120],
    ...                    "price": [2.0, 2.0, 2.0, 1.5]})
    >>> price_by_quantity(tx, bands=[0, 99, float("inf")])
                 lines  mean_relative_price  share_below_usual
    quantity
    (0.0, 99.0]      3                 1.00                0.0
    (99.0, inf]      1                 0.75                1.0
    """
    tx = require_frame(tx, "tx")
    require_columns(tx, [item, quantity, price], "tx")
    q = as_numeric(tx[quantity], quantity)
    p = as_numeric(tx[price], price)
    for column, values in ((quantity, q), (price, p)):
        bad = ~(values > 0)
        if bad.any():
            raise ValueError(
                f"column {column!r}: expected numbers > 0, got {int(bad.sum())} line(s) such "
                f"as {values[bad].head(3).tolist()}; drop cancellations and free lines first"
            )
    edges = np.asarray(bands, dtype=float)
    if len(edges) < 2 or (np.diff(edges) <= 0).any():
        raise ValueError(f"bands: expected at least two increasing edges, got {list(bands)}")
    counts = pd.DataFrame({"item": tx[item].to_numpy(), "price": p.to_numpy()})
    counts = counts.value_counts().rename("n").reset_index()
    counts = counts.sort_values(["item", "n", "price"], ascending=[True, False, True])
    usual = counts.drop_duplicates("item").set_index("item")["price"]
    relative = p.to_numpy() / usual.reindex(tx[item].to_numpy()).to_numpy()
    # the band of each line: 0 for (edges[0], edges[1]], ...; -1 outside every band
    band = np.searchsorted(edges, q.to_numpy(dtype=float), side="left") - 1
    band[(band < 0) | (band >= len(edges) - 1)] = -1
    inside = band >= 0
    n_bands = len(edges) - 1
    lines = np.bincount(band[inside], minlength=n_bands)
    total = np.bincount(band[inside], weights=relative[inside], minlength=n_bands)
    below = np.bincount(band[inside], weights=relative[inside] < 1 - 1e-12, minlength=n_bands)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame(
            {
                "lines": lines,
                "mean_relative_price": total / lines,
                "share_below_usual": below / lines,
            },
            index=pd.IntervalIndex.from_breaks(edges, closed="right"),
        )
    out.index.name = quantity
    return out


def break_even_retention(
    margin: float,
    price_cut: float,
    retention: float,
    discount_rate: float,
    *,
    timing: str = "end",
) -> float:
    """Retention at which customers given a price cut are worth what they were without it.

    A price cut for existing customers lowers the margin per period from ``margin`` to
    ``margin - price_cut``; it pays only if it raises retention enough. The customer
    lifetime value (:func:`crmlib.value.clv`, infinite horizon) at the new margin equals the
    old one when retention reaches

    - ``timing="end"`` (``m r / (1 + d - r)``): ``r* = K (1 + d) / (m' + K)``,
    - ``timing="start"`` (``m (1 + d) / (1 + d - r)``): ``r* = (1 + d) (1 - m' / K)``,

    with ``K`` the CLV without the cut and ``m'`` the margin after it.

    Parameters
    ----------
    margin : float > 0
        Margin per customer per period before the cut.
    price_cut : float >= 0
        Money off the price per period (the margin falls by as much).
    retention : float in [0, 1)
        Retention per period without the cut.
    discount_rate : float in [0, 1]
        Discount rate per period.
    timing : {"end", "start"}
        As in :func:`crmlib.value.clv`.

    Returns
    -------
    float
        The break-even retention; ``inf`` when no retention below 1 makes up for the cut
        (the cut eats the whole margin, or the needed retention would be 1 or more).

    Examples
    --------
    A 3만원 monthly margin, 0.5만원 off for loyal customers, 80% retention a month, 1% a
    month discount rate: the CLV is 3 x 0.8 / 0.21 = 11.43만원, and retention must rise to
    about 82.9% for the cut to pay.

    >>> needed = break_even_retention(3, 0.5, 0.8, 0.01)
    >>> round(needed, 4)
    0.8287
    >>> from crmlib.value import clv
    >>> round(float(clv(2.5, needed, 0.01)), 4), round(float(clv(3, 0.8, 0.01)), 4)
    (11.4286, 11.4286)
    """
    margin = require_number(margin, "margin", minimum=0, strict=True)
    price_cut = require_number(price_cut, "price_cut", minimum=0)
    value = float(clv(margin, retention, discount_rate, timing=timing))
    d = float(discount_rate)
    after = margin - price_cut
    if after <= 0:
        return float("inf")
    if timing == "end":
        needed = value * (1 + d) / (after + value)
    else:
        needed = (1 + d) * (1 - after / value)
    return float(needed) if needed < 1 else float("inf")


def introductory_offer_cost(
    price_cut: float | np.ndarray | pd.Series,
    months: int,
    retention: float | np.ndarray | pd.Series,
    discount_rate: float,
    *,
    timing: str = "end",
) -> float | np.ndarray | pd.Series:
    """Expected present cost of an introductory discount for a new customer's first months.

    An offer of ``price_cut`` off the price for the first ``months`` periods is paid only in
    the periods the customer is still there. With the timing of
    :func:`crmlib.value.clv` (``"end"``: period *t*'s margin, and so its discount, arrives at
    the end of the period with probability ``r**t``) the expected present cost is

    ``sum over t = 1..months of price_cut x (r / (1 + d))**t``

    (``"start"``: ``t = 0..months-1``), that is the CLV of a margin of ``price_cut`` over a
    horizon of ``months``. Charging ``months x price_cut`` up front instead overstates the
    cost for customers who leave early. Subtract the result from the CLV at the full margin
    (``acquisition_cost=`` of :func:`crmlib.value.clv`) for the customer's value after the
    offer.

    Parameters
    ----------
    price_cut : number, array or Series
        Money off the price per period during the offer (>= 0; the margin falls by as much).
    months : int >= 1
        Number of periods the offer lasts (its first period is the customer's first).
    retention : number, array or Series
        Probability that the customer stays each period, in [0, 1).
    discount_rate : float
        Discount rate per period, in [0, 1].
    timing : {"end", "start"}
        As in :func:`crmlib.value.clv`.

    Returns
    -------
    float, ndarray or Series
        The expected present cost, broadcast as :func:`crmlib.value.clv` does.

    Examples
    --------
    2만원 off for three months, retention 0.6 a month, 1% a month: the customer is still
    there at the end of month 1, 2, 3 with probability 0.6, 0.36, 0.216, so the expected
    cost is well below the nominal 6만원.

    >>> round(introductory_offer_cost(2, 3, 0.6, 0.01), 3)  # 2 (q + q**2 + q**3), q = 0.6/1.01
    2.313
    >>> offer = introductory_offer_cost(2, 3, 0.6, 0.01)
    >>> round(float(clv(3, 0.6, 0.01, acquisition_cost=offer)), 2)  # 4.39 - 2.31
    2.08
    """
    months = require_number(months, "months", minimum=1)
    if months != int(months):
        raise ValueError(f"months: expected a whole number of periods >= 1, got {months!r}")
    cuts = np.asarray(price_cut, dtype=float)
    if np.any(cuts < 0):
        raise ValueError(f"price_cut: expected money off the price >= 0, got {price_cut!r}")
    return clv(price_cut, retention, discount_rate, horizon=int(months), timing=timing)
