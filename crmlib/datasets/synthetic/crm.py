"""The bank's CRM records for one year: contact points, activities, sales, service, transactions.

Chapter 06 builds the bank's CRM systems on these tables: the operational CRM in SQLite (one
table each, normalised) and the analytical CRM in DuckDB (a star schema). The customers are
the bank's integrated customer database (``load_bank()["customers"]``), so every table here
uses its ``person_id`` as ``customer_id``. Nothing is written to disk: the tables are
generated in well under a second.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import apply_schema, category, check_seed, rng_for, sigmoid

__all__ = ["make_crm", "CRM_SCHEMAS", "CRM_CHANNELS", "CRM_PRODUCTS"]

START, END = pd.Timestamp("2023-07-01"), pd.Timestamp("2024-06-30")
#: Where the bank meets its customers: two staffed channels and two digital ones.
CRM_CHANNELS = ["branch", "call centre", "web", "e-mail"]
#: product_id -> (name, line, median amount of one transaction in thousand won, weight)
CRM_PRODUCTS: dict[str, tuple[str, str, float, float]] = {
    "P01": ("everyday account", "deposits", 300.0, 6.0),
    "P02": ("time deposit", "deposits", 2_000.0, 1.0),
    "P03": ("mortgage", "loans", 1_200.0, 0.8),
    "P04": ("personal loan", "loans", 400.0, 0.8),
    "P05": ("credit card", "cards", 60.0, 8.0),
    "P06": ("check card", "cards", 30.0, 6.0),
    "P07": ("equity fund", "investments", 1_500.0, 0.5),
    "P08": ("bond fund", "investments", 1_500.0, 0.4),
    "P09": ("life insurance", "insurance", 150.0, 1.0),
    "P10": ("travel insurance", "insurance", 40.0, 0.3),
}
LINES = ["deposits", "loans", "cards", "investments", "insurance"]
PURPOSES = ["enquiry", "service", "sale", "campaign"]
CASE_CATEGORIES = ["card dispute", "online access", "fees", "loan payment", "address change"]
STAGES = ["open", "proposal", "won", "lost"]
N_AGENTS = 20

CRM_SCHEMAS = {
    "customers": {"customer_id": "str", "name": "str", "birth_date": "date", "region": "str",
                  "preferred_channel": category(CRM_CHANNELS), "joined": "date"},
    "contacts": {"contact_id": "int", "customer_id": "str", "kind": "str", "value": "str",
                 "is_primary": "bool"},
    "products": {"product_id": "str", "name": "str", "line": category(LINES)},
    "activities": {"activity_id": "int", "customer_id": "str", "channel": category(CRM_CHANNELS),
                   "direction": "str", "purpose": category(PURPOSES), "occurred_at": "datetime",
                   "agent": "str"},
    "opportunities": {"opportunity_id": "int", "customer_id": "str", "product_id": "str",
                      "stage": category(STAGES), "amount": "float1", "opened": "date",
                      "closed": "date"},
    "service_cases": {"case_id": "int", "customer_id": "str", "channel": category(CRM_CHANNELS),
                      "category": category(CASE_CATEGORIES), "status": "str", "opened": "date",
                      "resolved": "date"},
    "transactions": {"transaction_id": "int", "customer_id": "str", "product_id": "str",
                     "channel": category(CRM_CHANNELS), "date": "date", "amount": "float1"},
}  # fmt: skip


def _channel_probabilities(age: np.ndarray, preferred: np.ndarray) -> np.ndarray:
    """Per customer, the chance of each channel (branch, call centre, web, e-mail)."""
    young = sigmoid((45 - age) / 8)  # near 1 for the young, near 0 for the old
    p = np.column_stack([0.15 + 0.5 * (1 - young), 0.12 + 0.1 * (1 - young),
                         0.2 + 0.5 * young, 0.1 + 0.15 * young])  # fmt: skip
    p[np.arange(len(age)), preferred] += 0.6
    return p / p.sum(axis=1, keepdims=True)


def _draw(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One category per row of the probability matrix ``p``."""
    return (rng.random(len(p))[:, None] > np.cumsum(p, axis=1)).sum(axis=1).clip(max=p.shape[1] - 1)


def _days(rng: np.random.Generator, n: int) -> pd.DatetimeIndex:
    span = (END - START).days + 1
    return START + pd.to_timedelta(rng.integers(0, span, n), unit="D")


def make_crm(customers: pd.DataFrame | None = None, seed: int = 0) -> dict[str, pd.DataFrame]:
    """One year (July 2023 to June 2024) of the bank's CRM records for its customers.

    Planted effects:

    - older customers use the branch and the call centre, younger ones the web and e-mail;
      each customer's preferred channel (the bank's ``preferred_channel``, with PC banking
      read as web) gets most of their contacts and transactions;
    - customers with more products transact more often; card payments are frequent and
      small, deposits into time deposits and fund purchases rare and large;
    - a recent life event (marriage, child, home purchase, retirement) doubles the chance of
      a sales opportunity; a home purchase brings a mortgage opportunity;
    - service cases come in mostly through the call centre, and online-access problems
      through the web.

    Parameters
    ----------
    customers : DataFrame, optional
        The integrated customer database, as ``load_bank()["customers"]`` (the default).
    seed : int
        Seed of the random streams.

    Returns
    -------
    dict of str to DataFrame
        ``customers``, ``contacts``, ``products``, ``activities``, ``opportunities``,
        ``service_cases``, ``transactions`` (columns in :data:`CRM_SCHEMAS`); money in
        thousand won.

    Examples
    --------
    >>> crm = make_crm()
    >>> sorted(crm)[:3]
    ['activities', 'contacts', 'customers']
    >>> crm["transactions"]["channel"].cat.categories.tolist()
    ['branch', 'call centre', 'web', 'e-mail']
    """
    check_seed(seed)
    if customers is None:
        from .bundled import load_bank

        customers = load_bank()["customers"]
    needed = ["person_id", "family_name", "given_name", "birth_date", "age", "region",
              "preferred_channel", "tenure_years", "n_products", "marriage", "child",
              "retirement", "home_purchase"]  # fmt: skip
    missing = [c for c in needed if c not in customers.columns]
    if missing:
        raise ValueError(f"customers: expected the bank's customer columns, missing {missing}")
    cust = customers.sort_values("person_id", kind="stable").reset_index(drop=True)
    n = len(cust)
    ids = cust["person_id"].astype(str).to_numpy()
    age = cust["age"].to_numpy(dtype=float)
    preferred = (
        (cust["preferred_channel"].astype(str).map({"branch": 0, "PC banking": 2, "e-mail": 3}))
        .fillna(0)
        .to_numpy(dtype=int)
    )
    channel_p = _channel_probabilities(age, preferred)
    out: dict[str, pd.DataFrame] = {}

    # customers: the master record
    joined = END - pd.to_timedelta((cust["tenure_years"].to_numpy() * 365.25).astype(int), "D")
    out["customers"] = pd.DataFrame({
        "customer_id": ids,
        "name": cust["family_name"].astype(str) + " " + cust["given_name"].astype(str),
        "birth_date": pd.to_datetime(cust["birth_date"]),
        "region": cust["region"].astype(str),
        "preferred_channel": np.array(CRM_CHANNELS)[preferred],
        "joined": joined,
    })  # fmt: skip

    # contacts: one phone, sometimes a second one, an e-mail for most
    rng = rng_for(seed, "crm-contacts")
    phone = [f"010-{a:04d}-{b:04d}" for a, b in rng.integers(0, 10_000, (n, 2))]
    second = rng.random(n) < 0.2
    phone2 = [f"010-{a:04d}-{b:04d}" for a, b in rng.integers(0, 10_000, (int(second.sum()), 2))]
    has_email = rng.random(n) < sigmoid((60 - age) / 10)
    given = cust["given_name"].astype(str).str.lower().str.replace("-", "", regex=False)
    email = given + "." + cust["family_name"].astype(str).str.lower() + "@example.kr"
    parts = [
        pd.DataFrame({"customer_id": ids, "kind": "phone", "value": phone, "is_primary": True}),
        pd.DataFrame({"customer_id": ids[second], "kind": "phone", "value": phone2,
                      "is_primary": False}),
        pd.DataFrame({"customer_id": ids[has_email], "kind": "email",
                      "value": email[has_email].to_numpy(), "is_primary": True}),
    ]  # fmt: skip
    contacts = pd.concat(parts, ignore_index=True).sort_values(
        ["customer_id", "kind", "is_primary"], ascending=[True, True, False], kind="stable"
    )
    contacts.insert(0, "contact_id", np.arange(1, len(contacts) + 1))
    out["contacts"] = contacts

    out["products"] = pd.DataFrame(
        [(pid, name, line) for pid, (name, line, _, _) in CRM_PRODUCTS.items()],
        columns=["product_id", "name", "line"],
    )

    # transactions: frequency grows with products held; channel from the customer's mix
    rng = rng_for(seed, "crm-transactions")
    counts = rng.poisson(3 + 4.5 * cust["n_products"].to_numpy(dtype=float))
    who = np.repeat(np.arange(n), counts)
    pids = np.array(list(CRM_PRODUCTS))
    weights = np.array([w for *_, w in CRM_PRODUCTS.values()])
    product = rng.choice(len(pids), size=len(who), p=weights / weights.sum())
    median = np.array([m for _, _, m, _ in CRM_PRODUCTS.values()])[product]
    tx_p = channel_p[who].copy()
    tx_p[:, 1] *= 0.3  # few transactions by phone, none by e-mail
    tx_p[:, 3] = 0.0
    tx_p /= tx_p.sum(axis=1, keepdims=True)
    tx = pd.DataFrame({
        "customer_id": ids[who],
        "product_id": pids[product],
        "channel": np.array(CRM_CHANNELS)[_draw(rng, tx_p)],
        "date": _days(rng, len(who)),
        "amount": np.round(median * rng.lognormal(0.0, 0.6, len(who)), 1),
    }).sort_values(["date", "customer_id", "product_id"], kind="stable")  # fmt: skip
    tx.insert(0, "transaction_id", np.arange(1, len(tx) + 1))
    out["transactions"] = tx

    # activities: contacts between bank and customer in every channel
    rng = rng_for(seed, "crm-activities")
    counts = rng.poisson(4 + 0.1 * np.maximum(age - 30, 0))  # older customers call more
    who = np.repeat(np.arange(n), counts)
    channel = _draw(rng, channel_p[who])
    purpose = _draw(rng, np.tile([0.35, 0.3, 0.15, 0.2], (len(who), 1)))
    outbound = (purpose >= 2) & (rng.random(len(who)) < 0.8)
    staffed = channel <= 1
    minutes = rng.integers(9 * 60, 18 * 60, len(who))
    act = pd.DataFrame({
        "customer_id": ids[who],
        "channel": np.array(CRM_CHANNELS)[channel],
        "direction": np.where(outbound, "outbound", "inbound"),
        "purpose": np.array(PURPOSES)[purpose],
        "occurred_at": _days(rng, len(who)) + pd.to_timedelta(minutes, unit="min"),
        "agent": np.where(staffed, [f"A{k:02d}" for k in rng.integers(1, N_AGENTS + 1,
                                                                      len(who))], None),
    }).sort_values(["occurred_at", "customer_id"], kind="stable")  # fmt: skip
    act.insert(0, "activity_id", np.arange(1, len(act) + 1))
    out["activities"] = act

    # opportunities: more after a life event; a home purchase brings a mortgage
    rng = rng_for(seed, "crm-opportunities")
    event = cust[["marriage", "child", "retirement", "home_purchase"]].to_numpy(bool).any(axis=1)
    has = rng.random(n) < np.where(event, 0.5, 0.25)
    who = np.flatnonzero(has)
    line_product = rng.choice(["P02", "P04", "P05", "P07", "P09"], size=len(who))
    home = cust["home_purchase"].to_numpy(bool)[who]
    product = np.where(home, "P03", line_product)
    opened = _days(rng, len(who))
    stage = _draw(rng, np.tile([0.15, 0.15, 0.35, 0.35], (len(who), 1)))
    closed = opened + pd.to_timedelta(rng.integers(3, 60, len(who)), unit="D")
    closed = pd.Series(closed).where((stage >= 2) & (closed <= END))
    stage = np.where((stage >= 2) & closed.isna().to_numpy(), 1, stage)
    base = np.array([CRM_PRODUCTS[p][2] for p in product])
    opp = pd.DataFrame({
        "customer_id": ids[who], "product_id": product, "stage": np.array(STAGES)[stage],
        "amount": np.round(base * 10 * rng.lognormal(0.0, 0.5, len(who)), 1),
        "opened": opened, "closed": closed.to_numpy(),
    }).sort_values(["opened", "customer_id"], kind="stable")  # fmt: skip
    opp.insert(0, "opportunity_id", np.arange(1, len(opp) + 1))
    out["opportunities"] = opp

    # service cases: mostly by phone; online-access problems on the web
    rng = rng_for(seed, "crm-cases")
    counts = rng.poisson(0.35, n)
    who = np.repeat(np.arange(n), counts)
    cat = rng.choice(len(CASE_CATEGORIES), size=len(who), p=[0.3, 0.25, 0.2, 0.15, 0.1])
    case_p = np.tile([0.25, 0.55, 0.12, 0.08], (len(who), 1))
    case_p[cat == 1] = [0.05, 0.35, 0.5, 0.1]
    opened = _days(rng, len(who))
    resolved = pd.Series(opened + pd.to_timedelta(rng.exponential(3.0, len(who)).astype(int),
                                                  unit="D"))  # fmt: skip
    resolved = resolved.where((resolved <= END) & (rng.random(len(who)) < 0.93))
    cases = pd.DataFrame({
        "customer_id": ids[who], "channel": np.array(CRM_CHANNELS)[_draw(rng, case_p)],
        "category": np.array(CASE_CATEGORIES)[cat],
        "status": np.where(resolved.notna(), "resolved", "open"),
        "opened": opened, "resolved": resolved.to_numpy(),
    }).sort_values(["opened", "customer_id"], kind="stable")  # fmt: skip
    cases.insert(0, "case_id", np.arange(1, len(cases) + 1))
    out["service_cases"] = cases

    order = ["customers", "contacts", "products", "activities", "opportunities",
             "service_cases", "transactions"]  # fmt: skip
    return {name: apply_schema(out[name], CRM_SCHEMAS[name]) for name in order}
