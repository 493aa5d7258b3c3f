"""Tests for crmlib.points (points liability, IFRS 15 allocation and revenue release) and
crmlib.campaign.campaign_roi."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlib import campaign, points

# --- IFRS 15, Illustrative Example 52 (IE267-IE270) ---------------------------------------
# Products sold for CU100,000 earn 10,000 points, each a CU1 discount on future purchases;
# 9,500 are expected to be redeemed, so the points' stand-alone selling price is CU9,500 and
# the standard allocates CU91,324 (100,000 x 100,000 / 109,500) to the products and CU8,676
# (100,000 x 9,500 / 109,500) to the points. Period 1: 4,500 points redeemed, 9,500 still
# expected -> revenue CU4,110 (4,500 / 9,500 x 8,676), contract liability CU4,566. Period 2:
# 8,500 redeemed in all, 9,700 now expected -> cumulative revenue CU7,603 (8,500 / 9,700 x
# 8,676), period-2 revenue CU3,493 (7,603 - 4,110), contract liability CU1,073.

EXAMPLE_52 = {"redeemed": [4_500, 4_000], "expected": [9_500, 9_700]}


def example_52_allocation():
    return points.allocate_points(
        100_000, 10_000, value_per_point=1, redemption_rate=9_500 / 10_000
    )


def test_allocation_reproduces_ifrs_15_example_52():
    a = example_52_allocation()
    assert a.points_standalone == pytest.approx(9_500)
    assert a.points_revenue == pytest.approx(100_000 * 9_500 / 109_500)
    assert a.product_revenue == pytest.approx(100_000 * 100_000 / 109_500)
    assert a.product_revenue + a.points_revenue == pytest.approx(100_000)
    # the published figures, rounded to whole CU only for the comparison
    assert (round(a.product_revenue), round(a.points_revenue)) == (91_324, 8_676)


def test_revenue_release_reproduces_ifrs_15_example_52():
    a = example_52_allocation()
    table = points.recognise_points_revenue(
        a.points_revenue, EXAMPLE_52["redeemed"], EXAMPLE_52["expected"]
    )
    assert table["period"].tolist() == [1, 2]
    assert table["cumulative_redeemed"].tolist() == [4_500, 8_500]
    assert table["expected_redemptions"].tolist() == [9_500, 9_700]
    assert table["revenue"].round().tolist() == [4_110, 3_493]
    assert table["cumulative_revenue"].round().tolist() == [4_110, 7_603]
    assert table["liability"].round().tolist() == [4_566, 1_073]
    # revenue so far plus the liability left is always the allocation
    assert np.allclose(table["cumulative_revenue"] + table["liability"], a.points_revenue)


def test_the_standards_rounded_allocation_gives_the_same_published_figures():
    # The standard works from the allocation rounded to CU8,676; the unrounded allocation
    # (8,675.80) gives the same whole-CU figures, so no rounding step is needed in between.
    exact = points.recognise_points_revenue(
        example_52_allocation().points_revenue, EXAMPLE_52["redeemed"], EXAMPLE_52["expected"]
    )
    rounded = points.recognise_points_revenue(8_676, EXAMPLE_52["redeemed"], EXAMPLE_52["expected"])
    for column in ["revenue", "cumulative_revenue", "liability"]:
        assert exact[column].round().tolist() == rounded[column].round().tolist()


def test_a_lower_estimate_releases_more_revenue():
    # Example 52's figures, but in period 2 only 9,200 points are expected in all, not 9,700.
    allocated = example_52_allocation().points_revenue
    lower = points.recognise_points_revenue(allocated, EXAMPLE_52["redeemed"], [9_500, 9_200])
    standard = points.recognise_points_revenue(
        allocated, EXAMPLE_52["redeemed"], EXAMPLE_52["expected"]
    )
    assert lower["revenue"].iloc[1] == pytest.approx(
        allocated * 8_500 / 9_200 - allocated * 4_500 / 9_500
    )
    assert lower["revenue"].iloc[1] > standard["revenue"].iloc[1]
    assert lower["revenue"].iloc[0] == pytest.approx(standard["revenue"].iloc[0])


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
