"""Tests of crmlib.btyd: published results first, then independent derivations and
simulations, then the estimator API, diagnostics and bad input.

Published reference values:
- BG/NBD on the CDNOW 1/10 sample (Fader, Hardie & Lee 2005a, "Counting your customers the
  easy way"): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
- Pareto/NBD on the same sample (same paper): r = 0.553, alpha = 10.578, s = 0.606,
  beta = 11.669, LL = -9595.0.
- Gamma-Gamma on its 946 repeat buyers (Fader, Hardie & Lee 2005b, "RFM and CLV"):
  p = 6.25, q = 3.74, gamma = 15.44.
- sBG (Fader & Hardie 2007, "How to project customer retention"): "regular" segment
  alpha = 0.704, beta = 1.182; "high end" alpha = 0.668, beta = 3.806.
- BG/BB on the 1995 donor cohort (Fader, Hardie & Shang 2010): alpha = 1.204, beta = 0.750,
  gamma = 0.657, delta = 2.783, LL = -33225.6; the recency/frequency table is the paper's.
MBG/NBD (Batislam et al. 2007) has no published CDNOW estimate: its likelihood is checked
against direct numerical integration of the individual-level model, its predictions against
simulation, and its CDNOW estimates against lifetimes' ModifiedBetaGeoFitter (an independent
implementation, run in the benchmark environment).
"""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats
from scipy.special import betaln, gammaln, hyp2f1
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError

matplotlib.use("Agg")

from crmlib import btyd  # noqa: E402
from crmlib.btyd import (  # noqa: E402
    BetaGeo,
    BetaGeoBetaBinom,
    GammaGamma,
    ModifiedBetaGeo,
    ParetoNBD,
    ShiftedBetaGeo,
    summarize,
    summary_frame,
)
from crmlib.btyd import plots as btyd_plots  # noqa: E402
from crmlib.datasets import fetch_cdnow  # noqa: E402

CAL_END, OBS_END = "1997-09-30", "1998-06-30"
HISTORY = ["repeat_purchases", "age_at_last_purchase", "age"]
PURCHASE_MODELS = [BetaGeo, ParetoNBD, ModifiedBetaGeo]

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
        unit="W",
        calibration_end=CAL_END,
        observation_end=OBS_END,
    )


@pytest.fixture(scope="module")
def bg_cdnow(cdnow) -> BetaGeo:
    return BetaGeo().fit(cdnow)


@pytest.fixture(scope="module")
def pnbd_cdnow(cdnow) -> ParetoNBD:
    return ParetoNBD().fit(cdnow)


@pytest.fixture(scope="module")
def mbg_cdnow(cdnow) -> ModifiedBetaGeo:
    return ModifiedBetaGeo().fit(cdnow)


@pytest.fixture(scope="module")
def gg_cdnow(cdnow) -> GammaGamma:
    return GammaGamma().fit(cdnow)


def frame(x, t_x, T, unit="W") -> pd.DataFrame:
    return summary_frame(x, t_x, T, unit=unit)


def simulate_bgnbd(params, n, T, horizon, seed, *, modified=False):
    """Simulate (M)BG/NBD customers: (x, t_x) in (0, T] and purchases in (T, T + horizon]."""
    r, alpha, a, b = params
    rng = np.random.default_rng(seed)
    lam, p = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    seen = rng.poisson(lam * T)  # purchases the customer would make in (0, T] if alive
    later = seen + rng.poisson(lam * horizon)
    # drops out right after repeat purchase number `last` (MBG: also right after the first)
    last = rng.geometric(p) - (1 if modified else 0)
    x, total = np.minimum(seen, last), np.minimum(later, last)
    # given `seen` purchases in (0, T], the x-th one is the x-th of `seen` uniform times
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), np.maximum(seen - x, 0) + 1), 0.0)
    alive = seen < last
    return x, t_x, total - x, alive


def simulate_pareto_nbd(params, n, T, horizon, seed):
    """Simulate Pareto/NBD customers: exponential lifetimes, Poisson purchases while alive."""
    r, alpha, s, beta = params
    rng = np.random.default_rng(seed)
    lam, mu = rng.gamma(r, 1 / alpha, n), rng.gamma(s, 1 / beta, n)
    death = rng.exponential(1 / mu)
    active = np.minimum(death, T)
    x = rng.poisson(lam * active)
    t_x = np.where(x > 0, active * rng.beta(np.maximum(x, 1), 1), 0.0)  # max of x uniforms
    future = rng.poisson(lam * np.clip(death - T, 0, horizon))
    return x, t_x, future, death > T


def grouped_gap(groups, actual, predicted):
    """Largest |mean actual - mean predicted| over groups, in standard errors."""
    table = pd.DataFrame({"g": groups, "actual": actual, "predicted": predicted})
    stats_ = table.groupby("g").agg(
        a=("actual", "mean"), p=("predicted", "mean"), sd=("actual", "std"), n=("actual", "size")
    )
    stats_ = stats_[stats_["n"] >= 30]
    return float((np.abs(stats_["a"] - stats_["p"]) / (stats_["sd"] / np.sqrt(stats_["n"]))).max())


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
            "repeat_purchases": len(cal) - 1,
            "age_at_last_purchase": (cal["day"].iloc[-1] - first).days / 7,
            "age": (cal_end - first).days / 7,
            "mean_repeat_spend": cal["value"].iloc[1:].mean() if len(cal) > 1 else 0.0,
            "holdout_purchases": len(hold),
            "holdout_mean_spend": hold["value"].mean() if len(hold) else 0.0,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def test_summarize_matches_a_per_customer_reference(cdnow_tx, cdnow):
    expected = reference_summary(cdnow_tx)
    assert len(cdnow) == 2357
    assert list(cdnow.columns) == [
        "repeat_purchases",
        "age_at_last_purchase",
        "age",
        "mean_repeat_spend",
        "holdout_purchases",
        "holdout_length",
        "holdout_mean_spend",
    ]
    assert cdnow.attrs["unit"] == "W"
    assert cdnow.index.name == "customer"
    assert (cdnow.index.to_numpy() == expected.index.to_numpy()).all()
    for col in expected.columns:
        np.testing.assert_allclose(cdnow[col].to_numpy(), expected[col].to_numpy(), err_msg=col)
    # the 39-week calibration and holdout periods of the paper
    assert (cdnow["holdout_length"] == 39.0).all()
    assert cdnow["age"].max() == pytest.approx(272 / 7)  # first purchase 1997-01-01


def test_summarize_holdout_counts_every_purchase_day_in_the_period(cdnow_tx, cdnow):
    days = pd.to_datetime(cdnow_tx["date"], format="%Y%m%d")
    in_hold = (days > CAL_END) & (days <= OBS_END)
    distinct = cdnow_tx.assign(day=days)[in_hold].drop_duplicates(["customer", "day"])
    assert cdnow["holdout_purchases"].sum() == len(distinct)
    distinct_cal = cdnow_tx.assign(day=days)[~in_hold].drop_duplicates(["customer", "day"])
    assert cdnow["repeat_purchases"].sum() == len(distinct_cal) - 2357  # all but first purchases
    assert (cdnow["age_at_last_purchase"] <= cdnow["age"]).all()


def test_repeat_purchases_by_period_adds_up_to_the_summary(cdnow_tx, cdnow):
    per_week = btyd.repeat_purchases_by_period(
        cdnow_tx, customer="customer", date="date", calibration_end=CAL_END,
        observation_end=OBS_END,
    )  # fmt: skip
    assert per_week.index.name == "period" and per_week.index.is_monotonic_increasing
    assert per_week.index.min() == -38 and per_week.index.max() == 39
    assert per_week[per_week.index <= 0].sum() == cdnow["repeat_purchases"].sum()
    assert per_week[per_week.index > 0].sum() == cdnow["holdout_purchases"].sum()


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
    days = summarize(tx, customer="id", date="when", unit="D", observation_end="2024-01-29")
    pd.testing.assert_frame_equal(tx, before)
    # the two purchases of 1 January are one transaction of 15; February is after the end
    assert weeks.loc["a", "repeat_purchases"] == 1 and weeks.loc["a", "mean_repeat_spend"] == 20.0
    assert weeks.loc["a", "age_at_last_purchase"] == 2.0 and weeks.loc["a", "age"] == 4.0
    assert "mean_repeat_spend" not in days.columns and days.attrs["unit"] == "D"
    np.testing.assert_allclose(days[HISTORY[1:]], weeks[HISTORY[1:]] * 7)
    hours = summarize(tx, customer="id", date="when", unit="h", observation_end="2024-01-29")
    assert hours.loc["a", "repeat_purchases"] == 2  # 09:00 and 17:00 are different hours
    one = summarize(tx[tx["id"] == "b"], customer="id", date="when")
    assert one.to_dict("index") == {
        "b": {"repeat_purchases": 0, "age_at_last_purchase": 0.0, "age": 0.0}
    }


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
    assert bg_cdnow.unit_ == "W" and bg_cdnow.n_customers_ == 2357


def test_pareto_nbd_reproduces_fader_hardie_lee_cdnow(pnbd_cdnow):
    assert pnbd_cdnow.params_.round(3).to_dict() == {
        "r": 0.553,
        "alpha": 10.578,
        "s": 0.606,
        "beta": 11.669,
    }
    assert round(pnbd_cdnow.log_likelihood_, 1) == -9595.0


def test_betageo_weights_give_the_same_fit(cdnow, bg_cdnow):
    table = cdnow.groupby(HISTORY).size().rename("n").reset_index()
    table.attrs["unit"] = "W"
    assert len(table) < len(cdnow)
    weighted = BetaGeo().fit(table, weights="n")
    np.testing.assert_allclose(weighted.params_, bg_cdnow.params_, rtol=1e-5)
    assert weighted.log_likelihood_ == pytest.approx(bg_cdnow.log_likelihood_, abs=1e-4)
    assert weighted.n_customers_ == 2357


def test_gammagamma_reproduces_fader_hardie_lee_cdnow(cdnow, gg_cdnow):
    assert (cdnow["repeat_purchases"] > 0).sum() == 946 == gg_cdnow.n_customers_
    assert gg_cdnow.params_.round(2).to_dict() == {"p": 6.25, "q": 3.74, "gamma": 15.44}


def test_shifted_beta_geo_reproduces_fader_hardie_2007():
    regular = ShiftedBetaGeo().fit([1000, 631, 468, 382, 326, 289, 262, 241])
    high_end = ShiftedBetaGeo().fit([1000, 869, 743, 653, 593, 551, 517, 491])
    assert regular.params_.round(3).to_dict() == {"alpha": 0.704, "beta": 1.182}
    assert high_end.params_.round(3).to_dict() == {"alpha": 0.668, "beta": 3.806}
    t = np.arange(1, 13)
    np.testing.assert_allclose(regular.survival(t), np.cumprod(regular.retention(t)))
    assert (np.diff(regular.retention(t)) > 0).all()
    assert regular.survival(0) == pytest.approx(1.0)


def donations() -> pd.DataFrame:
    x, t_x, n_donors = (np.array(col) for col in zip(*DONATIONS, strict=True))
    out = summary_frame(x, t_x, np.full(len(x), 6), unit="Y").assign(donors=n_donors)
    return out


def test_bgbb_reproduces_fader_hardie_shang_donations():
    table = donations()
    assert table["donors"].sum() == 11104
    model = BetaGeoBetaBinom().fit(table, weights="donors")
    assert model.params_.round(3).to_dict() == {
        "alpha": 1.204,
        "beta": 0.750,
        "gamma": 0.657,
        "delta": 2.783,
    }
    assert round(model.log_likelihood_, 1) == -33225.6


# ------------------------------------------------------------------------------------------
# MBG/NBD: independent derivations
# ------------------------------------------------------------------------------------------


def test_mbg_likelihood_equals_the_integral_of_the_individual_model():
    """Integrate the individual-level likelihood over lambda ~ Gamma numerically (the
    expectations over p ~ Beta(a, b) are beta functions)."""
    r, alpha, a, b = 0.6, 5.0, 0.9, 1.7
    model = ModifiedBetaGeo().set_fitted("W", r=r, alpha=alpha, a=a, b=b)
    gamma = stats.gamma(r, scale=1 / alpha)
    for x, t_x, T in [(0, 0.0, 30.0), (1, 12.0, 30.0), (4, 25.5, 38.0), (2, 38.0, 38.0)]:
        # alive at T after x repeat purchases: (1-p)^(x+1); dropped out right after the
        # purchase at t_x: p (1-p)^x (MBG: dropout is possible after the first purchase too)
        alive = np.exp(betaln(a, b + x + 1) - betaln(a, b))
        died = np.exp(betaln(a + 1, b + x) - betaln(a, b))
        direct, _ = integrate.quad(
            lambda lam, x=x, t_x=t_x, T=T, alive=alive, died=died: lam**x
            * (alive * np.exp(-lam * T) + died * np.exp(-lam * t_x))
            * gamma.pdf(lam),
            0, np.inf, epsabs=0, epsrel=1e-11, limit=200,
        )  # fmt: skip
        closed = model._log_likelihood_rows(np.array([x]), np.array([t_x]), np.array([T]))[0]
        assert closed == pytest.approx(np.log(direct), abs=1e-7), (x, t_x, T)


def death_integrand(u, rx, alpha, s, beta):
    """Density of dying at u (mu ~ Gamma(s, beta)) times the purchase likelihood to then."""
    return (alpha + u) ** -rx * s * beta**s * (beta + u) ** -(s + 1)


def test_pareto_likelihood_equals_the_integral_over_the_death_time():
    """The hypergeometric closed form against the integral it stands for."""
    for params in [(0.553, 10.578, 0.606, 11.669), (0.553, 5.0, 0.606, 20.0), (2.0, 3.0, 1.0, 3.0)]:
        r, alpha, s, beta = params
        model = ParetoNBD().set_fitted("W", r=r, alpha=alpha, s=s, beta=beta)
        for x, t_x, T in [(0, 0.0, 38.0), (2, 30.43, 38.86), (15, 20.0, 38.0), (3, 38.0, 38.0)]:
            died, _ = integrate.quad(
                death_integrand, t_x, T, args=(r + x, alpha, s, beta), epsabs=0, epsrel=1e-11
            )
            alive = (alpha + T) ** -(r + x) * (beta / (beta + T)) ** s
            direct = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + np.log(alive + died)
            closed = model._log_likelihood_rows(np.array([x]), np.array([t_x]), np.array([T]))
            assert closed[0] == pytest.approx(direct, abs=1e-8), (params, x)


def test_mbg_matches_lifetimes_modified_betageo_on_cdnow(mbg_cdnow):
    """lifetimes 0.11.3's ModifiedBetaGeoFitter on the same summary (run in .venv-bench):
    r 0.525, alpha 6.183, a 0.891, b 1.614; crmlib's own likelihood is at least as high."""
    assert mbg_cdnow.params_.round(3).to_dict() == {
        "r": 0.525,
        "alpha": 6.183,
        "a": 0.891,
        "b": 1.614,
    }


@pytest.mark.parametrize("model_class", PURCHASE_MODELS)
def test_purchase_probabilities_sum_to_one_and_average_to_the_expectation(model_class, cdnow):
    model = model_class().fit(cdnow)
    t = np.array([5.0, 39.0, 78.0])
    pmf = model.purchase_probabilities(t, 400)
    np.testing.assert_allclose(pmf.sum(axis=0), 1.0, atol=2e-4)
    mean = np.arange(401) @ pmf
    np.testing.assert_allclose(mean, model.expected_purchases(t), rtol=2e-3)


# ------------------------------------------------------------------------------------------
# predictions, checked against simulation
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_class", "simulate"),
    [
        (BetaGeo, lambda p, n: simulate_bgnbd(p, n, 39.0, 39.0, seed=1)),
        (ModifiedBetaGeo, lambda p, n: simulate_bgnbd(p, n, 39.0, 39.0, seed=2, modified=True)),
        (ParetoNBD, lambda p, n: simulate_pareto_nbd(p, n, 39.0, 39.0, seed=3)),
    ],
)
def test_predictions_match_simulated_customers(model_class, simulate, cdnow):
    model = model_class().fit(cdnow)
    x, t_x, future, alive = simulate(model.params_.to_numpy(), 100_000)
    customers = frame(x, t_x, np.full(len(x), 39.0))
    groups = np.minimum(x, 4)
    predicted = model.conditional_expected_purchases(customers, 39.0)
    assert grouped_gap(groups, future, predicted) < 4
    assert grouped_gap(groups, alive.astype(float), model.p_alive(customers)) < 4
    new = model.expected_purchases(np.array([39.0, 78.0]))
    assert abs(new[0] - x.mean()) < 4 * x.std() / np.sqrt(len(x))
    both = x + future
    assert abs(new[1] - both.mean()) < 4 * both.std() / np.sqrt(len(x))
    # a customer seen only at time 0 is a new customer
    fresh = model.conditional_expected_purchases(frame(0, 0.0, 0.0), 39.0).item()
    assert fresh == pytest.approx(new[0])


def test_bgbb_predictions_match_simulated_customers():
    params = (1.204, 0.750, 0.657, 2.783)
    alpha, beta, gamma, delta = params
    rng = np.random.default_rng(3)
    n_customers, n, m = 200_000, 6, 5
    p, theta = rng.beta(alpha, beta, n_customers), rng.beta(gamma, delta, n_customers)
    dies_at = rng.geometric(theta)
    opportunity = np.arange(1, n + m + 1)[None, :]
    buys = (rng.random((n_customers, n + m)) < p[:, None]) & (opportunity < dies_at[:, None])
    x = buys[:, :n].sum(axis=1)
    t_x = np.where(x > 0, n - np.argmax(buys[:, :n][:, ::-1], axis=1), 0)
    model = BetaGeoBetaBinom().set_fitted(alpha=alpha, beta=beta, gamma=gamma, delta=delta)
    customers = summary_frame(x, t_x, np.full(len(x), n), unit="Y")
    groups = x * 10 + t_x
    predicted = model.conditional_expected_purchases(customers, m)
    assert grouped_gap(groups, buys[:, n:].sum(axis=1), predicted) < 4.5
    assert grouped_gap(groups, (dies_at > n + 1).astype(float), model.p_alive(customers)) < 4.5
    assert model.expected_purchases(6) == pytest.approx(x.mean(), abs=4 * x.std() / 447)


def test_p_alive_of_one_time_buyers(cdnow, bg_cdnow, mbg_cdnow, pnbd_cdnow):
    one_time = cdnow[cdnow["repeat_purchases"] == 0]
    # BG/NBD: dropout only after a repeat purchase, so one-time buyers are active for sure
    assert bg_cdnow.p_alive(one_time).eq(1.0).all()
    # MBG/NBD and Pareto/NBD: they may have left, and the longer ago, the likelier
    for model in (mbg_cdnow, pnbd_cdnow):
        alive = model.p_alive(one_time)
        assert (alive < 1).all() and alive.corr(one_time["age"]) < -0.9


@pytest.mark.parametrize("model_class", PURCHASE_MODELS)
def test_huge_frequencies_and_long_histories_stay_finite(model_class, cdnow):
    model = model_class().fit(cdnow)
    x = np.array([0, 1, 50, 1_000, 10_000, 100_000, 1_000_000, 5_000])
    t_x = np.array([0, 1, 30, 38, 38.8, 38.86, 38.86, 10])
    T = np.array([38.86] * 7 + [5_000.0])  # the last: 5,000 weeks old, quiet for ages
    customers = frame(x, t_x, T)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        alive = model.p_alive(customers)
        expected = model.conditional_expected_purchases(customers, 39.0)
        ll = model._log_likelihood_rows(x.astype(float), t_x, T)
    assert np.isfinite(alive).all() and np.isfinite(expected).all() and np.isfinite(ll).all()
    assert ((alive >= 0) & (alive <= 1)).all()
    # A buyer of 100,000 in 38.86 weeks who bought at the end: computed another way.
    # Pareto/NBD customers alive at T buy at lambda ~ Gamma(r + x, alpha + T) and die at
    # mu ~ Gamma(s, beta + T) whatever they bought: E[lambda] * E[(1 - exp(-39 mu)) / mu].
    # (M)BG/NBD customers alive at T have p ~ Beta(a, b + x) (MBG: b + x + 1) and make
    # min(N, G) purchases, N ~ NBD, G ~ geometric(p): sum_k P(N >= k) E[(1 - p)^(k - 1)].
    r, alpha = model.params_.iloc[:2]
    big_x, age = 100_000, 38.86
    if model_class is ParetoNBD:
        s, beta = model.params_.iloc[2:]
        mu = stats.gamma(s, scale=1 / (beta + age))
        alive_time, _ = integrate.quad(lambda m: -np.expm1(-39 * m) / m * mu.pdf(m), 0, np.inf)
        direct = (r + big_x) / (alpha + age) * alive_time
    else:
        a, b = model.params_["a"], model.params_["b"]
        b_x = b + big_x + (0 if model_class is BetaGeo else 1)
        k = np.arange(1, 200_000)
        n_at_least_k = stats.nbinom.sf(k - 1, r + big_x, (alpha + age) / (alpha + age + 39))
        direct = n_at_least_k @ np.exp(betaln(a, b_x + k - 1) - betaln(a, b_x))
    assert expected.iloc[5] == pytest.approx(direct * alive.iloc[5], rel=1e-6)
    assert expected.iloc[6] == pytest.approx(10 * expected.iloc[5], rel=0.01)
    # where the textbook formula still works, the log-space one agrees with it
    small = frame([1, 5, 40], [10.0, 30.0, 38.0], [38.86] * 3)
    if model_class is not ParetoNBD:
        r, alpha, a, b = model.params_
        shift = 1 if model_class is BetaGeo else 0  # MBG: b + x where BG/NBD has b + x - 1
        xs, z = np.array([1.0, 5, 40]), 39.0 / (alpha + 38.86 + 39.0)
        body = 1 - ((alpha + 38.86) / (alpha + 77.86)) ** (r + xs) * hyp2f1(
            r + xs, b + xs + 1 - shift, a + b + xs - shift, z
        )
        direct = (a + b + xs - shift) / (a - 1) * body * model.p_alive(small).to_numpy()
        np.testing.assert_allclose(
            model.conditional_expected_purchases(small, 39.0), direct, rtol=1e-9
        )
    assert alive.iloc[7] < 1e-6 and expected.iloc[7] < 1e-6


def test_prediction_shapes_follow_the_summary(cdnow, bg_cdnow):
    alive = bg_cdnow.p_alive(cdnow)
    assert isinstance(alive, pd.Series) and alive.index.equals(cdnow.index)
    assert ((alive > 0) & (alive <= 1)).all()
    assert isinstance(bg_cdnow.expected_purchases(39.0), float)
    assert isinstance(bg_cdnow.expected_purchases([39.0, 78.0]), np.ndarray)


# ------------------------------------------------------------------------------------------
# CLV
# ------------------------------------------------------------------------------------------


def test_expected_clv_sums_discounted_monthly_purchases(cdnow, bg_cdnow, gg_cdnow):
    c = cdnow.head(200)
    spend = gg_cdnow.conditional_expected_spend(c)
    undiscounted = btyd.expected_clv(
        bg_cdnow, gg_cdnow, c, horizon_years=1, annual_discount_rate=0.0
    )
    year = 365.25 / 7
    expected = spend * bg_cdnow.conditional_expected_purchases(c, year)
    np.testing.assert_allclose(undiscounted, expected, rtol=1e-10)
    discounted = btyd.expected_clv(
        bg_cdnow, gg_cdnow, c, horizon_years=1, annual_discount_rate=0.12
    )
    assert (discounted < undiscounted).all() and (discounted > undiscounted / 1.12).all()
    longer = btyd.expected_clv(bg_cdnow, gg_cdnow, c, horizon_years=2, annual_discount_rate=0.12)
    assert (longer > discounted).all()
    margin = btyd.expected_clv(
        bg_cdnow, gg_cdnow, c, horizon_years=1, annual_discount_rate=0.12, margin=0.3
    )
    np.testing.assert_allclose(margin, 0.3 * discounted)


def test_expected_clv_knows_the_unit_from_the_model(cdnow, bg_cdnow, gg_cdnow):
    """The same customers in days: alpha scales with the unit, the CLV does not change."""
    c = cdnow.head(100)
    in_days = c.assign(age_at_last_purchase=c["age_at_last_purchase"] * 7, age=c["age"] * 7)
    in_days.attrs["unit"] = "D"
    bg_days = BetaGeo().set_fitted("D", **(bg_cdnow.params_ * [1, 7, 1, 1]).to_dict())
    args = {"horizon_years": 3, "annual_discount_rate": 0.15, "margin": 0.3}
    np.testing.assert_allclose(
        btyd.expected_clv(bg_days, gg_cdnow, in_days, **args),
        btyd.expected_clv(bg_cdnow, gg_cdnow, c, **args),
        rtol=1e-8,
    )
    with pytest.raises(ValueError, match="ages are in 'D' but the model was fitted in 'W'"):
        btyd.expected_clv(bg_cdnow, gg_cdnow, in_days, **args)


def test_expected_clv_rejects_bad_settings(cdnow, bg_cdnow, gg_cdnow):
    c = cdnow.head(3)
    args = {"horizon_years": 1, "annual_discount_rate": 0.1}
    with pytest.raises(TypeError, match="purchase_model: expected a fitted BetaGeo.*GammaGamma"):
        btyd.expected_clv(gg_cdnow, gg_cdnow, c, **args)
    with pytest.raises(TypeError, match="spend_model: expected a fitted GammaGamma"):
        btyd.expected_clv(bg_cdnow, bg_cdnow, c, **args)
    with pytest.raises(ValueError, match="horizon_years: expected a whole number of periods"):
        btyd.expected_clv(bg_cdnow, gg_cdnow, c, horizon_years=0.04, annual_discount_rate=0.1)
    with pytest.raises(ValueError, match="annual_discount_rate: expected a number > -1"):
        btyd.expected_clv(bg_cdnow, gg_cdnow, c, horizon_years=1, annual_discount_rate=-2.0)
    with pytest.raises(ValueError, match="margin: expected a fraction"):
        btyd.expected_clv(bg_cdnow, gg_cdnow, c, **args, margin=30)
    with pytest.raises(NotFittedError, match="BetaGeo is not fitted yet"):
        btyd.expected_clv(BetaGeo(), gg_cdnow, c, **args)
    with pytest.raises(ValueError, match="its time unit is unknown"):
        btyd.expected_clv(BetaGeo().set_fitted(**bg_cdnow.params_), gg_cdnow, c, **args)


# ------------------------------------------------------------------------------------------
# model comparison and diagnostics
# ------------------------------------------------------------------------------------------


def test_compare_models_on_cdnow(cdnow, bg_cdnow, pnbd_cdnow):
    result = btyd.compare_models(cdnow)
    table = result.table
    assert list(table.index) == ["BG/NBD", "Pareto/NBD", "MBG/NBD"]
    assert table.loc["Pareto/NBD", "log_likelihood"] == pytest.approx(pnbd_cdnow.log_likelihood_)
    np.testing.assert_allclose(
        table["bic"], 4 * np.log(2357) - 2 * table["log_likelihood"], rtol=1e-12
    )
    by_group = result.by_group
    assert list(by_group.index) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert by_group["customers"].sum() == 2357
    groups = np.minimum(cdnow["repeat_purchases"], 7)
    np.testing.assert_allclose(
        by_group["actual"].to_numpy(), cdnow.groupby(groups)["holdout_purchases"].mean()
    )
    predicted = bg_cdnow.conditional_expected_purchases(cdnow, 39.0)
    assert table.loc["BG/NBD", "holdout_total_error"] == pytest.approx(
        predicted.sum() / cdnow["holdout_purchases"].sum() - 1
    )
    assert table.loc["BG/NBD", "holdout_group_mae"] == pytest.approx(
        (by_group["BG/NBD"] - by_group["actual"]).abs().mean()
    )
    assert result.models["BG/NBD"] is not bg_cdnow and result.models["BG/NBD"].unit_ == "W"


def test_tracking_and_histogram_add_up(cdnow_tx, cdnow, bg_cdnow):
    per_week = btyd.repeat_purchases_by_period(
        cdnow_tx, customer="customer", date="date", calibration_end=CAL_END,
        observation_end=OBS_END,
    )  # fmt: skip
    track = btyd.tracking(bg_cdnow, cdnow, per_week)
    # at the calibration end, the expected total is E[X(T_i)] summed over customers
    at_end = sum(bg_cdnow.expected_purchases(cdnow["age"].to_numpy()))
    assert track.loc[0, "expected_cumulative"] == pytest.approx(at_end, rel=1e-9)
    assert track.loc[0, "actual_cumulative"] == cdnow["repeat_purchases"].sum()
    np.testing.assert_allclose(track["expected"].cumsum(), track["expected_cumulative"])
    hist = btyd.repeat_purchase_histogram(bg_cdnow, cdnow)
    assert hist["actual"].sum() == 2357
    assert hist["expected"].sum() == pytest.approx(2357)
    assert hist.loc["0", "actual"] == (cdnow["repeat_purchases"] == 0).sum()


def test_frequency_recency_matrix(cdnow, bg_cdnow):
    alive = btyd.frequency_recency_matrix(bg_cdnow, cdnow, max_repeat=10)
    assert alive.shape == (11, 39) and alive.loc[0].isna().sum() == 38
    assert alive.loc[0, 0] == 1.0
    # P(alive) rises with the age at the last purchase and, for a long silence, falls with x
    assert (alive.loc[1:].diff(axis=1).iloc[:, 1:] > 0).all().all()
    assert alive.loc[10, 10] < alive.loc[2, 10]
    expected = btyd.frequency_recency_matrix(
        bg_cdnow, cdnow, kind="expected_purchases", horizon=4.0, max_repeat=10
    )
    one = frame(5, 30.0, alive.attrs["age"])
    assert expected.loc[5, 30] == pytest.approx(
        bg_cdnow.conditional_expected_purchases(one, 4.0).item()
    )
    with pytest.raises(ValueError, match="kind: expected 'p_alive' or 'expected_purchases'"):
        btyd.frequency_recency_matrix(bg_cdnow, cdnow, kind="alive")


def test_plots_take_ax_return_it_and_state_the_finding(cdnow_tx, cdnow, bg_cdnow, pnbd_cdnow):
    import matplotlib.pyplot as plt

    models = {"BG/NBD": bg_cdnow, "Pareto/NBD": pnbd_cdnow}
    per_week = btyd.repeat_purchases_by_period(
        cdnow_tx, customer="customer", date="date", calibration_end=CAL_END,
        observation_end=OBS_END,
    )  # fmt: skip
    fig, axs = plt.subplots(2, 2)
    ax = btyd_plots.plot_calibration_holdout(models, cdnow, ax=axs[0, 0])
    assert ax is axs[0, 0] and "1,882 holdout purchases" in ax.get_title()
    ax = btyd_plots.plot_tracking(models, cdnow, per_week, ax=axs[0, 1])
    assert ax is axs[0, 1] and "4,339 cumulative repeat purchases" in ax.get_title()
    assert btyd_plots.plot_repeat_purchase_histogram(models, cdnow, ax=axs[1, 0]) is axs[1, 0]
    ax = btyd_plots.plot_frequency_recency_matrix(bg_cdnow, cdnow, ax=axs[1, 1])
    assert ax is axs[1, 1] and "P(alive) below 50%" in ax.get_title()
    for a in axs.ravel():
        assert a.get_xlabel() and a.get_ylabel()
    plt.close(fig)


# ------------------------------------------------------------------------------------------
# the estimator API
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model_class",
    [*PURCHASE_MODELS, GammaGamma, ShiftedBetaGeo, BetaGeoBetaBinom],
)
def test_models_are_scikit_learn_estimators(model_class):
    model = model_class(max_iter=50)
    # BG/BB has one more setting, max_terms (its cost guard)
    assert model.get_params().items() >= {"max_iter": 50, "tol": 1e-8}.items()
    copy = clone(model.set_params(tol=1e-6))
    assert copy is not model and copy.get_params().items() >= {"max_iter": 50, "tol": 1e-6}.items()
    assert not hasattr(copy, "params_")


def test_clone_of_a_fitted_model_is_unfitted(bg_cdnow, cdnow):
    copy = clone(bg_cdnow)
    with pytest.raises(NotFittedError, match="this BetaGeo is not fitted yet"):
        copy.p_alive(cdnow)
    assert copy.fit(cdnow).params_.equals(bg_cdnow.params_)


@pytest.mark.parametrize(
    ("model", "call"),
    [
        (BetaGeo(), lambda m: m.p_alive(frame(1, 2.0, 3.0))),
        (ParetoNBD(), lambda m: m.expected_purchases(10.0)),
        (ModifiedBetaGeo(), lambda m: m.conditional_expected_purchases(frame(1, 2.0, 3.0), 10)),
        (GammaGamma(), lambda m: m.conditional_expected_spend(frame(1, 2.0, 3.0))),
        (ShiftedBetaGeo(), lambda m: m.survival(3)),
        (BetaGeoBetaBinom(), lambda m: m.p_alive(frame(1, 2, 3))),
    ],
)
def test_predicting_before_fit_is_a_clear_error(model, call):
    with pytest.raises(NotFittedError, match=f"this {type(model).__name__} is not fitted yet"):
        call(model)


def test_fit_names_a_missing_column_and_maps_lifetimes_names(cdnow):
    lifetimes_style = cdnow.rename(
        columns={v: k for k, v in btyd.LIFETIMES_NAMES.items() if v in cdnow.columns}
    )
    with pytest.raises(
        KeyError,
        match=r"missing column\(s\) 'repeat_purchases', 'age_at_last_purchase', 'age'; did you "
        r"mean 'frequency' -> 'repeat_purchases', 'recency' -> 'age_at_last_purchase', 'T' -> "
        r"'age'\?",
    ):
        ParetoNBD().fit(lifetimes_style)
    renamed = lifetimes_style.rename(columns=btyd.LIFETIMES_NAMES)
    assert list(renamed.columns) == list(cdnow.columns)
    with pytest.raises(KeyError, match=r"missing column\(s\) 'mean_repeat_spend'"):
        GammaGamma().fit(cdnow.drop(columns="mean_repeat_spend"))


def test_a_summary_built_elsewhere_needs_only_the_columns_and_a_unit(cdnow, bg_cdnow):
    plain = pd.DataFrame(cdnow[HISTORY].to_numpy(), columns=HISTORY)  # as from SQL: no attrs
    model = BetaGeo().fit(plain, unit="W")
    assert model.unit_ == "W" and model.params_.equals(bg_cdnow.params_)
    assert BetaGeo().fit(plain).unit_ is None  # allowed, but expected_clv will ask for it
    with pytest.raises(ValueError, match="attrs\\['unit'\\] says 'W' but unit='D'"):
        BetaGeo().fit(cdnow, unit="D")
    with pytest.raises(ValueError, match="unit: expected one of"):
        BetaGeo().fit(plain, unit="weeks")


def test_predictions_refuse_non_integer_frequencies(bg_cdnow, pnbd_cdnow, gg_cdnow):
    odd = pd.DataFrame(
        {"repeat_purchases": [1.5], "age_at_last_purchase": [2.0], "age": [3.0],
         "mean_repeat_spend": [10.0]}
    )  # fmt: skip
    for call in (
        bg_cdnow.p_alive,
        lambda s: pnbd_cdnow.conditional_expected_purchases(s, 39),
        gg_cdnow.conditional_expected_spend,
    ):
        with pytest.raises(ValueError, match="repeat_purchases: expected whole numbers.*1.5"):
            call(odd)


def test_fitters_reject_bad_summaries():
    with pytest.raises(ValueError, match="repeat_purchases: expected values >= 0"):
        BetaGeo().fit(pd.DataFrame({"repeat_purchases": [-1, 2], "age_at_last_purchase": [0, 3],
                                    "age": [5.0, 5.0]}))  # fmt: skip
    with pytest.raises(ValueError, match="must not exceed age.*row 1 with age_at_last_purchase=6"):
        summary_frame([1, 2], [3.0, 6.0], [5.0, 5.0], unit="W")
    with pytest.raises(ValueError, match="age_at_last_purchase: expected 0 where"):
        summary_frame([0, 2], [1.0, 3.0], [5.0, 5.0], unit="W")
    with pytest.raises(TypeError, match="column 'age': expected numbers"):
        BetaGeo().fit(pd.DataFrame({"repeat_purchases": [1, 2], "age_at_last_purchase": [1, 3],
                                    "age": ["five", "5"]}))  # fmt: skip
    with pytest.raises(ValueError, match="weights: expected values >= 0"):
        BetaGeo().fit(frame([1, 2], [1.0, 3.0], [5.0, 5.0]), weights=[1, -1])
    with pytest.raises(TypeError, match="summary: expected a pandas DataFrame"):
        BetaGeo().fit([1, 2, 3])


def test_fitters_need_more_than_one_customer():
    with pytest.raises(ValueError, match="at least 2 customers.*got 1"):
        BetaGeo().fit(frame([2], [3.0], [5.0]))
    with pytest.raises(ValueError, match="at least 2 customers who bought again"):
        GammaGamma().fit(summary_frame([2, 0], [3.0, 0], [5.0, 5.0], [30.0, 0.0], unit="W"))
    with pytest.raises(ValueError, match="at least 2 customers"):
        BetaGeoBetaBinom().fit(summary_frame([2], [3], [6], unit="Y"))


def test_gammagamma_uses_repeat_buyers_only(cdnow, gg_cdnow):
    repeat = cdnow[cdnow["repeat_purchases"] > 0]
    assert GammaGamma().fit(repeat).params_.equals(gg_cdnow.params_)
    with pytest.raises(ValueError, match="mean_repeat_spend: expected values > 0"):
        GammaGamma().fit(summary_frame([1, 2], [1, 2], [3, 3], [0.0, 3.0], unit="W"))


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
    with pytest.raises(ValueError, match="must not exceed age"):
        BetaGeoBetaBinom().fit(pd.DataFrame({"repeat_purchases": [1, 2],
            "age_at_last_purchase": [7, 3], "age": [6, 6]}))  # fmt: skip
    with pytest.raises(ValueError, match="repeat_purchases: expected at most age_at_last"):
        BetaGeoBetaBinom().fit(summary_frame([4, 2], [3, 3], [6, 6], unit="Y"))
    with pytest.raises(ValueError, match="age: expected whole numbers"):
        BetaGeoBetaBinom().fit(summary_frame([1, 2], [3, 3], [6.5, 6], unit="Y"))


def test_non_convergence_warns_with_sklearn_convergence_warning(cdnow):
    assert btyd.ConvergenceWarning is ConvergenceWarning
    with pytest.warns(
        ConvergenceWarning, match="BetaGeo.fit did not converge.*Maximum number of iterations"
    ):
        BetaGeo(max_iter=2).fit(cdnow)
    with pytest.warns(ConvergenceWarning, match="ran off towards 0 or infinity"):
        BetaGeo().fit(frame([0, 1, 3, 0, 2], [0, 5, 20, 0, 30], [30, 35, 40, 38, 36]))


@pytest.mark.parametrize("model_class", [*PURCHASE_MODELS, GammaGamma])
def test_fitted_models_do_not_warn(model_class, cdnow):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model_class().fit(cdnow)


def test_summarize_rejects_bad_frames_and_settings():
    small = pd.DataFrame(
        {"id": ["a", "a", "b"], "day": ["2024-01-01", "2024-01-08", "2024-01-03"],
         "spend": [1.0, 2.0, 3.0]}
    )  # fmt: skip
    with pytest.raises(KeyError, match=r"missing column\(s\) 'amount'.*present are 'id', 'day'"):
        summarize(small, customer="id", date="day", amount="amount")
    with pytest.raises(ValueError, match="empty DataFrame"):
        summarize(small.iloc[:0], customer="id", date="day")
    with pytest.raises(ValueError, match=r"column 'day': 1 value\(s\) are not dates.*'soon'"):
        summarize(small.assign(day=["2024-01-01", "soon", "2024-01-03"]), customer="id", date="day")
    with pytest.raises(ValueError, match="column 'id': expected no missing values, found 1"):
        summarize(small.assign(id=["a", None, "b"]), customer="id", date="day")
    with pytest.raises(ValueError, match="unit: expected one of"):
        summarize(small, customer="id", date="day", unit="fortnight")
    with pytest.raises(ValueError, match="calibration_end: expected a date.*'someday'"):
        summarize(small, customer="id", date="day", calibration_end="someday")
    with pytest.raises(ValueError, match="calibration_end: expected a date before observation_end"):
        summarize(small, customer="id", date="day", calibration_end="2024-02-01")
    with pytest.raises(ValueError, match="calibration_end: no customer made a purchase"):
        summarize(small, customer="id", date="day", calibration_end="2023-12-01")
    with pytest.raises(ValueError, match="observation_end: every purchase"):
        summarize(small, customer="id", date="day", observation_end="2023-01-01")
