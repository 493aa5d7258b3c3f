"""Figures for customer-base models: each takes a summary frame, an optional ``ax``, returns
the axes, and titles the figure with what it shows, computed.

``models`` is one fitted purchase model or a dict of them by name (as in
:attr:`crmlib.btyd.Comparison.models`), drawn side by side.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from crmlib.btyd._base import UNIT_NAMES, PurchaseModel
from crmlib.btyd.diagnostics import (
    calibration_holdout,
    frequency_recency_matrix,
    repeat_purchase_histogram,
    tracking,
)
from crmlib.plots import axes, percent_axis

__all__ = [
    "plot_calibration_holdout",
    "plot_tracking",
    "plot_frequency_recency_matrix",
    "plot_repeat_purchase_histogram",
]


def _named(models: object) -> dict[str, PurchaseModel]:
    if isinstance(models, dict):
        if not models:
            raise ValueError("models: expected at least one model")
        return dict(models)
    return {type(models).__name__: models}


def _unit(models: dict[str, PurchaseModel]) -> str:
    unit = getattr(next(iter(models.values())), "unit_", None)
    return UNIT_NAMES.get(unit, "periods")


def plot_calibration_holdout(
    models: object, summary: pd.DataFrame, *, max_group: int = 7, ax: Axes | None = None
) -> Axes:
    """Mean holdout purchases by calibration repeat purchases: actual and each model's.

    Examples
    --------
    >>> from crmlib.btyd import BetaGeo, summary_frame
    >>> bg = BetaGeo().set_fitted("W", r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> s = summary_frame([0, 1, 3], [0, 10, 30], [38, 38, 38], unit="W").assign(
    ...     holdout_purchases=[0, 1, 2], holdout_length=39.0)
    >>> plot_calibration_holdout(bg, s, max_group=2).get_title().startswith("BetaGeo forecasts")
    True
    """
    named = _named(models)
    ax = axes(ax)
    tables = {n: calibration_holdout(m, summary, max_group=max_group) for n, m in named.items()}
    first = next(iter(tables.values()))
    ax.plot(first.index, first["actual"], marker="o", color="black", label="actual")
    errors = {}
    for (name, table), marker in zip(tables.items(), "s^vD", strict=False):
        ax.plot(table.index, table["predicted"], marker=marker, linestyle="--", label=name)
        total = (table["predicted"] * table["customers"]).sum()
        errors[name] = total / (table["actual"] * table["customers"]).sum() - 1
    best = min(errors, key=lambda n: abs(errors[n]))
    actual = (first["actual"] * first["customers"]).sum()
    if len(named) == 1:
        title = (
            f"{best} forecasts {actual * (1 + errors[best]):,.0f} holdout purchases; "
            f"{actual:,.0f} were made ({errors[best]:+.0%})"
        )
    else:
        title = (
            f"{best} comes closest to the {actual:,.0f} holdout purchases "
            f"({errors[best]:+.1%}); "
            + ", ".join(f"{n} {e:+.1%}" for n, e in errors.items() if n != best)
        )
    ax.set(
        xlabel="repeat purchases in the calibration period",
        ylabel="mean purchases per customer, holdout",
        title=title,
    )
    ax.legend()
    return ax


def plot_tracking(
    models: object, summary: pd.DataFrame, per_period: pd.Series, *, ax: Axes | None = None
) -> Axes:
    """Cumulative repeat purchases per period, actual and expected; the calibration end is
    the dashed line at period 0.

    Examples
    --------
    >>> from crmlib.btyd import BetaGeo, summary_frame
    >>> bg = BetaGeo().set_fitted("W", r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> s = summary_frame([0, 1], [0, 2], [3, 3], unit="W")
    >>> counts = pd.Series([0, 1, 0, 0, 1], index=range(-2, 3))
    >>> "cumulative repeat purchases" in plot_tracking(bg, s, counts).get_title()
    True
    """
    named = _named(models)
    ax = axes(ax)
    tables = {n: tracking(m, summary, per_period) for n, m in named.items()}
    first = next(iter(tables.values()))
    ax.plot(first.index, first["actual_cumulative"], color="black", label="actual")
    gaps = {}
    for name, table in tables.items():
        ax.plot(table.index, table["expected_cumulative"], linestyle="--", label=name)
        gaps[name] = table["expected_cumulative"].iloc[-1] / table["actual_cumulative"].iloc[-1] - 1
    ax.axvline(0, color="grey", linewidth=0.8, linestyle=":")
    unit = _unit(named)
    actual = first["actual_cumulative"].iloc[-1]
    ax.set(
        xlabel=f"{unit} since the end of the calibration period",
        ylabel="cumulative repeat purchases",
        title=f"{actual:,.0f} cumulative repeat purchases by the end; expected: "
        + ", ".join(f"{n} {g:+.1%}" for n, g in gaps.items()),
    )
    ax.legend()
    return ax


def plot_frequency_recency_matrix(
    model: PurchaseModel,
    summary: pd.DataFrame,
    *,
    kind: str = "p_alive",
    horizon: float = 1.0,
    max_repeat: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Heat map of :func:`~crmlib.btyd.diagnostics.frequency_recency_matrix`.

    Examples
    --------
    >>> from crmlib.btyd import BetaGeo, summary_frame
    >>> bg = BetaGeo().set_fitted("W", r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> s = summary_frame([0, 5], [0, 30], [38, 38], unit="W")
    >>> plot_frequency_recency_matrix(bg, s).get_title().startswith("With 5 repeat purchases")
    True
    """
    table = frequency_recency_matrix(
        model, summary, kind=kind, horizon=horizon, max_repeat=max_repeat
    )
    ax = axes(ax)
    image = ax.imshow(
        table.to_numpy(), origin="lower", aspect="auto", cmap="viridis",
        extent=(-0.5, table.columns[-1] + 0.5, -0.5, table.index[-1] + 0.5),
    )  # fmt: skip
    ax.grid(False)
    unit = _unit({"m": model})
    age = table.attrs["age"]
    bar = ax.figure.colorbar(image, ax=ax)
    top = table.index[-1]
    row = table.loc[top]
    if kind == "p_alive":
        bar.set_label("P(alive)")
        below = row[row < 0.5]
        quiet = age - below.index.max() if len(below) else 0.0
        title = (
            f"With {top} repeat purchases, {quiet:.0f} quiet {unit} leave P(alive) below 50%"
            if len(below)
            else f"With {top} repeat purchases, P(alive) stays above 50%"
        )
    else:
        bar.set_label(f"expected purchases in the next {horizon:g} {unit}")
        title = (
            f"Expected purchases in the next {horizon:g} {unit}: up to "
            f"{np.nanmax(table.to_numpy()):.2f}, for frequent and recent buyers"
        )
    ax.set(
        xlabel=f"age at last purchase ({unit}; customers {age:.1f} {unit} old)",
        ylabel="repeat purchases",
        title=title,
    )
    return ax


def plot_repeat_purchase_histogram(
    models: object, summary: pd.DataFrame, *, max_group: int = 7, ax: Axes | None = None
) -> Axes:
    """Customers by calibration repeat purchases: actual bars against each model's.

    Examples
    --------
    >>> from crmlib.btyd import BetaGeo, summary_frame
    >>> bg = BetaGeo().set_fitted("W", r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> s = summary_frame([0, 0, 2], [0, 0, 30], [38] * 3, unit="W")
    >>> "largest gap" in plot_repeat_purchase_histogram(bg, s, max_group=2).get_title()
    True
    """
    named = _named(models)
    ax = axes(ax)
    tables = {
        n: repeat_purchase_histogram(m, summary, max_group=max_group) for n, m in named.items()
    }
    first = next(iter(tables.values()))
    frame = pd.DataFrame({"actual": first["actual"]})
    for name, table in tables.items():
        frame[name] = table["expected"]
    total = first["actual"].sum()
    share = frame.div(total)
    share.plot.bar(ax=ax, rot=0)
    percent_axis(ax, "y")
    gaps = {n: (share[n] - share["actual"]).abs() for n in tables}
    worst = {n: (g.idxmax(), g.max()) for n, g in gaps.items()}
    ax.set(
        xlabel="repeat purchases in the calibration period",
        ylabel="share of customers",
        title="largest gap to the actual shares: "
        + ", ".join(f"{n} {g:.1%} (at {k})" for n, (k, g) in worst.items()),
    )
    return ax
