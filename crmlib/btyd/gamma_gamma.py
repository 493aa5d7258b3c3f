"""Gamma-Gamma: a model of the mean spend per transaction.

Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer base
analysis", Journal of Marketing Research 42(4).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln

from crmlib.btyd._base import (
    SPEND,
    Model,
    X,
    as_array,
    check_counts,
    compress,
    maximize,
    require_repeat_buyers,
    require_summary_columns,
    shaped,
    summary_unit,
    weights_of,
)
from crmlib.validation import require_frame

__all__ = ["GammaGamma"]


def _spend_rows(summary: object, name: str = "summary") -> tuple[np.ndarray, np.ndarray]:
    summary = require_frame(summary, name)
    require_summary_columns(summary, [X, SPEND], name)
    x = as_array(summary[X], X)
    m = as_array(summary[SPEND], SPEND)
    check_counts(x, X)
    return x, m


class GammaGamma(Model):
    """Gamma-Gamma model of the mean spend per transaction (Fader, Hardie & Lee 2005b).

    Each transaction's value is ``Gamma(p, nu)`` with ``nu ~ Gamma(q, gamma)`` across
    customers; spend is assumed independent of purchase frequency.

    Attributes
    ----------
    params_ : pandas.Series
        ``p``, ``q``, ``gamma``.
    log_likelihood_ : float
        Total log-likelihood of the fitted repeat buyers (density of the mean spend).
    n_customers_ : float
        Number of repeat buyers it was fitted on.

    Examples
    --------
    Simulate 5,000 repeat buyers whose spends are Gamma(6, nu), nu ~ Gamma(4, 15):

    >>> from crmlib.btyd import summary_frame
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(1, 10, 5000)
    >>> nu = rng.gamma(4.0, 1 / 15.0, 5000)
    >>> mean_spend = rng.gamma(6.0 * x, 1 / nu) / x
    >>> summary = summary_frame(x, np.ones(5000), np.ones(5000), mean_spend, unit="W")
    >>> GammaGamma().fit(summary).params_.round(1).to_dict()
    {'p': 5.8, 'q': 4.0, 'gamma': 15.1}
    """

    _param_names = ("p", "q", "gamma")

    def fit(self, summary: pd.DataFrame, *, unit: str | None = None, weights: object = None):
        """Fit by maximum likelihood on the repeat buyers of a summary.

        Parameters
        ----------
        summary : DataFrame
            With ``repeat_purchases`` and ``mean_repeat_spend``. Customers without a repeat
            purchase are left out (the model describes the spend of repeat purchases); the
            repeat buyers' mean spend must be > 0.
        unit : str, optional
            Time unit of the summary (defaults to ``summary.attrs["unit"]``); kept as
            ``unit_`` for symmetry with the purchase models.
        weights : str or array-like, optional
            Number of customers each row stands for (a column name or an array).

        Returns
        -------
        GammaGamma
            ``self``, fitted.
        """
        self._settings()
        x, m = _spend_rows(summary)
        self.unit_ = summary_unit(summary, unit)
        w = weights_of(summary, weights)
        require_repeat_buyers(x, "GammaGamma", minimum=2)
        repeat = x > 0
        if (m[repeat] <= 0).any():
            raise ValueError(
                f"{SPEND}: expected values > 0 for repeat buyers, found "
                f"{int((m[repeat] <= 0).sum())} <= 0"
            )
        x, m = x[repeat], m[repeat]
        rows, w = compress([x, m], None if w is None else w[repeat], len(x))
        x, m = rows.T
        total = w.sum()
        w = w / total
        log_m, log_x = np.log(m), np.log(x)

        def neg_ll(theta: np.ndarray) -> tuple[float, np.ndarray]:
            p, q, g = np.exp(theta)
            px = p * x
            log_gmx = np.log(g + m * x)
            ll = (
                gammaln(px + q)
                - gammaln(px)
                - gammaln(q)
                + q * np.log(g)
                + (px - 1) * log_m
                + px * log_x
                - (px + q) * log_gmx
            )  # the density of the mean spend z = m given x, as in the paper
            psi_pxq = digamma(px + q)
            g_p = x * (psi_pxq - digamma(px) + log_m + log_x - log_gmx)
            g_q = psi_pxq - digamma(q) + np.log(g) - log_gmx
            g_g = q / g - (px + q) / (g + m * x)
            grad = np.array([g_p @ w * p, g_q @ w * q, g_g @ w * g])
            return -float(ll @ w), -grad

        result = maximize(
            neg_ll, np.zeros(3), jac=True, max_iter=self.max_iter, tol=self.tol, model="GammaGamma"
        )
        self._store(result.x, result.fun, total)
        return self

    def conditional_expected_spend(self, summary: pd.DataFrame) -> pd.Series:
        """Expected spend per future transaction of each customer in ``summary``.

        A weighted average of the population mean ``p*gamma/(q-1)`` and the customer's own
        mean, with weight ``p*x/(p*x+q-1)`` on the latter; for ``x == 0`` it is the
        population mean.

        Examples
        --------
        >>> from crmlib.btyd import summary_frame
        >>> gg = GammaGamma().set_fitted(p=6.25, q=3.74, gamma=15.44)
        >>> gg.conditional_expected_spend(summary_frame(0, 0, 30, 0, unit="W")).round(2).tolist()
        [35.22]
        """
        p, q, g = self._params()
        if q <= 1:
            raise ValueError(f"the fitted q={q:.3f} is <= 1: the mean spend is not finite")
        x, m = _spend_rows(summary)
        return shaped(p * (g + m * x) / (p * x + q - 1), summary, "expected_spend")
