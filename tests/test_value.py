"""Tests for crmlib.value: CLV, customer equity, share of wallet, retention vs acquisition."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib import value
from crmlib.value import clv, customer_equity, retention_vs_acquisition, share_of_wallet

# --- clv ------------------------------------------------------------------------------------


def explicit_sum(m: float, r: float, d: float, horizon: int, timing: str) -> float:
    first = 1 if timing == "end" else 0
    return sum(m * r**t / (1 + d) ** t for t in range(first, first + horizon))


@pytest.mark.parametrize("timing", ["end", "start"])
@pytest.mark.parametrize(("m", "r", "d"), [(100.0, 0.8, 0.1), (35.0, 0.0, 0.2), (-20.0, 0.95, 0.0)])
@pytest.mark.parametrize("horizon", [1, 2, 7, 30])
def test_clv_finite_horizon_is_the_sum_of_discounted_margins(m, r, d, horizon, timing):
    expected = explicit_sum(m, r, d, horizon, timing)
    assert clv(m, r, d, horizon=horizon, timing=timing) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("m", "r", "d"), [(100.0, 0.8, 0.1), (35.0, 0.5, 0.0), (1.0, 0.99, 0.12)])
def test_clv_infinite_horizon_closed_forms(m, r, d):
    assert clv(m, r, d) == pytest.approx(m * r / (1 + d - r), rel=1e-12)
    assert clv(m, r, d, timing="start") == pytest.approx(m * (1 + d) / (1 + d - r), rel=1e-12)
    assert clv(m, r, d, horizon=5000) == pytest.approx(clv(m, r, d), rel=1e-9)
    # the two conventions differ by one period's survival and discount_rate, r / (1 + d)
    assert clv(m, r, d) == pytest.approx(clv(m, r, d, timing="start") * r / (1 + d), rel=1e-12)


def test_clv_reproduces_gupta_lehmann_margin_multiples():
    # Gupta & Lehmann (2005), "Managing Customers as Investments", margin multiple
    # r / (1 + i - r) for retention 60-90% and discount_rate 10-16%, to two decimals
    published = {
        0.6: [1.20, 1.15, 1.11, 1.07],
        0.7: [1.75, 1.67, 1.59, 1.52],
        0.8: [2.67, 2.50, 2.35, 2.22],
        0.9: [4.50, 4.09, 3.75, 3.46],
    }
    rates = np.array([0.10, 0.12, 0.14, 0.16])
    grid = clv(1.0, np.array(list(published))[:, None], rates[None, :])
    np.testing.assert_array_equal(np.round(grid, 2), np.array(list(published.values())))


def test_clv_is_vectorised_and_keeps_series_index():
    grid = clv(
        np.array([50.0, 100.0])[:, None, None],
        np.array([0.6, 0.8])[None, :, None],
        [0.05, 0.1, 0.15],
    )
    assert grid.shape == (2, 2, 3)
    assert grid[1, 1, 1] == pytest.approx(clv(100.0, 0.8, 0.1))
    margins = pd.Series([10.0, 20.0], index=["a", "b"])
    out = clv(margins, pd.Series([0.5, 0.9], index=["a", "b"]), 0.1, acquisition_cost=5.0)
    assert isinstance(out, pd.Series) and out.index.tolist() == ["a", "b"]
    assert out["b"] == pytest.approx(20 * 0.9 / 0.2 - 5)
    horizons = clv(100.0, 0.8, 0.1, horizon=np.array([1, 2, np.inf]))
    np.testing.assert_allclose(
        horizons, [100 * 0.8 / 1.1, explicit_sum(100, 0.8, 0.1, 2, "end"), 800 / 3]
    )
    assert isinstance(clv(1, 0.5, 0.1), float)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"retention": 1.0}, ValueError, r"retention: expected numbers >= 0 and < 1, got 1\.0"),
        ({"retention": [0.5, -0.1]}, ValueError, r"retention: expected numbers >= 0 and < 1, got -0\.1"),
        ({"retention": np.nan}, ValueError, "retention: expected numbers, found 1 missing"),
        ({"discount_rate": -0.01}, ValueError, "discount_rate: expected numbers >= 0 and <= 1, got -0.01"),
        ({"margin": "a lot"}, TypeError, "margin: expected numbers, got <U5 values such as 'a lot'"),
        ({"margin": True}, TypeError, "margin: expected numbers, got bool"),
        ({"margin": np.inf}, ValueError, "margin: expected finite numbers, got inf"),
        ({"margin": pd.DataFrame({"m": [1]})}, TypeError, "margin: expected a number, array or Series"),
        ({"horizon": 0}, ValueError, "horizon: expected whole numbers >= 1, got 0.0"),
        ({"horizon": 2.5}, ValueError, "horizon: expected whole numbers >= 1, got 2.5"),
        ({"acquisition_cost": -1}, ValueError, "acquisition_cost: expected finite numbers >= 0"),
        ({"timing": "middle"}, ValueError, r"timing: expected one of \('end', 'start'\), got 'middle'"),
        ({"margin": [1.0, 2.0], "retention": [0.1, 0.2, 0.3]}, ValueError,
         r"do not broadcast together: margin \(2,\), retention \(3,\)"),
        ({"margin": pd.Series([1.0, 2.0]), "retention": pd.Series([0.5, 0.5], index=[5, 6])},
         ValueError, "retention: expected the same index as margin"),
        ({"margin": pd.Series([1.0, 2.0]), "discount_rate": np.array([[0.1], [0.2]])}, ValueError,
         r"a Series argument gives the result's index \(2 rows\), but the result has shape \(2, 2\)"),
    ],
)  # fmt: skip
def test_clv_refuses_bad_input(kwargs, error, match):
    args = {"margin": 100.0, "retention": 0.8, "discount_rate": 0.1} | kwargs
    with pytest.raises(error, match=match):
        clv(**args)


# --- customer_equity ------------------------------------------------------------------------


def test_customer_equity_sums_clv_over_cohorts():
    sizes, margins, rates = (
        np.array([1000, 400, 50]),
        np.array([80.0, 120.0, 40.0]),
        np.array([0.7, 0.85, 0.3]),
    )
    out = customer_equity(sizes, margins, rates, 0.1, horizon=10)
    expected = sum(
        s * explicit_sum(m, r, 0.1, 10, "end")
        for s, m, r in zip(sizes, margins, rates, strict=True)
    )
    assert out["current_customers"] == pytest.approx(expected)
    assert out["future_cohorts"] == 0 and out["total"] == out["current_customers"]
    per_customer = customer_equity(1, margins, rates, 0.1, horizon=10)
    assert per_customer["total"] == pytest.approx(
        sum(explicit_sum(m, r, 0.1, 10, "end") for m, r in zip(margins, rates, strict=True))
    )


def test_customer_equity_with_new_cohorts_matches_gupta_lehmann_stuart():
    n, m, r, d, c = 500.0, 60.0, 0.75, 0.12, 90.0
    out = customer_equity(n, m, r, d, timing="start", new_customers=n, acquisition_cost=c)
    # Gupta, Lehmann & Stuart (2004), constant cohorts from time 0 on, each paying c:
    # n * (m (1 + d) / (1 + d - r) - c) * (1 + d) / d; today's cohort here pays no c
    gls = n * (m * (1 + d) / (1 + d - r) - c) * (1 + d) / d
    assert out["total"] == pytest.approx(gls + n * c, rel=1e-12)
    finite = customer_equity(
        n, m, r, d, new_customers=40, acquisition_cost=c, acquisition_periods=3
    )
    each = clv(m, r, d) - c
    assert finite["future_cohorts"] == pytest.approx(
        sum(40 * each / (1 + d) ** k for k in (1, 2, 3))
    )
    no_discount = customer_equity(n, m, r, 0.0, new_customers=40, acquisition_periods=3)
    assert no_discount["future_cohorts"] == pytest.approx(3 * 40 * clv(m, r, 0.0))


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((-5, 60.0, 0.7, 0.1), {}, ValueError, "customers: expected finite numbers >= 0, got -5.0"),
        ((5, 60.0, 0.7, [0.1, 0.2]), {}, ValueError, r"discount_rate: expected one number, got an array of shape \(2,\)"),
        ((5, [60.0, 70.0], 0.7, 0.1), {"new_customers": 3}, ValueError,
         r"new_customers: future cohorts need a single margin and retention, got values of shape \(2,\)"),
        ((5, 60.0, 0.7, 0.0), {"new_customers": 3}, ValueError, "cohorts acquired forever need discount_rate > 0"),
        ((5, 60.0, 0.7, 0.1), {"new_customers": 3, "acquisition_periods": 0}, ValueError,
         "acquisition_periods: expected a whole number >= 1, got 0"),
        ((5, 60.0, 0.7, 0.1), {"acquisition_cost": -2}, ValueError, "acquisition_cost: expected finite numbers >= 0"),
        (([1, 2, 3], [60.0, 70.0], 0.7, 0.1), {}, ValueError, r"customers \(3,\), margin and retention \(2,\)"),
        ((5, 60.0, 1.2, 0.1), {}, ValueError, "retention: expected numbers >= 0 and < 1"),
    ],
)  # fmt: skip
def test_customer_equity_refuses_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        customer_equity(*args, **kwargs)


# --- share_of_wallet ------------------------------------------------------------------------


def test_share_of_wallet_per_customer_and_overall():
    ours = pd.Series([20.0, 90.0, 0.0, 0.0], index=["a", "b", "c", "d"])
    total = pd.Series([0.0, 100.0, 100.0, 50.0], index=["d", "b", "a", "c"])  # any order
    total["a"], total["d"] = 100.0, 0.0
    out = share_of_wallet(ours, total)
    assert out.per_customer.index.tolist() == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(out.per_customer.to_numpy()[:3], [0.2, 0.9, 0.0])
    assert np.isnan(out.per_customer["d"])  # spent nothing in the category
    assert out.overall == pytest.approx(110 / 250)
    plain = share_of_wallet(np.array([1.0, 3.0]), [4.0, 4.0])
    assert plain.per_customer.tolist() == [0.25, 0.75] and plain.overall == 0.5
    assert ours.tolist() == [20.0, 90.0, 0.0, 0.0]  # not mutated


@pytest.mark.parametrize(
    ("ours", "total", "error", "match"),
    [
        (pd.Series([5.0, 1.0], index=["a", "b"]), pd.Series([4.0, 2.0], index=["a", "b"]), ValueError,
         r"1 customer\(s\) spend more with us than in the category: 'a'"),
        ([5.0, -1.0], [6.0, 2.0], ValueError, "spend_with_us: expected finite numbers >= 0, got -1.0"),
        ([1.0, 2.0], [6.0], ValueError, r"got shapes \(2,\) and \(1,\)"),
        ([1.0, np.nan], [6.0, 3.0], ValueError, "spend_with_us: expected numbers, found 1 missing"),
        (pd.Series([1.0], index=["a"]), pd.Series([2.0], index=["b"]), ValueError,
         r"total_category_spend: expected the same customers as spend_with_us; 1 missing \('a'\)"),
        (pd.Series([1.0, 1.0], index=["a", "a"]), pd.Series([2.0, 2.0], index=["a", "a"]), ValueError,
         "spend_with_us: expected one value per customer, repeated: 'a'"),
        (["x"], [1.0], TypeError, "spend_with_us: expected numbers"),
    ],
)  # fmt: skip
def test_share_of_wallet_refuses_bad_input(ours, total, error, match):
    with pytest.raises(error, match=match):
        share_of_wallet(ours, total)


# --- retention_vs_acquisition ---------------------------------------------------------------


def test_retention_vs_acquisition_tidy_frame_and_economics():
    n, churn, m, keep, multiple = 10_000, 0.2, 50.0, 20.0, 6.0
    out = retention_vs_acquisition(
        n, churn, m, keep, acquisition_multiple=multiple, discount_rate=0.1
    )
    assert list(out.columns) == [
        "budget", "strategy", "cost_per_customer", "customers_gained", "churn_rate",
        "customers_next", "value_gained", "profit", "roi",
    ]  # fmt: skip
    assert len(out) == 22 and out["strategy"].tolist()[:2] == ["retention", "acquisition"]
    assert out["budget"].max() == pytest.approx(2 * n * churn * keep)
    worth = clv(m, 1 - churn, 0.1, timing="start")
    np.testing.assert_allclose(out["value_gained"], out["customers_gained"] * worth)
    np.testing.assert_allclose(out["profit"], out["value_gained"] - out["budget"])
    ret = out[out["strategy"] == "retention"].reset_index(drop=True)
    acq = out[out["strategy"] == "acquisition"].reset_index(drop=True)
    below_cap = ret["budget"] <= n * churn * keep
    # until every leaver is kept, a budget keeps `multiple` times the customers it would win
    np.testing.assert_allclose(
        ret.loc[below_cap, "customers_gained"], multiple * acq.loc[below_cap, "customers_gained"]
    )
    assert ret["customers_gained"].max() == pytest.approx(n * churn)  # capped: nobody left
    assert ret["churn_rate"].iloc[-1] == 0 and (acq["churn_rate"] == churn).all()
    np.testing.assert_allclose(ret["customers_next"], n * (1 - churn) + ret["customers_gained"])
    assert np.isnan(out["roi"].iloc[0]) and out["roi"].iloc[2] == pytest.approx(
        out["profit"].iloc[2] / out["budget"].iloc[2]
    )
    one = retention_vs_acquisition(n, churn, m, keep, budget=1000.0, horizon=3)
    assert len(one) == 2 and one["value_gained"].iloc[0] == pytest.approx(
        50 * explicit_sum(m, 0.8, 0.1, 3, "start")
    )


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((0, 0.2, 50.0, 20.0), {}, ValueError, "customers: expected a whole number >= 1, got 0"),
        ((100, 0.0, 50.0, 20.0), {}, ValueError, r"churn_rate: expected a fraction in \(0, 1\], got 0.0"),
        ((100, 1.5, 50.0, 20.0), {}, ValueError, "churn_rate: expected a fraction"),
        ((100, 0.2, -5.0, 20.0), {}, ValueError, "margin: expected finite numbers > 0, got -5.0"),
        ((100, 0.2, 50.0, 0.0), {}, ValueError, "retention_cost: expected finite numbers > 0, got 0.0"),
        ((100, 0.2, 50.0, 20.0), {"budget": [10.0, -1.0]}, ValueError, "budget: expected finite numbers >= 0"),
        ((100, 0.2, 50.0, 20.0), {"budget": [[1.0]]}, ValueError, r"budget: expected a number or a 1-D array"),
        ((100, 0.2, 50.0, 20.0), {"acquisition_multiple": 0}, ValueError, "acquisition_multiple: expected finite numbers > 0"),
        ((100, 0.2, [50.0, 60.0], 20.0), {}, ValueError, r"margin: expected one number, got an array of shape \(2,\)"),
        ((100, 0.2, 50.0, 20.0), {"discount_rate": -0.1}, ValueError, "discount_rate: expected numbers >= 0 and <= 1"),
    ],
)  # fmt: skip
def test_retention_vs_acquisition_refuses_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        retention_vs_acquisition(*args, **kwargs)


# --- portfolio_plan -------------------------------------------------------------------------


def plan_by_hand(row, clv_threshold, share_threshold):
    """The rules of the docstring, one customer at a time."""
    high = row["clv"] >= clv_threshold
    room = row["share_of_wallet"] < share_threshold
    if high and room:
        return "invest: grow the share"
    if high:
        return "retain: protect the relationship"
    if row["segment"] in ("At risk", "Can't lose"):
        return "win back, spending less than the CLV"
    if row["segment"] in ("Lost", "Hibernating"):
        return "let go"
    if room and row["clv"] / row["share_of_wallet"] >= clv_threshold:
        return "develop: test cheaply"
    return "maintain at low cost"


def test_portfolio_plan_follows_its_rules_in_order():
    rng = np.random.default_rng(0)
    n = 400
    segments = ["Champions", "Loyal", "At risk", "Can't lose", "Lost", "Hibernating", "New"]
    base = pd.DataFrame(
        {
            "clv": np.round(rng.gamma(1.5, 600, n), 2),
            "share_of_wallet": np.round(rng.uniform(0.05, 1.0, n), 2),
            "segment": rng.choice(segments, n),
        },
        index=pd.Index(rng.permutation(n), name="customer"),
    )
    before = base.copy()
    out = value.portfolio_plan(base, clv_threshold=1_000, share_threshold=0.4)
    expected = base.apply(plan_by_hand, axis=1, args=(1_000, 0.4))
    assert out["plan"].astype(str).tolist() == expected.tolist()
    assert set(out["plan"]) == set(value.PLANS)  # every rule is reached
    assert list(out["plan"].cat.categories) == list(value.PLANS)
    np.testing.assert_allclose(out["potential"], base["clv"] / base["share_of_wallet"])
    pd.testing.assert_frame_equal(base, before)  # not mutated
    # a valuable customer is invested in or retained whatever the RFM segment says
    valuable = out[out["clv"] >= 1_000]
    assert valuable["plan"].isin(value.PLANS[:2]).all()
    renamed = base.rename(columns={"clv": "value", "segment": "rfm"})
    other = value.portfolio_plan(
        renamed, clv_threshold=1_000, share_threshold=0.4, clv="value", segment="rfm"
    )
    assert other["plan"].tolist() == out["plan"].tolist()


@pytest.mark.parametrize(
    ("change", "kwargs", "error", "match"),
    [
        (lambda d: d.assign(share_of_wallet=0.0), {}, ValueError, r"column 'share_of_wallet': expected numbers > 0"),
        (lambda d: d.assign(share_of_wallet=1.2), {}, ValueError, r"column 'share_of_wallet': expected numbers > 0 and <= 1"),
        (lambda d: d.drop(columns="segment"), {}, KeyError, r"customers: missing column\(s\) 'segment'"),
        (lambda d: d.assign(clv="a"), {}, TypeError, r"column 'clv': expected numbers"),
        (lambda d: d, {"clv_threshold": 0}, ValueError, "clv_threshold: expected a number > 0"),
        (lambda d: d, {"share_threshold": 50}, ValueError, r"share_threshold: expected a fraction in \(0, 1\]"),
        (lambda d: d, {"win_back": "At risk"}, TypeError, "win_back: expected a tuple of segment names"),
    ],
)  # fmt: skip
def test_portfolio_plan_refuses_bad_input(change, kwargs, error, match):
    base = pd.DataFrame(
        {"clv": [3000.0, 10.0], "share_of_wallet": [0.9, 0.3], "segment": ["Champions", "Lost"]}
    )
    args = {"clv_threshold": 1_000} | kwargs
    with pytest.raises(error, match=match):
        value.portfolio_plan(change(base), **args)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"discount_rate": 10},
            r"discount_rate: expected numbers >= 0 and <= 1, got 10.*a percentage\? Give a fraction: 0.1 for 10%",
        ),
        (
            {"retention": 80},
            r"retention: expected numbers .*got 80.*a percentage\? Give a fraction: 0.8 for 80%",
        ),
    ],
)
def test_a_rate_given_as_a_percentage_is_refused_with_the_fraction(kwargs, message):
    with pytest.raises(ValueError, match=message):
        clv(**({"margin": 100.0, "retention": 0.8, "discount_rate": 0.1} | kwargs))


def test_share_of_wallet_names_a_repeated_customer_in_the_category_spend():
    ours = pd.Series([20.0, 90.0], index=["ann", "bob"])
    total = pd.Series([100.0, 100.0, 50.0], index=["ann", "bob", "bob"])
    with pytest.raises(
        ValueError, match=r"total_category_spend: expected one value per customer, repeated: 'bob'"
    ):
        share_of_wallet(ours, total)
