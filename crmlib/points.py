"""Loyalty-programme points: what the points a company has issued cost it, and when.

A points programme (로열티 프로그램) gives a customer points with each purchase; the points
buy a reward later. Until they are redeemed, issued points are a promise, and a company keeps
two numbers about that promise:

- **The marketing cost** (:func:`points_liability`): the points outstanding that will be
  redeemed, times what one redeemed point costs the company (the cost of the reward, not its
  face value). Not every point is redeemed: the share that never is (points that expire or
  are forgotten) is the **breakage** (미사용률), ``breakage = 1 - redemption_rate``.
- **The accounting view** (IFRS 15 *Revenue from Contracts with Customers*, paragraphs
  B39-B43 and Illustrative Example 52, paragraphs IE267-IE270; K-IFRS 1115 in Korea): points
  are a *material right* sold with the purchase, so part of the price is revenue only when
  the points are redeemed. :func:`allocate_points` splits a sale's price between the products
  and the points by their stand-alone selling prices, the points' price being their face
  value times the expected redemption rate; :func:`recognise_points_revenue` releases the
  part allocated to the points (a contract liability) as points are redeemed, in proportion
  to the redemptions expected in total, re-estimated each period.

Both use the same expected redemption rate: estimating breakage well is the whole problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from crmlib.validation import as_number, as_numbers, shaped

__all__ = ["PointsAllocation", "points_liability", "allocate_points", "recognise_points_revenue"]


def points_liability(
    points_outstanding: object, *, redemption_rate: object, cost_per_point: object
) -> float | np.ndarray | pd.Series:
    """What the points outstanding will cost the company when they are redeemed.

    ``liability = points_outstanding x redemption_rate x cost_per_point``: of the points
    issued and not yet redeemed, the share ``redemption_rate`` will be redeemed (the rest,
    ``1 - redemption_rate``, is breakage), and each redeemed point costs the company
    ``cost_per_point`` (the cost of the reward it buys, e.g. the cost of goods of a free
    coffee, not its menu price).

    Parameters
    ----------
    points_outstanding : number, array or Series
        Points issued and not yet redeemed (>= 0), e.g. one value per customer or per tier.
    redemption_rate : number, array or Series
        Expected share of the outstanding points that will ever be redeemed, in [0, 1];
        ``1 - redemption_rate`` is the breakage.
    cost_per_point : number, array or Series
        Cost to the company of one redeemed point (money, >= 0).

    Returns
    -------
    float, ndarray or Series
        The liability in the money of ``cost_per_point``; a Series (same index) when
        ``points_outstanding`` is one.

    Examples
    --------
    Two million points outstanding, 80% expected to be redeemed (20% breakage), each point
    costing the shop 7 won in rewards:

    >>> points_liability(2_000_000, redemption_rate=0.8, cost_per_point=7)
    11200000.0
    >>> points_liability(pd.Series([500.0, 2000.0], index=["silver", "gold"]),
    ...                  redemption_rate=[0.6, 0.9], cost_per_point=7).round(1).to_dict()
    {'silver': 2100.0, 'gold': 12600.0}
    """
    points = as_numbers(points_outstanding, "points_outstanding", low=0)
    rate = as_numbers(redemption_rate, "redemption_rate", low=0, high=1)
    cost = as_numbers(cost_per_point, "cost_per_point", low=0)
    try:
        result = points * rate * cost
    except ValueError:
        raise ValueError(
            "points_outstanding, redemption_rate, cost_per_point: expected shapes that "
            f"broadcast, got {points.shape}, {rate.shape} and {cost.shape}"
        ) from None
    like = points_outstanding if isinstance(points_outstanding, pd.Series) else None
    return shaped(result, like, "liability")


class PointsAllocation(NamedTuple):
    """Result of :func:`allocate_points` (money in the unit of ``sales``)."""

    product_revenue: float
    points_revenue: float
    points_standalone: float


def allocate_points(
    sales: float, points_issued: float, *, value_per_point: float, redemption_rate: float
) -> PointsAllocation:
    """Split the price of sales that earn points between the products and the points (IFRS 15).

    The points' stand-alone selling price is their face value weighted by the chance of
    redemption, ``points_issued x value_per_point x redemption_rate``. The price paid,
    ``sales`` (the products' stand-alone price), is split in proportion to the two
    stand-alone prices: the products' share is revenue now, the points' share
    (``points_revenue``) is a contract liability until the points are redeemed
    (:func:`recognise_points_revenue`).

    Parameters
    ----------
    sales : float
        Price paid for the products that earned the points (> 0), equal to their stand-alone
        selling price.
    points_issued : float
        Points earned with these sales (>= 0).
    value_per_point : float
        What one point is worth to the customer when redeemed (>= 0), e.g. a discount of 1.
    redemption_rate : float
        Expected share of the points that will be redeemed, in [0, 1]: the points expected to
        be redeemed over the points issued (9,500 of 10,000 is 0.95).

    Returns
    -------
    PointsAllocation
        ``product_revenue`` (recognised now), ``points_revenue`` (deferred) and
        ``points_standalone`` (the points' stand-alone selling price).

    Examples
    --------
    IFRS 15's Illustrative Example 52 (IE267-IE270): products sold for CU100,000 earn 10,000
    points, each a CU1 discount on future purchases; 9,500 of them (95%) are expected to be
    redeemed, so the points' stand-alone selling price is CU9,500. The standard allocates
    CU91,324 (100,000 x 100,000 / 109,500) to the products and CU8,676 (100,000 x 9,500 /
    109,500) to the points:

    >>> a = allocate_points(100_000, 10_000, value_per_point=1, redemption_rate=9_500 / 10_000)
    >>> round(a.points_standalone), round(a.product_revenue), round(a.points_revenue)
    (9500, 91324, 8676)
    """
    sales = as_number(sales, "sales", low=0, low_open=True)
    points_issued = as_number(points_issued, "points_issued", low=0)
    value_per_point = as_number(value_per_point, "value_per_point", low=0)
    redemption_rate = as_number(redemption_rate, "redemption_rate", low=0, high=1)
    standalone = points_issued * value_per_point * redemption_rate
    points_revenue = sales * standalone / (sales + standalone)
    return PointsAllocation(
        product_revenue=sales - points_revenue,
        points_revenue=points_revenue,
        points_standalone=standalone,
    )


def recognise_points_revenue(
    points_revenue: float,
    redeemed: Sequence[float] | np.ndarray | pd.Series,
    expected_redemptions: float | Sequence[float] | np.ndarray | pd.Series,
) -> pd.DataFrame:
    """Release the revenue deferred for points as they are redeemed (IFRS 15, IE267-IE270).

    At the end of each period the revenue recognised so far is
    ``points_revenue x cumulative points redeemed / points expected to be redeemed in total``,
    with the expectation as re-estimated at that period's end; the period's revenue is the
    increase over the previous period, and the liability is what is left.

    Parameters
    ----------
    points_revenue : float
        The price allocated to the points when they were issued (``allocate_points(...)
        .points_revenue``), >= 0.
    redeemed : sequence of float
        Points redeemed in each period (>= 0), in order.
    expected_redemptions : float or sequence of float
        Points expected to be redeemed in total (all periods), as estimated at the end of
        each period: one number for all periods, or one per period. It cannot be below the
        points redeemed so far.

    Returns
    -------
    pandas.DataFrame
        One row per period (``period`` 1, 2, ...): ``redeemed``, ``cumulative_redeemed``,
        ``expected_redemptions``, ``cumulative_revenue``, ``revenue`` (this period) and
        ``liability`` (the deferred revenue left at the period's end).

    Examples
    --------
    IFRS 15's Illustrative Example 52, continued from :func:`allocate_points` (CU8,676
    allocated to the points): 4,500 points are redeemed in period 1, when 9,500 are still
    expected; 4,000 more in period 2 (8,500 in all), when 9,700 are expected. Revenue is
    CU4,110 (4,500 / 9,500 x 8,676) in period 1; CU7,603 (8,500 / 9,700 x 8,676) in all by
    the end of period 2, so CU3,493 in period 2; the contract liability is CU4,566, then
    CU1,073. The allocation is passed unrounded; only the display is rounded:

    >>> a = allocate_points(100_000, 10_000, value_per_point=1, redemption_rate=0.95)
    >>> table = recognise_points_revenue(a.points_revenue, [4_500, 4_000], [9_500, 9_700])
    >>> table["revenue"].round().tolist(), table["cumulative_revenue"].round().tolist()
    ([4110.0, 3493.0], [4110.0, 7603.0])
    >>> table["liability"].round().tolist()
    [4566.0, 1073.0]
    """
    points_revenue = as_number(points_revenue, "points_revenue", low=0)
    done = as_numbers(redeemed, "redeemed", low=0)
    if done.ndim != 1 or len(done) == 0:
        raise ValueError(
            f"redeemed: expected one number per period (a list), got shape {done.shape}"
        )
    expected = as_numbers(expected_redemptions, "expected_redemptions", low=0, low_open=True)
    if expected.ndim == 0:
        expected = np.full(len(done), float(expected))
    if expected.shape != done.shape:
        raise ValueError(
            f"expected_redemptions: expected one number, or one per period "
            f"({len(done)}), got {expected.size}"
        )
    cumulative = np.cumsum(done)
    short = np.flatnonzero(expected < cumulative)
    if len(short):
        i = short[0]
        raise ValueError(
            f"expected_redemptions: expected at least the points redeemed so far, got "
            f"{expected[i]:g} in period {i + 1}, when {cumulative[i]:g} had been redeemed; "
            "give the points redeemed in each period, not running totals"
        )
    recognised = points_revenue * cumulative / expected
    return pd.DataFrame(
        {
            "period": np.arange(1, len(done) + 1),
            "redeemed": done,
            "cumulative_redeemed": cumulative,
            "expected_redemptions": expected,
            "cumulative_revenue": recognised,
            "revenue": np.diff(recognised, prepend=0.0),
            "liability": points_revenue - recognised,
        }
    )
