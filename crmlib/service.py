"""Service-level measures of a customer-service centre, from its tickets.

The CRM scorecard of the course lists, among the retention (관계유지) measures of the CRM
process, the customer's **response and waiting time** (고객 응답/대기시간), the **share of
complaints resolved at the first contact** (고객불만 1차 해결비율, first-contact resolution,
FCR) and the **share of problems resolved** (고객문제 해결비율). :func:`service_kpis`
computes them from one row per ticket, overall or per group (channel, category, agent,
month), with the satisfaction score (CSAT) of the follow-up survey where one was answered.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crmlib.validation import (
    as_datetime,
    as_numeric,
    require_columns,
    require_frame,
    require_number,
    require_outcomes,
)

__all__ = ["service_kpis"]


def service_kpis(
    tickets: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    *,
    fcr: str = "first_contact_resolution",
    created: str = "created_at",
    resolved: str = "resolved_at",
    wait: str | None = "wait_minutes",
    satisfaction: str | None = "satisfaction",
    within_hours: float = 24.0,
) -> pd.DataFrame:
    """First-contact resolution, waiting, resolution time and satisfaction, per group.

    Parameters
    ----------
    tickets : DataFrame
        One row per ticket.
    by : str or list of str, optional
        Column(s) to group by; ``None`` gives one row ``"all"``.
    fcr : str
        Boolean column: resolved at the first contact.
    created, resolved : str
        When the ticket was opened and closed (closed is missing while it is open).
    wait : str or None
        Waiting time in minutes; ``None`` to leave it out.
    satisfaction : str or None
        Survey score, missing when not answered; ``None`` to leave it out.
    within_hours : float, default 24
        The service-level target for resolution.

    Returns
    -------
    DataFrame
        Per group: ``tickets``; ``fcr_rate`` (share resolved at the first contact);
        ``resolved_rate`` (share closed at all); ``resolved_within`` (share closed within
        ``within_hours`` of opening, open tickets counted as not); ``median_hours`` (median
        hours to resolution of the closed tickets); ``mean_wait_minutes``; ``csat`` (mean
        score of the answered surveys) and ``csat_answers``.

    Examples
    --------
    >>> t = pd.DataFrame({
    ...     "channel": ["phone", "phone", "e-mail"],
    ...     "first_contact_resolution": [True, False, True],
    ...     "created_at": pd.to_datetime(["2023-01-01 09:00"] * 3),
    ...     "resolved_at": pd.to_datetime(["2023-01-01 10:00", "2023-01-03 09:00", None]),
    ...     "wait_minutes": [2.0, 4.0, 300.0], "satisfaction": [5, 2, None]})
    >>> service_kpis(t, "channel")[["tickets", "fcr_rate", "resolved_within", "csat"]]
             tickets  fcr_rate  resolved_within  csat
    channel
    e-mail         1       1.0              0.0   NaN
    phone          2       0.5              0.5   3.5
    """
    require_frame(tickets, "tickets")
    groups = [] if by is None else [by] if isinstance(by, str) else list(by)
    optional = [c for c in (wait, satisfaction) if c is not None]
    require_columns(tickets, [*groups, fcr, created, resolved, *optional], "tickets")
    hours = require_number(within_hours, "within_hours", minimum=0.0, strict=True)
    opened = as_datetime(tickets[created], created)
    closed = as_datetime(tickets[resolved], resolved)
    duration = (closed - opened).dt.total_seconds() / 3600
    if (duration < 0).any():
        at = tickets.index[(duration < 0).to_numpy()][0]
        raise ValueError(
            f"{resolved}: expected a time after {created!r}, got an earlier one at row {at!r}"
        )
    frame = pd.DataFrame(
        {
            "fcr": require_outcomes(tickets[fcr], f"column {fcr!r}"),
            "resolved": closed.notna().to_numpy(dtype=float),
            "within": (duration <= hours).to_numpy(dtype=float),
            "hours": duration.to_numpy(),
        },
        index=tickets.index,
    )
    if wait is not None:
        frame["wait"] = as_numeric(tickets[wait], wait).to_numpy(dtype=float)
    if satisfaction is not None:
        frame["csat"] = as_numeric(tickets[satisfaction], satisfaction).astype("Float64")
    keys = [tickets[g] for g in groups] if groups else np.repeat("all", len(tickets))
    grouped = frame.groupby(keys, observed=True, sort=True)
    out = pd.DataFrame(
        {
            "tickets": grouped.size().astype("int64"),
            "fcr_rate": grouped["fcr"].mean(),
            "resolved_rate": grouped["resolved"].mean(),
            "resolved_within": grouped["within"].mean(),
            "median_hours": grouped["hours"].median(),
        }
    )
    if wait is not None:
        out["mean_wait_minutes"] = grouped["wait"].mean()
    if satisfaction is not None:
        out["csat"] = grouped["csat"].mean().astype(float)
        out["csat_answers"] = grouped["csat"].count().astype("int64")
    if not groups:
        out.index.name = None
    return out
