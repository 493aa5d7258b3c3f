"""BG/NBD: the beta-geometric/negative-binomial model of repeat purchasing.

Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to the
Pareto/NBD model", Marketing Science 24(2).
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, digamma, gammaln, hyp2f1
from scipy.stats import nbinom

from crmlib.btyd._base import PurchaseModel, maximize

__all__ = ["BetaGeo"]


def log_hyp2f1_tail(rx, b, c, alpha_t, t):
    """``log|1 - ((alpha+T)/(alpha+T+t))**rx * 2F1(rx, b; c; t/(alpha+T+t))|``, kept finite.

    For very large ``rx`` the power underflows to 0 while the hypergeometric term overflows;
    both are taken in logs (Euler's transformation keeps 2F1 small when ``b < c``, its usual
    case) so that the product stays accurate.
    """
    z = t / (alpha_t + t)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        # Euler: 2F1(a, b; c; z) = (1 - z)**(c - a - b) 2F1(c - a, c - b; c; z)
        log_f = np.log(hyp2f1(c - rx, c - b, c, z)) + (c - rx - b) * np.log1p(-z)
        log_prod = rx * np.log1p(-z) + log_f
        direct = np.log(hyp2f1(rx, b, c, z)) + rx * np.log1p(-z)
        log_prod = np.where(np.isfinite(log_prod), log_prod, direct)
        # |1 - e**lp|: for lp > 0 (the product exceeds 1 when a < 1) it is e**lp (1 - e**-lp)
        return np.where(
            log_prod > 0,
            log_prod + np.log(-np.expm1(-np.abs(log_prod))),
            np.log(-np.expm1(-np.abs(log_prod))),
        )


class BetaGeo(PurchaseModel):
    """Beta-geometric/NBD model of repeat purchasing (Fader, Hardie & Lee 2005a).

    While active, a customer buys at Poisson rate ``lambda ~ Gamma(r, alpha)``; after each
    *repeat* purchase they drop out with probability ``p ~ Beta(a, b)``. So a customer with no
    repeat purchase is active by assumption (P(alive) = 1).

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
    Simulate 5,000 customers observed for 39 weeks, then recover the parameters:

    >>> from crmlib.btyd import summary_frame
    >>> rng = np.random.default_rng(0)
    >>> n = 5000
    >>> lam, p = rng.gamma(0.25, 1 / 4.4, n), rng.beta(0.8, 2.4, n)
    >>> times = np.cumsum(rng.exponential(1 / lam[:, None], (n, 80)), axis=1)
    >>> x = np.minimum((times <= 39).sum(axis=1), rng.geometric(p))  # dies after purchase k
    >>> t_x = np.where(x > 0, times[np.arange(n), np.maximum(x - 1, 0)], 0.0)
    >>> model = BetaGeo().fit(summary_frame(x, t_x, np.full(n, 39.0), unit="W"))
    >>> model.params_.round(2).to_dict()  # true values: 0.25, 4.4, 0.8, 2.4
    {'r': 0.26, 'alpha': 4.6, 'a': 0.83, 'b': 2.73}
    >>> model.unit_
    'W'
    """

    _param_names = ("r", "alpha", "a", "b")

    def _fit_rows(self, x, tx, big_t, w):
        repeat = x > 0
        # Terms in x alone are computed once per distinct x (few), and log(alpha + T) once per
        # distinct T or t_x: the special functions, not the sums, dominate the cost.
        ux, xi = np.unique(x, return_inverse=True)
        wx = np.bincount(xi, weights=w)
        u_t, t_i = np.unique(big_t, return_inverse=True)
        u_tx, tx_i = np.unique(tx, return_inverse=True)
        ux_m1 = np.maximum(ux - 1, 0.0)

        def neg_ll(theta: np.ndarray) -> tuple[float, np.ndarray]:
            r, alpha, a, b = np.exp(theta)
            log_at, log_atx = np.log(alpha + u_t)[t_i], np.log(alpha + u_tx)[tx_i]
            inv_bx = (1.0 / (b + ux_m1))[xi]
            l1 = -(r + x) * log_at
            l2 = np.where(repeat, np.log(a * inv_bx) - (r + x) * log_atx, -np.inf)
            top = np.maximum(l1, l2)
            e1, e2 = np.exp(l1 - top), np.exp(l2 - top)
            s = e1 + e2
            w1, w2 = w * e1 / s, w * e2 / s  # weight times each term's share
            ll = (
                wx @ (gammaln(r + ux) + gammaln(b + ux) - gammaln(a + b + ux))
                - gammaln(r)
                + r * np.log(alpha)
                + gammaln(a + b)
                - gammaln(b)
                + w @ (top + np.log(s))
            )
            psi_ab, psi_abx = digamma(a + b), wx @ digamma(a + b + ux)
            g_r = wx @ digamma(r + ux) - digamma(r) + np.log(alpha) - w1 @ log_at - w2 @ log_atx
            g_alpha = r / alpha - (r + x) @ (w1 / (alpha + u_t)[t_i] + w2 / (alpha + u_tx)[tx_i])
            g_a = psi_ab - psi_abx + w2.sum() / a
            g_b = psi_ab + wx @ digamma(b + ux) - digamma(b) - psi_abx - w2 @ inv_bx
            grad = np.array([g_r * r, g_alpha * alpha, g_a * a, g_b * b])
            return -float(ll), -grad

        start = np.log([1.0, max(float(big_t @ w), 1e-3), 1.0, 1.0])
        return maximize(
            neg_ll, start, jac=True, max_iter=self.max_iter, tol=self.tol, model="BetaGeo"
        )

    def _log_dead_odds(self, x, tx, big_t):
        """log of ``a/(b+x-1) * ((alpha+T)/(alpha+t_x))**(r+x)``, -inf when ``x == 0``."""
        r, alpha, a, b = self._params()
        with np.errstate(divide="ignore", invalid="ignore"):
            odds = (
                np.log(a)
                - np.log(b + x - 1)
                + (r + x) * (np.log(alpha + big_t) - np.log(alpha + tx))
            )
        return np.where(x > 0, odds, -np.inf)

    def _p_alive(self, x, tx, big_t):
        return np.exp(-np.logaddexp(0.0, self._log_dead_odds(x, tx, big_t)))

    def _expected(self, t):
        r, alpha, a, b = self._params()
        z = t / (alpha + t)
        return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))

    def _conditional_expected(self, t, x, tx, big_t):
        """In logs: huge ``x`` (thousands of purchases) would give inf * 0 = NaN otherwise."""
        r, alpha, a, b = self._params()
        rx = r + x
        log_body = log_hyp2f1_tail(rx, b + x, a + b + x - 1, alpha + big_t, t)
        log_value = (
            np.log(a + b + x - 1)
            - np.log(abs(a - 1))
            + log_body
            - np.logaddexp(0.0, self._log_dead_odds(x, tx, big_t))
        )
        return np.exp(log_value)  # (a - 1) and the bracket have the same sign

    def _pmf(self, k, t):
        """``P(X(t) = k)``, Fader, Hardie & Lee (2005a) equation 8."""
        r, alpha, a, b = self._params()
        prob = alpha / (alpha + t)
        alive = np.exp(betaln(a, b + k) - betaln(a, b)) * nbinom.pmf(k, r, prob)
        dead = np.where(
            k > 0,
            np.exp(betaln(a + 1, b + k - 1) - betaln(a, b)) * nbinom.sf(k - 1, r, prob),
            0.0,
        )
        return alive + dead

    def _log_likelihood_rows(self, x, tx, big_t):
        r, alpha, a, b = self._params()
        base = (
            gammaln(r + x)
            - gammaln(r)
            + r * np.log(alpha)
            + betaln(a, b + x)
            - betaln(a, b)
            - (r + x) * np.log(alpha + big_t)
        )
        return base + np.logaddexp(0.0, self._log_dead_odds(x, tx, big_t))
