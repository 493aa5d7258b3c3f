"""Shifted-beta-geometric (sBG): retention in a contractual setting.

Fader & Hardie (2007), "How to project customer retention", Journal of Interactive
Marketing 21(1). Churn is observed here (the contract ends), so this is a retention model,
not a "buy till you die" model, which must infer churn from silence.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import betaln

from crmlib.btyd._base import Model, as_array, dbetaln, maximize, shaped

__all__ = ["ShiftedBetaGeo"]


class ShiftedBetaGeo(Model):
    """Shifted-beta-geometric model of contract retention (Fader & Hardie 2007).

    Each customer churns at the end of any period with probability ``theta ~ Beta(alpha,
    beta)``, so retention rises over time as the least loyal customers leave.

    Attributes
    ----------
    params_ : pandas.Series
        ``alpha``, ``beta``.
    log_likelihood_ : float
        Total log-likelihood of the cohort.

    Examples
    --------
    The "regular" segment of Fader & Hardie (2007):

    >>> sbg = ShiftedBetaGeo().fit([1000, 631, 468, 382, 326, 289, 262, 241])
    >>> sbg.params_.round(3).tolist()
    [0.704, 1.182]
    >>> round(sbg.survival(1), 3)
    0.627
    """

    _param_names = ("alpha", "beta")

    def fit(self, active: object) -> ShiftedBetaGeo:
        """Fit from the number of customers still active at the start of each period.

        Parameters
        ----------
        active : array-like
            ``active[0]`` is the cohort at time 0, ``active[t]`` the number still active
            after ``t`` periods (non-increasing, non-negative).

        Returns
        -------
        ShiftedBetaGeo
            ``self``, fitted.
        """
        self._settings()
        n = as_array(active, "active")
        if len(n) < 2:
            raise ValueError(f"active: expected counts for at least 2 periods, got {len(n)}")
        if n[0] <= 0:
            raise ValueError(f"active: expected a cohort size active[0] > 0, got {n[0]:g}")
        grew = np.flatnonzero(np.diff(n) > 0)
        if len(grew):
            i = int(grew[0]) + 1
            raise ValueError(
                f"active: expected non-increasing counts (customers only leave), but "
                f"active[{i}]={n[i]:g} > active[{i - 1}]={n[i - 1]:g}"
            )
        # Terms: churned in period t (lost[t-1] customers), or still active after the last one.
        t = np.arange(1, len(n), dtype=float)
        counts = np.append(-np.diff(n), n[-1])
        shift_a = np.append(np.ones_like(t), 0.0)
        shift_b = np.append(t - 1, t[-1])
        total = n[0]

        def neg_ll(theta: np.ndarray) -> tuple[float, np.ndarray]:
            alpha, beta = np.exp(theta)
            log_p = betaln(alpha + shift_a, beta + shift_b) - betaln(alpha, beta)
            da, db = dbetaln(alpha + shift_a, beta + shift_b)
            da0, db0 = dbetaln(alpha, beta)
            grad = np.array([counts @ (da - da0) * alpha, counts @ (db - db0) * beta])
            return -float(counts @ log_p) / total, -grad / total

        result = maximize(
            neg_ll, np.zeros(2), jac=True, max_iter=self.max_iter, tol=self.tol,
            model="ShiftedBetaGeo",
        )  # fmt: skip
        self._store(result.x, result.fun, total)
        return self

    def survival(self, t: object) -> Any:
        """Share of the cohort still active after ``t`` periods, ``S(t)`` (생존율)."""
        alpha, beta = self._params()
        t_arr = as_array(t, "t")
        return shaped(np.exp(betaln(alpha, beta + t_arr) - betaln(alpha, beta)), t)

    def retention(self, t: object) -> Any:
        """Retention rate in period ``t >= 1``: ``S(t) / S(t-1) = (beta+t-1)/(alpha+beta+t-1)``.

        Examples
        --------
        >>> sbg = ShiftedBetaGeo().set_fitted(alpha=0.704, beta=1.182)
        >>> round(sbg.retention(1), 3)
        0.627
        """
        alpha, beta = self._params()
        t_arr = as_array(t, "t")
        if (t_arr < 1).any():
            raise ValueError("t: retention is defined for periods t >= 1")
        return shaped((beta + t_arr - 1) / (alpha + beta + t_arr - 1), t)
