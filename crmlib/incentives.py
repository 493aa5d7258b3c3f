"""Reward systems for CRM: what an incentive plan makes the sales force do, and what it earns.

A reward system (성과보상제도) is part of the organisational system CRM needs: people do what
they are paid for (Kerr 1975, "On the folly of rewarding A, while hoping for B"). When some of
a job's tasks are rewarded and others are not, the unrewarded ones are neglected (Holmström &
Milgrom 1991, the multitask principal-agent model). A plan that pays for every new customer
and nothing for keeping customers buys acquisitions, whatever the customers are worth.

The model here is deliberately simple, so that every number can be followed by hand:

- an **activity** is one way of spending selling hours: winning a new customer of some kind
  (``kind="acquisition"``) or keeping a customer who was about to leave
  (``kind="retention"``). Each has the hours one customer gained takes, the customer's lifetime
  value to the company (``clv``, e.g. from :func:`crmlib.value.clv`), the customer's
  retention rate per period and, optionally, a ``capacity``: how many such customers there are
  to gain in the period (there are only so many customers about to leave);
- a **plan** pays, per customer gained, a fixed bonus (``per_new`` for an acquisition,
  ``per_saved`` for a retention), paid only if the customer is still there after
  ``kept_periods`` periods (a claw-back; 0 pays at once), plus a share ``clv_share`` of the
  customer's CLV. The expected pay per customer is
  ``bonus * retention ** kept_periods + clv_share * clv``;
- a salesperson who maximises their pay spends each hour where it pays most: the activities
  are filled in order of pay per hour, up to their capacity, until the hours run out (the
  greedy rule is optimal for linear pay with capacities: the fractional knapsack, Dantzig
  1957). Activities that pay nothing get no hours. :func:`allocate_hours` does this for any
  ranking, so the same function also gives the allocation the company would want (ranked by
  CLV per hour).

Linear pay gives corner solutions (all hours on one activity until it is exhausted); real
people spread their time more, but they move in the direction the plan pays for.

References: Kerr, S. (1975), *Academy of Management Journal* 18(4), 769-783. Holmström, B. and
Milgrom, P. (1991), "Multitask principal-agent analyses", *Journal of Law, Economics, and
Organization* 7, 24-52. Dantzig, G. B. (1957), "Discrete-variable extremum problems",
*Operations Research* 5(2), 266-288.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from crmlib.validation import (
    as_number,
    as_numbers,
    preview,
    require_choice,
    require_columns,
    require_frame,
    require_positive_int,
)

__all__ = ["KINDS", "PLAN_TERMS", "plan_pay", "allocate_hours", "compare_plans"]

#: The two kinds of activity: winning a new customer, keeping one who was about to leave.
KINDS = ("acquisition", "retention")
#: The terms a plan may set (the keyword arguments of :func:`plan_pay`).
PLAN_TERMS = ("per_new", "per_saved", "kept_periods", "clv_share")


def _activities(
    activities: object, kind: str, clv: str, retention: str, hours: str
) -> pd.DataFrame:
    require_frame(activities, "activities")
    require_columns(activities, [kind, clv, retention, hours], "activities")
    if not activities.index.is_unique:
        repeated = activities.index[activities.index.duplicated()].unique()
        raise ValueError(
            f"activities: expected one row per activity (a unique index), repeated: "
            f"{preview(repeated)}"
        )
    kinds = activities[kind].astype(object)
    unknown = sorted({str(k) for k in kinds if k not in KINDS})
    if unknown:
        raise ValueError(
            f"activities: column {kind!r} expected {KINDS[0]!r} or {KINDS[1]!r}, got "
            f"{preview(unknown)}"
        )
    as_numbers(activities[clv], f"activities column {clv!r}")
    as_numbers(activities[retention], f"activities column {retention!r}", low=0, high=1)
    as_numbers(activities[hours], f"activities column {hours!r}", low=0, low_open=True)
    return activities


def plan_pay(
    activities: pd.DataFrame,
    *,
    per_new: float = 0.0,
    per_saved: float = 0.0,
    kept_periods: int = 0,
    clv_share: float = 0.0,
    kind: str = "kind",
    clv: str = "clv",
    retention: str = "retention",
    hours: str = "hours_per_customer",
) -> pd.DataFrame:
    """What a plan pays per customer and per hour for each activity, and what the company keeps.

    Parameters
    ----------
    activities : DataFrame
        One row per activity (the index names it) with the columns named by ``kind``
        (``"acquisition"`` or ``"retention"``), ``clv`` (the lifetime value of one customer
        gained, money), ``retention`` (the customer's retention rate per period, in [0, 1])
        and ``hours`` (selling hours per customer gained, > 0). Not modified.
    per_new, per_saved : float, default 0
        Bonus per new customer won (acquisition) and per customer kept (retention), >= 0.
    kept_periods : int, default 0
        The bonus is paid only for customers still there after this many periods (a
        claw-back); its expected value is ``bonus * retention ** kept_periods``. 0 pays at once.
    clv_share : float, default 0
        Share of each customer's CLV paid to the salesperson, in [0, 1].
    kind, clv, retention, hours : str
        Column names.

    Returns
    -------
    DataFrame
        ``activities`` with ``pay_per_customer`` (expected), ``pay_per_hour``,
        ``clv_per_hour`` and ``net_per_hour`` (CLV minus pay, per hour: what the company
        keeps).

    Examples
    --------
    >>> acts = pd.DataFrame(
    ...     {"kind": ["acquisition", "acquisition", "retention"],
    ...      "clv": [250.0, 1300.0, 250.0], "retention": [0.7, 0.97, 0.7],
    ...      "hours_per_customer": [1.0, 3.0, 0.5]},
    ...     index=["month-to-month", "two-year", "save"])
    >>> plan_pay(acts, per_new=30)[["pay_per_hour", "net_per_hour"]].round(1)
                    pay_per_hour  net_per_hour
    month-to-month          30.0         220.0
    two-year                10.0         423.3
    save                     0.0         500.0
    >>> plan_pay(acts, per_new=30, kept_periods=4)["pay_per_customer"].round(2).tolist()
    [7.2, 26.56, 0.0]
    """
    acts = _activities(activities, kind, clv, retention, hours)
    new = as_number(per_new, "per_new", low=0)
    saved = as_number(per_saved, "per_saved", low=0)
    periods = require_positive_int(kept_periods, "kept_periods", minimum=0)
    share = as_number(clv_share, "clv_share", low=0, high=1)
    value = acts[clv].astype(float)
    bonus = np.where(acts[kind].astype(object) == "acquisition", new, saved)
    pay = bonus * acts[retention].astype(float) ** periods + share * value
    effort = acts[hours].astype(float)
    out = acts.copy()
    out["pay_per_customer"] = pay
    out["pay_per_hour"] = pay / effort
    out["clv_per_hour"] = value / effort
    out["net_per_hour"] = (value - pay) / effort
    return out


def allocate_hours(
    activities: pd.DataFrame,
    hours_available: float,
    *,
    rank_by: str = "pay_per_hour",
    hours: str = "hours_per_customer",
    capacity: str | None = None,
) -> pd.DataFrame:
    """Spend the hours on the activities in order of ``rank_by``, each up to its capacity.

    This is what a person does who maximises the quantity in ``rank_by`` (pay per hour for a
    salesperson, CLV per hour for the company) when it is earned linearly: the best activity
    first, until its customers run out, then the next. Activities whose ``rank_by`` is 0 or
    less get no hours; ties are served in the order of the rows.

    Parameters
    ----------
    activities : DataFrame
        One row per activity, e.g. from :func:`plan_pay`; not modified.
    hours_available : float
        Selling hours in the period, >= 0.
    rank_by : str, default "pay_per_hour"
        Column to rank the activities by (higher first).
    hours : str, default "hours_per_customer"
        Column of hours per customer gained (> 0).
    capacity : str or None
        Column of the most customers the activity can gain in the period (>= 0; missing or
        ``inf``: no limit). ``None``: no activity is limited.

    Returns
    -------
    DataFrame
        ``activities`` with ``hours`` (spent on the activity) and ``customers`` (gained).

    Examples
    --------
    >>> acts = pd.DataFrame({"pay_per_hour": [3.0, 1.0, 4.9], "hours_per_customer": [1, 3, 0.5],
    ...                      "capacity": [np.inf, np.inf, 40]}, index=["mtm", "two-year", "save"])
    >>> allocate_hours(acts, 100, capacity="capacity")[["hours", "customers"]]
              hours  customers
    mtm        80.0       80.0
    two-year    0.0        0.0
    save       20.0       40.0
    """
    require_frame(activities, "activities")
    needed = [rank_by, hours] + ([capacity] if capacity is not None else [])
    require_columns(activities, needed, "activities")
    left = as_number(hours_available, "hours_available", low=0)
    score = as_numbers(activities[rank_by], f"activities column {rank_by!r}")
    effort = as_numbers(activities[hours], f"activities column {hours!r}", low=0, low_open=True)
    if capacity is None:
        limit = np.full(len(activities), np.inf)
    else:
        raw = pd.to_numeric(activities[capacity], errors="coerce")
        if raw.isna().sum() > activities[capacity].isna().sum():
            bad = activities.loc[raw.isna() & activities[capacity].notna(), capacity]
            raise TypeError(
                f"activities column {capacity!r}: expected numbers (customers), got "
                f"{preview(bad.tolist())}"
            )
        limit = raw.fillna(np.inf).to_numpy(dtype=float)
        if (limit < 0).any():
            raise ValueError(
                f"activities column {capacity!r}: expected numbers >= 0, got "
                f"{preview(limit[limit < 0].tolist())}"
            )
    spent = np.zeros(len(activities))
    for i in np.argsort(-score, kind="stable"):
        if score[i] <= 0 or left <= 0:
            break
        spent[i] = min(left, limit[i] * effort[i])
        left -= spent[i]
    out = activities.copy()
    out["hours"] = spent
    out["customers"] = spent / effort
    return out


def compare_plans(
    activities: pd.DataFrame,
    plans: Mapping[str, Mapping[str, float]],
    hours_available: float,
    *,
    capacity: str | None = None,
    kind: str = "kind",
    clv: str = "clv",
    retention: str = "retention",
    hours: str = "hours_per_customer",
) -> pd.DataFrame:
    """What each plan makes a pay-maximising salesperson do, and what it earns the company.

    For each plan, :func:`plan_pay` prices the activities and :func:`allocate_hours` spends
    ``hours_available`` where the plan pays most. The row ``"company's choice"`` is added
    first: the hours spent where the CLV per hour is highest, the allocation the company
    would want, with no pay.

    Parameters
    ----------
    activities : DataFrame
        As in :func:`plan_pay`, plus the ``capacity`` column if given.
    plans : mapping
        Plan name -> its terms (any of :data:`PLAN_TERMS`), e.g.
        ``{"per sale": {"per_new": 30_000}}``.
    hours_available : float
        Selling hours per salesperson in the period (>= 0).
    capacity, kind, clv, retention, hours : str
        Column names, as in :func:`plan_pay` and :func:`allocate_hours`.

    Returns
    -------
    DataFrame
        Tidy, one row per plan and activity (the plans in the order given, after the
        company's choice; the activities in their order): ``plan``, ``activity``, ``kind``,
        ``hours``, ``customers``, ``pay`` (expected pay for those customers), ``clv_gained``
        and ``net_value`` (CLV gained minus pay).

    Examples
    --------
    >>> acts = pd.DataFrame(
    ...     {"kind": ["acquisition", "acquisition", "retention"],
    ...      "clv": [250.0, 1300.0, 250.0], "retention": [0.7, 0.97, 0.7],
    ...      "hours_per_customer": [1.0, 3.0, 0.5], "capacity": [np.inf, np.inf, 40]},
    ...     index=["month-to-month", "two-year", "save"])
    >>> out = compare_plans(acts, {"per sale": {"per_new": 30}}, 100, capacity="capacity")
    >>> out.pivot(index="activity", columns="plan", values="customers").round(1)
    plan            company's choice  per sale
    activity
    month-to-month               0.0     100.0
    save                        40.0       0.0
    two-year                    26.7       0.0
    >>> out.groupby("plan", sort=False)["clv_gained"].sum().round(0).tolist()
    [44667.0, 25000.0]
    """
    if not isinstance(plans, Mapping) or not plans:
        raise TypeError(
            "plans: expected a non-empty mapping of plan name -> terms, e.g. "
            "{'per sale': {'per_new': 30000}}"
        )
    acts = _activities(activities, kind, clv, retention, hours)
    budget = as_number(hours_available, "hours_available", low=0)
    frames = []
    priced_plans = {"company's choice": ({}, "clv_per_hour")}
    for name, terms in plans.items():
        if name == "company's choice":
            raise ValueError('plans: the name "company\'s choice" is reserved for the benchmark')
        if not isinstance(terms, Mapping):
            raise TypeError(f"plans[{name!r}]: expected a mapping of terms, got {terms!r}")
        for term in terms:
            require_choice(term, f"plans[{name!r}] term", PLAN_TERMS)
        priced_plans[name] = (dict(terms), "pay_per_hour")
    for name, (terms, rank_by) in priced_plans.items():
        priced = plan_pay(acts, **terms, kind=kind, clv=clv, retention=retention, hours=hours)
        done = allocate_hours(priced, budget, rank_by=rank_by, hours=hours, capacity=capacity)
        pay = done["customers"] * done["pay_per_customer"]
        gained = done["customers"] * done[clv].astype(float)
        frames.append(
            pd.DataFrame(
                {
                    "plan": name,
                    "activity": done.index,
                    "kind": done[kind].astype(object).to_numpy(),
                    "hours": done["hours"].to_numpy(),
                    "customers": done["customers"].to_numpy(),
                    "pay": pay.to_numpy(),
                    "clv_gained": gained.to_numpy(),
                    "net_value": (gained - pay).to_numpy(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
