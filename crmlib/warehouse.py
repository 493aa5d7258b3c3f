"""Single customer view: source-system records in an embedded database, matched into customers.

A bank, insurer or retailer keeps the same person in several systems, under different IDs
and written differently. Building one record per customer takes five steps, each a function:

1. **load** the source tables into a database (:func:`load_tables`, :func:`query`; SQLite
   through the standard library, so any analyst can run it);
2. **standardise** the fields used for matching (:func:`standardise_name`,
   :func:`standardise_phone`, :func:`standardise_address`, :func:`standardise_date`);
   (:func:`stack_sources` puts every system's records in one table with the same field names,
   :func:`standardise_records` standardises all the fields at once);
3. **block**: only records that share a key (same phone, same birth date, ...) become
   candidate pairs (:func:`blocking_keys`; the self-join runs in SQL or in pandas with
   :func:`candidate_pairs`);
4. **score** each candidate pair by how well its fields agree (:func:`score_pairs`, with
   :func:`name_similarity` for names) and keep the pairs above a threshold;
5. **link** matched pairs into customers (:func:`assign_ids`, transitive: if a = b and
   b = c then a = c), and measure the result against known truth (:func:`match_quality`,
   :func:`match_curve`).

Precision and recall are counted over pairs of records: a pair is *found* when both records
get the same customer ID and *true* when they belong to the same person.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from crmlib.validation import (
    require_columns,
    require_frame,
    require_number,
    require_positive_int,
    require_select,
    require_sqlite,
)

__all__ = [
    "KOREAN_SURNAMES",
    "ROAD_SUFFIXES",
    "DEFAULT_WEIGHTS",
    "DEFAULT_SIMILARITY",
    "DEFAULT_THRESHOLD",
    "load_tables",
    "query",
    "standardise_name",
    "standardise_phone",
    "standardise_address",
    "standardise_date",
    "name_similarity",
    "stack_sources",
    "standardise_records",
    "blocking_keys",
    "candidate_pairs",
    "score_pairs",
    "assign_ids",
    "match_quality",
    "match_curve",
]

#: Common romanisations of Korean family names, each mapped to the most usual spelling
#: (lower case). Pass it as ``aliases`` to :func:`standardise_name`. "Yun" (Yoon) and "Jun"
#: (Jeon) are left out: they are also given-name syllables, and rewriting those does harm.
KOREAN_SURNAMES: dict[str, str] = {
    variant: canonical
    for canonical, variants in {
        "kim": ["gim"], "lee": ["yi", "rhee", "rhie", "ri"], "park": ["pak", "bak", "bahk"],
        "choi": ["choe"], "jung": ["jeong", "chung"], "kang": ["gang"], "cho": ["jo"],
        "jang": ["chang"], "lim": ["im", "rim"], "han": ["hahn"],
        "oh": ["o"], "seo": ["suh"], "shin": ["sin"], "kwon": ["gwon"], "hwang": ["whang"],
        "ahn": ["an"], "yoo": ["yu"], "jeon": ["chun"],
    }.items()
    for variant in variants
}  # fmt: skip

#: Road-type words that are written either joined ("Teheran-ro") or apart ("Teheran Ro").
ROAD_SUFFIXES: tuple[str, ...] = ("ro", "daero", "gil")

#: Score contributions (agree, disagree) per compared column; see :func:`score_pairs`.
#: A shared phone or e-mail is strong evidence, a different one weaker counter-evidence
#: (people change numbers); a different birth date is strong counter-evidence; an address,
#: which goes stale after a move, counts little either way.
DEFAULT_WEIGHTS: dict[str, tuple[float, float]] = {
    "name": (3.0, -3.0),
    "birth_date": (3.0, -4.0),
    "phone": (4.0, -2.0),
    "email": (4.0, -1.0),
    "address": (1.5, -3.0),
}
#: A score at which a pair counts as a match with :data:`DEFAULT_WEIGHTS`: a name alone
#: (3) is not enough, a name plus an agreeing address, phone, e-mail or birth date is.
DEFAULT_THRESHOLD = 3.5
#: How each column of :data:`DEFAULT_WEIGHTS` is compared (see :func:`score_pairs`).
DEFAULT_SIMILARITY: dict[str, str] = {"name": "bigram", "address": "overlap"}

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SIMILARITIES = ("exact", "bigram", "overlap")


# --- the database ------------------------------------------------------------------------


#: What a query may do: read tables and call functions (not load extensions).
_READS = {
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_FUNCTION,
    getattr(sqlite3, "SQLITE_RECURSIVE", 33),
}


def _read_only(action: int, arg1: object, arg2: object, *_: object) -> int:
    """SQLite authorizer that allows reads only."""
    if action == sqlite3.SQLITE_FUNCTION and str(arg2).lower() == "load_extension":
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK if action in _READS else sqlite3.SQLITE_DENY


def _sql_ready(df: pd.DataFrame) -> pd.DataFrame:
    """A copy SQLite can store: dates as ISO text, categories and booleans as plain values."""
    out = {}
    for col in df.columns:
        values = df[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            has_time = bool((values.dropna() != values.dropna().dt.normalize()).any())
            fmt = "%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d"
            values = values.dt.strftime(fmt).astype(object).where(values.notna(), None)
        elif isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object).where(values.notna(), None)
        elif pd.api.types.is_bool_dtype(values):
            values = values.astype("Int64")
        out[col] = values
    return pd.DataFrame(out, index=df.index)


def load_tables(
    con: sqlite3.Connection, tables: Mapping[str, pd.DataFrame], *, replace: bool = False
) -> pd.DataFrame:
    """Write DataFrames into a SQLite database, one table each, and report what was loaded.

    SQLite has no date type: datetime columns are stored as ISO text (``YYYY-MM-DD``, with
    ``HH:MM:SS`` when any value has a time), which sorts and compares correctly in SQL.
    Booleans become 0/1 and categories their values; the frames are not changed.

    Parameters
    ----------
    con : sqlite3.Connection
        The database, e.g. ``sqlite3.connect(":memory:")``.
    tables : mapping of str to DataFrame
        Table name (letters, digits and underscores, not starting with a digit) to frame.
    replace : bool, default False
        Replace a table that already exists; by default that is an error.

    Returns
    -------
    pandas.DataFrame
        One row per table in the order given: ``table``, ``rows``, ``columns``.

    Examples
    --------
    >>> con = sqlite3.connect(":memory:")
    >>> people = pd.DataFrame({"id": ["a", "b"], "born": pd.to_datetime(["1980-01-02", None])})
    >>> load_tables(con, {"people": people})
        table  rows  columns
    0  people     2        2
    >>> con.execute("SELECT id, born FROM people ORDER BY id").fetchall()
    [('a', '1980-01-02'), ('b', None)]
    """
    con = require_sqlite(con)
    if not isinstance(tables, Mapping) or not tables:
        raise TypeError(
            f"tables: expected a non-empty mapping of table name to DataFrame, got {tables!r}"
            if not isinstance(tables, Mapping)
            else "tables: expected at least one table, got an empty mapping"
        )
    for name, df in tables.items():
        if not isinstance(name, str) or not _IDENTIFIER.match(name):
            raise ValueError(
                f"tables: table names must be letters, digits and underscores, got {name!r}"
            )
        require_frame(df, f"tables[{name!r}]", allow_empty=True)
    rows = []
    for name, df in tables.items():
        exists = con.execute(
            "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?", (name,)
        ).fetchone()
        if exists and not replace:
            raise ValueError(f"tables: table {name!r} already exists; pass replace=True")
        _sql_ready(df).to_sql(name, con, index=False, if_exists="replace")
        rows.append((name, len(df), df.shape[1]))
    return pd.DataFrame(rows, columns=["table", "rows", "columns"])


def query(
    con: sqlite3.Connection, sql: str, params: Mapping | Sequence | None = None
) -> pd.DataFrame:
    """Run one SELECT statement and return its rows as a DataFrame.

    Pass values through ``params`` (``:name`` placeholders with a mapping, ``?`` with a
    sequence), never by pasting them into the text. Row order is whatever the SQL's
    ``ORDER BY`` says; without one SQLite promises no order.

    Examples
    --------
    >>> con = sqlite3.connect(":memory:")
    >>> _ = load_tables(con, {"t": pd.DataFrame({"x": [3, 1, 2]})})
    >>> query(con, "SELECT x, x * :k AS y FROM t ORDER BY x", {"k": 10})
       x   y
    0  1  10
    1  2  20
    2  3  30
    """
    con = require_sqlite(con)
    require_select(sql)
    if params is not None and not isinstance(params, Mapping | list | tuple):
        raise TypeError(
            f"params: expected a mapping (for :name) or a list/tuple (for ?), "
            f"got {type(params).__name__}"
        )
    # SQLite asks the authorizer about every operation while it compiles the statement, so a
    # write hidden inside a SELECT-looking text (WITH ... DELETE) is refused before it runs.
    con.set_authorizer(_read_only)
    try:
        return pd.read_sql_query(sql, con, params=params)
    except (sqlite3.Error, pd.errors.DatabaseError) as exc:
        reason = str(exc).split(": ", 1)[-1] if "Execution failed" in str(exc) else str(exc)
        if "not authorized" in reason:
            raise ValueError(
                "sql: the statement does more than read (SQLite refused it: not authorized), "
                "and query only reads: it never changes your database, so nothing was run. "
                "Run changes yourself, e.g. with con.execute(...)"
            ) from None
        raise ValueError(f"sql: SQLite could not run the query: {reason}") from None
    finally:
        con.set_authorizer(None)


# --- standardising -------------------------------------------------------------------------


def _text(values: object, name: str) -> pd.Series:
    """``values`` as a Series of text with missing values kept missing."""
    if not isinstance(values, pd.Series):
        if isinstance(values, str) or not isinstance(values, Iterable):
            raise TypeError(f"{name}: expected a Series or list of text, got {values!r}")
        values = pd.Series(list(values), dtype=object)
    bad = values.dropna().map(lambda v: not isinstance(v, str))
    if bad.any():
        example = values.dropna()[bad].iloc[0]
        raise TypeError(
            f"{name}: expected text (or missing values), got {type(example).__name__} "
            f"values such as {example!r}"
        )
    return values.astype("string")


def _per_distinct(values: pd.Series, func) -> pd.Series:
    """``values.map(func)`` computed once per distinct value (names and addresses repeat)."""
    codes, uniques = pd.factorize(values)
    done = np.array([func(v) for v in uniques] + [pd.NA], dtype=object)
    return pd.Series(done[codes], index=values.index, dtype="string")


def standardise_name(names: object, aliases: Mapping[str, str] | None = None) -> pd.Series:
    """Write personal names one way: lower-case letters, words sorted, variants replaced.

    Hyphens and apostrophes join (``Min-jun`` -> ``minjun``); commas, dots and spaces
    separate words; words are then sorted, so ``"LEE, Min-jun"``, ``"Minjun Lee"`` and
    ``"lee minjun"`` all become ``"lee minjun"`` whatever order a system writes the family
    name in. ``aliases`` maps a word to its usual spelling (e.g. :data:`KOREAN_SURNAMES`,
    ``{"yi": "lee", ...}``) before sorting.

    Parameters
    ----------
    names : Series or list of str
        Names as the systems wrote them; missing values stay missing.
    aliases : mapping of str to str, optional
        Lower-case word -> replacement.

    Returns
    -------
    pandas.Series
        Standardised names (string dtype) on the same index; a name without letters is
        missing.

    Examples
    --------
    >>> standardise_name(["YI, Min-jun", "Minjun Lee", "rhee min jun", None],
    ...                  aliases=KOREAN_SURNAMES).tolist()
    ['lee minjun', 'lee minjun', 'jun lee min', <NA>]
    """
    text = _text(names, "names")
    if aliases is not None:
        if not isinstance(aliases, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()
        ):
            raise TypeError(f"aliases: expected a mapping of text to text, got {aliases!r}")
        aliases = {k.lower(): v.lower() for k, v in aliases.items()}
    cleaned = (
        text.str.lower()
        .str.replace(r"[-'’]", "", regex=True)
        .str.replace(r"[^a-z]+", " ", regex=True)
        .str.strip()
    )

    def words(value: object) -> object:
        if value is pd.NA or not value:
            return pd.NA
        tokens = value.split()
        if aliases:
            tokens = [aliases.get(t, t) for t in tokens]
        return " ".join(sorted(tokens))

    return _per_distinct(cleaned, words)


def standardise_phone(
    phones: object, *, country_code: str = "82", trunk_prefix: str = "0", min_digits: int = 7
) -> pd.Series:
    """Write phone numbers as national digits: ``+82-10-1234-5678`` -> ``01012345678``.

    Everything but digits is dropped. A number written internationally (starting with ``+``
    or ``00``) loses ``country_code`` and gains the national ``trunk_prefix``. Fewer than
    ``min_digits`` digits is not a phone number and becomes missing.

    Examples
    --------
    >>> standardise_phone(["010-1234-5678", "+82-10-1234-5678", "010 1234 5678", "n/a", None]
    ...                   ).tolist()
    ['01012345678', '01012345678', '01012345678', <NA>, <NA>]
    """
    text = _text(phones, "phones")
    for name, value in (("country_code", country_code), ("trunk_prefix", trunk_prefix)):
        if not isinstance(value, str) or not value.isdigit() and value != "":
            raise ValueError(f"{name}: expected a string of digits, got {value!r}")
    if isinstance(min_digits, bool) or not isinstance(min_digits, int) or min_digits < 1:
        raise ValueError(f"min_digits: expected a whole number >= 1, got {min_digits!r}")
    stripped = text.str.strip()
    international = stripped.str.match(r"^(\+|00)")
    digits = stripped.str.replace(r"\D", "", regex=True)
    digits = digits.where(~international.fillna(False), digits.str.replace(r"^0*", "", regex=True))
    local = digits.str.startswith(country_code) & international.fillna(False)
    digits = digits.where(~local, trunk_prefix + digits.str.slice(len(country_code)))
    return digits.where(digits.str.len() >= min_digits).astype("string")


def standardise_address(addresses: object, *, suffixes: Sequence[str] = ROAD_SUFFIXES) -> pd.Series:
    """Write addresses one way: lower case, no punctuation, road types joined, words sorted.

    ``"Teheran Ro 12, Gangnam-gu, Seoul"`` and ``"Seoul Gangnam-gu Teheran-ro 12"`` both
    become ``"12 gangnam-gu seoul teheran-ro"``. Sorting the words makes the result
    independent of the order a system writes the parts in; a format that leaves a part out
    still differs, which :func:`score_pairs` handles with the ``"overlap"`` comparison.

    Parameters
    ----------
    addresses : Series or list of str
    suffixes : sequence of str, default :data:`ROAD_SUFFIXES`
        Road-type words that belong to the previous word (``"teheran ro"`` ->
        ``"teheran-ro"``).

    Examples
    --------
    >>> standardise_address(["Teheran Ro 12, Gangnam-gu, Seoul",
    ...                      "Seoul Gangnam-gu Teheran-ro 12", None]).tolist()
    ['12 gangnam-gu seoul teheran-ro', '12 gangnam-gu seoul teheran-ro', <NA>]
    """
    text = _text(addresses, "addresses")
    if isinstance(suffixes, str) or not all(isinstance(s, str) and s for s in suffixes):
        raise TypeError(f"suffixes: expected a list of road-type words, got {suffixes!r}")
    cleaned = text.str.lower().str.replace(r"[^a-z0-9\- ]+", " ", regex=True)
    if suffixes:
        joined = "|".join(re.escape(s.lower()) for s in suffixes)
        cleaned = cleaned.str.replace(rf"\b([a-z]+)\s+({joined})\b", r"\1-\2", regex=True)
    return _per_distinct(
        cleaned, lambda v: pd.NA if v is pd.NA or not v.split() else " ".join(sorted(v.split()))
    )


def standardise_date(
    values: object, formats: Sequence[str] = ("%Y-%m-%d", "%Y%m%d", "%d/%m/%Y")
) -> pd.Series:
    """Parse dates written in several formats, trying ``formats`` in order for each value.

    Datetime values pass through (time of day dropped). For text, the first format that
    parses a value wins: list the formats each system uses and put the unambiguous ones
    first (``01/02/1980`` fits both ``%d/%m/%Y`` and ``%m/%d/%Y``, so never list both).
    Text that no format parses is an error, not a silent missing value.

    Returns
    -------
    pandas.Series
        datetime64 values at midnight on the same index; missing stays missing.

    Examples
    --------
    >>> standardise_date(["1980-01-02", "19800102", "02/01/1980", None]).dt.strftime(
    ...     "%Y-%m-%d").tolist()
    ['1980-01-02', '1980-01-02', '1980-01-02', nan]
    """
    if isinstance(formats, str) or not formats or not all(isinstance(f, str) for f in formats):
        raise TypeError(f"formats: expected a non-empty list of strptime formats, got {formats!r}")
    if isinstance(values, pd.Series) and pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.normalize()
    text = _text(values, "values").str.strip()
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for fmt in formats:
        todo = parsed.isna() & text.notna()
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    bad = text[parsed.isna() & text.notna()]
    if len(bad):
        raise ValueError(
            f"values: {len(bad)} value(s) match none of the formats {list(formats)}, "
            f"e.g. {bad.unique()[:3].tolist()}"
        )
    return parsed.dt.normalize()


def _as_text_if_date(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d").astype(object).where(values.notna(), None)
    return values.astype(object)


def stack_sources(
    tables: Mapping[str, pd.DataFrame],
    fields: Mapping[str, Mapping[str, str]],
    *,
    id_column: str = "record_id",
) -> pd.DataFrame:
    """Put the customer records of several source systems into one table, field by field.

    Each system names its columns its own way; ``fields`` says, per system, which of its
    columns holds each common field (``source_id`` is required: the record's ID in its
    system). A field a system does not keep is missing for its records; dates become ISO
    text (``YYYY-MM-DD``), as SQL would store them, so that every system's birth dates can be
    parsed together by :func:`standardise_date`. This is the
    *staging* step of a data warehouse, the SQL ``UNION ALL`` of the systems.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        System name to its records.
    fields : mapping of str to mapping of str to str
        System name to {common field: the system's column}; every system of ``tables``.
    id_column : str, default "record_id"
        Name of the new record number (1, 2, ... after sorting by system and source ID).

    Returns
    -------
    pandas.DataFrame
        ``id_column``, ``system``, ``source_id`` and the other common fields (in order of
        first mention), values as given (not yet standardised); sorted by system, source_id.

    Examples
    --------
    >>> a = pd.DataFrame({"no": ["A2", "A1"], "nm": ["Kim Minjun", "Lee Seoyeon"]})
    >>> b = pd.DataFrame({"id": ["7"], "holder": ["MINJUN KIM"], "tel": ["010-1"]})
    >>> stack_sources({"cards": b, "accounts": a},
    ...               {"cards": {"source_id": "id", "name": "holder", "phone": "tel"},
    ...                "accounts": {"source_id": "no", "name": "nm"}})
       record_id    system source_id         name  phone
    0          1  accounts        A1  Lee Seoyeon   <NA>
    1          2  accounts        A2   Kim Minjun   <NA>
    2          3     cards         7   MINJUN KIM  010-1
    """
    if not isinstance(tables, Mapping) or not tables:
        raise TypeError(
            f"tables: expected a non-empty mapping of system to DataFrame, got {tables!r}"
        )
    if not isinstance(fields, Mapping):
        raise TypeError(f"fields: expected a mapping of system to field map, got {fields!r}")
    missing = [system for system in tables if system not in fields]
    if missing:
        raise ValueError(f"fields: expected a field map for every system, missing {missing}")
    common: list[str] = []
    parts = []
    for system, df in tables.items():
        require_frame(df, f"tables[{system!r}]", allow_empty=True)
        mapping = fields[system]
        if not isinstance(mapping, Mapping) or "source_id" not in mapping:
            raise ValueError(
                f"fields[{system!r}]: expected a mapping that names the 'source_id' column, "
                f"got {mapping!r}"
            )
        require_columns(df, list(mapping.values()), f"tables[{system!r}]")
        for field in mapping:
            if field != "source_id" and field not in common:
                common.append(field)
        part = pd.DataFrame({field: _as_text_if_date(df[col]) for field, col in mapping.items()})
        part.insert(0, "system", system)
        parts.append(part)
    stacked = pd.concat(parts, ignore_index=True).reindex(columns=["system", "source_id", *common])
    stacked["source_id"] = stacked["source_id"].astype(str)
    stacked = stacked.sort_values(["system", "source_id"], kind="stable", ignore_index=True)
    for field in common:
        values = stacked[field]
        if values.dropna().map(lambda v: isinstance(v, str)).all():
            stacked[field] = values.astype("string")
    stacked.insert(0, id_column, np.arange(1, len(stacked) + 1))
    return stacked


def standardise_records(
    records: pd.DataFrame,
    *,
    aliases: Mapping[str, str] | None = None,
    date_formats: Sequence[str] = ("%Y-%m-%d", "%Y%m%d", "%d/%m/%Y"),
) -> pd.DataFrame:
    """Standardise every matching field of stacked records with the ``standardise_*`` functions.

    ``name`` -> :func:`standardise_name` (with ``aliases``), ``birth_date`` ->
    :func:`standardise_date` (with ``date_formats``), ``phone`` -> :func:`standardise_phone`,
    ``address`` -> :func:`standardise_address`, ``email`` -> trimmed lower case. Only the
    fields present are touched; other columns are kept as they are.

    Returns
    -------
    pandas.DataFrame
        A new frame with the same columns and rows.

    Examples
    --------
    >>> recs = pd.DataFrame({"record_id": [1, 2], "name": ["YI, Min-jun", "Minjun Lee"],
    ...                      "email": [" MJ@Mail.com", None]})
    >>> standardise_records(recs, aliases=KOREAN_SURNAMES)
       record_id        name        email
    0          1  lee minjun  mj@mail.com
    1          2  lee minjun         <NA>
    """
    require_frame(records, "records")
    out = records.copy()
    if "name" in out:
        out["name"] = standardise_name(out["name"].astype(object), aliases=aliases)
    if "birth_date" in out:
        values = out["birth_date"]
        if not pd.api.types.is_datetime64_any_dtype(values):
            values = values.astype(object)
        out["birth_date"] = standardise_date(values, formats=date_formats)
    if "phone" in out:
        out["phone"] = standardise_phone(out["phone"].astype(object))
    if "address" in out:
        out["address"] = standardise_address(out["address"].astype(object))
    if "email" in out:
        email = _text(out["email"].astype(object), "email").str.strip().str.lower()
        out["email"] = email.where(email != "")
    return out


# --- comparing -----------------------------------------------------------------------------


def _bigrams(name: str) -> frozenset[str]:
    # Letter pairs inside each word only: the result does not depend on word order or on
    # whether a given name is written as one word or two.
    return frozenset(w[i : i + 2] for w in name.split() for i in range(max(len(w) - 1, 1)))


def _dice(x: frozenset[str], y: frozenset[str]) -> float:
    return 2 * len(x & y) / (len(x) + len(y)) if x or y else 1.0


_VOWELS = re.compile(r"[aeiouwy]")


def name_similarity(a: str | None, b: str | None) -> float:
    """How alike two names are, from 0 (nothing shared) to 1 (same letters), NaN if missing.

    The mean of two Dice coefficients on letter pairs (2 x shared / total): one on the
    names as written, one on their consonants only. Letter pairs are taken inside each word,
    so word order and a given name written as one or two words hardly matter; a typo costs
    only the pairs it touches; and the consonant half forgives the vowel spellings that
    romanisation varies most (young/yeong, joon/jun, Mohammed/Muhammad). Missing names give
    NaN (no evidence either way).

    Examples
    --------
    >>> name_similarity("kim minjun", "minjun kim")
    1.0
    >>> round(name_similarity("kim youngjun", "kim yeongjoon"), 2)
    0.74
    >>> round(name_similarity("kim minjun", "lee seoyeon"), 2)
    0.0
    """
    for arg, value in (("a", a), ("b", b)):
        if value is not None and value is not pd.NA and not isinstance(value, str):
            raise TypeError(f"{arg}: expected a name (text) or None, got {value!r}")
    if a is None or b is None or a is pd.NA or b is pd.NA or not a.strip() or not b.strip():
        return float("nan")
    a, b = a.lower(), b.lower()
    spelled = _dice(_bigrams(a), _bigrams(b))
    consonants = _dice(_bigrams(_VOWELS.sub("", a)), _bigrams(_VOWELS.sub("", b)))
    return (spelled + consonants) / 2  # _similarities computes the same, faster, in bulk


def _similarities(values: pd.Series, li: np.ndarray, ri: np.ndarray, kind: str) -> np.ndarray:
    """Similarity of values[li] and values[ri] pair by pair; NaN where either is missing."""
    if pd.api.types.is_datetime64_any_dtype(values):
        values = values.dt.strftime("%Y-%m-%d")
    codes, uniques = pd.factorize(values.astype(object))  # missing -> -1
    x, y = codes[li], codes[ri]
    sim = (x == y).astype(float)
    if kind != "exact":
        # Each distinct pair of values is compared once, from features computed once per
        # distinct value: names and addresses repeat a lot.
        texts = [str(v) for v in uniques]
        todo = (x != y) & (x >= 0) & (y >= 0)
        combos, inverse = np.unique(np.stack([x[todo], y[todo]]), axis=1, return_inverse=True)
        if kind == "bigram":
            full = [_bigrams(t.lower()) for t in texts]
            bare = [_bigrams(_VOWELS.sub("", t.lower())) for t in texts]
            found = [(_dice(full[p], full[q]) + _dice(bare[p], bare[q])) / 2 for p, q in combos.T]
        else:
            words = [set(t.split()) for t in texts]
            found = [
                len(words[p] & words[q]) / min(len(words[p]), len(words[q])) for p, q in combos.T
            ]
        sim[todo] = np.asarray(found, dtype=float)[inverse.ravel()]
    sim[(x < 0) | (y < 0)] = np.nan
    return sim


def blocking_keys(
    records: pd.DataFrame,
    columns: Sequence[str],
    *,
    id_column: str = "record_id",
    max_block: int | None = None,
) -> pd.DataFrame:
    """Return one row per (record, key): the keys that decide which pairs get compared.

    Comparing every record with every other costs n squared; blocking compares only records
    that share at least one key. A key is ``"column:value"``, so equal values in different
    columns never collide; missing values give no key. Join the result with itself on
    ``key`` (in SQL or pandas) to get the candidate pairs.

    Parameters
    ----------
    records : DataFrame
        Standardised records, one row each.
    columns : list of str
        Columns whose equal values put two records in the same block.
    id_column : str, default "record_id"
        Column identifying each record (unique).
    max_block : int, optional
        Drop keys shared by more than this many records. A very common value (the most
        frequent name, a shared office phone) says little and makes pairs by the
        thousand; the other keys still bring its true matches together.

    Returns
    -------
    pandas.DataFrame
        Columns ``id_column`` and ``key``, sorted by id then key.

    Examples
    --------
    >>> recs = pd.DataFrame({"record_id": [1, 2, 3], "phone": ["0101", "0101", None],
    ...                      "birth": ["1980", "1975", "1980"]})
    >>> blocking_keys(recs, ["phone", "birth"])
       record_id         key
    0          1  birth:1980
    1          1  phone:0101
    2          2  birth:1975
    3          2  phone:0101
    4          3  birth:1980
    """
    _records(records, id_column)
    columns = _column_list(columns, "columns")
    require_columns(records, columns, "records")
    parts = []
    for col in columns:
        values = records[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.strftime("%Y-%m-%d")
        keep = values.notna()
        parts.append(
            pd.DataFrame(
                {
                    id_column: records.loc[keep, id_column],
                    "key": col + ":" + values[keep].astype(str),
                }
            )
        )
    keys = pd.concat(parts, ignore_index=True)
    if max_block is not None:
        max_block = require_positive_int(max_block, "max_block", minimum=2)
        keys = keys[keys.groupby("key")["key"].transform("size") <= max_block]
    return keys.sort_values([id_column, "key"], kind="stable", ignore_index=True)


def candidate_pairs(keys: pd.DataFrame, *, id_column: str = "record_id") -> pd.DataFrame:
    """Join blocking keys with themselves: every pair of records that shares a key, once.

    The pandas version of ``SELECT DISTINCT a.id, b.id FROM keys a JOIN keys b ON a.key =
    b.key AND a.id < b.id``.

    Parameters
    ----------
    keys : DataFrame
        Output of :func:`blocking_keys` (``id_column`` and ``key``).
    id_column : str, default "record_id"

    Returns
    -------
    pandas.DataFrame
        ``left``, ``right`` (left < right), sorted, without duplicates.

    Examples
    --------
    >>> keys = pd.DataFrame({"record_id": [1, 1, 2, 2, 3], "key": ["p:1", "b:80", "p:1",
    ...                      "b:80", "b:80"]})
    >>> candidate_pairs(keys)
       left  right
    0     1      2
    1     1      3
    2     2      3
    """
    require_frame(keys, "keys", allow_empty=True)
    require_columns(keys, [id_column, "key"], "keys")
    both = keys[[id_column, "key"]].merge(keys[[id_column, "key"]], on="key")
    both = both[both[f"{id_column}_x"] < both[f"{id_column}_y"]]
    out = pd.DataFrame(
        {"left": both[f"{id_column}_x"].to_numpy(), "right": both[f"{id_column}_y"].to_numpy()}
    ).drop_duplicates()
    return out.sort_values(["left", "right"], kind="stable", ignore_index=True)


def _records(records: object, id_column: str) -> pd.DataFrame:
    require_frame(records, "records")
    require_columns(records, [id_column], "records")
    if records[id_column].isna().any() or records[id_column].duplicated().any():
        dup = records.loc[records[id_column].duplicated(), id_column].head(3).tolist()
        raise ValueError(
            f"column {id_column!r}: expected a unique, non-missing ID per record, "
            f"got duplicates or missing values such as {dup}"
        )
    return records


def _column_list(columns: object, name: str) -> list[str]:
    if isinstance(columns, str) or not isinstance(columns, Iterable):
        raise TypeError(f"{name}: expected a list of column names, got {columns!r}")
    columns = list(columns)
    if not columns:
        raise ValueError(f"{name}: expected at least one column name, got none")
    return columns


def _pairs(pairs: object, records: pd.DataFrame, id_column: str) -> pd.DataFrame:
    require_frame(pairs, "pairs", allow_empty=True)
    if pairs.shape[1] < 2:
        raise ValueError(f"pairs: expected two columns of record IDs, got {list(pairs.columns)}")
    both = pd.concat([pairs.iloc[:, 0], pairs.iloc[:, 1]])
    unknown = both[~both.isin(records[id_column])].unique().tolist()
    if unknown:
        raise ValueError(
            f"pairs: record IDs not found in records[{id_column!r}], e.g. {unknown[:3]}"
        )
    return pairs


def score_pairs(
    records: pd.DataFrame,
    pairs: pd.DataFrame,
    weights: Mapping[str, tuple[float, float]] | None = None,
    similarity: Mapping[str, str] | None = None,
    *,
    id_column: str = "record_id",
) -> pd.DataFrame:
    """Compare candidate pairs field by field and add up the evidence into a score.

    Each compared column gives a similarity ``s`` from 0 to 1: ``"exact"`` (1 if equal, else
    0), ``"bigram"`` (:func:`name_similarity`) or ``"overlap"`` (share of the shorter
    value's words found in the other). With weights ``(agree, disagree)`` a column adds
    ``agree * s + disagree * (1 - s)`` to the score, and nothing when either value is
    missing: a missing phone is no evidence. This is the Fellegi-Sunter idea with weights
    set by judgement; :func:`match_curve` shows what a threshold on the score achieves.

    Parameters
    ----------
    records : DataFrame
        Standardised records with ``id_column`` and the compared columns.
    pairs : DataFrame
        Candidate pairs: the first two columns are record IDs (e.g. from a blocking join).
    weights : mapping of column to (agree, disagree), default :data:`DEFAULT_WEIGHTS`
    similarity : mapping of column to "exact", "bigram" or "overlap", optional
        Columns not named are compared ``"exact"``; default :data:`DEFAULT_SIMILARITY`.
    id_column : str, default "record_id"

    Returns
    -------
    pandas.DataFrame
        The pairs (first two columns, renamed ``left`` and ``right``, duplicates removed and
        each pair ordered so that left < right), one similarity column per compared column
        (NaN where missing), and ``score``; sorted by left, right.

    Examples
    --------
    >>> recs = pd.DataFrame({"record_id": [1, 2, 3],
    ...                      "name": ["kim minjun", "kim minjoon", "lee seoyeon"],
    ...                      "phone": ["0101", "0101", "0101"]})
    >>> score_pairs(recs, pd.DataFrame({"a": [2, 1], "b": [1, 3]}),
    ...             weights={"name": (4, -4), "phone": (4, -1)}).round(3)
       left  right   name  phone  score
    0     1      2  0.833    1.0  6.667
    1     1      3  0.000    1.0  0.000
    """
    _records(records, id_column)
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    similarity = dict(DEFAULT_SIMILARITY if similarity is None else similarity)
    if not weights:
        raise ValueError("weights: expected at least one compared column, got none")
    for col, w in weights.items():
        if not (isinstance(w, tuple | list) and len(w) == 2):
            raise TypeError(f"weights[{col!r}]: expected (agree, disagree) numbers, got {w!r}")
        for part in w:
            require_number(part, f"weights[{col!r}]")
    for col, kind in similarity.items():
        if kind not in _SIMILARITIES:
            raise ValueError(
                f"similarity[{col!r}]: expected one of {', '.join(_SIMILARITIES)}, got {kind!r}"
            )
    require_columns(records, list(weights), "records")
    pairs = _pairs(pairs, records, id_column)

    ids = records[id_column].to_numpy()
    a, b = pairs.iloc[:, 0].to_numpy(), pairs.iloc[:, 1].to_numpy()
    swap = np.asarray(a > b, dtype=bool)
    left, right = np.where(swap, b, a), np.where(swap, a, b)
    out = pd.DataFrame({"left": left, "right": right})
    out = out[out["left"] != out["right"]].drop_duplicates()
    out = out.sort_values(["left", "right"], kind="stable", ignore_index=True)
    position = pd.Series(np.arange(len(ids)), index=ids)
    li, ri = position[out["left"]].to_numpy(), position[out["right"]].to_numpy()
    score = np.zeros(len(out))
    for col, (agree, disagree) in weights.items():
        sim = _similarities(records[col], li, ri, similarity.get(col, "exact"))
        out[col] = sim
        score += np.nan_to_num(agree * sim + disagree * (1 - sim), nan=0.0)
    out["score"] = score
    return out


# --- linking and measuring ---------------------------------------------------------------


def assign_ids(
    record_ids: object,
    matches: pd.DataFrame,
    *,
    prefix: str = "C",
    width: int = 6,
) -> pd.Series:
    """Give every record a customer ID; matched records (directly or via others) share one.

    Linking is transitive: the customers are the connected components of the graph whose
    edges are the matched pairs. IDs are numbered in the order of each customer's first
    record in ``record_ids``, so the same input always gives the same IDs.

    Parameters
    ----------
    record_ids : Series or list
        Every record's ID, unique; records in no pair become customers of their own.
    matches : DataFrame
        Matched pairs: the first two columns are record IDs (e.g. the rows of
        :func:`score_pairs` above a threshold).
    prefix : str, default "C"
    width : int, default 6
        Digits in the number (zero-padded).

    Returns
    -------
    pandas.Series
        ``customer_id`` per record, indexed by record ID, in the order of ``record_ids``.

    Examples
    --------
    >>> assign_ids(["r1", "r2", "r3", "r4"], pd.DataFrame({"l": ["r3", "r2"], "r": ["r4", "r4"]}))
    record_id
    r1    C000001
    r2    C000002
    r3    C000002
    r4    C000002
    Name: customer_id, dtype: str
    """
    ids = pd.Index(list(record_ids) if not isinstance(record_ids, pd.Series) else record_ids)
    if len(ids) == 0:
        raise ValueError("record_ids: expected at least one record ID, got none")
    if ids.has_duplicates or ids.hasnans:
        raise ValueError(
            f"record_ids: expected unique, non-missing IDs, got duplicates such as "
            f"{ids[ids.duplicated()][:3].tolist()}"
        )
    frame = pd.DataFrame({"record_id": ids})
    matches = _pairs(matches, frame, "record_id")
    if not isinstance(prefix, str):
        raise TypeError(f"prefix: expected text, got {prefix!r}")
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ValueError(f"width: expected a whole number >= 1, got {width!r}")
    n = len(ids)
    rows, cols = ids.get_indexer(matches.iloc[:, 0]), ids.get_indexer(matches.iloc[:, 1])
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    # renumber components by their first record, so IDs follow the input order
    first = pd.Series(np.arange(n)).groupby(component).min()
    rank = pd.Series(np.arange(1, len(first) + 1), index=first.sort_values().index)
    numbers = rank.loc[component].to_numpy()
    labels = [f"{prefix}{k:0{width}d}" for k in numbers]
    return pd.Series(labels, index=ids.rename("record_id"), name="customer_id", dtype="str")


def _pairs_within(counts: np.ndarray) -> int:
    return int((counts * (counts - 1) // 2).sum())


def match_quality(found: object, truth: object) -> pd.Series:
    """Score a matching against the truth, counting pairs of records.

    Parameters
    ----------
    found : Series or list
        The customer ID the matching gave each record.
    truth : Series or list
        The true person of each record, in the same order (same index for Series).

    Returns
    -------
    pandas.Series
        ``records``; ``persons`` (true) and ``customers`` (found); ``duplicates``
        (records - customers: the records the matching merged away) and
        ``true_duplicates``; ``true_pairs``, ``found_pairs`` and ``correct_pairs``;
        ``precision`` (share of found pairs that are true), ``recall`` (share of true pairs
        found) and ``f1`` (their harmonic mean). Precision or recall is NaN when nothing
        was found or there is nothing to find.

    Examples
    --------
    >>> match_quality(["c1", "c1", "c1", "c2"], ["p1", "p1", "p2", "p2"])[
    ...     ["customers", "found_pairs", "correct_pairs", "precision", "recall"]].tolist()
    [2.0, 3.0, 1.0, 0.3333333333333333, 0.5]
    """
    found_s, truth_s = _labels(found, "found"), _labels(truth, "truth")
    if len(found_s) != len(truth_s):
        raise ValueError(
            f"found, truth: expected one label per record in both, got {len(found_s)} and "
            f"{len(truth_s)}"
        )
    if isinstance(found, pd.Series) and isinstance(truth, pd.Series):
        if not found.index.equals(truth.index):
            raise ValueError("found, truth: expected Series with the same index")
    f = pd.factorize(found_s.to_numpy())[0].astype(np.int64)
    t = pd.factorize(truth_s.to_numpy())[0].astype(np.int64)
    correct = _pairs_within(np.unique(f * (t.max() + 1) + t, return_counts=True)[1])
    found_pairs = _pairs_within(np.bincount(f))
    true_pairs = _pairs_within(np.bincount(t))
    precision = correct / found_pairs if found_pairs else float("nan")
    recall = correct / true_pairs if true_pairs else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else float("nan")
    n, n_found, n_true = len(f), int(f.max()) + 1, int(t.max()) + 1
    return pd.Series(
        {
            "records": n,
            "persons": n_true,
            "customers": n_found,
            "duplicates": n - n_found,
            "true_duplicates": n - n_true,
            "true_pairs": true_pairs,
            "found_pairs": found_pairs,
            "correct_pairs": correct,
            "precision": precision,
            "recall": recall,
            "f1": f1,
        },
        dtype=float,
    )


def _labels(values: object, name: str) -> pd.Series:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise TypeError(f"{name}: expected a Series or list of labels, got {values!r}")
    values = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if len(values) == 0:
        raise ValueError(f"{name}: expected at least one record, got none")
    if values.isna().any():
        raise ValueError(
            f"{name}: expected a label for every record, got {int(values.isna().sum())} missing"
        )
    return values


def match_curve(
    record_ids: object,
    scored: pd.DataFrame,
    truth: object,
    thresholds: Iterable[float],
) -> pd.DataFrame:
    """Precision, recall and F1 of the matching at each score threshold.

    For each threshold the pairs of ``scored`` with ``score >= threshold`` are linked with
    :func:`assign_ids` and scored with :func:`match_quality`.

    Parameters
    ----------
    record_ids : Series or list
        Every record's ID.
    scored : DataFrame
        Output of :func:`score_pairs` (``left``, ``right``, ``score``).
    truth : Series or list
        True person of each record, in the order of ``record_ids``.
    thresholds : iterable of float

    Returns
    -------
    pandas.DataFrame
        One row per threshold (in the order given): ``threshold``, ``customers``,
        ``precision``, ``recall``, ``f1``.

    Examples
    --------
    >>> scored = pd.DataFrame({"left": [1, 2], "right": [2, 3], "score": [5.0, 1.0]})
    >>> match_curve([1, 2, 3], scored, ["a", "a", "b"], [0, 3])
       threshold  customers  precision  recall   f1
    0        0.0        1.0   0.333333     1.0  0.5
    1        3.0        2.0   1.000000     1.0  1.0
    """
    require_frame(scored, "scored", allow_empty=True)
    require_columns(scored, ["left", "right", "score"], "scored")
    if isinstance(thresholds, str) or not isinstance(thresholds, Iterable):
        raise TypeError(f"thresholds: expected a list of numbers, got {thresholds!r}")
    thresholds = [require_number(t, "thresholds") for t in thresholds]
    if not thresholds:
        raise ValueError("thresholds: expected at least one threshold, got none")
    truth = list(truth) if not isinstance(truth, pd.Series) else truth.to_numpy()
    rows = []
    for threshold in thresholds:
        ids = assign_ids(record_ids, scored.loc[scored["score"] >= threshold, ["left", "right"]])
        q = match_quality(ids.to_numpy(), truth)
        rows.append((threshold, q["customers"], q["precision"], q["recall"], q["f1"]))
    return pd.DataFrame(rows, columns=["threshold", "customers", "precision", "recall", "f1"])
