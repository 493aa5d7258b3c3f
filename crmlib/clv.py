"""Customer lifetime value: probabilistic "buy till you die" (BTYD) models.

The chapter's workflow is: turn a transaction log into one row per customer with
:func:`summarize` (frequency, recency, T, monetary value), fit a model of *how often* customers
buy and *whether they are still alive* (:class:`BetaGeo`, or :class:`BetaGeoBetaBinom` for
discrete purchase opportunities), fit a model of *how much* they spend (:class:`GammaGamma`),
and combine the two into a customer lifetime value (CLV, 고객생애가치). Contractual settings,
where churn is observed, use :class:`ShiftedBetaGeo`.

Every fitter follows scikit-learn: constructor arguments are settings only, ``fit`` returns
``self``, and what was learned ends in an underscore: ``params_`` (a pandas Series named as in
the paper) and ``log_likelihood_`` (the total log-likelihood, on the paper's scale).

References
----------
- Fader, Hardie & Lee (2005a), "Counting your customers the easy way: an alternative to the
  Pareto/NBD model", Marketing Science 24(2). (BG/NBD)
- Fader, Hardie & Lee (2005b), "RFM and CLV: using iso-value curves for customer base
  analysis", Journal of Marketing Research 42(4). (Gamma-Gamma spend model)
- Fader & Hardie (2007), "How to project customer retention", Journal of Interactive
  Marketing 21(1). (shifted-beta-geometric)
- Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time noncontractual
  setting", Marketing Science 29(6). (BG/BB)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import betaln, digamma, gammaln, hyp2f1, logsumexp

from crmlib.validation import as_datetime, as_numeric, require_columns, require_frame

__all__ = [
    "summarize",
    "BetaGeo",
    "GammaGamma",
    "ShiftedBetaGeo",
    "BetaGeoBetaBinom",
    "ConvergenceWarning",
    "NotFittedError",
]

# Length of one unit of ``freq`` in the unit that purchases are merged on (days, or hours for
# "h"). Months and years are average calendar lengths, so durations stay exact fractions.
_DAYS_PER_UNIT = {"D": 1.0, "W": 7.0, "M": 365.25 / 12, "Y": 365.25}


class ConvergenceWarning(UserWarning):
    """The optimiser stopped before it converged; the fitted values may be off."""


class NotFittedError(ValueError, AttributeError):
    """A prediction was asked of a model that has not been fitted yet."""


# --------------------------------------------------------------------------------------------
# RFM summary from a transaction log
# --------------------------------------------------------------------------------------------


def _timestamp(value: object, name: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if stamp is pd.NaT:
        raise ValueError(f"{name}: expected a date such as '1997-09-30', got {value!r}")
    return stamp


def _factorize_sorted(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes for ``values`` numbered in sorted order of the distinct values.

    Sorting only the distinct values is faster than ``pd.factorize(sort=True)``; ids that do not
    sort (mixed types) keep their order of appearance.
    """
    codes, ids = pd.factorize(values)
    ids = pd.Index(ids)
    try:
        order = ids.argsort()
    except TypeError:
        return codes, ids
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    return rank[codes], ids[order]


def summarize(
    tx: pd.DataFrame,
    *,
    customer: str,
    date: str,
    amount: str | None = None,
    freq: str = "W",
    calibration_end: object = None,
    observation_end: object = None,
) -> pd.DataFrame:
    """Summarise a transaction log into one recency/frequency row per customer.

    Purchases on the same calendar day (the same hour when ``freq="h"``) are merged into one
    transaction, their amounts added. Durations are measured from each customer's first
    purchase and expressed in units of ``freq`` as fractions (``"W"``: days / 7), as in
    Fader, Hardie & Lee's CDNOW data.

    Parameters
    ----------
    tx : DataFrame
        One row per purchase (not modified).
    customer, date : str
        Columns holding the customer id and the purchase date (datetime or date strings).
    amount : str, optional
        Column holding the value of each purchase; adds ``monetary_value``.
    freq : {"h", "D", "W", "M", "Y"}
        Time unit of ``recency``, ``T`` and ``duration_holdout``. ``"M"`` and ``"Y"`` are
        average months (365.25/12 days) and years (365.25 days).
    calibration_end : date, optional
        Last day of the calibration period (inclusive). Customers whose first purchase comes
        later are left out; later purchases up to ``observation_end`` form the holdout.
    observation_end : date, optional
        Last day of observation (inclusive); later purchases are ignored. Defaults to the
        last purchase date in ``tx``.

    Returns
    -------
    DataFrame
        Indexed by customer (sorted), with columns

        - ``frequency``: number of repeat purchases (purchases after the first);
        - ``recency``: age of the customer at the last purchase (0 if no repeat purchase);
        - ``T``: age of the customer at the end of the calibration (or observation) period;
        - ``monetary_value`` (if ``amount``): mean value of the repeat purchases, 0 if none;
        - ``frequency_holdout``, ``duration_holdout`` (if ``calibration_end``): purchases in
          the holdout period and its length, plus ``monetary_value_holdout`` (mean value of
          the holdout purchases, 0 if none) if ``amount`` is given.

    Examples
    --------
    >>> tx = pd.DataFrame({
    ...     "id": ["a", "a", "a", "b"],
    ...     "day": ["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-08"],
    ...     "spend": [10.0, 20.0, 40.0, 5.0],
    ... })
    >>> summarize(tx, customer="id", date="day", amount="spend", observation_end="2024-01-29")
    ... # doctest: +NORMALIZE_WHITESPACE
        frequency  recency    T  monetary_value
    id
    a           2      2.0  4.0            30.0
    b           0      0.0  3.0             0.0
    """
    tx = require_frame(tx, "tx")
    require_columns(tx, [customer, date] + ([amount] if amount is not None else []), "tx")
    if freq not in _DAYS_PER_UNIT and freq != "h":
        raise ValueError(f"freq: expected one of 'h', 'D', 'W', 'M', 'Y', got {freq!r}")
    for col in [customer, date] + ([amount] if amount is not None else []):
        n_missing = int(tx[col].isna().sum())
        if n_missing:
            raise ValueError(f"column {col!r}: expected no missing values, found {n_missing}")

    # Merge on days (hours for freq="h") counted as integers from the epoch.
    grain, per_unit = ("h", 1.0) if freq == "h" else ("D", _DAYS_PER_UNIT[freq])
    dates = as_datetime(tx[date], date)
    stamp = pd.DatetimeIndex(dates).tz_localize(None) if dates.dt.tz is not None else dates
    ticks = stamp.to_numpy().astype(f"datetime64[{grain}]").astype(np.int64)
    codes, ids = _factorize_sorted(tx[customer])
    values = (
        as_numeric(tx[amount], amount).to_numpy(dtype=float)
        if amount is not None
        else np.zeros(len(tx))
    )

    def tick(value: object, name: str) -> int:
        return int(np.datetime64(_timestamp(value, name).tz_localize(None), grain).astype(np.int64))

    end_obs = tick(observation_end, "observation_end") if observation_end is not None else None
    end_cal = tick(calibration_end, "calibration_end") if calibration_end is not None else None
    if end_obs is None:
        end_obs = int(ticks.max())
    if end_cal is not None and end_cal >= end_obs:
        raise ValueError(
            f"calibration_end: expected a date before observation_end "
            f"({observation_end or 'the last purchase'}), got {calibration_end!r}"
        )
    keep = ticks <= end_obs
    if not keep.any():
        raise ValueError(
            f"observation_end: every purchase in column {date!r} comes after {observation_end!r}"
        )

    # One row per (customer, tick), found by hashing one int64 key (no sort), amounts added.
    codes, ticks, values = codes[keep], ticks[keep], values[keep]
    low = int(ticks.min())
    pair, rows = pd.factorize(codes.astype(np.int64) * (end_obs - low + 1) + (ticks - low))
    codes, ticks = np.divmod(rows, end_obs - low + 1)
    ticks = ticks + low
    values = np.bincount(pair, weights=values, minlength=len(rows))

    n_customers = len(ids)
    cal_end = end_obs if end_cal is None else end_cal
    in_cal = ticks <= cal_end
    first_tick = np.full(n_customers, np.iinfo(np.int64).max)
    np.minimum.at(first_tick, codes, ticks)
    is_first = ticks == first_tick[codes]
    has_cal = first_tick <= cal_end

    n_cal = np.bincount(codes[in_cal], minlength=n_customers)
    last_tick = np.full(n_customers, np.iinfo(np.int64).min)
    np.maximum.at(last_tick, codes[in_cal], ticks[in_cal])
    repeat = in_cal & ~is_first
    spend = np.bincount(codes[repeat], weights=values[repeat], minlength=n_customers)

    frequency = n_cal - 1
    out = pd.DataFrame(
        {
            "frequency": frequency,
            "recency": (last_tick - first_tick) / per_unit,
            "T": (cal_end - first_tick) / per_unit,
        },
        index=pd.Index(ids, name=customer),
    )
    if amount is not None:
        out["monetary_value"] = np.where(frequency > 0, spend / np.maximum(frequency, 1), 0.0)
    if end_cal is not None:
        hold = ~in_cal
        n_hold = np.bincount(codes[hold], minlength=n_customers)
        out["frequency_holdout"] = n_hold
        out["duration_holdout"] = (end_obs - end_cal) / per_unit
        if amount is not None:
            spend_hold = np.bincount(codes[hold], weights=values[hold], minlength=n_customers)
            out["monetary_value_holdout"] = np.where(
                n_hold > 0, spend_hold / np.maximum(n_hold, 1), 0.0
            )
    out = out[has_cal]
    if len(out) == 0:
        raise ValueError(
            f"calibration_end: no customer made a purchase on or before {calibration_end!r}"
        )
    return out


# --------------------------------------------------------------------------------------------
# Shared machinery of the fitters
# --------------------------------------------------------------------------------------------


def _as_array(values: object, name: str, *, nonnegative: bool = True) -> np.ndarray:
    """``values`` (scalar, list, array or Series) as a finite 1-d float array."""
    series = values if isinstance(values, pd.Series) else pd.Series(np.atleast_1d(values))
    if series.ndim != 1 or len(series) == 0:
        raise ValueError(f"{name}: expected a non-empty 1-d array of numbers, got {values!r}")
    arr = as_numeric(series, name).to_numpy(dtype=float)
    if not np.isfinite(arr).all():
        raise ValueError(
            f"{name}: expected finite numbers, found {int((~np.isfinite(arr)).sum())} "
            "missing or infinite value(s)"
        )
    if nonnegative and (arr < 0).any():
        raise ValueError(
            f"{name}: expected values >= 0, found {int((arr < 0).sum())} negative, "
            f"e.g. {arr[arr < 0][0]:g}"
        )
    return arr


def _same_length(**arrays: np.ndarray) -> None:
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"expected arrays of the same length, got lengths {lengths}")


def _check_counts(frequency: np.ndarray, name: str = "frequency") -> None:
    if (frequency != np.round(frequency)).any():
        bad = frequency[frequency != np.round(frequency)][0]
        raise ValueError(f"{name}: expected whole numbers (counts of purchases), got {bad:g}")


def _check_recency(frequency: np.ndarray, recency: np.ndarray, T: np.ndarray, t_name: str) -> None:
    late = recency > T
    if late.any():
        i = int(np.flatnonzero(late)[0])
        raise ValueError(
            f"recency must not exceed {t_name} (the last purchase cannot come after the end of "
            f"observation): {int(late.sum())} row(s) have recency > {t_name}, e.g. row {i} with "
            f"recency={recency[i]:g}, {t_name}={T[i]:g}"
        )
    odd = (frequency == 0) & (recency != 0)
    if odd.any():
        raise ValueError(
            f"recency: expected 0 where frequency is 0 (no repeat purchase), found "
            f"{int(odd.sum())} row(s) with frequency 0 and recency > 0"
        )


def _compress(
    columns: Sequence[np.ndarray], weights: object, n_rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """Merge identical rows, returning the unique rows (2-d) and their summed weights."""
    if weights is None:
        w = np.ones(n_rows)
    else:
        w = _as_array(weights, "weights")
        _same_length(frequency=columns[0], weights=w)
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
    if summed.sum() < 2:
        raise ValueError(
            f"fit needs data from at least 2 customers to estimate the parameters, got "
            f"{summed.sum():g}"
        )
    return unique[keep], summed[keep]


def _maximize(
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
    result = optimize.minimize(
        neg_ll,
        start,
        jac=jac,
        method="BFGS",
        options={"maxiter": max_iter, "gtol": tol},
    )
    edge = np.abs(result.x) > 12  # a parameter below 6e-6 or above 1.6e5
    if not result.success or not np.isfinite(result.fun) or edge.any():
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


class _Fitter:
    """Common behaviour: settings, the fitted check and a readable repr."""

    _param_names: tuple[str, ...] = ()

    def __init__(self, *, max_iter: int = 1000, tol: float = 1e-8) -> None:
        self.max_iter = max_iter
        self.tol = tol

    def __repr__(self) -> str:
        fitted = getattr(self, "params_", None)
        if fitted is None:
            return f"{type(self).__name__}(max_iter={self.max_iter}, tol={self.tol})"
        shown = ", ".join(f"{k}={v:.3f}" for k, v in fitted.items())
        return f"{type(self).__name__}({shown}, log_likelihood={self.log_likelihood_:.1f})"

    def _params(self) -> np.ndarray:
        if getattr(self, "params_", None) is None:
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet: call fit(...) before predicting"
            )
        return self.params_.to_numpy()

    def _store(self, log_params: np.ndarray, neg_mean_ll: float, total_weight: float) -> None:
        self.params_ = pd.Series(np.exp(log_params), index=list(self._param_names), name="value")
        self.log_likelihood_ = float(-neg_mean_ll * total_weight)


def _shaped(values: np.ndarray, like: object) -> Any:
    """Give a result the shape of the caller's input: float, Series (same index) or array."""
    if np.ndim(like) == 0:
        return float(values[0])
    if isinstance(like, pd.Series):
        return pd.Series(values, index=like.index)
    return values


def _dbetaln(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Partial derivatives of ``log B(a, b)`` with respect to ``a`` and ``b``."""
    both = digamma(a + b)
    return digamma(a) - both, digamma(b) - both


# --------------------------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------------------------


class BetaGeo(_Fitter):
    """Beta-geometric/NBD model of repeat purchasing (Fader, Hardie & Lee 2005a).

    While alive, a customer buys at Poisson rate ``lambda ~ Gamma(r, alpha)``; after each
    purchase they drop out with probability ``p ~ Beta(a, b)``.

    Parameters
    ----------
    max_iter : int
        Maximum number of BFGS iterations.
    tol : float
        Gradient tolerance of the optimiser (on the mean log-likelihood per customer).

    Attributes
    ----------
    params_ : pandas.Series
        ``r``, ``alpha``, ``a``, ``b``.
    log_likelihood_ : float
        Total log-likelihood of the fitted data.

    Examples
    --------
    Simulate 5,000 customers observed for 39 weeks, then recover the parameters:

    >>> rng = np.random.default_rng(0)
    >>> n = 5000
    >>> lam, p = rng.gamma(0.25, 1 / 4.4, n), rng.beta(0.8, 2.4, n)
    >>> times = np.cumsum(rng.exponential(1 / lam[:, None], (n, 80)), axis=1)
    >>> x = np.minimum((times <= 39).sum(axis=1), rng.geometric(p))  # dies after purchase k
    >>> t_x = np.where(x > 0, times[np.arange(n), np.maximum(x - 1, 0)], 0.0)
    >>> model = BetaGeo().fit(x, t_x, np.full(n, 39.0))
    >>> model.params_.round(2).to_dict()  # true values: 0.25, 4.4, 0.8, 2.4
    {'r': 0.26, 'alpha': 4.6, 'a': 0.83, 'b': 2.73}
    >>> round(model.p_alive(0, 0, 39), 3)
    1.0
    """

    _param_names = ("r", "alpha", "a", "b")

    def fit(self, frequency: object, recency: object, T: object, weights: object = None) -> BetaGeo:
        """Fit by maximum likelihood.

        Parameters
        ----------
        frequency, recency, T : array-like
            Repeat purchases, age at last purchase and age at the end of calibration, as
            returned by :func:`summarize` (same time unit for ``recency`` and ``T``).
        weights : array-like, optional
            Number of customers each row stands for (default one each).

        Returns
        -------
        BetaGeo
            ``self``, fitted.
        """
        x = _as_array(frequency, "frequency")
        tx = _as_array(recency, "recency")
        big_t = _as_array(T, "T")
        _same_length(frequency=x, recency=tx, T=big_t)
        _check_counts(x)
        _check_recency(x, tx, big_t, "T")
        rows, w = _compress([x, tx, big_t], weights, len(x))
        x, tx, big_t = rows.T
        total = w.sum()
        w = w / total
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
        result = _maximize(
            neg_ll, start, jac=True, max_iter=self.max_iter, tol=self.tol, model="BetaGeo"
        )
        self._store(result.x, result.fun, total)
        return self

    def expected_purchases(self, t: object) -> Any:
        """Expected number of purchases ``E[X(t)]`` of a new customer in ``(0, t]``.

        Examples
        --------
        >>> model = BetaGeo()
        >>> model.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
        >>> round(model.expected_purchases(39), 3)
        1.197
        """
        r, alpha, a, b = self._params()
        t_arr = _as_array(t, "t")
        z = t_arr / (alpha + t_arr)
        value = (
            (a + b - 1)
            / (a - 1)
            * (1 - (alpha / (alpha + t_arr)) ** r * hyp2f1(r, b, a + b - 1, z))
        )
        return _shaped(value, t)

    def _inputs(self, frequency: object, recency: object, T: object):
        x = _as_array(frequency, "frequency")
        tx = _as_array(recency, "recency")
        big_t = _as_array(T, "T")
        _same_length(frequency=x, recency=tx, T=big_t)
        _check_recency(x, tx, big_t, "T")
        return x, tx, big_t

    def _log_dead_odds(self, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        """log of ``a/(b+x-1) * ((alpha+T)/(alpha+t_x))**(r+x)``, -inf when ``x == 0``."""
        r, alpha, a, b = self._params()
        with np.errstate(divide="ignore", invalid="ignore"):
            odds = (
                np.log(a)
                - np.log(b + x - 1)
                + (r + x) * (np.log(alpha + big_t) - np.log(alpha + tx))
            )
        return np.where(x > 0, odds, -np.inf)

    def p_alive(self, frequency: object, recency: object, T: object) -> Any:
        """Probability that a customer with this history is still alive at ``T``.

        Examples
        --------
        >>> model = BetaGeo()
        >>> model.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
        >>> round(model.p_alive(2, 30.43, 38.86), 3)
        0.727
        """
        x, tx, big_t = self._inputs(frequency, recency, T)
        return _shaped(np.exp(-np.logaddexp(0.0, self._log_dead_odds(x, tx, big_t))), frequency)

    def conditional_expected_purchases(
        self, t: float, frequency: object, recency: object, T: object
    ) -> Any:
        """Expected purchases in ``(T, T + t]`` of a customer with history ``(x, t_x, T)``.

        Examples
        --------
        >>> model = BetaGeo()
        >>> model.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
        >>> round(model.conditional_expected_purchases(39, 2, 30.43, 38.86), 3)
        1.226
        """
        r, alpha, a, b = self._params()
        t_arr = _as_array(t, "t")
        x, tx, big_t = self._inputs(frequency, recency, T)
        rx = r + x
        z = t_arr / (alpha + big_t + t_arr)
        body = 1 - ((alpha + big_t) / (alpha + big_t + t_arr)) ** rx * hyp2f1(
            rx, b + x, a + b + x - 1, z
        )
        value = (
            (a + b + x - 1)
            / (a - 1)
            * body
            * np.exp(-np.logaddexp(0.0, self._log_dead_odds(x, tx, big_t)))
        )
        return _shaped(value, frequency)


# --------------------------------------------------------------------------------------------
# Gamma-Gamma spend model
# --------------------------------------------------------------------------------------------


class GammaGamma(_Fitter):
    """Gamma-Gamma model of the mean spend per transaction (Fader, Hardie & Lee 2005b).

    Each transaction's value is ``Gamma(p, nu)`` with ``nu ~ Gamma(q, gamma)`` across
    customers; spend is assumed independent of purchase frequency.

    Attributes
    ----------
    params_ : pandas.Series
        ``p``, ``q``, ``gamma``.
    log_likelihood_ : float
        Total log-likelihood of the fitted data (density of the mean spend).

    Examples
    --------
    Simulate 5,000 repeat buyers whose spends are Gamma(6, nu), nu ~ Gamma(4, 15):

    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(1, 10, 5000)
    >>> nu = rng.gamma(4.0, 1 / 15.0, 5000)
    >>> mean_spend = rng.gamma(6.0 * x, 1 / nu) / x
    >>> GammaGamma().fit(x, mean_spend).params_.round(1).to_dict()
    {'p': 5.8, 'q': 4.0, 'gamma': 15.1}
    """

    _param_names = ("p", "q", "gamma")

    def fit(self, frequency: object, monetary_value: object, weights: object = None) -> GammaGamma:
        """Fit on repeat buyers by maximum likelihood.

        Parameters
        ----------
        frequency : array-like
            Number of repeat transactions ``x`` (must be >= 1: the model is fitted on repeat
            buyers only; filter with ``summary[summary["frequency"] > 0]``).
        monetary_value : array-like
            Mean value of those transactions (must be > 0).
        weights : array-like, optional
            Number of customers each row stands for.

        Returns
        -------
        GammaGamma
            ``self``, fitted.
        """
        x = _as_array(frequency, "frequency")
        m = _as_array(monetary_value, "monetary_value")
        _same_length(frequency=x, monetary_value=m)
        _check_counts(x)
        if (x == 0).any():
            raise ValueError(
                f"frequency: GammaGamma is fitted on repeat buyers only, but "
                f"{int((x == 0).sum())} of {len(x)} customers have frequency 0; pass "
                "summary[summary['frequency'] > 0]"
            )
        if (m <= 0).any():
            raise ValueError(
                f"monetary_value: expected values > 0 for repeat buyers, found "
                f"{int((m <= 0).sum())} <= 0"
            )
        rows, w = _compress([x, m], weights, len(x))
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

        result = _maximize(
            neg_ll, np.zeros(3), jac=True, max_iter=self.max_iter, tol=self.tol, model="GammaGamma"
        )
        self._store(result.x, result.fun, total)
        return self

    def conditional_expected_value(self, frequency: object, monetary_value: object) -> Any:
        """Expected spend per transaction given ``x`` transactions of mean ``monetary_value``.

        A weighted average of the population mean ``p*gamma/(q-1)`` and the customer's own
        mean, with weight ``p*x/(p*x+q-1)`` on the latter; for ``x == 0`` it is the
        population mean.

        Examples
        --------
        >>> gg = GammaGamma()
        >>> gg.params_ = pd.Series({"p": 6.25, "q": 3.74, "gamma": 15.44})
        >>> round(gg.conditional_expected_value(0, 0.0), 2)  # population mean p*gamma/(q-1)
        35.22
        """
        p, q, g = self._params()
        if q <= 1:
            raise ValueError(f"the fitted q={q:.3f} is <= 1: the mean spend is not finite")
        x = _as_array(frequency, "frequency")
        m = _as_array(monetary_value, "monetary_value")
        _same_length(frequency=x, monetary_value=m)
        return _shaped(p * (g + m * x) / (p * x + q - 1), frequency)

    def clv(
        self,
        beta_geo: BetaGeo,
        frequency: object,
        recency: object,
        T: object,
        monetary_value: object,
        *,
        time: int = 12,
        discount_rate: float = 0.01,
        freq: str = "W",
    ) -> Any:
        """Customer lifetime value over the next ``time`` months by discounted cash flow.

        The convention is that of lifetimes' ``customer_lifetime_value``: month ``i``
        (``i = 1..time``) contributes ``E[purchases in month i] * E[spend]`` discounted by
        ``(1 + discount_rate) ** i``, i.e. each month's cash is received at its end.
        Purchases come from ``beta_geo.conditional_expected_purchases`` and spend from
        :meth:`conditional_expected_value`. A month is 365.25/12 days expressed in the time
        unit ``freq`` that ``recency`` and ``T`` were measured in (4.348 weeks; lifetimes
        rounds this to 4.345).

        Parameters
        ----------
        beta_geo : BetaGeo
            A fitted purchase-frequency model.
        frequency, recency, T, monetary_value : array-like
            Customer summaries, as returned by :func:`summarize`.
        time : int
            Horizon in months.
        discount_rate : float
            Discount rate per month (0.01 is about 12.7% a year).
        freq : {"h", "D", "W", "M", "Y"}
            Time unit of ``recency`` and ``T``.

        Examples
        --------
        >>> bg = BetaGeo()
        >>> bg.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
        >>> gg = GammaGamma()
        >>> gg.params_ = pd.Series({"p": 6.25, "q": 3.74, "gamma": 15.44})
        >>> round(gg.clv(bg, 0, 0.0, 38.0, 0.0, time=12), 2) > 0
        True
        """
        if not isinstance(beta_geo, BetaGeo):
            raise TypeError(f"beta_geo: expected a fitted BetaGeo, got {type(beta_geo).__name__}")
        if freq not in _DAYS_PER_UNIT and freq != "h":
            raise ValueError(f"freq: expected one of 'h', 'D', 'W', 'M', 'Y', got {freq!r}")
        if isinstance(time, bool) or not isinstance(time, int | np.integer) or time < 1:
            raise ValueError(f"time: expected a whole number of months >= 1, got {time!r}")
        if not np.isfinite(discount_rate) or discount_rate <= -1:
            raise ValueError(
                f"discount_rate: expected a rate > -1 per month, got {discount_rate!r}"
            )
        value = np.asarray(self.conditional_expected_value(frequency, monetary_value), dtype=float)
        month = (365.25 / 12) * (24.0 if freq == "h" else 1.0) / _DAYS_PER_UNIT.get(freq, 1.0)
        x, tx, big_t = beta_geo._inputs(frequency, recency, T)
        cumulative = np.zeros_like(x)
        total = np.zeros_like(x)
        for i in range(1, int(time) + 1):
            now = np.asarray(beta_geo.conditional_expected_purchases(i * month, x, tx, big_t))
            total += (now - cumulative) / (1 + discount_rate) ** i
            cumulative = now
        return _shaped(np.atleast_1d(value) * total, frequency)


# --------------------------------------------------------------------------------------------
# Shifted beta-geometric (contractual retention)
# --------------------------------------------------------------------------------------------


class ShiftedBetaGeo(_Fitter):
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
        n = _as_array(active, "active")
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
            da, db = _dbetaln(alpha + shift_a, beta + shift_b)
            da0, db0 = _dbetaln(alpha, beta)
            grad = np.array([counts @ (da - da0) * alpha, counts @ (db - db0) * beta])
            return -float(counts @ log_p) / total, -grad / total

        result = _maximize(
            neg_ll,
            np.zeros(2),
            jac=True,
            max_iter=self.max_iter,
            tol=self.tol,
            model="ShiftedBetaGeo",
        )
        self._store(result.x, result.fun, total)
        return self

    def survival(self, t: object) -> Any:
        """Share of the cohort still active after ``t`` periods, ``S(t)``."""
        alpha, beta = self._params()
        t_arr = _as_array(t, "t")
        return _shaped(np.exp(betaln(alpha, beta + t_arr) - betaln(alpha, beta)), t)

    def retention(self, t: object) -> Any:
        """Retention rate in period ``t >= 1``: ``S(t) / S(t-1) = (beta+t-1)/(alpha+beta+t-1)``.

        Examples
        --------
        >>> sbg = ShiftedBetaGeo()
        >>> sbg.params_ = pd.Series({"alpha": 0.704, "beta": 1.182})
        >>> round(sbg.retention(1), 3)
        0.627
        """
        alpha, beta = self._params()
        t_arr = _as_array(t, "t")
        if (t_arr < 1).any():
            raise ValueError("t: retention is defined for periods t >= 1")
        return _shaped((beta + t_arr - 1) / (alpha + beta + t_arr - 1), t)


# --------------------------------------------------------------------------------------------
# BG/BB (discrete-time non-contractual)
# --------------------------------------------------------------------------------------------


class BetaGeoBetaBinom(_Fitter):
    """Beta-geometric/beta-Bernoulli model for discrete purchase opportunities.

    While alive, a customer buys at each opportunity with probability ``p ~ Beta(alpha,
    beta)``, and dies before each opportunity with probability ``theta ~ Beta(gamma, delta)``
    (Fader, Hardie & Shang 2010).

    Attributes
    ----------
    params_ : pandas.Series
        ``alpha``, ``beta``, ``gamma``, ``delta``.
    log_likelihood_ : float
        Total log-likelihood of the fitted data.

    Examples
    --------
    >>> bgbb = BetaGeoBetaBinom()
    >>> bgbb.params_ = pd.Series({"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783})
    >>> round(bgbb.p_alive(6, 6, 6), 3)  # bought at every opportunity: alive next time?
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
        d_a, d_b = _dbetaln(args[0], args[1])
        d_c, d_d = _dbetaln(args[2], args[3])
        d_a0, d_b0 = _dbetaln(alpha, beta)
        d_c0, d_d0 = _dbetaln(gamma, delta)
        return log_t, (d_a - d_a0, d_b - d_b0, d_c - d_c0, d_d - d_d0)

    def fit(
        self, frequency: object, recency: object, n_periods: object, weights: object = None
    ) -> BetaGeoBetaBinom:
        """Fit by maximum likelihood.

        Parameters
        ----------
        frequency : array-like
            Number of repeat transactions ``x`` in ``n`` opportunities.
        recency : array-like
            Opportunity ``t_x`` of the last transaction (0 if none).
        n_periods : array-like
            Number of opportunities ``n`` observed.
        weights : array-like, optional
            Number of customers each row stands for.

        Returns
        -------
        BetaGeoBetaBinom
            ``self``, fitted.
        """
        x, tx, n = self._inputs(frequency, recency, n_periods)
        rows, w = _compress([x, tx, n], weights, len(x))
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

        result = _maximize(
            neg_ll,
            np.zeros(4),
            jac=True,
            max_iter=self.max_iter,
            tol=self.tol,
            model="BetaGeoBetaBinom",
        )
        self._store(result.x, result.fun, total)
        return self

    def _inputs(self, frequency: object, recency: object, n_periods: object):
        x = _as_array(frequency, "frequency")
        tx = _as_array(recency, "recency")
        n = _as_array(n_periods, "n_periods")
        _same_length(frequency=x, recency=tx, n_periods=n)
        _check_counts(x)
        _check_counts(tx, "recency")
        _check_counts(n, "n_periods")
        _check_recency(x, tx, n, "n_periods")
        if (x > tx).any():
            raise ValueError(
                "frequency: expected at most recency transactions (one per opportunity up to "
                f"the last purchase), found {int((x > tx).sum())} row(s) with frequency > recency"
            )
        return x, tx, n

    def _log_likelihood(self, x, tx, n) -> tuple[np.ndarray, np.ndarray]:
        """Log of the 'alive through n' term and the log-likelihood of each row."""
        log_t, _ = self._terms(self._params(), self._layout(x, tx, n))
        return log_t[:, 0], logsumexp(log_t, axis=1)

    def p_alive(self, frequency: object, recency: object, n_periods: object) -> Any:
        """Probability that the customer is alive at opportunity ``n + 1``.

        Examples
        --------
        >>> bgbb = BetaGeoBetaBinom()
        >>> bgbb.params_ = pd.Series({"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.8})
        >>> round(bgbb.p_alive(0, 0, 0), 3)  # survives one opportunity: delta/(gamma+delta)
        0.809
        """
        x, tx, n = self._inputs(frequency, recency, n_periods)
        _, _, gamma, delta = self._params()
        alive, ll = self._log_likelihood(x, tx, n)
        # alive through n+1 = alive through n times the chance of surviving one more period
        step = betaln(gamma, delta + n + 1) - betaln(gamma, delta + n)
        return _shaped(np.exp(alive + step - ll), frequency)

    def expected_purchases(self, n: object) -> Any:
        """Expected transactions of a new customer in the first ``n`` opportunities."""
        alpha, beta, gamma, delta = self._params()
        n_arr = _as_array(n, "n")
        tail = np.exp(
            gammaln(gamma + delta)
            - gammaln(1 + delta)
            + gammaln(1 + delta + n_arr)
            - gammaln(gamma + delta + n_arr)
        )
        return _shaped(alpha / (alpha + beta) * delta / (gamma - 1) * (1 - tail), n)

    def conditional_expected_purchases(
        self, m: object, frequency: object, recency: object, n_periods: object
    ) -> Any:
        """Expected transactions in the next ``m`` opportunities, ``(n, n + m]``.

        Examples
        --------
        >>> bgbb = BetaGeoBetaBinom()
        >>> bgbb.params_ = pd.Series({"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.8})
        >>> new = bgbb.conditional_expected_purchases(5, 0, 0, 0)
        >>> bool(np.isclose(new, bgbb.expected_purchases(5)))
        True
        """
        alpha, beta, gamma, delta = self._params()
        m_arr = _as_array(m, "m")
        x, tx, n = self._inputs(frequency, recency, n_periods)
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
        return _shaped(np.sign(gamma - 1) * np.exp(head) * diff, frequency)
