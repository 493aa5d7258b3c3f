"""One look for every crmlib figure: the session's seaborn theme, one idea per axes.

Plot helpers across crmlib take an optional ``ax`` and return it, so a notebook can compose
figures; they call :func:`axes` to get one and :func:`percent_axis` to label shares.
"""

from __future__ import annotations

from numbers import Real

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from crmlib.validation import require_number

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
        return _require_axes(ax)
    if not (
        isinstance(figsize, tuple | list)
        and len(figsize) == 2
        and all(isinstance(v, Real) and not isinstance(v, bool) and 0 < v < 100 for v in figsize)
    ):
        raise ValueError(
            f"figsize: expected (width, height) in inches, two numbers such as (6, 4), "
            f"got {figsize!r}"
        )
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _require_axes(ax: object) -> Axes:
    if not isinstance(ax, Axes):
        raise TypeError(
            f"ax: expected a matplotlib Axes (e.g. from plt.subplots()), got {type(ax).__name__}"
        )
    return ax


def percent_axis(ax: Axes, which: str = "y", *, xmax: float = 1.0) -> Axes:
    """Format the ``which`` axis ("x" or "y") of ``ax`` as percentages of ``xmax``.

    Examples
    --------
    >>> ax = percent_axis(axes(), "x")
    >>> type(ax.xaxis.get_major_formatter()).__name__
    'PercentFormatter'
    """
    _require_axes(ax)
    if which not in ("x", "y"):
        raise ValueError(f"which: expected 'x' or 'y', got {which!r}")
    require_number(xmax, "xmax", minimum=0, strict=True)
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_formatter(PercentFormatter(xmax=xmax, decimals=0))
    return ax
