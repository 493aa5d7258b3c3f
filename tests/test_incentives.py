"""crmlib.incentives: incentive plans, the hours they buy and what the company keeps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from crmlib import incentives, value


@pytest.fixture
def acts() -> pd.DataFrame:
    """Three activities of a mobile operator's shop: two kinds of new subscriber, one save."""
    return pd.DataFrame(
        {
            "kind": ["acquisition", "acquisition", "retention"],
            "clv": [250.0, 1300.0, 250.0],
            "retention": [0.7, 0.97, 0.7],
            "hours_per_customer": [1.0, 3.0, 0.5],
            "capacity": [np.inf, np.inf, 40.0],
        },
        index=["month-to-month", "two-year", "save"],
    )


def test_plan_pay_by_hand(acts):
    out = incentives.plan_pay(acts, per_new=30, per_saved=10, kept_periods=2, clv_share=0.1)
    # bonus x retention**2 + 10% of CLV, worked by hand
    expected = [30 * 0.49 + 25, 30 * 0.97**2 + 130, 10 * 0.49 + 25]
    np.testing.assert_allclose(out["pay_per_customer"], expected)
    np.testing.assert_allclose(out["pay_per_hour"], np.divide(expected, [1, 3, 0.5]))
    np.testing.assert_allclose(out["clv_per_hour"], [250, 1300 / 3, 500])
    np.testing.assert_allclose(out["net_per_hour"], (acts["clv"] - expected) / [1, 3, 0.5])


def test_plan_pay_with_clv_from_value(acts):
    """The CLV column may come from value.clv: a quarter's margin, retention, discount rate."""
    acts = acts.assign(clv=value.clv(80.0, acts["retention"], 0.025, timing="start"))
    out = incentives.plan_pay(acts, clv_share=0.1)
    np.testing.assert_allclose(out["pay_per_customer"], 0.1 * acts["clv"])


def test_plan_pay_does_not_modify_its_input(acts):
    before = acts.copy()
    incentives.plan_pay(acts, per_new=30, clv_share=0.2)
    pd.testing.assert_frame_equal(acts, before)


def test_allocate_respects_hours_capacity_and_zero_pay(acts):
    priced = incentives.plan_pay(acts, per_saved=5)  # only saving pays
    done = incentives.allocate_hours(priced, 100, capacity="capacity")
    assert done.loc["save", "customers"] == pytest.approx(40)  # all 40 there are
    assert done.loc["save", "hours"] == pytest.approx(20)
    # the unrewarded tasks are neglected (Holmström & Milgrom): 80 hours left unused
    assert done.loc[["month-to-month", "two-year"], "hours"].sum() == 0
    assert done["hours"].sum() <= 100


def test_allocate_fills_the_best_first_then_the_next(acts):
    priced = incentives.plan_pay(acts)  # no pay; rank by CLV per hour, as the company would
    done = incentives.allocate_hours(priced, 100, rank_by="clv_per_hour", capacity="capacity")
    assert done["hours"].tolist() == pytest.approx([0, 80, 20])
    assert done.loc["two-year", "customers"] == pytest.approx(80 / 3)


@pytest.mark.parametrize("seed", range(8))
def test_greedy_allocation_is_optimal_against_a_linear_programme(seed):
    """The fractional knapsack: greedy by value per hour equals the LP optimum (Dantzig 1957)."""
    rng = np.random.default_rng(seed)
    n = 5
    table = pd.DataFrame(
        {
            "pay_per_hour": rng.uniform(-1, 5, n),
            "hours_per_customer": rng.uniform(0.2, 4, n),
            "capacity": rng.uniform(1, 30, n),
        }
    )
    budget = rng.uniform(10, 80)
    done = incentives.allocate_hours(table, budget, capacity="capacity")
    # maximise sum(pay_per_hour * h) s.t. sum(h) <= budget, 0 <= h <= capacity * hours
    bounds = list(zip(np.zeros(n), table["capacity"] * table["hours_per_customer"], strict=True))
    lp = linprog(-table["pay_per_hour"], A_ub=np.ones((1, n)), b_ub=[budget], bounds=bounds)
    assert lp.success
    assert (done["hours"] * table["pay_per_hour"]).sum() == pytest.approx(-lp.fun, rel=1e-9)


def test_a_plan_proportional_to_clv_buys_the_companys_choice(acts):
    out = incentives.compare_plans(
        acts,
        {"per sale": {"per_new": 30}, "CLV share": {"clv_share": 0.05}},
        100,
        capacity="capacity",
    )
    hours = out.pivot(index="activity", columns="plan", values="hours")
    np.testing.assert_allclose(hours["CLV share"], hours["company's choice"])
    assert hours.loc["month-to-month", "per sale"] == pytest.approx(100)
    totals = out.groupby("plan")[["pay", "clv_gained", "net_value"]].sum()
    assert totals.loc["company's choice", "pay"] == 0
    assert totals.loc["CLV share", "pay"] == pytest.approx(
        0.05 * totals.loc["CLV share", "clv_gained"]
    )
    assert totals.loc["per sale", "clv_gained"] < totals.loc["CLV share", "clv_gained"]
    np.testing.assert_allclose(totals["net_value"], totals["clv_gained"] - totals["pay"])


def test_a_claw_back_moves_the_sale_to_customers_who_stay(acts):
    out = incentives.compare_plans(
        acts, {"claw-back": {"per_new": 30, "kept_periods": 4}}, 90, capacity="capacity"
    )
    sold = out[out["plan"] == "claw-back"].set_index("activity")["customers"]
    # 30 x 0.97**4 / 3 h = 8.85 per hour beats 30 x 0.7**4 / 1 h = 7.20
    assert sold["two-year"] == pytest.approx(30) and sold["month-to-month"] == 0


def test_compare_plans_order_and_columns(acts):
    out = incentives.compare_plans(acts, {"b": {"per_new": 1}, "a": {"per_saved": 1}}, 10)
    assert out["plan"].unique().tolist() == ["company's choice", "b", "a"]
    assert out.columns.tolist() == [
        "plan", "activity", "kind", "hours", "customers", "pay", "clv_gained", "net_value",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"clv_share": 10}, ValueError, "clv_share.*percentage"),
        ({"per_new": -5}, ValueError, "per_new"),
        ({"per_new": "30000"}, TypeError, "per_new"),
        ({"kept_periods": 1.5}, TypeError, "kept_periods"),
        ({"kept_periods": -1}, ValueError, "kept_periods"),
        ({"clv": "value"}, KeyError, "missing column.*'value'"),
    ],
)
def test_plan_pay_bad_arguments(acts, kwargs, error, match):
    with pytest.raises(error, match=match):
        incentives.plan_pay(acts, **kwargs)


def test_plan_pay_bad_columns(acts):
    with pytest.raises(ValueError, match="'kind' expected 'acquisition' or 'retention'.*'sale'"):
        incentives.plan_pay(acts.assign(kind=["sale", "acquisition", "retention"]))
    with pytest.raises(ValueError, match="hours_per_customer"):
        incentives.plan_pay(acts.assign(hours_per_customer=[1.0, 0.0, 0.5]))
    with pytest.raises(ValueError, match="retention.*percentage"):
        incentives.plan_pay(acts.assign(retention=[70, 97, 70]))
    with pytest.raises(ValueError, match="one row per activity.*'save'"):
        incentives.plan_pay(acts.rename(index={"two-year": "save"}))
    with pytest.raises(TypeError, match="activities: expected a pandas DataFrame"):
        incentives.plan_pay(acts.to_dict())


def test_allocate_bad_arguments(acts):
    priced = incentives.plan_pay(acts, per_new=1)
    with pytest.raises(ValueError, match="hours_available"):
        incentives.allocate_hours(priced, -5)
    with pytest.raises(KeyError, match="missing column.*'seats'"):
        incentives.allocate_hours(priced, 10, capacity="seats")
    with pytest.raises(ValueError, match="capacity.*>= 0"):
        incentives.allocate_hours(priced.assign(capacity=[1.0, -2.0, 3.0]), 10, capacity="capacity")
    with pytest.raises(TypeError, match="capacity.*'many'"):
        incentives.allocate_hours(priced.assign(capacity=[1, "many", 3]), 10, capacity="capacity")


def test_compare_plans_bad_plans(acts):
    with pytest.raises(TypeError, match="plans: expected a non-empty mapping"):
        incentives.compare_plans(acts, {}, 10)
    with pytest.raises(ValueError, match="term.*per_sale"):
        incentives.compare_plans(acts, {"x": {"per_sale": 30}}, 10)
    with pytest.raises(TypeError, match=r"plans\['x'\]: expected a mapping"):
        incentives.compare_plans(acts, {"x": 30}, 10)
    with pytest.raises(ValueError, match="reserved"):
        incentives.compare_plans(acts, {"company's choice": {"per_new": 1}}, 10)
