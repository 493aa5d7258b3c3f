"""A direct-mail campaign to the customers of the retail shop, with a randomised control group.

On 2024-01-08, just after the two years of :func:`make_retail`, the shop mails a voucher to
its registered customers. A random quarter is held out as a control group and not mailed.
A customer "responds" by placing an order within 28 days. Both groups order; the mailing
raises the chance, and by most for recent, frequent buyers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import apply_schema, category, check_seed, check_size, rng_for, sigmoid
from .retail import END, _simulate

__all__ = [
    "make_campaign",
    "campaign_money",
    "CAMPAIGN_SCHEMA",
    "CAMPAIGN_DATE",
    "RESPONSE_WINDOW_DAYS",
    "COST_PER_LETTER",
    "VOUCHER",
    "MARGIN_RATE",
]

CAMPAIGN_DATE = pd.Timestamp("2024-01-08")
RESPONSE_WINDOW_DAYS = 28
SNAPSHOT = END + pd.Timedelta(days=1)  # recency is measured from the day after the data end
CONTROL_SHARE = 0.25
# The mailing's money (assumed, the same in every chapter that values the mailing):
COST_PER_LETTER = 1.50  # pounds per customer mailed: printing and postage
VOUCHER = 5.00  # pounds off the next order, paid on every order that uses it
MARGIN_RATE = 0.30  # the shop's gross margin on an order
# planted response model of a mailed customer: logit = a + b_f * ln(frequency) + b_r * recency
_A, _B_F, _B_R = -1.6, 0.55, -0.011  # recency in days
_CONTROL_FACTOR = 0.35  # a control customer orders with 35 % of the mailed probability

CAMPAIGN_SCHEMA = {
    "customer_id": "int",
    "group": category(["treatment", "control"]),
    "mailed": "bool",
    "responded": "bool",
    "response_date": "date",
    "order_value": "float2",
}


def make_campaign(n_customers: int = 800, seed: int = 0) -> pd.DataFrame:
    """Responses to a voucher mailing to the retail customers, with a random control group.

    The customers are exactly the registered customers of
    ``make_retail(n_customers, seed)``, so the campaign can be joined to RFM scores computed
    from those transactions. Planted effects:

    - a mailed (treatment) customer responds with probability
      ``sigmoid(-1.6 + 0.55 ln(frequency) - 0.011 recency_days)``, where frequency is the
      number of invoices and recency the days from the last purchase to 2024-01-01; monetary
      value has no effect of its own;
    - a control customer orders anyway with 35 % of that probability, so the mailing lifts
      response about threefold and the incremental response is largest in recent, frequent
      RFM cells;
    - the order value is about the customer's average invoice value.

    Parameters
    ----------
    n_customers, seed : int
        As for :func:`make_retail`.

    Returns
    -------
    DataFrame
        ``customer_id`` (int), ``group`` (category: treatment, control), ``mailed`` (bool),
        ``responded`` (bool), ``response_date`` (date, missing without response) and
        ``order_value`` (float, pounds, missing without response), one row per customer.

    Examples
    --------
    >>> camp = make_campaign(n_customers=50, seed=1)
    >>> bool((camp["mailed"] == (camp["group"] == "treatment")).all())
    True
    """
    n_customers = check_size(n_customers, "n_customers", minimum=10)
    seed = check_seed(seed)
    tx, customers = _simulate(n_customers, seed)
    rng = rng_for(seed, "campaign")

    sales = tx[~tx["invoice_no"].str.startswith("C") & tx["customer_id"].notna()]
    sales = sales.assign(amount=sales["quantity"] * sales["unit_price"])
    per = sales.groupby("customer_id").agg(
        last=("invoice_date", "max"), frequency=("invoice_no", "nunique"), value=("amount", "sum")
    )
    per = per.reindex(customers["customer_id"].to_numpy())
    recency = (SNAPSHOT - per["last"].dt.normalize()).dt.days.to_numpy()
    frequency = per["frequency"].to_numpy()
    p_mailed = sigmoid(_A + _B_F * np.log(frequency) + _B_R * recency)

    n = len(customers)
    treated = rng.permutation(n) >= round(CONTROL_SHARE * n)
    p = np.where(treated, p_mailed, _CONTROL_FACTOR * p_mailed)
    responded = rng.random(n) < p
    day = rng.integers(0, RESPONSE_WINDOW_DAYS, size=n)
    basket = per["value"].to_numpy() / frequency * rng.lognormal(0.0, 0.35, size=n)
    frame = pd.DataFrame(
        {
            "customer_id": customers["customer_id"].to_numpy(),
            "group": np.where(treated, "treatment", "control"),
            "mailed": treated,
            "responded": responded,
            "response_date": (CAMPAIGN_DATE + pd.to_timedelta(day, unit="D")).where(responded),
            "order_value": np.where(responded, np.round(basket, 2), np.nan),
        }
    )
    return apply_schema(frame, CAMPAIGN_SCHEMA)


def campaign_money(campaign: pd.DataFrame) -> dict[str, float]:
    """The voucher mailing's money, as keyword arguments for :mod:`crmlib.campaign`.

    The assumptions every chapter uses to value the mailing of :func:`make_campaign`:

    - ``cost_per_contact``: a printed letter, :data:`COST_PER_LETTER` (£1.50) per customer
      mailed;
    - ``offer_cost``: the :data:`VOUCHER` (£5) off the next order, paid on *every* order
      that uses it, including orders that would have come anyway;
    - ``value_per_response``: the shop's gross margin, :data:`MARGIN_RATE` (30%), of the
      **mean** order value of the mailed customers who responded. Profit adds up over
      orders, so the mean (not the median) is the expected value of a response.

    Parameters
    ----------
    campaign : DataFrame
        The mailing, one row per customer, with ``group`` (``"treatment"`` = mailed),
        ``responded`` and ``order_value`` (as :func:`load_campaign` returns it; other
        columns may be joined on).

    Returns
    -------
    dict
        ``{"value_per_response": ..., "cost_per_contact": ..., "offer_cost": ...}``, to pass
        as ``**money`` to :func:`crmlib.campaign.evaluate_pilot`,
        :func:`crmlib.campaign.campaign_roi` and :func:`crmlib.campaign.break_even_uplift`.

    Examples
    --------
    >>> camp = pd.DataFrame({"group": ["treatment", "treatment", "control"],
    ...                      "responded": [True, False, True],
    ...                      "order_value": [100.0, None, 60.0]})
    >>> campaign_money(camp)
    {'value_per_response': 30.0, 'cost_per_contact': 1.5, 'offer_cost': 5.0}
    """
    if not isinstance(campaign, pd.DataFrame):
        raise TypeError(f"campaign: expected a DataFrame, got {type(campaign).__name__}")
    missing = [c for c in ("group", "responded", "order_value") if c not in campaign.columns]
    if missing:
        raise ValueError(f"campaign: expected columns {missing} (as load_campaign gives them)")
    answered = (campaign["group"] == "treatment") & campaign["responded"].astype(bool)
    orders = campaign.loc[answered, "order_value"]
    if orders.isna().any() or orders.empty:
        raise ValueError(
            "campaign: expected an order_value for every mailed customer who responded, "
            f"found {int(orders.isna().sum())} missing of {len(orders)}"
        )
    return {
        "value_per_response": float(MARGIN_RATE * orders.mean()),
        "cost_per_contact": COST_PER_LETTER,
        "offer_cost": VOUCHER,
    }
