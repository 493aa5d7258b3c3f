"""Shared machinery of the customer-base models: input checks, likelihood maximisation and
the estimator base classes.

Every model is a scikit-learn estimator: constructor arguments are settings only
(``max_iter``, ``tol``), ``fit(summary)`` returns ``self``, and what was learned ends in an
underscore (``params_``, ``log_likelihood_``, ``unit_``, ``n_customers_``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import digamma
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from crmlib.validation import (
    as_numbers,
    as_numeric,
    require_counts,
    require_frame,
    require_number,
    require_positive_int,
)
from crmlib.validation import shaped as shaped

# The summary's columns; lifetimes calls the first three frequency, recency and T.
X, TX, T = "repeat_purchases", "age_at_last_purchase", "age"
SPEND = "mean_repeat_spend"
HOLDOUT_X, HOLDOUT_T, HOLDOUT_SPEND = "holdout_purchases", "holdout_length", "holdout_mean_spend"

#: lifetimes' (and pymc-marketing's) column names mapped to crmlib's, for ``frame.rename``.
LIFETIMES_NAMES = {
    "frequency": X,
    "recency": TX,
    "T": T,
    "monetary_value": SPEND,
    "frequency_holdout": HOLDOUT_X,
    "duration_holdout": HOLDOUT_T,
    "monetary_value_holdout": HOLDOUT_SPEND,
}

#: Length of one time unit in days ("h" is an hour). Months and years are average calendar
#: lengths, so durations stay exact fractions.
DAYS_PER_UNIT = {"h": 1 / 24, "D": 1.0, "W": 7.0, "M": 365.25 / 12, "Y": 365.25}
UNIT_NAMES = {"h": "hours", "D": "days", "W": "weeks", "M": "months", "Y": "years"}


def check_unit(unit: object, name: str = "unit") -> str:
    if unit not in DAYS_PER_UNIT:
        raise ValueError(f"{name}: expected one of 'h', 'D', 'W', 'M', 'Y', got {unit!r}")
    return str(unit)


def require_summary_columns(summary: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    """Raise ``KeyError`` naming the missing summary columns, with lifetimes' names mapped."""
    missing = [c for c in columns if c not in summary.columns]
    if not missing:
        return
    back = {new: old for old, new in LIFETIMES_NAMES.items()}
    hints = [f"{back[c]!r} -> {c!r}" for c in missing if back.get(c) in summary.columns]
    hint = (
        f"; did you mean {', '.join(hints)}? (lifetimes' names: rename with "
        "summary.rename(columns=btyd.LIFETIMES_NAMES))"
        if hints
        else ""
    )
    present = ", ".join(repr(c) for c in list(summary.columns)[:20])
    raise KeyError(
        f"{name}: missing column(s) {', '.join(repr(c) for c in missing)}{hint}; "
        f"the columns present are {present}"
    )


def as_array(values: object, name: str, *, nonnegative: bool = True) -> np.ndarray:
    """``values`` (scalar, list, array or Series) as a finite 1-d float array.

    The checks are :func:`crmlib.validation.as_numbers`' (a Series is read as a column:
    :func:`crmlib.validation.as_numeric` names it), plus one dimension and, by default,
    no negative value.
    """
    if isinstance(values, pd.Series):
        values = as_numeric(values, name)
    arr = np.atleast_1d(as_numbers(values, name, low=None))
    if arr.ndim != 1 or len(arr) == 0:
        raise ValueError(
            f"{name}: expected a non-empty 1-d array of numbers, got shape {np.shape(values)}"
        )
    if nonnegative and (arr < 0).any():
        raise ValueError(
            f"{name}: expected values >= 0, found {int((arr < 0).sum())} negative, "
            f"e.g. {arr[arr < 0][0]:g}"
        )
    return arr


def check_counts(values: np.ndarray, name: str) -> None:
    """Refuse values that are not whole numbers >= 0 (counts of purchases)."""
    require_counts(values, name)


def check_recency(x: np.ndarray, tx: np.ndarray, big_t: np.ndarray, t_name: str = T) -> None:
    late = tx > big_t
    if late.any():
        i = int(np.flatnonzero(late)[0])
        raise ValueError(
            f"{TX} must not exceed {t_name} (the last purchase cannot come after the end of "
            f"observation): {int(late.sum())} row(s) have {TX} > {t_name}, e.g. row {i} with "
            f"{TX}={tx[i]:g}, {t_name}={big_t[i]:g}"
        )
    odd = (x == 0) & (tx != 0)
    if odd.any():
        raise ValueError(
            f"{TX}: expected 0 where {X} is 0 (no repeat purchase), found "
            f"{int(odd.sum())} row(s) with {X} 0 and {TX} > 0"
        )


def require_repeat_buyers(x: np.ndarray, model: str, *, minimum: int = 1) -> None:
    """Refuse a fit on data where (almost) nobody bought again: nothing to learn from."""
    n = int((x > 0).sum())
    if n >= minimum:
        return
    if model == "GammaGamma":
        why = (
            "the spend per transaction is learned from repeat purchases only, so it needs "
            f"at least {minimum} customers who bought again"
        )
    else:
        why = "with no repeat purchase the buying rate and the dropout cannot be told apart"
    raise ValueError(
        f"summary: {model} needs customers who bought again ({X} > 0), found {n} among "
        f"{len(x):,}; {why}. Use a longer calibration period, or check {X!r} (purchases "
        f"after the first)"
    )


def histories(summary: object, name: str = "summary") -> tuple[np.ndarray, ...]:
    """``(x, t_x, T)`` of a summary frame, checked: counts whole, ``t_x <= T``."""
    summary = require_frame(summary, name)
    require_summary_columns(summary, [X, TX, T], name)
    x = as_array(summary[X], X)
    tx = as_array(summary[TX], TX)
    big_t = as_array(summary[T], T)
    check_counts(x, X)
    check_recency(x, tx, big_t)
    return x, tx, big_t


def summary_unit(summary: pd.DataFrame, unit: str | None, name: str = "summary") -> str | None:
    """The time unit of ``summary``: ``unit`` if given, else ``summary.attrs["unit"]``."""
    stored = summary.attrs.get("unit")
    if unit is not None:
        check_unit(unit)
        if stored is not None and stored != unit:
            raise ValueError(
                f"unit: {name}.attrs['unit'] says {stored!r} but unit={unit!r} was passed"
            )
        return unit
    return stored


def weights_of(summary: pd.DataFrame, weights: object) -> np.ndarray | None:
    """Weights given as a column name of ``summary`` or as an array (or None)."""
    if weights is None:
        return None
    if isinstance(weights, str):
        require_summary_columns(summary, [weights], "summary")
        w = as_array(summary[weights], weights)
    else:
        w = as_array(weights, "weights")
    if len(w) != len(summary):
        raise ValueError(
            f"weights: expected one weight per summary row ({len(summary)}), got {len(w)}"
        )
    return w


def compress(
    columns: Sequence[np.ndarray], weights: np.ndarray | None, n_rows: int, *, min_total: float = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Merge identical rows, returning the unique rows (2-d) and their summed weights."""
    w = np.ones(n_rows) if weights is None else weights
    # Hash-factorise each column, then the combined code (much faster than np.unique(axis=0)).
    key = np.zeros(n_rows, dtype=np.int64)
    for col in columns:
        codes, uniques = pd.factorize(col)
        key, _ = pd.factorize(key * len(uniques) + codes)
    first = np.zeros(key.max() + 1, dtype=np.int64)
    first[key[::-1]] = np.arange(n_rows)[::-1]  # row of each pattern's first occurrence
    unique = np.column_stack(columns)[first]
    summed = np.bincount(key, weights=w, minlength=len(first))
    keep = summed > 0
    if summed.sum() < min_total:
        raise ValueError(
            f"fit needs data from at least 2 customers to estimate the parameters, got "
            f"{summed.sum():g}"
        )
    return unique[keep], summed[keep]


def maximize(
    neg_ll: Callable[[np.ndarray], Any],
    start: np.ndarray,
    *,
    jac: bool,
    max_iter: int,
    tol: float,
    model: str,
) -> optimize.OptimizeResult:
    """Minimise ``neg_ll`` over log-parameters with BFGS; warn if it did not converge.

    Log-parameters need no bounds. BFGS rather than L-BFGS-B: for four parameters the latter's
    compiled core spends more time waking BLAS threads (up to ~0.1 s on a busy machine) than
    the whole fit takes.
    """
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        result = optimize.minimize(
            neg_ll,
            start,
            jac=jac,
            method="BFGS",
            options={"maxiter": max_iter, "gtol": tol},
        )
    edge = np.abs(result.x) > 12  # a parameter below 6e-6 or above 1.6e5
    # BFGS reports "precision loss" when the line search cannot improve any more although the
    # gradient is already tiny: that is convergence, not a failure.
    done = result.success or (
        np.isfinite(result.fun) and np.max(np.abs(result.jac)) < max(tol, 1e-8) * 1e3
    )
    if not done or not np.isfinite(result.fun) or edge.any():
        note = (
            "; a parameter ran off towards 0 or infinity, so these data may not identify the "
            "model (too few customers, or too little repeat buying)"
            if edge.any()
            else ""
        )
        warnings.warn(
            f"{model}.fit did not converge ({result.nit} iterations): {result.message}{note}",
            ConvergenceWarning,
            stacklevel=3,
        )
    return result


def dbetaln(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Partial derivatives of ``log B(a, b)`` with respect to ``a`` and ``b``."""
    both = digamma(a + b)
    return digamma(a) - both, digamma(b) - both


class Model(BaseEstimator):
    """Settings, the fitted check and the stored parameters of every customer-base model.

    Parameters
    ----------
    max_iter : int
        Maximum number of BFGS iterations.
    tol : float
        Gradient tolerance of the optimiser (on the mean log-likelihood per customer).
    """

    _param_names: tuple[str, ...] = ()

    def __init__(self, *, max_iter: int = 1000, tol: float = 1e-8) -> None:
        self.max_iter = max_iter
        self.tol = tol

    def _settings(self) -> tuple[int, float]:
        """``max_iter`` and ``tol``, checked when ``fit`` starts (scikit-learn's convention:
        the constructor only stores them)."""
        model = type(self).__name__
        max_iter = require_positive_int(self.max_iter, f"{model}(max_iter=)")
        tol = require_number(self.tol, f"{model}(tol=)", minimum=0, strict=True)
        return max_iter, tol

    def _params(self) -> np.ndarray:
        if getattr(self, "params_", None) is None:
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet: call fit(...) before predicting"
            )
        return self.params_.to_numpy()

    def __sklearn_is_fitted__(self) -> bool:
        return getattr(self, "params_", None) is not None

    def _store(self, log_params: np.ndarray, neg_mean_ll: float, total_weight: float) -> None:
        self.params_ = pd.Series(np.exp(log_params), index=list(self._param_names), name="value")
        self.log_likelihood_ = float(-neg_mean_ll * total_weight)
        self.n_customers_ = float(total_weight)

    def set_fitted(self, unit: str | None = None, **params: float):
        """Set published or known parameters instead of fitting (returns ``self``).

        Examples
        --------
        >>> from crmlib.btyd import BetaGeo
        >>> BetaGeo().set_fitted("W", r=0.243, alpha=4.414, a=0.793, b=2.426).unit_
        'W'
        """
        if sorted(params) != sorted(self._param_names):
            raise ValueError(
                f"set_fitted: expected the parameters {', '.join(self._param_names)}, "
                f"got {', '.join(params) or 'none'}"
            )
        self.params_ = pd.Series(
            [require_number(params[k], k, minimum=0, strict=True) for k in self._param_names],
            index=list(self._param_names),
            name="value",
        )
        self.unit_ = None if unit is None else check_unit(unit)
        self.log_likelihood_ = float("nan")
        self.n_customers_ = float("nan")
        return self


class PurchaseModel(Model):
    """A model of repeat purchasing in continuous time: fit on ``(x, t_x, T)`` histories.

    Subclasses define the per-row log-likelihood and the closed forms; this class does the
    checks, the unit bookkeeping and the shape of the results.
    """

    def fit(self, summary: pd.DataFrame, *, unit: str | None = None, weights: object = None):
        """Fit by maximum likelihood on a customer summary.

        Parameters
        ----------
        summary : DataFrame
            One row per customer with ``repeat_purchases`` (x), ``age_at_last_purchase``
            (t_x) and ``age`` (T), as made by :func:`crmlib.btyd.summarize` or by SQL/Spark.
        unit : {"h", "D", "W", "M", "Y"}, optional
            Time unit of the ages; defaults to ``summary.attrs["unit"]``. Remembered as
            ``unit_`` so that predictions and :func:`crmlib.btyd.expected_clv` need not be told.
        weights : str or array-like, optional
            Number of customers each row stands for (a column name or an array).

        Returns
        -------
        self
        """
        self._settings()
        x, tx, big_t = histories(summary)
        require_repeat_buyers(x, type(self).__name__)
        self.unit_ = summary_unit(summary, unit)
        rows, w = compress([x, tx, big_t], weights_of(summary, weights), len(x))
        total = w.sum()
        result = self._fit_rows(*rows.T, w / total)
        self._store(result.x, result.fun, total)
        return self

    def _fit_rows(self, x, tx, big_t, w):  # pragma: no cover - abstract
        raise NotImplementedError

    def _histories(self, summary: pd.DataFrame, name: str = "summary"):
        """Check ``summary`` and that its unit agrees with the fitted one."""
        self._params()
        values = histories(summary, name)
        stored = summary.attrs.get("unit")
        if stored is not None and getattr(self, "unit_", None) not in (None, stored):
            raise ValueError(
                f"{name}: its ages are in {stored!r} but the model was fitted in {self.unit_!r}"
            )
        return values

    def _horizon(self, t: object, name: str = "t") -> np.ndarray:
        values = as_array(t, name)
        if np.size(values) != 1:
            raise ValueError(f"{name}: expected one length of time, got {np.size(values)}")
        return values

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        """Probability that each customer is still active ("alive") at the end of ``age``.

        Returns a Series indexed like ``summary``.
        """
        x, tx, big_t = self._histories(summary)
        return shaped(self._p_alive(x, tx, big_t), summary, "p_alive")

    def conditional_expected_purchases(self, summary: pd.DataFrame, t: float) -> pd.Series:
        """Expected purchases of each customer in the next ``t`` time units, ``(T, T + t]``.

        ``t`` is in the model's unit ``unit_`` (the unit of the summary's ages).
        """
        x, tx, big_t = self._histories(summary)
        t_arr = self._horizon(t)
        return shaped(
            self._conditional_expected(t_arr, x, tx, big_t), summary, "expected_purchases"
        )

    def expected_purchases(self, t: object) -> Any:
        """Expected repeat purchases ``E[X(t)]`` of a new customer in ``(0, t]`` (``t`` in
        ``unit_``); a float for a number, an array or Series for several."""
        self._params()
        t_arr = as_array(t, "t")
        return shaped(self._expected(t_arr), t)

    def purchase_probabilities(self, t: object, max_count: int) -> np.ndarray:
        """``P(X(t) = k)`` for ``k = 0..max_count`` (rows) and each ``t`` (columns)."""
        self._params()
        t_arr = as_array(t, "t")
        k = np.arange(require_positive_int(max_count, "max_count", minimum=0) + 1, dtype=float)
        with np.errstate(divide="ignore", under="ignore", over="ignore", invalid="ignore"):
            return self._pmf(k[:, None], t_arr[None, :])
