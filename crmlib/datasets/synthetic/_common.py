"""Shared machinery of the generators: random streams, column schemas and CSV writing.

A *schema* maps each column to its kind. The same schema gives a generator's output its
dtypes, formats the column when the bundled CSV is written, and parses it when ``load_*``
reads the file back, so a loaded file equals the frame the generator returned.

Kinds: ``"int"``, ``"Int64"`` (nullable), ``"float0"`` ... ``"float4"`` (written with that
many decimals), ``"str"``, ``"bool"``, ``"date"`` (``YYYY-MM-DD``), ``"datetime"``
(``YYYY-MM-DD HH:MM:SS``) or a :class:`pandas.CategoricalDtype`.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ...validation import require_positive_int

Schema = Mapping[str, "str | pd.CategoricalDtype"]

_DATE_FORMATS = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%d %H:%M:%S"}
_BOOLS = {"True": True, "False": False}


def rng_for(seed: object, stream: str) -> np.random.Generator:
    """Return the generator of one named stream; distinct streams draw independently.

    The stream name enters through ``zlib.crc32``, not ``hash``, so the draws do not
    depend on ``PYTHONHASHSEED``.
    """
    return np.random.default_rng([check_seed(seed), zlib.crc32(stream.encode())])


def check_seed(seed: object) -> int:
    """Validate ``seed``: a whole number >= 0."""
    return require_positive_int(seed, "seed", minimum=0)


def check_size(value: object, name: str, minimum: int) -> int:
    """Validate a size argument such as ``n_customers``."""
    return require_positive_int(value, name, minimum=minimum)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function, used to turn planted linear effects into probabilities."""
    return 1.0 / (1.0 + np.exp(-x))


def category(values: list[str], ordered: bool = False) -> pd.CategoricalDtype:
    """A categorical dtype with a fixed category order (so codes never depend on data)."""
    return pd.CategoricalDtype(values, ordered=ordered)


def _decimals(kind: str) -> int | None:
    if kind.startswith("float") and kind[5:].isdigit():
        return int(kind[5:])
    return None


def _convert(values: pd.Series, kind: str | pd.CategoricalDtype, column: str) -> pd.Series:
    if isinstance(kind, pd.CategoricalDtype):
        out = values.astype(object).where(values.notna(), None).astype(kind)
        bad = values.notna() & out.isna()
        if bad.any():
            raise ValueError(
                f"column {column!r}: values {sorted(set(values[bad]))[:5]} are not among "
                f"the categories {list(kind.categories)}"
            )
        return out
    if kind == "int":
        return values.astype("int64")
    if kind == "Int64":
        return pd.to_numeric(values).astype("Int64")
    if kind == "bool":
        if values.dtype == bool:
            return values
        return values.map(_BOOLS).astype(bool)
    if kind == "str":
        return values.astype("str").where(values.notna())
    if kind in _DATE_FORMATS:
        if pd.api.types.is_datetime64_any_dtype(values):
            return values.astype("datetime64[us]")
        return pd.to_datetime(values, format=_DATE_FORMATS[kind]).astype("datetime64[us]")
    decimals = _decimals(kind)
    if decimals is not None:
        return pd.to_numeric(values).astype("float64").round(decimals)
    raise ValueError(f"column {column!r}: unknown schema kind {kind!r}")


def apply_schema(df: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Return ``df`` with exactly the schema's columns, in its order and with its dtypes."""
    missing = [c for c in schema if c not in df.columns]
    extra = [c for c in df.columns if c not in schema]
    if missing or extra:  # a generator bug, not a user error
        raise AssertionError(f"schema mismatch: missing {missing}, unexpected {extra}")
    out = pd.DataFrame({c: _convert(df[c], kind, c) for c, kind in schema.items()})
    return out.reset_index(drop=True)


def to_csv_bytes(df: pd.DataFrame, schema: Schema) -> bytes:
    """Write ``df`` as UTF-8 CSV (LF endings), each column formatted by its schema kind."""
    text = {}
    for column, kind in schema.items():
        values = df[column]
        if isinstance(kind, str) and kind in _DATE_FORMATS:
            values = values.dt.strftime(_DATE_FORMATS[kind])
        elif isinstance(kind, str) and _decimals(kind) is not None:
            arr = values.to_numpy(dtype="float64") + 0.0  # + 0.0 turns -0.0 into 0.0
            formatted = np.char.mod(f"%.{_decimals(kind)}f", np.nan_to_num(arr))
            values = pd.Series(formatted, index=values.index).where(~np.isnan(arr))
        text[column] = values
    buffer = io.StringIO()
    pd.DataFrame(text).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def read_csv(path, schema: Schema) -> pd.DataFrame:
    """Read a file written by :func:`to_csv_bytes` back into the schema's dtypes."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    return apply_schema(raw, schema)
