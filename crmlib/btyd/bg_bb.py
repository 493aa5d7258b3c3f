"""BG/BB: the beta-geometric/beta-Bernoulli model for discrete purchase opportunities.

Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time noncontractual
setting", Marketing Science 29(6).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, gammaln

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
    require_repeat_buyers,
    shaped,
    weights_of,
)
from crmlib.validation import require_positive_int

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

    def __init__(
        self, *, max_iter: int = 1000, tol: float = 1e-8, max_terms: int = 1_000_000
    ) -> None:
        super().__init__(max_iter=max_iter, tol=tol)
        #: Most work that fit takes on: its likelihood's terms (one per opportunity after
        #: each distinct history's last purchase) plus three per opportunity of the longest
        #: history; a million is about 10 s on one core.
        self.max_terms = max_terms

    @staticmethod
    def _layout(x: np.ndarray, tx: np.ndarray, n: np.ndarray) -> dict[str, np.ndarray]:
        """Where the likelihood's terms are, in one flat array (no padding).

        Each history has an "alive through n" term, ``B(alpha+x, beta+n-x) B(gamma,
        delta+n)``, and one "died just after opportunity j" term ``B(alpha+x, beta+j-x)
        B(gamma+1, delta+j)`` for each ``j`` in ``t_x .. n-1``, each over ``B(alpha, beta)
        B(gamma, delta)``. The death terms of all histories are laid end to end; the Gamma
        functions of whole-number offsets are read from tables of length ``max(n) + 1``, so a
        term costs a few array look-ups, and the cost grows with the number of terms, not with
        the number of customers times the longest history.
        """
        counts = (n - tx).astype(np.int64)
        rows = np.repeat(np.arange(len(x)), counts)
        starts = np.cumsum(counts) - counts
        j = (tx.astype(np.int64)[rows] + np.arange(counts.sum()) - starts[rows]).astype(np.int64)
        return {
            "x": x, "tx": tx, "n": n, "counts": counts, "rows": rows, "starts": starts,
            "j": j, "k": j - x.astype(np.int64)[rows], "size": int(n.max()) + 1,
        }  # fmt: skip

    @staticmethod
    def _loglik(params: np.ndarray, layout: dict, w: np.ndarray | None = None):
        """Log of the alive term and log-likelihood of each history; with weights ``w``, also
        the gradient of ``sum(w * loglik)`` with respect to the parameters."""
        alpha, beta, gamma, delta = params
        x, n, rows, j, k = (layout[c] for c in ("x", "n", "rows", "j", "k"))
        grid = np.arange(layout["size"], dtype=float)
        base = betaln(alpha, beta) + betaln(gamma, delta)
        alive = betaln(alpha + x, beta + n - x) + betaln(gamma, delta + n) - base
        # death term = gl(a+x) + gl(c+1) - base + gl(b+k) - gl(a+b+j) + gl(d+j) - gl(c+1+d+j)
        head = gammaln(alpha + x) + gammaln(gamma + 1) - base
        by_j = (
            gammaln(delta + grid) - gammaln(alpha + beta + grid) - gammaln(gamma + 1 + delta + grid)
        )
        death = head[rows] + gammaln(beta + grid)[k] + by_j[j]
        ll = alive.copy()
        has = layout["counts"] > 0
        if has.any():
            starts = layout["starts"][has]
            top = np.maximum.reduceat(death, starts)
            summed = np.add.reduceat(np.exp(death - np.repeat(top, layout["counts"][has])), starts)
            ll[has] = np.logaddexp(alive[has], top + np.log(summed))
        if w is None:
            return alive, ll
        # Each term's share of its history's likelihood, times the history's weight.
        w_alive = w * np.exp(alive - ll)
        w_death = w[rows] * np.exp(death - ll[rows])
        size = layout["size"]
        per_j = np.bincount(j, weights=w_death, minlength=size)
        per_k = np.bincount(k, weights=w_death, minlength=size)
        per_row = np.bincount(rows, weights=w_death, minlength=len(x))
        d_a0, d_b0 = dbetaln(alpha, beta)
        d_c0, d_d0 = dbetaln(gamma, delta)
        d_a, d_b = dbetaln(alpha + x, beta + n - x)
        d_c, d_d = dbetaln(gamma, delta + n)
        psi_ab, psi_cd1 = digamma(alpha + beta + grid), digamma(gamma + 1 + delta + grid)
        total = w.sum()
        grad_a = w_alive @ d_a + per_row @ digamma(alpha + x) - per_j @ psi_ab - total * d_a0
        grad_b = w_alive @ d_b + per_k @ digamma(beta + grid) - per_j @ psi_ab - total * d_b0
        grad_c = w_alive @ d_c + per_row.sum() * digamma(gamma + 1) - per_j @ psi_cd1
        grad_d = w_alive @ d_d + per_j @ (digamma(delta + grid) - psi_cd1) - total * d_d0
        return alive, ll, np.array([grad_a, grad_b, grad_c - total * d_c0, grad_d])

    def fit(self, summary: pd.DataFrame, *, weights: object = None) -> BetaGeoBetaBinom:
        """Fit by maximum likelihood.

        The cost grows with the number of distinct histories ``(x, t_x, n)`` times their
        remaining opportunities ``n - t_x``; above :attr:`max_terms` such terms the fit is
        refused with an estimate of its time and memory and what to do instead.

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
        self._settings()
        x, tx, n = _opportunities(summary)
        require_repeat_buyers(x, "BetaGeoBetaBinom")
        rows, w = compress([x, tx, n], weights_of(summary, weights), len(x))
        x, tx, n = rows.T
        self._check_cost(x, tx, n, len(summary))
        total = w.sum()
        w = w / total
        layout = self._layout(x, tx, n)

        def neg_ll(theta: np.ndarray) -> tuple[float, np.ndarray]:
            params = np.exp(theta)
            _, ll, grad = self._loglik(params, layout, w)
            return -float(ll @ w), -grad * params

        result = maximize(
            neg_ll, np.zeros(4), jac=True, max_iter=self.max_iter, tol=self.tol,
            model="BetaGeoBetaBinom",
        )  # fmt: skip
        self._store(result.x, result.fun, total)
        self.unit_ = "opportunity"
        return self

    def _check_cost(
        self, x: np.ndarray, tx: np.ndarray, n: np.ndarray, n_rows: int, *, fitting: bool = True
    ) -> None:
        """Refuse a fit (or a prediction: one evaluation, so 50 times the work) whose
        likelihood has more than ``max_terms`` terms, with an estimate and advice."""
        terms = float((n - tx).sum())
        work = terms + 3 * (n.max() + 1)
        max_terms = require_positive_int(self.max_terms, "BetaGeoBetaBinom(max_terms=)")
        budget = max_terms if fitting else 50 * max_terms
        if work <= budget:
            return
        seconds, gigabytes = work * (1e-5 if fitting else 2e-7), terms * 60 / 1e9
        # every sampled customer adds at most the longest history's terms
        sample = int((max_terms - 3 * (n.max() + 1)) / (n - tx).max())
        advice = (
            f"fit on a random sample of customers, e.g. summary.sample({sample}, "
            "random_state=0) (the cost grows with the customers' distinct histories), or "
            if fitting and 50 <= sample < n_rows
            else ""
        )
        action = "the fit" if fitting else "this prediction"
        raise ValueError(
            f"summary: BG/BB's likelihood here has {terms:,.0f} terms (one per opportunity "
            f"after each distinct history's last purchase: {len(x):,} histories with up to "
            f"{int(n.max()):,} opportunities), more than {budget:,} (max_terms="
            f"{max_terms:,}{'' if fitting else ', times 50 for a prediction'}) with the tables "
            f"it needs; {action} would take about {seconds:,.0f} s and {gigabytes:.1f} GB. "
            f"With this many opportunities, {advice}use BetaGeo() or ParetoNBD() on the same "
            f"summary: continuous-time models whose cost does not grow with the number of "
            f"opportunities (a day-level log summarised with btyd.summarize(unit='D') suits "
            f"them best); or pass max_terms= above {work / (1 if fitting else 50):,.0f} to go "
            f"on anyway"
        )

    def _log_likelihood(self, x, tx, n) -> tuple[np.ndarray, np.ndarray]:
        """Log of the 'alive through n' term and the log-likelihood of each row, computed
        once per distinct history (customers share histories) and refused, as ``fit`` is,
        when the terms would be too many."""
        params = self._params()
        rows, _ = compress([x, tx, n], None, len(x), min_total=0)
        key = pd.MultiIndex.from_arrays([x, tx, n])
        where = pd.MultiIndex.from_arrays(list(rows.T)).get_indexer(key)
        self._check_cost(*rows.T, len(x), fitting=False)
        alive, ll = self._loglik(params, self._layout(*rows.T))
        return alive[where], ll[where]

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
