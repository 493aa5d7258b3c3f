"""Tests for crmlib.evaluate's threshold helpers, decile table, ROC and precision-recall plots."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

import crmlib.evaluate as ev
from crmlib.validation import DataWarning


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def scored() -> tuple[np.ndarray, np.ndarray]:
    """800 customers, response more likely at high score, scores rounded so some tie."""
    rng = np.random.default_rng(21)
    score = np.round(rng.random(800), 2)
    y = (rng.random(800) < 0.05 + 0.4 * score).astype(int)
    return y, score


def test_threshold_table_matches_sklearn(scored):
    y, score = scored
    cuts = [0.9, 0.5, 0.2]
    table = ev.threshold_table(y, score, cuts)
    assert table["threshold"].tolist() == cuts
    for row, t in zip(table.itertuples(), cuts, strict=True):
        pred = (score >= t).astype(int)
        assert row.flagged == pytest.approx(pred.mean())
        assert row.precision == pytest.approx(precision_score(y, pred))
        assert row.recall == pytest.approx(recall_score(y, pred))
        assert row.specificity == pytest.approx(recall_score(1 - y, 1 - pred))
        assert row.false_positive_rate == pytest.approx(1 - row.specificity)
        assert row.accuracy == pytest.approx(accuracy_score(y, pred))
    # Lowering the threshold flags more customers and can only raise recall.
    assert table["flagged"].is_monotonic_increasing
    assert table["recall"].is_monotonic_increasing


def test_threshold_table_precision_is_undefined_when_nobody_is_flagged(scored):
    y, score = scored
    with pytest.warns(DataWarning, match="thresholds: 2.0 lies above every score"):
        table = ev.threshold_table(y, score, 2.0)
    assert len(table) == 1 and np.isnan(table.loc[0, "precision"])
    assert table.loc[0, "recall"] == 0 and table.loc[0, "specificity"] == 1


@pytest.mark.parametrize(
    ("y_true", "thresholds", "error", "match"),
    [
        ([1, 1], [0.5], ValueError, r"y_true: expected at least one non-responder"),
        ([0, 0], [0.5], ValueError, r"y_true: expected at least one responder"),
        ([0, 1], [], ValueError, r"thresholds: expected at least one"),
        ([0, 1], [np.nan], TypeError, r"thresholds: expected a finite number"),
        ([0, 1], ["high"], TypeError, r"thresholds: expected a finite number"),
    ],
)
def test_threshold_table_bad_input(y_true, thresholds, error, match):
    with pytest.raises(error, match=match):
        ev.threshold_table(y_true, [0.2, 0.8], thresholds)


def test_best_threshold_reproduces_the_best_depth_by_brute_force(scored):
    y, score = scored
    best = ev.best_threshold(y, score, cost_per_contact=3.0, value_per_response=10.0)
    # Try every distinct score as a cut-off: profit of contacting scores >= t.
    profits = {t: 10.0 * y[score >= t].sum() - 3.0 * (score >= t).sum() for t in np.unique(score)}
    t_best = max(profits, key=profits.get)
    assert best["threshold"] == pytest.approx(t_best)
    assert best["profit"] == pytest.approx(profits[t_best])
    assert best["contacted"] == (score >= t_best).sum()
    assert best["depth"] == pytest.approx((score >= t_best).mean())
    assert best["break_even_score"] == pytest.approx(0.3)


def test_best_threshold_is_infinite_when_no_contact_pays(scored):
    y, score = scored
    best = ev.best_threshold(y, score, cost_per_contact=20.0, value_per_response=10.0)
    assert best["threshold"] == np.inf
    assert best["contacted"] == 0 and best["profit"] == 0


def test_decile_table_adds_score_ranges_and_profit(scored):
    y, score = scored
    table = ev.decile_table(y, score, cost_per_contact=2.0, value_per_response=9.0)
    gains = ev.gains_table(y, score)
    pd.testing.assert_frame_equal(table[gains.columns], gains)
    # Bins are in score order: each bin's lowest score is at least the next bin's highest.
    assert (table["min_score"].to_numpy()[:-1] >= table["max_score"].to_numpy()[1:]).all()
    assert (table["min_score"] <= table["max_score"]).all()
    assert table["max_score"].iloc[0] == score.max()
    assert table["min_score"].iloc[-1] == score.min()
    # Cumulative profit is the profit curve at each bin's end.
    curve = ev.profit_curve(y, score, 2.0, 9.0).set_index("contacted")
    np.testing.assert_allclose(table["cum_profit"], curve.loc[table["cum_customers"], "profit"])
    assert "profit" not in ev.decile_table(y, score).columns


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"cost_per_contact": 1.0}, ValueError, r"expected both .* or neither"),
        ({"cost_per_contact": -1.0, "value_per_response": 5.0}, ValueError, r"cost_per_contact"),
        ({"cost_per_contact": 1.0, "value_per_response": 0.0}, ValueError, r"value_per_response"),
    ],
)
def test_decile_table_bad_money(scored, kwargs, error, match):
    y, score = scored
    with pytest.raises(error, match=match):
        ev.decile_table(y, score, **kwargs)


def test_plot_roc_states_the_best_auc(scored):
    y, score = scored
    noise = np.random.default_rng(0).random(len(y))
    fig, ax = plt.subplots()
    assert ev.plot_roc(y, {"noise": noise, "model": score}, ax=ax) is ax
    auc = roc_auc_score(y, score)
    assert ax.get_title() == f"model ranks best: AUC {auc:.2f} (0.5 = random)"
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[1] == f"model (AUC {auc:.2f})"
    # The curve ends at (1, 1) and starts at (0, 0).
    line = ax.get_lines()[1]
    assert line.get_xdata()[0] == 0 and line.get_ydata()[-1] == 1
    with pytest.raises(ValueError, match="y_score: expected at least one model"):
        ev.plot_roc(y, {})
    with pytest.raises(ValueError, match="y_true: expected at least one non-responder"):
        ev.plot_roc([1, 1], [0.2, 0.4])


def test_plot_precision_recall_states_average_precision_and_base_rate(scored):
    y, score = scored
    fig, ax = plt.subplots()
    assert ev.plot_precision_recall(y, score, ax=ax) is ax
    ap = average_precision_score(y, score)
    assert ax.get_title() == f"model: average precision {ap:.2f} (random {y.mean():.2f})"
    assert ax.get_lines()[-1].get_ydata()[0] == pytest.approx(y.mean())


def test_pandas_inputs_are_paired_by_label(scored):
    y, score = scored
    y_s = pd.Series(y, index=np.arange(len(y)) + 100)
    s_s = pd.Series(score, index=y_s.index)[::-1]  # same labels, reversed order
    pd.testing.assert_frame_equal(
        ev.threshold_table(y_s, s_s, [0.5]), ev.threshold_table(y, score, [0.5])
    )
    pd.testing.assert_frame_equal(ev.decile_table(y_s, s_s), ev.decile_table(y, score))
    pd.testing.assert_series_equal(
        ev.best_threshold(y_s, s_s, 3.0, 10.0), ev.best_threshold(y, score, 3.0, 10.0)
    )
    ax = ev.plot_roc(y_s, {"model": s_s})
    assert ax.get_title() == f"model ranks best: AUC {roc_auc_score(y, score):.2f} (0.5 = random)"
