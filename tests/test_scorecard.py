"""crmlib.scorecard (the CRM Scorecard) and lifecycle.stage_kpis (the process-stage KPIs)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crmlib import datasets, lifecycle, scorecard

# --- perceived_index -----------------------------------------------------------------------


def test_perceived_index_is_the_acsi_transformation():
    # ACSI: a mean of 8.2 on a 1-10 scale is an index of (8.2 - 1) / 9 * 100 = 80.
    answers = pd.DataFrame({"unit": ["A"] * 5, "item": ["satisfaction"] * 5,
                            "score": [10, 9, 8, 7, 7]})  # fmt: skip
    assert answers["score"].mean() == pytest.approx(8.2)
    index = scorecard.perceived_index(answers, index="unit", columns="item", scale=(1, 10))
    assert index.loc["A", "satisfaction"] == pytest.approx(80.0)


def test_perceived_index_on_the_bundled_survey_matches_a_groupby():
    survey = datasets.load_scorecard()["survey"]
    index = scorecard.perceived_index(
        survey, index=["business_unit", "quarter"], columns="perspective"
    )
    assert list(index.columns) == ["infrastructure", "process", "customer"]
    one = survey[(survey["business_unit"] == "Online") & (survey["quarter"] == "2025Q4")]
    mean = one.loc[one["perspective"] == "process", "score"].mean()
    assert index.loc[("Online", "2025Q4"), "process"] == pytest.approx((mean - 1) / 4 * 100)
    assert ((index >= 0) & (index <= 100)).all().all()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"scale": (5, 1)}, ValueError, "scale"),
        ({"scale": (1, 3)}, ValueError, "'score'.*scale"),
        ({"scale": 5}, TypeError, "scale"),
        ({"columns": ["item"]}, TypeError, "columns"),
        ({"index": "region"}, KeyError, "region"),
        ({"score": "answer"}, KeyError, "answer"),
    ],
)
def test_perceived_index_refuses_bad_inputs(kwargs, error, message):
    answers = pd.DataFrame({"unit": ["A", "B"], "item": ["x", "x"], "score": [1, 5]})
    args = {"index": "unit", "columns": "item"} | kwargs
    with pytest.raises(error, match=message):
        scorecard.perceived_index(answers, **args)


def test_perceived_index_refuses_text_scores():
    answers = pd.DataFrame({"unit": ["A"], "item": ["x"], "score": ["agree"]})
    with pytest.raises(TypeError, match="'score'"):
        scorecard.perceived_index(answers, index="unit", columns="item")


# --- traffic_lights ------------------------------------------------------------------------


def test_traffic_lights_by_direction_and_tolerance():
    lights = scorecard.traffic_lights([0.90, 0.85, 0.8075, 0.80], 0.85, tolerance=0.05)
    assert lights.tolist() == ["green", "green", "amber", "red"]  # 0.8075 is exactly 5% short
    # a churn rate is better low: 0.14 meets a 0.15 target, 0.155 misses by 3.3%, 0.20 by 33%
    churn = scorecard.traffic_lights([0.14, 0.155, 0.20], 0.15, higher_is_better=False)
    assert churn.tolist() == ["green", "amber", "red"]
    assert scorecard.traffic_lights(0.155, 0.15, higher_is_better=False, tolerance=0) == "red"


def test_traffic_lights_keep_a_series_index_and_broadcast_directions():
    actual = pd.Series([0.9, 0.2], index=["retention", "churn"])
    out = scorecard.traffic_lights(actual, [0.85, 0.15], higher_is_better=[True, False])
    assert out.to_dict() == {"retention": "green", "churn": "red"}


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"target": 0.0}, ValueError, "target.*0"),
        ({"tolerance": 5}, ValueError, "tolerance.*percentage"),
        ({"tolerance": -0.1}, ValueError, "tolerance"),
        ({"higher_is_better": "yes"}, TypeError, "higher_is_better"),
        ({"target": [1.0, 2.0, 3.0]}, ValueError, "shapes"),
        ({"actual": ["high"]}, TypeError, "actual"),
    ],
)
def test_traffic_lights_refuse_bad_inputs(kwargs, error, message):
    args = {"actual": [0.9, 0.8], "target": 0.85} | kwargs
    with pytest.raises(error, match=message):
        scorecard.traffic_lights(args.pop("actual"), args.pop("target"), **args)


# --- kpi_trend -----------------------------------------------------------------------------


def test_kpi_trend_is_the_least_squares_slope_of_the_last_periods():
    rng = np.random.default_rng(1)
    quarters = [f"Q{q:02d}" for q in range(8)]
    panel = pd.DataFrame({"unit": np.repeat(["B", "A"], 8), "quarter": quarters * 2,
                          "kpi": rng.normal(size=16)}).sample(frac=1, random_state=2)  # fmt: skip
    trend = scorecard.kpi_trend(panel, ["kpi"], by="unit", period="quarter", last=5)
    assert trend.index.tolist() == ["A", "B"]
    for unit in ["A", "B"]:
        series = panel[panel["unit"] == unit].sort_values("quarter")["kpi"].to_numpy()[-5:]
        expected = np.polyfit(np.arange(5), series, 1)[0]
        assert trend.loc[unit, "kpi"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"last": 1}, ValueError, "last"),
        ({"last": 4.0}, TypeError, "last"),
        ({"columns": "sales"}, KeyError, "sales"),
        ({"by": "region"}, KeyError, "region"),
    ],
)
def test_kpi_trend_refuses_bad_inputs(change, error, message):
    panel = pd.DataFrame({"unit": ["A"] * 3, "quarter": ["Q1", "Q2", "Q3"], "kpi": [1, 2, 3]})
    args = {"columns": "kpi", "by": "unit", "period": "quarter", "last": 3} | change
    with pytest.raises(error, match=message):
        scorecard.kpi_trend(panel, args.pop("columns"), **args)


def test_kpi_trend_refuses_a_period_given_twice():
    panel = pd.DataFrame({"unit": ["A"] * 3, "quarter": ["Q1", "Q1", "Q2"], "kpi": [1, 2, 3]})
    with pytest.raises(ValueError, match="one row per unit and quarter"):
        scorecard.kpi_trend(panel, "kpi", by="unit", period="quarter")


# --- scorecard -----------------------------------------------------------------------------

TARGETS = pd.DataFrame(
    {
        "perspective": ["customer", "process", "customer", "infrastructure"],
        "target": [0.85, 0.70, 0.15, 0.95],
        "higher_is_better": [True, True, False, True],
    },
    index=["retention_rate", "first_contact_resolution", "churn_rate", "system_uptime"],
)


def values_frame():
    return pd.DataFrame(
        {
            "retention_rate": [0.86, 0.82],
            "first_contact_resolution": [0.69, 0.80],
            "churn_rate": [0.14, 0.18],
            "system_uptime": [0.99, 0.90],
            "not_on_the_card": [1.0, 2.0],
        },
        index=pd.Index(["Seoul", "Busan"], name="business_unit"),
    )


def test_scorecard_orders_perspectives_causally_and_lights_each_kpi():
    card = scorecard.scorecard(values_frame(), TARGETS)
    assert card.columns.tolist() == ["business_unit", "perspective", "kpi", "actual", "target",
                                     "gap", "status"]  # fmt: skip
    seoul = card[card["business_unit"] == "Seoul"]
    assert seoul["kpi"].tolist() == ["system_uptime", "first_contact_resolution",
                                     "retention_rate", "churn_rate"]  # fmt: skip
    assert seoul["status"].astype(str).tolist() == ["green", "amber", "green", "green"]
    busan = card[card["business_unit"] == "Busan"].set_index("kpi")
    assert busan.loc["churn_rate", "gap"] == pytest.approx(-(0.18 - 0.15) / 0.15)
    assert busan["status"].astype(str).tolist() == ["red", "green", "amber", "red"]


def test_scorecard_takes_a_tolerance_per_kpi():
    targets = TARGETS.assign(tolerance=[np.nan, np.nan, np.nan, 0.005])
    card = scorecard.scorecard(values_frame(), targets, tolerance=0.5).set_index(
        ["business_unit", "kpi"]
    )
    # uptime 0.99 against 0.95 is green; 0.90 is 5.3% short: red within 0.5%, amber within 50%
    assert card.loc[("Busan", "system_uptime"), "status"] == "red"
    assert card.loc[("Busan", "churn_rate"), "status"] == "amber"
    with pytest.raises(ValueError, match="tolerance"):
        scorecard.scorecard(values_frame(), TARGETS.assign(tolerance=5.0))


def test_scorecard_adds_trend_in_the_kpis_direction():
    trend = pd.DataFrame(
        {"retention_rate": [0.01, -0.01], "first_contact_resolution": [0.0, 0.02],
         "churn_rate": [-0.01, 0.01], "system_uptime": [0.001, 0.0]},
        index=["Seoul", "Busan"],
    )  # fmt: skip
    card = scorecard.scorecard(values_frame(), TARGETS, trend=trend).set_index(
        ["business_unit", "kpi"]
    )
    assert card.loc[("Seoul", "churn_rate"), "improving"]  # churn falling is improving
    assert not card.loc[("Busan", "churn_rate"), "improving"]
    assert card.loc[("Busan", "first_contact_resolution"), "improving"]


@pytest.mark.parametrize(
    ("targets", "error", "message"),
    [
        (TARGETS.drop(columns="target"), KeyError, "target"),
        (TARGETS.assign(perspective="finance"), ValueError, "perspective.*finance"),
        (TARGETS.assign(higher_is_better="yes"), TypeError, "higher_is_better"),
        (TARGETS.rename(index={"churn_rate": "churn"}), KeyError, "churn"),
        (pd.concat([TARGETS, TARGETS.iloc[:1]]), ValueError, "twice"),
    ],
)
def test_scorecard_refuses_bad_targets(targets, error, message):
    with pytest.raises(error, match=message):
        scorecard.scorecard(values_frame(), targets)


def test_scorecard_refuses_a_trend_without_every_unit():
    trend = pd.DataFrame(0.0, index=["Seoul"], columns=TARGETS.index)
    with pytest.raises(ValueError, match="Busan"):
        scorecard.scorecard(values_frame(), TARGETS, trend=trend)


def test_scorecard_leaves_its_inputs_unchanged():
    values, targets = values_frame(), TARGETS.copy()
    scorecard.scorecard(values, targets)
    pd.testing.assert_frame_equal(values, values_frame())
    pd.testing.assert_frame_equal(targets, TARGETS)


# --- lagged_association --------------------------------------------------------------------


def test_lagged_association_of_one_group_is_pearson_with_fishers_interval():
    rng = np.random.default_rng(3)
    x = rng.normal(size=40)
    y = 0.5 * x + rng.normal(size=40)
    panel = pd.DataFrame({"unit": "A", "t": np.arange(40), "x": x, "y": y})
    got = scorecard.lagged_association(panel, "x", "y", by="unit", period="t", lag=0)
    reference = stats.pearsonr(x, y)
    interval = reference.confidence_interval(0.95)  # SciPy: Fisher's z, n - 3
    assert got.r == pytest.approx(reference.statistic)
    assert (got.low, got.high) == pytest.approx((interval.low, interval.high))
    assert (got.n_pairs, got.n_groups) == (40, 1)


def test_within_association_is_the_partial_correlation_given_the_units():
    rng = np.random.default_rng(4)
    units = np.repeat(np.arange(5), 10)
    level = rng.normal(0, 3, 5)[units]  # units differ a lot: pooled r is mostly that
    x = level + rng.normal(size=50)
    y = level + 0.3 * np.roll(x, 1) + rng.normal(size=50)
    panel = pd.DataFrame({"unit": units, "t": np.tile(np.arange(10), 5), "x": x, "y": y})
    got = scorecard.lagged_association(panel, "x", "y", by="unit", period="t", lag=1)
    pairs = panel.assign(x=panel.groupby("unit")["x"].shift(1)).dropna()
    dummies = pd.get_dummies(pairs["unit"], dtype=float).to_numpy()

    def residual(v):  # Frisch-Waugh-Lovell: residuals on the unit indicators
        return v - dummies @ np.linalg.lstsq(dummies, v, rcond=None)[0]

    partial = np.corrcoef(residual(pairs["x"].to_numpy()), residual(pairs["y"].to_numpy()))[0, 1]
    assert got.r == pytest.approx(partial)
    n, k = len(pairs), 4  # 45 pairs, 4 unit indicators held fixed
    half = stats.norm.ppf(0.975) / np.sqrt(n - k - 3)
    assert got.low == pytest.approx(np.tanh(np.arctanh(partial) - half))
    pooled = scorecard.lagged_association(panel, "x", "y", by="unit", period="t", within=False)
    assert pooled.r > got.r + 0.2  # between-unit differences inflate the pooled association


def test_lagged_association_finds_a_planted_lead_in_one_direction_only():
    rng = np.random.default_rng(5)
    frames = []
    for unit in range(6):
        x = rng.normal(size=30)
        y = np.r_[0.0, 0.8 * x[:-1]] + rng.normal(0, 0.5, 30)
        frames.append(pd.DataFrame({"unit": unit, "t": np.arange(30), "x": x, "y": y}))
    panel = pd.concat(frames).sample(frac=1, random_state=0)  # row order must not matter
    forward = scorecard.lagged_association(panel, "x", "y", by="unit", period="t", lag=1)
    backward = scorecard.lagged_association(panel, "y", "x", by="unit", period="t", lag=1)
    assert forward.low > 0.6
    assert abs(backward.r) < 0.25 < forward.r - 0.5  # no lead the other way


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"lag": -1}, ValueError, "lag"),
        ({"within": "yes"}, TypeError, "within"),
        ({"confidence": 95}, ValueError, "confidence.*percentage"),
        ({"cause": "budget"}, KeyError, "budget"),
        ({"lag": 5}, ValueError, "too few"),
    ],
)
def test_lagged_association_refuses_bad_inputs(change, error, message):
    panel = pd.DataFrame({"unit": ["A"] * 6 + ["B"] * 6, "t": list(range(6)) * 2,
                          "x": np.arange(12.0) % 5, "y": np.arange(12.0) % 4})  # fmt: skip
    args = {"cause": "x", "effect": "y", "by": "unit", "period": "t"} | change
    with pytest.raises(error, match=message):
        scorecard.lagged_association(panel, args.pop("cause"), args.pop("effect"), **args)


# --- lifecycle.stage_kpis ------------------------------------------------------------------


def brute_force_kpis(tx: pd.DataFrame) -> pd.DataFrame:
    """The stage KPIs from sets of customers, month by month (the definitions, literally)."""
    months = tx["date"].dt.to_period("M")
    periods = pd.period_range(months.min(), months.max(), freq="M")
    buyers = {p: set(tx.loc[(months == p) & (tx["amount"] > 0), "customer"]) for p in periods}
    rows, seen = {}, set()
    for i, p in enumerate(periods):
        now = buyers[p]
        row = {"active": len(now), "new_customers": len(now - seen)}
        if i:
            before = buyers[periods[i - 1]]
            pool = seen - before
            row["retention_rate"] = len(now & before) / len(before) if before else np.nan
            row["win_back_rate"] = len(now & pool) / len(pool) if pool else np.nan
        seen |= now
        rows[p] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def test_stage_kpis_match_the_definitions_on_a_random_log():
    rng = np.random.default_rng(6)
    n = 600
    tx = pd.DataFrame({"customer": rng.integers(0, 80, n),
                       "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(
                           rng.integers(0, 365, n), unit="D"),
                       "amount": rng.gamma(2, 20, n)})  # fmt: skip
    got = lifecycle.stage_kpis(lifecycle.period_status(tx))
    expected = brute_force_kpis(tx)
    for column in expected.columns:
        np.testing.assert_allclose(got[column].to_numpy(float), expected[column].to_numpy(float))
    np.testing.assert_allclose((got["retention_rate"] + got["churn_rate"]).iloc[1:], 1.0)
    assert np.isnan(got["retention_rate"].iloc[0])


def test_stage_kpis_refuse_a_frame_that_is_not_a_status_table():
    with pytest.raises(KeyError, match="status"):
        lifecycle.stage_kpis(pd.DataFrame({"customer": [1], "amount": [2.0]}))


def test_detrending_removes_a_shared_trend_that_links_unrelated_series():
    rng = np.random.default_rng(5)
    rows = []
    for unit, speed in [("A", 1.0), ("B", -0.5), ("C", 2.0)]:
        t = np.arange(12)
        rows.append(pd.DataFrame({"unit": unit, "q": t, "x": speed * t + rng.normal(0, 1, 12),
                                  "y": speed * t + rng.normal(0, 1, 12)}))  # fmt: skip
    panel = pd.concat(rows, ignore_index=True)
    trended = scorecard.lagged_association(panel, "x", "y", by="unit", period="q", lag=1)
    flat = scorecard.lagged_association(panel, "x", "y", by="unit", period="q", lag=1, detrend=True)
    assert trended.r > 0.7
    assert abs(flat.r) < 0.5
    assert flat.high - flat.low > trended.high - trended.low  # fewer degrees of freedom
    with pytest.raises(TypeError, match="detrend"):
        scorecard.lagged_association(panel, "x", "y", by="unit", period="q", detrend="yes")
