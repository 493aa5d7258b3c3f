"""Is this week unusual? Control charts for rates: the p-chart and its funnel plot.

A share of complaints, of tickets not resolved at the first contact, of late deliveries,
moves from week to week by chance alone. A **control chart** (Shewhart) draws the centre
line and limits within which the share stays when nothing has changed, so that a manager
reacts to a signal and not to noise. For a proportion (the **p-chart**) each period ``i``
with ``n_i`` cases has

- centre line ``p̄`` = total events / total cases (over a baseline period, if given);
- limits ``p̄ ± k sqrt(p̄ (1 − p̄) / n_i)``, clipped to 0-1, with ``k = 3`` (three sigma).

A point outside the limits is a **signal**: a special cause worth looking for. The same
limits drawn against ``n`` instead of time compare units of different size (agents, branches,
stores): a **funnel plot** (Spiegelhalter 2005).

References: Montgomery, *Introduction to Statistical Quality Control*, 6th ed. (2009),
section 7.2.1 and Example 7.1 (the p-chart, checked in the tests); Spiegelhalter (2005),
"Funnel plots for comparing institutional performance", *Statistics in Medicine* 24.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from crmlib.plots import axes, percent_axis
from crmlib.validation import align, require_counts, require_number

__all__ = ["control_limits", "p_chart", "plot_p_chart"]


def control_limits(
    centre: float, n: object, *, sigmas: float = 3.0
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper limits of a p-chart for samples of ``n`` cases around ``centre``.

    Parameters
    ----------
    centre : float
        The centre line, a fraction in [0, 1].
    n : int or array of int
        Cases in each sample (at least 1).
    sigmas : float, default 3.0
        Width of the limits in standard errors (3 is Shewhart's).

    Returns
    -------
    (ndarray, ndarray)
        The lower and upper limits, clipped to [0, 1].

    Examples
    --------
    >>> low, high = control_limits(0.2313, 50)
    >>> round(float(low), 4), round(float(high), 4)
    (0.0524, 0.4102)
    """
    centre = require_number(centre, "centre", minimum=0.0)
    if centre > 1:
        hint = f"; a percentage? Give a fraction: {centre / 100:g}" if centre <= 100 else ""
        raise ValueError(f"centre: expected a fraction in [0, 1], got {centre!r}{hint}")
    sigmas = require_number(sigmas, "sigmas", minimum=0.0, strict=True)
    cases = require_counts(n, "n")
    if (cases < 1).any():
        raise ValueError("n: expected at least 1 case in every sample, got 0")
    half = sigmas * np.sqrt(centre * (1 - centre) / cases)
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def p_chart(
    events: object, totals: object, *, baseline: object = None, sigmas: float = 3.0
) -> pd.DataFrame:
    """A p-chart: each sample's share of events against its control limits.

    Parameters
    ----------
    events : Series or array of int
        Events in each sample (complaints of one kind, tickets not resolved first time...),
        one per period or unit. A Series keeps its index (weeks, agents...).
    totals : Series or array of int
        Cases in each sample (all tickets of the period), at least 1 and at least the events.
        Two Series are paired by their index.
    baseline : array of bool, optional
        Samples whose total sets the centre line (a quiet period, "phase I"); the chart then
        judges every sample against it. Default: all samples.
    sigmas : float, default 3.0
        Width of the limits in standard errors.

    Returns
    -------
    DataFrame
        One row per sample: ``events``, ``n``, ``p`` (events / n), ``centre``, ``lcl``,
        ``ucl``, ``above`` and ``below`` (bool: outside the limits).

    Examples
    --------
    >>> chart = p_chart([12, 15, 22, 5], [50, 50, 50, 50])
    >>> chart[["p", "centre", "ucl", "above"]].round(3)
          p  centre    ucl  above
    0  0.24    0.27  0.458  False
    1  0.30    0.27  0.458  False
    2  0.44    0.27  0.458  False
    3  0.10    0.27  0.458  False
    """
    events, totals = align(events, totals, ("events", "totals"))
    index = events.index if isinstance(events, pd.Series) else None
    k = require_counts(events, "events")
    n = require_counts(totals, "totals")
    if k.ndim != 1 or k.shape != n.shape:
        raise ValueError(
            f"events, totals: expected two 1-d lists of the same length, got shapes "
            f"{k.shape} and {n.shape}"
        )
    if len(n) == 0:
        raise ValueError("totals: expected at least one sample, got none")
    if (n < 1).any():
        raise ValueError(f"totals: expected at least 1 case per sample, got 0 at position "
                         f"{int(np.argmax(n < 1))}")  # fmt: skip
    if (k > n).any():
        at = int(np.argmax(k > n))
        raise ValueError(
            f"events: expected at most the sample's total, got {k[at]:g} events of {n[at]:g} "
            f"at position {at}; are events and totals swapped?"
        )
    use = np.ones(len(n), dtype=bool) if baseline is None else _baseline(baseline, len(n))
    centre = k[use].sum() / n[use].sum()
    lcl, ucl = control_limits(centre, n, sigmas=sigmas)
    p = k / n
    out = pd.DataFrame(
        {"events": k.astype("int64"), "n": n.astype("int64"), "p": p, "centre": centre,
         "lcl": lcl, "ucl": ucl, "above": p > ucl, "below": p < lcl},
        index=index,
    )  # fmt: skip
    return out


def _baseline(baseline: object, length: int) -> np.ndarray:
    mask = np.asarray(baseline)
    if mask.dtype != bool or mask.shape != (length,):
        raise ValueError(
            f"baseline: expected {length} True/False values (one per sample), got "
            f"{mask.dtype} values of shape {mask.shape}"
        )
    if not mask.any():
        raise ValueError("baseline: expected at least one True sample to set the centre line")
    return mask


def plot_p_chart(
    chart: pd.DataFrame, *, ax: Axes | None = None, ylabel: str = "share of cases"
) -> Axes:
    """Draw a :func:`p_chart` over its index (time): shares, centre line, limits, signals.

    Examples
    --------
    >>> ax = plot_p_chart(p_chart([12, 15, 22, 5], [50, 50, 50, 50]))
    >>> len(ax.lines)
    4
    """
    missing = [c for c in ["p", "centre", "lcl", "ucl", "above", "below"] if c not in chart]
    if missing:
        raise ValueError(f"chart: expected the columns of p_chart(), missing {missing}")
    ax = axes(ax, figsize=(9.0, 3.8))
    x = chart.index
    ax.plot(x, chart["p"], marker="o", markersize=3, lw=1, label="observed share")
    ax.plot(x, chart["centre"], color="black", lw=1, label="centre line")
    ax.step(x, chart["ucl"], where="mid", color="C3", lw=1, ls="--", label="control limits")
    ax.step(x, chart["lcl"], where="mid", color="C3", lw=1, ls="--")
    out = chart["above"] | chart["below"]
    ax.scatter(x[out], chart.loc[out, "p"], color="C3", zorder=3, s=30, label="signal")
    percent_axis(ax)
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    return ax
