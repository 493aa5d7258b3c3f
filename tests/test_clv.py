"""Tests of crmlib.clv: published results first, then simulations, then bad input.

Published reference values:
- BG/NBD on the CDNOW 1/10 sample (Fader, Hardie & Lee 2005a, "Counting your customers the
  easy way"): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
- Gamma-Gamma on its 946 repeat buyers (Fader, Hardie & Lee 2005b, "RFM and CLV"):
  p = 6.25, q = 3.74, gamma = 15.44.
- sBG (Fader & Hardie 2007, "How to project customer retention"): "regular" segment
  alpha = 0.704, beta = 1.182; "high end" alpha = 0.668, beta = 3.806.
- BG/BB on the 1995 donor cohort (Fader, Hardie & Shang 2010): alpha = 1.204, beta = 0.750,
  gamma = 0.657, delta = 2.783, LL = -33225.6; the recency/frequency table is the paper's.
"""

from __future__ import annotations

import doctest
import warnings

import numpy as np
import pandas as pd
import pytest

from crmlib import clv
from crmlib.clv import (
    BetaGeo,
    BetaGeoBetaBinom,
    ConvergenceWarning,
    GammaGamma,
    NotFittedError,
    ShiftedBetaGeo,
    summarize,
)
from crmlib.datasets import fetch_cdnow

CAL_END, OBS_END = "1997-09-30", "1998-06-30"

# The 1995 donor cohort of Fader, Hardie & Shang (2010): n = 6 opportunities (1996-2001),
# (frequency x, recency t_x, number of donors). 11,104 donors in all.
DONATIONS = [
    (0, 0, 3464), (1, 1, 1091), (1, 2, 277), (1, 3, 129), (1, 4, 78), (1, 5, 119),
    (1, 6, 129), (2, 2, 613), (2, 3, 255), (2, 4, 155), (2, 5, 173), (2, 6, 234),
    (3, 3, 322), (3, 4, 181), (3, 5, 225), (3, 6, 357), (4, 4, 240), (4, 5, 284),
    (4, 6, 512), (5, 5, 335), (5, 6, 728), (6, 6, 1203),
]  # fmt: skip


# ------------------------------------------------------------------------------------------
# fixtures
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cdnow_tx(shared_data) -> pd.DataFrame:
    """The 1/10 sample as the paper numbers it (customer = sample id), dates as YYYYMMDD text."""
    tx = fetch_cdnow(sample=True, data_home=shared_data, download_if_missing=False)
    return pd.DataFrame(
        {
            "customer": tx["sample_id"],
            "date": tx["date"].dt.strftime("%Y%m%d"),
            "cds": tx["cds"],
            "value": tx["dollar_value"],
        }
    )


@pytest.fixture(scope="module")
def cdnow(cdnow_tx) -> pd.DataFrame:
    return summarize(
        cdnow_tx,
        customer="customer",
        date="date",
        amount="value",
        freq="W",
        calibration_end=CAL_END,
        observation_end=OBS_END,
    )


@pytest.fixture(scope="module")
def bg_cdnow(cdnow) -> BetaGeo:
    return BetaGeo().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


@pytest.fixture(scope="module")
def gg_cdnow(cdnow) -> GammaGamma:
    repeat = cdnow[cdnow["frequency"] > 0]
    return GammaGamma().fit(repeat["frequency"], repeat["monetary_value"])


def simulate_bgnbd(params, n, T, horizon, seed):
    """Simulate BG/NBD customers: (x, t_x) in (0, T] and purchases in (T, T + horizon]."""
    r, alpha, a, b = params
    rng = np.random.default_rng(seed)
    lam, p = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    seen = rng.poisson(lam * T)  # purchases the customer would make in (0, T] if alive
    later = seen + rng.poisson(lam * horizon)
    last = rng.geometric(p)  # the customer drops out right after repeat purchase number `last`
    x, total = np.minimum(seen, last), np.minimum(later, last)
    # given `seen` purchases in (0, T], the x-th one is the x-th of `seen` uniform times
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), seen - x + 1), 0.0)
    alive = seen < last
    return x, t_x, total - x, alive


def simulate_bgbb(params, n_customers, n, m, seed):
    """Simulate BG/BB customers: (x, t_x) over n opportunities and purchases in the next m."""
    alpha, beta, gamma, delta = params
    rng = np.random.default_rng(seed)
    p, theta = rng.beta(alpha, beta, n_customers), rng.beta(gamma, delta, n_customers)
    dies_at = rng.geometric(theta)  # first opportunity at which the customer is dead
    opportunity = np.arange(1, n + m + 1)[None, :]
    buys = (rng.random((n_customers, n + m)) < p[:, None]) & (opportunity < dies_at[:, None])
    x = buys[:, :n].sum(axis=1)
    t_x = np.where(x > 0, n - np.argmax(buys[:, :n][:, ::-1], axis=1), 0)
    return x, t_x, buys[:, n:].sum(axis=1), dies_at > n + 1


def grouped_gap(groups, actual, predicted):
    """Largest |mean actual - mean predicted| over groups, in standard errors."""
    frame = pd.DataFrame({"g": groups, "actual": actual, "predicted": predicted})
    stats = frame.groupby("g").agg(
        a=("actual", "mean"), p=("predicted", "mean"), sd=("actual", "std"), n=("actual", "size")
    )
    return float((np.abs(stats["a"] - stats["p"]) / (stats["sd"] / np.sqrt(stats["n"]))).max())


# ------------------------------------------------------------------------------------------
# summarize
# ------------------------------------------------------------------------------------------


def reference_summary(tx: pd.DataFrame) -> pd.DataFrame:
    """A slow, obvious per-customer summary of the CDNOW sample, to check the fast one."""
    cal_end, obs_end = pd.Timestamp(CAL_END), pd.Timestamp(OBS_END)
    days = tx.assign(day=pd.to_datetime(tx["date"], format="%Y%m%d"))
    days = days.groupby(["customer", "day"], as_index=False)["value"].sum()
    rows = {}
    for cid, g in days.groupby("customer"):
        cal = g[g["day"] <= cal_end].sort_values("day")
        hold = g[(g["day"] > cal_end) & (g["day"] <= obs_end)]
        first = cal["day"].iloc[0]
        rows[cid] = {
            "frequency": len(cal) - 1,
            "recency": (cal["day"].iloc[-1] - first).days / 7,
            "T": (cal_end - first).days / 7,
            "monetary_value": cal["value"].iloc[1:].mean() if len(cal) > 1 else 0.0,
            "frequency_holdout": len(hold),
            "monetary_value_holdout": hold["value"].mean() if len(hold) else 0.0,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def test_summarize_matches_a_per_customer_reference(cdnow_tx, cdnow):
    expected = reference_summary(cdnow_tx)
    assert len(cdnow) == 2357
    assert list(cdnow.columns) == [
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "frequency_holdout",
        "duration_holdout",
        "monetary_value_holdout",
    ]
    assert cdnow.index.name == "customer"
    assert (cdnow.index.to_numpy() == expected.index.to_numpy()).all()
    for col in expected.columns:
        np.testing.assert_allclose(cdnow[col].to_numpy(), expected[col].to_numpy(), err_msg=col)
    # the 39-week calibration and holdout periods of the paper
    assert (cdnow["duration_holdout"] == 39.0).all()
    assert cdnow["T"].max() == pytest.approx(272 / 7)  # first purchase 1997-01-01


def test_summarize_holdout_counts_every_purchase_day_in_the_period(cdnow_tx, cdnow):
    days = pd.to_datetime(cdnow_tx["date"], format="%Y%m%d")
    in_hold = (days > CAL_END) & (days <= OBS_END)
    distinct = cdnow_tx.assign(day=days)[in_hold].drop_duplicates(["customer", "day"])
    assert cdnow["frequency_holdout"].sum() == len(distinct)
    distinct_cal = cdnow_tx.assign(day=days)[~in_hold].drop_duplicates(["customer", "day"])
    assert cdnow["frequency"].sum() == len(distinct_cal) - 2357  # all but first purchases
    assert (cdnow["recency"] <= cdnow["T"]).all()


def test_summarize_units_merging_and_no_mutation():
    tx = pd.DataFrame(
        {
            "id": ["a", "a", "a", "a", "b"],
            "when": pd.to_datetime(
                [
                    "2024-01-01 09:00",
                    "2024-01-01 17:00",
                    "2024-01-15 00:00",
                    "2024-02-01 00:00",
                    "2024-01-10 00:00",
                ]
            ),
            "spend": [10.0, 5.0, 20.0, 99.0, 7.0],
        }
    )
    before = tx.copy()
    weeks = summarize(tx, customer="id", date="when", amount="spend", observation_end="2024-01-29")
    days = summarize(tx, customer="id", date="when", freq="D", observation_end="2024-01-29")
    pd.testing.assert_frame_equal(tx, before)
    # the two purchases of 1 January are one transaction of 15; February is after the end
    assert weeks.loc["a", "frequency"] == 1 and weeks.loc["a", "monetary_value"] == 20.0
    assert weeks.loc["a", "recency"] == 2.0 and weeks.loc["a", "T"] == 4.0
    assert "monetary_value" not in days.columns
    np.testing.assert_allclose(days[["recency", "T"]], weeks[["recency", "T"]] * 7)
    hours = summarize(tx, customer="id", date="when", freq="h", observation_end="2024-01-29")
    assert hours.loc["a", "frequency"] == 2  # 09:00 and 17:00 are different hours
    # a single customer is fine to summarise (but not to fit, see below)
    one = summarize(tx[tx["id"] == "b"], customer="id", date="when")
    assert one.to_dict("index") == {"b": {"frequency": 0, "recency": 0.0, "T": 0.0}}


# ------------------------------------------------------------------------------------------
# published results
# ------------------------------------------------------------------------------------------


def test_betageo_reproduces_fader_hardie_lee_cdnow(bg_cdnow):
    assert bg_cdnow.params_.round(3).to_dict() == {
        "r": 0.243,
        "alpha": 4.414,
        "a": 0.793,
        "b": 2.426,
    }
    assert round(bg_cdnow.log_likelihood_, 1) == -9582.4


def test_betageo_weights_give_the_same_fit(cdnow, bg_cdnow):
    table = cdnow.groupby(["frequency", "recency", "T"]).size().rename("n").reset_index()
    assert len(table) < len(cdnow)
    weighted = BetaGeo().fit(table["frequency"], table["recency"], table["T"], weights=table["n"])
    np.testing.assert_allclose(weighted.params_, bg_cdnow.params_, rtol=1e-5)
    assert weighted.log_likelihood_ == pytest.approx(bg_cdnow.log_likelihood_, abs=1e-4)


def test_gammagamma_reproduces_fader_hardie_lee_cdnow(cdnow, gg_cdnow):
    assert (cdnow["frequency"] > 0).sum() == 946
    assert gg_cdnow.params_.round(2).to_dict() == {"p": 6.25, "q": 3.74, "gamma": 15.44}


def test_shifted_beta_geo_reproduces_fader_hardie_2007():
    regular = ShiftedBetaGeo().fit([1000, 631, 468, 382, 326, 289, 262, 241])
    high_end = ShiftedBetaGeo().fit([1000, 869, 743, 653, 593, 551, 517, 491])
    assert regular.params_.round(3).to_dict() == {"alpha": 0.704, "beta": 1.182}
    assert high_end.params_.round(3).to_dict() == {"alpha": 0.668, "beta": 3.806}
    # survival is the product of the retention rates; retention rises with tenure
    t = np.arange(1, 13)
    np.testing.assert_allclose(regular.survival(t), np.cumprod(regular.retention(t)))
    assert (np.diff(regular.retention(t)) > 0).all()
    assert regular.survival(0) == pytest.approx(1.0)


def test_bgbb_reproduces_fader_hardie_shang_donations():
    x, t_x, n_donors = (np.array(col) for col in zip(*DONATIONS, strict=True))
    assert n_donors.sum() == 11104
    model = BetaGeoBetaBinom().fit(x, t_x, np.full(len(x), 6), weights=n_donors)
    assert model.params_.round(3).to_dict() == {
        "alpha": 1.204,
        "beta": 0.750,
        "gamma": 0.657,
        "delta": 2.783,
    }
    assert round(model.log_likelihood_, 1) == -33225.6


# ------------------------------------------------------------------------------------------
# predictions, checked against simulation
# ------------------------------------------------------------------------------------------


def test_betageo_predictions_match_simulated_customers(bg_cdnow):
    params = bg_cdnow.params_.to_numpy()
    x, t_x, future, alive = simulate_bgnbd(params, 100_000, 39.0, 39.0, seed=1)
    T = np.full(len(x), 39.0)
    groups = np.minimum(x, 4)
    predicted = bg_cdnow.conditional_expected_purchases(39.0, x, t_x, T)
    assert grouped_gap(groups, future, predicted) < 4
    assert grouped_gap(groups, alive.astype(float), bg_cdnow.p_alive(x, t_x, T)) < 4
    new = bg_cdnow.expected_purchases(np.array([39.0, 78.0]))
    se = x.std() / np.sqrt(len(x))
    assert abs(new[0] - x.mean()) < 4 * se
    assert abs(new[1] - (x + future).mean()) < 4 * (x + future).std() / np.sqrt(len(x))
    # a customer seen only at time 0 is a new customer
    assert bg_cdnow.conditional_expected_purchases(39.0, 0, 0.0, 0.0) == pytest.approx(new[0])


def test_betageo_prediction_shapes_follow_the_input(cdnow, bg_cdnow):
    alive = bg_cdnow.p_alive(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert isinstance(alive, pd.Series) and alive.index.equals(cdnow.index)
    assert alive[cdnow["frequency"] == 0].eq(1.0).all()
    assert ((alive > 0) & (alive <= 1)).all()
    assert isinstance(bg_cdnow.p_alive(1, 2.0, 3.0), float)
    assert isinstance(bg_cdnow.p_alive([1, 2], [2.0, 3.0], [3.0, 3.0]), np.ndarray)


def test_bgbb_predictions_match_simulated_customers():
    params = (1.204, 0.750, 0.657, 2.783)
    x, t_x, future, alive = simulate_bgbb(params, 200_000, 6, 5, seed=3)
    model = BetaGeoBetaBinom()
    model.params_ = pd.Series(params, index=["alpha", "beta", "gamma", "delta"])
    n = np.full(len(x), 6)
    groups = x * 10 + t_x
    predicted = model.conditional_expected_purchases(5, x, t_x, n)
    assert grouped_gap(groups, future, predicted) < 4.5
    assert grouped_gap(groups, alive.astype(float), model.p_alive(x, t_x, n)) < 4.5
    assert model.expected_purchases(6) == pytest.approx(x.mean(), abs=4 * x.std() / 447)


def test_gammagamma_expected_value_and_clv(cdnow, bg_cdnow, gg_cdnow):
    p, q, g = gg_cdnow.params_
    assert gg_cdnow.conditional_expected_value(0, 0.0) == pytest.approx(p * g / (q - 1))
    # a weighted average of the population mean and the customer's mean, leaning to the
    # customer's mean as the number of transactions grows
    few, many = gg_cdnow.conditional_expected_value([1, 50], [100.0, 100.0])
    assert p * g / (q - 1) < few < many < 100.0
    c = cdnow.head(200)
    args = (bg_cdnow, c["frequency"], c["recency"], c["T"], c["monetary_value"])
    undiscounted = gg_cdnow.clv(*args, time=12, discount_rate=0.0)
    month = 365.25 / 12 / 7
    expected = gg_cdnow.conditional_expected_value(
        c["frequency"], c["monetary_value"]
    ) * bg_cdnow.conditional_expected_purchases(12 * month, c["frequency"], c["recency"], c["T"])
    np.testing.assert_allclose(undiscounted, expected, rtol=1e-10)
    discounted = gg_cdnow.clv(*args, time=12, discount_rate=0.01)
    assert (discounted < undiscounted).all() and (discounted > undiscounted / 1.01**12).all()
    assert (gg_cdnow.clv(*args, time=24) > discounted).all()
    # the same customers measured in days: alpha scales with the time unit, r, a, b do not
    bg_days = BetaGeo()
    bg_days.params_ = bg_cdnow.params_ * pd.Series({"r": 1, "alpha": 7, "a": 1, "b": 1})
    in_days = gg_cdnow.clv(
        bg_days, c["frequency"], c["recency"] * 7, c["T"] * 7, c["monetary_value"], freq="D"
    )
    np.testing.assert_allclose(in_days, discounted, rtol=1e-8)


def test_doctests_pass():
    result = doctest.testmod(clv, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10 and result.failed == 0


# ------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------


@pytest.fixture
def small_tx() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["a", "a", "b"],
            "day": ["2024-01-01", "2024-01-08", "2024-01-03"],
            "spend": [1.0, 2.0, 3.0],
        }
    )


def test_summarize_rejects_bad_frames(small_tx):
    with pytest.raises(KeyError, match=r"missing column\(s\) 'amount'.*present are 'id', 'day'"):
        summarize(small_tx, customer="id", date="day", amount="amount")
    with pytest.raises(ValueError, match="empty DataFrame"):
        summarize(small_tx.iloc[:0], customer="id", date="day")
    with pytest.raises(TypeError, match="expected a pandas DataFrame"):
        summarize(small_tx.to_dict(), customer="id", date="day")
    with pytest.raises(ValueError, match=r"column 'day': 1 value\(s\) are not dates.*'soon'"):
        summarize(
            small_tx.assign(day=["2024-01-01", "soon", "2024-01-03"]), customer="id", date="day"
        )
    with pytest.raises(TypeError, match="column 'day': expected dates"):
        summarize(small_tx.assign(day=[1, 2, 3]), customer="id", date="day")
    with pytest.raises(TypeError, match="column 'spend': expected numbers.*'lots'"):
        summarize(
            small_tx.assign(spend=["1", "lots", "3"]), customer="id", date="day", amount="spend"
        )
    with pytest.raises(ValueError, match="column 'id': expected no missing values, found 1"):
        summarize(small_tx.assign(id=["a", None, "b"]), customer="id", date="day")


def test_summarize_rejects_bad_settings(small_tx):
    with pytest.raises(ValueError, match="freq: expected one of"):
        summarize(small_tx, customer="id", date="day", freq="fortnight")
    with pytest.raises(ValueError, match="calibration_end: expected a date.*'someday'"):
        summarize(small_tx, customer="id", date="day", calibration_end="someday")
    with pytest.raises(ValueError, match="calibration_end: expected a date before observation_end"):
        summarize(small_tx, customer="id", date="day", calibration_end="2024-02-01")
    with pytest.raises(ValueError, match="calibration_end: no customer made a purchase"):
        summarize(small_tx, customer="id", date="day", calibration_end="2023-12-01")
    with pytest.raises(ValueError, match="observation_end: every purchase"):
        summarize(small_tx, customer="id", date="day", observation_end="2023-01-01")


def test_fitters_reject_bad_arrays():
    with pytest.raises(ValueError, match="frequency: expected values >= 0, found 1 negative"):
        BetaGeo().fit([-1, 2], [0.0, 3.0], [5.0, 5.0])
    with pytest.raises(ValueError, match=r"recency must not exceed T.*row 1 with recency=6, T=5"):
        BetaGeo().fit([1, 2], [3.0, 6.0], [5.0, 5.0])
    with pytest.raises(ValueError, match="recency: expected 0 where frequency is 0"):
        BetaGeo().fit([0, 2], [1.0, 3.0], [5.0, 5.0])
    with pytest.raises(ValueError, match="frequency: expected whole numbers.*1.5"):
        BetaGeo().fit([1.5, 2], [1.0, 3.0], [5.0, 5.0])
    with pytest.raises(ValueError, match="same length.*'frequency': 2, 'recency': 3"):
        BetaGeo().fit([1, 2], [1.0, 3.0, 4.0], [5.0, 5.0])
    with pytest.raises(TypeError, match="column 'T': expected numbers"):
        BetaGeo().fit([1, 2], [1.0, 3.0], ["five", "5"])
    with pytest.raises(ValueError, match="T: expected finite numbers, found 1"):
        BetaGeo().fit([1, 2], [1.0, 3.0], [np.nan, 5.0])
    with pytest.raises(ValueError, match="weights: expected values >= 0"):
        BetaGeo().fit([1, 2], [1.0, 3.0], [5.0, 5.0], weights=[1, -1])


def test_fitters_need_more_than_one_customer():
    with pytest.raises(ValueError, match="at least 2 customers.*got 1"):
        BetaGeo().fit([2], [3.0], [5.0])
    with pytest.raises(ValueError, match="at least 2 customers"):
        GammaGamma().fit([2], [30.0])
    with pytest.raises(ValueError, match="at least 2 customers"):
        BetaGeoBetaBinom().fit([2], [3], [6])


def test_gammagamma_rejects_non_repeat_buyers(cdnow):
    with pytest.raises(ValueError, match="repeat buyers only, but 1411 of 2357 customers"):
        GammaGamma().fit(cdnow["frequency"], cdnow["monetary_value"])
    with pytest.raises(ValueError, match="monetary_value: expected values > 0"):
        GammaGamma().fit([1, 2], [0.0, 3.0])


def test_shifted_beta_geo_rejects_bad_counts():
    with pytest.raises(ValueError, match="active: expected values >= 0, found 1 negative"):
        ShiftedBetaGeo().fit([1000, 800, -5])
    with pytest.raises(ValueError, match=r"non-increasing.*active\[2\]=900 > active\[1\]=800"):
        ShiftedBetaGeo().fit([1000, 800, 900])
    with pytest.raises(ValueError, match="at least 2 periods, got 1"):
        ShiftedBetaGeo().fit([1000])
    with pytest.raises(ValueError, match=r"cohort size active\[0\] > 0"):
        ShiftedBetaGeo().fit([0, 0])
    with pytest.raises(ValueError, match="t: retention is defined for periods t >= 1"):
        ShiftedBetaGeo().fit([1000, 631, 468]).retention(0)


def test_bgbb_rejects_impossible_histories():
    with pytest.raises(ValueError, match="recency must not exceed n_periods"):
        BetaGeoBetaBinom().fit([1, 2], [7, 3], [6, 6])
    with pytest.raises(ValueError, match="frequency: expected at most recency"):
        BetaGeoBetaBinom().fit([4, 2], [3, 3], [6, 6])
    with pytest.raises(ValueError, match="n_periods: expected whole numbers"):
        BetaGeoBetaBinom().fit([1, 2], [3, 3], [6.5, 6])


def test_non_convergence_warns_with_the_optimiser_message(cdnow):
    with pytest.warns(
        ConvergenceWarning, match="BetaGeo.fit did not converge.*Maximum number of iterations"
    ):
        BetaGeo(max_iter=2).fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    # five customers cannot identify four parameters: they run off to the edge
    with pytest.warns(ConvergenceWarning, match="ran off towards 0 or infinity"):
        BetaGeo().fit([0, 1, 3, 0, 2], [0, 5, 20, 0, 30], [30, 35, 40, 38, 36])


def test_fitted_model_does_not_warn(cdnow):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = BetaGeo().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert "log_likelihood=-9582.4" in repr(model)


@pytest.mark.parametrize(
    ("model", "call"),
    [
        (BetaGeo(), lambda m: m.p_alive(1, 2.0, 3.0)),
        (BetaGeo(), lambda m: m.expected_purchases(10.0)),
        (BetaGeo(), lambda m: m.conditional_expected_purchases(10.0, 1, 2.0, 3.0)),
        (GammaGamma(), lambda m: m.conditional_expected_value(1, 20.0)),
        (ShiftedBetaGeo(), lambda m: m.survival(3)),
        (BetaGeoBetaBinom(), lambda m: m.p_alive(1, 2, 3)),
    ],
)
def test_predicting_before_fit_is_a_clear_error(model, call):
    with pytest.raises(NotFittedError, match=f"this {type(model).__name__} is not fitted yet"):
        call(model)
    assert "max_iter=" in repr(model)


def test_clv_rejects_bad_settings(cdnow, bg_cdnow, gg_cdnow):
    c = cdnow.head(3)
    args = (c["frequency"], c["recency"], c["T"], c["monetary_value"])
    with pytest.raises(TypeError, match="beta_geo: expected a fitted BetaGeo, got GammaGamma"):
        gg_cdnow.clv(gg_cdnow, *args)
    with pytest.raises(ValueError, match="time: expected a whole number of months"):
        gg_cdnow.clv(bg_cdnow, *args, time=0)
    with pytest.raises(ValueError, match="discount_rate: expected a rate > -1"):
        gg_cdnow.clv(bg_cdnow, *args, discount_rate=-2.0)
    with pytest.raises(NotFittedError, match="BetaGeo is not fitted yet"):
        gg_cdnow.clv(BetaGeo(), *args)
