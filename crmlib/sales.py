"""The sales pipeline as a funnel: conversion, win rates, time in stage and the weighted forecast.

A sales force automation (SFA, 영업 자동화) system records every deal (opportunity) as it moves
through the stages of the sales process, for example lead -> qualified -> proposal ->
negotiation -> won, or drops out (lost) on the way. From such a record a sales manager reads:

- :func:`funnel`: how many deals reached each stage, the **stage-to-stage conversion** (of the
  deals whose fate at a stage is known, the share that moved on) and, multiplying the
  conversions, each stage's **win probability** ``P(win | stage)``;
- :func:`win_rate`: the share of closed deals that were won (the hit ratio, 영업성공비율),
  with a Wilson score interval (Wilson 1927; Newcombe 1998, method 3), overall or per group;
- :func:`stage_durations`: the days each deal spent in each stage;
- :func:`snapshot`: the pipeline as the SFA showed it on a past date, to test a forecast on
  what happened afterwards;
- :func:`weighted_pipeline`: the open deals' value weighted by their stage's win probability,
  ``forecast = sum(value x P(win | stage))`` (the "expected revenue" of CRM systems).

Open deals are not failures: a deal still open at a stage has not yet moved on or dropped out,
so conversions count only the deals whose fate at the stage is known (the open ones are
*censored*). Counting them as not converted understates every conversion of a young pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from crmlib.intervals import wilson
from crmlib.validation import as_datetime, as_numeric, preview, require_columns, require_frame

__all__ = ["funnel", "win_rate", "stage_durations", "snapshot", "weighted_pipeline"]

STATUSES = ("open", "won", "lost")


def _group_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _stage_order(deals: pd.DataFrame, stage: str, stages: Sequence[str] | None) -> list[str]:
    if stages is None:
        dtype = deals[stage].dtype
        if not (isinstance(dtype, pd.CategoricalDtype) and dtype.ordered):
            raise TypeError(
                f"column {stage!r}: expected an ordered categorical (the stages in order), got "
                f"{dtype}; pass stages=[...] with the stages in order, the won stage last"
            )
        stages = list(dtype.categories)
    stages = [str(s) for s in stages]
    if len(stages) < 2 or len(set(stages)) != len(stages):
        raise ValueError(f"stages: expected two or more distinct stages, got {preview(stages)}")
    unknown = sorted(set(deals[stage].dropna().astype(str)) - set(stages))
    if unknown or deals[stage].isna().any():
        found = unknown or ["a missing value"]
        raise ValueError(
            f"column {stage!r}: expected one of the stages ({preview(stages)}), "
            f"found {preview(found)}"
        )
    return stages


def _statuses(deals: pd.DataFrame, status: str) -> pd.Series:
    values = deals[status].astype("string")
    bad = sorted(set(values.dropna()) - set(STATUSES))
    if bad or values.isna().any():
        raise ValueError(
            f"column {status!r}: expected 'open', 'won' or 'lost', "
            f"found {preview(bad or ['a missing value'])}"
        )
    return values


def _checked(deals, stage, status, stages, by):
    deals = require_frame(deals, "deals")
    groups = _group_list(by)
    require_columns(deals, [stage, status, *groups], "deals")
    order = _stage_order(deals, stage, stages)
    state = _statuses(deals, status)
    at_end = deals[stage].astype(str) == order[-1]
    wrong = deals.index[at_end != (state == "won")]
    if len(wrong):
        raise ValueError(
            f"columns {stage!r} and {status!r}: a deal is 'won' exactly when it reached the last "
            f"stage ({order[-1]!r}); rows {preview(wrong)} break this"
        )
    return deals, groups, order, state


def funnel(
    deals: pd.DataFrame,
    *,
    stage: str = "stage",
    status: str = "status",
    stages: Sequence[str] | None = None,
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Deals per stage, stage-to-stage conversion and each stage's win probability.

    Each row of ``deals`` is one deal with the furthest stage it reached (``stage``) and its
    ``status`` ('open', 'won' or 'lost'); a deal is won exactly when it reached the last
    stage. For each stage *k* before the last:

    - ``reached``: deals that reached stage *k* or a later one;
    - ``moved_on``: deals that reached stage *k + 1* or later;
    - ``lost``: deals lost at stage *k* (dropped out there);
    - ``open``: deals still open at stage *k*, whose fate there is not known yet;
    - ``conversion = moved_on / (moved_on + lost)``: the share of the deals with a known
      fate at stage *k* that moved on (open deals are left out, not counted as failures);
    - ``win_probability``: the product of the conversions from stage *k* to the end, the
      chance that a deal now at stage *k* is won (1 for the last stage).

    ``share_of_first`` is ``reached`` divided by the deals of the first stage.

    Parameters
    ----------
    deals : DataFrame
        One row per deal.
    stage : str
        Column with the furthest stage reached: an ordered categorical, or any labels when
        ``stages`` is given.
    status : str
        Column with 'open', 'won' or 'lost'.
    stages : sequence of str, optional
        The stages in order, the won stage last (default: the categories of ``stage``).
    by : str or list of str, optional
        Column(s) to compute one funnel per group (e.g. the lead source).

    Returns
    -------
    DataFrame
        One row per stage (per group, the group columns first): ``stage``, ``reached``,
        ``moved_on``, ``lost``, ``open``, ``conversion``, ``share_of_first``,
        ``win_probability``. The last stage has ``conversion`` NaN.

    Examples
    --------
    >>> deals = pd.DataFrame({"stage": ["lead", "lead", "offer", "won", "offer"],
    ...                       "status": ["lost", "open", "lost", "won", "open"]})
    >>> f = funnel(deals, stages=["lead", "offer", "won"])
    >>> f[["stage", "reached", "conversion", "win_probability"]]  # lead: 3 of 4 known moved on
       stage  reached  conversion  win_probability
    0   lead        5        0.75            0.375
    1  offer        3        0.50            0.500
    2    won        1         NaN            1.000
    """
    deals, groups, order, state = _checked(deals, stage, status, stages, by)
    level = pd.Categorical(deals[stage].astype(str), categories=order, ordered=True).codes
    frame = pd.DataFrame({"level": level, "state": state.to_numpy()}, index=deals.index)
    for g in groups:
        frame[g] = deals[g]
    parts = frame.groupby(groups, observed=True, sort=True) if groups else [((), frame)]
    rows = []
    for key, part in parts:
        at = np.zeros((len(order), 3), dtype=int)  # deals whose furthest stage is k: open/won/lost
        for j, s in enumerate(STATUSES):
            at[:, j] = np.bincount(part["level"][part["state"] == s], minlength=len(order))
        reached = at.sum(axis=1)[::-1].cumsum()[::-1]
        moved = np.append(reached[1:], 0)
        lost, still = at[:, 2], at[:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            conversion = np.where(moved + lost > 0, moved / (moved + lost), np.nan)
        conversion[-1] = np.nan
        win = np.append(np.cumprod(conversion[:-1][::-1])[::-1], 1.0)
        table = pd.DataFrame(
            {
                "stage": pd.Categorical(order, categories=order, ordered=True),
                "reached": reached,
                "moved_on": moved,
                "lost": lost,
                "open": still,
                "conversion": conversion,
                "share_of_first": reached / reached[0] if reached[0] else np.nan,
                "win_probability": win,
            }
        )
        key = key if isinstance(key, tuple) else (key,)
        for g, value in zip(groups[::-1], key[::-1], strict=True):
            table.insert(0, g, value)
        rows.append(table)
    return pd.concat(rows, ignore_index=True)


def win_rate(
    deals: pd.DataFrame,
    *,
    status: str = "status",
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Share of closed deals won (hit ratio), with a Wilson score interval.

    ``win_rate = won / (won + lost)``; open deals are not closed yet and are left out. The
    interval is Wilson's score interval (Wilson 1927; method 3 of Newcombe 1998, whose
    examples it reproduces: 81 of 263 gives 0.2553 to 0.3662).

    Parameters
    ----------
    deals : DataFrame
        One row per deal.
    status : str
        Column with 'open', 'won' or 'lost'.
    by : str or list of str, optional
        Column(s) to compute one rate per group.
    confidence : float
        Coverage of the interval, in (0, 1).

    Returns
    -------
    DataFrame
        ``won``, ``lost``, ``open``, ``closed``, ``win_rate``, ``low``, ``high``: one row (per
        group, the group columns first; a group without closed deals has NaN rates).

    Examples
    --------
    >>> deals = pd.DataFrame({"status": ["won"] * 81 + ["lost"] * 182 + ["open"] * 5})
    >>> win_rate(deals)[["won", "closed", "win_rate", "low", "high"]].round(4)
       won  closed  win_rate    low    high
    0   81     263     0.308  0.2553  0.3662
    """
    deals = require_frame(deals, "deals")
    groups = _group_list(by)
    require_columns(deals, [status, *groups], "deals")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence: expected a number between 0 and 1, got {confidence!r}")
    state = _statuses(deals, status)
    counts = pd.DataFrame({s: (state == s).astype(int) for s in STATUSES}, index=deals.index)
    if groups:
        counts = pd.concat([deals[groups], counts], axis=1)
        counts = counts.groupby(groups, observed=True, sort=True)[list(STATUSES)].sum()
        counts = counts.reset_index()
    else:
        counts = counts.sum().to_frame().T
    won, lost = counts["won"].to_numpy(float), counts["lost"].to_numpy(float)
    n = won + lost
    with np.errstate(invalid="ignore", divide="ignore"):
        counts["win_rate"] = won / n
    counts["closed"] = n.astype(int)
    counts["low"], counts["high"] = wilson(won, n, confidence=confidence)
    return counts[[*groups, "won", "lost", "open", "closed", "win_rate", "low", "high"]]


def _entered_dates(deals: pd.DataFrame, entered: Mapping[str, str]) -> dict[str, pd.Series]:
    if not isinstance(entered, Mapping) or len(entered) < 1:
        raise TypeError(
            "entered: expected a mapping {stage: date column} in stage order, the first "
            f"being the column of the deal's creation, got {entered!r}"
        )
    require_columns(deals, list(entered.values()), "deals")
    dates = {s: as_datetime(deals[c], c) for s, c in entered.items()}
    first_stage, first_column = next(iter(entered.items()))
    if dates[first_stage].isna().any():
        raise ValueError(f"column {first_column!r}: every deal needs a creation date")
    return dates


def stage_durations(
    deals: pd.DataFrame,
    entered: Mapping[str, str],
    *,
    closed: str = "closed_date",
    status: str = "status",
    as_of: object = None,
) -> pd.DataFrame:
    """Days each deal spent in each stage it entered.

    A deal enters stage *k* on the date in its column of ``entered`` and leaves it when it
    enters the next stage, or when it is closed (won or lost) if it went no further. A deal
    still open at stage *k* has not left it yet: its ``days`` are counted up to ``as_of``
    when given, else missing.

    Parameters
    ----------
    deals : DataFrame
        One row per deal.
    entered : mapping of str to str
        ``{stage: date column}`` in stage order, the first column being the creation date;
        the won stage is not listed (closing is ``closed``).
    closed : str
        Column with the date the deal was won or lost (missing while open).
    status : str
        Column with 'open', 'won' or 'lost'.
    as_of : date, optional
        Snapshot date up to which open stays are counted.

    Returns
    -------
    DataFrame
        One row per deal and stage entered, in the order of ``deals`` then stages: ``deal``
        (the index label of ``deals``), ``stage`` (ordered categorical), ``entered``,
        ``left`` (NaT while open), ``days`` and ``outcome`` ('moved on', 'won', 'lost' or
        'open').

    Examples
    --------
    >>> deals = pd.DataFrame({"created": ["2024-01-01", "2024-01-01"],
    ...                       "offer": ["2024-01-11", None],
    ...                       "closed": ["2024-01-31", "2024-01-05"],
    ...                       "status": ["won", "lost"]})
    >>> d = stage_durations(deals, {"lead": "created", "offer": "offer"}, closed="closed")
    >>> d[["deal", "stage", "days", "outcome"]]
       deal  stage  days   outcome
    0     0   lead  10.0  moved on
    1     0  offer  20.0       won
    2     1   lead   4.0      lost
    """
    deals = require_frame(deals, "deals")
    require_columns(deals, [closed, status], "deals")
    dates = _entered_dates(deals, entered)
    state = _statuses(deals, status).to_numpy()
    end = as_datetime(deals[closed], closed)
    order = list(entered)
    stacked = np.column_stack([dates[s].to_numpy("datetime64[ns]") for s in order])
    nat = np.isnat(stacked)
    rows = []
    for k, s in enumerate(order):
        inside = ~nat[:, k]
        nxt = stacked[:, k + 1] if k + 1 < len(order) else np.full(len(deals), np.datetime64("NaT"))
        moved = ~np.isnat(nxt)
        left = np.where(moved, nxt, end.to_numpy("datetime64[ns]"))
        outcome = np.where(moved, "moved on", state)
        rows.append(
            pd.DataFrame(
                {
                    "deal": deals.index,
                    "k": k,
                    "stage": s,
                    "entered": stacked[:, k],
                    "left": left,
                    "outcome": outcome,
                    "position": np.arange(len(deals)),
                }  # fmt: skip
            )[inside]
        )
    out = pd.concat(rows, ignore_index=True).sort_values(["position", "k"], kind="stable")
    stop = out["left"]
    if as_of is not None:
        stop = stop.fillna(pd.Timestamp(as_of))
    out["days"] = (stop - out["entered"]).dt.days.astype(float)
    bad = out.index[out["days"] < 0]
    if len(bad):
        raise ValueError(
            f"deals: stage dates out of order (a stage left before it was entered) for deals "
            f"{preview(out.loc[bad, 'deal'].unique())}"
        )
    out["stage"] = pd.Categorical(out["stage"], categories=order, ordered=True)
    cols = ["deal", "stage", "entered", "left", "days", "outcome"]
    return out[cols].reset_index(drop=True)


def snapshot(
    deals: pd.DataFrame,
    as_of: object,
    entered: Mapping[str, str],
    *,
    closed: str = "closed_date",
    stage: str = "stage",
    status: str = "status",
) -> pd.DataFrame:
    """The pipeline as it stood on ``as_of``: what the SFA system showed that day.

    Keeps the deals created on or before ``as_of``. A deal closed after ``as_of`` is shown
    open, at the last stage it had entered by then; dates after ``as_of`` are blanked. A deal
    closed on or before ``as_of`` keeps its status and stage.

    Parameters
    ----------
    deals : DataFrame
        One row per deal, with its final ``stage`` and ``status``.
    as_of : date
        The snapshot date.
    entered : mapping of str to str
        ``{stage: date column}`` in stage order, the first column being the creation date;
        the won stage is not listed.
    closed, stage, status : str
        Columns with the closing date, the furthest stage reached and the status.

    Returns
    -------
    DataFrame
        A copy of the deals created by ``as_of`` (same index), with ``stage``, ``status``,
        ``closed`` and the stage dates as they were on ``as_of``.

    Examples
    --------
    >>> deals = pd.DataFrame({"created": pd.to_datetime(["2024-01-01", "2024-03-01"]),
    ...                       "offer": pd.to_datetime(["2024-01-20", None]),
    ...                       "closed": pd.to_datetime(["2024-02-10", "2024-03-05"]),
    ...                       "stage": ["won", "lead"], "status": ["won", "lost"]})
    >>> snapshot(deals, "2024-02-01", {"lead": "created", "offer": "offer"}, closed="closed")
         created      offer closed  stage status
    0 2024-01-01 2024-01-20    NaT  offer   open
    """
    deals = require_frame(deals, "deals")
    require_columns(deals, [closed, stage, status], "deals")
    when = pd.Timestamp(as_of)
    dates = _entered_dates(deals, entered)
    state = _statuses(deals, status)
    first = next(iter(entered))
    keep = (dates[first] <= when).to_numpy()
    out = deals.loc[keep].copy()
    end = as_datetime(deals[closed], closed)[keep]
    closed_then = (end <= when).to_numpy()
    order = list(entered)
    reached = pd.Series(order[0], index=out.index, dtype=object)
    for s, column in entered.items():
        seen = dates[s][keep] <= when
        out[column] = dates[s][keep].where(seen)
        reached = reached.mask(seen, s)
    final_stage = deals.loc[keep, stage].astype(str)
    final_status = state[keep]
    new_stage = np.where(closed_then, final_stage, reached)
    new_status = np.where(closed_then, final_status, "open")
    out[closed] = end.where(closed_then)
    for column, values in [(stage, new_stage), (status, new_status)]:
        out[column] = pd.Series(values, index=out.index).astype(deals[column].dtype)
    return out


def weighted_pipeline(
    deals: pd.DataFrame,
    win_probability: Mapping[str, float] | pd.Series,
    *,
    stage: str = "stage",
    status: str = "status",
    value: str = "deal_value",
) -> pd.DataFrame:
    """The open deals' value per stage, weighted by each stage's win probability.

    ``weighted_value = value x P(win | stage)`` summed over the open deals of each stage; the
    total is the pipeline's expected won value (the weighted forecast). Won and lost deals are
    closed and left out.

    Parameters
    ----------
    deals : DataFrame
        One row per deal.
    win_probability : mapping or Series
        ``{stage: P(win | stage)}``, e.g. ``funnel(...).set_index("stage")["win_probability"]``;
        every stage with open deals needs one, in [0, 1].
    stage, status, value : str
        Columns with the current stage, 'open'/'won'/'lost' and the deal's value.

    Returns
    -------
    DataFrame
        One row per stage with open deals, in the order of ``win_probability``: ``stage``,
        ``deals``, ``value``, ``win_probability``, ``weighted_value``.

    Examples
    --------
    >>> deals = pd.DataFrame({"stage": ["lead", "offer", "offer", "won"],
    ...                       "status": ["open", "open", "open", "won"],
    ...                       "deal_value": [100.0, 50.0, 30.0, 70.0]})
    >>> weighted_pipeline(deals, {"lead": 0.1, "offer": 0.5, "won": 1.0})
       stage  deals  value  win_probability  weighted_value
    0   lead      1  100.0              0.1            10.0
    1  offer      2   80.0              0.5            40.0
    """
    deals = require_frame(deals, "deals")
    require_columns(deals, [stage, status, value], "deals")
    prob = pd.Series(dict(win_probability), dtype=float)
    if prob.isna().any() or ((prob < 0) | (prob > 1)).any():
        raise ValueError(
            f"win_probability: expected probabilities in [0, 1] per stage, got "
            f"{preview(prob.round(3).to_dict().items())}"
        )
    state = _statuses(deals, status)
    open_deals = deals.loc[(state == "open").to_numpy()]
    amounts = as_numeric(open_deals[value], value)
    stages = open_deals[stage].astype(str)
    missing = sorted(set(stages) - set(prob.index.astype(str)))
    if missing:
        raise KeyError(
            f"win_probability: no probability for the stage(s) {preview(missing)} of open deals; "
            f"it has {preview(prob.index)}"
        )
    table = amounts.groupby(stages.to_numpy(), sort=False).agg(["size", "sum"])
    table = table.rename(columns={"size": "deals", "sum": "value"})
    order = [s for s in prob.index.astype(str) if s in table.index]
    table = table.loc[order]
    table["win_probability"] = prob.set_axis(prob.index.astype(str)).loc[order].to_numpy()
    table["weighted_value"] = table["value"] * table["win_probability"]
    return table.rename_axis("stage").reset_index()
