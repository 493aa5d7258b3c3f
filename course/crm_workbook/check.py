"""Self-checks for exercise notebooks.

An exercise cell computes an answer; the check cell after it prints ``q1: passed``,
``q1: not answered yet`` or ``q1: not yet. <hint>``, and never the expected value. Four kinds
of question, all methods of one :class:`Checker` (``check = Checker("05_rfm_...")``):

- ``check("q1", answer, rtol=None, ordered=True)``: a number, text, list, Series or
  DataFrame. Numbers pass when they are within a **relative tolerance** of the key
  (``rtol``, default 0.5% for decimals; whole numbers such as counts must match exactly);
  Series and DataFrames are compared cell by cell with the same tolerance, labels and text
  exactly (spacing and capitalisation aside). ``ordered=False`` ignores the row order.
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
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Checker", "fingerprint", "compare", "word_count"]

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


def _value_hints() -> list[tuple[Callable[[float], float], str]]:
    """(transformation of the student's answer, hint when it then matches the key)."""
    hints: list[tuple[Callable[[float], float], str]] = [
        (
            lambda x: x / 100,
            "about 100 times too large: a percentage where a fraction is expected?",
        ),
        (
            lambda x: x * 100,
            "about 100 times too small: a fraction where a percentage is expected?",
        ),
        (
            lambda x: -x,
            "the right size with the wrong sign: check which value is subtracted from"
            " which, or the direction you counted in.",
        ),
        (
            lambda x: 1 - x,
            "the complement of the expected fraction (1 minus it): e.g. the share"
            " who stayed where the share who left is asked, or the reverse?",
        ),
        (
            _safe(lambda x: (1 + x) ** (1 / 12) - 1),
            "a yearly rate where a monthly one is"
            " expected? A monthly rate r compounds to a yearly (1 + r) ** 12 - 1.",
        ),
        (
            _safe(lambda x: (1 + x) ** 12 - 1),
            "a monthly rate where a yearly one is expected?"
            " A monthly rate r compounds to a yearly (1 + r) ** 12 - 1.",
        ),
    ]
    units = [
        (12, "a yearly figure where a monthly one is expected, or months where years are?"),
        (
            4.345,
            "weeks where months are expected (a month is 4.345 weeks), or a monthly rate"
            " where a weekly one is?",
        ),
        (7, "days where weeks are expected, or a weekly figure where a daily one is?"),
        (52, "weeks where years are expected, or a yearly figure where a weekly one is?"),
        (365, "days where years are expected, or a yearly figure where a daily one is?"),
        (1000, "thousands where units are expected?"),
        (10000, "won where 만원 are expected (1만원 = 10,000원)?"),
    ]
    for factor, why in units:
        hints.append((lambda x, k=factor: x / k, f"about {factor:g} times too large: {why}"))
    for factor, _ in units:
        hints.append(
            (
                lambda x, k=factor: x * k,
                f"about {factor:g} times too small: the same mix-up the other way round?",
            )
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


def compare(answer: Any, key: Mapping) -> str | None:
    """Return ``None`` when ``answer`` matches the key entry ``key``, else a hint."""
    if "value" not in key:
        return "The answer key is out of date: re-run `crm-workbook execute` on the solutions."
    rtol, ordered = key.get("rtol"), key.get("ordered", True)
    if _matches(answer, key, rtol, ordered):
        return None
    for mistake in key.get("mistakes", []):  # the question's tolerance and order
        if _matches(answer, mistake, rtol, ordered):
            return mistake["hint"]
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
        for f, why in _HINTS:
            moved = _transform(got, expected, f)
            if moved is not None and moved != got and _match(moved, expected, rtol, ordered):
                return f"{what} {why}"
    if kind in ("frame", "series", "collection") and ordered:
        if _match(got, expected, rtol, False):
            return "The values are right but the order is not: check the sort order."
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
    """Words in ``text``, counting Hangul as one word per three syllables.

    Korean puts fewer spaces between words than English (a 어절 holds about three
    syllables and often a particle), so Hangul is counted by its characters.

    >>> word_count("Mail them: the uplift beats break-even")
    7.0
    >>> word_count("상승판매 효과가 있다")  # 9 syllables
    3.0
    """
    hangul = len(_HANGUL.findall(text))
    rest = _HANGUL.sub(" ", text)
    return float(len(_WORD.findall(rest))) + hangul / HANGUL_PER_WORD


def _letter(answer: Any) -> str | None:
    text = str(answer).strip().strip("().").strip().lower()
    return text if re.fullmatch(r"[a-z]", text) else None


def _wrapped(text: str) -> str:
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", str(text).strip())]
    return "\n".join(
        textwrap.fill(p, 92, initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False)
        for p in paragraphs
        if p
    )


def key_folder(start: Path | None = None) -> Path:
    """The answer keys beside the solutions: ``solutions/keys`` of the workbook that holds
    ``start`` (default: the working directory, where Jupyter runs the exercise notebook)."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "solutions" / "keys").is_dir():
            return folder / "solutions" / "keys"
    # An exercise notebook copied out of the workbook: the keys of the checkout it came from.
    return Path(__file__).resolve().parents[2] / "solutions" / "keys"


@dataclass
class Checker:
    """Self-check answers of one exercise notebook, e.g. ``check = Checker("01_crm_definition")``.

    ``check(question, answer, rtol=None, ordered=True)`` prints the verdict for a computed
    answer; ``check.mistake``, ``check.written`` and ``check.choice`` are described in the
    module docstring. An answer of ``None``, ``...`` or an empty text is "not answered yet".
    With ``CRM_WORKBOOK_RECORD_ANSWERS`` set to a folder, every call records into the key
    there first (the solution notebook), then checks against it.
    """

    notebook: str
    key_dir: str | Path | None = None

    # -- the key file --

    def _key_path(self) -> Path:
        if self.key_dir is not None:
            return Path(self.key_dir) / f"{self.notebook}.json"
        return key_folder() / f"{self.notebook}.json"

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
            print(f"{question}: no answer key for this question in {self.notebook}")
            return None
        special = ("written", "choice")
        if entry["kind"] != kind and (kind in special or entry["kind"] in special):
            print(
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
            print(f"{question}: not answered yet")
            return
        if self._record_path():
            self._record(question, fingerprint(answer, rtol=rtol, ordered=ordered))
        entry = self._entry(question, "value")
        if entry is None:
            return
        hint = compare(answer, entry)
        print(f"{question}: passed" if hint is None else f"{question}: not yet. {hint}")

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
            print(f"{question}: not answered yet")
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
            print(
                f"{question}: not yet. Write a little more: at least {MIN_WORDS} words "
                f"(in Korean about {MIN_WORDS * HANGUL_PER_WORD} characters), then check again."
            )
            return
        print(f"{question}: answer noted ({words:.0f} words). Compare it with the model answer:")
        print(_wrapped(_reveal(entry["value"])))

    def choice(self, question: str, answer: Any, reason: Any = "") -> None:
        """Check a multiple-choice letter once a one-line ``reason`` is written."""
        if answer is None or answer is Ellipsis or not str(answer).strip():
            print(f"{question}: not answered yet")
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
            print(
                f"{question}: write a one-line reason first (at least {MIN_REASON_WORDS} "
                "words), then check again."
            )
            return
        if letter is None:
            print(f'{question}: not yet. Answer with the letter of one option, e.g. "b".')
            return
        entry = self._entry(question, "choice")
        if entry is None:
            return
        if letter == _reveal(entry["value"]):
            print(f"{question}: passed. The solution's reason, to compare with yours:")
            print(_wrapped(_reveal(entry["reason"])))
            return
        for mistake in entry.get("mistakes", []):
            if mistake["kind"] == "text" and _letter(_reveal(mistake["value"])) == letter:
                print(f"{question}: not yet. {mistake['hint']}")
                return
        print(f"{question}: not yet. Not this one: reread the options and your reason.")
