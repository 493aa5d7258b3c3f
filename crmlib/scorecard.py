"""The CRM Scorecard: KPIs against targets, perceived indicators, and the chain between them.

The CRM Scorecard evaluates CRM from four perspectives linked in a causal order,
**infrastructure -> process -> customer -> organisational performance** (인프라 -> 프로세스 ->
고객 -> 조직성과). Each element of a perspective is measured twice: by quantitative KPIs
(수치적 KPI: a retention rate, system uptime) and by qualitative, perceived indicators
(인지적 평가요소: how employees or customers rate it in a survey).

- :func:`perceived_index` turns Likert answers into 0-100 indices per unit and perspective
  (or item), the transformation the American Customer Satisfaction Index uses;
- :func:`traffic_lights` compares values with targets (green: target met; amber: missed by
  no more than ``tolerance``; red: missed by more), in the KPI's own direction (a churn rate
  is better low);
- :func:`kpi_trend` gives each unit's slope per period over its last periods;
- :func:`scorecard` puts the three together: one row per unit and KPI, in perspective order;
- :func:`lagged_association` measures how one perspective at ``t - lag`` goes with another at
  ``t``, within units, with a confidence interval. It is an association: the scorecard's
  arrows are a hypothesis that such numbers can contradict but cannot prove.

The process-stage KPIs of a transaction log (new customers, retention, win-back) are in
:func:`crmlib.lifecycle.stage_kpis`; customer equity, the performance measure, in
:func:`crmlib.value.customer_equity`.

References
----------
- Fornell, Johnson, Anderson, Cha & Bryant (1996), "The American Customer Satisfaction Index:
  nature, purpose, and findings", Journal of Marketing 60(4) (0-100 indices from rating
  scales).
- Kaplan & Norton (1996), *The Balanced Scorecard*, Harvard Business School Press (perspectives
  linked by cause and effect; leading and lagging measures).
- Fisher (1924), "The distribution of the partial correlation coefficient", Metron 3 (the
  z-transform with ``n - k - 3`` degrees of freedom for ``k`` variables held fixed).
- Nickell (1981), "Biases in dynamic models with fixed effects", Econometrica 49(6).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from crmlib.validation import (
    as_number,
    as_numbers,
    as_numeric,
    preview,
    require_bool,
    require_columns,
    require_fraction,
    require_frame,
    require_positive_int,
)

__all__ = [
    "PERSPECTIVES",
    "LIGHTS",
    "perceived_index",
    "traffic_lights",
    "kpi_trend",
    "scorecard",
    "Association",
    "lagged_association",
]

#: The four perspectives in their causal order.
PERSPECTIVES: tuple[str, ...] = ("infrastructure", "process", "customer", "performance")
#: Traffic-light statuses, best first.
LIGHTS: tuple[str, ...] = ("green", "amber", "red")


def _names(value: object, name: str) -> list[str]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, Sequence) or not names or not all(isinstance(v, str) for v in names):
        raise TypeError(f"{name}: expected a column name or a list of them, got {value!r}")
    return list(names)


def perceived_index(
    survey: pd.DataFrame,
    *,
    index: str | Sequence[str],
    columns: str,
    score: str = "score",
    scale: tuple[float, float] = (1, 5),
) -> pd.DataFrame:
    """Mean survey score per group on a 0-100 scale: ``100 (mean - low) / (high - low)``.

    The lowest answer of the scale becomes 0 and the highest 100, so indices from scales of
    different lengths can be compared and read like a percentage of the way to the top (the
    ACSI transformation, Fornell et al. 1996).

    Parameters
    ----------
    survey : DataFrame
        One row per answer (long format).
    index : str or list of str
        Columns that define a row of the result (e.g. ``["business_unit", "quarter"]``).
    columns : str
        Column whose values become the result's columns (e.g. ``"perspective"``).
    score : str
        Column of the answers, numbers within ``scale``.
    scale : (low, high)
        The lowest and highest possible answer.

    Returns
    -------
    DataFrame
        One row per combination of ``index`` (sorted), one column per value of ``columns``;
        missing where a group gave no answer.

    Examples
    --------
    >>> answers = pd.DataFrame({"unit": ["A", "A", "A", "B"],
    ...                         "item": ["service", "service", "price", "service"],
    ...                         "score": [5, 4, 1, 3]})
    >>> perceived_index(answers, index="unit", columns="item")
    item  price  service
    unit
    A       0.0     87.5
    B       NaN     50.0
    """
    require_frame(survey, "survey")
    keys = _names(index, "index")
    if not isinstance(columns, str):
        raise TypeError(f"columns: expected one column name, got {columns!r}")
    require_columns(survey, [*keys, columns, score], "survey")
    try:
        low, high = (as_number(v, "scale") for v in scale)
    except (TypeError, ValueError) as err:
        raise TypeError(f"scale: expected (lowest, highest) answer, got {scale!r}") from err
    if not low < high:
        raise ValueError(f"scale: expected the lowest answer below the highest, got {scale!r}")
    values = as_numeric(survey[score], score).astype(float)
    outside = values[(values < low) | (values > high)]
    if len(outside):
        raise ValueError(
            f"column {score!r}: expected answers from {low:g} to {high:g} (scale), found "
            f"{preview(np.unique(outside).tolist())}; is the scale right?"
        )
    frame = survey[[*keys, columns]].assign(_score=values)
    table = frame.pivot_table(index=keys, columns=columns, values="_score", aggfunc="mean",
                              observed=True)  # fmt: skip
    table = table.sort_index(kind="stable")
    table.columns = list(table.columns)
    table.columns.name = columns
    return 100 * (table - low) / (high - low)


def traffic_lights(
    actual: object,
    target: object,
    *,
    higher_is_better: object = True,
    tolerance: float = 0.05,
) -> object:
    """Green, amber or red for each value against its target.

    The **relative gap** ``(actual - target) / |target|`` is taken in the KPI's direction
    (its sign flipped when lower is better), so a positive gap is always good. Green: the
    target is met (gap >= 0); amber: missed by no more than ``tolerance`` (a fraction of the
    target); red: missed by more.

    Parameters
    ----------
    actual, target : number, array or Series
        Values and targets (broadcast together); targets must not be 0.
    higher_is_better : bool or array of bool
        Direction of each KPI (False for a churn rate or a waiting time).
    tolerance : float
        Largest shortfall, as a fraction of the target, that is still amber (0 <= x < 1).

    Returns
    -------
    str, array or Series
        ``"green"``, ``"amber"`` or ``"red"``, shaped like ``actual`` (a Series keeps its index).

    Examples
    --------
    >>> traffic_lights([0.86, 0.84, 0.80], 0.85)
    array(['green', 'amber', 'red'], dtype=object)
    >>> traffic_lights(0.16, 0.15, higher_is_better=False)  # churn 16% against 15%: 6.7% worse
    'red'
    """
    gap = _relative_gap(actual, target, higher_is_better)
    tol = as_number(tolerance, "tolerance", low=0, high=1, high_open=True)
    lights = np.where(gap >= 0, "green", np.where(gap >= -tol - 1e-12, "amber", "red"))
    lights = lights.astype(object)
    if isinstance(actual, pd.Series):
        return pd.Series(lights, index=actual.index, name="status")
    return lights.item() if lights.ndim == 0 else lights


def _relative_gap(actual: object, target: object, higher_is_better: object) -> np.ndarray:
    a = as_numbers(actual, "actual")
    t = as_numbers(target, "target")
    if (t == 0).any():
        raise ValueError(
            "target: expected targets other than 0 (the gap is relative to the target), got 0"
        )
    direction = np.asarray(higher_is_better)
    if direction.dtype != bool:
        raise TypeError(
            f"higher_is_better: expected True or False for each KPI, got {higher_is_better!r}"
        )
    try:
        a, t, direction = np.broadcast_arrays(a, t, direction)
    except ValueError as err:
        raise ValueError(
            f"actual, target and higher_is_better: shapes {np.shape(a)}, {np.shape(t)} and "
            f"{np.shape(direction)} do not match"
        ) from err
    return np.where(direction, 1.0, -1.0) * (a - t) / np.abs(t)


def _ordered(panel: pd.DataFrame, by: str, period: str) -> pd.DataFrame:
    require_columns(panel, [by, period], "panel")
    if panel[[by, period]].isna().any().any():
        raise ValueError(f"panel: columns {by!r} and {period!r} must have no missing values")
    twice = panel.duplicated([by, period])
    if twice.any():
        row = panel.loc[twice, [by, period]].iloc[0].tolist()
        raise ValueError(
            f"panel: expected one row per {by} and {period}, found {row} more than once"
        )
    return panel.sort_values([by, period], kind="stable")


def kpi_trend(
    panel: pd.DataFrame,
    columns: str | Sequence[str],
    *,
    by: str,
    period: str,
    last: int = 4,
) -> pd.DataFrame:
    """Each group's least-squares slope per period over its last ``last`` periods.

    Periods are taken in sorted order and counted 0, 1, 2, ...; the slope is in the KPI's
    unit per period (for a rate, a change of 0.01 is one percentage point a period).

    Parameters
    ----------
    panel : DataFrame
        One row per group and period.
    columns : str or list of str
        KPI columns.
    by, period : str
        Column of the group (business unit) and of the period (sortable: ``"2024Q1"``,
        a date, a pandas Period).
    last : int
        Number of most recent periods of each group to use (at least 2).

    Returns
    -------
    DataFrame
        One row per group (sorted), one column per KPI.

    Examples
    --------
    >>> panel = pd.DataFrame({"unit": ["A"] * 3 + ["B"] * 3, "quarter": ["Q1", "Q2", "Q3"] * 2,
    ...                       "churn": [0.20, 0.18, 0.16, 0.10, 0.10, 0.13]})
    >>> kpi_trend(panel, "churn", by="unit", period="quarter", last=3).round(3)
          churn
    unit
    A    -0.020
    B     0.015
    """
    require_frame(panel, "panel")
    kpis = _names(columns, "columns")
    require_columns(panel, kpis, "panel")
    last = require_positive_int(last, "last", minimum=2)
    ordered = _ordered(panel, by, period)
    values = pd.DataFrame({c: as_numeric(ordered[c], c).astype(float) for c in kpis})
    values[by] = ordered[by].to_numpy()
    recent = values.groupby(by, sort=True, observed=True).tail(last)
    if recent[kpis].isna().any().any():
        raise ValueError(f"panel: the last {last} periods have missing values; fill or drop them")

    def slope(group: pd.DataFrame) -> pd.Series:
        x = np.arange(len(group), dtype=float)
        if len(group) < 2:
            return pd.Series(np.nan, index=kpis)
        x = x - x.mean()
        return (group[kpis].mul(x, axis=0).sum() / (x**2).sum()).rename(None)

    out = pd.DataFrame(
        {name: slope(group) for name, group in recent.groupby(by, sort=True, observed=True)}
    ).T
    out.index.name = by
    return out[kpis]


def scorecard(
    values: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    tolerance: float = 0.05,
    trend: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The scorecard as a table: each unit's KPIs against their targets, in perspective order.

    Parameters
    ----------
    values : DataFrame
        One row per unit (its index names the units), one column per KPI: the period to
        evaluate.
    targets : DataFrame
        One row per KPI (index: the KPI's column in ``values``) with columns ``perspective``
        (one of :data:`PERSPECTIVES`), ``target`` and ``higher_is_better`` (bool), and
        optionally ``tolerance`` (per KPI, overriding the argument: a system's uptime of
        0.99 needs a far smaller tolerance than a response rate).
    tolerance : float
        As in :func:`traffic_lights`, for KPIs without a tolerance of their own.
    trend : DataFrame, optional
        Slopes shaped like ``values`` (from :func:`kpi_trend`); adds ``trend`` and
        ``improving`` (the slope points in the KPI's good direction).

    Returns
    -------
    DataFrame
        One row per unit and KPI, units in ``values`` order, perspectives in causal order, KPIs
        in ``targets`` order: the unit column (named like ``values.index``, else ``unit``),
        ``perspective``, ``kpi``, ``actual``, ``target``, ``gap`` (relative, positive = better
        than target), ``status`` (ordered categorical green < amber < red in badness), and
        ``trend``, ``improving`` when ``trend`` is given.

    Examples
    --------
    >>> values = pd.DataFrame({"retention_rate": [0.86, 0.80], "churn_rate": [0.14, 0.20]},
    ...                       index=pd.Index(["Seoul", "Busan"], name="unit"))
    >>> targets = pd.DataFrame({"perspective": ["customer", "customer"], "target": [0.85, 0.15],
    ...                         "higher_is_better": [True, False]},
    ...                        index=["retention_rate", "churn_rate"])
    >>> scorecard(values, targets)[["unit", "kpi", "actual", "status"]]
        unit             kpi  actual status
    0  Seoul  retention_rate    0.86  green
    1  Seoul      churn_rate    0.14  green
    2  Busan  retention_rate    0.80    red
    3  Busan      churn_rate    0.20    red
    """
    require_frame(values, "values")
    require_frame(targets, "targets")
    require_columns(targets, ["perspective", "target", "higher_is_better"], "targets")
    kpis = [str(k) for k in targets.index]
    if len(set(kpis)) != len(kpis):
        raise ValueError("targets: expected one row per KPI, found a KPI twice in its index")
    require_columns(values, kpis, "values")
    unknown = sorted(set(targets["perspective"]) - set(PERSPECTIVES))
    if unknown:
        raise ValueError(
            f"targets: column 'perspective' expects {list(PERSPECTIVES)}, got {unknown}"
        )
    for kpi, flag in targets["higher_is_better"].items():
        require_bool(flag, f"targets.loc[{kpi!r}, 'higher_is_better']")
    unit = values.index.name or "unit"
    order = targets.assign(_p=pd.Categorical(targets["perspective"], PERSPECTIVES, ordered=True))
    order = order.assign(_k=np.arange(len(order))).sort_values(["_p", "_k"], kind="stable")
    default = as_number(tolerance, "tolerance", low=0, high=1, high_open=True)
    own = order["tolerance"] if "tolerance" in order else pd.Series(np.nan, index=order.index)
    allowed = as_numbers(own.fillna(default), "targets['tolerance']", low=0, high=1,
                         high_open=True)  # fmt: skip
    rows = []
    for name, row in values.iterrows():
        for (kpi, spec), tol in zip(order.iterrows(), allowed, strict=True):
            rows.append((name, spec["perspective"], kpi, row[kpi], spec["target"],
                         bool(spec["higher_is_better"]), tol))  # fmt: skip
    out = pd.DataFrame(rows, columns=[unit, "perspective", "kpi", "actual", "target", "hib", "tol"])
    out["actual"] = as_numeric(out["actual"], "values").astype(float)
    out["target"] = as_numeric(out["target"], "targets['target']").astype(float)
    gap = _relative_gap(out["actual"], out["target"], out["hib"].to_numpy())
    out["gap"] = gap
    lights = np.where(gap >= 0, "green", np.where(gap >= -out["tol"] - 1e-12, "amber", "red"))
    out["status"] = pd.Categorical(lights, categories=LIGHTS, ordered=True)
    out["perspective"] = pd.Categorical(out["perspective"], PERSPECTIVES, ordered=True)
    if trend is not None:
        require_frame(trend, "trend")
        require_columns(trend, kpis, "trend")
        missing = [u for u in values.index if u not in trend.index]
        if missing:
            raise ValueError(f"trend: expected a row for every unit of values, missing {missing}")
        slopes = [float(trend.loc[u, k]) for u, k in zip(out[unit], out["kpi"], strict=True)]
        out["trend"] = slopes
        out["improving"] = np.where(out["hib"], out["trend"] > 0, out["trend"] < 0)
    return out.drop(columns=["hib", "tol"])


class Association(NamedTuple):
    """A correlation with its confidence interval and what it was computed from."""

    r: float
    low: float
    high: float
    n_pairs: int
    n_groups: int


def lagged_association(
    panel: pd.DataFrame,
    cause: str,
    effect: str,
    *,
    by: str,
    period: str,
    lag: int = 1,
    within: bool = True,
    detrend: bool = False,
    confidence: float = 0.95,
) -> Association:
    """Correlation of ``cause`` at period ``t - lag`` with ``effect`` at ``t``, within groups.

    Pairs are formed inside each group (business unit) from its rows sorted by ``period``,
    which must be consecutive periods. With ``within=True`` both members of the pairs are
    centred on their group's mean first, so differences *between* units (one unit is simply
    better at everything) do not count, only a unit's movements over time. The interval is
    Fisher's: ``atanh(r) +/- z / sqrt(n - k - 3)``, where ``k`` is the number of variables held
    fixed (the ``G - 1`` group indicators when ``within``, else 0).

    It measures association, not causation: a lead of one series over another is also what
    two series that both trend, or that react to a third, can show. Compare ``cause`` and
    ``effect`` swapped. Centring short series on their own means also pulls ``r`` down a
    little (by about ``1 / T`` for ``T`` periods a group; Nickell 1981). Two series that each
    follow their own trend correlate within a unit, at every lag and in both directions,
    whatever their link: ``detrend=True`` removes each group's straight-line trend from both
    series first. The interval treats the pairs as independent; quarters of a persistent
    series are not, so it is too narrow then.

    Parameters
    ----------
    panel : DataFrame
        One row per group and period.
    cause, effect : str
        The two columns.
    by, period : str
        Group and period columns.
    lag : int
        Periods by which ``cause`` leads (0: the same period).
    within : bool
        Centre each group on its own mean (the within-unit association).
    detrend : bool
        Remove each group's least-squares linear trend (over its periods) from both series
        before pairing; implies a within-group comparison.
    confidence : float
        Level of the interval, in (0, 1).

    Returns
    -------
    Association
        ``r``, ``low``, ``high``, ``n_pairs`` and ``n_groups``.

    Examples
    --------
    >>> panel = pd.DataFrame({"unit": ["A"] * 4 + ["B"] * 4, "q": [1, 2, 3, 4] * 2,
    ...                       "x": [1, 3, 2, 4, 5, 7, 6, 8], "y": [0, 1, 3, 2, 4, 5, 7, 6]})
    >>> round(lagged_association(panel, "x", "y", by="unit", period="q", lag=1).r, 3)
    1.0
    """
    require_frame(panel, "panel")
    require_columns(panel, [cause, effect], "panel")
    lag = require_positive_int(lag, "lag", minimum=0)
    within = require_bool(within, "within")
    detrend = require_bool(detrend, "detrend")
    level = require_fraction(confidence, "confidence", high_inclusive=False)
    ordered = _ordered(panel, by, period)
    x = as_numeric(ordered[cause], cause).astype(float)
    y = as_numeric(ordered[effect], effect).astype(float)
    groups = ordered[by].to_numpy()
    if detrend:
        x, y = _detrended(x, groups), _detrended(y, groups)
    pairs = pd.DataFrame({"g": groups, "x": x.groupby(groups).shift(lag).to_numpy(),
                          "y": y.to_numpy()}).dropna()  # fmt: skip
    n, n_groups = len(pairs), int(pairs["g"].nunique())
    k = 2 * n_groups - 1 if detrend else n_groups - 1 if within else 0
    if n - k - 3 < 1:
        raise ValueError(
            f"panel: {n} pairs in {n_groups} groups at lag {lag} are too few for an interval "
            f"(need more than {k + 3})"
        )
    if within or detrend:
        pairs[["x", "y"]] = pairs[["x", "y"]] - pairs.groupby("g")[["x", "y"]].transform("mean")
    if pairs["x"].std() == 0 or pairs["y"].std() == 0:
        raise ValueError(f"panel: {cause!r} or {effect!r} does not vary (within groups)")
    r = float(np.corrcoef(pairs["x"], pairs["y"])[0, 1])
    half = stats.norm.ppf(0.5 + level / 2) / np.sqrt(n - k - 3)
    z = np.arctanh(np.clip(r, -1 + 1e-15, 1 - 1e-15))
    return Association(r, float(np.tanh(z - half)), float(np.tanh(z + half)), n, n_groups)


def _detrended(values: pd.Series, groups: np.ndarray) -> pd.Series:
    """Residuals of each group's least-squares line through its values (in period order)."""
    out = values.copy()
    for group in pd.unique(groups):
        mask = groups == group
        t = np.arange(mask.sum(), dtype=float)
        slope, intercept = np.polyfit(t, values[mask].to_numpy(), 1)
        out[mask] = values[mask].to_numpy() - (intercept + slope * t)
    return out
