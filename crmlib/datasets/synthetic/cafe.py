"""A coffee chain's member survey and what the members did in the following year (chapter 03).

Members rate the chain on the three drivers of customer equity (value, brand and
relationship equity, each measured by the seed's components) and give their overall
satisfaction on the classic five-point scale; the chain then records who bought again in the
next twelve months and how much they spent. Planted: value equity moves spending most,
relationship equity next, brand equity little; and repurchase rises with satisfaction in a
non-linear way, with a jump from "satisfied" (4) to "completely satisfied" (5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import apply_schema, check_seed, check_size, rng_for, sigmoid

__all__ = ["make_cafe_survey", "CAFE_SCHEMA", "CAFE_ITEMS", "CAFE_EFFECTS"]

#: The survey items of each customer-equity driver (1-7 agreement scales), after seed 003's
#: table: value equity = quality, price, convenience; brand equity = awareness, associations,
#: image; relationship equity = loyalty programme, special recognition, affinity, community.
CAFE_ITEMS: dict[str, list[str]] = {
    "value": ["quality", "price", "convenience"],
    "brand": ["awareness", "association", "image"],
    "relationship": ["loyalty_programme", "recognition", "affinity", "community"],
}

#: Planted effects. Latent drivers are standard normal with correlation ``driver_corr``.
#: ``satisfaction`` = cut of 0.55 V + 0.15 B + 0.35 R + noise(sd 0.7) at the quantiles
#: ``satisfaction_shares``; repurchase probability by satisfaction level is
#: ``sigmoid(logit(repurchase[s]) + 0.3 R)``; a repurchaser's spending next year (만원) is
#: ``exp(log(spend_median) + 0.20 V + 0.05 B + 0.12 R + noise(sd 0.5))``.
CAFE_EFFECTS: dict[str, object] = {
    "driver_corr": 0.3,
    "satisfaction_weights": {"value": 0.55, "brand": 0.15, "relationship": 0.35},
    "satisfaction_shares": [0.04, 0.08, 0.20, 0.40, 0.28],
    "repurchase": {1: 0.20, 2: 0.35, 3: 0.50, 4: 0.60, 5: 0.90},
    "repurchase_relationship": 0.3,
    "spend_median": 25.0,
    "spend_weights": {"value": 0.20, "brand": 0.05, "relationship": 0.12},
}

CAFE_SCHEMA = {
    "customer_id": "str",
    "age": "int",
    "member_years": "int",
    **{item: "int" for items in CAFE_ITEMS.values() for item in items},
    "satisfaction": "int",
    "repurchased": "bool",
    "spend_next_year": "float1",
}


def _items(rng: np.random.Generator, latent: np.ndarray, k: int, centre: float) -> np.ndarray:
    raw = centre + 1.1 * latent[:, None] + rng.normal(0, 0.9, (latent.size, k))
    return np.clip(np.round(raw), 1, 7).astype(int)


def make_cafe_survey(n_customers: int = 3000, seed: int = 0) -> pd.DataFrame:
    """Survey answers of a coffee chain's members and their behaviour in the next year.

    Planted effects (see :data:`CAFE_EFFECTS`): three correlated latent drivers (value,
    brand, relationship equity) drive the 1-7 items of :data:`CAFE_ITEMS`; satisfaction
    (1 = completely dissatisfied ... 5 = completely satisfied) rises with all three, most with
    value; the chance of buying again in the next 12 months is 20%, 35%, 50%, 60% and 90% at
    the five satisfaction levels for a member with average relationship equity (a little more
    with more relationship equity); next year's spending of those who buy again rises most
    with value equity, then relationship equity, and hardly with brand equity.

    Parameters
    ----------
    n_customers : int
        Number of members surveyed (at least 50).
    seed : int
        Seed of the random stream.

    Returns
    -------
    DataFrame
        ``customer_id`` (str), ``age`` and ``member_years`` (ints), the ten items (ints 1-7),
        ``satisfaction`` (int 1-5), ``repurchased`` (bool) and ``spend_next_year`` (만원,
        0 for members who did not buy again).

    Examples
    --------
    >>> s = make_cafe_survey(n_customers=200, seed=1)
    >>> sorted(s["satisfaction"].unique().tolist())
    [1, 2, 3, 4, 5]
    >>> bool((s.loc[~s["repurchased"], "spend_next_year"] == 0).all())
    True
    """
    n = check_size(n_customers, "n_customers", minimum=50)
    rng = rng_for(check_seed(seed), "cafe")
    e = CAFE_EFFECTS
    rho = e["driver_corr"]
    cov = np.full((3, 3), rho) + (1 - rho) * np.eye(3)
    v, b, r = rng.multivariate_normal(np.zeros(3), cov, size=n).T
    centres = {"value": 4.6, "brand": 5.0, "relationship": 3.8}
    columns = {}
    for driver, latent in zip(CAFE_ITEMS, (v, b, r), strict=True):
        answers = _items(rng, latent, len(CAFE_ITEMS[driver]), centres[driver])
        columns.update(dict(zip(CAFE_ITEMS[driver], answers.T, strict=True)))

    w = e["satisfaction_weights"]
    drive = w["value"] * v + w["brand"] * b + w["relationship"] * r + rng.normal(0, 0.7, n)
    cuts = np.quantile(drive, np.cumsum(e["satisfaction_shares"])[:-1])
    satisfaction = np.searchsorted(cuts, drive) + 1

    base = np.array([e["repurchase"][level] for level in range(1, 6)])[satisfaction - 1]
    logit = np.log(base / (1 - base)) + e["repurchase_relationship"] * r
    repurchased = rng.random(n) < sigmoid(logit)
    sw = e["spend_weights"]
    log_spend = (
        np.log(e["spend_median"])
        + sw["value"] * v
        + sw["brand"] * b
        + sw["relationship"] * r
        + rng.normal(0, 0.5, n)
    )
    spend = np.where(repurchased, np.exp(log_spend), 0.0)

    frame = pd.DataFrame(
        {
            "customer_id": [f"M{i:05d}" for i in range(1, n + 1)],
            "age": np.clip(np.round(rng.normal(34, 10, n)), 18, 75).astype(int),
            "member_years": rng.integers(0, 9, n),
            **columns,
            "satisfaction": satisfaction,
            "repurchased": repurchased,
            "spend_next_year": np.round(spend, 1),
        }
    )
    return apply_schema(frame, CAFE_SCHEMA)
