"""Online-retail transaction lines over two years, in the UCI Online Retail schema.

The story: a gift-ware web shop sells to four kinds of customers with different purchase
rhythms (the hidden ``segment``): wholesalers who reorder every two weeks in bulk, regular
buyers, occasional buyers and seasonal (Christmas) gift buyers. Each customer is acquired on
some day, buys as a Poisson process at their own rate while "alive", and churns (stops
buying for good) after an exponential lifetime: the "buy till you die" story of chapter 04.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ._common import apply_schema, category, check_seed, check_size, rng_for

__all__ = ["make_retail", "make_retail_customers", "RETAIL_SCHEMA", "RETAIL_CUSTOMERS_SCHEMA"]

START = pd.Timestamp("2022-01-01")
END = pd.Timestamp("2023-12-31")  # last trading day; the data end at its close
N_DAYS = (END - START).days + 1
PRICE_RISE = pd.Timestamp("2023-01-01")  # every list price goes up 5 % on this day
FIRST_INVOICE = 536365

SEGMENTS = ["wholesale", "regular", "occasional", "seasonal"]
# share, mean days between purchases, mean lifetime (days), mean lines per invoice,
# mean pack multiple, cancellation rate per invoice
_SEGMENT_TABLE = {
    "wholesale": (0.08, 14.0, 1100.0, 12.0, 6.0, 0.06),
    "regular": (0.27, 40.0, 700.0, 7.0, 1.6, 0.03),
    "occasional": (0.40, 110.0, 450.0, 4.0, 1.2, 0.02),
    "seasonal": (0.25, 75.0, 900.0, 5.0, 1.3, 0.02),
}
# Relative purchase intensity by calendar month (January first): most buyers peak before
# Christmas; the seasonal segment buys almost only from September to December.
_MONTH_WEIGHT = {
    "usual": np.array([0.8, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0, 1.1, 1.2, 1.5, 1.0]),
    "seasonal": np.array([0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.3, 0.4, 1.0, 2.0, 3.0, 1.5]),
}
COUNTRIES = [
    "United Kingdom", "Germany", "France", "EIRE", "Spain", "Netherlands", "Belgium",
    "Switzerland", "Portugal", "Norway", "Italy", "Australia",
]  # fmt: skip
_COUNTRY_P = np.array([0.86, 0.025, 0.022, 0.02, 0.012, 0.012, 0.01, 0.008, 0.008, 0.008,
                       0.008, 0.008])  # fmt: skip

RETAIL_SCHEMA = {
    "invoice_no": "str",
    "stock_code": "str",
    "description": "str",
    "quantity": "int",
    "invoice_date": "datetime",
    "unit_price": "float2",
    "customer_id": "Int64",
    "country": category(COUNTRIES),
}
RETAIL_CUSTOMERS_SCHEMA = {
    "customer_id": "int",
    "country": category(COUNTRIES),
    "segment": category(SEGMENTS),
    "acquired": "date",
    "purchases_per_year": "float2",
    "churned": "bool",
    "churn_date": "date",
}

_COLOURS = ["WHITE", "RED", "PINK", "BLUE", "GREEN", "IVORY", "BLACK", "SILVER", "GOLD",
            "VINTAGE", "RETRO", "REGENCY", "SPOTTY", "STRIPED", "FLORAL", "HEART"]  # fmt: skip
_ITEMS = [
    ("HANGING T-LIGHT HOLDER", 2.55), ("CERAMIC MUG", 1.25), ("LUNCH BAG", 1.65),
    ("JUMBO BAG", 1.95), ("CAKE CASES", 0.55), ("PAPER NAPKINS", 0.85),
    ("METAL SIGN", 2.10), ("PHOTO FRAME", 2.95), ("CANDLE", 1.45), ("TEA TOWEL", 1.25),
    ("WATER BOTTLE", 4.25), ("CUSHION COVER", 3.75), ("WALL CLOCK", 8.50),
    ("CHRISTMAS BAUBLE", 0.42), ("GIFT WRAP", 0.42), ("DOORMAT", 7.95),
    ("STORAGE TIN", 2.55), ("TEACUP AND SAUCER", 2.95), ("NOTEBOOK", 0.85),
    ("PICNIC BASKET", 12.75), ("BUNTING", 2.95), ("ALARM CLOCK", 3.75),
    ("LANTERN", 4.95), ("PLASTERS IN TIN", 1.65),
]  # fmt: skip
_PACKS = np.array([1, 2, 3, 4, 6, 12, 24])


def _catalogue() -> pd.DataFrame:
    """A fixed catalogue of 192 products (independent of the seed, so codes are stable)."""
    rng = np.random.default_rng(20101201)
    rows = []
    for i, (item, price) in enumerate(_ITEMS):
        for j, colour in enumerate(rng.choice(_COLOURS, size=8, replace=False)):
            code = f"{20000 + 2700 * (i % 24) + 37 * j + i}"
            suffix = "" if j < 5 else "ABC"[j - 5]
            factor = rng.choice([0.8, 1.0, 1.0, 1.2])
            rows.append((code + suffix, f"{colour} {item}", round(price * factor, 2)))
    cat = pd.DataFrame(rows, columns=["stock_code", "description", "base_price"])
    order = rng.permutation(len(cat))  # popularity rank, Zipf-like weights below
    cat["weight"] = 1.0 / (order + 8.0) ** 0.9
    cat["pack"] = _PACKS[np.minimum((cat["base_price"] < 1).to_numpy() * 4 + order % 4, 6)]
    return cat


def _times(rng: np.random.Generator, n: int) -> np.ndarray:
    """Opening hours 08:00-19:59, busiest around noon; whole minutes (as in Online Retail)."""
    hours = rng.choice(np.arange(8, 20), size=n, p=_normalise([2, 4, 6, 8, 9, 9, 8, 7, 5, 3, 2, 1]))
    return hours * 60 + rng.integers(0, 60, size=n)


def _normalise(w) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return w / w.sum()


def _saturday(day: np.ndarray) -> np.ndarray:
    return (START.day_of_week + day) % 7 == 5


def _no_saturdays(day: np.ndarray) -> np.ndarray:
    """The shop does not trade on Saturdays (like the real Online Retail data): move to Sunday."""
    return np.where(_saturday(day), day + 1, day)


def _month_of(day: np.ndarray) -> np.ndarray:
    return (START + pd.to_timedelta(day, unit="D")).month.to_numpy() - 1


@lru_cache(maxsize=4)
def _simulate(n_customers: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = rng_for(seed, "retail")
    cat = _catalogue()
    seg_names = np.array(SEGMENTS)
    table = np.array([_SEGMENT_TABLE[s] for s in SEGMENTS])
    seg = rng.choice(len(SEGMENTS), size=n_customers, p=table[:, 0])
    # a third of the base is already there in the first weeks, the rest arrives steadily
    acquired = np.where(
        rng.random(n_customers) < 0.35,
        rng.integers(0, 60, n_customers),
        rng.integers(0, N_DAYS - 30, n_customers),
    )
    acquired = _no_saturdays(acquired)
    rate = rng.gamma(3.0, 1.0 / (3.0 * table[seg, 1]))  # purchases per day, heterogeneous
    lifetime = rng.exponential(table[seg, 2])
    death = acquired + lifetime
    churned = death < N_DAYS
    country = rng.choice(len(COUNTRIES), size=n_customers, p=_normalise(_COUNTRY_P))
    ids = 12346 + np.sort(rng.choice(6 * n_customers, size=n_customers, replace=False))
    ids = ids[np.argsort(np.argsort(acquired, kind="stable"), kind="stable")]  # by arrival

    # repeat purchases: a thinned Poisson process between acquisition and death
    is_seasonal = seg == SEGMENTS.index("seasonal")
    wmax = np.where(is_seasonal, _MONTH_WEIGHT["seasonal"].max(), _MONTH_WEIGHT["usual"].max())
    active = np.minimum(death, N_DAYS) - acquired - 1
    counts = rng.poisson(np.clip(active, 0, None) * rate * wmax)
    owner = np.repeat(np.arange(n_customers), counts)
    day = acquired[owner] + 1 + rng.random(owner.size) * active[owner]
    day = np.floor(day).astype(int)
    weights = np.where(
        is_seasonal[owner],
        _MONTH_WEIGHT["seasonal"][_month_of(day)],
        _MONTH_WEIGHT["usual"][_month_of(day)],
    )
    keep = (rng.random(owner.size) < weights / wmax[owner]) & ~_saturday(day)
    owner = np.concatenate([np.arange(n_customers), owner[keep]])
    day = np.minimum(_no_saturdays(np.concatenate([acquired, day[keep]])), N_DAYS - 1)
    inv = pd.DataFrame({"owner": owner, "day": day, "minute": _times(rng, owner.size)})
    inv["customer_id"] = ids[owner]
    inv["country"] = country[owner]
    inv["seg"] = seg[owner]

    # guest check-outs: no customer id, mostly from the UK, usual seasonality
    n_guest = int(round(0.22 * len(inv)))
    gday = rng.integers(0, N_DAYS, size=4 * n_guest)
    gkeep = rng.random(gday.size) < _MONTH_WEIGHT["usual"][_month_of(gday)] / 1.5
    gday = gday[gkeep & ~_saturday(gday)][:n_guest]
    guests = pd.DataFrame(
        {
            "owner": -1,
            "day": gday,
            "minute": _times(rng, gday.size),
            "customer_id": pd.NA,
            "country": rng.choice(len(COUNTRIES), size=gday.size, p=_normalise(_COUNTRY_P)),
            "seg": len(SEGMENTS),  # guests: the last row of the line table below
        }
    )
    inv = pd.concat([inv, guests], ignore_index=True)
    inv = inv.sort_values(["day", "minute", "owner"], kind="stable", ignore_index=True)
    inv["invoice"] = np.arange(len(inv))

    # lines: products by popularity, one line per product and invoice
    table = np.vstack([table, [0.0, 0.0, 0.0, 9.0, 1.0, 0.0]])  # guests: big, one-off orders
    n_lines = 1 + rng.poisson(table[inv["seg"].to_numpy(), 3] - 1)
    line_inv = np.repeat(inv["invoice"].to_numpy(), n_lines)
    product = rng.choice(len(cat), size=line_inv.size, p=_normalise(cat["weight"]))
    lines = pd.DataFrame({"invoice": line_inv, "product": product})
    lines = lines.drop_duplicates(ignore_index=True)
    lseg = inv["seg"].to_numpy()[lines["invoice"]]
    multiple = 1 + rng.poisson(table[lseg, 4] - 1)
    quantity = cat["pack"].to_numpy()[lines["product"]] * multiple
    price = cat["base_price"].to_numpy()[lines["product"]]
    lday = inv["day"].to_numpy()[lines["invoice"]]
    price = price * np.where(lday >= (PRICE_RISE - START).days, 1.05, 1.0)
    price = np.round(price * np.where(quantity >= 24, 0.85, 1.0), 2)  # bulk price tier
    lines["quantity"] = quantity
    lines["unit_price"] = price
    lines["stock_code"] = cat["stock_code"].to_numpy()[lines["product"]]
    lines["description"] = cat["description"].to_numpy()[lines["product"]]

    # postage: one POST line on every invoice to a customer outside the UK
    abroad = inv.loc[inv["country"] != 0, "invoice"].to_numpy()
    post = pd.DataFrame(
        {
            "invoice": abroad,
            "product": -1,
            "quantity": rng.integers(1, 4, size=abroad.size),
            "unit_price": 18.0,
            "stock_code": "POST",
            "description": "POSTAGE",
        }
    )
    lines = pd.concat([lines, post], ignore_index=True)

    # cancellations: some invoices of known customers are partly returned within 10 days
    known = inv[inv["owner"] >= 0]
    cancel_p = table[known["seg"].to_numpy(), 5]
    cancelled = known[rng.random(len(known)) < cancel_p]
    c_inv = cancelled[["invoice", "day", "customer_id", "country", "seg", "owner"]].copy()
    c_inv["day"] = _no_saturdays(c_inv["day"].to_numpy() + rng.integers(1, 11, len(c_inv)))
    c_inv = c_inv[c_inv["day"] < N_DAYS]
    c_inv["minute"] = _times(rng, len(c_inv))
    c_inv["source"] = c_inv["invoice"]
    c_inv["invoice"] = len(inv) + np.arange(len(c_inv))
    c_lines = lines[lines["invoice"].isin(c_inv["source"]) & (lines["product"] >= 0)]
    c_lines = c_lines[rng.random(len(c_lines)) < 0.5].copy()
    c_lines["invoice"] = c_lines["invoice"].map(
        dict(zip(c_inv["source"], c_inv["invoice"], strict=True))
    )
    part = rng.random(len(c_lines)) < 0.3
    c_lines["quantity"] = -np.where(
        part, np.maximum(c_lines["quantity"] // 2, 1), c_lines["quantity"]
    )
    c_inv = c_inv[c_inv["invoice"].isin(c_lines["invoice"])]
    inv["cancel"] = False
    c_inv["cancel"] = True
    inv = pd.concat([inv, c_inv.drop(columns="source")], ignore_index=True)
    lines = pd.concat([lines, c_lines], ignore_index=True)

    # invoice numbers follow time; cancellations carry a "C" prefix
    inv = inv.sort_values(["day", "minute", "invoice"], kind="stable", ignore_index=True)
    number = FIRST_INVOICE + np.arange(len(inv))
    inv["invoice_no"] = np.where(inv["cancel"], "C", "") + number.astype(str)
    inv["rank"] = np.arange(len(inv))
    lines["line"] = np.arange(len(lines))
    lines = lines.merge(inv[["invoice", "invoice_no", "rank", "day", "minute", "customer_id",
                             "country"]], on="invoice")  # fmt: skip
    lines = lines.sort_values(["rank", "product", "line"], kind="stable", ignore_index=True)
    stamp = START + pd.to_timedelta(lines["day"] * 1440 + lines["minute"], unit="min")
    lines["invoice_date"] = stamp
    lines["country"] = np.array(COUNTRIES)[lines["country"].to_numpy(dtype=int)]
    tx = apply_schema(lines[list(RETAIL_SCHEMA)], RETAIL_SCHEMA)

    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "country": np.array(COUNTRIES)[country],
            "segment": seg_names[seg],
            "acquired": START + pd.to_timedelta(acquired, unit="D"),
            "purchases_per_year": np.round(rate * 365.25, 2),
            "churned": churned,
            "churn_date": (START + pd.to_timedelta(np.floor(death), unit="D")).where(churned),
        }
    )
    customers = customers.sort_values("customer_id", ignore_index=True)
    return tx, apply_schema(customers, RETAIL_CUSTOMERS_SCHEMA)


def make_retail(n_customers: int = 800, seed: int = 0) -> pd.DataFrame:
    """Transaction lines of a gift-ware web shop, 2022-01-01 to 2023-12-31.

    Same schema as UCI Online Retail (snake_case names). Invoices are numbered in time order
    from 536365; a cancellation is an invoice ``C<number>`` whose lines have negative
    quantities and refer to an earlier invoice of the same customer (1 to 10 days before). About
    a fifth of the invoices are guest check-outs without ``customer_id``. Every invoice to a
    customer outside the UK carries a ``POST`` (postage) line. List prices rise 5 % on
    2023-01-01 and lines of 24 or more units get a 15 % bulk price. The shop does not trade
    on Saturdays.

    Parameters
    ----------
    n_customers : int
        Number of registered customers (at least 10).
    seed : int
        Seed of the random streams; the same ``(n_customers, seed)`` gives the same rows.

    Returns
    -------
    DataFrame
        Columns ``invoice_no`` (str), ``stock_code`` (str), ``description`` (str),
        ``quantity`` (int, negative for cancellations), ``invoice_date`` (datetime),
        ``unit_price`` (float, pounds), ``customer_id`` (Int64, missing for guests),
        ``country`` (category). Rows are sorted by invoice number, then stock code order.

    See Also
    --------
    make_retail_customers : the hidden truth about the same customers (segment, churn).

    Examples
    --------
    >>> tx = make_retail(n_customers=50, seed=1)
    >>> list(tx.columns)[:4]
    ['invoice_no', 'stock_code', 'description', 'quantity']
    >>> bool((tx.loc[tx["invoice_no"].str.startswith("C"), "quantity"] < 0).all())
    True
    """
    n_customers = check_size(n_customers, "n_customers", minimum=10)
    return _simulate(n_customers, check_seed(seed))[0].copy()


def make_retail_customers(n_customers: int = 800, seed: int = 0) -> pd.DataFrame:
    """The hidden truth behind :func:`make_retail`: one row per registered customer.

    Returns
    -------
    DataFrame
        ``customer_id`` (int), ``country`` (category), ``segment`` (category: wholesale,
        regular, occasional, seasonal), ``acquired`` (date of the first purchase),
        ``purchases_per_year`` (the customer's latent purchase rate while alive),
        ``churned`` (bool: stopped buying for good before 2023-12-31) and ``churn_date``.

    Examples
    --------
    >>> truth = make_retail_customers(n_customers=50, seed=1)
    >>> truth["customer_id"].is_unique, str(truth["segment"].dtype)
    (True, 'category')
    """
    n_customers = check_size(n_customers, "n_customers", minimum=10)
    return _simulate(n_customers, check_seed(seed))[1].copy()
