"""BG/BB: the beta-geometric/beta-Bernoulli model for discrete purchase opportunities.

Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time noncontractual
setting", Marketing Science 29(6).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln, logsumexp

from crmlib.btyd._base import (
    TX,
    Model,
    T,
    X,
    as_array,
    check_counts,
    compress,
    dbetaln,
    histories,
    maximize,
    shaped,
    weights_of,
)

__all__ = ["BetaGeoBetaBinom"]


def _opportunities(summary: object, name: str = "summary"):
    """``(x, t_x, n)`` of a summary whose ages count purchase opportunities."""
    x, tx, n = histories(summary, name)
    check_counts(tx, TX)
    check_counts(n, T)
    if (x > tx).any():
        raise ValueError(
            f"{X}: expected at most {TX} transactions (one per opportunity up to the last "
            f"purchase), found {int((x > tx).sum())} row(s) with {X} > {TX}"
        )
    return x, tx, n


class BetaGeoBetaBinom(Model):
    """Beta-geometric/beta-Bernoulli model for discrete purchase opportunities.

    While alive, a customer buys at each opportunity with probability ``p ~ Beta(alpha,
    beta)``, and dies before each opportunity with probability ``theta ~ Beta(gamma, delta)``
    (Fader, Hardie & Shang 2010). The summary's ages count opportunities: ``age`` is the
    number of opportunities ``n`` and ``age_at_last_purchase`` the opportunity ``t_x`` of the
    last purchase.

    Attributes
    ----------
    params_ : pandas.Series
        ``alpha``, ``beta``, ``gamma``, ``delta``.
    log_likelihood_ : float
        Total log-likelihood of the fitted data.

    Examples
    --------
    >>> from crmlib.btyd import summary_frame
    >>> bgbb = BetaGeoBetaBinom().set_fitted(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
    >>> round(bgbb.p_alive(summary_frame(6, 6, 6, unit="Y")).item(), 3)  # bought every time
    0.93
    """

    _param_names = ("alpha", "beta", "gamma", "delta")

    @staticmethod
    def _layout(x: np.ndarray, tx: np.ndarray, n: np.ndarray):
        """Offsets of the likelihood's terms, one column per term.

        Column 0 is "alive through n": ``B(alpha+x, beta+n-x) B(gamma, delta+n)``; column
        ``1+i`` is "died just after opportunity t_x+i": ``B(alpha+x, beta+t_x-x+i)
        B(gamma+1, delta+t_x+i)`` for ``i < n - t_x`` (masked beyond), each over
        ``B(alpha, beta) B(gamma, delta)``.
        """
        i = np.arange(int(np.max(n - tx)), dtype=float)[None, :]
        off_b = np.column_stack([n - x, tx[:, None] - x[:, None] + i])
        off_c = np.append(0.0, np.ones(i.shape[1]))[None, :]
        off_d = np.column_stack([n, tx[:, None] + i])
        valid = np.column_stack([np.ones(len(x), dtype=bool), i < (n - tx)[:, None]])
        return x[:, None], off_b, off_c, off_d, valid

    @staticmethod
    def _terms(params: np.ndarray, layout, *, grad: bool = False):
        """Log of each term (-inf where masked) and, if asked, its parameter derivatives."""
        alpha, beta, gamma, delta = params
        off_a, off_b, off_c, off_d, valid = layout
        args = (alpha + off_a, beta + off_b, gamma + off_c, delta + off_d)
        log_t = betaln(args[0], args[1]) - betaln(alpha, beta)
        log_t = log_t + betaln(args[2], args[3]) - betaln(gamma, delta)
        log_t = np.where(valid, log_t, -np.inf)
        if not grad:
            return log_t, None
        d_a, d_b = dbetaln(args[0], args[1])
        d_c, d_d = dbetaln(args[2], args[3])
        d_a0, d_b0 = dbetaln(alpha, beta)
        d_c0, d_d0 = dbetaln(gamma, delta)
        return log_t, (d_a - d_a0, d_b - d_b0, d_c - d_c0, d_d - d_d0)

    def fit(self, summary: pd.DataFrame, *, weights: object = None) -> BetaGeoBetaBinom:
        """Fit by maximum likelihood.

        Parameters
        ----------
        summary : DataFrame
            ``repeat_purchases`` (x transactions in n opportunities), ``age_at_last_purchase``
            (the opportunity t_x of the last one, 0 if none) and ``age`` (n), all whole numbers.
        weights : str or array-like, optional
            Number of customers each row stands for (a column name or an array).

        Returns
        -------
        BetaGeoBetaBinom
            ``self``, fitted.
        """
        x, tx, n = _opportunities(summary)
        rows, w = compress([x, tx, n], weights_of(summary, weights), len(x))
        x, tx, n = rows.T
        total = w.sum()
        w = w / total
        layout = self._layout(x, tx, n)

        def neg_ll(theta: np.ndarray) -> tuple[float, np.ndarray]:
            params = np.exp(theta)
            log_t, derivs = self._terms(params, layout, grad=True)
            ll = logsumexp(log_t, axis=1)
            share = np.exp(log_t - ll[:, None])  # each term's share of the likelihood
            grad = np.array([(share * d).sum(axis=1) @ w for d in derivs]) * params
            return -float(ll @ w), -grad

        result = maximize(
            neg_ll, np.zeros(4), jac=True, max_iter=self.max_iter, tol=self.tol,
            model="BetaGeoBetaBinom",
        )  # fmt: skip
        self._store(result.x, result.fun, total)
        self.unit_ = "opportunity"
        return self

    def _log_likelihood(self, x, tx, n) -> tuple[np.ndarray, np.ndarray]:
        """Log of the 'alive through n' term and the log-likelihood of each row."""
        log_t, _ = self._terms(self._params(), self._layout(x, tx, n))
        return log_t[:, 0], logsumexp(log_t, axis=1)

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        """Probability that each customer is alive at opportunity ``n + 1``.

        Examples
        --------
        >>> from crmlib.btyd import summary_frame
        >>> bgbb = BetaGeoBetaBinom().set_fitted(alpha=1.2, beta=0.75, gamma=0.66, delta=2.8)
        >>> round(bgbb.p_alive(summary_frame(0, 0, 0, unit="Y")).item(), 3)  # delta/(gamma+delta)
        0.809
        """
        self._params()
        x, tx, n = _opportunities(summary)
        _, _, gamma, delta = self._params()
        alive, ll = self._log_likelihood(x, tx, n)
        # alive through n+1 = alive through n times the chance of surviving one more period
        step = betaln(gamma, delta + n + 1) - betaln(gamma, delta + n)
        return shaped(np.exp(alive + step - ll), summary, "p_alive")

    def expected_purchases(self, n: object) -> Any:
        """Expected transactions of a new customer in the first ``n`` opportunities."""
        alpha, beta, gamma, delta = self._params()
        n_arr = as_array(n, "n")
        tail = np.exp(
            gammaln(gamma + delta)
            - gammaln(1 + delta)
            + gammaln(1 + delta + n_arr)
            - gammaln(gamma + delta + n_arr)
        )
        return shaped(alpha / (alpha + beta) * delta / (gamma - 1) * (1 - tail), n)

    def conditional_expected_purchases(self, summary: pd.DataFrame, m: int) -> pd.Series:
        """Expected transactions of each customer in the next ``m`` opportunities.

        Examples
        --------
        >>> from crmlib.btyd import summary_frame
        >>> bgbb = BetaGeoBetaBinom().set_fitted(alpha=1.2, beta=0.75, gamma=0.66, delta=2.8)
        >>> new = bgbb.conditional_expected_purchases(summary_frame(0, 0, 0, unit="Y"), 5)
        >>> bool(np.isclose(new.item(), bgbb.expected_purchases(5)))
        True
        """
        alpha, beta, gamma, delta = self._params()
        m_arr = as_array(m, "m")
        x, tx, n = _opportunities(summary)
        _, ll = self._log_likelihood(x, tx, n)

        def log_ratio(k: np.ndarray) -> np.ndarray:  # log Gamma(1+delta+k)/Gamma(gamma+delta+k)
            return gammaln(1 + delta + k) - gammaln(gamma + delta + k)

        head = (
            betaln(alpha + x + 1, beta + n - x)
            - betaln(alpha, beta)
            + np.log(delta / abs(gamma - 1))
            + gammaln(gamma + delta)
            - gammaln(1 + delta)
            - ll
        )
        diff = np.exp(log_ratio(n)) - np.exp(log_ratio(n + m_arr))
        return shaped(np.sign(gamma - 1) * np.exp(head) * diff, summary, "expected_purchases")
