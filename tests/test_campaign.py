"""Tests for crmlib.campaign: test-vs-control evaluation of a campaign."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import crmlib.campaign as cp


def test_z_test_equals_the_chi_square_test_of_the_two_by_two_table():
    # The pooled two-proportion z-test is the Pearson chi-square test without continuity
    # correction: z squared = chi2 and the p-values agree.
    t = cp.uplift_test(86, 750, 46, 750)
    table = np.array([[86, 750 - 86], [46, 750 - 46]])
    chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
    assert t.z**2 == pytest.approx(chi2)
    assert t.p_value == pytest.approx(p)
    assert t.z > 0 and t.uplift == pytest.approx(86 / 750 - 46 / 750)
    assert t.lift == pytest.approx(86 / 46)


# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (hybrid score),
# 95 % limits to 4 decimals: (a) 56/70-48/80, (b) 9/10-3/10, (c) 6/7-2/7, (d) 5/56-0/29,
# (e) 0/10-0/20, (f) 0/10-0/10, (g) 10/10-0/20, (h) 10/10-0/10.
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize("counts, published", NEWCOMBE_TABLE_II)
def test_interval_reproduces_newcombes_published_method_10(counts, published):
    t = cp.uplift_test(*counts)
    assert (round(t.uplift_low, 4), round(t.uplift_high, 4)) == published


def wilson_reference(responders: int, n: int, confidence: float) -> tuple[float, float]:
    """SciPy's Wilson interval, a second implementation to build Newcombe's from."""
    ci = stats.binomtest(responders, n).proportion_ci(confidence, method="wilson")
    return float(ci.low), float(ci.high)


@pytest.mark.parametrize(
    "counts, confidence",
    [((115, 1000, 61, 1000), 0.95), ((3, 40, 0, 12), 0.9), ((400, 400, 1, 3), 0.99)],
)
def test_interval_is_newcombes_hybrid_of_scipys_wilson_intervals(counts, confidence):
    r_t, n_t, r_c, n_c = counts
    (l_t, u_t), (l_c, u_c) = (
        wilson_reference(r_t, n_t, confidence),
        wilson_reference(r_c, n_c, confidence),
    )
    p_t, p_c = r_t / n_t, r_c / n_c
    t = cp.uplift_test(*counts, confidence=confidence)
    assert t.uplift_low == pytest.approx(p_t - p_c - np.hypot(p_t - l_t, u_c - p_c))
    assert t.uplift_high == pytest.approx(min(1.0, p_t - p_c + np.hypot(u_t - p_t, p_c - l_c)))


def test_interval_widens_with_confidence_and_is_not_the_wald_interval():
    t = cp.uplift_test(30, 200, 10, 200, confidence=0.9)
    wide = cp.uplift_test(30, 200, 10, 200, confidence=0.99)
    assert wide.uplift_low < t.uplift_low and wide.uplift_high > t.uplift_high
    # the review's case: control 10 at 0 %, treated 5,000 at 50 %. The Wald interval,
    # 0.5 +- 1.96 * se, ignores the control's uncertainty (48.6 % to 51.4 %).
    few = cp.uplift_test(2500, 5000, 0, 10)
    wald_low = 0.5 - stats.norm.ppf(0.975) * few.uplift_se
    assert few.uplift_low < wald_low - 0.2
    assert few.uplift_high > 0.5 and few.uplift_high - few.uplift_low > 0.25


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_interval_properties(treatment, control, confidence):
    (r_t, n_t), (r_c, n_c) = treatment, control
    t = cp.uplift_test(r_t, n_t, r_c, n_c, confidence=confidence)
    assert -1.0 <= t.uplift_low <= t.uplift <= t.uplift_high <= 1.0
    if r_t in (0, n_t) or r_c in (0, n_c):  # a group with no (or every) responder
        assert t.uplift_high - t.uplift_low > 0
    if (r_t, r_c) == (0, 0) or (r_t, r_c) == (n_t, n_c):  # nothing to tell the groups apart
        assert t.uplift_low < 0 < t.uplift_high


def test_edge_cases_give_nan_not_errors():
    no_control_response = cp.uplift_test(5, 100, 0, 100)
    assert np.isnan(no_control_response.lift) and no_control_response.p_value < 0.05
    nobody = cp.uplift_test(0, 100, 0, 100)
    assert nobody.uplift == 0 and np.isnan(nobody.z) and np.isnan(nobody.p_value)


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        ((5, 0, 1, 10), {}, ValueError, "n_treatment: expected a whole number >= 1, got 0"),
        ((-1, 10, 1, 10), {}, ValueError, "responders_treatment: expected a whole number >= 0"),
        ((11, 10, 1, 10), {}, ValueError, r"responders_treatment: expected at most n_treatment"),
        ((1, 10, 12, 10), {}, ValueError, r"responders_control: expected at most n_control"),
        ((1.5, 10, 1, 10), {}, TypeError, "responders_treatment: expected a whole number"),
        ((True, 10, 1, 10), {}, TypeError, "responders_treatment: expected a whole number"),
        ((1, 10, 1, 10), {"confidence": 1.0}, ValueError, r"confidence: expected a fraction"),
        ((1, 10, 1, 10), {"confidence": "95%"}, TypeError, "confidence: expected a number"),
    ],
)
def test_uplift_test_bad_inputs(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        cp.uplift_test(*args, **kwargs)


@pytest.fixture
def pilot() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 4000
    group = np.where(rng.random(n) < 0.5, "treatment", "control")
    event = rng.random(n) < 0.3
    rate = 0.05 + 0.05 * event + np.where(group == "treatment", 0.02 + 0.08 * event, 0)
    return pd.DataFrame(
        {"group": group, "event": event, "responded": rng.random(n) < rate},
        index=pd.RangeIndex(100, 100 + n),
    )


def test_evaluate_matches_the_counts(pilot):
    before = pilot.copy()
    out = cp.evaluate_pilot(pilot, value_per_response=300.0, cost_per_contact=10.0)
    assert len(out) == 1
    row = out.iloc[0]
    t = pilot[pilot["group"] == "treatment"]["responded"]
    c = pilot[pilot["group"] == "control"]["responded"]
    assert (row["n_treatment"], row["n_control"]) == (len(t), len(c))
    assert (row["responders_treatment"], row["responders_control"]) == (t.sum(), c.sum())
    expected = cp.uplift_test(int(t.sum()), len(t), int(c.sum()), len(c))
    assert row["uplift"] == pytest.approx(expected.uplift)
    assert row["p_value"] == pytest.approx(expected.p_value)
    assert row["incremental_responders"] == pytest.approx(expected.uplift * len(t))
    assert row["incremental_profit"] == pytest.approx(expected.uplift * len(t) * 300 - 10 * len(t))
    assert row["profit_per_contact"] == pytest.approx(row["incremental_profit"] / len(t))
    # the profit range is the uplift interval carried through the same formula
    for end in ("low", "high"):
        uplift = getattr(expected, f"uplift_{end}")
        assert row[f"incremental_profit_{end}"] == pytest.approx(
            uplift * len(t) * 300 - 10 * len(t)
        )
    assert (
        row["incremental_profit_low"] < row["incremental_profit"] < row["incremental_profit_high"]
    )
    pd.testing.assert_frame_equal(pilot, before)


def test_evaluate_by_segment_finds_where_the_campaign_works(pilot):
    out = cp.evaluate_pilot(pilot, by="event")
    assert out["event"].tolist() == [False, True]
    assert out["n_treatment"].sum() == (pilot["group"] == "treatment").sum()
    without, with_event = out.iloc[0], out.iloc[1]
    assert with_event["uplift"] > without["uplift"]
    assert with_event["p_value"] < 0.001
    assert cp.evaluate_pilot(pilot, by=["event"]).equals(out)


def test_evaluate_with_other_labels_and_numeric_outcome():
    df = pd.DataFrame({"arm": [1, 1, 1, 0, 0, 0], "bought": [1, 1, 0, 1, 0, 0]})
    out = cp.evaluate_pilot(df, group="arm", outcome="bought", treatment=1, control=0)
    assert out.loc[0, "rate_treatment"] == pytest.approx(2 / 3)
    assert out.loc[0, "lift"] == pytest.approx(2.0)


@pytest.mark.parametrize(
    "change, kwargs, error, message",
    [
        ({"group": "test"}, {}, ValueError, r"column 'group': expected only 'treatment' and"),
        (
            {"responded": np.nan},
            {},
            ValueError,
            r"column 'responded': expected binary outcomes \(True/False or 0/1\) for every customer",
        ),
        (
            {"responded": 2},
            {},
            ValueError,
            r"column 'responded': expected binary outcomes \(True/False or 0/1, 1 = yes\), got values such as 2",
        ),
        (
            {"responded": "yes"},
            {},
            ValueError,
            r"column 'responded': .* got values such as 'yes'; convert labels first",
        ),
        ({}, {"by": "region"}, KeyError, r"df: missing column\(s\) 'region'"),
        ({}, {"outcome": "bought"}, KeyError, r"missing column\(s\) 'bought'"),
        ({}, {"value_per_response": -1}, ValueError, "value_per_response: expected a number >="),
        ({}, {"cost_per_contact": "10"}, TypeError, "cost_per_contact: expected a finite number"),
        ({}, {"control": "treatment"}, ValueError, "expected two different groups"),
        ({}, {"confidence": 0}, ValueError, "confidence: expected a fraction"),
    ],
)
def test_evaluate_bad_inputs(pilot, change, kwargs, error, message):
    df = pilot.copy()
    for column, value in change.items():
        df[column] = df[column].astype(object)
        df.loc[df.index[:3], column] = value
    with pytest.raises(error, match=message):
        cp.evaluate_pilot(df, **kwargs)


def test_evaluate_refuses_a_segment_without_a_control_group(pilot):
    df = pilot.copy()
    df.loc[df["event"] & (df["group"] == "control"), "event"] = False
    with pytest.raises(ValueError, match=r"in segment True, got none in 'control'"):
        cp.evaluate_pilot(df, by="event")
    with pytest.raises(ValueError, match="got an empty DataFrame"):
        cp.evaluate_pilot(pilot.iloc[:0])
    with pytest.raises(ValueError, match="expected customers in both groups, got none in"):
        cp.evaluate_pilot(pilot[pilot["group"] == "treatment"])


# --- standard error and the difference of two uplifts -----------------------------------------


def test_uplift_se_is_the_unpooled_standard_error_not_the_interval():
    t = cp.uplift_test(30, 200, 10, 200)
    assert t.uplift_se == pytest.approx(np.sqrt(0.15 * 0.85 / 200 + 0.05 * 0.95 / 200))
    # Newcombe's interval is not uplift +- z * se: asymmetric, here wider above
    assert t.uplift_high - t.uplift > t.uplift - t.uplift_low
    assert cp.uplift_test(0, 50, 0, 50).uplift_se == 0  # what uplift_difference gets at 0/n


def test_evaluate_pilot_carries_the_standard_error_per_segment():
    df = pd.DataFrame(
        {
            "group": ["treatment", "control"] * 200,
            "responded": [1, 0, 0, 0] * 100,
            "segment": ["a"] * 200 + ["b"] * 200,
        }
    )
    out = cp.evaluate_pilot(df, by="segment")
    for _, row in out.iterrows():
        t = cp.uplift_test(
            row["responders_treatment"], row["n_treatment"],
            row["responders_control"], row["n_control"],
        )  # fmt: skip
        assert row["uplift_se"] == pytest.approx(t.uplift_se)


def test_uplift_difference_by_hand_and_from_pilot_rows():
    a, b = cp.uplift_test(33, 97, 13, 94), cp.uplift_test(53, 653, 33, 656)
    d = cp.uplift_difference(a, b)
    se = np.sqrt(a.uplift_se**2 + b.uplift_se**2)
    assert d.difference == pytest.approx(a.uplift - b.uplift)
    assert d.se == pytest.approx(se)
    assert d.z == pytest.approx((a.uplift - b.uplift) / se)
    assert d.p_value == pytest.approx(2 * stats.norm.sf(abs(d.z)))
    assert d.low < d.difference < d.high
    assert d.high - d.low == pytest.approx(2 * stats.norm.ppf(0.975) * se)
    # the same from result rows (a Series or a dict), and antisymmetric
    rows = pd.DataFrame([a._asdict(), b._asdict()])
    from_rows = cp.uplift_difference(rows.iloc[0], dict(rows.iloc[1]))
    assert from_rows.p_value == pytest.approx(d.p_value)
    back = cp.uplift_difference(b, a)
    assert back.difference == pytest.approx(-d.difference) and back.p_value == pytest.approx(
        d.p_value
    )


def test_uplift_difference_without_variation_and_bad_input():
    none = cp.uplift_test(0, 50, 0, 50)
    assert np.isnan(cp.uplift_difference(none, none).p_value)
    with pytest.raises(TypeError, match="first: expected an uplift_test result"):
        cp.uplift_difference({"uplift": 0.1}, none)
    with pytest.raises(ValueError, match=r"second\['uplift_se'\]: expected a number >= 0"):
        cp.uplift_difference(none, {"uplift": 0.1, "uplift_se": -1.0})
    with pytest.raises(ValueError, match="confidence: expected a fraction"):
        cp.uplift_difference(none, none, confidence=1.0)


def test_evaluate_pilot_with_an_offer_has_the_profit_of_campaign_roi(pilot):
    by = cp.evaluate_pilot(
        pilot, by="event", value_per_response=300.0, cost_per_contact=10.0, offer_cost=25.0
    )
    for _, row in by.iterrows():
        n, responders = row["n_treatment"], row["responders_treatment"]
        for end in ("", "_low", "_high"):
            roi = cp.campaign_roi(
                n, responders, row[f"uplift{end}"] * n,
                value_per_response=300.0, cost_per_contact=10.0, offer_cost=25.0,
            )  # fmt: skip
            assert row[f"incremental_profit{end}"] == pytest.approx(roi.incremental_profit)
        # the offer is paid on every response of the mailed, not only on the extra ones
        without = cp.evaluate_pilot(
            pilot[pilot["event"] == row["event"]], value_per_response=300.0, cost_per_contact=10.0
        ).iloc[0]
        assert without["incremental_profit"] - row["incremental_profit"] == pytest.approx(
            25.0 * responders
        )


def test_break_even_uplift_zeroes_the_profit_with_the_control_rate_fixed():
    value, cost = 54.0, 1.5
    for offer in (0.0, 5.0, 10.0):
        for control in (0.0, 0.07, 0.3):
            u = cp.break_even_uplift(value, cost, offer_cost=offer, control_rate=control)
            n = 1_000_000
            profit = u * n * value - n * cost - (control + u) * n * offer
            assert profit == pytest.approx(0.0, abs=1e-6 * n)
            # a little more uplift pays, a little less does not
            more = (u + 0.001) * n * value - n * cost - (control + u + 0.001) * n * offer
            assert more > 0
    assert cp.break_even_uplift(value, cost) == pytest.approx(cost / value)
    # the voucher paid by customers who respond anyway raises the bar
    assert cp.break_even_uplift(value, cost, 5, 0.1) > cp.break_even_uplift(value, cost, 5, 0.0)
    assert cp.break_even_uplift(10, cost, offer_cost=10) == float("inf")


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"control_rate": 7}, ValueError, "control_rate"),
        ({"offer_cost": -1}, ValueError, "offer_cost"),
        ({"control_rate": "0.1"}, TypeError, "control_rate"),
    ],
)
def test_break_even_uplift_bad_inputs(kwargs, error, match):
    with pytest.raises(error, match=match):
        cp.break_even_uplift(50, 1.5, **kwargs)


def test_campaign_money_values_a_response_at_the_mean_order_of_the_mailed_responders():
    from crmlib import datasets

    camp = datasets.load_campaign()
    money = datasets.campaign_money(camp)
    answered = camp[(camp["group"] == "treatment") & camp["responded"]]
    assert money["value_per_response"] == pytest.approx(0.3 * answered["order_value"].mean())
    assert money["value_per_response"] != pytest.approx(0.3 * answered["order_value"].median())
    assert (money["cost_per_contact"], money["offer_cost"]) == (1.5, 5.0)
    # one mailing, one profit: evaluate_pilot and campaign_roi agree with the same money
    row = cp.evaluate_pilot(camp, **money).iloc[0]
    roi = cp.campaign_roi(
        row["n_treatment"], row["responders_treatment"], row["incremental_responders"], **money
    )
    assert row["incremental_profit"] == pytest.approx(roi.incremental_profit)
    with pytest.raises(ValueError, match="order_value"):
        datasets.campaign_money(camp.drop(columns="order_value"))


def test_z_test_and_interval_can_disagree_at_the_edge():
    """The documented caveat: the pooled z-test and Newcombe's interval are different
    methods, so p < 0.05 need not mean an interval that excludes 0 (the case studies word
    their verdict from the interval)."""
    t = cp.uplift_test(26, 300, 14, 300)
    assert t.p_value < 0.05
    assert t.uplift_low < 0 < t.uplift_high
    # well inside, they agree
    clear = cp.uplift_test(40, 300, 14, 300)
    assert clear.p_value < 0.05 and clear.uplift_low > 0
