"""Self-checks for exercise notebooks.

An exercise cell computes an answer; the check cell after it calls ``check("q1", answer)``
and prints ``q1: passed``, ``q1: not answered yet``, or what is still wrong (type, shape,
columns, sign, order of magnitude) without showing the expected value.

The answer key stores fingerprints only: SHA-256 hashes of the answer rounded to a few
significant digits, plus its type, shape, column names, sign and order of magnitude. It is
written by running the *solution* notebook with ``CRM_WORKBOOK_RECORD_ANSWERS`` set to a folder
(``crm-workbook execute`` does this), so the solution notebook is the single source of both
the exercises and their key. A hash of a low-precision number can be found by brute force;
the key keeps honest students honest, it is not a vault.

Examples
--------
>>> import tempfile, os
>>> folder = tempfile.mkdtemp()
>>> os.environ["CRM_WORKBOOK_RECORD_ANSWERS"] = folder
>>> Checker("demo")("q1", 0.25)
q1: passed
>>> del os.environ["CRM_WORKBOOK_RECORD_ANSWERS"]
>>> check = Checker("demo", key_dir=folder)
>>> check("q1", 0.25)
q1: passed
>>> check("q1", 25.0)
q1: not yet. Your answer is about 100 times too large: a percentage where a fraction is expected?
>>> check("q1", None)
q1: not answered yet
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Checker", "fingerprint", "compare"]

RECORD_ENV = "CRM_WORKBOOK_RECORD_ANSWERS"


def _round_sig(x: float, digits: int) -> float:
    """Round ``x`` to ``digits`` significant digits (0 and non-finite values unchanged)."""
    if x == 0 or not math.isfinite(x):
        return float(x)
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def _num_text(x: float, digits: int) -> str:
    x = _round_sig(float(x), digits)
    return "0" if x == 0 else f"{x:.{digits - 1}e}"


def _hash(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:24]


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


def _cells(values: pd.Series, digits: int) -> list[str]:
    """Canonical text of each value: numbers rounded, text stripped and lower-cased."""
    if pd.api.types.is_bool_dtype(values):
        return [str(bool(v)) for v in values]
    if pd.api.types.is_numeric_dtype(values):
        return ["nan" if pd.isna(v) else _num_text(v, digits) for v in values]
    return ["nan" if pd.isna(v) else str(v).strip().lower() for v in values]


def _values_kind(answer: Any) -> str:
    """Whether a Series' or collection's values are numbers, text or a mix."""
    values = pd.Series(list(answer), dtype=object).dropna()
    kinds = {
        "number" if _kind(v) == "number" else "text" if _kind(v) == "text" else "other"
        for v in values
    }
    return kinds.pop() if len(kinds) == 1 else "mixed"


def _labelled(answer: pd.Series | pd.DataFrame) -> bool:
    return not isinstance(answer.index, pd.RangeIndex)


def _content(answer: Any, kind: str, digits: int, ordered: bool) -> Any:
    """What the hash covers, in a form that is the same for equal answers."""
    if kind == "bool":
        return bool(answer)
    if kind == "number":
        return _num_text(answer, digits)
    if kind == "text":
        return " ".join(str(answer).split()).lower()
    if kind == "collection":
        items = _cells(pd.Series(list(answer)), digits)
        unordered = not ordered or isinstance(answer, set | frozenset)
        return sorted(items) if unordered else items
    frame = answer.to_frame() if kind == "series" else answer
    columns = [_cells(frame.iloc[:, i], digits) for i in range(frame.shape[1])]
    if _labelled(answer):  # labels such as a groupby key are part of the answer
        columns.insert(0, _cells(pd.Series(list(answer.index), dtype=object), digits))
    rows = list(zip(*columns, strict=True))
    rows = [list(r) for r in rows]
    return sorted(rows) if not ordered else rows


def fingerprint(answer: Any, *, digits: int = 3, ordered: bool = True) -> dict:
    """Describe ``answer`` without storing it: a hash plus what a hint may mention.

    ``digits`` is the number of significant digits compared; ``ordered=False`` compares
    rows or items regardless of their order.
    """
    kind = _kind(answer)
    fp: dict[str, Any] = {"kind": kind, "digits": digits, "ordered": ordered}
    fp["hash"] = _hash(_content(answer, kind, digits, ordered))
    if kind == "number":
        value = float(answer)
        fp["sign"] = int(np.sign(value))
        fp["magnitude"] = math.floor(math.log10(abs(value))) if value else None
        # A rounding boundary between the student's value and the key is not an error.
        near = [_num_text(value * (1 + s * 10 ** (1 - digits)), digits) for s in (-0.5, 0.5)]
        fp["near"] = sorted({_hash(n) for n in near} - {fp["hash"]})
    elif kind in ("series", "frame", "collection"):
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


def compare(answer: Any, key: Mapping) -> str | None:
    """Return ``None`` when ``answer`` matches the fingerprint ``key``, else a hint."""
    kind = _kind(answer)
    if kind != key["kind"]:
        expected = {
            "number": "a number",
            "frame": "a DataFrame",
            "series": "a Series",
            "text": "a string",
            "bool": "True or False",
            "collection": "a list of values",
        }.get(key["kind"], key["kind"])
        single = kind in ("series", "collection") and len(answer) == 1
        tip = " It holds a single value: take it out with .item() or [0]." if single else ""
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
    digits, ordered = key["digits"], key["ordered"]
    try:
        content = _content(answer, kind, digits, ordered)
    except (TypeError, ValueError) as err:
        return f"Could not read the answer: {err}"
    if _hash(content) == key["hash"]:
        return None
    if kind == "number":
        value = float(answer)
        if not math.isfinite(value):
            return f"Your answer is {value}: check for a division by zero or missing data."
        if _hash(content) in key.get("near", []):
            return None
        if int(np.sign(value)) != key["sign"]:
            return "Your answer has the wrong sign."
        if key["magnitude"] is not None and value != 0:
            shift = math.floor(math.log10(abs(value))) - key["magnitude"]
            if shift >= 2:
                hint = ": a percentage where a fraction is expected?" if shift == 2 else "."
                return f"Your answer is about {10**shift:g} times too large{hint}"
            if shift <= -2:
                hint = ": a fraction where a percentage is expected?" if shift == -2 else "."
                return f"Your answer is about {10**-shift:g} times too small{hint}"
        return f"Not the expected value (compared to {digits} significant digits)."
    if kind in ("frame", "series", "collection") and ordered:
        if _hash(_content(answer, kind, digits, False)) == key.get("unordered_hash"):
            return "The values are right but the order is not: check the sort order."
    if kind == "text":
        return "Not the expected answer (capitalisation and spacing do not matter)."
    return f"Not the expected values (numbers compared to {digits} significant digits)."


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

    Calling ``check(question, answer, digits=3, ordered=True)`` prints the verdict. An answer
    of ``None`` or ``...`` (the placeholder left in exercise notebooks) is "not answered yet".
    """

    notebook: str
    key_dir: str | Path | None = None

    def _key_path(self) -> Path:
        if self.key_dir is not None:
            return Path(self.key_dir) / f"{self.notebook}.json"
        return key_folder() / f"{self.notebook}.json"

    def _load(self, path: Path) -> dict:
        return json.loads(path.read_text()) if path.exists() else {}

    def __call__(
        self, question: str, answer: Any, *, digits: int = 3, ordered: bool = True
    ) -> None:
        if answer is None or answer is Ellipsis:
            print(f"{question}: not answered yet")
            return
        record_dir = os.environ.get(RECORD_ENV)
        if record_dir:
            path = Path(record_dir) / f"{self.notebook}.json"
            key = self._load(path)
            entry = fingerprint(answer, digits=digits, ordered=ordered)
            if entry["kind"] in ("frame", "series", "collection"):
                unordered = _content(answer, entry["kind"], digits, False)
                entry["unordered_hash"] = _hash(unordered)
            key[question] = entry
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(key, indent=1, sort_keys=True) + "\n")
        else:
            key = self._load(self._key_path())
        if question not in key:
            print(f"{question}: no answer key for this question in {self.notebook}")
            return
        hint = compare(answer, key[question])
        print(f"{question}: passed" if hint is None else f"{question}: not yet. {hint}")
