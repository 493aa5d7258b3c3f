"""Customer-equity drivers: which driver moves customer value most, and how sure we are.

Rust, Zeithaml & Lemon's customer equity has three drivers, value equity (구매가치),
brand equity (브랜드가치) and relationship equity (관계가치), each measured by a few survey
items. A *driver analysis* regresses a value outcome (next year's spending, retention) on
the driver scores: the coefficient of a driver says how much the outcome moves when that
driver rises by one standard deviation, the others held fixed. Drivers correlate with each
other, so a plain correlation credits each driver with some of the others' effect.

:func:`driver_scores` averages each driver's items; :func:`driver_importance` fits the
regression and bootstraps it, so every coefficient comes with an interval and with the share
of resamples in which that driver comes out on top.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from crmlib.validation import (
    align,
    as_numbers,
    as_numeric,
    require_columns,
    require_fraction,
    require_frame,
    require_positive_int,
)

__all__ = ["driver_scores", "driver_importance"]


def driver_scores(df: pd.DataFrame, items: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """The score of each driver: the mean of its survey items.

    Parameters
    ----------
    df : DataFrame
        One row per respondent.
    items : mapping
        Driver name -> the columns of its items, e.g. ``{"value": ["quality", "price"]}``.

    Returns
    -------
    DataFrame
        Same index as ``df``, one column per driver.

    Examples
    --------
    >>> df = pd.DataFrame({"q": [7, 1], "p": [5, 3], "a": [4, 4]})
    >>> driver_scores(df, {"value": ["q", "p"], "brand": ["a"]})
       value  brand
    0    6.0    4.0
    1    2.0    4.0
    """
    require_frame(df, "df")
    if not isinstance(items, Mapping) or not items:
        raise TypeError("items: expected a non-empty mapping of driver name -> item columns")
    for driver, columns in items.items():
        if isinstance(columns, str) or not len(columns):
            raise TypeError(f"items[{driver!r}]: expected a list of column names, got {columns!r}")
        require_columns(df, columns, "df")
    return pd.DataFrame(
        {
            driver: pd.concat([as_numeric(df[c], c) for c in columns], axis=1).mean(axis=1)
            for driver, columns in items.items()
        },
        index=df.index,
    )


def _standardised_ols(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    design = np.column_stack([np.ones(len(y)), Z])
    return np.linalg.lstsq(design, y, rcond=None)[0][1:]


def driver_importance(
    scores: pd.DataFrame,
    outcome: Sequence[float] | pd.Series,
    *,
    n_boot: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Regress an outcome on driver scores and bootstrap the coefficients.

    Each driver is standardised (mean 0, sd 1), so a coefficient is the change in the
    outcome, in its own unit, when the driver rises by one standard deviation and the other
    drivers stay the same. The bootstrap resamples respondents with replacement ``n_boot``
    times and refits.

    Parameters
    ----------
    scores : DataFrame
        One column per driver (e.g. from :func:`driver_scores`); no missing values.
    outcome : array-like
        The value outcome per respondent (spending, 0/1 retention, ...), same length.
    n_boot : int
        Bootstrap resamples (at least 100).
    confidence : float
        Level of the percentile intervals, in (0, 1).
    seed : int
        Seed of the resampling.

    Returns
    -------
    DataFrame
        One row per driver, sorted by coefficient (largest first), with columns
        ``coefficient``, ``low``, ``high`` (percentile interval), ``correlation`` (the plain
        correlation with the outcome, for comparison) and ``share_ranked_first`` (the share
        of resamples in which this driver had the largest coefficient).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(500, 2)), columns=["value", "brand"])
    >>> y = 3 * X["value"] + 1 * X["brand"] + rng.normal(size=500)
    >>> table = driver_importance(X, y, n_boot=200)
    >>> table.index.tolist(), table["share_ranked_first"].tolist()
    (['value', 'brand'], [1.0, 0.0])
    """
    require_frame(scores, "scores")
    if isinstance(outcome, pd.Series) and len(outcome) == len(scores):
        scores, outcome = align(scores, outcome, ("scores", "outcome"))  # pair by label
    y = as_numbers(outcome, "outcome")
    if y.shape != (len(scores),):
        raise ValueError(
            f"outcome: expected {len(scores)} values (one per row of scores), got shape {y.shape}"
        )
    if len(y) and np.nanstd(y) == 0:
        raise ValueError(f"outcome: expected values that vary, got {y[0]:g} for every row")
    X = np.column_stack([as_numeric(scores[c], c).to_numpy(dtype=float) for c in scores])
    if np.isnan(X).any() or np.isnan(y).any():
        raise ValueError("scores and outcome: expected no missing values; drop or impute them")
    if (X.std(axis=0) == 0).any():
        constant = [c for c, s in zip(scores.columns, X.std(axis=0), strict=True) if s == 0]
        raise ValueError(f"scores: column(s) {constant} do not vary; a driver must vary")
    n_boot = require_positive_int(n_boot, "n_boot", minimum=100)
    confidence = require_fraction(confidence, "confidence", high_inclusive=False)
    seed = require_positive_int(seed, "seed", minimum=0)

    coefficient = _standardised_ols(X, y)
    rng = np.random.default_rng(seed)
    boot = np.empty((n_boot, X.shape[1]))
    for b in range(n_boot):
        rows = rng.integers(0, len(y), len(y))
        boot[b] = _standardised_ols(X[rows], y[rows])
    tail = (1 - confidence) / 2
    first = np.bincount(boot.argmax(axis=1), minlength=X.shape[1]) / n_boot
    table = pd.DataFrame(
        {
            "coefficient": coefficient,
            "low": np.quantile(boot, tail, axis=0),
            "high": np.quantile(boot, 1 - tail, axis=0),
            "correlation": [np.corrcoef(X[:, j], y)[0, 1] for j in range(X.shape[1])],
            "share_ranked_first": first,
        },
        index=pd.Index(scores.columns, name="driver"),
    )
    return table.sort_values("coefficient", ascending=False, kind="stable")
