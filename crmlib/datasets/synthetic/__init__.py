"""Generators of the bundled teaching datasets (``make_*``) and their loaders (``load_*``).

Every generator is deterministic for given sizes and ``seed`` and plants documented effects
that the notebooks discover; the data cards in ``crmlib/datasets/data/*.md`` describe them. One module per
dataset; ``bundled`` knows which call writes which file in ``crmlib/datasets/data/``.
"""

from .bank import BANK_SYSTEMS, make_bank
from .baskets import make_baskets
from .bundled import *  # noqa: F403 - loaders and writer, listed in bundled.__all__
from .bundled import __all__ as _bundled_all
from .cafe import CAFE_ITEMS, make_cafe_survey
from .campaign import campaign_money, make_campaign
from .crm import make_crm
from .pipeline import make_pipeline
from .retail import make_retail, make_retail_customers
from .scorecard import make_scorecard
from .telecom import make_telecom
from .tickets import make_tickets

__all__ = [
    "make_retail",
    "make_retail_customers",
    "make_campaign",
    "campaign_money",
    "make_bank",
    "make_crm",
    "make_baskets",
    "make_telecom",
    "make_tickets",
    "make_pipeline",
    "make_scorecard",
    "make_cafe_survey",
    "CAFE_ITEMS",
    "BANK_SYSTEMS",
    *_bundled_all,
]
