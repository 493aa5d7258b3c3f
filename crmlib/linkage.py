"""Probabilistic record linkage with Splink: Fellegi-Sunter weights learned from the data.

:mod:`crmlib.warehouse` matches records with weights set by judgement. Probabilistic linkage
(Fellegi & Sunter 1969) learns them instead. For each compared field and each level of
agreement (exact, close, different, missing) it estimates

- ``m``: the probability of that level among pairs that *are* the same person, and
- ``u``: the probability of that level among pairs that are *not*;

a level's **match weight** is ``log2(m / u)``: positive when the level is more typical of
matches, negative when it is more typical of non-matches. A pair's weights add up, together
with the prior (the log-odds that two random records match), to its total match weight and
its match probability. ``u`` is estimated from random pairs (almost all non-matches), ``m``
by expectation maximisation (EM) on blocked pairs, without any labelled data.

:class:`SplinkMatcher` wraps Splink 5 on DuckDB in the scikit-learn shape: settings in the
constructor, :meth:`SplinkMatcher.fit` learns, what was learned ends in ``_``. Its blocking is
:func:`crmlib.warehouse.blocking_keys`'s: records share a value of a blocking column, and values
shared by more than ``max_block`` records are ignored (:func:`block_columns`), so the same
candidate pairs are compared by both methods. :func:`mailing_errors` says what a matching's
errors cost a campaign that mails every customer once.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from crmlib.validation import (
    require_columns,
    require_fraction,
    require_frame,
    require_number,
    require_positive_int,
)
from crmlib.warehouse import _VOWELS, _bigrams

__all__ = [
    "DEFAULT_BLOCKING",
    "DEFAULT_TRAINING_BLOCKS",
    "DEFAULT_PRIOR_RULES",
    "block_columns",
    "SplinkMatcher",
    "mailing_errors",
]

#: Similarity levels of the name comparison (below exact agreement), on the scale of
#: :func:`crmlib.warehouse.name_similarity`.
NAME_THRESHOLDS: tuple[float, ...] = (0.85, 0.65)
#: Blocking columns, the same as the chapter's :func:`crmlib.warehouse.blocking_keys` call.
DEFAULT_BLOCKING: tuple[str, ...] = ("phone", "email", "birth_date", "address", "name")
#: Blocking columns of the EM training sessions: a column used to block cannot be trained in
#: that session (all its pairs agree), so several sessions cover every field.
DEFAULT_TRAINING_BLOCKS: tuple[str, ...] = ("address", "birth_date", "phone", "email")
#: Rules that are almost never wrong, used to estimate the prior: records that share a phone
#: number or an e-mail address are taken to be one person.
DEFAULT_PRIOR_RULES: tuple[tuple[str, ...], ...] = (("phone",), ("email",))


def _column_list(columns: object, name: str) -> list[str]:
    if isinstance(columns, str) or not isinstance(columns, Iterable):
        raise TypeError(f"{name}: expected a list of column names, got {columns!r}")
    columns = list(columns)
    if not columns or not all(isinstance(c, str) for c in columns):
        raise ValueError(f"{name}: expected at least one column name, got {columns!r}")
    return columns


def block_columns(
    records: pd.DataFrame, columns: Sequence[str], *, max_block: int | None = None
) -> pd.DataFrame:
    """Add a ``block_<column>`` copy of each blocking column, empty where its block is too big.

    Two records become a candidate pair when they share a non-missing ``block_<column>``
    value. With ``max_block``, a value shared by more than ``max_block`` records is blanked,
    exactly as :func:`crmlib.warehouse.blocking_keys` drops such keys, so blocking on these
    columns in Splink gives the same pairs as the self-join on the keys.

    Parameters
    ----------
    records : DataFrame
        Standardised records.
    columns : list of str
        Columns to block on.
    max_block : int, optional
        Largest block kept (at least 2).

    Returns
    -------
    pandas.DataFrame
        A copy of ``records`` with one ``block_<column>`` column per blocking column (text;
        dates as ``YYYY-MM-DD``).

    Examples
    --------
    >>> recs = pd.DataFrame({"record_id": [1, 2, 3, 4], "name": ["kim", "kim", "kim", "lee"]})
    >>> block_columns(recs, ["name"], max_block=2)["block_name"].tolist()
    [<NA>, <NA>, <NA>, 'lee']
    """
    require_frame(records, "records")
    columns = _column_list(columns, "columns")
    require_columns(records, columns, "records")
    if max_block is not None:
        max_block = require_positive_int(max_block, "max_block", minimum=2)
    out = records.copy()
    for col in columns:
        values = out[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.strftime("%Y-%m-%d")
        values = values.astype("string")
        if max_block is not None:
            size = values.map(values.value_counts())
            values = values.where(size <= max_block)
        out[f"block_{col}"] = values
    return out


def _plain(records: pd.DataFrame) -> pd.DataFrame:
    """A copy DuckDB reads cleanly: dates as ISO text, missing values as None."""
    out = {}
    for col in records.columns:
        values = records[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.strftime("%Y-%m-%d")
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            values = values.astype(object).where(values.notna(), None)
        out[col] = values
    return pd.DataFrame(out, index=records.index)


def _name_comparison(col: str, thresholds: Sequence[float]):
    """Levels of :func:`crmlib.warehouse.name_similarity`, computed in SQL.

    Each letter pair of a name is written as one private-use character (see
    :func:`_letter_pair_codes`), so DuckDB's ``jaccard`` on those strings is the Jaccard index
    J of the letter-pair sets, and Dice = 2J / (1 + J).
    """
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    def dice(codes: str) -> str:
        j = f"jaccard({codes}_l, {codes}_r)"
        return f"(2.0 * {j} / (1.0 + {j}))"

    similarity = f"({dice(f'{col}__pairs')} + {dice(f'{col}__consonants')}) / 2"
    levels = [cll.NullLevel(col), cll.ExactMatchLevel(col)]
    for t in thresholds:
        levels.append(
            cll.CustomLevel(f"{similarity} >= {t}", label_for_charts=f"letter pairs >= {t:g}")
        )
    levels.append(cll.ElseLevel())
    return cl.CustomComparison(levels, output_column_name=col)


def _letter_pair_codes(names: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Per name, its letter pairs (as written, and of its consonants) as strings of codes.

    Every distinct letter pair becomes one character of Unicode's private-use area, so a
    set of pairs is a short string whose characters are the set. A name without consonant
    pairs uses its spelled pairs for both.
    """
    spelled: dict[str, frozenset[str]] = {}
    bare: dict[str, frozenset[str]] = {}
    for value in names.dropna().unique():
        text = str(value).lower()
        spelled[value] = _bigrams(text)
        bare[value] = _bigrams(_VOWELS.sub("", text)) or spelled[value]
    every = sorted(set().union(*spelled.values(), *bare.values())) if spelled else []
    if len(every) > 6400:
        raise ValueError(f"names: too many distinct letter pairs ({len(every)}), at most 6400")
    code = {pair: chr(0xE000 + i) for i, pair in enumerate(every)}

    def encode(table: dict[str, frozenset[str]]) -> pd.Series:
        return names.map(
            lambda v: "".join(code[p] for p in sorted(table[v])) if v in table else None
        ).astype(object)

    return encode(spelled), encode(bare)


def _default_comparisons(columns: Sequence[str]) -> list:
    import splink.comparison_library as cl

    made = []
    for col in columns:
        if col == "name":
            made.append(_name_comparison(col, NAME_THRESHOLDS))
        elif col == "address":
            made.append(cl.JaccardAtThresholds(col, [0.9, 0.7]))
        else:
            made.append(cl.ExactMatch(col))
    return made


class SplinkMatcher:
    """Deduplicate records with a Fellegi-Sunter model trained by Splink on DuckDB.

    Parameters
    ----------
    compare : list of str, default ("name", "birth_date", "phone", "email", "address")
        Columns to compare. ``name`` gets levels of letter-pair similarity (the measure of
        :func:`crmlib.warehouse.name_similarity`, >= 0.85 and >= 0.65 below exact
        agreement), ``address`` Jaccard levels (>= 0.9, >= 0.7), any other column exact
        agreement.
    blocking : list of str, default :data:`DEFAULT_BLOCKING`
        Blocking columns (see :func:`block_columns`).
    max_block : int or None, default 20
        Values shared by more records than this do not block.
    training_blocks : list of str, default :data:`DEFAULT_TRAINING_BLOCKS`
        One EM session per column, each on the pairs that share its blocking value.
    prior_rules : list of tuples of str, default :data:`DEFAULT_PRIOR_RULES`
        Near-certain rules that estimate the prior.
    prior_recall : float, default 0.8
        The share of true matches the prior rules are believed to catch.
    max_pairs : float, default 1e6
        Most random pairs sampled to estimate ``u`` (sampling stops early once every level
        has been seen 100 times).
    seed : int, default 0
        Seed of the random pairs (makes the model reproducible).
    id_column : str, default "record_id"

    Attributes
    ----------
    params_ : DataFrame
        One row per comparison level: ``comparison``, ``level``, ``m``, ``u``,
        ``match_weight`` (log2 m/u; NaN for the "missing" level, which adds nothing).
    prior_ : float
        Estimated probability that two random records match.
    prior_weight_ : float
        The prior as a match weight, log2(prior / (1 - prior)): where every pair starts.
    linker_ : splink.Linker
        The trained Splink linker (for Splink's own charts and methods).

    Examples
    --------
    >>> recs = pd.DataFrame({"record_id": range(1, 7),
    ...     "name": ["kim minjun", "kim minjun", "lee seoyeon", "lee seoyeon", "park jiho",
    ...              "choi yuna"],
    ...     "phone": ["0101", "0101", "0102", "0102", "0103", "0104"]})
    >>> m = SplinkMatcher(compare=["name", "phone"], blocking=["name", "phone"],
    ...                   training_blocks=["name", "phone"], prior_rules=[("phone",)],
    ...                   max_pairs=1e3)
    >>> m.fit(recs).predict(0.5)[["left", "right"]].values.tolist()
    [[1, 2], [3, 4]]
    """

    def __init__(
        self,
        compare: Sequence[str] = ("name", "birth_date", "phone", "email", "address"),
        blocking: Sequence[str] = DEFAULT_BLOCKING,
        *,
        max_block: int | None = 20,
        training_blocks: Sequence[str] = DEFAULT_TRAINING_BLOCKS,
        prior_rules: Sequence[Sequence[str]] = DEFAULT_PRIOR_RULES,
        prior_recall: float = 0.8,
        max_pairs: float = 1e6,
        seed: int = 0,
        id_column: str = "record_id",
    ):
        self.compare = compare
        self.blocking = blocking
        self.max_block = max_block
        self.training_blocks = training_blocks
        self.prior_rules = prior_rules
        self.prior_recall = prior_recall
        self.max_pairs = max_pairs
        self.seed = seed
        self.id_column = id_column

    # -- fitting ------------------------------------------------------------------------

    def _check(self, records: object) -> pd.DataFrame:
        require_frame(records, "records")
        compare = _column_list(self.compare, "compare")
        blocking = _column_list(self.blocking, "blocking")
        training = _column_list(self.training_blocks, "training_blocks")
        require_columns(records, [self.id_column, *compare, *blocking], "records")
        unknown = [c for c in training if c not in blocking]
        if unknown:
            raise ValueError(
                f"training_blocks: expected blocking columns ({', '.join(blocking)}), got {unknown}"
            )
        ids = records[self.id_column]
        if ids.isna().any() or ids.duplicated().any():
            raise ValueError(
                f"column {self.id_column!r}: expected a unique, non-missing ID per record"
            )
        if not pd.api.types.is_integer_dtype(ids):
            raise TypeError(
                f"column {self.id_column!r}: expected whole-number record IDs, got {ids.dtype}"
            )
        require_fraction(self.prior_recall, "prior_recall")
        require_positive_int(self.seed, "seed", minimum=0)
        return records

    def fit(self, records: pd.DataFrame) -> SplinkMatcher:
        """Estimate the prior, ``u`` (random pairs) and ``m`` (EM) from ``records``."""
        import duckdb
        from splink import Linker, SettingsCreator, block_on
        from splink.backends.duckdb import DuckDBAPI

        records = self._check(records)
        compare, blocking = list(self.compare), list(self.blocking)
        blocked = block_columns(records, blocking, max_block=self.max_block)
        table = _plain(blocked[[self.id_column, *dict.fromkeys([*compare, *blocking])]
                               + [f"block_{c}" for c in blocking]])  # fmt: skip
        if "name" in compare:
            table["name__pairs"], table["name__consonants"] = _letter_pair_codes(table["name"])
        con = duckdb.connect()
        con.execute("SET threads = 1")  # same sums in the same order: reproducible EM
        con.execute("SET enable_progress_bar = false")  # no progress widgets in notebooks
        db_api = DuckDBAPI(con)
        settings = SettingsCreator(
            link_type="dedupe_only",
            unique_id_column_name=self.id_column,
            comparisons=_default_comparisons(compare),
            blocking_rules_to_generate_predictions=[block_on(f"block_{c}") for c in blocking],
            retain_intermediate_calculation_columns=True,
            retain_matching_columns=True,
        )
        quiet = logging.getLogger("splink")
        level = quiet.level
        quiet.setLevel(logging.ERROR)
        try:
            linker = Linker(db_api.register(table, table_name="records"), settings, log_level=None)
            linker.training.estimate_probability_two_random_records_match(
                [block_on(*rule) for rule in self.prior_rules], recall=float(self.prior_recall)
            )
            linker.training.estimate_u_using_random_sampling(
                max_pairs=float(self.max_pairs), seed=int(self.seed)
            )
            for col in self.training_blocks:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(f"block_{col}")
                )
        finally:
            quiet.setLevel(level)
        self.linker_ = linker
        model = linker.misc.save_model_to_json()
        self.prior_ = float(model["probability_two_random_records_match"])
        self.prior_weight_ = math.log2(self.prior_ / (1 - self.prior_))
        rows = []
        for comparison in model["comparisons"]:
            for lvl in comparison["comparison_levels"]:
                null = lvl.get("is_null_level", False)
                m, u = lvl.get("m_probability", np.nan), lvl.get("u_probability", np.nan)
                weight = np.nan if null else math.log2(m / u)
                rows.append(
                    (comparison["output_column_name"], lvl["label_for_charts"], m, u, weight)
                )
        self.params_ = pd.DataFrame(rows, columns=["comparison", "level", "m", "u", "match_weight"])
        self._compare = compare
        self._scored = None  # every blocked pair, scored once by predict() and then reused
        return self

    # -- using the model ----------------------------------------------------------------

    def _fitted(self) -> None:
        if not hasattr(self, "linker_"):
            raise RuntimeError("SplinkMatcher: call fit(records) before predict or explain")

    def predict(self, threshold: float | None = None) -> pd.DataFrame:
        """Score every blocked pair of the fitted records.

        Parameters
        ----------
        threshold : float, optional
            Keep pairs with ``match_probability >= threshold`` (0-1); all pairs if None.

        Returns
        -------
        pandas.DataFrame
            ``left``, ``right`` (record IDs, left < right), ``match_weight``,
            ``match_probability``, and per compared column its values (``<col>_l``,
            ``<col>_r``), level (``gamma_<col>``, -1 = missing) and weight (``mw_<col>``);
            sorted by left, right.
        """
        self._fitted()
        if threshold is not None:
            t = require_number(threshold, "threshold")
            if not 0 <= t <= 1:
                raise ValueError(f"threshold: expected a probability in [0, 1], got {t!r}")
        if self._scored is None:
            quiet = logging.getLogger("splink")
            level = quiet.level
            quiet.setLevel(logging.ERROR)
            try:
                self._scored = self.linker_.inference.predict().as_pandas_dataframe()
            finally:
                quiet.setLevel(level)
        scored = self._scored
        if threshold is not None:
            scored = scored[scored["match_probability"] >= threshold]
        idl, idr = f"{self.id_column}_l", f"{self.id_column}_r"
        keep = ["match_weight", "match_probability"]
        for col in self._compare:
            keep += [f"{col}_l", f"{col}_r", f"gamma_{col}", f"mw_{col}"]
        out = scored[[idl, idr, *keep]].rename(columns={idl: "left", idr: "right"})
        swap = out["left"] > out["right"]
        for a, b in [("left", "right")] + [(f"{c}_l", f"{c}_r") for c in self._compare]:
            out.loc[swap, [a, b]] = out.loc[swap, [b, a]].to_numpy()
        return out.sort_values(["left", "right"], kind="stable", ignore_index=True)

    def explain(self, left: object, right: object) -> pd.DataFrame:
        """Why the model scores one pair as it does: the prior plus one weight per field.

        Returns
        -------
        pandas.DataFrame
            One row for the prior and one per compared column: ``field``, ``left``,
            ``right`` (the values), ``level`` (the agreement level's label) and
            ``match_weight``; a final row ``total`` whose weight is the pair's match weight
            and ``probability`` its match probability (``2**w / (1 + 2**w)``).
        """
        self._fitted()
        pairs = self.predict()
        a, b = sorted([left, right])
        row = pairs[(pairs["left"] == a) & (pairs["right"] == b)]
        if row.empty:
            raise ValueError(
                f"left, right: records {a!r} and {b!r} are not a blocked candidate pair"
            )
        row = row.iloc[0]
        out = [("prior", None, None, "two random records", self.prior_weight_)]
        for col in self._compare:
            levels = self.params_[self.params_["comparison"] == col].reset_index(drop=True)
            gamma = int(row[f"gamma_{col}"])
            # Splink numbers levels from the most to the least alike, missing = -1
            label = "missing" if gamma == -1 else levels["level"].iloc[len(levels) - 1 - gamma]
            out.append((col, row[f"{col}_l"], row[f"{col}_r"], label, row[f"mw_{col}"]))
        out.append(("total", None, None, "", row["match_weight"]))
        frame = pd.DataFrame(out, columns=["field", "left", "right", "level", "match_weight"])
        frame["probability"] = np.nan
        frame.loc[frame.index[-1], "probability"] = row["match_probability"]
        return frame


def mailing_errors(
    found: object,
    truth: object,
    *,
    cost_per_contact: float,
    value_per_response: float,
    response_rate: float,
) -> pd.Series:
    """What a matching's errors cost a campaign that mails every *found* customer once.

    Each found customer gets one mailing, addressed from its first record (in the given
    order), so it reaches that record's true person. A person reached by more than one
    mailing gets **duplicate** mailings (wasted contacts); a person whose records were all
    merged into other persons' customers is **missed** (no mailing, so no response).

    Parameters
    ----------
    found, truth : Series or list
        Found customer ID and true person per record, in the same order.
    cost_per_contact : float
        Cost of one mailing.
    value_per_response : float
        Value of one response.
    response_rate : float
        Expected response rate of a person who gets the mailing (fraction 0-1).

    Returns
    -------
    pandas.Series
        ``persons``, ``mailings``, ``reached`` (persons who got at least one mailing),
        ``duplicate_mailings``, ``missed_persons``, ``wasted_cost``
        (duplicates x cost_per_contact), ``lost_value`` (missed x response_rate x
        value_per_response) and ``total_cost``.

    Examples
    --------
    >>> mailing_errors(["c1", "c2", "c3", "c3"], ["p1", "p1", "p2", "p3"],
    ...                cost_per_contact=1.0, value_per_response=50.0, response_rate=0.1)[
    ...     ["mailings", "duplicate_mailings", "missed_persons", "total_cost"]].tolist()
    [3.0, 1.0, 1.0, 6.0]
    """
    for name, value in (
        ("cost_per_contact", cost_per_contact),
        ("value_per_response", value_per_response),
    ):
        if require_number(value, name) < 0:
            raise ValueError(f"{name}: expected a number >= 0, got {value!r}")
    rate = require_fraction(response_rate, "response_rate", low_inclusive=True)
    if isinstance(found, str) or not isinstance(found, Iterable):
        raise TypeError(f"found: expected a Series or list of labels, got {found!r}")
    if isinstance(truth, str) or not isinstance(truth, Iterable):
        raise TypeError(f"truth: expected a Series or list of labels, got {truth!r}")
    frame = pd.DataFrame({"found": list(found), "truth": list(truth)})
    if frame.empty or frame.isna().any().any():
        raise ValueError("found, truth: expected a label for every record, none missing")
    first = frame.drop_duplicates("found")  # the record each mailing is addressed from
    persons = frame["truth"].nunique()
    mailings = len(first)
    reached = first["truth"].nunique()
    duplicates, missed = mailings - reached, persons - reached
    wasted = duplicates * float(cost_per_contact)
    lost = missed * rate * float(value_per_response)
    return pd.Series(
        {
            "persons": persons,
            "mailings": mailings,
            "reached": reached,
            "duplicate_mailings": duplicates,
            "missed_persons": missed,
            "wasted_cost": wasted,
            "lost_value": lost,
            "total_cost": wasted + lost,
        },
        dtype=float,
    )
