"""Data for the workbook: generated teaching data and loaders for real public datasets.

``load_*`` read the bundled files in ``crmlib/datasets/data/`` (inside the package) (written by the generators ``make_*``);
``fetch_*`` read a real public dataset from the data home (``$CRMLIB_DATA`` or a per-user
cache), downloading it from its publisher when absent.
"""

from .fetch import *  # noqa: F403
from .fetch import __all__ as _fetch_all
from .synthetic import *  # noqa: F403
from .synthetic import __all__ as _synthetic_all

__all__ = [*_fetch_all, *_synthetic_all]
