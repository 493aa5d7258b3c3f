"""Confidence intervals of a proportion, shared by every module that reports a rate.

Wilson's score interval (Wilson 1927; method 3 of Newcombe 1998, *Statistics in Medicine*
17:857-872) stays inside [0, 1] and keeps its coverage for small groups and for rates near
0 or 1, where the simple normal (Wald) interval collapses to a point.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["wilson"]


def wilson(successes, n, *, confidence: float = 0.95):
    """Wilson's score interval of ``successes / n``.

    Parameters
    ----------
    successes, n : int or array of int
        Counts (``0 <= successes <= n``); arrays are taken element by element.
    confidence : float, default 0.95
        Confidence level, in (0, 1).

    Returns
    -------
    (low, high)
        Floats for scalar counts, arrays otherwise. Exactly 0 (1) at the end where no
        (every) trial succeeded; NaN where ``n`` is 0.

    Examples
    --------
    Newcombe's (1998) Table I, method 3:

    >>> [round(x, 4) for x in wilson(81, 263)]
    [0.2553, 0.3662]
    >>> [round(x, 4) for x in wilson(0, 20)]
    [0.0, 0.1611]
    >>> low, high = wilson([15, 1], [148, 29])
    >>> low.round(4).tolist(), high.round(4).tolist()
    ([0.0624, 0.0061], [0.1605, 0.1718])
    """
    k = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / m
        centre = (p + z**2 / (2 * m)) / (1 + z**2 / m)
        half = z * np.sqrt(p * (1 - p) / m + z**2 / (4 * m**2)) / (1 + z**2 / m)
    # The formula gives exactly 0 and 1 at those ends, up to rounding.
    low = np.where(k == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(k == m, 1.0, np.clip(centre + half, 0.0, 1.0))
    low, high = np.where(m > 0, low, np.nan), np.where(m > 0, high, np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high
