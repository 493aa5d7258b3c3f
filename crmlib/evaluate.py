"""Evaluate a response or churn model the way a campaign uses it: by ranking customers.

Every function takes the true outcomes ``y_true`` (0/1 or False/True, 1 = responder) and the
model's scores ``y_score`` (higher = more likely to respond). Scores may be any classifier's
``predict_proba`` output: 1-d positive-class scores, or the 2-column array itself, from which
column 1 is taken.

Ties. Customers with equal scores cannot be ordered by the model, so every table here credits
each of them with the average response of its tied group: the expected result of breaking the
ties at random. Bins stay equal in size (sizes differ by at most one, larger bins first, as
:func:`numpy.array_split`), the result does not depend on row order, and a model that gives
everyone the same score shows lift 1 in every decile. With no ties the tables are the usual
ones and every count is a whole number; with ties, responder counts in a bin can be fractional.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from sklearn.metrics import confusion_matrix

from crmlib.plots import axes, percent_axis
from crmlib.validation import (
    DataWarning,
    align,
    preview,
    require_columns,
    require_frame,
    require_number,
    require_outcomes,
    require_positive_int,
)

__all__ = [
    "gains_table",
    "plot_gains",
    "plot_lift",
    "profit_curve",
    "best_depth",
    "plot_profit",
    "confusion_at",
]


def _as_outcomes(y_true: object, *, need_positive: bool = False) -> np.ndarray:
    """Return ``y_true`` as a 1-d 0/1 float array, refusing anything that is not binary."""
    return require_outcomes(y_true, "y_true", need_positive=need_positive)


def _warn_outside(cuts: np.ndarray, s: np.ndarray, name: str) -> None:
    """Warn when a threshold above 1 meets scores that are probabilities: nobody is flagged
    there, and a percentage given for a probability is the usual cause."""
    above = cuts[cuts > 1]
    if len(above) and s.min() >= 0 and s.max() <= 1:
        warnings.warn(
            f"{name}: {preview(above[:3].tolist())} lies above every score (the scores are "
            f"probabilities, at most {s.max():.4g}), so nobody is flagged there"
            + ("; a percentage? Give 0.5 for 50%" if (above <= 100).all() else ""),
            DataWarning,
            stacklevel=3,
        )


def _as_scores(y_score: object, n: int) -> np.ndarray:
    """Return ``y_score`` as 1-d floats of length ``n``; a predict_proba array gives column 1."""
    s = np.asarray(y_score)
    if s.ndim == 2:
        if s.shape[1] != 2:
            raise ValueError(
                "y_score: expected 1-d scores or a 2-column predict_proba array, "
                f"got shape {s.shape}"
            )
        if not np.allclose(s.sum(axis=1), 1.0):
            raise ValueError(
                "y_score: a 2-column array must be predict_proba output whose rows sum to 1; "
                "pass the positive-class column instead"
            )
        s = s[:, 1]
    elif s.ndim != 1:
        raise ValueError(f"y_score: expected 1-d scores, got shape {s.shape}")
    if not (np.issubdtype(s.dtype, np.number) and s.dtype != bool):
        raise TypeError(f"y_score: expected numeric scores, got dtype {s.dtype}")
    s = s.astype(float)
    if len(s) != n:
        raise ValueError(f"y_true and y_score: expected the same length, got {n} and {len(s)}")
    n_nan = int(np.isnan(s).sum())
    if n_nan:
        raise ValueError(f"y_score: expected no missing scores, got {n_nan} NaN value(s)")
    return s


def _ranked(y_true: object, y_score: object, *, need_positive: bool = False) -> np.ndarray:
    """Outcomes in model order (highest score first), each tie group set to its mean."""
    y_true, y_score = align(y_true, y_score, ("y_true", "y_score"))
    y = _as_outcomes(y_true, need_positive=need_positive)
    s = _as_scores(y_score, len(y))
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    # Tie groups are runs of equal scores; averaging within them removes any row-order effect.
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    sizes = np.diff(np.r_[starts, len(s)])
    return np.repeat(np.add.reduceat(y, starts) / sizes, sizes)


def gains_table(y_true: object, y_score: object, n_bins: int = 10) -> pd.DataFrame:
    """Return the gains (decile) table: customers ranked by score, cut into equal bins.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        Actual outcomes, 1 = responder. Needs at least one responder.
    y_score : array-like
        Model scores, higher = more likely to respond; 1-d or 2-column ``predict_proba``.
    n_bins : int, default 10
        Number of equal-size bins (10 gives deciles); at most the number of customers.

    Returns
    -------
    pandas.DataFrame
        One row per bin, best scores first, with columns ``decile`` (bin number from 1),
        ``customers``, ``responders``, ``response_rate``, ``cum_customers``,
        ``cum_responders``, ``cum_gains`` (share of all responders reached so far),
        ``lift`` (bin response rate / overall rate) and ``cum_lift``. Tied scores are
        handled as the module docstring describes.

    Examples
    --------
    >>> g = gains_table([1, 0, 1, 0, 0, 0, 0, 0, 0, 0], [.9, .8, .7, .6, .5, .4, .3, .2, .1, 0],
    ...                 n_bins=5)
    >>> g[["decile", "customers", "responders", "cum_gains", "lift"]]
       decile  customers  responders  cum_gains  lift
    0       1          2         1.0        0.5   2.5
    1       2          2         1.0        1.0   2.5
    2       3          2         0.0        1.0   0.0
    3       4          2         0.0        1.0   0.0
    4       5          2         0.0        1.0   0.0
    """
    y = _ranked(y_true, y_score, need_positive=True)
    n_bins = require_positive_int(n_bins, "n_bins")
    if n_bins > len(y):
        raise ValueError(
            f"n_bins: expected at most the number of customers ({len(y)}), got {n_bins}"
        )
    bins = np.array_split(y, n_bins)
    customers = np.array([len(b) for b in bins])
    responders = np.array([b.sum() for b in bins])
    base_rate = y.mean()
    table = pd.DataFrame(
        {
            "decile": np.arange(1, n_bins + 1),
            "customers": customers,
            "responders": responders,
            "response_rate": responders / customers,
            "cum_customers": customers.cumsum(),
            "cum_responders": responders.cumsum(),
        }
    )
    table["cum_gains"] = table["cum_responders"] / y.sum()
    table["lift"] = table["response_rate"] / base_rate
    table["cum_lift"] = table["cum_responders"] / table["cum_customers"] / base_rate
    return table


def _gains_by_model(y_true: object, y_score: object, n_bins: int) -> dict[str, pd.DataFrame]:
    """Gains tables of one model (array of scores) or several (mapping name -> scores)."""
    if isinstance(y_score, Mapping):
        if not y_score:
            raise ValueError("y_score: expected at least one model's scores, got an empty mapping")
        sets = dict(y_score)
    else:
        sets = {"model": y_score}
    return {name: gains_table(y_true, scores, n_bins) for name, scores in sets.items()}


def _depth(g: pd.DataFrame) -> pd.Series:
    """Share of customers contacted at the end of each bin."""
    return g["cum_customers"] / g["cum_customers"].iloc[-1]


def plot_gains(
    y_true: object, y_score: object, *, n_bins: int = 10, ax: Axes | None = None
) -> Axes:
    """Plot the cumulative gains chart: share of responders reached vs share contacted.

    ``y_score`` is one model's scores, or a mapping ``{name: scores}`` to compare models on
    one chart. The title states what the top bin of the first model reaches.

    Examples
    --------
    >>> ax = plot_gains([1, 0, 1, 0, 0, 0, 0, 0, 0, 0], list(range(10, 0, -1)), n_bins=5)
    >>> ax.get_title()
    'Top 20% of scores reach 50% of responders'
    """
    tables = _gains_by_model(y_true, y_score, n_bins)
    ax = axes(ax)
    for name, g in tables.items():
        ax.plot(np.r_[0.0, _depth(g)], np.r_[0.0, g["cum_gains"]], marker="o", label=name)
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="random")
    first = next(iter(tables.values()))
    top = _depth(first).iloc[0]
    ax.set(
        xlabel="Customers contacted (share, best scores first)",
        ylabel="Responders reached (share of all)",
        title=f"Top {top:.0%} of scores reach {first['cum_gains'].iloc[0]:.0%} of responders",
    )
    percent_axis(percent_axis(ax, "x"), "y")
    ax.legend()
    return ax


def plot_lift(y_true: object, y_score: object, *, n_bins: int = 10, ax: Axes | None = None) -> Axes:
    """Plot the cumulative lift chart: response rate so far / overall rate, by depth.

    ``y_score`` is one model's scores, or a mapping ``{name: scores}``. The title states the
    first model's lift in the top bin.

    Examples
    --------
    >>> ax = plot_lift([1, 0, 1, 0, 0, 0, 0, 0, 0, 0], list(range(10, 0, -1)), n_bins=5)
    >>> ax.get_title()
    'Top 20% of scores respond at 2.5x the average rate'
    """
    tables = _gains_by_model(y_true, y_score, n_bins)
    ax = axes(ax)
    for name, g in tables.items():
        ax.plot(_depth(g), g["cum_lift"], marker="o", label=name)
    ax.axhline(1.0, linestyle="--", color="grey", label="random")
    first = next(iter(tables.values()))
    top = _depth(first).iloc[0]
    ax.set(
        xlabel="Customers contacted (share, best scores first)",
        ylabel="Cumulative lift (x average response rate)",
        title=f"Top {top:.0%} of scores respond at {first['cum_lift'].iloc[0]:.1f}x "
        "the average rate",
    )
    percent_axis(ax, "x")
    ax.legend()
    return ax


def profit_curve(
    y_true: object, y_score: object, cost_per_contact: float, value_per_response: float
) -> pd.DataFrame:
    """Return the campaign profit at every mailing depth, best-scored customers first.

    Profit at a depth = ``value_per_response`` x responders reached - ``cost_per_contact`` x
    customers contacted. Use :func:`best_depth` to pick the most profitable row.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        Actual outcomes, 1 = responder.
    y_score : array-like
        Model scores; 1-d or 2-column ``predict_proba``.
    cost_per_contact : float
        Cost of contacting one customer, >= 0.
    value_per_response : float
        Value (margin) of one response, > 0, in the same currency.

    Returns
    -------
    pandas.DataFrame
        One row per number of customers contacted, 0 to all, with columns ``contacted``,
        ``depth`` (share contacted), ``responders`` (expected; see ties in the module
        docstring), ``revenue``, ``cost`` and ``profit``.

    Examples
    --------
    >>> curve = profit_curve([1, 1, 0, 0], [.9, .8, .3, .1], cost_per_contact=1,
    ...                      value_per_response=3)
    >>> curve[["contacted", "depth", "profit"]]
       contacted  depth  profit
    0          0   0.00     0.0
    1          1   0.25     2.0
    2          2   0.50     4.0
    3          3   0.75     3.0
    4          4   1.00     2.0
    """
    y = _ranked(y_true, y_score)
    cost_per_contact = require_number(cost_per_contact, "cost_per_contact", minimum=0)
    value_per_response = require_number(
        value_per_response, "value_per_response", minimum=0, strict=True
    )
    contacted = np.arange(len(y) + 1)
    responders = np.r_[0.0, y.cumsum()]
    curve = pd.DataFrame(
        {
            "contacted": contacted,
            "depth": contacted / len(y),
            "responders": responders,
            "revenue": value_per_response * responders,
            "cost": cost_per_contact * contacted.astype(float),
        }
    )
    curve["profit"] = curve["revenue"] - curve["cost"]
    return curve


def best_depth(curve: pd.DataFrame) -> pd.Series:
    """Return the row of a :func:`profit_curve` frame with the highest profit.

    Of equally profitable depths the shallowest wins: the same profit for fewer contacts.

    Examples
    --------
    >>> curve = profit_curve([1, 1, 0, 0], [.9, .8, .3, .1], 1, 3)
    >>> best_depth(curve)[["contacted", "depth", "profit"]].tolist()
    [2.0, 0.5, 4.0]
    """
    require_frame(curve, "curve")
    require_columns(curve, ["contacted", "depth", "profit"], "curve")
    return curve.loc[curve["profit"].idxmax()]


def plot_profit(curve: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Plot profit against mailing depth and mark the best depth.

    Examples
    --------
    >>> ax = plot_profit(profit_curve([1, 1, 0, 0], [.9, .8, .3, .1], 1, 3))
    >>> ax.get_title()
    'Profit peaks at 4 by contacting the top 50%'
    """
    best = best_depth(curve)
    ax = axes(ax)
    ax.plot(curve["depth"], curve["profit"], label="profit")
    ax.axvline(best["depth"], linestyle="--", color="grey", label="best depth")
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set(
        xlabel="Customers contacted (share, best scores first)",
        ylabel="Profit (units of value_per_response)",
        title=f"Profit peaks at {best['profit']:,.0f} by contacting the top {best['depth']:.0%}",
    )
    percent_axis(ax, "x")
    ax.legend()
    return ax


def confusion_at(y_true: object, y_score: object, threshold: float) -> pd.DataFrame:
    """Return the confusion matrix when customers scoring ``>= threshold`` are predicted 1.

    Returns
    -------
    pandas.DataFrame
        Counts with rows ``actual`` and columns ``predicted``, each labelled
        ``"negative (0)"`` and ``"positive (1)"``.

    Examples
    --------
    >>> confusion_at([1, 0, 1, 0], [.9, .6, .4, .1], threshold=0.5)  # doctest: +NORMALIZE_WHITESPACE
    predicted     negative (0)  positive (1)
    actual
    negative (0)             1             1
    positive (1)             1             1
    """
    y_true, y_score = align(y_true, y_score, ("y_true", "y_score"))
    y = _as_outcomes(y_true)
    s = _as_scores(y_score, len(y))
    threshold = require_number(threshold, "threshold")
    _warn_outside(np.array([threshold]), s, "threshold")
    labels = pd.Index(["negative (0)", "positive (1)"])
    counts = confusion_matrix(y.astype(int), (s >= threshold).astype(int), labels=[0, 1])
    return pd.DataFrame(counts, index=labels.rename("actual"), columns=labels.rename("predicted"))


# --- Thresholds, ROC and precision-recall, decile table with score ranges -------------------
# (chapter 09) A model's scores become a decision at a threshold: contact everyone scoring at
# least t. These helpers tabulate what each threshold gives, draw the threshold-free curves
# (ROC, precision-recall) and find the threshold a campaign's costs and values call for.

__all__ += [
    "threshold_table",
    "best_threshold",
    "decile_table",
    "plot_roc",
    "plot_precision_recall",
]


def threshold_table(y_true: object, y_score: object, thresholds: object) -> pd.DataFrame:
    """Return what contacting everyone with a score ``>= threshold`` gives, per threshold.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        Actual outcomes, 1 = responder (or churner). Needs at least one of each.
    y_score : array-like
        Model scores; 1-d or 2-column ``predict_proba``.
    thresholds : float or array-like of float
        Score cut-offs; the table keeps their order.

    Returns
    -------
    pandas.DataFrame
        One row per threshold with ``threshold``, ``flagged`` (share of customers predicted
        1), ``precision`` (share of the flagged who are 1; NaN when nobody is flagged),
        ``recall`` (share of all 1s that are flagged, also called sensitivity or true
        positive rate), ``specificity`` (share of 0s not flagged), ``false_positive_rate``
        (1 - specificity) and ``accuracy``.

    Examples
    --------
    >>> table = threshold_table([1, 0, 1, 0], [.9, .6, .4, .1], [0.5, 0.3])
    >>> table[["threshold", "flagged", "precision", "recall", "specificity"]].round(3)
       threshold  flagged  precision  recall  specificity
    0        0.5     0.50      0.500     0.5          0.5
    1        0.3     0.75      0.667     1.0          0.5
    """
    y_true, y_score = align(y_true, y_score, ("y_true", "y_score"))
    y = _as_outcomes(y_true, need_positive=True)
    if y.min() == 1:
        raise ValueError("y_true: expected at least one non-responder (0), got none")
    s = _as_scores(y_score, len(y))
    cuts = np.atleast_1d(np.asarray(thresholds, dtype=object))
    cuts = np.array([require_number(t, "thresholds") for t in cuts.ravel()])
    if cuts.size == 0:
        raise ValueError("thresholds: expected at least one threshold, got none")
    _warn_outside(cuts, s, "thresholds")
    flagged = s[None, :] >= cuts[:, None]
    tp = (flagged & (y == 1)).sum(axis=1)
    fp = (flagged & (y == 0)).sum(axis=1)
    n_flagged = flagged.sum(axis=1)
    positives, negatives = y.sum(), len(y) - y.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(n_flagged > 0, tp / n_flagged, np.nan)
    return pd.DataFrame(
        {
            "threshold": cuts,
            "flagged": n_flagged / len(y),
            "precision": precision,
            "recall": tp / positives,
            "specificity": 1 - fp / negatives,
            "false_positive_rate": fp / negatives,
            "accuracy": (tp + negatives - fp) / len(y),
        }
    )


def best_threshold(
    y_true: object, y_score: object, cost_per_contact: float, value_per_response: float
) -> pd.Series:
    """Return the score threshold that makes a campaign most profitable.

    The :func:`profit_curve`'s best depth, read as a rule: contact everyone whose score is
    ``>= threshold``. Within a group of tied scores profit changes linearly, so the best depth
    always ends at a tie group's edge and the rule reaches exactly that depth. When contacting
    nobody is best, the threshold is infinite.

    Returns
    -------
    pandas.Series
        ``threshold``, ``contacted``, ``depth``, ``profit``, and ``break_even_score``
        (``cost_per_contact / value_per_response``: the threshold to use if the scores are
        calibrated probabilities, i.e. a score of 0.3 means a 30% chance).

    Examples
    --------
    >>> best_threshold([1, 1, 0, 0], [.9, .8, .3, .1], 1, 3).round(3)
    threshold           0.800
    contacted           2.000
    depth               0.500
    profit              4.000
    break_even_score    0.333
    dtype: float64
    """
    y_true, y_score = align(y_true, y_score, ("y_true", "y_score"))
    curve = profit_curve(y_true, y_score, cost_per_contact, value_per_response)
    best = best_depth(curve)
    n = int(best["contacted"])
    scores = np.sort(_as_scores(y_score, len(curve) - 1))[::-1]
    threshold = float(scores[n - 1]) if n > 0 else float("inf")
    return pd.Series(
        {
            "threshold": threshold,
            "contacted": float(n),
            "depth": float(best["depth"]),
            "profit": float(best["profit"]),
            "break_even_score": float(cost_per_contact) / float(value_per_response),
        }
    )


def decile_table(
    y_true: object,
    y_score: object,
    n_bins: int = 10,
    *,
    cost_per_contact: float | None = None,
    value_per_response: float | None = None,
) -> pd.DataFrame:
    """Return the :func:`gains_table` with each bin's score range, and profit if priced.

    The score range turns a decile into a rule ("contact scores of 0.42 and above"). Given
    ``cost_per_contact`` and ``value_per_response``, ``profit`` is each bin's value of its
    responders minus the cost of contacting it, and ``cum_profit`` the campaign's profit
    when contacting down to that bin.

    Returns
    -------
    pandas.DataFrame
        The gains table's columns plus ``min_score`` and ``max_score``, and ``profit`` and
        ``cum_profit`` when both money arguments are given.

    Examples
    --------
    >>> t = decile_table([1, 0, 1, 0, 0, 0], [.9, .8, .7, .3, .2, .1], n_bins=3,
    ...                  cost_per_contact=1, value_per_response=3)
    >>> t[["decile", "min_score", "max_score", "responders", "profit", "cum_profit"]]
       decile  min_score  max_score  responders  profit  cum_profit
    0       1        0.8        0.9         1.0     1.0         1.0
    1       2        0.3        0.7         1.0     1.0         2.0
    2       3        0.1        0.2         0.0    -2.0         0.0
    """
    y_true, y_score = align(y_true, y_score, ("y_true", "y_score"))
    table = gains_table(y_true, y_score, n_bins)
    scores = np.sort(_as_scores(y_score, int(table["customers"].sum())))[::-1]
    bins = np.array_split(scores, len(table))
    table["min_score"] = [b.min() for b in bins]
    table["max_score"] = [b.max() for b in bins]
    if (cost_per_contact is None) != (value_per_response is None):
        raise ValueError(
            "cost_per_contact and value_per_response: expected both (to price the table) or "
            f"neither, got {cost_per_contact!r} and {value_per_response!r}"
        )
    if cost_per_contact is not None:
        cost = require_number(cost_per_contact, "cost_per_contact", minimum=0)
        value = require_number(value_per_response, "value_per_response", minimum=0, strict=True)
        table["profit"] = value * table["responders"] - cost * table["customers"]
        table["cum_profit"] = table["profit"].cumsum()
    return table


def _scores_by_model(y_score: object) -> dict[str, object]:
    if isinstance(y_score, Mapping):
        if not y_score:
            raise ValueError("y_score: expected at least one model's scores, got an empty mapping")
        return dict(y_score)
    return {"model": y_score}


def plot_roc(y_true: object, y_score: object, *, ax: Axes | None = None) -> Axes:
    """Plot the ROC curve (true positive rate against false positive rate) with its AUC.

    ``y_score`` is one model's scores, or a mapping ``{name: scores}``. The AUC is the chance
    that a randomly chosen 1 scores above a randomly chosen 0 (ties count half); 0.5 is a
    coin. The title names the model with the highest AUC.

    Examples
    --------
    >>> plot_roc([1, 0, 1, 0], {"a": [.9, .8, .7, .1], "b": [.1, .9, .2, .8]}).get_title()
    'a ranks best: AUC 0.75 (0.5 = random)'
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    ax = axes(ax)
    aucs = {}
    for name, scores in _scores_by_model(y_score).items():
        outcomes, scores = align(y_true, scores, ("y_true", "y_score"))
        y = _as_outcomes(outcomes, need_positive=True)
        s = _as_scores(scores, len(y))
        if y.min() == 1:
            raise ValueError("y_true: expected at least one non-responder (0), got none")
        fpr, tpr, _ = roc_curve(y, s)
        aucs[name] = roc_auc_score(y, s)
        ax.plot(fpr, tpr, label=f"{name} (AUC {aucs[name]:.2f})")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="random (AUC 0.50)")
    best = max(aucs, key=aucs.get)
    ax.set(
        xlabel="False positive rate (share of 0s flagged)",
        ylabel="True positive rate (recall: share of 1s flagged)",
        title=f"{best} ranks best: AUC {aucs[best]:.2f} (0.5 = random)",
    )
    percent_axis(percent_axis(ax, "x"), "y")
    ax.legend()
    return ax


def plot_precision_recall(y_true: object, y_score: object, *, ax: Axes | None = None) -> Axes:
    """Plot precision against recall, with the base rate that random contacts would give.

    ``y_score`` is one model's scores, or a mapping ``{name: scores}``. Average precision
    (the area under the curve, as scikit-learn computes it) summarises each curve; the title
    names the model with the highest.

    Examples
    --------
    >>> ax = plot_precision_recall([1, 0, 1, 0], [.9, .8, .7, .1])
    >>> ax.get_title()
    'model: average precision 0.83 (random 0.50)'
    """
    from sklearn.metrics import average_precision_score, precision_recall_curve

    ax = axes(ax)
    scores_ap = {}
    for name, scores in _scores_by_model(y_score).items():
        outcomes, scores = align(y_true, scores, ("y_true", "y_score"))
        y = _as_outcomes(outcomes, need_positive=True)
        s = _as_scores(scores, len(y))
        precision, recall, _ = precision_recall_curve(y, s)
        scores_ap[name] = average_precision_score(y, s)
        ax.plot(
            recall, precision, drawstyle="steps-post", label=f"{name} (AP {scores_ap[name]:.2f})"
        )
    base = y.mean()
    ax.axhline(base, linestyle="--", color="grey", label=f"random ({base:.2f})")
    best = max(scores_ap, key=scores_ap.get)
    ax.set(
        xlabel="Recall (share of all 1s reached)",
        ylabel="Precision (share of contacts who are 1s)",
        title=f"{best}: average precision {scores_ap[best]:.2f} (random {base:.2f})",
        ylim=(0, 1.02),
    )
    percent_axis(percent_axis(ax, "x"), "y")
    ax.legend()
    return ax
