"""MBG/NBD: the modified beta-geometric/NBD model of repeat purchasing.

Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of models for
customer base analysis", International Journal of Research in Marketing 24(3).
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, gammaln, hyp2f1
from scipy.stats import nbinom

from crmlib.btyd._base import PurchaseModel, maximize
from crmlib.btyd.bg_nbd import log_hyp2f1_tail

__all__ = ["ModifiedBetaGeo"]


class ModifiedBetaGeo(PurchaseModel):
    """Modified BG/NBD (Batislam, Denizel & Filiztekin 2007).

    As BG/NBD (purchases at Poisson rate ``lambda ~ Gamma(r, alpha)``, dropout with
    probability ``p ~ Beta(a, b)``), but the customer may also drop out right after the
    *first* purchase, at time 0. So a customer with no repeat purchase is no longer active for
    sure, which corrects BG/NBD's optimism about one-time buyers.

    Parameters
    ----------
    max_iter : int
        Maximum number of BFGS iterations.
    tol : float
        Gradient tolerance of the optimiser (on the mean log-likelihood per customer).

    Attributes
    ----------
    params_ : pandas.Series
        ``r``, ``alpha`` (in the summary's time unit), ``a``, ``b``.
    log_likelihood_ : float
        Total log-likelihood of the fitted data.
    unit_ : str
        Time unit of the summary it was fitted on.

    Examples
    --------
    >>> from crmlib.btyd import summary_frame
    >>> model = ModifiedBetaGeo().set_fitted("W", r=0.525, alpha=6.183, a=0.891, b=1.614)
    >>> model.p_alive(summary_frame(0, 0, 38.86, unit="W")).round(3).tolist()  # one-time buyer
    [0.39]
    """

    _param_names = ("r", "alpha", "a", "b")

    def _fit_rows(self, x, tx, big_t, w):
        def neg_ll(theta: np.ndarray) -> float:
            r, alpha, a, b = np.exp(theta)
            ll = w @ self._rows(r, alpha, a, b, x, tx, big_t)
            return -float(ll) if np.isfinite(ll) else np.inf

        start = np.log([1.0, max(float(big_t @ w), 1e-3), 1.0, 1.0])
        return maximize(
            neg_ll, start, jac=False, max_iter=self.max_iter, tol=self.tol, model="ModifiedBetaGeo"
        )

    @staticmethod
    def _rows(r, alpha, a, b, x, tx, big_t):
        """Per-row log-likelihood: alive at T, or dropped out after the purchase at t_x."""
        log_odds = (
            np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + tx))
        )
        return (
            gammaln(r + x)
            - gammaln(r)
            + r * np.log(alpha)
            + betaln(a, b + x + 1)
            - betaln(a, b)
            - (r + x) * np.log(alpha + big_t)
            + np.logaddexp(0.0, log_odds)
        )

    def _log_likelihood_rows(self, x, tx, big_t):
        return self._rows(*self._params(), x, tx, big_t)

    def _log_dead_odds(self, x, tx, big_t):
        r, alpha, a, b = self._params()
        return np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + tx))

    def _p_alive(self, x, tx, big_t):
        return np.exp(-np.logaddexp(0.0, self._log_dead_odds(x, tx, big_t)))

    def _expected(self, t):
        r, alpha, a, b = self._params()
        z = t / (alpha + t)
        return b / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b + 1, a + b, z))

    def _conditional_expected(self, t, x, tx, big_t):
        r, alpha, a, b = self._params()
        log_body = log_hyp2f1_tail(r + x, b + x + 1, a + b + x, alpha + big_t, t)
        log_value = (
            np.log(a + b + x)
            - np.log(abs(a - 1))
            + log_body
            - np.logaddexp(0.0, self._log_dead_odds(x, tx, big_t))
        )
        return np.exp(log_value)

    def _pmf(self, k, t):
        """``P(X(t) = k)``: alive with ``k`` purchases, or dropped out after purchase ``k``."""
        r, alpha, a, b = self._params()
        prob = alpha / (alpha + t)
        alive = np.exp(betaln(a, b + k + 1) - betaln(a, b)) * nbinom.pmf(k, r, prob)
        dead = np.exp(betaln(a + 1, b + k) - betaln(a, b)) * np.where(
            k > 0, nbinom.sf(k - 1, r, prob), 1.0
        )
        return alive + dead
