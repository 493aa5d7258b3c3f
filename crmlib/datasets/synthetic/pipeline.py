"""A B2B sales pipeline: leads from several sources moving through stages to won or lost.

Two years of leads at a business-software vendor. A lead is qualified, gets a proposal, goes
into negotiation and is won, or drops out (lost) at some stage. Leads created in the last
months may still be open at the snapshot date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import apply_schema, category, check_seed, check_size, rng_for, sigmoid

__all__ = ["make_pipeline", "PIPELINE_SCHEMA", "STAGES"]

START = pd.Timestamp("2023-01-01")
SNAPSHOT = pd.Timestamp("2024-12-31")
STAGES = ["lead", "qualified", "proposal", "negotiation", "won"]
SOURCES = ["web form", "referral", "trade show", "cold call", "partner", "e-mail campaign"]
INDUSTRIES = ["retail", "finance", "manufacturing", "healthcare", "public sector", "IT"]
SIZES = ["small", "medium", "large"]
REPS = ["Ahn", "Baek", "Choi", "Han", "Jung", "Kim", "Lee", "Park", "Seo", "Yoon"]
# source: share, log-odds shift of every stage transition
_SOURCE_TABLE = {
    "web form": (0.30, 0.0),
    "referral": (0.10, 1.0),
    "trade show": (0.15, 0.3),
    "cold call": (0.20, -0.8),
    "partner": (0.10, 0.6),
    "e-mail campaign": (0.15, -0.3),
}
# base log-odds of moving on from lead, qualified, proposal, negotiation
_STAGE_LOGIT = np.array([-0.2, 0.4, 0.3, 0.6])
_STAGE_DAYS = np.array([7.0, 14.0, 21.0, 18.0])  # mean days spent in each stage
_REP_SKILL = np.array([0.0, 0.2, -0.3, 0.1, 0.9, -0.1, 0.0, -0.4, 0.3, 0.1])  # Jung stands out
_SIZE_VALUE = np.array([8.0, 30.0, 120.0])  # median deal value, million won

PIPELINE_SCHEMA = {
    "lead_id": "str",
    "created_date": "date",
    "source": category(SOURCES),
    "industry": category(INDUSTRIES),
    "company_size": category(SIZES, ordered=True),
    "sales_rep": category(REPS),
    "stage": category(STAGES, ordered=True),
    "status": category(["open", "won", "lost"]),
    "qualified_date": "date",
    "proposal_date": "date",
    "negotiation_date": "date",
    "closed_date": "date",
    "deal_value": "float1",
}


def make_pipeline(n_leads: int = 3000, seed: int = 0) -> pd.DataFrame:
    """Leads of two years (2023-2024) and how far each went in the sales funnel.

    Planted effects:

    - the source shifts every stage's conversion: referrals convert best (about 3 times the
      win rate of web forms), then partners and trade shows; cold calls convert worst;
    - sales rep Jung converts clearly better than the others, Park and Choi worse;
    - large companies bring deals about 15 times the value of small ones and take longer in
      every stage (1.6 times as long), medium ones in between;
    - the later a lead was created, the more likely it is still open at 2024-12-31.

    Parameters
    ----------
    n_leads : int
        Number of leads (at least 100).
    seed : int
        Seed of the random stream.

    Returns
    -------
    DataFrame
        ``lead_id`` (str), ``created_date`` (date), ``source``, ``industry``,
        ``company_size`` (ordered), ``sales_rep`` (categories), ``stage`` (ordered: the
        furthest stage reached: lead, qualified, proposal, negotiation, won), ``status``
        (open, won, lost), ``qualified_date``, ``proposal_date``, ``negotiation_date``
        (dates, missing when not reached), ``closed_date`` (date won or lost, missing while
        open) and ``deal_value`` (million won: the estimate, or the signed value if won).

    Examples
    --------
    >>> p = make_pipeline(n_leads=200, seed=1)
    >>> bool((p.loc[p["status"] == "won", "stage"] == "won").all())
    True
    """
    n = check_size(n_leads, "n_leads", minimum=100)
    rng = rng_for(check_seed(seed), "pipeline")
    src_table = np.array([_SOURCE_TABLE[s] for s in SOURCES])
    created = np.sort(rng.integers(0, (SNAPSHOT - START).days + 1, size=n))
    source = rng.choice(len(SOURCES), size=n, p=src_table[:, 0])
    size = rng.choice(3, size=n, p=[0.5, 0.35, 0.15])
    rep = rng.integers(0, len(REPS), size=n)
    industry = rng.choice(len(INDUSTRIES), size=n)

    logit = _STAGE_LOGIT[None, :] + (src_table[source, 1] + _REP_SKILL[rep])[:, None]
    advance = rng.random((n, 4)) < sigmoid(logit)
    days = rng.exponential(_STAGE_DAYS[None, :] * np.array([1.0, 1.3, 1.6])[size][:, None])
    days = np.ceil(days).astype(int)
    entered = created[:, None] + np.cumsum(days, axis=1)  # day each transition happens
    horizon = (SNAPSHOT - START).days
    stage = np.zeros(n, dtype=int)
    status = np.full(n, "open", dtype=object)
    for k in range(4):  # a lead at stage k moves on, drops out, or is still pending
        here = (stage == k) & (status == "open")
        done = here & (entered[:, k] <= horizon)
        stage = np.where(done & advance[:, k], k + 1, stage)
        status = np.where(done & ~advance[:, k], "lost", status)
    status = np.where(stage == 4, "won", status)
    closed_day = np.where(
        status == "won", entered[:, 3], entered[np.arange(n), np.minimum(stage, 3)]
    )

    def date_at(day: np.ndarray, mask: np.ndarray) -> pd.Series:
        return pd.Series(START + pd.to_timedelta(day, unit="D")).where(mask)

    value = _SIZE_VALUE[size] * rng.lognormal(0.0, 0.5, n)
    value = np.where(status == "won", value * rng.uniform(0.8, 1.05, n), value)
    frame = pd.DataFrame(
        {
            "lead_id": [f"L{i:05d}" for i in range(1, n + 1)],
            "created_date": date_at(created, np.ones(n, dtype=bool)),
            "source": np.array(SOURCES)[source],
            "industry": np.array(INDUSTRIES)[industry],
            "company_size": np.array(SIZES)[size],
            "sales_rep": np.array(REPS)[rep],
            "stage": np.array(STAGES)[stage],
            "status": status.astype(str),
            "qualified_date": date_at(entered[:, 0], stage >= 1),
            "proposal_date": date_at(entered[:, 1], stage >= 2),
            "negotiation_date": date_at(entered[:, 2], stage >= 3),
            "closed_date": date_at(closed_day, status != "open"),
            "deal_value": np.round(value, 1),
        }
    )
    return apply_schema(frame, PIPELINE_SCHEMA)
