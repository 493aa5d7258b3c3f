"""Tests for crmlib.loyalty (rates by level, logistic curve, zones) and crmlib.drivers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crmlib import drivers, loyalty


def planted(seed: int = 0, n: int = 4000, rates=(0.2, 0.35, 0.5, 0.6, 0.9)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    level = rng.integers(1, 6, n)
    return pd.DataFrame({"sat": level, "bought": rng.random(n) < np.asarray(rates)[level - 1]})


# --- rate_by_level ----------------------------------------------------------------------------


def test_rates_and_counts_match_a_groupby():
    df = planted()
    table = loyalty.rate_by_level(df, "sat", "bought")
    expected = df.groupby("sat")["bought"].agg(["size", "mean"])
    assert table["customers"].tolist() == expected["size"].tolist()
    assert np.allclose(table["rate"], expected["mean"])
    assert (table["low"] < table["rate"]).all() and (table["rate"] < table["high"]).all()


def test_wilson_interval_matches_scipy():
    df = planted(1, n=300)
    table = loyalty.rate_by_level(df, "sat", "bought", confidence=0.9)
    for level, row in table.iterrows():
        k = int(df.loc[df["sat"] == level, "bought"].sum())
        ci = stats.binomtest(k, int(row["customers"])).proportion_ci(0.9, method="wilson")
        assert np.isclose(row["low"], ci.low) and np.isclose(row["high"], ci.high)


def test_interval_stays_inside_zero_and_one_and_narrows_with_size():
    df = pd.DataFrame({"sat": [1] * 5 + [2] * 500, "bought": [0] * 5 + [1] * 500})
    table = loyalty.rate_by_level(df, "sat", "bought")
    assert table["low"].min() >= 0 and table["high"].max() <= 1
    small = planted(2, n=200)
    large = planted(2, n=20000)
    width = lambda t: (t["high"] - t["low"]).mean()  # noqa: E731
    assert (
        width(loyalty.rate_by_level(large, "sat", "bought"))
        < width(loyalty.rate_by_level(small, "sat", "bought")) / 5
    )


def test_missing_levels_are_left_out_and_bad_outcomes_refused():
    df = planted(3, n=100).astype({"sat": "Float64"})
    df.loc[:9, "sat"] = pd.NA
    assert loyalty.rate_by_level(df, "sat", "bought")["customers"].sum() == 90
    df["bought"] = np.where(df["bought"], 2, 0)
    with pytest.raises(
        ValueError, match="column 'bought': expected binary outcomes \\(True/False or 0/1"
    ):
        loyalty.rate_by_level(df, "sat", "bought")
    with pytest.raises(KeyError, match="missing column"):
        loyalty.rate_by_level(df, "satisfaction", "bought")
    with pytest.raises(ValueError, match="confidence"):
        loyalty.rate_by_level(planted(), "sat", "bought", confidence=1.0)


# --- LogisticCurve ----------------------------------------------------------------------------


def test_degree_one_equals_unpenalised_logistic_regression():
    from sklearn.linear_model import LogisticRegression

    df = planted(4)
    curve = loyalty.LogisticCurve(degree=1).fit(df["sat"], df["bought"])
    reference = LogisticRegression(C=np.inf, max_iter=1000, tol=1e-10).fit(
        df[["sat"]].to_numpy(), df["bought"]
    )
    grid = np.array([1.0, 2.5, 5.0])
    assert np.allclose(curve.predict(grid), reference.predict_proba(grid[:, None])[:, 1], atol=1e-4)


def test_a_flexible_curve_finds_the_jump_that_a_straight_logit_misses():
    df = planted(5, n=20000)
    straight = loyalty.LogisticCurve(degree=1).fit(df["sat"], df["bought"])
    bent = loyalty.LogisticCurve(degree=3).fit(df["sat"], df["bought"])
    assert bent.aic_ < straight.aic_ - 20
    truth = np.array([0.2, 0.35, 0.5, 0.6, 0.9])
    levels = np.arange(1, 6)
    assert np.abs(bent.predict(levels) - truth).max() < 0.045
    assert np.abs(straight.predict(levels) - truth).max() > 0.07


def test_curve_arguments_are_checked():
    with pytest.raises(ValueError, match="degree: expected 1, 2, 3 or 4"):
        loyalty.LogisticCurve(degree=7).fit([1, 2, 3], [0, 1, 1])
    with pytest.raises(ValueError, match="needs more than 2 distinct levels"):
        loyalty.LogisticCurve(degree=2).fit([1, 1, 2, 2], [0, 1, 0, 1])
    with pytest.raises(ValueError, match="y: expected binary outcomes \\(True/False or 0/1"):
        loyalty.LogisticCurve(degree=1).fit([1, 2, 3], [0, 2, 1])
    with pytest.raises(RuntimeError, match="call fit"):
        loyalty.LogisticCurve().predict([1.0])


# --- zones ------------------------------------------------------------------------------------


def test_zones_cover_the_scale_once():
    named = loyalty.zone([1, 2, 3, 4, 5])
    assert named.tolist() == ["defection"] * 2 + ["indifference"] * 2 + ["affection"]
    assert named.cat.ordered
    with pytest.raises(ValueError, match="expected satisfaction levels 1-5, got \\[0, 6\\]"):
        loyalty.zone([0, 3, 6])


# --- drivers ----------------------------------------------------------------------------------


def survey(seed: int = 0, n: int = 2000, weights=(3.0, 1.0, 0.0), corr: float = 0.5):
    rng = np.random.default_rng(seed)
    cov = np.full((3, 3), corr) + (1 - corr) * np.eye(3)
    latent = rng.multivariate_normal(np.zeros(3), cov, size=n)
    scores = pd.DataFrame(latent * 2 + 4, columns=["value", "brand", "relationship"])
    y = latent @ np.asarray(weights) + rng.normal(0, 1, n)
    return scores, y


def test_coefficients_recover_planted_effects_per_standard_deviation():
    scores, y = survey()
    table = drivers.driver_importance(scores, y, n_boot=200, seed=1)
    # latent sd is 1, so the per-sd effect is the planted weight
    assert abs(table.loc["value", "coefficient"] - 3.0) < 0.15
    assert abs(table.loc["brand", "coefficient"] - 1.0) < 0.15
    relationship = table.loc["relationship"]
    assert relationship["low"] < 0 < relationship["high"]
    assert table.index[0] == "value" and table.loc["value", "share_ranked_first"] == 1.0
    assert np.isclose(table["share_ranked_first"].sum(), 1.0)


def test_correlations_overstate_a_driver_that_only_rides_along():
    scores, y = survey(seed=2)
    table = drivers.driver_importance(scores, y, n_boot=100)
    assert table.loc["relationship", "correlation"] > 0.3  # looks important...
    assert abs(table.loc["relationship", "coefficient"]) < 0.15  # ...but has no effect


def test_close_drivers_split_the_first_rank_and_seed_repeats():
    scores, y = survey(seed=3, n=300, weights=(1.0, 0.95, 0.0))
    a = drivers.driver_importance(scores, y, n_boot=300, seed=7)
    b = drivers.driver_importance(scores, y, n_boot=300, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert 0.1 < a.loc["brand", "share_ranked_first"] < 0.9


def test_driver_scores_average_the_items():
    df = pd.DataFrame({"q": [7, 1, 4], "p": [5, 3, 4], "a": [2, 2, 6]})
    scores = drivers.driver_scores(df, {"value": ["q", "p"], "brand": ["a"]})
    assert scores["value"].tolist() == [6.0, 2.0, 4.0] and scores["brand"].tolist() == [2, 2, 6]
    with pytest.raises(KeyError, match="missing column"):
        drivers.driver_scores(df, {"value": ["q", "price"]})
    with pytest.raises(TypeError, match="expected a list of column names"):
        drivers.driver_scores(df, {"value": "q"})


def test_driver_importance_refuses_bad_input():
    scores, y = survey(n=200)
    with pytest.raises(ValueError, match="outcome: expected 200 values"):
        drivers.driver_importance(scores, y[:-1])
    with pytest.raises(ValueError, match="n_boot: expected a whole number >= 100"):
        drivers.driver_importance(scores, y, n_boot=10)
    flat = scores.assign(brand=1.0)
    with pytest.raises(ValueError, match=r"\['brand'\] do not vary"):
        drivers.driver_importance(flat, y)
    holes = scores.copy()
    holes.iloc[0, 0] = np.nan
    with pytest.raises(ValueError, match="no missing values"):
        drivers.driver_importance(holes, y)
