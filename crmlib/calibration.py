"""Calibration: do a model's scores mean what they say as probabilities?

A response model ranks customers (see :mod:`crmlib.evaluate`), but a campaign plan also
multiplies its scores by money: expected profit = p x value_per_response - cost_per_contact.
That needs *calibrated* scores: among customers scored 0.20, about 20 % should respond. A
model can rank well and still be badly calibrated (e.g. fitted with
``class_weight="balanced"``, which inflates every score towards 0.5).

- :func:`calibration_table` bins customers by score and sets the mean score of each bin
  beside its observed response rate, with a 95 % interval for that rate;
- :func:`plot_calibration` draws the table as a reliability diagram.

Outcomes ``y_true`` are 0/1 or False/True (1 = responder); scores ``y_score`` are
probabilities in [0, 1], 1-d or the 2-column ``predict_proba`` array (column 1 is taken).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from crmlib.intervals import wilson
from crmlib.plots import axes, percent_axis
from crmlib.validation import (
    align,
    require_choice,
    require_columns,
    require_frame,
    require_outcomes,
    require_positive_int,
)

__all__ = ["calibration_table", "plot_calibration"]

STRATEGIES = ("quantile", "uniform")


def _outcomes(y_true: object) -> np.ndarray:
    return require_outcomes(y_true, "y_true")


def _probabilities(y_score: object, n: int) -> np.ndarray:
    scores = np.asarray(y_score, dtype=float)
    if scores.ndim == 2 and scores.shape[1] == 2:
        scores = scores[:, 1]
    if scores.ndim != 1:
        raise ValueError(
            f"y_score: expected one score per customer or a 2-column predict_proba array, "
            f"got shape {scores.shape}"
        )
    if len(scores) != n:
        raise ValueError(f"y_score: expected {n:,} scores (one per outcome), got {len(scores):,}")
    if np.isnan(scores).any():
        raise ValueError(
            f"y_score: expected no missing scores, found {int(np.isnan(scores).sum())}"
        )
    if scores.min() < 0 or scores.max() > 1:
        raise ValueError(
            f"y_score: expected probabilities in [0, 1], found values from {scores.min():.4g} "
            f"to {scores.max():.4g}; calibrate probabilities (predict_proba), not raw scores"
        )
    return scores


def calibration_table(
    y_true: object, y_score: object, n_bins: int = 10, *, strategy: str = "quantile"
) -> pd.DataFrame:
    """Compare predicted and observed response rates, bin by bin.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        Observed outcomes (1 = responded).
    y_score : array-like of probabilities in [0, 1]
        Predicted response probabilities, e.g. ``model.predict_proba(X)``.
    n_bins : int, default 10
        Number of bins asked for.
    strategy : {"quantile", "uniform"}, default "quantile"
        ``"quantile"``: bin edges at score quantiles, so bins hold about equally many
        customers (tied scores stay in one bin, so there can be fewer bins than asked);
        ``"uniform"``: equal-width bins over [0, 1] (empty bins are left out).

    Returns
    -------
    DataFrame
        One row per non-empty bin, lowest scores first, indexed by ``bin`` (1, 2, ...), with
        columns ``low_score`` and ``high_score`` (the bin's edges), ``customers``,
        ``mean_predicted`` (mean score), ``expected`` (sum of scores: the responders the
        model expects), ``responders`` (observed), ``observed_rate`` = responders /
        customers, ``ci_low`` and ``ci_high`` (95 % Wilson interval of the observed rate) and
        ``gap`` = observed_rate - mean_predicted (negative: the model promises too much).
        Rows do not depend on the order of the customers.

    Raises
    ------
    ValueError
        If outcomes are not 0/1, scores are not probabilities, lengths differ, or
        ``strategy`` is unknown.

    Examples
    --------
    >>> y = [0, 0, 0, 1, 0, 1, 1, 1]
    >>> p = [0.1, 0.1, 0.2, 0.3, 0.6, 0.7, 0.8, 0.9]
    >>> calibration_table(y, p, n_bins=2)[["customers", "mean_predicted", "observed_rate", "gap"]]
         customers  mean_predicted  observed_rate   gap
    bin
    1            4           0.175           0.25  0.075
    2            4           0.750           0.75  0.000
    """
    y_true, y_score = align(y_true, y_score, ("y_true", "y_score"))
    y = _outcomes(y_true)
    p = _probabilities(y_score, len(y))
    n_bins = require_positive_int(n_bins, "n_bins")
    require_choice(strategy, "strategy", STRATEGIES)
    if strategy == "quantile":
        edges = np.unique(np.quantile(p, np.linspace(0, 1, n_bins + 1)))
    else:
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    # bin i holds edges[i] <= p < edges[i + 1]; the last bin also holds its upper edge
    position = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, max(len(edges) - 2, 0))
    frame = pd.DataFrame({"bin": position, "y": y, "p": p})
    grouped = frame.groupby("bin", sort=True)
    table = pd.DataFrame(
        {
            "customers": grouped.size(),
            "mean_predicted": grouped["p"].mean(),
            "expected": grouped["p"].sum(),
            "responders": grouped["y"].sum(),
        }
    )
    lows = edges[table.index.to_numpy()]
    highs = edges[np.minimum(table.index.to_numpy() + 1, len(edges) - 1)]
    table.insert(0, "high_score", highs)
    table.insert(0, "low_score", lows)
    n, k = table["customers"].to_numpy(dtype=float), table["responders"].to_numpy()
    table["observed_rate"] = k / n
    # Wilson's interval: stays inside [0, 1] and is honest for small or extreme bins
    table["ci_low"], table["ci_high"] = wilson(k, n)
    table["gap"] = table["observed_rate"] - table["mean_predicted"]
    table["responders"] = table["responders"].astype(np.int64)
    table.index = pd.RangeIndex(1, len(table) + 1, name="bin")
    return table


def plot_calibration(
    table: pd.DataFrame, *, label: str | None = None, ax: Axes | None = None
) -> Axes:
    """Draw a :func:`calibration_table` as a reliability diagram.

    Each bin is a point at (mean predicted, observed rate) with its 95 % interval; a
    calibrated model's points lie on the dashed diagonal. Call it again with the same ``ax``
    to compare models. Returns the axes.
    """
    require_frame(table, "table")
    require_columns(table, ["mean_predicted", "observed_rate", "ci_low", "ci_high"], "table")
    ax = axes(ax, figsize=(5.0, 5.0))
    previous = ax.get_ylim()[1] if ax.containers else 0.0  # an earlier model on these axes
    top = float(max(table["mean_predicted"].max(), table["ci_high"].max()))
    lim = min(1.0, max(previous, top * 1.05)) if top > 0 else 1.0
    if not any(line.get_label() == "perfect calibration" for line in ax.get_lines()):
        ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    ax.errorbar(
        table["mean_predicted"],
        table["observed_rate"],
        yerr=[
            table["observed_rate"] - table["ci_low"],
            table["ci_high"] - table["observed_rate"],
        ],
        marker="o",
        capsize=3,
        label=label,
    )
    ax.set(xlim=(0, lim), ylim=(0, lim))
    percent_axis(ax, "x", xmax=1.0)
    percent_axis(ax, "y", xmax=1.0)
    ax.set(xlabel="mean predicted probability in the bin", ylabel="observed response rate")
    ax.legend()
    return ax
