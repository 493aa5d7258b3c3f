"""Tests for crmlib.points (points liability, IFRS 15 allocation and revenue release) and
crmlib.campaign.campaign_roi."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib import campaign, points

# --- IFRS 15, Illustrative Example 52 (IE267-IE270) ---------------------------------------
# Products sold for CU100,000 earn 10,000 points worth CU1 each; 97% expected to be redeemed.
# The standard allocates CU91,000 / CU9,000 (relative prices 100,000 : 9,700, rounded to 91% and
# 9%); year 1: 4,500 points redeemed, 9,700 expected -> revenue CU4,175; year 2: 4,000 more
# (8,500 in all), 9,900 now expected -> revenue CU3,552.


def test_allocation_reproduces_ifrs_15_example_52():
    a = points.allocate_points(100_000, 10_000, value_per_point=1, redemption_rate=0.97)
    assert a.points_standalone == pytest.approx(9_700)
    assert a.points_revenue == pytest.approx(100_000 * 9_700 / 109_700)
    assert a.product_revenue + a.points_revenue == pytest.approx(100_000)
    # the standard rounds the selling-price ratios to whole percentages
    assert round(a.points_revenue / 100_000, 2) == 0.09
    assert round(a.product_revenue / 100_000, 2) == 0.91


def test_revenue_release_reproduces_ifrs_15_example_52():
    table = points.recognise_points_revenue(9_000, [4_500, 4_000], [9_700, 9_900])
    assert table["revenue"].round().tolist() == [4_175, 3_552]
    assert table["cumulative_redeemed"].tolist() == [4_500, 8_500]
    assert table["liability"].iloc[-1] == pytest.approx(9_000 - 9_000 * 8_500 / 9_900)
    assert table["period"].tolist() == [1, 2]


def test_kpmg_variant_with_a_lower_estimate():
    # KPMG's IFRS 15 handbook, example 10B: year 2 expects 9,200 instead -> 4,140.
    table = points.recognise_points_revenue(9_000, [4_500, 4_000], [9_700, 9_200])
    assert round(table["revenue"].iloc[1]) == 4_140


def test_revenue_release_sums_to_the_allocation_when_all_expected_points_are_redeemed():
    table = points.recognise_points_revenue(1_000, [300, 300, 400], 1_000)
    assert table["revenue"].sum() == pytest.approx(1_000)
    assert table["liability"].iloc[-1] == pytest.approx(0)
    assert (table["expected_redemptions"] == 1_000).all()


def test_no_points_means_no_deferral():
    a = points.allocate_points(500, 0, value_per_point=1, redemption_rate=0.9)
    assert a.points_revenue == 0 and a.product_revenue == 500
    full = points.allocate_points(500, 100, value_per_point=1, redemption_rate=1.0)
    assert full.points_revenue == pytest.approx(500 * 100 / 600)


def test_liability_is_points_times_redemption_times_cost():
    assert points.points_liability(1_000, redemption_rate=0.75, cost_per_point=2) == 1_500
    tiers = pd.Series([100.0, 300.0], index=["base", "gold"])
    out = points.points_liability(tiers, redemption_rate=np.array([0.5, 1.0]), cost_per_point=1)
    assert out.index.tolist() == ["base", "gold"] and out.tolist() == [50.0, 300.0]
    assert out.name == "liability"
    grid = points.points_liability(1_000, redemption_rate=[0.6, 0.8, 1.0], cost_per_point=0.5)
    assert np.allclose(grid, [300, 400, 500])
    # more breakage, smaller liability
    assert points.points_liability(
        10, redemption_rate=0.2, cost_per_point=1
    ) < points.points_liability(10, redemption_rate=0.3, cost_per_point=1)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: points.points_liability(-5, redemption_rate=0.5, cost_per_point=1), ValueError,
         "points_outstanding: expected finite numbers >= 0"),
        (lambda: points.points_liability(5, redemption_rate=80, cost_per_point=1), ValueError,
         "redemption_rate: .*a percentage"),
        (lambda: points.points_liability(5, redemption_rate=0.5, cost_per_point="7"), TypeError,
         "cost_per_point: expected numbers"),
        (lambda: points.points_liability([1, 2], redemption_rate=[0.5, 0.5, 0.5], cost_per_point=1),
         ValueError, "expected shapes that broadcast"),
        (lambda: points.allocate_points(0, 10, value_per_point=1, redemption_rate=0.5), ValueError,
         "sales: expected"),
        (lambda: points.allocate_points(100, 10, value_per_point=1, redemption_rate=1.5),
         ValueError, "redemption_rate: expected"),
        (lambda: points.recognise_points_revenue(100, [50, 60], [100, 100]), ValueError,
         "expected_redemptions: expected at least the points redeemed so far, got 100 in period 2.*not running totals"),
        (lambda: points.recognise_points_revenue(100, [50, 60], [200, 200, 200]), ValueError,
         r"expected_redemptions: expected one number, or one per period \(2\), got 3"),
        (lambda: points.recognise_points_revenue(100, [], 10), ValueError,
         "redeemed: expected one number per period"),
        (lambda: points.recognise_points_revenue(100, [10, -1], 10), ValueError,
         "redeemed: expected finite numbers >= 0"),
        (lambda: points.recognise_points_revenue(100, [10], 0), ValueError,
         "expected_redemptions: expected finite numbers > 0"),
    ],
)  # fmt: skip
def test_points_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- campaign_roi -------------------------------------------------------------------------------


def test_roi_of_the_direct_mail_example():
    # Spend 10,000 on direct mail, 50,000 of incremental revenue at a 60% margin: incremental
    # margin 30,000, ROI (30,000 - 10,000) / 10,000 = 2 (Farris et al.'s definition).
    r = campaign.campaign_roi(10_000, 800, 500, value_per_response=60, cost_per_contact=1)
    assert r.spend == 10_000 and r.incremental_value == 30_000
    assert r.incremental_profit == 20_000 and r.roi == 2.0
    assert r.naive_profit == 800 * 60 - 10_000


def test_roi_matches_evaluate_pilot_without_an_offer():
    df = pd.DataFrame(
        {
            "group": ["treatment"] * 400 + ["control"] * 200,
            "responded": [1] * 60 + [0] * 340 + [1] * 10 + [0] * 190,
        }
    )
    row = campaign.evaluate_pilot(df, value_per_response=40, cost_per_contact=3).iloc[0]
    r = campaign.campaign_roi(400, 60, row["incremental_responders"], value_per_response=40,
                              cost_per_contact=3)  # fmt: skip
    assert r.incremental_profit == pytest.approx(row["incremental_profit"])
    assert r.roi == pytest.approx(row["incremental_profit"] / (400 * 3))


def test_the_offer_is_paid_on_every_response():
    base = campaign.campaign_roi(1_000, 100, 40, value_per_response=50, cost_per_contact=1)
    offer = campaign.campaign_roi(1_000, 100, 40, value_per_response=50, cost_per_contact=1,
                                  offer_cost=5)  # fmt: skip
    assert offer.spend - base.spend == 100 * 5
    assert offer.incremental_profit == base.incremental_profit - 500
    assert offer.naive_roi > offer.roi


def test_counts_from_a_result_row_may_be_whole_floats():
    as_floats = campaign.campaign_roi(600.0, 88.0, 46.0, value_per_response=10, cost_per_contact=1)
    assert as_floats == campaign.campaign_roi(600, 88, 46, value_per_response=10,
                                              cost_per_contact=1)  # fmt: skip


def test_nothing_spent_gives_nan_roi_and_negative_uplift_a_loss():
    free = campaign.campaign_roi(100, 10, 5, value_per_response=10, cost_per_contact=0)
    assert np.isnan(free.roi) and np.isnan(free.naive_roi) and free.incremental_profit == 50
    harm = campaign.campaign_roi(100, 10, -3.5, value_per_response=10, cost_per_contact=1)
    assert harm.incremental_profit == -135 and harm.roi < -1


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        ((0, 0, 0), {}, ValueError, "n_contacted: expected whole numbers >= 1"),
        ((10.5, 0, 0), {}, ValueError, "n_contacted: expected whole numbers >= 1, got 10.5"),
        ((True, 0, 0), {}, TypeError, "n_contacted: expected numbers"),
        ((10, 11, 1), {}, ValueError, r"responders: expected at most n_contacted \(10\)"),
        ((10, 5, 1.5e3), {}, ValueError, "incremental_responders: expected a number between"),
        ((10, 5, "3"), {}, TypeError, "incremental_responders: expected a finite number"),
        ((10, 5.5, 1), {}, ValueError, "responders: expected whole numbers >= 0, got 5.5"),
        ((10, "5", 1), {}, TypeError, "responders: expected numbers"),
        ((10, 5, 1), {"value_per_response": -1}, ValueError, "value_per_response: expected"),
        ((10, 5, 1), {"offer_cost": -2}, ValueError, "offer_cost: expected a number >= 0"),
    ],
)
def test_roi_bad_inputs(args, kwargs, error, message):
    settings = {"value_per_response": 10.0, "cost_per_contact": 1.0, **kwargs}
    with pytest.raises(error, match=message):
        campaign.campaign_roi(*args, **settings)
