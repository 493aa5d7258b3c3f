"""Generators of the bundled teaching datasets (``make_*``) and their loaders (``load_*``).

Every generator is deterministic for given sizes and ``seed`` and plants documented effects
that the notebooks discover; the data cards in ``datasets/*.md`` describe them. One module per
dataset; ``bundled`` knows which call writes which file in ``datasets/``.
"""

from .bank import BANK_SYSTEMS, make_bank
from .baskets import make_baskets
from .bundled import (
    BUNDLED,
    bundled_folder,
    load_bank,
    load_baskets,
    load_campaign,
    load_pipeline,
    load_retail,
    load_retail_customers,
    load_scorecard,
    load_telecom,
    load_tickets,
    write_bundled,
)
from .campaign import make_campaign
from .pipeline import make_pipeline
from .retail import make_retail, make_retail_customers
from .scorecard import make_scorecard
from .telecom import make_telecom
from .tickets import make_tickets

__all__ = [
    "make_retail",
    "make_retail_customers",
    "make_campaign",
    "make_bank",
    "make_baskets",
    "make_telecom",
    "make_tickets",
    "make_pipeline",
    "make_scorecard",
    "write_bundled",
    "bundled_folder",
    "BUNDLED",
    "BANK_SYSTEMS",
    "load_retail",
    "load_retail_customers",
    "load_campaign",
    "load_bank",
    "load_baskets",
    "load_telecom",
    "load_tickets",
    "load_pipeline",
    "load_scorecard",
]
