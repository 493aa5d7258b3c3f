"""Tests for crmlib.calibration: bins add up, calibrated scores sit on the diagonal."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from crmlib.calibration import calibration_table, plot_calibration  # noqa: E402


def draws(n: int = 20_000, seed: int = 1):
    rng = np.random.default_rng(seed)
    p = rng.beta(1.0, 6.0, size=n)
    y = rng.random(n) < p
    return y, p


def test_bins_add_up_to_the_whole():
    y, p = draws()
    table = calibration_table(y, p)
    assert len(table) == 10
    assert table["customers"].sum() == len(y)
    assert table["responders"].sum() == y.sum()
    assert table["expected"].sum() == pytest.approx(p.sum())
    assert (table["customers"].max() - table["customers"].min()) <= 2
    assert table["mean_predicted"].is_monotonic_increasing
    assert (table["low_score"] <= table["mean_predicted"]).all()
    assert (table["mean_predicted"] <= table["high_score"]).all()


def test_calibrated_scores_lie_on_the_diagonal_within_their_intervals():
    y, p = draws()
    table = calibration_table(y, p)
    inside = (table["ci_low"] <= table["mean_predicted"]) & (
        table["mean_predicted"] <= table["ci_high"]
    )
    assert inside.sum() >= 8  # 95 % intervals: a miss or two is chance
    assert table["gap"].abs().max() < 0.03


def test_inflated_scores_show_a_negative_gap():
    y, p = draws()
    inflated = np.sqrt(p)  # every score pushed up
    table = calibration_table(y, inflated)
    assert (table["gap"] < 0).all()


def test_result_does_not_depend_on_row_order():
    y, p = draws(2_000)
    order = np.random.default_rng(5).permutation(len(y))
    a = calibration_table(y, p)
    b = calibration_table(y[order], p[order])
    np.testing.assert_allclose(a.to_numpy(dtype=float), b.to_numpy(dtype=float))


def test_predict_proba_array_and_bool_or_int_outcomes_agree():
    y, p = draws(1_000)
    a = calibration_table(y, p, n_bins=5)
    b = calibration_table(y.astype(int), np.column_stack([1 - p, p]), n_bins=5)
    np.testing.assert_allclose(a.to_numpy(dtype=float), b.to_numpy(dtype=float))


def test_uniform_bins_leave_out_empty_ones_and_ties_share_a_bin():
    y = [0, 1, 0, 1, 1, 0]
    p = [0.05, 0.05, 0.05, 0.05, 0.92, 0.95]
    uniform = calibration_table(y, p, n_bins=10, strategy="uniform")
    assert uniform["customers"].tolist() == [4, 2]
    assert uniform["low_score"].tolist() == pytest.approx([0.0, 0.9])
    quantile = calibration_table(y, p, n_bins=4)
    assert quantile["customers"].sum() == 6
    assert quantile["customers"].iloc[0] == 4  # the four tied scores stay together


def test_wilson_interval_stays_in_range_and_covers_the_rate():
    table = calibration_table([0, 0, 0, 1, 1, 1], [0.1, 0.1, 0.1, 0.9, 0.9, 0.9], n_bins=2)
    assert table["ci_low"].iloc[0] == 0.0 and table["observed_rate"].iloc[0] == 0.0
    assert table["ci_high"].iloc[1] == 1.0 and table["ci_high"].iloc[0] > 0.3
    assert (table["ci_low"] <= table["observed_rate"]).all()
    assert (table["observed_rate"] <= table["ci_high"]).all()


@pytest.mark.parametrize(
    ("y", "p", "kwargs", "match"),
    [
        ([0, 1], [0.2, 1.5], {}, "y_score: expected probabilities"),
        ([0, 1], [0.2], {}, "y_score: expected 2"),
        ([0, 2], [0.2, 0.3], {}, "y_true: expected binary outcomes"),
        ([0, 1], [0.2, np.nan], {}, "y_score: expected no missing"),
        ([0, 1], [0.2, 0.3], {"strategy": "equal"}, "strategy: expected one of"),
        ([0, 1], [0.2, 0.3], {"n_bins": 0}, "n_bins"),
        ([], [], {}, "y_true: expected at least one"),
    ],
)
def test_bad_input_is_refused_with_the_argument_named(y, p, kwargs, match):
    with pytest.raises(ValueError, match=match):
        calibration_table(y, p, **kwargs)


def test_n_bins_must_be_whole():
    with pytest.raises(TypeError, match="n_bins"):
        calibration_table([0, 1], [0.2, 0.3], n_bins=2.5)


def test_plot_draws_one_diagonal_and_one_series_per_call():
    y, p = draws(2_000)
    ax = plot_calibration(calibration_table(y, p), label="model A")
    plot_calibration(calibration_table(y, np.sqrt(p)), label="model B", ax=ax)
    diagonals = [line for line in ax.get_lines() if line.get_label() == "perfect calibration"]
    assert len(diagonals) == 1
    assert len(ax.containers) == 2
    assert ax.get_xlim()[1] <= 1.0 and ax.get_ylim()[1] >= np.sqrt(p).mean()
    plt.close(ax.figure)


def test_plot_refuses_a_frame_without_the_columns():
    import pandas as pd

    with pytest.raises(KeyError, match="mean_predicted"):
        plot_calibration(pd.DataFrame({"x": [1]}))
