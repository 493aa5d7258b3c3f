"""Self-checks for exercise notebooks.

An exercise cell computes an answer; the check cell after it prints ``q1: passed``,
``q1: not answered yet`` or ``q1: not yet. <hint>``, and never the expected value. Four kinds
of question, all methods of one :class:`Checker` (``check = Checker("05_rfm_...")``):

- ``check("q1", answer, rtol=None, ordered=True)``: a number, text, list, Series or
  DataFrame. Numbers pass when they are within a **relative tolerance** of the key
  (``rtol``, default 0.5% for decimals; whole numbers such as counts must match exactly);
  Series and DataFrames are compared cell by cell with the same tolerance, labels and text
  exactly (spacing and capitalisation aside). ``ordered=False`` ignores the row order, and
  with it an unnamed index that only holds the rows' old positions (``sort_values``, a
  filter) where the key has no labels in its index.
- ``check.mistake("q1", wrong_value, "hint")``, written inside the solution region: a classic
  wrong computation and what to say to a student whose answer matches it (within the same
  tolerance). Recorded with the key; does nothing in an exercise notebook.
- ``check.written("q2", text)``: a written answer. Once the student wrote enough (about 15
  words; Hangul counts one word per three syllables), the model answer recorded from the
  solution is shown for self-assessment.
- ``check.choice("q3", letter, reason)``: a multiple-choice letter, checked only once a
  one-line reason is written.

Hints are only given when they are true. Structural hints (type, length, columns, index) are
always safe; the value hints (a percentage where a fraction is expected, the wrong sign, weeks
for months, a yearly rate for a monthly one, ...) are given only when the student's answer,
transformed that way, matches the key within the tolerance; otherwise the check says
"not the expected value" and states the tolerance.

The answer key
--------------
The key is written by running the *solution* notebook with ``CRM_WORKBOOK_RECORD_ANSWERS``
set to a fresh folder (``crm-workbook execute`` does this), so the solution notebook is the
single source of the exercises and their key. A tolerance without gaps (every value closer to
the key than an accepted value is accepted) needs the key's value itself, which a hash of a
rounded value cannot give: a hash only matches values that round the same way, so neighbours
across a rounding boundary fail while farther values pass. The key therefore stores each
answer **obfuscated, not hashed**: the canonical JSON of the answer, compressed and XOR-ed
with a fixed SHA-256 key stream, in base64. Nobody reads an answer off the key by looking at
it, but anyone who reads this module can decode it. That is the trade-off: the old hashes of
3-digit values could be brute-forced in seconds anyway, so the key never was a vault; it keeps
honest students honest. Structural facts the hints use (type, length, columns, whether the
index holds labels) and the mistakes' hints are stored in plain text.

Examples
--------
>>> import tempfile, os
>>> folder = tempfile.mkdtemp()
>>> os.environ["CRM_WORKBOOK_RECORD_ANSWERS"] = folder
>>> recorder = Checker("demo")
>>> recorder.mistake("q1", 0.75, "That is the share who stayed; the question asks who left.")
>>> recorder("q1", 0.25)
q1: passed
>>> del os.environ["CRM_WORKBOOK_RECORD_ANSWERS"]
>>> check = Checker("demo", key_dir=folder)
>>> check("q1", 0.2509)
q1: passed
>>> check("q1", 25.0)
q1: not yet. Your answer is about 100 times too large: a percentage where a fraction is expected?
>>> check("q1", 0.75)
q1: not yet. That is the share who stayed; the question asks who left.
>>> check("q1", 0.3)
q1: not yet. Not the expected value (answers within 0.5% of it pass).
>>> check("q1", None)
q1: not answered yet
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import re
import textwrap
import unicodedata
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .session import require_language

__all__ = ["Checker", "fingerprint", "compare", "word_count", "korean"]

RECORD_ENV = "CRM_WORKBOOK_RECORD_ANSWERS"
#: Relative tolerance for decimal numbers when a check does not set ``rtol``.
DEFAULT_RTOL = 0.005
#: Absolute slack for keys at or near zero (floating-point noise, not a tolerance).
ATOL = 1e-12
#: A written answer needs this many words (Hangul: HANGUL_PER_WORD syllables per word).
MIN_WORDS = 15
#: A choice needs a reason of this many words.
MIN_REASON_WORDS = 4
#: Korean puts about three syllables between spaces, so syllables / 3 counts as words.
HANGUL_PER_WORD = 3

_SALT = b"crm-workbook answer key"
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_WORD = re.compile(r"\w+")


# --- the key's storage -------------------------------------------------------------------


def _stream(n: int) -> bytes:
    blocks = (hashlib.sha256(_SALT + i.to_bytes(4, "big")).digest() for i in range(n // 32 + 1))
    return b"".join(blocks)[:n]


def _hide(content: Any) -> str:
    """Obfuscate ``content`` (JSON-able) for the key; see the module docstring."""
    packed = zlib.compress(json.dumps(content, sort_keys=True).encode(), 9)
    return base64.b64encode(
        bytes(a ^ b for a, b in zip(packed, _stream(len(packed)), strict=True))
    ).decode()


def _reveal(blob: str) -> Any:
    packed = base64.b64decode(blob)
    return json.loads(
        zlib.decompress(bytes(a ^ b for a, b in zip(packed, _stream(len(packed)), strict=True)))
    )


# --- canonical content -------------------------------------------------------------------


def _kind(answer: Any) -> str:
    if isinstance(answer, bool | np.bool_):
        return "bool"
    if isinstance(answer, int | float | np.integer | np.floating):
        return "number"
    if isinstance(answer, str):
        return "text"
    if isinstance(answer, pd.DataFrame):
        return "frame"
    if isinstance(answer, pd.Series):
        return "series"
    if isinstance(answer, Sequence | set | frozenset | np.ndarray | pd.Index):
        return "collection"
    return type(answer).__name__


def _text(value: Any) -> str:
    return " ".join(str(value).split()).lower()


def _cell(value: Any) -> Any:
    """One value as JSON: None for missing, bool, int, float, or normalised text."""
    if value is None or (
        not isinstance(value, str | bytes) and pd.api.types.is_scalar(value) and pd.isna(value)
    ):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else str(float(value))  # inf, -inf
    return _text(value)


def _labelled(answer: pd.Series | pd.DataFrame) -> bool:
    return not isinstance(answer.index, pd.RangeIndex)


def _rows(answer: Any, kind: str) -> list[list[Any]]:
    """Rows of cells; the index labels come first when they are part of the answer."""
    if kind == "collection":
        return [[_cell(v)] for v in list(answer)]
    frame = answer.to_frame() if kind == "series" else answer
    columns = [[_cell(v) for v in frame.iloc[:, i].tolist()] for i in range(frame.shape[1])]
    if _labelled(answer):  # labels such as a groupby key are part of the answer
        for level in reversed(range(answer.index.nlevels)):
            columns.insert(0, [_cell(v) for v in answer.index.get_level_values(level)])
    return [list(r) for r in zip(*columns, strict=True)]


def _content(answer: Any, kind: str) -> Any:
    """What the key stores: a cell, normalised text, or rows of cells."""
    if kind == "bool":
        return bool(answer)
    if kind == "number":
        return _cell(answer)
    if kind == "text":
        return _text(answer)
    if kind in ("collection", "series", "frame"):
        return _rows(answer, kind)
    raise TypeError(f"answer: expected a number, text, list, Series or DataFrame, got {kind}")


def _values_kind(answer: Any) -> str:
    """Whether a Series' or collection's values are numbers, text or a mix."""
    values = pd.Series(list(answer), dtype=object).dropna()
    kinds = {
        "number" if _kind(v) == "number" else "text" if _kind(v) == "text" else "other"
        for v in values
    }
    return kinds.pop() if len(kinds) == 1 else "mixed"


def _sort_key(row: list[Any]) -> tuple:
    rank = {type(None): 0, bool: 1, int: 2, float: 2, str: 3}
    return tuple((rank.get(type(c), 4), c if c is not None else 0) for c in row)


# --- comparison --------------------------------------------------------------------------


def _number(c: Any) -> bool:
    return isinstance(c, int | float) and not isinstance(c, bool)


def _close(got: Any, expected: Any, rtol: float | None) -> bool:
    """``got`` is within the tolerance of ``expected``: an interval around it, so no gaps."""
    if _number(expected):
        if not _number(got):
            return False
        tol = (0.0 if isinstance(expected, int) else DEFAULT_RTOL) if rtol is None else rtol
        return abs(got - expected) <= max(tol * abs(expected), ATOL * max(1.0, abs(expected)))
    return got == expected


def _match(got: Any, expected: Any, rtol: float | None, ordered: bool) -> bool:
    if not isinstance(expected, list):
        return _close(got, expected, rtol)
    if not isinstance(got, list) or len(got) != len(expected):
        return False
    if not ordered:
        got, expected = sorted(got, key=_sort_key), sorted(expected, key=_sort_key)
    return all(
        len(g) == len(e) and all(_close(a, b, rtol) for a, b in zip(g, e, strict=True))
        for g, e in zip(got, expected, strict=True)
    )


def _transform(content: Any, expected: Any, f: Callable[[float], float]) -> Any:
    """Apply ``f`` to a number, or to the numbers of ``content`` in the key's decimal
    columns (labels and whole-number columns such as scores stay as they are)."""
    if not isinstance(expected, list):
        return f(content) if _number(expected) and _number(content) else None
    width = len(expected[0]) if expected else 0
    decimal = [any(isinstance(r[j], float) for r in expected) for j in range(width)]
    try:
        return [
            [f(c) if decimal[j] and _number(c) else c for j, c in enumerate(row)] for row in content
        ]
    except (IndexError, TypeError, ValueError, OverflowError, ZeroDivisionError):
        return None


def _safe(f: Callable[[float], float]) -> Callable[[float], float]:
    def g(x: float) -> float:
        try:
            y = f(x)
        except (ValueError, OverflowError, ZeroDivisionError):
            return math.nan
        return math.nan if isinstance(y, complex) else y

    return g


def _numbers(value: Any) -> list[float]:
    """The numbers in a key value: a number, or the cells of a table's rows."""
    rows = value if isinstance(value, list) else [[value]]
    return [c for row in rows for c in row if _number(c)]


def _fractions(expected: Any) -> bool:
    """The key's numbers all lie in [-1, 1]: a fraction or rate is what is asked."""
    numbers = _numbers(expected)
    return bool(numbers) and all(abs(c) <= 1 for c in numbers)


def _percentages(expected: Any) -> bool:
    """The key's numbers all lie in [-100, 100] and some is beyond 1: could be percentages."""
    numbers = _numbers(expected)
    return bool(numbers) and all(abs(c) <= 100 for c in numbers) and not _fractions(expected)


def _any(expected: Any) -> bool:
    return True


Hint = tuple[Callable[[float], float], str, Callable[[Any], bool]]


def _value_hints() -> list[Hint]:
    """(transformation of the student's answer, hint when it then matches the key, whether
    the hint can be true of the key's value): a "percentage" hint is only given where the key
    is a fraction, a "rate" hint only where it is a rate."""
    hints: list[Hint] = [
        (
            lambda x: x / 100,
            "about 100 times too large: a percentage where a fraction is expected?",
            _fractions,
        ),
        (
            lambda x: x * 100,
            "about 100 times too small: a fraction where a percentage is expected?",
            _percentages,
        ),
        (
            lambda x: x / 100,
            "about 100 times too large: check the units and the scale of your inputs.",
            lambda e: not _fractions(e),
        ),
        (
            lambda x: x * 100,
            "about 100 times too small: check the units and the scale of your inputs.",
            lambda e: not _percentages(e),
        ),
        (
            lambda x: -x,
            "the right size with the wrong sign: check which value is subtracted from"
            " which, or the direction you counted in.",
            _any,
        ),
        (
            lambda x: 1 - x,
            "the complement of the expected fraction (1 minus it): e.g. the share"
            " who stayed where the share who left is asked, or the reverse?",
            _fractions,
        ),
        (
            _safe(lambda x: (1 + x) ** (1 / 12) - 1),
            "a yearly rate where a monthly one is"
            " expected? A monthly rate r compounds to a yearly (1 + r) ** 12 - 1.",
            _fractions,
        ),
        (
            _safe(lambda x: (1 + x) ** 12 - 1),
            "a monthly rate where a yearly one is expected?"
            " A monthly rate r compounds to a yearly (1 + r) ** 12 - 1.",
            _fractions,
        ),
    ]
    # (factor, why when the answer is that many times too large, why when too small):
    # each message names its own mix-up, so it reads right without the other one.
    units = [
        (
            12,
            "a yearly figure where a monthly one is expected, or months where years are?",
            "a monthly figure where a yearly one is expected, or years where months are?",
        ),
        (
            4.345,
            "weeks where months are expected (a month is 4.345 weeks), or a monthly rate"
            " where a weekly one is?",
            "months where weeks are expected (a month is 4.345 weeks), or a weekly rate"
            " where a monthly one is?",
        ),
        (
            7,
            "days where weeks are expected, or a weekly figure where a daily one is?",
            "weeks where days are expected, or a daily figure where a weekly one is?",
        ),
        (
            52,
            "weeks where years are expected, or a yearly figure where a weekly one is?",
            "years where weeks are expected, or a weekly figure where a yearly one is?",
        ),
        (
            365,
            "days where years are expected, or a yearly figure where a daily one is?",
            "years where days are expected, or a daily figure where a yearly one is?",
        ),
        (
            1000,
            "units where thousands are expected?",
            "thousands where units are expected?",
        ),
        (
            10000,
            "won where 만원 are expected (1만원 = 10,000원)?",
            "만원 where won are expected (1만원 = 10,000원)?",
        ),
    ]
    for factor, larger, _ in units:
        hints.append(
            (lambda x, k=factor: x / k, f"about {factor:g} times too large: {larger}", _any)
        )
    for factor, _, smaller in units:
        hints.append(
            (lambda x, k=factor: x * k, f"about {factor:g} times too small: {smaller}", _any)
        )
    return hints


_HINTS = _value_hints()


def _tolerance_text(expected: Any, rtol: float | None) -> str:
    cells = expected if isinstance(expected, list) else [[expected]]
    decimals = any(isinstance(c, float) for row in cells for c in row)
    wholes = any(isinstance(c, int) and not isinstance(c, bool) for row in cells for c in row)
    tol = DEFAULT_RTOL if rtol is None else rtol
    if not isinstance(expected, list):
        if decimals or rtol is not None:
            return f"answers within {tol * 100:g}% of it pass" if tol else "compared exactly"
        return "a whole number, compared exactly"
    parts = []
    if decimals or (wholes and rtol is not None):
        parts.append(f"numbers within {tol * 100:g}% pass" if tol else "numbers compared exactly")
    if wholes and rtol is None:
        parts.append("whole numbers and labels must match exactly")
    return "; ".join(parts) or "compared exactly, apart from spacing and capitalisation"


def fingerprint(answer: Any, *, rtol: float | None = None, ordered: bool = True) -> dict:
    """Describe ``answer`` for the key: its structure in plain text, its value obfuscated.

    ``rtol`` is the relative tolerance (None: 0.5% for decimals, exact for whole numbers);
    ``ordered=False`` compares rows or items regardless of their order.
    """
    if rtol is not None and not (0 <= rtol < 1):
        raise ValueError(f"rtol: expected a relative tolerance from 0 to 1, got {rtol!r}")
    kind = _kind(answer)
    fp: dict[str, Any] = {"kind": kind, "rtol": rtol, "ordered": ordered}
    fp["value"] = _hide(_content(answer, kind))
    if kind in ("series", "frame", "collection"):
        fp["length"] = len(answer)
    if kind in ("series", "collection"):
        fp["values"] = _values_kind(answer)
    if kind in ("series", "frame"):
        fp["labelled"] = _labelled(answer)
    if kind == "frame":
        fp["columns"] = [str(c) for c in answer.columns]
    if kind == "series":
        fp["name"] = None if answer.name is None else str(answer.name)
    return fp


_EXPECTED = {
    "number": "a number",
    "frame": "a DataFrame",
    "series": "a Series",
    "text": "a string",
    "bool": "True or False",
    "collection": "a list of values",
}


def _structure(answer: Any, key: Mapping) -> str | None:
    """A hint about type, length, columns or index: true whatever the values are."""
    kind = _kind(answer)
    if kind != key["kind"]:
        expected = _EXPECTED.get(key["kind"], key["kind"])
        single = kind in ("series", "collection") and len(answer) == 1
        single = single or (isinstance(answer, np.ndarray) and answer.size == 1)
        tip = " It holds a single value: take it out with .item() (or .iloc[0])." if single else ""
        return f"Expected {expected}, got {type(answer).__name__}.{tip}"
    if "length" in key and len(answer) != key["length"]:
        # Say which way, not the expected count: the count can be the answer itself.
        more = "many" if len(answer) > key["length"] else "few"
        return f"Too {more} rows or items ({len(answer)}): check your filter."
    if "values" in key and key["values"] != _values_kind(answer) != "mixed":
        word = {"number": "numbers", "text": "text (str)", "other": "other values"}
        return f"Expected the values as {word[key['values']]}, got {word[_values_kind(answer)]}."
    if kind == "frame":
        got = [str(c) for c in answer.columns]
        if got != key["columns"]:
            missing = [c for c in key["columns"] if c not in got]
            extra = [c for c in got if c not in key["columns"]]
            if not missing and not extra:
                return f"The columns are right but in another order: expected {key['columns']}."
            if missing and set(missing) <= {str(n) for n in answer.index.names}:
                return f"{missing} should be column(s), not the index: add .reset_index()."
            return f"Columns differ: missing {missing}, unexpected {extra}."
    if kind in ("series", "frame") and _labelled(answer) != key.get("labelled", False):
        if key.get("labelled"):
            return "Expected labels in the index (e.g. a groupby result, or .set_index(...))."
        return (
            "Expected a plain 0, 1, 2, ... index: move the labels into a column (.reset_index())."
        )
    return None


def _matches(answer: Any, key: Mapping, rtol: float | None, ordered: bool) -> bool:
    """Whether ``answer`` has the structure of ``key`` and its value within ``rtol``."""
    if _structure(answer, key) is not None:
        return False
    try:
        got = _content(answer, _kind(answer))
    except (TypeError, ValueError):
        return False
    return _match(got, _reveal(key["value"]), rtol, ordered)


def _gap(got: Any, expected: Any, ordered: bool) -> float:
    """The largest relative difference between the numbers of an answer's content and of a key
    value (cell by cell, rows sorted when the order does not count): how near a mistake is.

    >>> _gap(0.7373, 0.7340, True) > _gap(0.7373, 0.7374, True)
    True
    """
    if isinstance(expected, list):
        if not ordered:
            got, expected = sorted(got, key=_sort_key), sorted(expected, key=_sort_key)
        pairs = zip(got, expected, strict=True)  # a matched answer: same shape
        cells = [(a, b) for g, e in pairs for a, b in zip(g, e, strict=True)]
    else:
        cells = [(got, expected)]
    gaps = [abs(a - b) / max(abs(b), ATOL) for a, b in cells if _number(a) and _number(b)]
    return max(gaps, default=0.0)


def _differing_labels(answer: Any, got: list, expected: list) -> list[str]:
    """Names of the label columns (index levels, text columns of a frame) whose labels differ
    from the key's, row order aside; the values of a Series are its answer, not labels."""
    if not got or not expected or len(got) != len(expected) or len(got[0]) != len(expected[0]):
        return []
    names = [str(n) if n is not None else "index" for n in answer.index.names]
    names = names if _labelled(answer) else []
    names += [str(c) for c in answer.columns] if isinstance(answer, pd.DataFrame) else []
    differ = []
    for j in range(min(len(names), len(expected[0]))):
        if not any(isinstance(row[j], str) for row in expected):
            continue
        column = sorted(([row[j]] for row in got), key=_sort_key)
        if column != sorted(([row[j]] for row in expected), key=_sort_key):
            differ.append(names[j])
    return differ


def _positions_dropped(answer: Any, key: Mapping, ordered: bool) -> Any:
    """``answer`` without its index where the index can only be the rows' old positions: the
    row order does not count, the key has no labels in its index and the answer's index has
    no name (a sorted or filtered frame keeps the positions it had before).

    >>> frame = pd.DataFrame({"segment": ["a", "b"], "lift": [1.5, 0.5]})
    >>> key = fingerprint(frame, ordered=False)
    >>> _positions_dropped(frame.sort_values("lift"), key, False).index.tolist()
    [0, 1]
    """
    if ordered or key.get("labelled", True) or not isinstance(answer, pd.Series | pd.DataFrame):
        return answer
    if any(name is not None for name in answer.index.names):
        return answer  # labels the student set (set_index): the structure hints name them
    return answer.reset_index(drop=True)


def compare(answer: Any, key: Mapping) -> str | None:
    """Return ``None`` when ``answer`` matches the key entry ``key``, else a hint."""
    if "value" not in key:
        return "The answer key is out of date: re-run `crm-workbook execute` on the solutions."
    rtol, ordered = key.get("rtol"), key.get("ordered", True)
    answer = _positions_dropped(answer, key, ordered)
    if _matches(answer, key, rtol, ordered):
        return None
    # The question's tolerance and order; two mistakes can lie within the tolerance of each
    # other, and the nearer one is the mistake made (the first declared on a tie).
    made = [m for m in key.get("mistakes", []) if _matches(answer, m, rtol, ordered)]
    if made:
        got = _content(answer, _kind(answer))
        return min(made, key=lambda m: _gap(got, _reveal(m["value"]), ordered))["hint"]
    hint = _structure(answer, key)
    if hint is not None:
        return hint
    kind = _kind(answer)
    try:
        got = _content(answer, kind)
    except (TypeError, ValueError) as err:
        return f"Could not read the answer: {err}"
    expected = _reveal(key["value"])
    if kind == "number" and not math.isfinite(float(answer)):
        return f"Your answer is {float(answer)}: check for a division by zero or missing data."
    if kind in ("number", "collection", "series", "frame"):
        what = "Your answer is" if kind == "number" else "Your values are"
        for f, why, applies in _HINTS:
            if not applies(expected):
                continue
            moved = _transform(got, expected, f)
            if moved is not None and moved != got and _match(moved, expected, rtol, ordered):
                return f"{what} {why}"
    if kind in ("frame", "series", "collection") and ordered:
        if _match(got, expected, rtol, False):
            return "The values are right but the order is not: check the sort order."
    if kind in ("frame", "series"):
        labels = _differing_labels(answer, got, expected)
        if labels:
            return (
                f"The labels in {labels} are not the expected ones: check how they are "
                "written (capitalisation and spacing do not matter)."
            )
    if kind == "text":
        return "Not the expected answer (capitalisation and spacing do not matter)."
    if kind == "bool":
        return "Not the expected answer."
    tolerance = _tolerance_text(expected, rtol)
    if kind == "number":
        return f"Not the expected value ({tolerance})."
    return f"Not the expected values ({tolerance})."


# --- written and choice answers ----------------------------------------------------------


def word_count(text: str) -> float:
    """Words in ``text``; Korean counts as its 어절 or one word per three syllables,
    whichever is more.

    Korean puts fewer spaces between words than English (a 어절 holds a word and often a
    particle), and some students leave spaces out, so a long run of Hangul counts by its
    syllables; a short, properly spaced phrase counts by its 어절.

    >>> word_count("Mail them: the uplift beats break-even")
    7.0
    >>> word_count("상승판매 효과가 있다")  # 3 어절, 9 syllables
    3.0
    >>> word_count("고객 모르게 상품만 변경")  # 4 어절, 9 syllables
    4.0
    """
    syllables = len(_HANGUL.findall(text))
    eojeol = sum(1 for token in text.split() if _HANGUL.search(token))
    rest = _HANGUL.sub(" ", text)
    return float(len(_WORD.findall(rest))) + max(eojeol, syllables / HANGUL_PER_WORD)


def _letter(answer: Any) -> str | None:
    text = str(answer).strip().strip("().").strip().lower()
    return text if re.fullmatch(r"[a-z]", text) else None


def _columns(text: str) -> int:
    """Screen columns of ``text``: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wrapped(text: str, columns: int = 92, *, wide: bool = False) -> str:
    """``text`` indented by two spaces and wrapped at ``columns`` characters, or, with
    ``wide`` (the Korean edition), at ``columns`` screen columns: a line of Hangul then holds
    about half as many characters, as it takes twice the room.

    >>> print(_wrapped("고객 " * 14, columns=40, wide=True))  # 2 + 7 x 4 + 6 = 36 columns
      고객 고객 고객 고객 고객 고객 고객
      고객 고객 고객 고객 고객 고객 고객
    """
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", str(text).strip())]
    if not wide:
        return "\n".join(
            textwrap.fill(
                p, columns, initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False
            )
            for p in paragraphs
            if p
        )
    lines = []
    for paragraph in (p for p in paragraphs if p):
        line = ""
        for word in paragraph.split():
            if line and _columns(f"  {line} {word}") > columns:
                lines.append(f"  {line}")
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(f"  {line}")
    return "\n".join(lines)


def key_folder(start: Path | None = None, lang: str = "en") -> Path:
    """The answer keys beside the solutions: ``solutions/keys`` of the workbook that holds
    ``start`` (default: the working directory, where Jupyter runs the exercise notebook).

    Each edition has its own keys: from ``ko/exercises/`` the nearest is ``ko/solutions/keys``.
    """
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "solutions" / "keys").is_dir():
            return folder / "solutions" / "keys"
    # An exercise notebook copied out of the workbook: the keys of the checkout it came from,
    # in the notebook's language.
    root = Path(__file__).resolve().parents[2]
    return (root / "ko" if lang == "ko" else root) / "solutions" / "keys"


@dataclass
class Checker:
    """Self-check answers of one exercise notebook, e.g. ``check = Checker("01_crm_definition")``.

    ``check(question, answer, rtol=None, ordered=True)`` prints the verdict for a computed
    answer; ``check.mistake``, ``check.written`` and ``check.choice`` are described in the
    module docstring. An answer of ``None``, ``...`` or an empty text is "not answered yet".
    ``lang="ko"`` (the Korean edition) prints the verdicts and hints in Korean; hints and
    model answers written by the solution's author are shown as written.
    With ``CRM_WORKBOOK_RECORD_ANSWERS`` set to a folder, every call records into the key
    there first (the solution notebook), then checks against it.
    """

    notebook: str
    key_dir: str | Path | None = None
    lang: str = "en"

    def __post_init__(self) -> None:
        require_language(self.lang)

    def _say(self, message: str) -> None:
        """Print a verdict in the notebook's language (``lang="ko"``: :func:`korean`)."""
        print(korean(message) if self.lang == "ko" else message)

    # -- the key file --

    def _key_path(self) -> Path:
        if self.key_dir is not None:
            return Path(self.key_dir) / f"{self.notebook}.json"
        return key_folder(lang=self.lang) / f"{self.notebook}.json"

    @staticmethod
    def _load(path: Path) -> dict:
        return json.loads(path.read_text()) if path.exists() else {}

    def _record_path(self) -> Path | None:
        folder = os.environ.get(RECORD_ENV)
        return Path(folder) / f"{self.notebook}.json" if folder else None

    @staticmethod
    def _save(path: Path, key: dict) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(key, indent=1, sort_keys=True, ensure_ascii=False) + "\n")

    def _record(self, question: str, entry: dict) -> dict:
        """Write ``entry`` as the key of ``question``, keeping mistakes declared before it."""
        path = self._record_path()
        key = self._load(path)
        mistakes = key.get(question, {}).get("mistakes", [])
        if mistakes:
            for mistake in mistakes:
                self._refuse_right_mistake(question, entry, mistake)
            entry["mistakes"] = mistakes
        key[question] = entry
        self._save(path, key)
        return key

    @staticmethod
    def _refuse_right_mistake(question: str, entry: Mapping, mistake: Mapping) -> None:
        if "value" not in entry:
            return
        same = _reveal(mistake["value"])
        if entry["kind"] == "choice" and isinstance(same, str):
            same = _letter(same)
        if entry["kind"] in ("choice", "written"):
            right = same == _reveal(entry["value"])
        else:
            right = mistake["kind"] == entry["kind"] and _match(
                same, _reveal(entry["value"]), entry.get("rtol"), entry.get("ordered", True)
            )
        if right:
            raise ValueError(
                f"{question}: the mistake {mistake['hint']!r} matches the answer within the "
                "tolerance; a declared mistake must be a wrong answer"
            )

    def _entry(self, question: str, kind: str) -> dict | None:
        path = self._record_path() or self._key_path()
        entry = self._load(path).get(question)
        if entry is None or "kind" not in entry:
            self._say(f"{question}: no answer key for this question in {self.notebook}")
            return None
        special = ("written", "choice")
        if entry["kind"] != kind and (kind in special or entry["kind"] in special):
            self._say(
                f"{question}: the answer key holds another kind of question; "
                "re-run `crm-workbook execute` on the solutions"
            )
            return None
        return entry

    # -- the four checks --

    def __call__(
        self, question: str, answer: Any, *, rtol: float | None = None, ordered: bool = True
    ) -> None:
        if answer is None or answer is Ellipsis:
            self._say(f"{question}: not answered yet")
            return
        if self._record_path():
            self._record(question, fingerprint(answer, rtol=rtol, ordered=ordered))
        entry = self._entry(question, "value")
        if entry is None:
            return
        hint = compare(answer, entry)
        self._say(f"{question}: passed" if hint is None else f"{question}: not yet. {hint}")

    def mistake(self, question: str, wrong: Any, hint: str) -> None:
        """Declare a classic wrong answer to ``question`` and the hint for it.

        Only the solution notebook calls this (inside its solution region); it is recorded
        into the key when answers are being recorded and ignored otherwise. Raises
        ``ValueError`` if ``wrong`` is the answer within the question's tolerance.
        """
        path = self._record_path()
        if path is None:
            return
        if not str(hint).strip():
            raise ValueError(f"{question}: hint: expected a sentence for the student, got none")
        key = self._load(path)
        entry = key.setdefault(question, {})
        # Tolerance and order are the question's, applied when a student's answer is checked.
        mistake = fingerprint(wrong)
        mistake = {k: v for k, v in mistake.items() if k not in ("rtol", "ordered")}
        mistake["hint"] = " ".join(str(hint).split())
        self._refuse_right_mistake(question, entry, mistake)
        mistakes = entry.setdefault("mistakes", [])
        if mistake not in mistakes:
            mistakes.append(mistake)
        self._save(path, key)

    def written(self, question: str, text: Any) -> None:
        """Check a written answer: long enough, then show the model answer."""
        if text is None or text is Ellipsis or not str(text).strip():
            self._say(f"{question}: not answered yet")
            return
        words = word_count(str(text))
        if self._record_path():
            if words < MIN_WORDS:
                raise ValueError(
                    f"{question}: the model answer has {words:.0f} words; write at least "
                    f"{MIN_WORDS}, or students are asked for more than the solution gives"
                )
            self._record(question, {"kind": "written", "value": _hide(str(text).strip())})
        entry = self._entry(question, "written")
        if entry is None:
            return
        if words < MIN_WORDS:
            self._say(
                f"{question}: not yet. Write a little more: at least {MIN_WORDS} words "
                f"(in Korean about {MIN_WORDS * HANGUL_PER_WORD} characters), then check again."
            )
            return
        characters = len("".join(str(text).split()))  # as the Korean questions count (자)
        self._say(
            f"{question}: answer noted ({words:.0f} words, {characters} characters). "
            "Compare it with the model answer:"
        )
        print(_wrapped(_reveal(entry["value"]), wide=self.lang == "ko"))

    def choice(self, question: str, answer: Any, reason: Any = "") -> None:
        """Check a multiple-choice letter once a one-line ``reason`` is written."""
        if answer is None or answer is Ellipsis or not str(answer).strip():
            self._say(f"{question}: not answered yet")
            return
        reason = "" if reason is None or reason is Ellipsis else str(reason).strip()
        letter = _letter(answer)
        if self._record_path():
            if letter is None or word_count(reason) < MIN_REASON_WORDS:
                raise ValueError(
                    f"{question}: the solution needs a letter and a reason of at least "
                    f"{MIN_REASON_WORDS} words, got {answer!r} and {reason!r}"
                )
            entry = {"kind": "choice", "value": _hide(letter), "reason": _hide(reason)}
            self._record(question, entry)
        if word_count(reason) < MIN_REASON_WORDS:
            self._say(
                f"{question}: write a one-line reason first (at least {MIN_REASON_WORDS} words; "
                f"in Korean about {MIN_REASON_WORDS * HANGUL_PER_WORD} characters), then check "
                "again."
            )
            return
        if letter is None:
            self._say(f'{question}: not yet. Answer with the letter of one option, e.g. "b".')
            return
        entry = self._entry(question, "choice")
        if entry is None:
            return
        if letter == _reveal(entry["value"]):
            self._say(f"{question}: passed. The solution's reason, to compare with yours:")
            print(_wrapped(_reveal(entry["reason"]), wide=self.lang == "ko"))
            return
        for mistake in entry.get("mistakes", []):
            if mistake["kind"] == "text" and _letter(_reveal(mistake["value"])) == letter:
                self._say(f"{question}: not yet. {mistake['hint']}")
                return
        self._say(f"{question}: not yet. Not this one: reread the options and your reason.")


# --- the Korean edition's messages --------------------------------------------------------

#: Every message the checks print, as a pattern of the English (matched whole) and its Korean.
#: Groups named ``hint``, ``why``, ``tol`` and ``tip`` hold further messages and are translated
#: in turn; ``what``, ``expected``, ``values``, ``got_values`` and ``more`` through
#: ``_KO_WORDS``; other groups (question, numbers, names, code) are kept as they are. A message
#: that matches no pattern (a mistake hint or model answer the solution's author wrote) is
#: shown as written. ``tests/test_check_ko.py`` fails when a value hint, or a message of the
#: cases it runs, has no Korean: add the Korean here with any new English message.
_KO_MESSAGES: list[tuple[str, str]] = [
    # verdicts
    (r"(?P<q>\S+): passed", "{q}: 통과"),
    (r"(?P<q>\S+): not answered yet", "{q}: 아직 답하지 않았습니다"),
    (r"(?P<q>\S+): not yet\. (?P<hint>.+)", "{q}: 아직 아닙니다. {hint}"),
    (
        r"(?P<q>\S+): no answer key for this question in (?P<nb>\S+)",
        "{q}: {nb}의 답안 키에 이 문제가 없습니다",
    ),
    (
        r"(?P<q>\S+): the answer key holds another kind of question; "
        r"re-run `crm-workbook execute` on the solutions",
        "{q}: 답안 키에는 다른 유형의 문제가 들어 있습니다. "
        "풀이 노트북에 `crm-workbook execute`를 다시 실행하세요",
    ),
    (
        r"(?P<q>\S+): answer noted \((?P<n>\d+) words, (?P<c>\d+) characters\)\. "
        r"Compare it with the model answer:",
        "{q}: 답을 확인했습니다({c}자). 모범 답안과 비교해 보세요:",
    ),
    (
        r"(?P<q>\S+): write a one-line reason first \(at least (?P<n>\d+) words; in Korean "
        r"about (?P<c>\d+) characters\), then check again\.",
        "{q}: 먼저 이유를 한 줄 쓰고(최소 {c}자 정도) 다시 확인하세요.",
    ),
    (
        r"(?P<q>\S+): passed\. The solution's reason, to compare with yours:",
        "{q}: 통과. 풀이에 적힌 이유입니다. 자신의 이유와 비교해 보세요:",
    ),
    # hints of written and choice answers
    (
        r"Write a little more: at least (?P<n>\d+) words \(in Korean about (?P<c>\d+) "
        r"characters\), then check again\.",
        "조금 더 쓰세요. 최소 {c}자 정도를 쓴 뒤 다시 확인하세요.",
    ),
    (
        r'Answer with the letter of one option, e\.g\. "b"\.',
        '보기 하나의 기호로 답하세요(예: "b").',
    ),
    (
        r"Not this one: reread the options and your reason\.",
        "이 보기는 정답이 아닙니다. 보기와 자신이 쓴 이유를 다시 읽어 보세요.",
    ),
    # hints of computed answers: the key, the structure
    (
        r"The answer key is out of date: re-run `crm-workbook execute` on the solutions\.",
        "답안 키가 오래되었습니다. 풀이 노트북에 `crm-workbook execute`를 다시 실행하세요.",
    ),
    (r"Could not read the answer: (?P<err>.+)", "답을 읽을 수 없습니다: {err}"),
    (
        r"Expected (?P<expected>.+?), got (?P<got>[\w.]+)\.(?P<tip>.*)",
        "기대한 형태는 {expected}인데, 답은 {got} 객체입니다.{tip}",
    ),
    (
        r" It holds a single value: take it out with \.item\(\) \(or \.iloc\[0\]\)\.",
        " 값이 하나뿐이니 .item()(또는 .iloc[0])으로 꺼내세요.",
    ),
    (
        r"Too (?P<more>many|few) rows or items \((?P<n>\d+)\): check your filter\.",
        "행 또는 항목이 너무 {more}({n}개). 필터 조건을 확인하세요.",
    ),
    (
        r"Expected the values as (?P<values>.+), got (?P<got_values>.+)\.",
        "기대한 값의 종류는 {values}인데, 답의 값은 {got_values}입니다.",
    ),
    (
        r"The columns are right but in another order: expected (?P<cols>\[.*\])\.",
        "열은 맞지만 순서가 다릅니다. 기대한 순서: {cols}.",
    ),
    (
        r"(?P<cols>\[.*\]) should be column\(s\), not the index: add \.reset_index\(\)\.",
        "{cols}은(는) 인덱스가 아니라 열이어야 합니다. .reset_index()를 붙이세요.",
    ),
    (
        r"Columns differ: missing (?P<missing>\[.*\]), unexpected (?P<extra>\[.*\])\.",
        "열이 다릅니다. 빠진 열: {missing}, 예상하지 못한 열: {extra}.",
    ),
    (
        r"Expected labels in the index \(e\.g\. a groupby result, or \.set_index\(\.\.\.\)\)\.",
        "인덱스에 레이블이 있어야 합니다(예: groupby 결과나 .set_index(...)).",
    ),
    (
        r"Expected a plain 0, 1, 2, \.\.\. index: move the labels into a column "
        r"\(\.reset_index\(\)\)\.",
        "인덱스는 0, 1, 2, ...이어야 합니다. 레이블은 열로 옮기세요(.reset_index()).",
    ),
    # hints of computed answers: the values
    (
        r"Your answer is (?P<v>-?inf|nan): check for a division by zero or missing data\.",
        "답이 {v}입니다. 0으로 나누었거나 결측값이 있는지 확인하세요.",
    ),
    (r"(?P<what>Your answer is|Your values are) (?P<why>.+)", "{what} {why}"),
    (r"about (?P<k>[\d.]+) times too large: (?P<why>.+)", "약 {k}배 큽니다. {why}"),
    (r"about (?P<k>[\d.]+) times too small: (?P<why>.+)", "약 {k}배 작습니다. {why}"),
    (
        r"a percentage where a fraction is expected\?",
        "비율(0~1)을 써야 할 곳에 퍼센트를 쓰지 않았나요?",
    ),
    (
        r"a fraction where a percentage is expected\?",
        "퍼센트를 써야 할 곳에 비율(0~1)을 쓰지 않았나요?",
    ),
    (
        r"check the units and the scale of your inputs\.",
        "단위와 입력값의 자릿수(스케일)를 확인하세요.",
    ),
    (
        r"the right size with the wrong sign: check which value is subtracted from which, "
        r"or the direction you counted in\.",
        "크기는 맞지만 부호가 반대입니다. 어느 값에서 어느 값을 뺐는지, 어느 방향으로 셌는지 "
        "확인하세요.",
    ),
    (
        r"the complement of the expected fraction \(1 minus it\): e\.g\. the share who stayed "
        r"where the share who left is asked, or the reverse\?",
        "기대한 비율을 1에서 뺀 값(여집합)입니다. 예를 들어 떠난 고객의 비율을 묻는데 남은 "
        "고객의 비율을 구하지 않았나요? 또는 그 반대는 아닌가요?",
    ),
    (
        r"a yearly rate where a monthly one is expected\? A monthly rate r compounds to a "
        r"yearly \(1 \+ r\) \*\* 12 - 1\.",
        "연 비율이 아닌가요? 이 문제는 월 비율을 묻습니다. 월 비율 r을 복리로 계산한 연 비율은 "
        "(1 + r) ** 12 - 1입니다.",
    ),
    (
        r"a monthly rate where a yearly one is expected\? A monthly rate r compounds to a "
        r"yearly \(1 \+ r\) \*\* 12 - 1\.",
        "월 비율이 아닌가요? 이 문제는 연 비율을 묻습니다. 월 비율 r을 복리로 계산한 연 비율은 "
        "(1 + r) ** 12 - 1입니다.",
    ),
    (
        r"a yearly figure where a monthly one is expected, or months where years are\?",
        "월 수치를 구할 곳에 연 수치를 구했거나, 연 단위로 쓸 곳에 개월 수를 쓰지 않았나요?",
    ),
    (
        r"weeks where months are expected \(a month is 4\.345 weeks\), or a monthly rate "
        r"where a weekly one is\?",
        "개월 수를 쓸 곳에 주 수를 썼거나(한 달은 4.345주), 주 비율을 구할 곳에 월 비율을 "
        "구하지 않았나요?",
    ),
    (
        r"days where weeks are expected, or a weekly figure where a daily one is\?",
        "주 수를 쓸 곳에 일 수를 썼거나, 일 수치를 구할 곳에 주 수치를 구하지 않았나요?",
    ),
    (
        r"weeks where years are expected, or a yearly figure where a weekly one is\?",
        "연 수를 쓸 곳에 주 수를 썼거나, 주 수치를 구할 곳에 연 수치를 구하지 않았나요?",
    ),
    (
        r"days where years are expected, or a yearly figure where a daily one is\?",
        "연 수를 쓸 곳에 일 수를 썼거나, 일 수치를 구할 곳에 연 수치를 구하지 않았나요?",
    ),
    (r"thousands where units are expected\?", "낱개 단위로 쓸 곳에 천 단위로 쓰지 않았나요?"),
    (
        r"won where 만원 are expected \(1만원 = 10,000원\)\?",
        "만원 단위로 쓸 곳에 원 단위로 쓰지 않았나요(1만원 = 10,000원)?",
    ),
    (
        r"a monthly figure where a yearly one is expected, or years where months are\?",
        "연 수치를 구할 곳에 월 수치를 구했거나, 개월 수를 쓸 곳에 연 수를 쓰지 않았나요?",
    ),
    (
        r"months where weeks are expected \(a month is 4\.345 weeks\), or a weekly rate "
        r"where a monthly one is\?",
        "주 수를 쓸 곳에 개월 수를 썼거나(한 달은 4.345주), 월 비율을 구할 곳에 주 비율을 "
        "구하지 않았나요?",
    ),
    (
        r"weeks where days are expected, or a daily figure where a weekly one is\?",
        "일 수를 쓸 곳에 주 수를 썼거나, 주 수치를 구할 곳에 일 수치를 구하지 않았나요?",
    ),
    (
        r"years where weeks are expected, or a weekly figure where a yearly one is\?",
        "주 수를 쓸 곳에 연 수를 썼거나, 연 수치를 구할 곳에 주 수치를 구하지 않았나요?",
    ),
    (
        r"years where days are expected, or a daily figure where a yearly one is\?",
        "일 수를 쓸 곳에 연 수를 썼거나, 연 수치를 구할 곳에 일 수치를 구하지 않았나요?",
    ),
    (r"units where thousands are expected\?", "천 단위로 쓸 곳에 낱개 단위로 쓰지 않았나요?"),
    (
        r"만원 where won are expected \(1만원 = 10,000원\)\?",
        "원 단위로 쓸 곳에 만원 단위로 쓰지 않았나요(1만원 = 10,000원)?",
    ),
    (
        r"The labels in (?P<cols>\[.*\]) are not the expected ones: check how they are "
        r"written \(capitalisation and spacing do not matter\)\.",
        "{cols}의 레이블이 기대한 것과 다릅니다. 표기를 확인하세요(대소문자와 띄어쓰기는 "
        "상관없습니다).",
    ),
    (
        r"The values are right but the order is not: check the sort order\.",
        "값은 맞지만 순서가 다릅니다. 정렬 순서를 확인하세요.",
    ),
    (
        r"Not the expected answer \(capitalisation and spacing do not matter\)\.",
        "기대한 답이 아닙니다(대소문자와 띄어쓰기는 상관없습니다).",
    ),
    (r"Not the expected answer\.", "기대한 답이 아닙니다."),
    (r"Not the expected values? \((?P<tol>.+)\)\.", "기대한 값이 아닙니다({tol})."),
    # the tolerance, stated in "Not the expected value(s) (...)"; parts are joined by "; "
    (r"answers within (?P<p>[\d.e+-]+)% of it pass", "기대한 값과 {p}% 이내로 다르면 통과합니다"),
    (r"numbers within (?P<p>[\d.e+-]+)% pass", "수치는 {p}% 이내로 다르면 통과합니다"),
    (r"compared exactly", "정확히 일치해야 합니다"),
    (r"numbers compared exactly", "수치는 정확히 일치해야 합니다"),
    (r"a whole number, compared exactly", "정수이므로 정확히 일치해야 합니다"),
    (r"whole numbers and labels must match exactly", "정수와 레이블은 정확히 일치해야 합니다"),
    (
        r"compared exactly, apart from spacing and capitalisation",
        "띄어쓰기와 대소문자 외에는 정확히 일치해야 합니다",
    ),
]
_KO_COMPILED = [(re.compile(pattern), template) for pattern, template in _KO_MESSAGES]
_KO_WORDS = {
    "Your answer is": "답이",
    "Your values are": "값들이",
    "many": "많습니다",
    "few": "적습니다",
    **dict(
        zip(
            _EXPECTED.values(),
            ["숫자", "DataFrame", "Series", "문자열(str)", "True 또는 False", "값의 리스트"],
            strict=True,
        )
    ),
    "numbers": "숫자",
    "text (str)": "문자열(str)",
    "other values": "기타 값",
}
_KO_WORD_GROUPS = ("what", "expected", "values", "got_values", "more")


def _korean_parts(groups: Mapping[str, str]) -> dict[str, str] | None:
    """The groups of a matched message in Korean, or None when one of them has no Korean
    (then the pattern does not apply: a hint an author wrote may look like a known one)."""
    parts = {}
    for name, text in groups.items():
        if name == "hint":  # the check's own hint, or one the solution's author wrote
            text = korean(text)
        elif name in ("why", "tip") and text:
            text = _korean_or_none(text)
        elif name == "tol":
            pieces = [_korean_or_none(piece) for piece in text.split("; ")]
            text = None if None in pieces else "; ".join(pieces)
        elif name in _KO_WORD_GROUPS:
            text = _KO_WORDS.get(text)
        if text is None:
            return None
        parts[name] = text
    return parts


def _korean_or_none(message: str) -> str | None:
    for pattern, template in _KO_COMPILED:
        found = pattern.fullmatch(message)
        parts = None if found is None else _korean_parts(found.groupdict())
        if parts is not None:
            return template.format(**parts)
    return None


def korean(message: str) -> str:
    """A check's message in Korean; text no pattern knows (an author's hint) stays as written.

    >>> korean("q1: not yet. Your answer is about 100 times too large: a percentage where "
    ...        "a fraction is expected?")
    'q1: 아직 아닙니다. 답이 약 100배 큽니다. 비율(0~1)을 써야 할 곳에 퍼센트를 쓰지 않았나요?'
    >>> korean("q4: not yet. Your answer is the share who stayed; the question asks who left.")
    'q4: 아직 아닙니다. Your answer is the share who stayed; the question asks who left.'
    """
    translated = _korean_or_none(message)
    return message if translated is None else translated
