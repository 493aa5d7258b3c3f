"""Customer-service tickets: voice of the customer (VOC), channels, first-contact resolution.

One year of tickets at an online retailer's service centre with 40 agents. The centre handles
about 20 times as many tickets as the file holds: the file holds every ticket of a random one
in ``SAMPLE_EVERY`` (20) of the retailer's customers, so that it stays small while the centre's
workload stays realistic (about 18 hours of handling per agent a week). Multiply counts and
hours by ``SAMPLE_EVERY`` for the whole centre. Because whole customers are sampled, each
customer's tickets in the file are all their tickets of the year: a customer opens
``TICKETS_PER_CUSTOMER`` (0.25) tickets a year on average, most none, and customers differ
(a gamma-Poisson mixture, shape ``CUSTOMER_SHAPE``), so about one customer in five contacts
the centre in a year and about one in five of those more than once, in line with what
contact-centre benchmarks report (e-commerce: a few contacts per 100 orders). Each ticket
has a VOC category,
the channel it came in by, the agent, whether it was resolved at the first contact (FCR), how
many contacts it took, the handling time and, when the customer answered the follow-up survey,
a satisfaction score (CSAT, 1-5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import apply_schema, category, check_seed, check_size, rng_for

__all__ = [
    "make_tickets",
    "customer_pool",
    "TICKETS_SCHEMA",
    "SAMPLE_EVERY",
    "PEAK_FACTOR",
    "TICKETS_PER_CUSTOMER",
    "CUSTOMER_SHAPE",
]

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
SAMPLE_EVERY = 20  # the file holds every ticket of one customer in 20 of the retailer's
TICKETS_PER_CUSTOMER = 0.25  # tickets a customer opens in a year, on average (most open none)
CUSTOMER_SHAPE = 1.0  # gamma shape of the customers' ticket rates: smaller, more unequal
PEAK_FACTOR = 2.5  # delivery tickets per day in November and December against the rest of the year
SURVEY_RESPONSE_RATE = 0.45

# The customer's message: one phrase of the ticket's category, sometimes a phrase of a related
# category too (a broken item the customer wants to send back, a courier who was rude), and
# now and then a message that says nothing about the problem. Phrases, not single words: a
# keyword such as "order" or "refund" occurs in several categories.
_PHRASES = {
    "delivery": [
        "my parcel has not arrived yet", "the delivery is a week late",
        "the courier left my package at the wrong address",
        "tracking has shown no movement for five days", "I am still waiting for my order",
        "the order was marked delivered but nothing came", "when will my order be shipped",
        "the parcel was delivered to my neighbour without a note",
    ],
    "billing": [
        "I was charged twice for the same order", "the amount on my invoice is wrong",
        "my card was charged but the order was cancelled",
        "the discount code was not applied to my bill", "you charged me for delivery again",
        "there is a payment on my statement I do not recognise",
        "the receipt shows the wrong VAT", "please refund the extra charge on my card",
    ],
    "product defect": [
        "the item arrived broken", "it stopped working after two days",
        "the screen is cracked", "parts are missing from the box",
        "the zip broke the first time I used it", "the charger is faulty and gets hot",
        "the colour is completely different from the picture", "the seam came apart",
    ],
    "return/refund": [
        "I would like to return this item", "I am still waiting for my refund",
        "how do I send the order back", "the return label does not print",
        "can I exchange it for a different size", "the refund has not reached my account",
        "you received my return two weeks ago", "please cancel my order and refund me",
    ],
    "account/login": [
        "I cannot log in to my account", "the password reset e-mail never comes",
        "my account is locked", "I want to change the e-mail address on my account",
        "the verification code does not arrive", "please delete my account",
        "the app keeps logging me out", "I forgot my password",
    ],
    "technical support": [
        "the app crashes when I open it", "the website shows an error at checkout",
        "the device will not connect to wifi", "how do I set up the speaker",
        "the firmware update failed", "bluetooth pairing does not work",
        "the page does not load on my phone", "the smart watch does not sync with the app",
    ],
    "staff complaint": [
        "the agent on the phone was rude to me", "nobody called me back as promised",
        "your staff hung up on me", "the courier was rude at the door",
        "the person in the store was unhelpful and impatient",
        "I was promised a call back three times", "the agent did not listen",
        "I was passed from one person to another for an hour",
    ],
    "information request": [
        "do you have this jacket in stock", "what are your opening hours at the weekend",
        "does this model fit a 13 inch laptop", "when will the blue one be available again",
        "is there a warranty on this product", "do you ship to Jeju island",
        "can I pay in instalments", "which size should I order",
    ],
}  # fmt: skip
# category -> the categories whose phrases its messages borrow (the confusable ones)
_NEIGHBOURS = {
    "delivery": ["staff complaint", "return/refund", "billing"],
    "billing": ["return/refund", "delivery"],
    "product defect": ["return/refund", "technical support"],
    "return/refund": ["billing", "product defect"],
    "account/login": ["technical support"],
    "technical support": ["account/login", "product defect"],
    "staff complaint": ["delivery", "return/refund", "billing"],
    "information request": ["delivery", "billing"],
}
_OPENERS = ["", "", "Hello, ", "Hi, ", "Dear team, ", "Good morning, "]
_CLOSERS = ["", "", " Please help.", " Thanks.", " This is the second time I write.",
            " Very disappointed.", " Order {n}.", " I need an answer today."]  # fmt: skip
_VAGUE = ["I have a problem with my order", "please call me back", "I need help",
          "something is wrong, please check"]  # fmt: skip
P_SECOND_PHRASE, P_VAGUE = 0.35, 0.04

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
    "message": "str",
}


def _messages(category: np.ndarray, seed: int) -> np.ndarray:
    """One message per ticket, drawn from its own stream (the other columns do not change)."""
    rng = rng_for(seed, "tickets-messages")
    out = []
    for c in category:
        name = CATEGORIES[c]
        text = str(rng.choice(_PHRASES[name]))
        if rng.random() < P_SECOND_PHRASE:
            other = str(rng.choice(_PHRASES[str(rng.choice(_NEIGHBOURS[name]))]))
            text = f"{other} and {text}" if rng.random() < 0.5 else f"{text} and {other}"
        if rng.random() < P_VAGUE:
            text = str(rng.choice(_VAGUE))
        closer = str(rng.choice(_CLOSERS)).format(n=rng.integers(100000, 999999))
        opener = str(rng.choice(_OPENERS))
        text = text[0].upper() + text[1:] if not opener else text
        out.append(f"{opener}{text}.{closer}")
    return np.array(out, dtype=object)


def customer_pool(n_tickets: int) -> int:
    """Customers in the sample behind ``n_tickets`` tickets, those without a ticket included.

    >>> customer_pool(8000)
    32000
    """
    n = check_size(n_tickets, "n_tickets", minimum=100)
    return round(n / TICKETS_PER_CUSTOMER)


def _customers(n: int, seed: int) -> np.ndarray:
    """The customer of each ticket: ids 10001... of ``customer_pool(n)`` customers, each with
    a gamma-distributed rate, so a customer's tickets are close to negative binomial (mean
    ``TICKETS_PER_CUSTOMER``, shape ``CUSTOMER_SHAPE``); own stream, other columns unchanged."""
    rng = rng_for(seed, "tickets-customers")
    pool = customer_pool(n)
    rate = rng.gamma(CUSTOMER_SHAPE, 1.0, pool)
    return 10001 + rng.choice(pool, size=n, p=rate / rate.sum())


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
    - in November and December the centre gets ``PEAK_FACTOR`` (2.5) times as many delivery
      tickets a day as in the rest of the year, on top of the other categories, which stay as
      they are (the Christmas peak: the volume rises, and delivery's share with it);
    - customers differ in how often they need the centre: the file's customers are a
      random ``1 / SAMPLE_EVERY`` of the retailer's (``customer_pool(n_tickets)`` of them,
      those without a ticket absent), each opening tickets at a gamma-distributed rate with
      mean ``TICKETS_PER_CUSTOMER``, so most customers open no ticket in the year, most who
      do open one, and about a fifth of those more than one;
    - handling time grows with the category's difficulty and is longer on chat;
    - the customer's ``message`` names the problem in one of eight phrases of its category,
      in about a third of the tickets together with a phrase of a related category (a
      broken item to send back, a rude courier), and in about 4 % says nothing about it.

    Parameters
    ----------
    n_tickets : int
        Number of tickets in the file (at least 100); the centre's own volume is
        ``SAMPLE_EVERY`` times as large, and the file's customers are
        ``customer_pool(n_tickets)`` (those with a ticket appear).
    seed : int
        Seed of the random stream.

    Returns
    -------
    DataFrame
        ``ticket_id`` (int), ``customer_id`` (int, every ticket of the customer in the
        year), ``created_at`` (datetime),
        ``category`` and ``channel`` (categories), ``agent_id`` (str),
        ``first_contact_resolution`` (bool), ``contacts`` (int, 1 when resolved first time),
        ``wait_minutes`` and ``handling_minutes`` (total over the contacts),
        ``resolved_at`` (datetime) and ``satisfaction`` (Int64 1-5, missing when the customer
        did not answer the survey, about 55 %) and ``message`` (str, the customer's words),
        sorted by ``created_at``.

    Examples
    --------
    >>> t = make_tickets(n_tickets=300, seed=1)
    >>> bool((t.loc[t["first_contact_resolution"], "contacts"] == 1).all())
    True
    >>> per_customer = t.groupby("customer_id").size()
    >>> bool((per_customer == 1).mean() > 0.5)  # most customers with a ticket have one
    True
    """
    n = check_size(n_tickets, "n_tickets", minimum=100)
    rng = rng_for(check_seed(seed), "tickets")
    cats = np.array([_CATEGORY_TABLE[c] for c in CATEGORIES])
    chans = np.array([_CHANNEL_TABLE[c] for c in CHANNELS])

    # the centre works 07:00-22:59 every day
    seed = check_seed(seed)
    # the Christmas peak adds delivery tickets on top: a peak day's volume is 1 + (2.5 - 1) x
    # delivery's share of a normal day, and its extra tickets are all delivery
    days = pd.date_range(START, periods=365, freq="D")
    in_peak = np.isin(days.month, [11, 12])
    extra = (PEAK_FACTOR - 1) * cats[0, 0]
    day_weight = np.where(in_peak, 1 + extra, 1.0)
    day = rng.choice(365, size=n, p=day_weight / day_weight.sum())
    minute = np.sort(day * 1440 + 420 + rng.integers(0, 960, size=n))
    created = START + pd.to_timedelta(minute, unit="min")
    peak = np.isin(created.month, [11, 12])
    share = np.tile(cats[:, 0], (n, 1))
    share[peak, 0] *= PEAK_FACTOR  # the same counts of the other categories, 2.5x delivery
    share /= share.sum(axis=1, keepdims=True)
    cat = (rng.random(n)[:, None] > np.cumsum(share, axis=1)).sum(axis=1)
    chan = rng.choice(len(CHANNELS), size=n, p=chans[:, 0])
    skill = rng.normal(0, 0.25, N_AGENTS)
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
            "customer_id": _customers(n, seed),
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
            "message": _messages(cat, seed),
        }
    )
    frame["satisfaction"] = frame["satisfaction"].where(answered)
    return apply_schema(frame, TICKETS_SCHEMA)
