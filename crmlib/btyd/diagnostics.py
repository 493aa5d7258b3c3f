"""Diagnostic tables of a fitted purchase model, each computed from a summary frame.

They are the tables behind the figures of :mod:`crmlib.btyd.plots` (Fader, Hardie & Lee
2005a, figures 2-4): calibration versus holdout by frequency, tracking of cumulative repeat
purchases, the frequency/recency matrices, and the histogram of repeat purchases. Each takes
a summary frame, so a summary built in SQL or Spark works; tracking also needs the repeat
purchases per period (:func:`crmlib.btyd.repeat_purchases_by_period`, or the same counts
built elsewhere).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlib.btyd._base import (
    HOLDOUT_T,
    HOLDOUT_X,
    TX,
    PurchaseModel,
    T,
    X,
    as_array,
    histories,
    require_summary_columns,
)
from crmlib.validation import require_number, require_positive_int

__all__ = [
    "calibration_holdout",
    "tracking",
    "frequency_recency_matrix",
    "repeat_purchase_histogram",
    "group_labels",
]


def _model(model: object) -> PurchaseModel:
    if not isinstance(model, PurchaseModel):
        raise TypeError(
            "model: expected a fitted BetaGeo, ParetoNBD or ModifiedBetaGeo, got "
            f"{type(model).__name__}"
        )
    model._params()
    return model


def group_labels(counts: np.ndarray, max_group: int) -> pd.Categorical:
    """Labels "0", "1", ..., "7+" for counts grouped at ``max_group``."""
    names = [str(k) for k in range(max_group)] + [f"{max_group}+"]
    codes = np.minimum(np.asarray(counts, dtype=int), max_group)
    return pd.Categorical.from_codes(codes, categories=names, ordered=True)


def holdout_predictions(model: PurchaseModel, summary: pd.DataFrame) -> np.ndarray:
    """Each customer's expected purchases over their own holdout length."""
    require_summary_columns(summary, [HOLDOUT_X, HOLDOUT_T], "summary")
    length = as_array(summary[HOLDOUT_T], HOLDOUT_T)
    out = np.empty(len(summary))
    for value in np.unique(length):
        rows = length == value
        out[rows] = model.conditional_expected_purchases(summary[rows], value).to_numpy()
    return out


def calibration_holdout(
    model: PurchaseModel, summary: pd.DataFrame, *, max_group: int = 7
) -> pd.DataFrame:
    """Mean holdout purchases, actual and predicted, by calibration repeat purchases.

    Parameters
    ----------
    model : BetaGeo, ParetoNBD or ModifiedBetaGeo
        A fitted purchase model.
    summary : DataFrame
        With ``holdout_purchases`` and ``holdout_length`` besides the history columns.
    max_group : int
        Customers with ``max_group`` or more repeat purchases form the last group.

    Returns
    -------
    DataFrame
        Indexed by group ("0", ..., "7+"), with ``customers``, ``actual`` and ``predicted``
        (mean holdout purchases per customer).

    Examples
    --------
    >>> from crmlib.btyd import BetaGeo, summary_frame
    >>> bg = BetaGeo().set_fitted("W", r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> s = summary_frame([0, 1, 3], [0, 10, 30], [38, 38, 38], unit="W").assign(
    ...     holdout_purchases=[0, 1, 2], holdout_length=39.0)
    >>> calibration_holdout(bg, s, max_group=2)["customers"].tolist()
    [1, 1, 1]
    """
    model = _model(model)
    max_group = require_positive_int(max_group, "max_group")
    x, _, _ = histories(summary)
    frame = pd.DataFrame(
        {
            "group": group_labels(x, max_group),
            "actual": as_array(summary[HOLDOUT_X], HOLDOUT_X) if HOLDOUT_X in summary else 0.0,
            "predicted": holdout_predictions(model, summary),
        }
    )
    table = frame.groupby("group", observed=False).agg(
        customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
    )
    table.index = pd.Index(table.index.astype(str), name=f"{X} (calibration)")
    return table


def _expected_by_age(model: PurchaseModel, ages: np.ndarray) -> np.ndarray:
    """``E[X(age)]`` for ages that may be <= 0 (not yet a customer: 0 purchases)."""
    out = np.zeros(ages.shape)
    positive = ages > 0
    if positive.any():
        out[positive] = model.expected_purchases(ages[positive])
    return out


def tracking(model: PurchaseModel, summary: pd.DataFrame, per_period: pd.Series) -> pd.DataFrame:
    """Repeat purchases per period and cumulated, actual against the model's expectation.

    The expectation is the unconditional one (Fader, Hardie & Lee 2005a, figure 2): each
    customer of the summary, who is ``age`` old at the calibration end, is expected to have
    made ``E[X(age + k)]`` repeat purchases by the end of period ``k``.

    Parameters
    ----------
    model : BetaGeo, ParetoNBD or ModifiedBetaGeo
        A fitted purchase model; its unit is the length of a period.
    summary : DataFrame
        The customers (only ``age`` is used here).
    per_period : Series
        Repeat purchases of those customers per period, indexed by ``k`` (period ``k`` ends
        ``k`` units after the calibration end; ``k <= 0`` is the calibration period), as made
        by :func:`crmlib.btyd.repeat_purchases_by_period`.

    Returns
    -------
    DataFrame
        Indexed by ``period``: ``actual``, ``expected``, ``actual_cumulative``,
        ``expected_cumulative``.
    """
    model = _model(model)
    _, _, big_t = histories(summary)
    if not isinstance(per_period, pd.Series) or len(per_period) == 0:
        raise TypeError(
            "per_period: expected a non-empty Series of repeat purchases indexed by period"
        )
    k = np.asarray(per_period.index, dtype=float)
    if (np.diff(k) <= 0).any():
        raise ValueError("per_period: expected its index (the periods) in increasing order")
    ages, counts = np.unique(big_t, return_counts=True)
    edges = np.append(k[0] - 1, k)  # cumulative expectation at the end of each period
    grid = ages[:, None] + edges[None, :]
    cumulative = counts @ _expected_by_age(model, grid.ravel()).reshape(grid.shape)
    actual = as_array(per_period, "per_period")
    out = pd.DataFrame(
        {
            "actual": actual,
            "expected": np.diff(cumulative),
            "actual_cumulative": np.cumsum(actual),
            "expected_cumulative": cumulative[1:] - cumulative[0],
        },
        index=pd.Index(per_period.index, name="period"),
    )
    return out


def frequency_recency_matrix(
    model: PurchaseModel,
    summary: pd.DataFrame,
    *,
    kind: str = "p_alive",
    horizon: float = 1.0,
    max_repeat: int | None = None,
) -> pd.DataFrame:
    """P(alive) or expected purchases for every (repeat purchases, age at last purchase).

    Customers are taken to be as old as the oldest customer in ``summary``; rows are
    ``repeat_purchases`` from 0 to ``max_repeat`` (default: the 99th percentile in the
    summary), columns whole ``age_at_last_purchase`` values from 0 to that age.

    Parameters
    ----------
    kind : {"p_alive", "expected_purchases"}
        What to tabulate; ``"expected_purchases"`` counts the next ``horizon`` time units.

    Returns
    -------
    DataFrame
        Rows ``repeat_purchases``, columns ``age_at_last_purchase``; impossible cells (no
        repeat purchase but a last purchase after the first) are NaN.

    Examples
    --------
    >>> from crmlib.btyd import BetaGeo, summary_frame
    >>> bg = BetaGeo().set_fitted("W", r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> m = frequency_recency_matrix(bg, summary_frame([0, 2], [0, 30], [38, 38], unit="W"))
    >>> m.shape, round(float(m.loc[2, 38]), 3)
    ((3, 39), 0.812)
    """
    model = _model(model)
    if kind not in ("p_alive", "expected_purchases"):
        raise ValueError(f"kind: expected 'p_alive' or 'expected_purchases', got {kind!r}")
    x, _, big_t = histories(summary)
    if max_repeat is None:
        top = max(int(np.ceil(np.percentile(x, 99))), 1)
    else:
        top = require_positive_int(max_repeat, "max_repeat")
    horizon = require_number(horizon, "horizon", minimum=0, strict=True)
    age = float(big_t.max())
    xs = np.arange(top + 1, dtype=float)
    txs = np.arange(0, np.floor(age) + 1, dtype=float)
    gx, gtx = (g.ravel() for g in np.meshgrid(xs, txs, indexing="ij"))
    possible = ~((gx == 0) & (gtx > 0))
    grid = pd.DataFrame({X: gx[possible], TX: gtx[possible], T: age})  # in the model's unit
    values = np.full(gx.shape, np.nan)
    if kind == "p_alive":
        values[possible] = model.p_alive(grid).to_numpy()
    else:
        values[possible] = model.conditional_expected_purchases(grid, horizon).to_numpy()
    out = pd.DataFrame(
        values.reshape(len(xs), len(txs)),
        index=pd.Index(xs.astype(int), name=X),
        columns=pd.Index(txs.astype(int), name=TX),
    )
    out.attrs["age"] = age
    return out


def repeat_purchase_histogram(
    model: PurchaseModel, summary: pd.DataFrame, *, max_group: int = 7
) -> pd.DataFrame:
    """Customers by number of calibration repeat purchases, actual against the model.

    The expected number with ``k`` repeat purchases is ``sum_i P(X(T_i) = k)`` over the
    customers' ages ``T_i``; the last group holds the rest.

    Returns
    -------
    DataFrame
        Indexed by group ("0", ..., "7+"), with ``actual`` and ``expected`` customers.

    Examples
    --------
    >>> from crmlib.btyd import BetaGeo, summary_frame
    >>> bg = BetaGeo().set_fitted("W", r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> h = repeat_purchase_histogram(bg, summary_frame([0, 0, 2], [0, 0, 30], [38] * 3,
    ...     unit="W"), max_group=2)
    >>> h["actual"].tolist(), round(float(h["expected"].sum()), 6)
    ([2, 0, 1], 3.0)
    """
    model = _model(model)
    max_group = require_positive_int(max_group, "max_group")
    x, _, big_t = histories(summary)
    ages, counts = np.unique(big_t, return_counts=True)
    probs = model.purchase_probabilities(ages, max_group - 1) @ counts
    expected = np.append(probs, len(x) - probs.sum())
    labels = group_labels(np.arange(max_group + 1), max_group)
    actual = pd.Series(group_labels(x, max_group)).value_counts().reindex(labels.categories)
    return pd.DataFrame(
        {"actual": actual.to_numpy(), "expected": expected},
        index=pd.Index(list(labels.categories), name=f"{X} (calibration)"),
    )
