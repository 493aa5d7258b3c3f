"""Customer-service tickets: voice of the customer (VOC), channels, first-contact resolution.

One year of tickets at an online retailer's service centre. Each ticket has a VOC category,
the channel it came in by, the agent, whether it was resolved at the first contact (FCR), how
many contacts it took, the handling time and, when the customer answered the follow-up survey,
a satisfaction score (CSAT, 1-5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import apply_schema, category, check_seed, check_size, rng_for

__all__ = ["make_tickets", "TICKETS_SCHEMA"]

START = pd.Timestamp("2023-01-01")
CATEGORIES = ["delivery", "billing", "product defect", "return/refund", "account/login",
              "technical support", "staff complaint", "information request"]  # fmt: skip
CHANNELS = ["phone", "e-mail", "chat", "web form", "store"]
# category: share, first-contact-resolution log-odds, mean handling minutes
_CATEGORY_TABLE = {
    "delivery": (0.24, 1.0, 7.0),
    "billing": (0.14, 0.6, 9.0),
    "product defect": (0.12, -0.4, 14.0),
    "return/refund": (0.15, 0.2, 10.0),
    "account/login": (0.10, 1.4, 6.0),
    "technical support": (0.09, -0.6, 18.0),
    "staff complaint": (0.04, -0.8, 15.0),
    "information request": (0.12, 2.2, 4.0),
}
# channel: share, FCR log-odds shift, handling-time factor, mean wait minutes
_CHANNEL_TABLE = {
    "phone": (0.40, 0.5, 1.0, 4.0),
    "e-mail": (0.22, -0.9, 0.8, 600.0),
    "chat": (0.20, 0.2, 1.3, 2.0),
    "web form": (0.10, -0.7, 0.7, 900.0),
    "store": (0.08, 0.6, 1.2, 8.0),
}
N_AGENTS = 40
SURVEY_RESPONSE_RATE = 0.45

TICKETS_SCHEMA = {
    "ticket_id": "int",
    "customer_id": "int",
    "created_at": "datetime",
    "category": category(CATEGORIES),
    "channel": category(CHANNELS),
    "agent_id": "str",
    "first_contact_resolution": "bool",
    "contacts": "int",
    "wait_minutes": "float1",
    "handling_minutes": "float1",
    "resolved_at": "datetime",
    "satisfaction": "Int64",
}


def make_tickets(n_tickets: int = 8000, seed: int = 0) -> pd.DataFrame:
    """Service tickets of one year (2023) with VOC category, channel, FCR and satisfaction.

    Planted effects:

    - satisfaction is about 2 points lower when the ticket was not resolved at the first
      contact: 1.3 points for the failure itself, the rest through the extra contacts
      (-0.3 each) and longer waits;
    - first-contact resolution depends on the category (information requests and log-in
      problems are easy; technical support, defects and staff complaints are hard), on the
      channel (phone, chat and store resolve more than e-mail and web forms) and on the agent
      (agents differ in skill; a few are much better);
    - delivery complaints more than double in November and December (the Christmas peak);
    - handling time grows with the category's difficulty and is longer on chat.

    Parameters
    ----------
    n_tickets : int
        Number of tickets (at least 100).
    seed : int
        Seed of the random stream.

    Returns
    -------
    DataFrame
        ``ticket_id`` (int), ``customer_id`` (int), ``created_at`` (datetime),
        ``category`` and ``channel`` (categories), ``agent_id`` (str),
        ``first_contact_resolution`` (bool), ``contacts`` (int, 1 when resolved first time),
        ``wait_minutes`` and ``handling_minutes`` (total over the contacts),
        ``resolved_at`` (datetime) and ``satisfaction`` (Int64 1-5, missing when the customer
        did not answer the survey, about 55 %), sorted by ``created_at``.

    Examples
    --------
    >>> t = make_tickets(n_tickets=300, seed=1)
    >>> bool((t.loc[t["first_contact_resolution"], "contacts"] == 1).all())
    True
    """
    n = check_size(n_tickets, "n_tickets", minimum=100)
    rng = rng_for(check_seed(seed), "tickets")
    cats = np.array([_CATEGORY_TABLE[c] for c in CATEGORIES])
    chans = np.array([_CHANNEL_TABLE[c] for c in CHANNELS])

    # the centre works 07:00-22:59 every day
    minute = np.sort(rng.integers(0, 365, size=n) * 1440 + 420 + rng.integers(0, 960, size=n))
    created = START + pd.to_timedelta(minute, unit="min")
    peak = np.isin(created.month, [11, 12])
    share = np.tile(cats[:, 0], (n, 1))
    share[peak, 0] *= 2.5  # the Christmas delivery peak
    share /= share.sum(axis=1, keepdims=True)
    cat = (rng.random(n)[:, None] > np.cumsum(share, axis=1)).sum(axis=1)
    chan = rng.choice(len(CHANNELS), size=n, p=chans[:, 0])
    skill = rng.normal(0, 0.5, N_AGENTS)
    skill[:3] += 1.0  # three star agents
    agent = rng.integers(0, N_AGENTS, size=n)

    fcr = rng.random(n) < 1 / (1 + np.exp(-(cats[cat, 1] + chans[chan, 1] + skill[agent])))
    contacts = np.where(fcr, 1, 2 + rng.poisson(0.7, n))
    wait = rng.exponential(chans[chan, 3]) * contacts
    handle = rng.gamma(4.0, cats[cat, 2] * chans[chan, 2] / 4.0) * contacts**0.8
    wait, handle = np.round(wait, 1), np.round(handle, 1)
    follow_up = np.where(fcr, 0.0, rng.exponential(2 * 1440.0, n) * (contacts - 1))
    resolved = created + pd.to_timedelta(np.round(wait + handle + follow_up), unit="min")

    mood = (
        4.4
        - 1.3 * (~fcr)
        - 0.3 * (contacts - 1)
        - 0.25 * np.log1p(wait / 10)
        - 0.4 * (cat == CATEGORIES.index("staff complaint"))
        + rng.normal(0, 0.7, n)
    )
    score = np.clip(np.round(mood), 1, 5).astype(int)
    answered = rng.random(n) < SURVEY_RESPONSE_RATE
    frame = pd.DataFrame(
        {
            "ticket_id": 100001 + np.arange(n),
            "customer_id": rng.integers(10001, 10001 + max(n // 2, 50), size=n),
            "created_at": created,
            "category": np.array(CATEGORIES)[cat],
            "channel": np.array(CHANNELS)[chan],
            "agent_id": np.array([f"A{i + 1:02d}" for i in range(N_AGENTS)])[agent],
            "first_contact_resolution": fcr,
            "contacts": contacts,
            "wait_minutes": wait,
            "handling_minutes": handle,
            "resolved_at": resolved,
            "satisfaction": pd.array(np.where(answered, score, 0), dtype="Int64"),
        }
    )
    frame["satisfaction"] = frame["satisfaction"].where(answered)
    return apply_schema(frame, TICKETS_SCHEMA)
