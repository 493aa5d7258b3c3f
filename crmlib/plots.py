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

__all__ = ["TickPercentFormatter", "axes", "percent_axis"]


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


class TickPercentFormatter(PercentFormatter):
    """Percent tick labels with the decimals the ticks need, the same on every tick.

    ``PercentFormatter(decimals=0)`` rounds ticks at 2.5-point steps to whole percents
    (7.5 % reads "8%"); its ``decimals=None`` picks decimals from the axis range, not from
    the ticks. Here the decimals are the fewest (at most 4) that write every tick on the
    axis exactly: ticks 0, 2.5, 5, 7.5 % read "0.0%, 2.5%, 5.0%, 7.5%", and whole-percent
    ticks stay whole ("0%, 5%, 10%").

    Examples
    --------
    >>> formatter = TickPercentFormatter()
    >>> formatter.format_ticks([0.05, 0.075, 0.1, 0.125])
    ['5.0%', '7.5%', '10.0%', '12.5%']
    >>> formatter.format_ticks([0.0, 0.05, 0.1])
    ['0%', '5%', '10%']
    """

    MAX_DECIMALS = 4

    def __init__(self, xmax: float = 1.0) -> None:
        super().__init__(xmax=xmax, decimals=0)

    def set_locs(self, locs) -> None:  # noqa: ANN001 (matplotlib's signature)
        super().set_locs(locs)
        percents = [self.convert_to_pct(float(v)) for v in locs]
        self.decimals = next(
            (
                d
                for d in range(self.MAX_DECIMALS + 1)
                if all(abs(round(p, d) - p) <= 1e-9 * max(1.0, abs(p)) for p in percents)
            ),
            self.MAX_DECIMALS,
        )

    def __call__(self, x: float, pos: int | None = None) -> str:
        # the decimals are set from the ticks, so the axis's range is not needed
        return self.fix_minus(self.format_pct(x, 1.0))


def percent_axis(ax: Axes, which: str = "y", *, xmax: float = 1.0) -> Axes:
    """Format the ``which`` axis ("x" or "y") of ``ax`` as percentages of ``xmax``.

    The tick labels get as many decimals as the ticks need (:class:`TickPercentFormatter`):
    ticks at 2.5-point steps read "7.5%", not a rounded "8%".

    Examples
    --------
    >>> ax = percent_axis(axes(), "x")
    >>> type(ax.xaxis.get_major_formatter()).__name__
    'TickPercentFormatter'
    """
    _require_axes(ax)
    if which not in ("x", "y"):
        raise ValueError(f"which: expected 'x' or 'y', got {which!r}")
    require_number(xmax, "xmax", minimum=0, strict=True)
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_formatter(TickPercentFormatter(xmax=xmax))
    return ax
