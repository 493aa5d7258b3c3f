"""Tests for crmlib.pricing: prices per segment, bundles, volume discounts, retention pricing."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from crmlib import pricing as pr
from crmlib.value import clv

# Pindyck & Rubinfeld, Microeconomics, section 11.5 (mixed bundling): four consumers'
# reservation prices for two goods, unit costs 20 and 30.
PR = pd.DataFrame({"good_1": [10, 50, 60, 90], "good_2": [90, 50, 40, 10]}, index=list("ABCD"))
PR_COSTS = [20, 30]


def test_pindyck_rubinfeld_bundling_example():
    # The book: sold separately at 50 and 90 earns 150; pure bundling at 100 earns 200;
    # mixed bundling at 89.95, 89.95 and 100 earns 229.90.
    separate = pr.bundle_choices(PR, [50, 90], None, costs=PR_COSTS)
    assert separate["profit"].sum() == pytest.approx(150)
    pure = pr.bundle_choices(PR, [None, None], 100, costs=PR_COSTS)
    assert pure["profit"].sum() == pytest.approx(200)
    mixed = pr.bundle_choices(PR, [89.95, 89.95], 100, costs=PR_COSTS)
    assert mixed["profit"].sum() == pytest.approx(229.90)
    assert mixed["buys"].tolist() == ["good_2", "bundle", "bundle", "good_1"]


def test_compare_bundling_finds_the_books_optimum_as_its_limit():
    table = pr.compare_bundling(PR, costs=PR_COSTS)
    assert table.loc["separate", "profit"] == pytest.approx(150)
    assert table.loc["pure bundle", "profit"] == pytest.approx(200)
    # 229.90 at prices 0.05 below the reservation prices; 230 is their limit
    assert table.loc["mixed bundle", "profit"] == pytest.approx(230)
    assert table.loc["mixed bundle", ["good_1", "good_2", "bundle_price"]].tolist() == [90, 90, 100]


def test_mixed_bundling_search_beats_every_price_on_a_grid():
    rng = np.random.default_rng(0)
    wtp = pd.DataFrame(rng.integers(1, 30, size=(12, 2)), columns=["x", "y"])
    best = pr.compare_bundling(wtp, costs=[3, 5]).loc["mixed bundle", "profit"]
    grid = [*range(0, 31, 2), None]
    for p1, p2, pb in itertools.product(grid, grid, range(0, 61, 4)):
        assert pr.bundle_choices(wtp, [p1, p2], pb, costs=[3, 5])["profit"].sum() <= best + 1e-9


def test_customers_take_the_option_with_most_surplus():
    wtp = pd.DataFrame({"a": [30.0], "b": [25.0]})
    out = pr.bundle_choices(wtp, [20, 20], 42, costs=[0, 0])
    # surplus: a 10, b 5, both 15, bundle 13 -> both separately
    assert out["buys"].item() == "both separately" and out["surplus"].item() == 15
    assert pr.bundle_choices(wtp, [40, 40], None, costs=[0, 0])["buys"].item() == "nothing"


def test_best_price_is_the_brute_force_optimum():
    rng = np.random.default_rng(1)
    wtp = rng.uniform(0, 100, 40)
    best = pr.best_price(wtp, cost=10)
    grid = np.linspace(0, 100, 2001)
    brute = max((p - 10) * (wtp >= p).sum() for p in grid)
    assert best.profit >= brute - 1e-9
    assert best.buyers == (wtp >= best.price).sum()
    assert np.isnan(pr.best_price([1, 2], cost=5).price)


def test_segment_prices_never_earn_less_than_one_price():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"segment": rng.choice(["a", "b", "c"], 90), "wtp": rng.gamma(3, 10, 90)})
    out = pr.price_discrimination(df, cost=5)
    gain = out.loc["gain from segment prices", "profit"]
    total = out.loc[["a", "b", "c"], "profit"].sum()
    assert gain >= 0
    assert out.loc["segment prices, total", "profit"] == pytest.approx(total)
    assert gain == pytest.approx(total - out.loc["one price for all", "profit"])


def test_price_by_quantity_uses_each_products_usual_price():
    tx = pd.DataFrame(
        {
            "item": ["a", "a", "a", "b", "b", "b", "b", "c", "c"],
            "quantity": [1, 2, 200, 1, 1, 3, 300, 1, 1],
            "price": [2.0, 2.0, 1.0, 10.0, 10.0, 10.0, 8.0, 5.0, 4.0],
        }
    )
    out = pr.price_by_quantity(tx, bands=[0, 99, np.inf])
    assert out["lines"].tolist() == [7, 2]
    # c's two prices are equally common: the lower one (4) is its usual price
    small = (1 + 1 + 1 + 1 + 1 + 5 / 4 + 1) / 7
    assert out["mean_relative_price"].tolist() == pytest.approx([small, (0.5 + 0.8) / 2])
    assert out["share_below_usual"].tolist() == [0.0, 1.0]


@pytest.mark.parametrize("timing", ["end", "start"])
def test_break_even_retention_equalises_lifetime_values(timing):
    needed = pr.break_even_retention(5.0, 1.0, 0.7, 0.02, timing=timing)
    assert 0.7 < needed < 1
    assert clv(4.0, needed, 0.02, timing=timing) == pytest.approx(
        clv(5.0, 0.7, 0.02, timing=timing)
    )
    assert pr.break_even_retention(5.0, 0.0, 0.7, 0.02, timing=timing) == pytest.approx(0.7)
    assert pr.break_even_retention(5.0, 5.0, 0.7, 0.02, timing=timing) == np.inf
    assert pr.break_even_retention(5.0, 4.9, 0.9, 0.02, timing=timing) == np.inf


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: pr.best_price([10, -1]), ValueError, "wtp"),
        (lambda: pr.best_price([10, None, 3]), ValueError, "wtp.*gaps"),
        (lambda: pr.best_price(["a"]), TypeError, "wtp"),
        (lambda: pr.best_price([10], cost="5"), TypeError, "cost"),
        (lambda: pr.bundle_choices(PR[["good_1"]], [1, 2], costs=PR_COSTS), ValueError,
         "wtp: expected two columns"),
        (lambda: pr.bundle_choices(PR, [1], costs=PR_COSTS), ValueError, "prices"),
        (lambda: pr.bundle_choices(PR, [1, 2], costs=[1]), ValueError, "costs"),
        (lambda: pr.bundle_choices(PR, [1, 2], costs={"good_1": 1}), KeyError, "good_2"),
        (lambda: pr.bundle_choices(PR, [1, 2], -5, costs=PR_COSTS), ValueError,
         "bundle_price"),
        (lambda: pr.compare_bundling(PR, costs=PR_COSTS, max_evaluations=10), ValueError,
         "max_evaluations"),
        (lambda: pr.price_discrimination(PR, costs=1), TypeError, "costs"),
        (lambda: pr.price_discrimination(PR.assign(segment="x"), wtp="good_3"), KeyError,
         "good_3"),
        (lambda: pr.price_by_quantity(pd.DataFrame({"item": [1], "quantity": [-2],
                                                     "price": [1.0]})), ValueError, "quantity"),
        (lambda: pr.price_by_quantity(pd.DataFrame({"item": [1], "quantity": [2],
                                                     "price": [1.0]}), bands=[5, 1]),
         ValueError, "bands"),
        (lambda: pr.break_even_retention(3, 1, 80, 0.01), ValueError, "retention"),
        (lambda: pr.break_even_retention(0, 1, 0.8, 0.01), ValueError, "margin"),
        (lambda: pr.break_even_retention(3, 1, 0.8, 0.01, timing="middle"), ValueError,
         "timing"),
    ],
)  # fmt: skip
def test_bad_inputs_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_inputs_are_not_changed():
    before = PR.copy()
    pr.compare_bundling(PR, costs=PR_COSTS)
    pd.testing.assert_frame_equal(PR, before)


@pytest.mark.parametrize("timing", ["end", "start"])
def test_introductory_offer_cost_is_the_discount_paid_while_the_customer_stays(timing):
    # brute force: period t's discount is paid with probability r**t (end) or r**(t-1)
    # (start) and discounted by (1 + d)**t or (1 + d)**(t-1)
    cut, months, d = 2.0, 3, 0.01
    for r in [0.0, 0.4, 0.6, 0.97]:
        shift = 0 if timing == "end" else 1
        expected = sum(cut * (r / (1 + d)) ** (t - shift) for t in range(1, months + 1))
        got = pr.introductory_offer_cost(cut, months, r, d, timing=timing)
        assert got == pytest.approx(expected)
        assert got <= cut * months + 1e-12  # never more than the nominal offer
    # the review's figures for the chapter: CLV after the offer 67.2, 19.8 and +2.08
    stays = pd.Series({"stays": 0.97, "deal": 0.90, "hopper": 0.60})
    after = clv(3.0, stays, d, acquisition_cost=pr.introductory_offer_cost(cut, months, stays, d))
    assert after.round(1).tolist() == [67.2, 19.8, 2.1]
    assert isinstance(after, pd.Series) and after.index.tolist() == stays.index.tolist()


def test_introductory_offer_cost_bad_inputs():
    with pytest.raises(ValueError, match="months"):
        pr.introductory_offer_cost(2, 1.5, 0.6, 0.01)
    with pytest.raises(ValueError, match="months"):
        pr.introductory_offer_cost(2, 0, 0.6, 0.01)
    with pytest.raises(ValueError, match="price_cut"):
        pr.introductory_offer_cost(-1, 3, 0.6, 0.01)
