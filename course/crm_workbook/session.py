"""The notebook session: reproducible settings at the top, a versions watermark at the end.

Every workbook notebook starts with ``setup()`` and ends with ``versions()``, so stored
outputs are the same on every run and can be traced to the package versions that made them.

Examples
--------
>>> setup(seed=1)
>>> import warnings
>>> warnings.formatwarning("rows dropped", UserWarning, "/tmp/x.py", 3)
'UserWarning: rows dropped\\n'
"""

from __future__ import annotations

import math
import os
import platform
import random
import re
import warnings
from importlib import metadata

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

PACKAGES = (
    "crmlib",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "matplotlib",
    "seaborn",
    "mlxtend",
    "ipywidgets",
)


_THREADS = None  # the active thread limit, kept alive for the session


def _format_warning(message, category, filename, lineno, line=None) -> str:
    # The default format starts with the file path, which in a notebook is a temporary,
    # machine-specific file; the category and message are what a reader needs.
    return f"{category.__name__}: {message}\n"


#: Set by the workbook's own runners (``crm-workbook execute``/``build``/``case`` and
#: ``make test``): no browser shows the notebook, so explorers show their static form only.
HEADLESS = "CRM_WORKBOOK_HEADLESS"


def headless() -> bool:
    """Whether this kernel runs for a runner, with no browser to show live widgets."""
    return os.environ.get(HEADLESS, "") not in ("", "0")


#: The workbook's languages: the English edition and the Korean one (``ko/``).
LANGUAGES = ("en", "ko")


def require_language(lang: object) -> str:
    """``lang`` if the workbook speaks it (:data:`LANGUAGES`), else a ValueError naming it."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang: expected one of {list(LANGUAGES)}, got {lang!r}")
    return str(lang)


def setup(seed: int = 42, lang: str = "en") -> None:
    """Seed Python's and NumPy's global generators, set display options, tidy warnings.

    Code that draws random numbers should still pass its own ``seed``/``random_state``;
    the global seed is a safety net for libraries that use the global state. ``lang="ko"``
    (the Korean edition) draws figures with a Korean font shipped in a Python package
    (koreanize-matplotlib's NanumGothic), so no font is downloaded or installed.
    """
    lang = require_language(lang)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - the global state some libraries still use
    # The workbook's tables are small: one BLAS/OpenMP thread is fastest and keeps run times
    # steady when several kernels share a machine (k-means ran 30-70x slower threaded there).
    global _THREADS
    _THREADS = threadpool_limits(1)
    # Show NumPy scalars as plain numbers (0.25), not NumPy 2's np.float64(0.25).
    np.set_printoptions(legacy="1.25")
    pd.set_option("display.precision", 3)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 120)
    warnings.formatwarning = _format_warning
    if headless():
        # Widgets would only send comm messages that no browser answers, and a runner's
        # kernel client now and then stalls on them until its cell timeout
        # (jupyter/nbclient#312; seen here in 2 of 7 case runs): open no comms at all.
        import comm

        comm.create_comm = comm.DummyComm
    try:
        import seaborn as sns

        sns.set_theme(style="whitegrid")
    except ImportError:  # pragma: no cover - seaborn is a dependency
        pass
    if lang == "ko":
        korean_font()


def korean_font(*, fallback: bool = False) -> None:
    """Draw figures with NanumGothic, a Korean font shipped in a Python package
    (koreanize-matplotlib), so no font is downloaded or installed.

    By default it becomes the font (the Korean edition's :func:`setup`). With ``fallback``
    it is only added after the current fonts, for the glyphs they lack: an explorer called
    with ``lang="ko"`` in a session set up in English draws Hangul, and nothing else changes.
    """
    import matplotlib

    rc = matplotlib.rcParams
    kept = {key: rc[key] for key in ("font.family", "axes.unicode_minus")}
    with warnings.catch_warnings():  # it imports distutils' deprecated Version class
        warnings.simplefilter("ignore", DeprecationWarning)
        import koreanize_matplotlib  # noqa: F401 - registers NanumGothic (and sets it) on import

    rc.update(kept)  # what its first import set is decided here
    if not fallback:
        rc["font.family"] = "NanumGothic"  # seaborn's theme reset it
        rc["axes.unicode_minus"] = False  # NanumGothic has no U+2212
    elif "NanumGothic" not in rc["font.family"]:
        rc["font.family"] = [*rc["font.family"], "NanumGothic"]


def versions(packages: tuple[str, ...] = PACKAGES) -> pd.DataFrame:
    """The Python and package versions this notebook ran with (Python as major.minor only,
    since the patch release differs between machines that share a lock file)."""
    rows = [("python", ".".join(platform.python_version_tuple()[:2]))]
    for name in packages:
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            rows.append((name, "not installed"))
    return pd.DataFrame(rows, columns=["package", "version"]).set_index("package")


#: Code in Markdown (fenced blocks and spans), where a backslash would show as itself.
MARKDOWN_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
#: A single "~", neither doubled nor escaped.
SINGLE_TILDE = re.compile(r"(?<![~\\])~(?!~)")
#: A "$" before an amount ("$25", "$3,275.50"), not escaped: Jupyter and the site (MyST's
#: dollarmath) read the text up to the next "$" as a formula.
CURRENCY_DOLLAR = re.compile(r"(?<![\\$])\$(?=\d[\d,]*(?:\.\d+)?(?:[\s*;,.):]|$))")


def escape_markdown(text: str) -> str:
    r"""Escape, outside code, what Markdown would misread in prose: a single "~" (JupyterLab
    and GitHub strike through the text between two of them, and Korean writes ranges with
    it, "1~5점") and a "$" before an amount (read as the start of a formula).

    >>> escape_markdown("1~5점, 6~7배, `~/data`, ~~gone~~, $25 / $100, $r^t$")
    '1\\~5점, 6\\~7배, `~/data`, ~~gone~~, \\$25 / \\$100, $r^t$'
    """
    pieces = MARKDOWN_CODE.split(text)
    return "".join(
        p if i % 2 else CURRENCY_DOLLAR.sub(r"\\$", SINGLE_TILDE.sub(r"\~", p))
        for i, p in enumerate(pieces)
    )


class Markdown(str):
    """Text shown as Markdown in Jupyter and on the site, and as itself in the plain-text
    output that nbval compares, so a number the prose states is checked like any output."""

    def _repr_markdown_(self) -> str:
        return escape_markdown(str(self))

    def __repr__(self) -> str:
        return str(self)


def md(text: str) -> Markdown:
    """Prose with computed numbers: ``md(f"The top 20% bring **{share:.0%}** of revenue.")``.

    Make it the last expression of a cell (or ``display`` it). Typing a number about the data
    into a Markdown cell hides it from the tests; this keeps it checked.

    Examples
    --------
    >>> md(f"Churn is **{0.265:.1%}** a month.")
    Churn is **26.5%** a month.
    """
    if not isinstance(text, str):
        raise TypeError(f"text: expected a str (e.g. an f-string), got {type(text).__name__}")
    return Markdown(text)


def percent(share: float, decimals: int = 1) -> str:
    """A share (a fraction, 0-1) as a percentage in which a nonzero share never reads as 0.

    Formatted like ``f"{share:.{decimals}%}"``; a share too small for that (it would print
    as ``0.0%``) gets as many decimals as its first nonzero digit needs, so 2 baskets of
    9,835 read ``0.02%``. Zero stays ``0.0%``; NaN prints as ``nan%``. Use it wherever a
    share can be tiny (supports, rare items) instead of ``:.1%``.

    Examples
    --------
    >>> percent(0.6549), percent(0.6549, 0), percent(2 / 9835), percent(-0.00004)
    ('65.5%', '65%', '0.02%', '-0.004%')
    >>> percent(0.0), percent(0.00096), percent(0.000999, 0)
    ('0.0%', '0.1%', '0.1%')
    """
    if isinstance(share, bool) or not isinstance(share, int | float | np.number):
        raise TypeError(f"share: expected a number (a fraction), got {type(share).__name__}")
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"decimals: expected a whole number >= 0, got {decimals!r}")
    share = float(share)
    if share != 0 and math.isfinite(share):
        while float(f"{abs(share):.{decimals}%}".rstrip("%")) == 0:
            decimals += 1  # the fewest decimals that show the first nonzero digit
    return f"{share:.{decimals}%}"
