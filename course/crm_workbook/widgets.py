"""Interactive explorers for the notebooks, each a thin UI over a plain, tested function.

A widget's output lives in the running kernel only: a notebook saved or rendered to HTML
keeps no widget state. So every explorer here is ``ui = explorer(...)`` around a *report*
function that a notebook also calls once directly with the default values, which leaves an
ordinary, readable output (a table and a figure) in the stored notebook.

- :func:`clv_schedule`: how a customer's lifetime value builds up, period by period;
- :func:`clv_report`: that schedule as a figure and a table (what the calculator shows);
- :func:`clv_calculator`: sliders for margin, retention, discount rate and horizon.
- :func:`rfm_profile`: size, revenue share and medians of a selection of RFM customers;
- :func:`plot_rfm_selection`, :func:`rfm_report`: where the selection sits on the R x F grid;
- :func:`rfm_explorer`: a segment menu and R, F, M score ranges (chapter 05).
"""

from __future__ import annotations

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display
from matplotlib.axes import Axes

from crmlib import plots, value
from crmlib.validation import preview, require_columns, require_frame, require_positive_int

__all__ = [
    "clv_schedule",
    "plot_clv_schedule",
    "clv_report",
    "clv_calculator",
    "Panel",
    "rfm_profile",
    "plot_rfm_selection",
    "rfm_report",
    "rfm_explorer",
]


def clv_schedule(
    margin: float,
    retention: float,
    discount_rate: float,
    horizon: int,
    *,
    timing: str = "end",
) -> pd.DataFrame:
    """Period-by-period build-up of the CLV of :func:`crmlib.value.clv`.

    Parameters
    ----------
    margin, retention, discount_rate : float
        Margin per period, retention rate per period in [0, 1) and discount rate per period
        (>= 0), as in :func:`crmlib.value.clv`.
    horizon : int
        Number of periods shown (>= 1).
    timing : {"end", "start"}
        When margins arrive, as in :func:`crmlib.value.clv`.

    Returns
    -------
    DataFrame
        One row per period ``1..horizon`` (index ``period``) with ``still_customer`` (the
        share of the starting customers still there when the period's margin is paid),
        ``present_value`` (that period's expected margin, discounted to today) and
        ``clv_to_date`` (the CLV with a horizon of this many periods). The last row's
        ``clv_to_date`` equals ``value.clv(margin, retention, discount_rate, horizon=horizon)``.

    Examples
    --------
    >>> clv_schedule(100, 0.8, 0.1, 3).round(2)  # doctest: +NORMALIZE_WHITESPACE
            still_customer  present_value  clv_to_date
    period
    1                 0.80          72.73        72.73
    2                 0.64          52.89       125.62
    3                 0.51          38.47       164.09
    """
    horizon = require_positive_int(horizon, "horizon")
    for name, number in (
        ("margin", margin),
        ("retention", retention),
        ("discount_rate", discount_rate),
    ):
        if np.ndim(number) != 0:
            raise ValueError(f"{name}: expected one number, got {number!r}")
    periods = np.arange(1, horizon + 1)
    # value.clv (which also checks the arguments) with each horizon 1..T is the running total.
    to_date = np.atleast_1d(
        value.clv(margin, retention, discount_rate, horizon=periods, timing=timing)
    )
    # Each period's term directly, not by differencing the totals, which loses the far terms
    # to rounding. With timing "end" the margin of period t needs t renewals; "start", t - 1.
    renewals = periods if timing == "end" else periods - 1
    still = float(retention) ** renewals
    return pd.DataFrame(
        {
            "still_customer": still,
            "present_value": float(margin) * still / (1 + float(discount_rate)) ** renewals,
            "clv_to_date": to_date,
        },
        index=pd.Index(periods, name="period"),
    )


def plot_clv_schedule(
    schedule: pd.DataFrame, *, lifetime: float | None = None, ax: Axes | None = None
) -> Axes:
    """Bars of each period's discounted margin and a line of the running CLV.

    Parameters
    ----------
    schedule : DataFrame
        As returned by :func:`clv_schedule`.
    lifetime : float, optional
        The CLV over an infinite horizon; when given, drawn as a dashed line and quoted in
        the title.
    ax : Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    Axes

    Examples
    --------
    >>> ax = plot_clv_schedule(clv_schedule(100, 0.8, 0.1, 5), lifetime=266.67)
    >>> ax.get_title()
    'CLV over 5 periods: 212, 80% of the 267 a customer is worth in all'
    >>> plt.close("all")
    """
    columns = ["present_value", "clv_to_date"]
    missing = [c for c in columns if c not in schedule.columns]
    if missing or len(schedule) == 0:
        raise ValueError(
            f"schedule: expected the non-empty frame of clv_schedule with columns {columns}, "
            f"got {len(schedule)} rows and columns {list(schedule.columns)}"
        )
    ax = plots.axes(ax, figsize=(6.5, 3.8))
    periods = schedule.index.to_numpy()
    total = float(schedule["clv_to_date"].iloc[-1])
    ax.bar(periods, schedule["present_value"], color="C0", label="discounted margin of the period")
    ax.plot(periods, schedule["clv_to_date"], color="C1", marker="o", label="CLV to date")
    title = f"CLV over {len(schedule)} periods: {total:,.0f}"
    if lifetime is not None:
        ax.axhline(lifetime, color="grey", linestyle="--", label="CLV, infinite horizon")
        share = total / lifetime if lifetime else float("nan")
        title += f", {share:.0%} of the {lifetime:,.0f} a customer is worth in all"
    ax.set(xlabel="period", ylabel="value per customer (currency units)", title=title)
    ax.legend(loc="center right", fontsize="small")
    return ax


def clv_report(
    margin: float = 100.0,
    retention: float = 0.8,
    discount_rate: float = 0.1,
    horizon: int = 10,
) -> pd.DataFrame:
    """What the CLV calculator shows: draw the build-up of the CLV and return its table.

    Draws :func:`plot_clv_schedule` (with the infinite-horizon CLV for comparison) and shows
    it, then returns :func:`clv_schedule` rounded to cents, for display under the figure.

    Examples
    --------
    >>> table = clv_report(100, 0.8, 0.1, 10)
    >>> float(table["clv_to_date"].iloc[-1])
    255.63
    >>> plt.close("all")
    """
    schedule = clv_schedule(margin, retention, discount_rate, horizon)
    plot_clv_schedule(schedule, lifetime=value.clv(margin, retention, discount_rate))
    plt.show()
    return schedule.round(2)


class Panel(w.VBox):
    """Controls above an output, whose text form says what they are.

    A saved or HTML copy of a notebook shows that text in place of the controls.
    """

    def __init__(self, children: list, description: str) -> None:
        super().__init__(children)
        self._description = description

    def __repr__(self) -> str:
        return f"{self._description} (they respond in a running notebook only)"


def clv_calculator(
    margin: float = 100.0,
    retention: float = 0.8,
    discount_rate: float = 0.1,
    horizon: int = 10,
) -> Panel:
    """Sliders for margin, retention, discount rate and horizon over :func:`clv_report`.

    Moving a slider re-runs ``clv_report`` with the sliders' values and shows its figure and
    table below them; it also runs once when the calculator is built. The arguments are the
    starting values. Outside a notebook the table is printed and the figure is not shown.

    Returns
    -------
    Panel
        An ``ipywidgets.VBox``: the sliders (``children[0]``, an ``HBox`` of two ``VBox``
        columns) above the output.

    Examples
    --------
    >>> import contextlib, io
    >>> printed = io.StringIO()
    >>> with contextlib.redirect_stdout(printed):  # outside a notebook the table is printed
    ...     ui = clv_calculator(retention=0.9, horizon=2)
    >>> "clv_to_date" in printed.getvalue()
    True
    >>> [s.description for column in ui.children[0].children for s in column.children]
    ['margin', 'retention', 'discount rate', 'horizon']
    >>> ui.children[0].children[0].children[1].value
    0.9
    >>> plt.close("all")
    """

    def show(**values: float) -> None:
        # Looked up when called, so the calculator always runs the current clv_report.
        display(clv_report(**values))

    style = {"description_width": "70px"}
    sliders = {
        "margin": w.FloatSlider(
            value=margin, min=0.0, max=500.0, step=5.0, description="margin", style=style
        ),
        "retention": w.FloatSlider(
            value=retention, min=0.0, max=0.99, step=0.01, description="retention", style=style
        ),
        "discount_rate": w.FloatSlider(
            value=discount_rate,
            min=0.0,
            max=0.3,
            step=0.01,
            description="discount rate",
            style=style,
        ),
        "horizon": w.IntSlider(
            value=horizon, min=1, max=40, step=1, description="horizon", style=style
        ),
    }
    out = w.interactive_output(show, sliders)
    columns = w.HBox(
        [
            w.VBox([sliders["margin"], sliders["retention"]]),
            w.VBox([sliders["discount_rate"], sliders["horizon"]]),
        ]
    )
    return Panel(
        [columns, out], "CLV calculator: sliders for margin, retention, discount rate and horizon"
    )


# The RFM segment explorer (chapter 05). A selection is a segment and/or ranges of the
# r, f and m scores; every function below takes the frame of crmlib.rfm.name_segments (or score).

_RFM_COLUMNS = ["recency", "frequency", "monetary", "r_score", "f_score", "m_score"]


def _score_bounds(value: object, name: str, bins: int) -> tuple[int, int]:
    """``None`` (every score), one score, or an inclusive ``(low, high)`` pair of scores."""
    if value is None:
        return 1, bins
    pair = (value, value) if isinstance(value, int | np.integer) else value
    ok = (
        isinstance(pair, tuple | list)
        and len(pair) == 2
        and all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in pair)
        and 1 <= pair[0] <= pair[1] <= bins
    )
    if not ok:
        raise ValueError(
            f"{name}: expected a score or a (low, high) pair with 1 <= low <= high <= {bins}, "
            f"got {value!r}"
        )
    return int(pair[0]), int(pair[1])


def _rfm_selection(
    segmented: pd.DataFrame, segment: str | None, r: object, f: object, m: object, bins: int
) -> tuple[pd.Series, str]:
    """The selected customers (a boolean mask) and a label such as ``"Champions, M 4-5"``."""
    require_frame(segmented, "segmented")
    require_columns(segmented, _RFM_COLUMNS, "segmented")
    bins = require_positive_int(bins, "bins", minimum=2)
    mask = pd.Series(True, index=segmented.index)
    parts = []
    if segment is not None:
        require_columns(segmented, ["segment"], "segmented")
        names = segmented["segment"]
        known = names.cat.categories if isinstance(names.dtype, pd.CategoricalDtype) else None
        known = list(known if known is not None else pd.unique(names.dropna()))
        if segment not in known:
            raise ValueError(f"segment: expected one of {preview(known, 20)}, got {segment!r}")
        mask &= (names == segment).to_numpy()
        parts.append(str(segment))
    for letter, given in (("r", r), ("f", f), ("m", m)):
        low, high = _score_bounds(given, letter, bins)
        if (low, high) != (1, bins):
            mask &= segmented[f"{letter}_score"].between(low, high).to_numpy()
            parts.append(f"{letter.upper()} {low}" + (f"-{high}" if high > low else ""))
    return mask, ", ".join(parts) if parts else "All customers"


def rfm_profile(
    segmented: pd.DataFrame,
    segment: str | None = None,
    *,
    r: int | tuple[int, int] | None = None,
    f: int | tuple[int, int] | None = None,
    m: int | tuple[int, int] | None = None,
    bins: int = 5,
) -> pd.DataFrame:
    """Size, revenue share and a profile of a selection of RFM customers, next to the base.

    Parameters
    ----------
    segmented : DataFrame
        One row per customer, as returned by :func:`crmlib.rfm.name_segments` (or
        :func:`crmlib.rfm.score`, when no ``segment`` is chosen); not modified.
    segment : str, optional
        A segment name of the ``segment`` column; None: every segment.
    r, f, m : int or (int, int), optional
        A score, or an inclusive ``(low, high)`` range of scores; None: every score.
    bins : int, default 5
        The ``bins`` that :func:`crmlib.rfm.score` used.

    Returns
    -------
    DataFrame
        Two rows, the selection (labelled e.g. ``"Champions, M 4-5"``) and ``"All customers"``,
        with ``customers``, ``share_of_customers``, ``revenue`` (the sum of ``monetary``),
        ``share_of_revenue`` (NaN when the base's revenue is not positive) and the medians
        ``recency_days``, ``frequency``, ``monetary``. An empty selection has 0 customers and
        NaN medians.

    Examples
    --------
    >>> scored = pd.DataFrame({
    ...     "recency": [5, 30, 200, 300], "frequency": [9, 4, 2, 1],
    ...     "monetary": [700.0, 200.0, 80.0, 20.0],
    ...     "r_score": [5, 4, 2, 1], "f_score": [5, 4, 2, 1], "m_score": [5, 4, 2, 1],
    ... })
    >>> rfm_profile(scored, r=(4, 5))[["customers", "share_of_revenue", "recency_days"]]
                   customers  share_of_revenue  recency_days
    R 4-5                  2               0.9          17.5
    All customers          4               1.0         115.0
    """
    mask, label = _rfm_selection(segmented, segment, r, f, m, bins)
    return _rfm_profile(segmented, mask, label)


def _rfm_profile(segmented: pd.DataFrame, mask: pd.Series, label: str) -> pd.DataFrame:
    total = float(segmented["monetary"].sum())
    rows = {}
    for name, part in ((label, segmented[mask.to_numpy()]), ("All customers", segmented)):
        revenue = float(part["monetary"].sum())
        rows[name] = {
            "customers": len(part),
            "share_of_customers": len(part) / len(segmented),
            "revenue": revenue,
            "share_of_revenue": revenue / total if total > 0 else np.nan,
            "recency_days": part["recency"].median(),
            "frequency": part["frequency"].median(),
            "monetary": part["monetary"].median(),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    return out.astype({"customers": "int64"})


def plot_rfm_selection(
    segmented: pd.DataFrame,
    segment: str | None = None,
    *,
    r: int | tuple[int, int] | None = None,
    f: int | tuple[int, int] | None = None,
    m: int | tuple[int, int] | None = None,
    bins: int = 5,
    ax: Axes | None = None,
) -> Axes:
    """Where the selected customers sit on the recency x frequency grid, and what they bring.

    A heatmap of the selection's customers per (r_score, f_score) cell, recent customers at
    the top and frequent ones to the right; the title gives the selection's share of the
    customers and of the revenue. Arguments as in :func:`rfm_profile`.

    Returns
    -------
    Axes

    Examples
    --------
    >>> scored = pd.DataFrame({
    ...     "recency": [5, 30, 200, 300], "frequency": [9, 4, 2, 1],
    ...     "monetary": [700.0, 200.0, 80.0, 20.0],
    ...     "r_score": [5, 4, 2, 1], "f_score": [5, 4, 2, 1], "m_score": [5, 4, 2, 1],
    ... })
    >>> plot_rfm_selection(scored, r=(4, 5)).get_title()
    'R 4-5: 50% of customers bring 90% of revenue'
    >>> plt.close("all")
    """
    mask, label = _rfm_selection(segmented, segment, r, f, m, bins)
    profile = _rfm_profile(segmented, mask, label)
    chosen = segmented[mask.to_numpy()]
    scores = np.arange(1, bins + 1)
    grid = (
        pd.crosstab(chosen["r_score"], chosen["f_score"])
        .reindex(index=scores[::-1], columns=scores, fill_value=0)
        .to_numpy()
    )
    ax = plots.axes(ax, figsize=(5.5, 4.2))
    image = ax.imshow(np.where(grid > 0, grid, np.nan), cmap="Blues", vmin=0)
    for (i, j), count in np.ndenumerate(grid):
        if count:
            dark = count > 0.6 * grid.max()
            ax.text(j, i, f"{count:,}", ha="center", va="center", fontsize="small",
                    color="white" if dark else "black")  # fmt: skip
    ax.set_xticks(range(bins), [str(s) for s in scores])
    ax.set_yticks(range(bins), [str(s) for s in scores[::-1]])
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, label="customers in the selection")
    n = int(profile["customers"].iloc[0])
    if n == 0:
        title = f"{label}: no customers"
    else:
        shares = profile.iloc[0]
        title = (
            f"{label}: {shares['share_of_customers']:.0%} of customers bring "
            f"{shares['share_of_revenue']:.0%} of revenue"
        )
    ax.set(
        xlabel="frequency score (5 = most invoices)",
        ylabel="recency score (5 = most recent)",
        title=title,
    )
    return ax


def rfm_report(
    segmented: pd.DataFrame,
    segment: str | None = None,
    *,
    r: int | tuple[int, int] | None = None,
    f: int | tuple[int, int] | None = None,
    m: int | tuple[int, int] | None = None,
    bins: int = 5,
) -> pd.DataFrame:
    """What the RFM explorer shows: draw :func:`plot_rfm_selection`, return the profile.

    The profile of :func:`rfm_profile` is rounded for display under the figure: shares to 3
    decimals, revenue to whole currency units (int), the median spend to 2 decimals.

    Examples
    --------
    >>> scored = pd.DataFrame({
    ...     "recency": [5, 30, 200, 300], "frequency": [9, 4, 2, 1],
    ...     "monetary": [700.0, 200.0, 80.0, 20.0],
    ...     "r_score": [5, 4, 2, 1], "f_score": [5, 4, 2, 1], "m_score": [5, 4, 2, 1],
    ... })
    >>> rfm_report(scored, m=1)[["customers", "revenue"]].to_dict("list")
    {'customers': [1, 4], 'revenue': [20, 1000]}
    >>> plt.close("all")
    """
    profile = rfm_profile(segmented, segment, r=r, f=f, m=m, bins=bins)
    plot_rfm_selection(segmented, segment, r=r, f=f, m=m, bins=bins)
    plt.show()
    rounded = profile.round({"share_of_customers": 3, "share_of_revenue": 3, "monetary": 2})
    return rounded.assign(revenue=profile["revenue"].round().astype("int64"))


def rfm_explorer(
    segmented: pd.DataFrame,
    segment: str | None = None,
    *,
    r: tuple[int, int] | None = None,
    f: tuple[int, int] | None = None,
    m: tuple[int, int] | None = None,
    bins: int = 5,
) -> Panel:
    """A segment menu and R, F, M score-range sliders over :func:`rfm_report`.

    Changing the menu or a slider re-runs ``rfm_report`` on ``segmented`` with the chosen
    segment (``"(all segments)"`` means None) and ranges, and shows its figure and profile
    below; it also runs once when the explorer is built. The other arguments are the
    starting values. Outside a notebook the profile is printed and the figure is not shown.

    Returns
    -------
    Panel
        An ``ipywidgets.VBox``: the controls (``children[0]``, an ``HBox`` of the menu and a
        ``VBox`` of the three sliders) above the output.

    Examples
    --------
    >>> import contextlib, io
    >>> scored = pd.DataFrame({
    ...     "recency": [5, 30, 200, 300], "frequency": [9, 4, 2, 1],
    ...     "monetary": [700.0, 200.0, 80.0, 20.0],
    ...     "r_score": [5, 4, 2, 1], "f_score": [5, 4, 2, 1], "m_score": [5, 4, 2, 1],
    ...     "segment": pd.Categorical(["Top", "Top", "Rest", "Rest"]),
    ... })
    >>> printed = io.StringIO()
    >>> with contextlib.redirect_stdout(printed):  # outside a notebook the profile is printed
    ...     ui = rfm_explorer(scored, "Top", f=(5, 5))
    >>> "Top, F 5" in printed.getvalue()
    True
    >>> menu, sliders = ui.children[0].children
    >>> menu.value, [s.value for s in sliders.children]
    ('Top', [(1, 5), (5, 5), (1, 5)])
    >>> plt.close("all")
    """
    # Checked once here, so a bad starting value fails before any widget is built.
    _rfm_selection(segmented, segment, r, f, m, bins)
    names = segmented["segment"] if "segment" in segmented.columns else None
    if names is None:
        options = []
    elif isinstance(names.dtype, pd.CategoricalDtype):
        options = list(names.cat.categories)
    else:
        options = sorted(pd.unique(names.dropna()).tolist())

    def show(segment: str | None, r: tuple[int, int], f: tuple[int, int], m: tuple[int, int]):
        display(rfm_report(segmented, segment, r=r, f=f, m=m, bins=bins))

    style = {"description_width": "70px"}
    controls = {
        "segment": w.Dropdown(
            options=[("(all segments)", None), *((str(n), n) for n in options)],
            value=segment,
            description="name_segments",
            style=style,
        ),
        **{
            letter: w.IntRangeSlider(
                value=_score_bounds(given, letter, bins),
                min=1,
                max=bins,
                step=1,
                description=f"{letter.upper()} score",
                style=style,
            )
            for letter, given in (("r", r), ("f", f), ("m", m))
        },
    }
    out = w.interactive_output(show, controls)
    sliders = w.VBox([controls["r"], controls["f"], controls["m"]])
    return Panel(
        [w.HBox([controls["segment"], sliders]), out],
        "RFM segment explorer: a segment menu and R, F, M score ranges",
    )
