"""One look for every crmlib figure: the session's seaborn theme, one idea per axes.

Plot helpers across crmlib take an optional ``ax`` and return it, so a notebook can compose
figures; they call :func:`axes` to get one and :func:`percent_axis` to label shares.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

__all__ = ["axes", "percent_axis"]


def axes(ax: Axes | None = None, *, figsize: tuple[float, float] = (6.0, 4.0)) -> Axes:
    """Return ``ax``, or a new axes in the current style when ``ax`` is None.

    crmlib sets no style of its own, so its figures look like the notebook's other figures
    (``crmlib.session.setup`` chooses seaborn's whitegrid theme).

    Examples
    --------
    >>> ax = axes()
    >>> axes(ax) is ax
    True
    """
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def percent_axis(ax: Axes, which: str = "y", *, xmax: float = 1.0) -> Axes:
    """Format the ``which`` axis ("x" or "y") of ``ax`` as percentages of ``xmax``.

    Examples
    --------
    >>> ax = percent_axis(axes(), "x")
    >>> type(ax.xaxis.get_major_formatter()).__name__
    'PercentFormatter'
    """
    if which not in ("x", "y"):
        raise ValueError(f"which: expected 'x' or 'y', got {which!r}")
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_formatter(PercentFormatter(xmax=xmax, decimals=0))
    return ax
