"""Did the campaign work? Test group against a randomised control group.

A campaign's response rate alone says little: some customers would have bought anyway.
Holding out a random **control group** that is not contacted measures what the contact
*added*:

- **lift**: treatment response rate / control response rate;
- **uplift**: treatment rate - control rate (percentage points), with Newcombe's hybrid
  score confidence interval (built from the two groups' Wilson intervals);
- a **two-proportion z-test** of "no difference";
- **incremental responders** (uplift x contacted customers) and **incremental profit**
  (incremental responders x value per response - contacted customers x cost per contact),
  with the profit range that the uplift's confidence interval implies.

:func:`uplift_test` works from counts; :func:`evaluate_pilot` from a customer table, overall
or by segment; :func:`uplift_difference` tests whether the uplift differs between two
segments (e.g. customers with and without a recent life event). :func:`campaign_roi` turns
a campaign's counts into its return on marketing investment, with the offer's cost paid on
every response, and shows what crediting every response to the campaign would claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from crmlib.intervals import wilson
from crmlib.validation import (
    as_number,
    require_columns,
    require_fraction,
    require_frame,
    require_number,
    require_outcomes,
    require_positive_int,
)

__all__ = [
    "UpliftTest",
    "UpliftDifference",
    "CampaignROI",
    "uplift_test",
    "uplift_difference",
    "evaluate_pilot",
    "campaign_roi",
    "break_even_uplift",
]


class UpliftTest(NamedTuple):
    """Result of :func:`uplift_test` (rates and uplift as fractions)."""

    rate_treatment: float
    rate_control: float
    lift: float
    uplift: float
    uplift_se: float
    uplift_low: float
    uplift_high: float
    z: float
    p_value: float


class UpliftDifference(NamedTuple):
    """Result of :func:`uplift_difference` (uplifts and their difference as fractions)."""

    difference: float
    se: float
    low: float
    high: float
    z: float
    p_value: float


def _count(value: object, name: str, *, minimum: int) -> int:
    return require_positive_int(value, name, minimum=minimum)


def uplift_test(
    responders_treatment: int,
    n_treatment: int,
    responders_control: int,
    n_control: int,
    *,
    confidence: float = 0.95,
) -> UpliftTest:
    """Compare two response rates: lift, uplift with a confidence interval, z-test.

    The interval is Newcombe's hybrid score interval for a difference of two proportions
    (Newcombe 1998, *Statistics in Medicine* 17:873-890, method 10). Each group's rate gets
    its Wilson score interval ``(l, u)``, and the two are combined:

    ``uplift_low = uplift - sqrt((p_t - l_t)**2 + (u_c - p_c)**2)``,
    ``uplift_high = uplift + sqrt((u_t - p_t)**2 + (p_c - l_c)**2)``.

    Unlike the simple normal (Wald) interval ``uplift +- z * uplift_se``, it stays within
    [-1, 1], is asymmetric where a rate is near 0 or 1, and keeps a group's uncertainty
    when none (or all) of its customers responded, where the Wald interval treats that
    group's rate as known exactly; it covers the true uplift close to the stated confidence
    even for small groups.

    The test is the two-sided **pooled two-proportion z-test** of "no difference" (the
    rates pooled under the null hypothesis; the same as Pearson's chi-square test of the
    2 x 2 table without continuity correction). It relies on the normal approximation:
    trust its p-value when each group has at least about ten responders and ten
    non-responders.

    The p-value and the interval come from **different methods** (the pooled z-test uses
    one standard error under "no difference", Newcombe's interval the two Wilson
    intervals), so at the edge they can disagree: ``p_value`` just below ``1 -
    confidence`` while the interval just includes 0, or the other way round (an example
    below). To call an uplift significant in words beside its interval, use the interval
    (``uplift_low > 0`` or ``uplift_high < 0``), so that the verdict matches the interval
    shown.

    Parameters
    ----------
    responders_treatment, n_treatment : int
        Responders and customers in the contacted (treatment) group.
    responders_control, n_control : int
        Responders and customers in the control group.
    confidence : float, default 0.95
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    UpliftTest
        ``rate_treatment``, ``rate_control``, ``lift`` (NaN when the control rate is 0),
        ``uplift``, ``uplift_se`` (the unpooled standard error of the uplift,
        ``sqrt(p_t (1 - p_t) / n_t + p_c (1 - p_c) / n_c)``, which
        :func:`uplift_difference` combines; the interval does not use it),
        ``uplift_low``, ``uplift_high`` (Newcombe's interval), ``z`` and ``p_value``.

    Examples
    --------
    >>> t = uplift_test(115, 1000, 61, 1000)
    >>> round(t.lift, 2), round(t.uplift, 3), round(t.uplift_low, 3), round(t.uplift_high, 3)
    (1.89, 0.054, 0.029, 0.079)
    >>> round(t.uplift_se, 4), round(t.z, 2), f"{t.p_value:.1e}"
    (0.0126, 4.26, '2.0e-05')

    Newcombe's first worked example (56/70 against 48/80), as his Table II gives it:

    >>> t = uplift_test(56, 70, 48, 80)
    >>> round(t.uplift_low, 4), round(t.uplift_high, 4)
    (0.0524, 0.3339)

    A control group of 10 with no responder leaves a wide interval (the Wald interval
    would be 48.6% to 51.4%):

    >>> t = uplift_test(2500, 5000, 0, 10)
    >>> round(t.uplift_low, 3), round(t.uplift_high, 3)
    (0.222, 0.514)

    At the edge the two methods disagree: 26/300 against 14/300 passes the z-test at 5 %,
    but its 95 % interval includes 0 (by 0.035 percentage points):

    >>> t = uplift_test(26, 300, 14, 300)
    >>> round(t.p_value, 4), round(t.uplift_low, 5), round(t.uplift_high, 4)
    (0.0495, -0.00035, 0.0817)
    """
    n_t = _count(n_treatment, "n_treatment", minimum=1)
    n_c = _count(n_control, "n_control", minimum=1)
    r_t = _count(responders_treatment, "responders_treatment", minimum=0)
    r_c = _count(responders_control, "responders_control", minimum=0)
    for name, r, n, group in (
        ("responders_treatment", r_t, n_t, "n_treatment"),
        ("responders_control", r_c, n_c, "n_control"),
    ):
        if r > n:
            raise ValueError(f"{name}: expected at most {group} ({n}), got {r}")
    confidence = require_fraction(confidence, "confidence", high_inclusive=False)
    p_t, p_c = r_t / n_t, r_c / n_c
    uplift = p_t - p_c
    se = np.sqrt(p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c)
    low_t, high_t = wilson(r_t, n_t, confidence=confidence)
    low_c, high_c = wilson(r_c, n_c, confidence=confidence)
    # Newcombe's method 10: each end combines the two groups' Wilson distances that push
    # the difference that way; clipped to [-1, 1] against rounding at 0/n and n/n.
    low = max(-1.0, uplift - float(np.hypot(p_t - low_t, high_c - p_c)))
    high = min(1.0, uplift + float(np.hypot(high_t - p_t, p_c - low_c)))
    pooled = (r_t + r_c) / (n_t + n_c)
    se0 = np.sqrt(pooled * (1 - pooled) * (1 / n_t + 1 / n_c))
    # With no responders (or no non-responders) at all there is no variation to test.
    z = uplift / se0 if se0 > 0 else float("nan")
    p_value = 2 * stats.norm.sf(abs(z)) if se0 > 0 else float("nan")
    return UpliftTest(
        rate_treatment=p_t,
        rate_control=p_c,
        lift=p_t / p_c if p_c > 0 else float("nan"),
        uplift=uplift,
        uplift_se=float(se),
        uplift_low=low,
        uplift_high=high,
        z=float(z),
        p_value=float(p_value),
    )


def _uplift_and_se(result: object, name: str) -> tuple[float, float]:
    """``uplift`` and ``uplift_se`` of an :class:`UpliftTest` or of a result row (Series/dict)."""
    try:
        if isinstance(result, tuple) and hasattr(result, "_fields"):
            uplift, se = result.uplift, result.uplift_se
        else:
            uplift, se = result["uplift"], result["uplift_se"]
    except (KeyError, AttributeError, TypeError, IndexError):
        raise TypeError(
            f"{name}: expected an uplift_test result or a row of evaluate_pilot (with "
            f"'uplift' and 'uplift_se'), got {type(result).__name__}"
        ) from None
    uplift = require_number(uplift, f"{name}['uplift']")
    se = require_number(se, f"{name}['uplift_se']", minimum=0)
    return uplift, se


def uplift_difference(
    first: object, second: object, *, confidence: float = 0.95
) -> UpliftDifference:
    """Does the contact add more in one segment than in another? Test the uplifts' difference.

    Two segments with their own treatment and control groups (e.g. customers with and
    without a recent life event) are independent samples, so the difference of their
    uplifts has the standard error ``sqrt(se_1**2 + se_2**2)`` (each ``se`` the unpooled
    ``uplift_se`` of :func:`uplift_test`). The interval is the normal (Wald) interval
    ``difference +- z * se`` and the test the two-sided z-test ``difference / se``; both
    rely on the normal approximation, so trust them when each of the four groups has at
    least about ten responders and ten non-responders (with a group at 0 % or 100 % its
    ``uplift_se`` understates the uncertainty).

    Parameters
    ----------
    first, second : UpliftTest, or a row of :func:`evaluate_pilot` (Series or dict)
        Anything with ``uplift`` and ``uplift_se``.
    confidence : float, default 0.95
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    UpliftDifference
        ``difference`` (first uplift - second uplift), its ``se``, ``low`` and ``high``
        (the interval), ``z`` and ``p_value`` (NaN when both standard errors are 0).

    Examples
    --------
    >>> after_event = uplift_test(33, 97, 13, 94)
    >>> without = uplift_test(53, 653, 33, 656)
    >>> d = uplift_difference(after_event, without)
    >>> round(d.difference, 3), round(d.se, 3), round(d.p_value, 4)
    (0.171, 0.061, 0.0053)
    """
    u1, se1 = _uplift_and_se(first, "first")
    u2, se2 = _uplift_and_se(second, "second")
    confidence = require_fraction(confidence, "confidence", high_inclusive=False)
    difference, se = u1 - u2, float(np.hypot(se1, se2))
    z_crit = stats.norm.ppf(0.5 + confidence / 2)
    z = difference / se if se > 0 else float("nan")
    p_value = float(2 * stats.norm.sf(abs(z))) if se > 0 else float("nan")
    return UpliftDifference(
        difference=difference,
        se=se,
        low=float(difference - z_crit * se),
        high=float(difference + z_crit * se),
        z=float(z),
        p_value=p_value,
    )


def _outcome(values: pd.Series, column: str) -> pd.Series:
    """``values`` as 0/1 integers (validation.require_outcomes: booleans or 0/1, no gaps)."""
    return pd.Series(require_outcomes(values, f"column {column!r}").astype(int), index=values.index)


def evaluate_pilot(
    df: pd.DataFrame,
    *,
    group: str = "group",
    outcome: str = "responded",
    treatment: object = "treatment",
    control: object = "control",
    by: str | Sequence[str] | None = None,
    value_per_response: float = 0.0,
    cost_per_contact: float = 0.0,
    offer_cost: float = 0.0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Evaluate a test-vs-control campaign from one row per customer.

    Parameters
    ----------
    df : DataFrame
        One row per customer in the campaign, with the group and the outcome.
    group : str, default "group"
        Column saying which group each customer was in.
    outcome : str, default "responded"
        Column with the response (True/False or 1/0), no missing values.
    treatment, control : default "treatment", "control"
        The values of ``group`` that mark the contacted and the held-out customers; rows
        with any other value are an error (filter them out first).
    by : str or list of str, optional
        Segment columns: one result row per segment (sorted), each its own test.
    value_per_response : float, default 0
        What one extra response is worth (e.g. the margin of the product taken), >= 0.
    cost_per_contact : float, default 0
        What contacting one customer costs, >= 0.
    offer_cost : float, default 0
        What the offer costs per response (a voucher redeemed), >= 0. It is paid on every
        response of the contacted customers, including those who would have responded
        anyway, so the profit is that of :func:`campaign_roi` with the same arguments.
    confidence : float, default 0.95
        Confidence level of the uplift interval.

    Returns
    -------
    pandas.DataFrame
        One row (or one per segment) with ``n_treatment``, ``n_control``,
        ``responders_treatment``, ``responders_control``, the :class:`UpliftTest` fields
        (including ``uplift_se``, for :func:`uplift_difference`),
        ``incremental_responders`` (uplift x n_treatment), ``incremental_profit``
        (incremental responders x value_per_response - n_treatment x cost_per_contact -
        responders_treatment x offer_cost), ``incremental_profit_low`` and
        ``incremental_profit_high`` (the same at ``uplift_low`` and ``uplift_high``: profit
        is linear in the uplift, so the uplift's interval carries over; the offers paid are
        the observed ones) and ``profit_per_contact``.

    Examples
    --------
    >>> df = pd.DataFrame({"group": ["treatment"] * 200 + ["control"] * 200,
    ...                    "responded": [1] * 30 + [0] * 170 + [1] * 10 + [0] * 190})
    >>> out = evaluate_pilot(df, value_per_response=100, cost_per_contact=2)
    >>> out.loc[0, ["rate_treatment", "rate_control", "lift", "uplift",
    ...             "incremental_responders", "incremental_profit"]].astype(float).round(3)
    rate_treatment               0.15
    rate_control                 0.05
    lift                         3.00
    uplift                       0.10
    incremental_responders      20.00
    incremental_profit        1600.00
    Name: 0, dtype: float64
    >>> out.loc[0, ["incremental_profit_low", "incremental_profit_high"]].astype(float).round(0)
    incremental_profit_low      433.0
    incremental_profit_high    2809.0
    Name: 0, dtype: float64

    A voucher of 10 paid on each of the 30 responses costs 300 more:

    >>> float(evaluate_pilot(df, value_per_response=100, cost_per_contact=2,
    ...                      offer_cost=10).loc[0, "incremental_profit"])
    1300.0
    """
    require_frame(df, "df")
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    require_columns(df, [group, outcome, *by], "df")
    value_per_response = require_number(value_per_response, "value_per_response", minimum=0)
    cost_per_contact = require_number(cost_per_contact, "cost_per_contact", minimum=0)
    offer_cost = require_number(offer_cost, "offer_cost", minimum=0)
    confidence = require_fraction(confidence, "confidence", high_inclusive=False)
    if treatment == control:
        raise ValueError(f"treatment, control: expected two different groups, got {treatment!r}")
    labels = df[group]
    other = labels[~labels.isin([treatment, control])]
    if len(other):
        raise ValueError(
            f"column {group!r}: expected only {treatment!r} and {control!r}, got "
            f"{len(other)} row(s) with other values such as {pd.unique(other)[:3].tolist()}"
        )
    y = _outcome(df[outcome], outcome)
    is_t = (labels == treatment).to_numpy()
    frame = pd.DataFrame({"t": is_t.astype(int), "c": (~is_t).astype(int)}, index=df.index)
    frame["rt"] = y.to_numpy() * frame["t"]
    frame["rc"] = y.to_numpy() * frame["c"]
    if by:
        groups = frame.groupby([df[b] for b in by], sort=True, observed=True, dropna=False)
        counts = groups.sum()
    else:
        counts = frame.sum().to_frame().T
    rows = []
    for key, row in counts.iterrows():
        n_t, n_c = int(row["t"]), int(row["c"])
        where = f" in segment {key!r}" if by else ""
        if n_t == 0 or n_c == 0:
            missing = treatment if n_t == 0 else control
            raise ValueError(
                f"column {group!r}: expected customers in both groups{where}, "
                f"got none in {missing!r}"
            )
        test = uplift_test(int(row["rt"]), n_t, int(row["rc"]), n_c, confidence=confidence)
        incremental = test.uplift * n_t
        # profit is linear in the uplift, so the uplift's interval maps to a profit range
        spend = n_t * cost_per_contact + int(row["rt"]) * offer_cost
        low, profit, high = (
            u * n_t * value_per_response - spend
            for u in (test.uplift_low, test.uplift, test.uplift_high)
        )
        rows.append(
            {
                "n_treatment": n_t,
                "n_control": n_c,
                "responders_treatment": int(row["rt"]),
                "responders_control": int(row["rc"]),
                **test._asdict(),
                "incremental_responders": incremental,
                "incremental_profit": profit,
                "incremental_profit_low": low,
                "incremental_profit_high": high,
                "profit_per_contact": profit / n_t,
            }
        )
    out = pd.DataFrame(rows)
    if by:
        index = counts.index.to_frame(index=False)
        index.columns = by
        out = pd.concat([index, out], axis=1)
    return out


class CampaignROI(NamedTuple):
    """Result of :func:`campaign_roi` (money in the unit of the arguments; ROI as a fraction)."""

    spend: float
    incremental_value: float
    incremental_profit: float
    roi: float
    naive_profit: float
    naive_roi: float


def campaign_roi(
    n_contacted: int,
    responders: int,
    incremental_responders: float,
    *,
    value_per_response: float,
    cost_per_contact: float,
    offer_cost: float = 0.0,
) -> CampaignROI:
    """Return on marketing investment of a campaign, from its contacts and responses.

    Farris, Bendle, Pfeifer & Reibstein (2010, *Marketing Metrics*, ch. 10) define the
    return on marketing investment as the incremental contribution the spending brought,
    less the spending, over the spending. For a campaign:

    - ``spend = n_contacted x cost_per_contact + responders x offer_cost``: every contact
      costs, and the offer (a voucher, a gift, a price discount) is paid on *every*
      response, including those of customers who would have bought anyway;
    - ``incremental_value = incremental_responders x value_per_response``: only responses
      the campaign added count (from a control group: ``uplift x n_contacted``);
    - ``incremental_profit = incremental_value - spend`` and ``roi = incremental_profit /
      spend``.

    ``naive_profit`` and ``naive_roi`` credit every response to the campaign
    (``responders x value_per_response``), as a report without a control group does; the
    gap between the two is what the control group is worth knowing.

    Parameters
    ----------
    n_contacted : int
        Customers contacted (a whole number >= 1; a whole float such as 600.0 from a result
        row is accepted).
    responders : int
        Responses among them (a whole number from 0 to ``n_contacted``).
    incremental_responders : float
        Responses the campaign added, ``uplift x n_contacted`` (an estimate: may be
        fractional or negative, e.g. an end of the uplift's confidence interval), between
        ``-n_contacted`` and ``n_contacted``.
    value_per_response : float
        Contribution (margin) of one response before the offer's cost, >= 0.
    cost_per_contact : float
        Cost of one contact, >= 0.
    offer_cost : float, default 0
        Cost of the offer per response (e.g. the voucher redeemed), >= 0.

    Returns
    -------
    CampaignROI
        ``spend``, ``incremental_value``, ``incremental_profit``, ``roi`` (NaN when nothing
        was spent), ``naive_profit`` and ``naive_roi``.

    Examples
    --------
    A mailing costs 10,000 and brings 500 extra orders with a margin of 60 each (the
    direct-mail example usually quoted with Farris et al.'s formula: 50,000 of incremental
    revenue at a 60% margin): every unit spent returns two in profit.

    >>> r = campaign_roi(10_000, 800, 500, value_per_response=60, cost_per_contact=1)
    >>> r.incremental_profit, r.roi
    (20000.0, 2.0)

    Crediting all 800 responses would have claimed a return of 3.8, and a voucher of 5 on
    every response cuts the true return to 1.14:

    >>> r.naive_roi
    3.8
    >>> round(campaign_roi(10_000, 800, 500, value_per_response=60, cost_per_contact=1,
    ...                    offer_cost=5).roi, 2)
    1.14
    """
    # counts may come as whole floats from a result row (evaluate_pilot(...).iloc[0])
    n = as_number(n_contacted, "n_contacted", low=1, whole=True)
    r = as_number(responders, "responders", low=0, whole=True)
    if r > n:
        raise ValueError(f"responders: expected at most n_contacted ({n:g}), got {r:g}")
    incremental = require_number(incremental_responders, "incremental_responders")
    if abs(incremental) > n:
        raise ValueError(
            f"incremental_responders: expected a number between -{n:g} and {n:g} (n_contacted), "
            f"got {incremental:g}; give responses (uplift x n_contacted), not money"
        )
    value = require_number(value_per_response, "value_per_response", minimum=0)
    cost = require_number(cost_per_contact, "cost_per_contact", minimum=0)
    offer = require_number(offer_cost, "offer_cost", minimum=0)
    spend = n * cost + r * offer
    incremental_value = incremental * value
    profit = incremental_value - spend
    naive = r * value - spend
    return CampaignROI(
        spend=float(spend),
        incremental_value=float(incremental_value),
        incremental_profit=float(profit),
        roi=float(profit / spend) if spend > 0 else float("nan"),
        naive_profit=float(naive),
        naive_roi=float(naive / spend) if spend > 0 else float("nan"),
    )


def break_even_uplift(
    value_per_response: float,
    cost_per_contact: float,
    offer_cost: float = 0.0,
    control_rate: float = 0.0,
) -> float:
    """Incremental response rate at which a campaign's incremental profit is zero.

    Per customer contacted, the campaign costs the contact and the offer on every response,
    and earns the margin of the responses it adds. Without the contact customers respond at
    ``control_rate`` (held fixed: it is what they do anyway); the contact adds ``u``, so the
    contacted respond at ``control_rate + u`` and every one of those responses redeems the
    offer. The profit per contact, ``u x value_per_response - cost_per_contact -
    (control_rate + u) x offer_cost``, is zero at

    ``u* = (cost_per_contact + control_rate x offer_cost) / (value_per_response - offer_cost)``.

    Parameters
    ----------
    value_per_response : float
        Margin of one response before the offer, > ``offer_cost``.
    cost_per_contact : float
        Cost of one contact, >= 0.
    offer_cost : float, default 0
        Cost of the offer per response (a voucher redeemed), >= 0.
    control_rate : float, default 0
        Response rate without the contact (the control group's), a fraction in [0, 1].

    Returns
    -------
    float
        The break-even uplift (extra responses per customer contacted); ``inf`` when an
        added response is worth no more than the offer, so no uplift pays. Without an
        offer it is ``cost_per_contact / value_per_response``.

    Examples
    --------
    A letter costs 1.5, a response is worth 50 of margin, a voucher of 5 is paid on every
    response, and 7% of customers respond without the letter:

    >>> round(break_even_uplift(50, 1.5, offer_cost=5, control_rate=0.07), 4)
    0.0411
    >>> r = campaign_roi(1000, round((0.07 + 0.0411) * 1000), 41.1, value_per_response=50,
    ...                  cost_per_contact=1.5, offer_cost=5)
    >>> round(r.incremental_profit)
    0
    """
    value = require_number(value_per_response, "value_per_response", minimum=0)
    cost = require_number(cost_per_contact, "cost_per_contact", minimum=0)
    offer = require_number(offer_cost, "offer_cost", minimum=0)
    rate = require_fraction(control_rate, "control_rate", low_inclusive=True)
    if value <= offer:
        return float("inf")
    return float((cost + rate * offer) / (value - offer))
