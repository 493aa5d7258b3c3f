"""Market-basket analysis: frequent itemsets and association rules.

The chapter on association rules and the beer-and-diapers case rest on this module:

- :func:`baskets_from_lines` turns transaction lines (one row per product on an invoice) into
  baskets; everywhere else a plain list of item lists is accepted too.
- :func:`encode` gives the sparse one-hot matrix (baskets x items, never dense) and the item
  labels, for models that want it.
- :func:`frequent_itemsets` finds every itemset whose support reaches ``min_support``: the
  same itemsets and supports as ``mlxtend.frequent_patterns.apriori``, in a fixed row order.
- :func:`association_rules` derives the rules with support, confidence, lift, leverage and
  conviction, matching ``mlxtend.frequent_patterns.association_rules``.
- :func:`rules_with` and :func:`rules_by_context` filter rules by an item and compute rules
  per context value (weekday, time band, store).

How itemsets are found: item counts come from the sparse columns, pair counts from one
sparse matrix product ``X.T @ X``; longer itemsets are counted level by level (Apriori
candidate generation, pruned by the frequent pairs) with bitwise AND and popcount over packed
basket bitsets, in chunks of bounded memory. Only baskets that can still hold a longer
itemset are kept in the bitsets, so they shrink as the levels grow.

Choices on doubtful input, so results never depend on a silent guess:

- ``min_support`` is a fraction of baskets; a count such as 50 is refused with the fraction
  it corresponds to.
- An empty basket is refused: dropping it would silently change every support (support is a
  fraction of all baskets, as in mlxtend). Drop empty baskets yourself if that is meant.
- An item listed twice in one basket is counted once, with a warning (the usual cause is a
  product scanned on two lines). :func:`baskets_from_lines` dedupes without a warning,
  because repeated lines of one product on an invoice are normal there.
- Missing (None/NaN) and unhashable items are refused.
- Before counting beyond pairs, the number of frequent itemsets is estimated from the
  frequent items and pairs; above ``max_itemsets`` the call is refused with the estimate and
  a suggested ``min_support``. The count is also capped while mining.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Hashable, Iterable, Sequence
from itertools import chain, combinations
from math import ceil, comb
from numbers import Real

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .validation import require_columns, require_fraction, require_frame, require_positive_int

__all__ = [
    "baskets_from_lines",
    "encode",
    "frequent_itemsets",
    "association_rules",
    "rules_with",
    "rules_by_context",
]

SEPARATOR = " + "
"""Joins the items of an itemset in the display columns ("beer + diapers")."""

RULE_METRICS = ("support", "confidence", "lift", "leverage", "conviction")
RULE_COLUMNS = [
    "antecedents",
    "consequents",
    "antecedent_items",
    "consequent_items",
    "rule",
    "antecedent support",
    "consequent support",
    "support",
    "confidence",
    "lift",
    "leverage",
    "conviction",
]
ITEMSET_COLUMNS = ["itemsets", "items", "length", "support", "count"]

# Bytes of packed bitsets handled per numpy call while counting candidates: large enough to
# amortise call overhead, small enough to keep peak memory low.
_CHUNK_BYTES = 8 * 2**20
# Candidates generated per block before the pair filter (bounds index arrays).
_CHUNK_CANDIDATES = 2**20


# --------------------------------------------------------------------------------------------
# Baskets
# --------------------------------------------------------------------------------------------


def baskets_from_lines(tx: pd.DataFrame, *, invoice: str, item: str) -> pd.Series:
    """Group transaction lines into baskets, one per invoice.

    Parameters
    ----------
    tx : DataFrame
        Transaction lines, one row per product on an invoice.
    invoice : str
        Column identifying the basket (invoice, receipt or order number).
    item : str
        Column identifying the product (code or description).

    Returns
    -------
    Series
        Indexed by invoice in order of first appearance, named ``items``; each value is the
        list of distinct items of that invoice in order of first appearance. A product on
        several lines of one invoice is one item of the basket (no warning: that is normal
        in line data).

    Raises
    ------
    ValueError
        If ``invoice`` or ``item`` has missing values.

    Examples
    --------
    >>> tx = pd.DataFrame({"invoice": [1, 1, 2, 2, 2],
    ...                    "product": ["beer", "diapers", "beer", "chips", "beer"]})
    >>> baskets_from_lines(tx, invoice="invoice", item="product").tolist()
    [['beer', 'diapers'], ['beer', 'chips']]
    """
    require_frame(tx, "tx")
    require_columns(tx, [invoice, item], "tx")
    for column in (invoice, item):
        missing = int(tx[column].isna().sum())
        if missing:
            raise ValueError(
                f"column {column!r}: expected no missing values, found {missing:,}; "
                f"drop or fill them first, e.g. tx.dropna(subset=[{column!r}])"
            )
    basket_codes, invoices = pd.factorize(tx[invoice], sort=False)
    lines = pd.DataFrame({"basket": basket_codes, "item": tx[item].to_numpy(dtype=object)})
    lists = lines.drop_duplicates().groupby("basket", sort=True)["item"].agg(list)
    return pd.Series(
        lists.to_numpy(), index=pd.Index(invoices, name=invoice), name="items", dtype=object
    )


def encode(baskets: Sequence[Iterable[Hashable]]) -> tuple[sp.csr_array, pd.Index]:
    """One-hot encode baskets as a sparse boolean matrix (baskets x items).

    Parameters
    ----------
    baskets : list of item lists, or Series of item lists
        E.g. ``[["beer", "diapers"], ["beer"]]`` or the output of :func:`baskets_from_lines`.
        Items may be any hashable values (strings, numbers, tuples).

    Returns
    -------
    matrix : scipy.sparse.csr_array of bool, shape (n_baskets, n_items)
        ``matrix[b, j]`` is True when basket ``b`` holds item ``labels[j]``.
    labels : Index
        The item labels, sorted.

    Raises
    ------
    TypeError
        If ``baskets`` is not a collection of item collections, or an item is unhashable.
    ValueError
        If there are no baskets, a basket is empty or an item is missing (None/NaN).

    Warns
    -----
    UserWarning
        If a basket lists an item more than once (it is counted once).

    Examples
    --------
    >>> X, labels = encode([["beer", "diapers"], ["beer", "chips"]])
    >>> X.toarray()
    array([[ True, False,  True],
           [ True,  True, False]])
    >>> list(labels)
    ['beer', 'chips', 'diapers']
    """
    names, lists = _basket_lists(baskets)
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    empty = np.flatnonzero(lengths == 0)
    if len(empty):
        raise ValueError(
            f"baskets: expected every basket to hold at least one item, found {len(empty):,} "
            f"empty basket(s) ({_where(names, empty)}); support is a fraction of all "
            "baskets, so drop them deliberately, e.g. [b for b in baskets if len(b)]"
        )
    flat = np.fromiter(chain.from_iterable(lists), dtype=object, count=int(lengths.sum()))
    try:
        codes, labels = pd.factorize(flat, sort=True)
    except TypeError:
        raise _unhashable_error(names, lists) from None
    rows = np.repeat(np.arange(len(lists)), lengths)
    missing = codes < 0
    if missing.any():
        where = np.unique(rows[missing])
        raise ValueError(
            f"baskets: expected items, found a missing value (None/NaN) in {len(where):,} "
            f"basket(s) ({_where(names, where)}); remove missing items first"
        )
    counts = sp.coo_array(
        (np.ones(len(codes), dtype=np.int32), (rows, codes)), shape=(len(lists), len(labels))
    ).tocsr()
    counts.sum_duplicates()
    if counts.nnz < len(codes):
        repeated = np.repeat(np.arange(len(lists)), np.diff(counts.indptr))[counts.data > 1]
        first = int(np.flatnonzero(counts.data > 1)[0])
        warnings.warn(
            f"baskets: {len(np.unique(repeated)):,} basket(s) list an item more than once "
            f"(e.g. {labels[counts.indices[first]]!r} in {_where(names, repeated[:1])}); "
            "each item is counted once per basket",
            UserWarning,
            stacklevel=_stacklevel(),
        )
    matrix = sp.csr_array(
        (np.ones(counts.nnz, dtype=bool), counts.indices, counts.indptr), shape=counts.shape
    )
    return matrix, pd.Index(labels, name="item")


def _basket_lists(baskets: object) -> tuple[pd.Index | None, list]:
    """Return (index labels or None, list of baskets as lists/tuples), refusing bad shapes."""
    if isinstance(baskets, pd.DataFrame):
        raise TypeError(
            "baskets: expected a list of item lists, got a DataFrame; for transaction lines "
            "use baskets_from_lines(tx, invoice=..., item=...) first"
        )
    if isinstance(baskets, str | bytes | dict) or not isinstance(baskets, Iterable):
        raise TypeError(
            "baskets: expected a list of item lists such as [['beer', 'diapers'], ['beer']], "
            f"got {type(baskets).__name__}"
        )
    names = baskets.index if isinstance(baskets, pd.Series) else None
    lists = [b if isinstance(b, list | tuple) else _as_list(b, i, names) for i, b in
             enumerate(baskets)]  # fmt: skip
    if not lists:
        raise ValueError("baskets: expected at least one basket, got none")
    return names, lists


def _as_list(basket: object, position: int, names: pd.Index | None) -> list:
    if isinstance(basket, str | bytes) or not isinstance(basket, Iterable):
        raise TypeError(
            f"baskets: expected each basket to be a list of items, but "
            f"{_where(names, [position])} is {type(basket).__name__} {basket!r}; "
            "e.g. write ['beer'] rather than 'beer'"
        )
    return list(basket)


def _unhashable_error(names: pd.Index | None, lists: list) -> TypeError:
    for position, basket in enumerate(lists):
        for value in basket:
            if not isinstance(value, Hashable):
                return TypeError(
                    f"baskets: expected hashable items (strings, numbers, tuples), but "
                    f"{_where(names, [position])} holds {value!r} of type "
                    f"{type(value).__name__}"
                )
    return TypeError("baskets: expected hashable items (strings, numbers, tuples)")


def _where(names: pd.Index | None, positions: Sequence[int]) -> str:
    """Name baskets by index label (Series input) or position, for error messages."""
    shown = [names[p] if names is not None else p for p in positions[:5]]
    more = f", ... ({len(positions):,} in all)" if len(positions) > 5 else ""
    kind = "basket" if len(positions) == 1 else "baskets"
    return f"{kind} {', '.join(repr(s) for s in shown)}{more}"


def _stacklevel() -> int:
    """Point warnings at the caller of the public function."""
    import inspect

    frame, level = inspect.currentframe(), 1
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame, level = frame.f_back, level + 1
    return level


# --------------------------------------------------------------------------------------------
# Frequent itemsets
# --------------------------------------------------------------------------------------------


def frequent_itemsets(
    baskets: Sequence[Iterable[Hashable]],
    min_support: float,
    max_len: int | None = None,
    *,
    max_itemsets: int = 1_000_000,
) -> pd.DataFrame:
    """Find every itemset held by at least ``min_support`` of the baskets.

    Parameters
    ----------
    baskets : list of item lists, or Series of item lists
        See :func:`encode`.
    min_support : float in (0, 1]
        Minimum fraction of baskets holding the itemset (a fraction, not a count: 50 baskets
        out of 9,835 is ``min_support=50 / 9835``).
    max_len : int, optional
        Longest itemset to report; all lengths when None.
    max_itemsets : int, default 1,000,000
        Refuse (before counting beyond pairs, or as soon as the count passes it) when more
        itemsets than this would be found; the error gives an estimate and a suggested
        ``min_support``.

    Returns
    -------
    DataFrame
        One row per frequent itemset with columns ``itemsets`` (frozenset, as mlxtend),
        ``items`` (display text, items sorted, e.g. "beer + diapers"), ``length``,
        ``support`` (fraction of baskets) and ``count`` (number of baskets). Rows are sorted
        by support (descending), then length, then the sorted items, so the order does not
        depend on Python's hash seed.

    Raises
    ------
    ValueError
        If ``min_support`` is outside (0, 1] or the result would exceed ``max_itemsets``;
        see :func:`encode` for the checks on ``baskets``.

    Examples
    --------
    >>> baskets = [["beer", "diapers"], ["beer", "diapers", "chips"], ["beer"], ["milk"]]
    >>> frequent_itemsets(baskets, min_support=0.5)[["items", "support", "count"]]
               items  support  count
    0           beer     0.75      3
    1        diapers     0.50      2
    2  beer + diapers     0.50      2
    """
    min_support = _require_support(min_support, baskets)
    if max_len is not None:
        max_len = require_positive_int(max_len, "max_len")
    max_itemsets = require_positive_int(max_itemsets, "max_itemsets")
    matrix, labels = encode(baskets)
    n_baskets = matrix.shape[0]
    min_count = _min_count(min_support, n_baskets)
    levels = _mine(matrix, min_count, max_len, max_itemsets, min_support)
    if len(levels[0][1]) == 0:
        top = np.diff(matrix.tocsc().indptr).max() / n_baskets
        warnings.warn(
            f"min_support={min_support:g}: no item reaches it (the most frequent item is in "
            f"{top:.4g} of the baskets); the result is empty",
            UserWarning,
            stacklevel=_stacklevel(),
        )
    return _itemset_frame(levels, labels, n_baskets)


def _require_support(min_support: object, baskets: object) -> float:
    """``min_support`` as a fraction; a count gets a message with the matching fraction."""
    if isinstance(min_support, Real) and not isinstance(min_support, bool) and min_support > 1:
        n = len(baskets) if hasattr(baskets, "__len__") else None
        hint = (
            f"; {min_support:g} of your {n:,} baskets is min_support={min_support / n:.6g}"
            if n
            else ""
        )
        raise ValueError(
            f"min_support: expected a fraction of baskets in (0, 1], not a count, "
            f"got {min_support!r}{hint}"
        )
    return require_fraction(min_support, "min_support")


def _min_count(min_support: float, n_baskets: int) -> int:
    """Smallest count c with c / n >= min_support, computed as mlxtend compares supports."""
    count = max(1, ceil(min_support * n_baskets))
    while count > 1 and (count - 1) / n_baskets >= min_support:
        count -= 1
    while count / n_baskets < min_support:
        count += 1
    return count


def _mine(
    matrix: sp.csr_array,
    min_count: int,
    max_len: int | None,
    max_itemsets: int,
    min_support: float,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Frequent itemsets per length: [(item codes, shape (m, k), counts (m,)), ...].

    Rows of each level are in lexicographic order of their item codes.
    """
    columns = matrix.tocsc()
    item_counts = np.diff(columns.indptr)
    frequent = np.flatnonzero(item_counts >= min_count)
    levels = [(frequent[:, None], item_counts[frequent])]
    if max_len == 1 or len(frequent) < 2:
        return levels

    # Pairs: one sparse product over the frequent columns (items renumbered 0..f-1 below).
    onehot = columns[:, frequent].astype(np.int32)
    pair_counts = sp.triu(onehot.T @ onehot, k=1).tocoo()
    keep = pair_counts.data >= min_count
    order = np.lexsort((pair_counts.col[keep], pair_counts.row[keep]))
    pairs = np.column_stack([pair_counts.row[keep], pair_counts.col[keep]])[order]
    levels.append((frequent[pairs], pair_counts.data[keep][order].astype(np.int64)))
    _check_estimate(onehot.tocsr(), pairs, min_count, max_len, max_itemsets, min_support)

    n_frequent = len(frequent)
    pair_keys = pairs[:, 0].astype(np.int64) * n_frequent + pairs[:, 1]  # sorted
    basket_rows = onehot.tocsr()
    total = sum(len(counts) for _, counts in levels)
    level, k = pairs, 2
    bitsets = _Bitsets(basket_rows, n_frequent)
    while len(level) > 1 and (max_len is None or k < max_len):
        bitsets.restrict(np.unique(level), min_items=k + 1)
        parents, extensions, counts = [], [], []
        for parent, extension in _candidates(level, pair_keys, n_frequent):
            count = bitsets.count(level[parent], extension)
            ok = count >= min_count
            parents.append(parent[ok])
            extensions.append(extension[ok])
            counts.append(count[ok])
        parent, extension = np.concatenate(parents), np.concatenate(extensions)
        level = np.column_stack([level[parent], extension])
        total += len(level)
        if total > max_itemsets:
            raise _explosion_error(f"more than {max_itemsets:,}", max_itemsets, min_support)
        if len(level) == 0:
            break
        levels.append((frequent[level], np.concatenate(counts)))
        k += 1
    return levels


def _candidates(level: np.ndarray, pair_keys: np.ndarray, n_items: int):
    """Yield (parent rows, extension items) blocks of the next level's candidates.

    Apriori join: two itemsets of ``level`` that share all but their last item give a
    candidate; it is kept only if its two last items form a frequent pair.
    """
    m = len(level)
    new_group = np.ones(m, dtype=bool)
    new_group[1:] = np.any(level[1:, :-1] != level[:-1, :-1], axis=1)
    starts = np.flatnonzero(new_group)
    group_end = np.repeat(np.append(starts[1:], m), np.diff(np.append(starts, m)))
    n_later = group_end - np.arange(m) - 1  # later siblings of each row
    ends = np.cumsum(n_later)
    cuts = np.searchsorted(ends, np.arange(_CHUNK_CANDIDATES, ends[-1], _CHUNK_CANDIDATES))
    for lo, hi in zip(np.r_[0, cuts + 1], np.r_[cuts + 1, m], strict=True):
        sizes = n_later[lo:hi]
        parent = np.repeat(np.arange(lo, hi), sizes)
        if len(parent) == 0:
            continue
        offset = np.arange(len(parent)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        extension = level[parent + 1 + offset, -1]
        keys = level[parent, -1].astype(np.int64) * n_items + extension
        at = np.minimum(np.searchsorted(pair_keys, keys), len(pair_keys) - 1)
        ok = pair_keys[at] == keys
        yield parent[ok], extension[ok]


class _Bitsets:
    """Packed bitsets of the baskets holding each item: ``bits[item, word]``.

    Only baskets that can hold a candidate (at least ``min_items`` of the still-relevant
    items) are kept, and the bitsets are rebuilt when that halves their number.
    """

    def __init__(self, rows: sp.csr_array, n_items: int) -> None:
        self.rows = rows
        self.n_items = n_items
        self.row_of_entry = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr))
        self.n_kept = None
        self.bits = np.zeros((n_items, 0), dtype=np.uint64)

    def restrict(self, items: np.ndarray, min_items: int) -> None:
        relevant = np.zeros(self.n_items, dtype=bool)
        relevant[items] = True
        entries = relevant[self.rows.indices]
        per_row = np.bincount(self.row_of_entry[entries], minlength=self.rows.shape[0])
        kept = per_row >= min_items
        n_kept = int(kept.sum())
        if self.n_kept is not None and n_kept > self.n_kept // 2:
            return
        self.n_kept = n_kept
        position = np.cumsum(kept) - 1  # new bit position of each kept basket
        entries &= kept[self.row_of_entry]
        row = position[self.row_of_entry[entries]]
        item = self.rows.indices[entries].astype(np.int64)
        words = max(1, (n_kept + 63) // 64)
        self.bits = np.zeros((self.n_items, words), dtype=np.uint64)
        np.bitwise_or.at(
            self.bits.reshape(-1),
            item * words + (row >> 6),
            np.left_shift(np.uint64(1), (row & 63).astype(np.uint64)),
        )

    def count(self, prefixes: np.ndarray, extensions: np.ndarray) -> np.ndarray:
        """Baskets holding each ``prefixes[i]`` together with ``extensions[i]``."""
        out = np.empty(len(extensions), dtype=np.int64)
        step = max(1, _CHUNK_BYTES // (8 * self.bits.shape[1]))
        for lo in range(0, len(extensions), step):
            block = prefixes[lo : lo + step]
            # Rows of one parent are adjacent: AND each distinct prefix once.
            first = np.ones(len(block), dtype=bool)
            first[1:] = np.any(block[1:] != block[:-1], axis=1)
            unique = block[first]
            acc = self.bits[unique[:, 0]]
            for j in range(1, unique.shape[1]):
                acc &= self.bits[unique[:, j]]
            acc = acc[np.cumsum(first) - 1]
            acc &= self.bits[extensions[lo : lo + step]]
            out[lo : lo + step] = np.bitwise_count(acc).sum(axis=1)
        return out


def _estimate(
    basket_rows: sp.csr_array, pairs: np.ndarray, min_count: int, max_len: int | None
) -> float:
    """Upper-bound estimate of the number of frequent itemsets, from items and pairs.

    For each length k >= 3 the count is bounded two ways and the smaller bound is used:
    every frequent k-itemset lies in at least ``min_count`` baskets, so there are at most
    sum_b C(n_b, k) / min_count of them (n_b = items of basket b that are in a frequent
    pair); and each is a set of mutually frequent pairs, so at most sum_i C(d_i, k - 1) of
    them (d_i = frequent partners of item i that sort after it).
    """
    n_items = basket_rows.shape[1]
    in_pair = np.zeros(n_items, dtype=bool)
    in_pair[pairs.ravel()] = True
    per_basket = np.bincount(
        np.repeat(np.arange(basket_rows.shape[0]), np.diff(basket_rows.indptr))[
            in_pair[basket_rows.indices]
        ],
        minlength=basket_rows.shape[0],
    )
    sizes, baskets = np.unique(per_basket, return_counts=True)
    degrees, items = np.unique(np.bincount(pairs[:, 0], minlength=n_items), return_counts=True)
    longest = min(int(sizes.max()), int(degrees.max()) + 1, max_len or np.inf)
    estimate = float(in_pair.sum() + len(pairs))
    for k in range(3, longest + 1):
        by_baskets = sum(int(b) * comb(int(s), k) for s, b in zip(sizes, baskets)) / min_count
        by_pairs = sum(int(i) * comb(int(d), k - 1) for d, i in zip(degrees, items))
        estimate += min(by_baskets, by_pairs)
        if estimate > 1e18:
            break
    return estimate


def _check_estimate(basket_rows, pairs, min_count, max_len, max_itemsets, min_support):
    estimate = _estimate(basket_rows, pairs, min_count, max_len)
    if estimate > max_itemsets:
        raise _explosion_error(
            f"about {estimate:,.0f} (an upper-bound estimate from the frequent items and "
            "pairs)",
            max_itemsets,
            min_support,
            basket_rows,
            pairs,
            min_count,
            max_len,
        )


def _explosion_error(found, max_itemsets, min_support, *estimate_args) -> ValueError:
    suggestion = ""
    if estimate_args:
        suggestion = f"; min_support={_suggest_support(max_itemsets, *estimate_args):.4g} " + (
            "keeps the estimate under the cap"
        )
    else:
        suggestion = f"; try a higher min_support, e.g. {min(1.0, 2 * min_support):.4g}"
    return ValueError(
        f"min_support={min_support:g} would give {found} frequent itemsets, over "
        f"max_itemsets={max_itemsets:,}{suggestion}, or raise max_itemsets, or set max_len"
    )


def _suggest_support(max_itemsets, basket_rows, pairs, min_count, max_len) -> float:
    """Smallest support (as count / n) whose estimate fits ``max_itemsets``."""
    n_baskets = basket_rows.shape[0]
    columns = basket_rows.tocsc()
    low, high = min_count, n_baskets + 1
    while high - low > max(1, low // 20):  # 5% resolution is plenty for a suggestion
        count = (low + high) // 2
        items = np.flatnonzero(np.diff(columns.indptr) >= count)
        sub = columns[:, items]
        co = sp.triu(sub.T @ sub, k=1).tocoo()
        keep = co.data >= count
        sub_pairs = np.column_stack([co.row[keep], co.col[keep]])
        if _estimate(sub.tocsr(), sub_pairs, count, max_len) > max_itemsets:
            low = count
        else:
            high = count
    return high / n_baskets


def _itemset_frame(levels, labels: pd.Index, n_baskets: int) -> pd.DataFrame:
    """Build the itemsets frame and sort it: support desc, length, sorted items."""
    width = len(levels)
    codes = np.full((sum(len(c) for _, c in levels), width), -1, dtype=np.int64)
    counts = np.concatenate([c for _, c in levels]).astype(np.int64)
    lengths = np.concatenate([np.full(len(c), k + 1) for k, (_, c) in enumerate(levels)])
    itemsets, items, start = [], [], 0
    values = labels.to_numpy(dtype=object)
    text = np.array([str(v) for v in values], dtype=object)
    for level_codes, level_counts in levels:
        codes[start : start + len(level_counts), : level_codes.shape[1]] = level_codes
        start += len(level_counts)
        itemsets.extend(map(frozenset, values[level_codes].tolist()))
        items.extend(map(SEPARATOR.join, text[level_codes].tolist()))
    order = np.lexsort([codes[:, j] for j in reversed(range(width))] + [lengths, -counts])
    frame = pd.DataFrame(
        {
            "itemsets": pd.Series(itemsets, dtype=object),
            "items": pd.Series(items, dtype="str"),
            "length": lengths,
            "support": counts / n_baskets,
            "count": counts,
        }
    )
    return frame.iloc[order].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Association rules
# --------------------------------------------------------------------------------------------


def association_rules(
    itemsets: pd.DataFrame, metric: str = "lift", min_threshold: float = 1.0
) -> pd.DataFrame:
    """Derive association rules A -> C from frequent itemsets.

    Every frequent itemset of two or more items is split into an antecedent A and a
    consequent C in every way; a rule is kept when its ``metric`` is at least
    ``min_threshold``. Values match ``mlxtend.frequent_patterns.association_rules``.

    Parameters
    ----------
    itemsets : DataFrame
        Output of :func:`frequent_itemsets` (or mlxtend's), with columns ``itemsets``
        and ``support``, including every subset of each itemset.
    metric : {"lift", "confidence", "support", "leverage", "conviction"}
        Metric compared with ``min_threshold``.
    min_threshold : float, default 1.0
        Smallest value of ``metric`` to keep a rule.

    Returns
    -------
    DataFrame
        Columns ``antecedents`` and ``consequents`` (frozensets), display columns
        ``antecedent_items``, ``consequent_items`` and ``rule`` ("beer -> diapers"), then
        ``antecedent support``, ``consequent support``, ``support`` = s(A and C),
        ``confidence`` = s(A and C) / s(A), ``lift`` = confidence / s(C),
        ``leverage`` = s(A and C) - s(A) s(C) and
        ``conviction`` = (1 - s(C)) / (1 - confidence) (infinite when confidence is 1).
        Rows are sorted by ``metric`` (descending), then support (descending), then the
        sorted items of antecedent and consequent.

    Raises
    ------
    ValueError
        If ``metric`` is unknown or a subset's support is missing from ``itemsets``.

    Examples
    --------
    >>> baskets = [["beer", "diapers"], ["beer", "diapers", "chips"], ["beer"], ["milk"]]
    >>> rules = association_rules(frequent_itemsets(baskets, 0.5), min_threshold=1.0)
    >>> rules[["rule", "support", "confidence", "lift"]]
                  rule  support  confidence      lift
    0  beer -> diapers      0.5    0.666667  1.333333
    1  diapers -> beer      0.5    1.000000  1.333333
    """
    require_frame(itemsets, "itemsets", allow_empty=True)
    require_columns(itemsets, ["itemsets", "support"], "itemsets")
    if metric not in RULE_METRICS:
        raise ValueError(f"metric: expected one of {', '.join(RULE_METRICS)}, got {metric!r}")
    if isinstance(min_threshold, bool) or not isinstance(min_threshold, Real):
        raise TypeError(f"min_threshold: expected a number, got {min_threshold!r}")

    sets = [frozenset(s) for s in itemsets["itemsets"]]
    support = dict(zip(sets, itemsets["support"].to_numpy(dtype=float), strict=True))
    rank = _item_ranks(sets)
    antecedents, consequents, s_ac, s_a, s_c = [], [], [], [], []
    for itemset, s in support.items():
        ordered = sorted(itemset, key=rank.__getitem__)
        for size in range(len(ordered) - 1, 0, -1):
            for left in combinations(ordered, size):
                a = frozenset(left)
                c = itemset - a
                if a not in support or c not in support:
                    missing = sorted(a if a not in support else c, key=rank.__getitem__)
                    raise ValueError(
                        f"itemsets: expected the support of every subset of each itemset, "
                        f"but {_display(missing)} (a subset of {_display(ordered)}) is "
                        "missing; pass the full output of frequent_itemsets, not a filtered "
                        "part"
                    )
                antecedents.append(a)
                consequents.append(c)
                s_ac.append(s)
                s_a.append(support[a])
                s_c.append(support[c])

    s_ac, s_a, s_c = (np.asarray(v, dtype=float) for v in (s_ac, s_a, s_c))
    # Same operations, in the same order, as mlxtend, so thresholds cut identically.
    confidence = s_ac / s_a
    lift = confidence / s_c
    leverage = s_ac - s_a * s_c
    conviction = np.full(len(s_ac), np.inf)
    below = confidence < 1.0
    conviction[below] = (1.0 - s_c[below]) / (1.0 - confidence[below])
    values = {
        "antecedent support": s_a,
        "consequent support": s_c,
        "support": s_ac,
        "confidence": confidence,
        "lift": lift,
        "leverage": leverage,
        "conviction": conviction,
    }
    keep = np.flatnonzero(values[metric] >= min_threshold)

    def key(i: int) -> tuple:
        return (
            -values[metric][i],
            -s_ac[i],
            _sort_key(antecedents[i], rank),
            _sort_key(consequents[i], rank),
        )

    order = sorted(keep.tolist(), key=key)
    left_text = [_display(sorted(antecedents[i], key=rank.__getitem__)) for i in order]
    right_text = [_display(sorted(consequents[i], key=rank.__getitem__)) for i in order]
    frame = pd.DataFrame(
        {
            "antecedents": pd.Series([antecedents[i] for i in order], dtype=object),
            "consequents": pd.Series([consequents[i] for i in order], dtype=object),
            "antecedent_items": pd.Series(left_text, dtype="str"),
            "consequent_items": pd.Series(right_text, dtype="str"),
            "rule": pd.Series(
                [f"{a} -> {c}" for a, c in zip(left_text, right_text, strict=True)],
                dtype="str",
            ),
            **{name: column[order] for name, column in values.items()},
        }
    )
    return frame[RULE_COLUMNS]


def _item_ranks(sets: Iterable[frozenset]) -> dict:
    """Rank of every item in sorted order (numbers before text if mixed), for stable sorts."""
    items = np.fromiter(set().union(*sets), dtype=object) if sets else np.array([], object)
    _, labels = pd.factorize(items, sort=True)
    return {label: i for i, label in enumerate(labels)}


def _sort_key(itemset: frozenset, rank: dict) -> tuple:
    return (len(itemset), sorted(rank[i] for i in itemset))


def _display(items: Iterable) -> str:
    return SEPARATOR.join(str(i) for i in items)


# --------------------------------------------------------------------------------------------
# Working with rules
# --------------------------------------------------------------------------------------------


def rules_with(rules: pd.DataFrame, item: Hashable, side: str = "any") -> pd.DataFrame:
    """Keep the rules that contain ``item``.

    Parameters
    ----------
    rules : DataFrame
        Output of :func:`association_rules` (or mlxtend's): columns ``antecedents`` and
        ``consequents`` of frozensets.
    item : hashable
        The item to look for, e.g. "diapers".
    side : {"any", "antecedent", "consequent"}
        Where the item must appear.

    Returns
    -------
    DataFrame
        The matching rules in their original order, index reset.

    Warns
    -----
    UserWarning
        If ``item`` is in no rule at all (usually a typo); similar item names are suggested.

    Examples
    --------
    >>> baskets = [["beer", "diapers"], ["beer", "diapers", "chips"], ["beer"], ["milk"]]
    >>> rules = association_rules(frequent_itemsets(baskets, 0.5))
    >>> rules_with(rules, "diapers", side="consequent")["rule"].tolist()
    ['beer -> diapers']
    """
    require_frame(rules, "rules", allow_empty=True)
    require_columns(rules, ["antecedents", "consequents"], "rules")
    sides = ("any", "antecedent", "consequent")
    if side not in sides:
        raise ValueError(f"side: expected one of {', '.join(sides)}, got {side!r}")
    if not isinstance(item, Hashable):
        raise TypeError(
            f"item: expected one hashable item such as 'beer', got {type(item).__name__}"
        )
    in_left = np.fromiter((item in s for s in rules["antecedents"]), bool, len(rules))
    in_right = np.fromiter((item in s for s in rules["consequents"]), bool, len(rules))
    if len(rules) and not (in_left | in_right).any():
        known = sorted({str(i) for s in rules["antecedents"] for i in s})
        close = difflib.get_close_matches(str(item), known, n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        warnings.warn(
            f"item: {item!r} appears in no rule{hint}", UserWarning, stacklevel=_stacklevel()
        )
    mask = {"any": in_left | in_right, "antecedent": in_left, "consequent": in_right}[side]
    return rules[mask].reset_index(drop=True)


def rules_by_context(
    data: pd.DataFrame | Sequence[Iterable[Hashable]],
    context: str | Sequence[Hashable],
    *,
    min_support: float,
    invoice: str | None = None,
    item: str | None = None,
    max_len: int | None = None,
    metric: str = "lift",
    min_threshold: float = 1.0,
    max_itemsets: int = 1_000_000,
) -> pd.DataFrame:
    """Association rules computed separately within each context (weekday, time band, ...).

    Beer and diapers go together mainly on weekday evenings: rules over all baskets can hide
    such a pattern, rules per context show it. ``min_support`` is a fraction of the baskets
    *of each context*.

    Parameters
    ----------
    data : DataFrame of transaction lines, or list/Series of item lists
        Lines need ``invoice``, ``item`` and the ``context`` column; every line of an invoice
        must share one context value.
    context : str or sequence
        For lines, the name of the context column; for baskets, one value per basket.
    min_support, max_len, max_itemsets
        As in :func:`frequent_itemsets`, applied within each context.
    invoice, item : str
        Column names, required when ``data`` holds lines.
    metric, min_threshold
        As in :func:`association_rules`.

    Returns
    -------
    DataFrame
        The context column (named ``context`` for baskets, else after the column), the
        number of ``baskets`` in that context, then the columns of
        :func:`association_rules`. Contexts come in sorted (or categorical) order; rules
        within a context in the order of :func:`association_rules`.

    Raises
    ------
    ValueError
        If context values are missing, do not match the baskets, or change within an
        invoice; plus the checks of the functions above.

    Examples
    --------
    >>> baskets = [["beer", "diapers"], ["beer", "diapers"], ["beer"], ["diapers"],
    ...            ["beer", "milk"], ["diapers", "milk"], ["beer"], ["milk"]]
    >>> when = ["evening"] * 4 + ["morning"] * 4
    >>> by = rules_by_context(baskets, when, min_support=0.25, metric="lift")
    >>> by[["context", "baskets", "rule", "lift"]]
       context  baskets             rule      lift
    0  evening        4  beer -> diapers  1.333333
    1  evening        4  diapers -> beer  1.333333
    """
    if isinstance(data, pd.DataFrame):
        groups, name = _line_contexts(data, context, invoice, item)
    else:
        groups, name = _basket_contexts(data, context)
    frames = []
    for value, baskets in groups:
        found = frequent_itemsets(baskets, min_support, max_len, max_itemsets=max_itemsets)
        rules = association_rules(found, metric=metric, min_threshold=min_threshold)
        rules.insert(0, "baskets", len(baskets))
        rules.insert(0, name, [value] * len(rules))
        frames.append(rules)
    empty = pd.DataFrame(columns=[name, "baskets", *RULE_COLUMNS])
    out = pd.concat([empty, *frames], ignore_index=True) if frames else empty
    return out.astype({"baskets": np.int64}) if len(out) else out


def _line_contexts(tx, context, invoice, item):
    if invoice is None or item is None:
        raise TypeError(
            "invoice, item: expected the names of the invoice and item columns when data "
            "holds transaction lines, e.g. invoice='InvoiceNo', item='StockCode'"
        )
    if not isinstance(context, str):
        raise TypeError(
            f"context: expected a column name of data, got {type(context).__name__}"
        )
    require_frame(tx, "data")
    require_columns(tx, [invoice, item, context], "data")
    _require_no_missing(tx[context], f"column {context!r}")
    spans = tx.groupby(invoice, sort=False)[context].nunique()
    mixed = spans[spans > 1]
    if len(mixed):
        example = mixed.index[0]
        seen = tx.loc[tx[invoice] == example, context].unique().tolist()
        raise ValueError(
            f"column {context!r}: expected one value per invoice, but {len(mixed):,} "
            f"invoice(s) have several (e.g. {example!r}: {seen}); derive the context from "
            "the invoice (e.g. its first timestamp)"
        )
    groups = [
        (value, baskets_from_lines(part, invoice=invoice, item=item))
        for value, part in _grouped(tx, tx[context])
    ]
    return groups, context


def _basket_contexts(baskets, context):
    if isinstance(context, str) or not isinstance(context, Iterable):
        raise TypeError(
            "context: for baskets pass one context value per basket (a list or Series), "
            f"got {context!r}; a column name works only when data is a DataFrame of lines"
        )
    names, lists = _basket_lists(baskets)
    values = pd.Series(
        context.to_numpy() if isinstance(context, pd.Series | pd.Index) else list(context)
    )
    if len(values) != len(lists):
        raise ValueError(
            f"context: expected one value per basket ({len(lists):,}), got {len(values):,}"
        )
    _require_no_missing(values, "context")
    frame = pd.DataFrame({"basket": pd.Series(lists, dtype=object)})
    return [(value, part["basket"].tolist()) for value, part in _grouped(frame, values)], (
        "context"
    )


def _grouped(frame: pd.DataFrame, by: pd.Series):
    """Group in sorted (or categorical) order; in order of appearance if values mix types."""
    by = pd.Series(by.to_numpy() if not isinstance(by.dtype, pd.CategoricalDtype) else by)
    by.index = frame.index
    try:
        return list(frame.groupby(by, sort=True, observed=True))
    except TypeError:
        return list(frame.groupby(by, sort=False, observed=True))


def _require_no_missing(values: pd.Series, name: str) -> None:
    missing = int(values.isna().sum())
    if missing:
        raise ValueError(
            f"{name}: expected a context value for every basket, found {missing:,} missing"
        )
