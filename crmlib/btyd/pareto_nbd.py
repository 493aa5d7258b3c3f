"""Pareto/NBD: the reference model of repeat purchasing in non-contractual settings.

Schmittlein, Morrison & Colombo (1987), "Counting your customers: who are they and what will
they do next?", Management Science 33(1); the likelihood and the expressions used here are
those of Fader, Hardie & Lee (2005), "A note on deriving the Pareto/NBD model and related
expressions", and the published CDNOW estimates are in Fader, Hardie & Lee (2005),
"Counting your customers the easy way", Marketing Science 24(2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import gammaln, hyp2f1, roots_legendre
from scipy.stats import nbinom

from crmlib.btyd._base import PurchaseModel, maximize

__all__ = ["ParetoNBD"]

_NODES, _WEIGHTS = roots_legendre(64)


def _log_term(tau, rx, r_s_x, s, alpha, beta):
    """``log[(r+s+x) * integral from tau to infinity of (alpha+u)^-(r+x) (beta+u)^-(s+1) du]``.

    This is the paper's ``2F1(...) / (max(alpha, beta) + tau)^(r+s+x)`` term. Euler's
    transformation turns it into ``2F1(1, b; r+s+x+1; z)``, a series of positive terms bounded
    by ``1/(1-z)``, so it never overflows however large ``x`` is; the powers are taken in logs.
    """
    if alpha >= beta:
        z = (alpha - beta) / (alpha + tau)
        log_f = np.log(hyp2f1(1.0, rx, r_s_x + 1.0, z))
        return -rx * np.log(alpha + tau) - s * np.log(beta + tau) + log_f
    z = (beta - alpha) / (beta + tau)
    log_f = np.log(hyp2f1(1.0, s + 1.0, r_s_x + 1.0, z))
    return (1.0 - rx) * np.log(alpha + tau) - (s + 1.0) * np.log(beta + tau) + log_f


def _pairs(x: np.ndarray, ages: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct ``(x, age)`` pairs and the index of each row's pair."""
    codes, uniques = pd.factorize(pd.MultiIndex.from_arrays([x, ages]))
    return uniques.get_level_values(0).to_numpy(), uniques.get_level_values(1).to_numpy(), codes


def _log_parts(params, x, tx, big_t, pairs=None):
    """Log of the two parts of the likelihood's bracket: alive at T, died in (t_x, T].

    The hypergeometric terms depend on ``(x, t_x)`` and ``(x, T)`` only, which repeat far
    more than whole rows: ``pairs`` (from :func:`_pairs`) computes them once per pair.
    """
    r, alpha, s, beta = params
    rx = r + x
    alive = -rx * np.log(alpha + big_t) - s * np.log(beta + big_t)
    if pairs is None:
        at_tx = _log_term(tx, rx, rx + s, s, alpha, beta)
        at_t = _log_term(big_t, rx, rx + s, s, alpha, beta)
    else:
        (x1, tx1, i1), (x2, t2, i2) = pairs
        at_tx = _log_term(tx1, r + x1, r + x1 + s, s, alpha, beta)[i1]
        at_t = _log_term(t2, r + x2, r + x2 + s, s, alpha, beta)[i2]
    with np.errstate(divide="ignore"):
        died = np.log(s / (rx + s)) + at_tx + np.log(-np.expm1(np.minimum(at_t - at_tx, 0.0)))
    return alive, died


class ParetoNBD(PurchaseModel):
    """Pareto/NBD model of repeat purchasing (Schmittlein, Morrison & Colombo 1987).

    While active, a customer buys at Poisson rate ``lambda ~ Gamma(r, alpha)``; their
    lifetime is exponential with rate ``mu ~ Gamma(s, beta)``, so they may drop out at any
    time, also before their first repeat purchase.

    Parameters
    ----------
    max_iter : int
        Maximum number of BFGS iterations.
    tol : float
        Gradient tolerance of the optimiser (on the mean log-likelihood per customer).

    Attributes
    ----------
    params_ : pandas.Series
        ``r``, ``alpha``, ``s``, ``beta`` (``alpha`` and ``beta`` in the summary's time unit).
    log_likelihood_ : float
        Total log-likelihood of the fitted data.
    unit_ : str
        Time unit of the summary it was fitted on.

    Examples
    --------
    The published CDNOW estimates (Fader, Hardie & Lee 2005):

    >>> from crmlib.btyd import summary_frame
    >>> model = ParetoNBD().set_fitted("W", r=0.553, alpha=10.578, s=0.606, beta=11.669)
    >>> round(model.expected_purchases(39), 3)
    1.213
    >>> model.p_alive(summary_frame([0, 2], [0, 30.43], [38.86, 38.86], unit="W")).round(3).tolist()
    [0.295, 0.869]
    """

    _param_names = ("r", "alpha", "s", "beta")

    def _fit_rows(self, x, tx, big_t, w):
        ux, xi = np.unique(x, return_inverse=True)
        wx = np.bincount(xi, weights=w)
        pairs = (_pairs(x, tx), _pairs(x, big_t))

        def neg_ll(theta: np.ndarray) -> float:
            params = np.exp(theta)
            r, alpha, s, beta = params
            alive, died = _log_parts(params, x, tx, big_t, pairs)
            ll = (
                wx @ (gammaln(r + ux))
                - gammaln(r)
                + r * np.log(alpha)
                + s * np.log(beta)
                + w @ np.logaddexp(alive, died)
            )
            return -float(ll) if np.isfinite(ll) else np.inf

        start = np.log([1.0, max(float(big_t @ w), 1e-3), 1.0, max(float(big_t @ w), 1e-3)])
        return maximize(
            neg_ll, start, jac=False, max_iter=self.max_iter, tol=self.tol, model="ParetoNBD"
        )

    def _log_likelihood_rows(self, x, tx, big_t):
        r, alpha, s, beta = self._params()
        alive, died = _log_parts(self._params(), x, tx, big_t)
        return (
            gammaln(r + x)
            - gammaln(r)
            + r * np.log(alpha)
            + s * np.log(beta)
            + np.logaddexp(alive, died)
        )

    def _p_alive(self, x, tx, big_t):
        alive, died = _log_parts(self._params(), x, tx, big_t)
        return np.exp(alive - np.logaddexp(alive, died))

    def _expected(self, t):
        r, alpha, s, beta = self._params()
        return r / alpha * _lifetime_factor(s, beta, t)

    def _conditional_expected(self, t, x, tx, big_t):
        r, alpha, s, beta = self._params()
        # purchase rate of an active customer with this history, times the expected time
        # alive in (T, T + t] given alive at T (mu then follows Gamma(s, beta + T)), times P(alive)
        rate = (r + x) / (alpha + big_t)
        return rate * _lifetime_factor(s, beta + big_t, t) * self._p_alive(x, tx, big_t)

    def _pmf(self, k, t):
        """``P(X(t) = k)``: alive through ``t``, or died at ``tau < t`` (Gauss-Legendre)."""
        r, alpha, s, beta = self._params()
        alive = nbinom.pmf(k, r, alpha / (alpha + t)) * (beta / (beta + t)) ** s
        tau = (t[..., None] * (_NODES + 1) / 2) if np.ndim(t) else t * (_NODES + 1) / 2
        density = s * beta**s / (beta + tau) ** (s + 1)  # of the death time
        pmf = nbinom.pmf(k[..., None], r, alpha / (alpha + tau))
        died = (pmf * density * _WEIGHTS).sum(axis=-1) * np.asarray(t) / 2
        return alive + died


def _lifetime_factor(s, beta, t):
    """``beta/(s-1) * (1 - (beta/(beta+t))**(s-1))``: the expected time alive in ``(0, t]``
    of a customer alive at 0 (``beta * log(1 + t/beta)`` when ``s == 1``)."""
    log_ratio = np.log1p(t / beta)
    if abs(s - 1) < 1e-10:
        return beta * log_ratio
    return beta * -np.expm1(-(s - 1) * log_ratio) / (s - 1)
