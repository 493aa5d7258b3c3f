"""Satisfaction and loyalty: outcome rates by level, a fitted curve, and the zones.

Satisfied customers still leave. To see how loyalty (repurchase, retention) depends on
satisfaction, compare the outcome rate at each satisfaction level, with an interval that says
how sure the rate is (:func:`rate_by_level`), and fit a smooth curve through the levels
(:class:`LogisticCurve`). The same table serves any behaviour by any ordered level, such as
churn by the number of complaints.

Jones & Sasser (1995, "Why satisfied customers defect", *Harvard Business Review*) marked
three zones on the five-point scale: defection, indifference and affection
(:data:`JONES_SASSER_ZONES`, :func:`zone`). The zone boundaries are their reading of a
picture, not a law: say so when you use them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import optimize

from crmlib.intervals import wilson
from crmlib.validation import (
    as_numbers,
    require_columns,
    require_fraction,
    require_frame,
    require_outcomes,
)

__all__ = ["JONES_SASSER_ZONES", "zone", "rate_by_level", "LogisticCurve"]

#: Satisfaction levels (1 = completely dissatisfied ... 5 = completely satisfied) of each zone.
JONES_SASSER_ZONES: dict[str, tuple[int, ...]] = {
    "defection": (1, 2),
    "indifference": (3, 4),
    "affection": (5,),
}


def zone(levels: object) -> pd.Series:
    """Name the Jones & Sasser zone of each satisfaction level (whole numbers 1-5).

    Examples
    --------
    >>> zone([1, 3, 4, 5]).tolist()
    ['defection', 'indifference', 'indifference', 'affection']
    """
    values = pd.Series(levels)
    lookup = {level: name for name, group in JONES_SASSER_ZONES.items() for level in group}
    named = values.map(lookup)
    bad = values[named.isna()]
    if len(bad):
        raise ValueError(
            f"levels: expected satisfaction levels 1-5, got {sorted(set(bad.tolist()))[:5]}"
        )
    return named.astype(pd.CategoricalDtype(list(JONES_SASSER_ZONES), ordered=True))


def rate_by_level(
    df: pd.DataFrame, level: str, outcome: str, *, confidence: float = 0.95
) -> pd.DataFrame:
    """The share of customers with a true ``outcome`` at each value of ``level``.

    The interval is Wilson's score interval for a proportion, which stays inside 0-1 and
    behaves with small groups and rates near 0 or 1.

    Parameters
    ----------
    df : DataFrame
        One row per customer.
    level : str
        Column of the ordered level (satisfaction score, number of complaints, ...).
        Rows where it is missing are left out.
    outcome : str
        Boolean (or 0/1) column: repurchased, churned, ...
    confidence : float
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    DataFrame
        Indexed by the level (sorted), with columns ``customers``, ``rate``, ``low`` and
        ``high``.

    Examples
    --------
    >>> df = pd.DataFrame({"sat": [1, 1, 2, 2, 2, 2], "bought": [0, 1, 1, 1, 1, 0]})
    >>> rate_by_level(df, "sat", "bought").round(3)
         customers  rate    low   high
    sat
    1            2  0.50  0.095  0.905
    2            4  0.75  0.301  0.954
    """
    require_frame(df, "df")
    require_columns(df, [level, outcome], "df")
    confidence = require_fraction(confidence, "confidence", high_inclusive=False)
    rows = df.loc[df[level].notna(), [level, outcome]]
    y = pd.Series(require_outcomes(rows[outcome], f"column {outcome!r}"), index=rows.index)
    grouped = y.groupby(rows[level], sort=True, observed=True)
    n, k = grouped.size(), grouped.sum()
    low, high = wilson(k, n, confidence=confidence)
    out = pd.DataFrame({"customers": n.astype("int64"), "rate": k / n, "low": low, "high": high})
    out.index.name = level
    return out


class LogisticCurve:
    """A smooth curve for a yes/no outcome against a level: logistic in a polynomial.

    ``P(outcome) = 1 / (1 + exp(-(b0 + b1 x + ... + b_d x^d)))``, fitted by maximum
    likelihood (no penalty), with ``x`` centred on its mean. Degree 1 is the ordinary
    logistic regression, whose curve can only bend one way on each side of its midpoint;
    degree 2 or 3 lets the data say where the curve is flat and where it climbs. Compare
    fits with ``aic_`` (lower is better).

    Parameters
    ----------
    degree : int
        Degree of the polynomial, 1 to 4.

    Attributes
    ----------
    coef_ : ndarray
        ``b0 ... b_d`` (for the centred level).
    log_likelihood_ : float
    aic_ : float
        ``2 (d + 1) - 2 log-likelihood``.

    Examples
    --------
    >>> x = np.repeat([1, 2, 3, 4, 5], 100)
    >>> y = np.concatenate([np.arange(100) < k for k in (20, 35, 50, 60, 90)])
    >>> curve = LogisticCurve(degree=4).fit(x, y)  # 5 parameters: passes through every level
    >>> curve.predict([1, 5]).round(2)
    array([0.2, 0.9])
    """

    def __init__(self, degree: int = 2) -> None:
        self.degree = degree

    def _design(self, x: np.ndarray) -> np.ndarray:
        return np.vander(x - self.centre_, self.degree + 1, increasing=True)

    def fit(self, x: Sequence[float], y: Sequence[object]) -> LogisticCurve:
        """Fit the curve to levels ``x`` and outcomes ``y`` (True/False or 0/1)."""
        if isinstance(self.degree, bool) or self.degree not in (1, 2, 3, 4):
            raise ValueError(f"degree: expected 1, 2, 3 or 4, got {self.degree!r}")
        x = as_numbers(x, "x")
        y = np.asarray(y)
        if x.ndim != 1 or x.shape != y.shape:
            raise ValueError(f"x and y: expected two 1-d arrays of one length, got {x.shape} "
                             f"and {y.shape}")  # fmt: skip
        y = require_outcomes(y, "y")
        if len(np.unique(x)) <= self.degree:
            raise ValueError(
                f"x: a degree-{self.degree} curve needs more than {self.degree} distinct "
                f"levels, got {len(np.unique(x))}"
            )
        self.centre_ = float(x.mean())
        X = self._design(x)

        def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
            eta = X @ beta
            nll = float(np.sum(np.logaddexp(0.0, eta) - y * eta))
            grad = X.T @ (1.0 / (1.0 + np.exp(-eta)) - y)
            return nll, grad

        start = np.zeros(X.shape[1])
        result = optimize.minimize(loss, start, jac=True, method="BFGS", options={"gtol": 1e-9})
        self.coef_ = result.x
        self.log_likelihood_ = -float(result.fun)
        self.aic_ = 2 * X.shape[1] - 2 * self.log_likelihood_
        return self

    def predict(self, x: Sequence[float]) -> np.ndarray:
        """The fitted probability at each level in ``x``."""
        if not hasattr(self, "coef_"):
            raise RuntimeError("LogisticCurve is not fitted yet: call fit(x, y) before predict")
        eta = self._design(np.atleast_1d(as_numbers(x, "x"))) @ self.coef_
        return 1.0 / (1.0 + np.exp(-eta))
