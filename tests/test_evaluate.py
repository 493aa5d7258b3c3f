"""Tests for crmlib.evaluate: gains tables, lift and gains charts, profit curves, confusion."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix

import crmlib.evaluate as ev


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def scored() -> tuple[np.ndarray, np.ndarray]:
    """1,000 customers, continuous scores without ties, response more likely at high score."""
    rng = np.random.default_rng(7)
    score = rng.random(1000)
    y = (rng.random(1000) < 0.05 + 0.3 * score).astype(int)
    return y, score


def _naive_gains(y, score, n_bins):
    """The textbook construction, valid without ties: sort by score, cut into equal bins."""
    order = np.argsort(-score, kind="stable")
    bins = np.array_split(np.asarray(y)[order], n_bins)
    return [len(b) for b in bins], [b.sum() for b in bins]


def test_gains_table_matches_naive_construction_without_ties(scored):
    y, score = scored
    table = ev.gains_table(y, score, n_bins=10)
    customers, responders = _naive_gains(y, score, 10)
    assert table["decile"].tolist() == list(range(1, 11))
    assert table["customers"].tolist() == customers
    np.testing.assert_allclose(table["responders"], responders)
    base = y.mean()
    np.testing.assert_allclose(table["response_rate"], np.divide(responders, customers))
    np.testing.assert_allclose(table["lift"], table["response_rate"] / base)
    np.testing.assert_allclose(table["cum_gains"], np.cumsum(responders) / y.sum())
    np.testing.assert_allclose(
        table["cum_lift"], np.cumsum(responders) / np.cumsum(customers) / base
    )
    # The whole base is reached at the last decile, at the average rate.
    assert table["cum_gains"].iloc[-1] == pytest.approx(1.0)
    assert table["cum_lift"].iloc[-1] == pytest.approx(1.0)
    # A model that ranks better than chance concentrates responders at the top.
    assert table["lift"].iloc[0] > 1.5 > table["lift"].iloc[-1]


def test_gains_table_unequal_sizes_put_larger_bins_first():
    y = [1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]
    table = ev.gains_table(y, np.linspace(1, 0, 11), n_bins=4)
    assert table["customers"].tolist() == [3, 3, 3, 2]
    assert table["responders"].tolist() == [1, 1, 1, 0]


def test_perfect_model_has_lift_of_one_over_base_rate():
    y = np.r_[np.ones(10), np.zeros(90)]
    table = ev.gains_table(y, np.linspace(1, 0, 100))
    assert table["lift"].iloc[0] == pytest.approx(10.0)
    assert table["lift"].iloc[1:].eq(0).all()
    assert table["cum_gains"].iloc[0] == pytest.approx(1.0)


def test_all_equal_scores_give_lift_one_everywhere_whatever_the_row_order():
    # Responders first in row order: splitting ties by position would fake a lift of 10.
    y = np.r_[np.ones(10), np.zeros(90)]
    table = ev.gains_table(y, np.full(100, 0.3))
    assert table["customers"].eq(10).all()
    np.testing.assert_allclose(table["responders"], 1.0)
    np.testing.assert_allclose(table["lift"], 1.0)
    np.testing.assert_allclose(table["cum_gains"], np.arange(1, 11) / 10)


def test_tied_group_straddling_bins_shares_its_average_response():
    # Sorted: three tied at 0.5 (one responder) then 0.1 (a responder); two bins of two.
    table = ev.gains_table([1, 0, 0, 1], [0.5, 0.5, 0.5, 0.1], n_bins=2)
    np.testing.assert_allclose(table["responders"], [2 / 3, 1 / 3 + 1])
    shuffled = ev.gains_table([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.1], n_bins=2)
    pd.testing.assert_frame_equal(table, shuffled)


def test_ties_give_the_expected_value_of_random_tie_breaking():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 60)
    score = rng.integers(0, 4, 60).astype(float)  # four tied groups
    table = ev.gains_table(y, score, n_bins=6)
    # Average the textbook table over many random tie-breaks.
    draws = []
    for _ in range(3000):
        perm = rng.permutation(60)
        jitter = score[perm] + rng.random(60) * 1e-6
        draws.append(_naive_gains(y[perm], jitter, 6)[1])
    np.testing.assert_allclose(table["responders"], np.mean(draws, axis=0), atol=0.08)


def test_predict_proba_array_uses_column_one(scored):
    y, score = scored
    proba = np.c_[1 - score, score]
    pd.testing.assert_frame_equal(ev.gains_table(y, proba), ev.gains_table(y, score))


def test_accepts_bool_series_and_lists_without_mutating(scored):
    y, score = scored
    y_series = pd.Series(y.astype(bool), index=np.arange(1000) + 500)
    s_series = pd.Series(score, index=y_series.index).iloc[::-1]  # same labels, other order
    before = (y_series.copy(), s_series.copy())
    table = ev.gains_table(y_series, s_series)
    pd.testing.assert_frame_equal(table, ev.gains_table(list(y), list(score)))
    as_objects = pd.Series(y.tolist(), dtype=object)
    pd.testing.assert_frame_equal(table, ev.gains_table(as_objects, score))
    pd.testing.assert_series_equal(y_series, before[0])
    pd.testing.assert_series_equal(s_series, before[1])


@pytest.mark.parametrize(
    ("y_true", "y_score", "kwargs", "error", "match"),
    [
        ([1, 0, 1], [0.1, 0.2], {}, ValueError, r"y_true and y_score: .*same length, got 3 and 2"),
        (["yes", "no"], [0.1, 0.2], {}, ValueError, r"y_true: expected binary .*'yes'"),
        ([0, 2, 1], [0.1, 0.2, 0.3], {}, ValueError, r"y_true: expected binary .*2"),
        (["0", "1"], [0.1, 0.2], {}, ValueError, r"y_true: expected binary .*'0'"),
        (
            pd.Series([0, None], dtype="Int64"),
            [0.1, 0.2],
            {},
            ValueError,
            "y_true: expected binary",
        ),
        ([0, np.nan, 1], [0.1, 0.2, 0.3], {}, ValueError, r"y_true: expected binary"),
        ([[0, 1]], [0.1, 0.2], {}, ValueError, r"y_true: expected a 1-d"),
        ([], [], {}, ValueError, r"y_true: expected at least one customer"),
        ([0, 0, 0], [0.1, 0.2, 0.3], {}, ValueError, r"y_true: expected at least one responder"),
        ([0, 1, 1], [0.1, np.nan, 0.3], {}, ValueError, r"y_score: .*got 1 NaN"),
        ([0, 1, 1], ["a", "b", "c"], {}, TypeError, r"y_score: expected numeric scores"),
        ([0, 1], [[0.1, 0.2, 0.7]] * 2, {}, ValueError, r"y_score: .*2-column.*shape \(2, 3\)"),
        ([0, 1], [[0.1, 0.2], [0.3, 0.3]], {}, ValueError, r"y_score: .*rows sum to 1"),
        ([0, 1], np.zeros((2, 1, 1)), {}, ValueError, r"y_score: expected 1-d scores"),
        (
            [0, 1, 1],
            [0.1, 0.2, 0.3],
            {"n_bins": 4},
            ValueError,
            r"n_bins: .*at most .*\(3\), got 4",
        ),
        ([0, 1, 1], [0.1, 0.2, 0.3], {"n_bins": 0}, ValueError, r"n_bins: .*>= 1, got 0"),
        ([0, 1, 1], [0.1, 0.2, 0.3], {"n_bins": 2.5}, TypeError, r"n_bins: expected a whole"),
    ],
)
def test_gains_table_bad_input(y_true, y_score, kwargs, error, match):
    with pytest.raises(error, match=match):
        ev.gains_table(y_true, y_score, **kwargs)


def test_plot_gains_and_lift_return_the_given_axes_and_state_the_finding(scored):
    y, score = scored
    table = ev.gains_table(y, score)
    fig, (left, right) = plt.subplots(1, 2)
    assert ev.plot_gains(y, score, ax=left) is left
    assert ev.plot_lift(y, score, ax=right) is right
    assert left.get_title() == (
        f"Top 10% of scores reach {table['cum_gains'].iloc[0]:.0%} of responders"
    )
    assert f"{table['cum_lift'].iloc[0]:.1f}x" in right.get_title()
    gains_line = left.get_lines()[0]
    np.testing.assert_allclose(gains_line.get_ydata(), np.r_[0, table["cum_gains"]])
    np.testing.assert_allclose(right.get_lines()[0].get_ydata(), table["cum_lift"])


def test_plots_compare_several_models_on_one_chart(scored):
    y, score = scored
    models = {"model": score, "random": np.random.default_rng(0).random(len(y))}
    ax = ev.plot_gains(y, models)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["model", "random", "random"]  # two models, then the diagonal
    assert isinstance(ev.plot_lift(y, models), plt.Axes)
    with pytest.raises(ValueError, match="y_score: expected at least one model"):
        ev.plot_lift(y, {})


def test_profit_curve_matches_direct_computation(scored):
    y, score = scored
    curve = ev.profit_curve(y, score, cost_per_contact=2.0, value_per_response=15.0)
    order = np.argsort(-score)
    reached = np.r_[0, np.cumsum(y[order])]
    assert curve["contacted"].tolist() == list(range(1001))
    np.testing.assert_allclose(curve["depth"], np.arange(1001) / 1000)
    np.testing.assert_allclose(curve["profit"], 15.0 * reached - 2.0 * np.arange(1001))
    best = ev.best_depth(curve)
    k = int(np.argmax(15.0 * reached - 2.0 * np.arange(1001)))
    assert best["contacted"] == k
    assert best["profit"] == pytest.approx(curve["profit"].max())
    assert 0 < best["depth"] < 1


def test_profit_curve_contacts_nobody_when_a_contact_costs_more_than_a_response_earns(scored):
    y, score = scored
    best = ev.best_depth(ev.profit_curve(y, score, cost_per_contact=20, value_per_response=10))
    assert best["contacted"] == 0
    assert best["profit"] == 0


def test_profit_curve_with_ties_is_linear_within_the_tie():
    curve = ev.profit_curve([1, 0, 1, 0], [0.5] * 4, cost_per_contact=1, value_per_response=3)
    np.testing.assert_allclose(curve["profit"], [0, 0.5, 1.0, 1.5, 2.0])


def test_best_depth_prefers_the_shallowest_of_equal_profits():
    curve = pd.DataFrame({"contacted": [0, 1, 2], "depth": [0, 0.5, 1], "profit": [0, 3, 3]})
    assert ev.best_depth(curve)["contacted"] == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"cost_per_contact": -1, "value_per_response": 5},
            ValueError,
            r"cost_per_contact: .*>= 0",
        ),
        (
            {"cost_per_contact": 1, "value_per_response": 0},
            ValueError,
            r"value_per_response: .*> 0",
        ),
        (
            {"cost_per_contact": "1", "value_per_response": 5},
            TypeError,
            r"cost_per_contact: .*finite",
        ),
        ({"cost_per_contact": 1, "value_per_response": np.inf}, TypeError, r"value_per_response"),
    ],
)
def test_profit_curve_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        ev.profit_curve([0, 1], [0.2, 0.8], **kwargs)


def test_best_depth_and_plot_profit_bad_input():
    with pytest.raises(TypeError, match="curve: expected a pandas DataFrame"):
        ev.best_depth([1, 2])
    with pytest.raises(KeyError, match=r"curve: missing column\(s\) 'profit'"):
        ev.best_depth(pd.DataFrame({"contacted": [0], "depth": [0.0]}))


def test_plot_profit_marks_the_best_depth(scored):
    y, score = scored
    curve = ev.profit_curve(y, score, 2.0, 15.0)
    best = ev.best_depth(curve)
    fig, ax = plt.subplots()
    assert ev.plot_profit(curve, ax=ax) is ax
    assert f"top {best['depth']:.0%}" in ax.get_title()
    assert ax.get_lines()[1].get_xdata()[0] == pytest.approx(best["depth"])


def test_confusion_at_matches_sklearn_with_score_at_threshold_predicted_positive(scored):
    y, score = scored
    table = ev.confusion_at(y, score, 0.5)
    expected = confusion_matrix(y, (score >= 0.5).astype(int))
    np.testing.assert_array_equal(table.to_numpy(), expected)
    assert table.index.name == "actual" and table.columns.name == "predicted"
    assert table.index.tolist() == ["negative (0)", "positive (1)"]
    edge = ev.confusion_at([0, 1], [0.5, 0.5], 0.5)
    assert edge.loc[:, "positive (1)"].tolist() == [1, 1]


def test_confusion_at_accepts_a_single_class_and_predict_proba():
    table = ev.confusion_at([0, 0], np.array([[0.9, 0.1], [0.2, 0.8]]), 0.5)
    assert table.to_numpy().tolist() == [[1, 1], [0, 0]]


@pytest.mark.parametrize(
    ("threshold", "error", "match"),
    [
        (None, TypeError, "threshold: expected a finite number, got None"),
        (np.nan, TypeError, "threshold"),
    ],
)
def test_confusion_at_bad_threshold(threshold, error, match):
    with pytest.raises(error, match=match):
        ev.confusion_at([0, 1], [0.2, 0.8], threshold)


def test_confusion_at_bad_outcomes():
    with pytest.raises(ValueError, match="y_true: expected binary"):
        ev.confusion_at(["no", "yes"], [0.2, 0.8], 0.5)
