"""Convenience-store baskets with time stamps: the beer-and-diapers story, conditioned on time.

A 24-hour convenience store near offices and flats, over eight weeks. Most items are bought
independently of each other at rates that depend on the hour (coffee and sandwiches in the
morning, lunch boxes at noon, beer and snacks in the evening). On top of that, a few shopping
"missions" make items go together:

- the *nappy run*: on weekday evenings (Monday-Friday, 17:00-21:59) a share of baskets are
  young parents on the way home, who buy diapers and, very often, beer;
- *breakfast*: coffee with a sandwich or a triangle kimbap, mornings;
- *snack night*: beer or soda with chips;
- *baby care*: diapers with wipes or baby formula, at any time;
- *ramen*: instant noodles with kimchi and a drink.

So beer and diapers have a lift well above 2 on weekday evenings and about 1 at other times.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import apply_schema, category, check_seed, check_size, rng_for

__all__ = ["make_baskets", "BASKETS_SCHEMA", "BASKET_ITEMS"]

START = pd.Timestamp("2024-03-04")  # a Monday
N_DAYS = 56

# item: base probability per basket, and multipliers for (morning 6-10, lunch 11-14,
# afternoon 15-16, evening 17-21, night 22-5)
_ITEM_TABLE = {
    "beer": (0.07, (0.2, 0.5, 0.8, 2.0, 1.8)),
    "soju": (0.03, (0.1, 0.3, 0.6, 1.8, 2.2)),
    "diapers": (0.035, (1.0, 1.0, 1.0, 1.0, 1.0)),
    "baby wipes": (0.02, (1.0, 1.0, 1.0, 1.0, 0.8)),
    "baby formula": (0.01, (1.0, 1.0, 1.0, 1.0, 0.8)),
    "coffee": (0.12, (3.0, 1.2, 1.0, 0.4, 0.5)),
    "sandwich": (0.06, (2.5, 1.5, 0.6, 0.4, 0.5)),
    "triangle kimbap": (0.08, (1.8, 1.8, 0.8, 0.6, 1.0)),
    "lunch box": (0.06, (0.3, 3.5, 0.8, 0.8, 0.6)),
    "instant noodles": (0.09, (0.5, 1.5, 0.8, 1.0, 1.8)),
    "kimchi": (0.02, (0.5, 1.5, 0.8, 1.0, 1.5)),
    "water": (0.10, (1.2, 1.2, 1.0, 0.9, 0.8)),
    "soda": (0.09, (0.6, 1.2, 1.3, 1.0, 1.0)),
    "energy drink": (0.04, (1.5, 0.8, 1.2, 0.8, 1.3)),
    "juice": (0.04, (1.5, 1.0, 1.0, 0.8, 0.6)),
    "milk": (0.07, (1.8, 0.8, 0.8, 1.0, 0.6)),
    "banana milk": (0.04, (1.4, 1.0, 1.2, 0.8, 0.6)),
    "bread": (0.05, (1.6, 0.8, 0.8, 1.0, 0.6)),
    "eggs": (0.02, (1.0, 0.6, 0.8, 1.5, 0.6)),
    "chips": (0.08, (0.3, 0.7, 1.3, 1.5, 1.6)),
    "chocolate": (0.05, (0.6, 1.0, 1.5, 1.0, 1.0)),
    "ice cream": (0.05, (0.2, 1.0, 1.8, 1.2, 1.0)),
    "chewing gum": (0.04, (1.2, 1.2, 1.0, 0.8, 0.8)),
    "cigarettes": (0.08, (1.3, 0.8, 0.8, 1.0, 1.4)),
    "lighter": (0.01, (1.0, 1.0, 1.0, 1.0, 1.2)),
    "toilet paper": (0.02, (0.6, 0.6, 0.8, 1.5, 0.8)),
    "toothbrush": (0.01, (1.0, 0.6, 0.8, 1.0, 1.5)),
    "umbrella": (0.01, (1.2, 1.0, 1.0, 1.0, 0.8)),
    "batteries": (0.01, (0.8, 1.0, 1.0, 1.0, 1.0)),
    "newspaper": (0.02, (3.0, 0.8, 0.4, 0.2, 0.1)),
}
BASKET_ITEMS = list(_ITEM_TABLE)
_HOUR_WEIGHT = np.array(
    [2, 1.5, 1, 0.7, 0.6, 0.8, 2, 5, 7, 5, 4, 6, 8, 6, 4, 4, 5, 7, 9, 9, 8, 6, 4, 3]
)  # fmt: skip
_WEEKEND_HOUR_WEIGHT = np.array(
    [3, 2.5, 2, 1, 0.6, 0.5, 0.8, 1.5, 2.5, 3.5, 4.5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 5, 4, 3.5]
)  # fmt: skip
_WEEKEND_DAY_WEIGHT = 0.8  # weekend days are a little quieter in total

# missions: name -> (probability outside/inside their time window, item -> chance)
NAPPY_RUN_SHARE = 0.14  # of weekday-evening baskets
_MISSIONS = {
    "breakfast": (0.10, {"coffee": 0.9, "sandwich": 0.5, "triangle kimbap": 0.4}),
    "snack night": (0.06, {"chips": 0.9, "beer": 0.5, "soda": 0.5}),
    "baby care": (0.012, {"diapers": 0.8, "baby wipes": 0.6, "baby formula": 0.4}),
    "ramen": (0.04, {"instant noodles": 0.95, "kimchi": 0.6, "soda": 0.3}),
}

BASKETS_SCHEMA = {
    "basket_id": "int",
    "timestamp": "datetime",
    "item": category(BASKET_ITEMS),
}


def _slot(hour: np.ndarray) -> np.ndarray:
    """Time-of-day slot: 0 morning, 1 lunch, 2 afternoon, 3 evening, 4 night."""
    return np.select(
        [(hour >= 6) & (hour < 11), (hour >= 11) & (hour < 15), (hour >= 15) & (hour < 17),
         (hour >= 17) & (hour < 22)],
        [0, 1, 2, 3],
        4,
    )  # fmt: skip


def make_baskets(n_baskets: int = 20000, seed: int = 0) -> pd.DataFrame:
    """Convenience-store baskets in long format, one row per basket and item.

    Eight weeks from Monday 2024-03-04, open 24 hours. Planted effects:

    - beer and diapers: on weekday evenings (Mon-Fri, 17:00-21:59) 14 % of baskets are a
      "nappy run" with diapers (90 %) and beer (75 %): lift(beer, diapers) is above 2
      there and about 1 at other times (the items are independent outside the missions);
    - time of day: coffee, sandwiches, milk and newspapers in the morning, lunch boxes at
      noon, beer, soju and chips in the evening and at night;
    - other pairs: coffee-sandwich (breakfast, mornings), chips-beer and chips-soda,
      diapers-baby wipes-baby formula, instant noodles-kimchi.

    Parameters
    ----------
    n_baskets : int
        Number of baskets (at least 100).
    seed : int
        Seed of the random stream.

    Returns
    -------
    DataFrame
        ``basket_id`` (int, 1.. in time order), ``timestamp`` (datetime, to the second) and
        ``item`` (category of the 30 items in :data:`BASKET_ITEMS`), sorted by basket and
        item order. Every basket has at least one item; an item appears once per basket.

    Examples
    --------
    >>> b = make_baskets(n_baskets=500, seed=1)
    >>> b["basket_id"].nunique()
    500
    >>> bool(b.duplicated(["basket_id", "item"]).any())
    False
    """
    n = check_size(n_baskets, "n_baskets", minimum=100)
    rng = rng_for(check_seed(seed), "baskets")
    day = rng.integers(0, N_DAYS, size=3 * n)
    weekend = (START.day_of_week + day) % 7 >= 5
    day = day[~weekend | (rng.random(day.size) < _WEEKEND_DAY_WEIGHT)][:n]
    weekend = (START.day_of_week + day) % 7 >= 5
    hour = np.where(
        weekend,
        rng.choice(24, size=n, p=_WEEKEND_HOUR_WEIGHT / _WEEKEND_HOUR_WEIGHT.sum()),
        rng.choice(24, size=n, p=_HOUR_WEIGHT / _HOUR_WEIGHT.sum()),
    )
    second = day * 86400 + hour * 3600 + rng.integers(0, 3600, size=n)
    second = np.sort(second)
    day, hour = second // 86400, (second % 86400) // 3600
    weekend = (START.day_of_week + day) % 7 >= 5
    slot = _slot(hour)

    base = np.array([p for p, _ in _ITEM_TABLE.values()])
    mult = np.array([m for _, m in _ITEM_TABLE.values()])
    prob = np.clip(base[None, :] * mult[:, slot].T, 0, 0.95)
    has = rng.random((n, len(BASKET_ITEMS))) < prob
    col = {item: i for i, item in enumerate(BASKET_ITEMS)}

    def plant(mask: np.ndarray, items: dict[str, float]) -> None:
        for item, chance in items.items():
            has[:, col[item]] |= mask & (rng.random(n) < chance)

    window = {
        "breakfast": slot == 0,
        "snack night": slot >= 3,
        "baby care": np.ones(n, dtype=bool),
        "ramen": slot != 0,
    }
    for name, (share, items) in _MISSIONS.items():
        plant(window[name] & (rng.random(n) < share), items)
    nappy = ~weekend & (slot == 3) & (rng.random(n) < NAPPY_RUN_SHARE)
    plant(nappy, {"diapers": 0.9, "beer": 0.75})

    # A basket holds at least one item. Filling an empty one with beer or diapers would tie
    # the two items negatively (lift < 1), so the filler is any other item, by popularity.
    empty = ~has.any(axis=1)
    filler = base.copy()
    filler[[col["beer"], col["diapers"]]] = 0.0
    fill = rng.choice(len(BASKET_ITEMS), size=int(empty.sum()), p=filler / filler.sum())
    has[np.flatnonzero(empty), fill] = True

    rows, items = np.nonzero(has)
    frame = pd.DataFrame(
        {
            "basket_id": rows + 1,
            "timestamp": START + pd.to_timedelta(second[rows], unit="s"),
            "item": np.array(BASKET_ITEMS)[items],
        }
    )
    return apply_schema(frame, BASKETS_SCHEMA)
