"""A CRM-scorecard survey of employees and customers plus the matching quantitative KPIs.

Chapter 15's CRM Scorecard links four perspectives causally:
infrastructure -> process -> customer -> organisational performance. Each business unit has,
each quarter, a latent level on every perspective; each level is built from the one before it
plus noise, so the chain is planted and each perspective is explained by the previous one
(the earlier ones add nothing once it is known). Employees rate the infrastructure and process
items, customers the customer items, on 1-5 Likert scales; the KPIs are noisy measures of the
same latent levels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import apply_schema, category, check_seed, check_size, rng_for

__all__ = ["make_scorecard", "SURVEY_SCHEMA", "KPI_SCHEMA", "SURVEY_ITEMS", "CHAIN"]

BUSINESS_UNITS = ["Seoul retail", "Busan retail", "Online", "Corporate", "Card", "Insurance"]
FIRST_YEAR = 2023
PERSPECTIVES = ["infrastructure", "process", "customer"]
# item -> (perspective, who answers it)
SURVEY_ITEMS = {
    "culture": ("infrastructure", "employee"),
    "structure": ("infrastructure", "employee"),
    "information_systems": ("infrastructure", "employee"),
    "people": ("infrastructure", "employee"),
    "acquisition": ("process", "employee"),
    "retention": ("process", "employee"),
    "enhancement": ("process", "employee"),
    "satisfaction": ("customer", "customer"),
    "loyalty": ("customer", "customer"),
    "purchase_value": ("customer", "customer"),
    "brand_value": ("customer", "customer"),
    "relationship_value": ("customer", "customer"),
}
# latent chain (standardised): process = a*infra + e, customer = b*process + e,
# performance = c*customer + e
CHAIN = {"process_on_infrastructure": 0.7, "customer_on_process": 0.7,
         "performance_on_customer": 0.8}  # fmt: skip

SURVEY_SCHEMA = {
    "business_unit": category(BUSINESS_UNITS),
    "quarter": "str",
    "respondent_type": category(["employee", "customer"]),
    "respondent_id": "str",
    "perspective": category(PERSPECTIVES),
    "item": category(list(SURVEY_ITEMS)),
    "score": "int",
}
# KPI: (latent perspective, mean, sd per latent unit, decimals); rates are fractions
_KPIS = {
    "customer_data_accuracy": ("infrastructure", 0.90, 0.03),
    "system_uptime": ("infrastructure", 0.985, 0.006),
    "training_hours_per_employee": ("infrastructure", 12.0, 3.0),
    "response_rate": ("process", 0.045, 0.012),
    "first_contact_resolution": ("process", 0.72, 0.05),
    "cross_sell_rate": ("process", 0.12, 0.03),
    "win_back_rate": ("process", 0.08, 0.02),
    "retention_rate": ("customer", 0.85, 0.03),
    "satisfaction_index": ("customer", 70.0, 5.0),
    "share_of_wallet": ("customer", 0.30, 0.05),
    "revenue_growth": ("performance", 0.04, 0.03),
    "profit_margin": ("performance", 0.12, 0.025),
    "customer_equity": ("performance", 800.0, 120.0),
}
KPI_SCHEMA = {
    "business_unit": category(BUSINESS_UNITS),
    "quarter": "str",
    "customer_data_accuracy": "float4",
    "system_uptime": "float4",
    "training_hours_per_employee": "float1",
    "response_rate": "float4",
    "first_contact_resolution": "float4",
    "cross_sell_rate": "float4",
    "win_back_rate": "float4",
    "retention_rate": "float4",
    "churn_rate": "float4",
    "satisfaction_index": "float1",
    "share_of_wallet": "float4",
    "revenue_growth": "float4",
    "profit_margin": "float4",
    "customer_equity": "float1",
}


def make_scorecard(
    n_quarters: int = 12,
    n_employees: int = 12,
    n_customers: int = 25,
    seed: int = 0,
) -> dict[str, pd.DataFrame]:
    """Survey answers and KPIs of six business units over ``n_quarters`` quarters from 2023Q1.

    Planted effects: each unit has a persistent infrastructure level that improves slowly
    (units invest at different speeds); process = 0.7 x infrastructure, customer = 0.7 x
    process, performance = 0.8 x customer (standardised latent scores, see :data:`CHAIN`),
    each plus independent noise. So survey and KPI measures of neighbouring perspectives
    correlate most, and in a regression of performance on all three perspectives only the
    customer perspective matters (full mediation). A respondent's Likert score is the latent
    level plus personal bias and item noise, cut into 1-5. ``churn_rate`` is
    ``1 - retention_rate``.

    Parameters
    ----------
    n_quarters : int
        Number of quarters (at least 2).
    n_employees, n_customers : int
        Respondents per business unit and quarter (at least 2 each).
    seed : int
        Seed of the random stream.

    Returns
    -------
    dict of DataFrame
        ``"survey"``: long format, one row per answer: ``business_unit``, ``quarter``
        (``"2023Q1"``...), ``respondent_type`` (employee, customer), ``respondent_id``,
        ``perspective``, ``item`` (categories) and ``score`` (int 1-5).
        ``"kpis"``: one row per unit and quarter with the quantitative KPIs (rates as
        fractions, ``training_hours_per_employee`` in hours, ``satisfaction_index`` 0-100,
        ``customer_equity`` in billion won).

    Examples
    --------
    >>> sc = make_scorecard(n_quarters=2, seed=1)
    >>> sorted(sc)
    ['kpis', 'survey']
    >>> int(sc["survey"]["score"].min()) >= 1 and int(sc["survey"]["score"].max()) <= 5
    True
    """
    n_q = check_size(n_quarters, "n_quarters", minimum=2)
    n_emp = check_size(n_employees, "n_employees", minimum=2)
    n_cus = check_size(n_customers, "n_customers", minimum=2)
    rng = rng_for(check_seed(seed), "scorecard")
    n_bu = len(BUSINESS_UNITS)
    quarters = [f"{FIRST_YEAR + q // 4}Q{q % 4 + 1}" for q in range(n_q)]

    # latent levels, shape (unit, quarter)
    start = rng.normal(0, 0.8, (n_bu, 1))
    speed = rng.normal(0.08, 0.08, (n_bu, 1))
    infra = start + speed * np.arange(n_q)[None, :] + rng.normal(0, 0.35, (n_bu, n_q))
    process = CHAIN["process_on_infrastructure"] * infra + rng.normal(0, 0.5, (n_bu, n_q))
    customer = CHAIN["customer_on_process"] * process + rng.normal(0, 0.5, (n_bu, n_q))
    perf = CHAIN["performance_on_customer"] * customer + rng.normal(0, 0.4, (n_bu, n_q))
    latent = {"infrastructure": infra, "process": process, "customer": customer,
              "performance": perf}  # fmt: skip

    rows = []
    for u, unit in enumerate(BUSINESS_UNITS):
        for q, quarter in enumerate(quarters):
            for kind, count in (("employee", n_emp), ("customer", n_cus)):
                items = [i for i, (_, who) in SURVEY_ITEMS.items() if who == kind]
                bias = rng.normal(0, 0.5, count)  # some people answer higher than others
                for r in range(count):
                    rid = f"{kind[0].upper()}{u + 1}-{quarter}-{r + 1:03d}"
                    for item in items:
                        persp = SURVEY_ITEMS[item][0]
                        level = 3.3 + 0.8 * latent[persp][u, q] + bias[r] + rng.normal(0, 0.7)
                        score = int(np.clip(np.round(level), 1, 5))
                        rows.append((unit, quarter, kind, rid, persp, item, score))
    survey = pd.DataFrame(rows, columns=list(SURVEY_SCHEMA))

    kpis = pd.DataFrame(
        {
            "business_unit": np.repeat(BUSINESS_UNITS, n_q),
            "quarter": np.tile(quarters, n_bu),
        }
    )
    for name, (persp, mean, sd) in _KPIS.items():
        value = mean + sd * (latent[persp] + rng.normal(0, 0.4, (n_bu, n_q)))
        if mean < 1:
            value = np.clip(value, 0.0, 1.0)
        kpis[name] = value.ravel()
    kpis["churn_rate"] = 1.0 - kpis["retention_rate"].round(4)
    return {
        "survey": apply_schema(survey, SURVEY_SCHEMA),
        "kpis": apply_schema(kpis, KPI_SCHEMA),
    }
