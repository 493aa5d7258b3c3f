"""The bundled teaching files: which generator call writes each, and how to read them back.

``write_bundled`` regenerates every file in ``crmlib/datasets/data/`` byte for byte; ``load_*`` read them
with their proper dtypes. A loaded file equals what the generator returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from ._common import Schema, read_csv, to_csv_bytes
from .bank import BANK_SCHEMAS, BANK_SYSTEMS, make_bank
from .baskets import BASKETS_SCHEMA, make_baskets
from .cafe import CAFE_SCHEMA, make_cafe_survey
from .campaign import CAMPAIGN_SCHEMA, make_campaign
from .pipeline import PIPELINE_SCHEMA, make_pipeline
from .retail import RETAIL_CUSTOMERS_SCHEMA, RETAIL_SCHEMA, make_retail, make_retail_customers
from .scorecard import KPI_SCHEMA, SURVEY_SCHEMA, make_scorecard
from .telecom import TELECOM_SCHEMA, make_telecom
from .tickets import TICKETS_SCHEMA, make_tickets

__all__ = [
    "BUNDLED",
    "bundled_folder",
    "write_bundled",
    "load_retail",
    "load_retail_customers",
    "load_campaign",
    "load_bank",
    "load_baskets",
    "load_telecom",
    "load_tickets",
    "load_pipeline",
    "load_scorecard",
    "load_cafe_survey",
]

SEED = 0  # every bundled file is generated with this seed


@dataclass(frozen=True)
class BundledFile:
    """One bundled CSV: its file name, schema and the generator call that makes it."""

    filename: str
    schema: Schema
    generator: str  # key in _GENERATORS
    part: str | None  # key in the generator's dict result, if it returns several tables
    call: str  # the call, as written in the data card


_GENERATORS: dict[str, Callable[[], pd.DataFrame | dict[str, pd.DataFrame]]] = {
    "retail": lambda: make_retail(n_customers=800, seed=SEED),
    "retail_customers": lambda: make_retail_customers(n_customers=800, seed=SEED),
    "campaign": lambda: make_campaign(n_customers=800, seed=SEED),
    "bank": lambda: make_bank(n_persons=4000, seed=SEED),
    "baskets": lambda: make_baskets(n_baskets=20000, seed=SEED),
    "telecom": lambda: make_telecom(n_subscribers=5000, seed=SEED),
    "tickets": lambda: make_tickets(n_tickets=8000, seed=SEED),
    "pipeline": lambda: make_pipeline(n_leads=3000, seed=SEED),
    "scorecard": lambda: make_scorecard(seed=SEED),
    "cafe": lambda: make_cafe_survey(n_customers=3000, seed=SEED),
}

#: Every bundled file, in the order ``write_bundled`` writes them.
BUNDLED: tuple[BundledFile, ...] = (
    BundledFile("retail.csv", RETAIL_SCHEMA, "retail", None,
                "make_retail(n_customers=800, seed=0)"),
    BundledFile("retail_customers.csv", RETAIL_CUSTOMERS_SCHEMA, "retail_customers", None,
                "make_retail_customers(n_customers=800, seed=0)"),
    BundledFile("campaign.csv", CAMPAIGN_SCHEMA, "campaign", None,
                "make_campaign(n_customers=800, seed=0)"),
    *(
        BundledFile(f"bank_{key}.csv", BANK_SCHEMAS[key], "bank", key,
                    f'make_bank(n_persons=4000, seed=0)["{key}"]')
        for key in (*BANK_SYSTEMS, "truth", "customers", "pilot")
    ),
    BundledFile("baskets.csv", BASKETS_SCHEMA, "baskets", None,
                "make_baskets(n_baskets=20000, seed=0)"),
    BundledFile("telecom.csv", TELECOM_SCHEMA, "telecom", None,
                "make_telecom(n_subscribers=5000, seed=0)"),
    BundledFile("tickets.csv", TICKETS_SCHEMA, "tickets", None,
                "make_tickets(n_tickets=8000, seed=0)"),
    BundledFile("pipeline.csv", PIPELINE_SCHEMA, "pipeline", None,
                "make_pipeline(n_leads=3000, seed=0)"),
    BundledFile("scorecard_survey.csv", SURVEY_SCHEMA, "scorecard", "survey",
                'make_scorecard(seed=0)["survey"]'),
    BundledFile("scorecard_kpis.csv", KPI_SCHEMA, "scorecard", "kpis",
                'make_scorecard(seed=0)["kpis"]'),
    BundledFile("cafe_survey.csv", CAFE_SCHEMA, "cafe", None,
                "make_cafe_survey(n_customers=3000, seed=0)"),
)  # fmt: skip
_BY_NAME = {b.filename: b for b in BUNDLED}


def bundled_folder() -> Path:
    """The folder of bundled files inside the installed package (``crmlib/datasets/data``)."""
    return Path(str(resources.files("crmlib.datasets") / "data"))


def _folder(folder: str | Path | None, name: str = "folder") -> Path:
    if folder is None:
        return bundled_folder()
    if not isinstance(folder, str | Path):
        raise TypeError(
            f"{name}: expected a path (str or pathlib.Path), got {type(folder).__name__}"
        )
    return Path(folder)


def write_bundled(folder: str | Path) -> list[Path]:
    """Generate every bundled file into ``folder``.

    The package's own copies live in :func:`bundled_folder`; there is no default, so that an
    installed package is never rewritten by accident (``crm-workbook data`` names the
    repository's ``crmlib/datasets/data``).

    The output is the same bytes on every run and machine: fixed seeds, explicit sort
    orders, fixed float decimals, ``\\n`` line endings, UTF-8. The data cards (``*.md``)
    are written by hand and are not touched.

    Parameters
    ----------
    folder : str or Path
        Where to write; created if missing.

    Returns
    -------
    list of Path
        The files written, in the order of :data:`BUNDLED`.

    Examples
    --------
    ``write_bundled("out")`` writes these files, in this order:

    >>> [b.filename for b in BUNDLED][:3]
    ['retail.csv', 'retail_customers.csv', 'campaign.csv']
    """
    if folder is None:
        raise TypeError("folder: expected a path to write the bundled files to, got None")
    target = _folder(folder)
    target.mkdir(parents=True, exist_ok=True)
    results: dict[str, pd.DataFrame | dict[str, pd.DataFrame]] = {}  # one call per generator
    written = []
    for item in BUNDLED:
        if item.generator not in results:
            results[item.generator] = _GENERATORS[item.generator]()
        frame = results[item.generator]
        frame = frame[item.part] if item.part is not None else frame
        path = target / item.filename
        path.write_bytes(to_csv_bytes(frame, item.schema))
        written.append(path)
    return written


def _load(filename: str, folder: str | Path | None) -> pd.DataFrame:
    path = _folder(folder) / filename
    if not path.is_file():
        raise FileNotFoundError(
            f"bundled file {filename!r} not found in {path.parent}; generate it with "
            "crmlib.datasets.write_bundled(folder)"
        )
    return read_csv(path, _BY_NAME[filename].schema)


def load_retail(folder: str | Path | None = None) -> pd.DataFrame:
    """Read ``retail.csv``: the web shop's transaction lines (see :func:`make_retail`).

    Examples
    --------
    >>> tx = load_retail()
    >>> str(tx["invoice_date"].dtype), str(tx["customer_id"].dtype)
    ('datetime64[us]', 'Int64')
    """
    return _load("retail.csv", folder)


def load_retail_customers(folder: str | Path | None = None) -> pd.DataFrame:
    """Read ``retail_customers.csv``: the hidden truth (segment, churn) per retail customer.

    Examples
    --------
    >>> load_retail_customers()["segment"].cat.categories.tolist()
    ['wholesale', 'regular', 'occasional', 'seasonal']
    """
    return _load("retail_customers.csv", folder)


def load_campaign(folder: str | Path | None = None) -> pd.DataFrame:
    """Read ``campaign.csv``: the voucher mailing with its control group (:func:`make_campaign`).

    Examples
    --------
    >>> camp = load_campaign()
    >>> bool(camp["customer_id"].isin(load_retail()["customer_id"]).all())
    True
    """
    return _load("campaign.csv", folder)


def load_bank(folder: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Read the ``bank_*.csv`` files into a dict keyed like :func:`make_bank`'s result.

    Examples
    --------
    >>> bank = load_bank()
    >>> list(bank)[:3]
    ['deposits', 'loans', 'cards']
    """
    return {key: _load(f"bank_{key}.csv", folder) for key in (*BANK_SYSTEMS, "truth",
                                                            "customers", "pilot")}  # fmt: skip


def load_baskets(folder: str | Path | None = None) -> pd.DataFrame:
    """Read ``baskets.csv``: convenience-store baskets, long format (:func:`make_baskets`).

    Examples
    --------
    >>> list(load_baskets().columns)
    ['basket_id', 'timestamp', 'item']
    """
    return _load("baskets.csv", folder)


def load_telecom(folder: str | Path | None = None) -> pd.DataFrame:
    """Read ``telecom.csv``: mobile subscribers and churn (:func:`make_telecom`).

    Examples
    --------
    >>> str(load_telecom()["churned"].dtype)
    'bool'
    """
    return _load("telecom.csv", folder)


def load_tickets(folder: str | Path | None = None) -> pd.DataFrame:
    """Read ``tickets.csv``: customer-service tickets (:func:`make_tickets`).

    Examples
    --------
    >>> str(load_tickets()["satisfaction"].dtype)
    'Int64'
    """
    return _load("tickets.csv", folder)


def load_pipeline(folder: str | Path | None = None) -> pd.DataFrame:
    """Read ``pipeline.csv``: the sales pipeline (:func:`make_pipeline`).

    Examples
    --------
    >>> load_pipeline()["stage"].cat.ordered
    True
    """
    return _load("pipeline.csv", folder)


def load_scorecard(folder: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Read ``scorecard_survey.csv`` and ``scorecard_kpis.csv`` (:func:`make_scorecard`).

    Examples
    --------
    >>> sorted(load_scorecard())
    ['kpis', 'survey']
    """
    return {
        "survey": _load("scorecard_survey.csv", folder),
        "kpis": _load("scorecard_kpis.csv", folder),
    }


def load_cafe_survey(folder: str | Path | None = None) -> pd.DataFrame:
    """Read ``cafe_survey.csv``: a coffee chain's member survey and next-year behaviour
    (:func:`make_cafe_survey`).

    Examples
    --------
    >>> survey = load_cafe_survey()
    >>> sorted(survey["satisfaction"].unique().tolist())
    [1, 2, 3, 4, 5]
    """
    return _load("cafe_survey.csv", folder)
