"""Mobile subscribers with contract, usage, complaints and churn (chapters 07, 09 and 01).

A snapshot of a mobile operator's base in a saturated market: who left in the following
quarter. Churn is planted through complaints, the contract type and tenure; usage and the
monthly charge matter less, and age and payment method a little.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import apply_schema, category, check_seed, check_size, rng_for, sigmoid

__all__ = ["make_telecom", "TELECOM_SCHEMA"]

CONTRACTS = ["month-to-month", "one year", "two year"]
PLANS = ["basic", "standard", "premium"]
PAYMENTS = ["auto debit", "credit card", "bank transfer", "paper invoice"]
REGIONS = ["Seoul", "Gyeonggi", "Busan", "Incheon", "Daegu", "other"]

TELECOM_SCHEMA = {
    "subscriber_id": "str",
    "age": "int",
    "region": category(REGIONS),
    "contract": category(CONTRACTS, ordered=True),
    "plan": category(PLANS, ordered=True),
    "payment_method": category(PAYMENTS),
    "tenure_months": "int",
    "monthly_charge": "float2",
    "data_gb": "float1",
    "voice_minutes": "int",
    "dropped_calls": "int",
    "complaints": "int",
    "service_calls": "int",
    "handset_age_months": "int",
    "churned": "bool",
}
# planted churn model (log-odds); tenure in months
CHURN_LOGIT = {
    "intercept": -2.2,
    "per_complaint": 0.65,
    "month-to-month": 1.4,
    "two year": -1.0,
    "per_tenure_month": -0.025,
    "paper invoice": 0.3,
    "per_dropped_call": 0.04,
}


def make_telecom(n_subscribers: int = 5000, seed: int = 0) -> pd.DataFrame:
    """Mobile subscribers at a snapshot date and whether they churned in the next quarter.

    Planted effects (log-odds of churn, see :data:`CHURN_LOGIT`): +0.65 per complaint in
    the last six months, +1.4 on a month-to-month contract and -1.0 on a two-year one
    (against one year), -0.025 per month of tenure, +0.3 when paying by paper invoice,
    +0.04 per dropped call. Plan, charge, data and voice usage have no direct effect.
    Complaints are more frequent with many dropped calls; service calls follow complaints.

    Parameters
    ----------
    n_subscribers : int
        Number of subscribers (at least 50).
    seed : int
        Seed of the random stream.

    Returns
    -------
    DataFrame
        ``subscriber_id`` (str), ``age`` (years), ``region``, ``contract`` (ordered),
        ``plan`` (ordered), ``payment_method`` (categories), ``tenure_months``,
        ``monthly_charge`` (thousand won), ``data_gb`` (per month), ``voice_minutes`` (per
        month), ``dropped_calls``, ``complaints`` and ``service_calls`` (last six months),
        ``handset_age_months`` (ints) and ``churned`` (bool).

    Examples
    --------
    >>> t = make_telecom(n_subscribers=200, seed=1)
    >>> t["subscriber_id"].is_unique, str(t["churned"].dtype)
    (True, 'bool')
    """
    n = check_size(n_subscribers, "n_subscribers", minimum=50)
    rng = rng_for(check_seed(seed), "telecom")
    age = np.clip(np.round(rng.normal(42, 14, n)), 18, 85).astype(int)
    region = rng.choice(REGIONS, size=n, p=[0.3, 0.27, 0.12, 0.09, 0.07, 0.15])
    contract = rng.choice(3, size=n, p=[0.45, 0.25, 0.30])
    # long-standing customers sit more often on long contracts
    tenure = np.clip(np.round(rng.exponential(18 + 14 * contract)), 1, 120).astype(int)
    plan = rng.choice(3, size=n, p=[0.35, 0.45, 0.20])
    young = age < 35
    payment = np.where(
        rng.random(n) < np.where(young, 0.05, 0.2), 3, rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    )
    data_gb = np.round(rng.gamma(2.0, np.array([2.0, 6.0, 15.0])[plan] * (1.4 - 0.01 * age) / 2), 1)
    voice = np.round(rng.gamma(3.0, (80 + 2.5 * age) / 3.0)).astype(int)
    charge = np.array([33.0, 55.0, 89.0])[plan] - np.array([0.0, 3.0, 6.0])[contract]
    charge = np.round(charge + rng.normal(0, 4, n) + 0.05 * np.maximum(voice - 300, 0), 2)
    dropped = rng.poisson(np.where(np.isin(region, ["other"]), 4.0, 2.0))
    complaints = rng.poisson(0.25 + 0.08 * dropped)
    service = complaints + rng.poisson(0.6, n)
    handset = np.clip(np.round(rng.gamma(2.0, 9.0, n)), 0, 72).astype(int)
    b = CHURN_LOGIT
    logit = (
        b["intercept"]
        + b["per_complaint"] * complaints
        + np.where(contract == 0, b["month-to-month"], 0.0)
        + np.where(contract == 2, b["two year"], 0.0)
        + b["per_tenure_month"] * tenure
        + np.where(payment == 3, b["paper invoice"], 0.0)
        + b["per_dropped_call"] * dropped
    )
    frame = pd.DataFrame(
        {
            "subscriber_id": [f"S{i:06d}" for i in range(1, n + 1)],
            "age": age,
            "region": region,
            "contract": np.array(CONTRACTS)[contract],
            "plan": np.array(PLANS)[plan],
            "payment_method": np.array(PAYMENTS)[payment],
            "tenure_months": tenure,
            "monthly_charge": charge,
            "data_gb": data_gb,
            "voice_minutes": voice,
            "dropped_calls": dropped,
            "complaints": complaints,
            "service_calls": service,
            "handset_age_months": handset,
            "churned": rng.random(n) < sigmoid(logit),
        }
    )
    return apply_schema(frame, TELECOM_SCHEMA)
