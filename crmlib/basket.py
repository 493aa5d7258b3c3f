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
- :func:`binding_threshold` says which of ``min_support``, ``min_confidence`` and
  ``min_lift`` keeps every rule out (and a value to try); :func:`rule_thresholds` which
  thresholds one rule misses.
- :func:`rule_counts` gives the counts behind one rule's support, confidence and lift, per
  context and without a support threshold; :func:`cross_sell_whatif` turns the rule into the
  expected effect of a placement or a discounted bundle (extra units, discount given away,
  net margin, break-even take-up and break-even price discount), and
  :func:`cross_sell_decision` into the facts that decide between the two.

How itemsets are found: the items are coded once (their labels sorted), and a compiled
depth-first miner (``crmlib._itemset_kernels``, numba) counts every extension of an itemset
in one pass over its projected database, the baskets holding it cut down to their items
ranked after its last; items are ranked rarest first, so those databases stay small. The
machine code is compiled on the first call (a few seconds) and cached for later sessions.

Choices on doubtful input, so results never depend on a silent guess:

- ``min_support`` is a fraction of baskets; a count such as 50 is refused with the fraction
  it corresponds to.
- An empty basket is refused: dropping it would silently change every support (support is a
  fraction of all baskets, as in mlxtend). Drop empty baskets yourself if that is meant.
- An item listed twice in one basket is counted once, with a warning (the usual cause is a
  product scanned on two lines). :func:`baskets_from_lines` dedupes without a warning,
  because repeated lines of one product on an invoice are normal there.
- Missing (None/NaN) and unhashable items are refused.
- A support so low that the result would explode is refused, with an estimate and a
  suggested ``min_support``, before memory runs out: the miner stops as soon as it has
  found more than ``max_itemsets``; the estimate then comes length by length (exact up to
  a length, extrapolated beyond), and the suggested support is checked to fit the cap. The
  estimate cannot come from items and pairs alone: on Groceries the itemsets a pair graph
  allows outnumber the frequent ones 10,000 to 1 at ``min_support=0.001``.
"""

from __future__ import annotations

import difflib
import gc
import inspect
import warnings
from collections.abc import Hashable, Iterable, Sequence
from contextlib import contextmanager
from itertools import chain, combinations
from math import ceil, floor, log10
from numbers import Real
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import _itemset_kernels as _kernels
from .validation import (
    require_columns,
    require_fraction,
    require_frame,
    require_ids,
    require_number,
    require_positive_int,
)

__all__ = [
    "baskets_from_lines",
    "encode",
    "frequent_itemsets",
    "association_rules",
    "rules_with",
    "rules_by_context",
    "BindingThreshold",
    "binding_threshold",
    "rule_thresholds",
    "rule_counts",
    "cross_sell_whatif",
    "CrossSellDecision",
    "cross_sell_decision",
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
    require_ids(tx[invoice], invoice)  # invoice 1 and '1' would be two baskets
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
    matrix, labels = _encode(baskets)
    return matrix.tocsr(), labels


def _encode(baskets: object) -> tuple[sp.csc_array, pd.Index]:
    """:func:`encode` as a CSC matrix (item columns, rows ascending in each)."""
    indptr, codes, labels = _encode_rows(baskets)
    shape = (len(indptr) - 1, len(labels))
    rows = sp.csr_array((np.ones(len(codes), dtype=bool), codes, indptr), shape=shape)
    return rows.tocsc(), labels


def _encode_rows(baskets: object) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Baskets as rows of item codes: ``codes[indptr[b]:indptr[b + 1]]`` are the distinct
    items of basket ``b`` (codes into the sorted ``labels``), in the basket's order."""
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
        # Factorize in order of appearance, then sort only the distinct labels: the same
        # codes as sort=True (numbers before text if mixed) for less work.
        codes, labels = pd.factorize(flat, sort=False)
    except TypeError:
        raise _unhashable_error(names, lists) from None
    missing = codes < 0
    if missing.any():
        where = np.unique(np.repeat(np.arange(len(lists)), lengths)[missing])
        raise ValueError(
            f"baskets: expected items, found a missing value (None/NaN) in {len(where):,} "
            f"basket(s) ({_where(names, where)}); remove missing items first"
        )
    rank, labels = pd.factorize(labels, sort=True)
    codes = rank.astype(np.int32)[codes]  # int32: half the memory of the intp codes
    indptr = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    repeated = _kernels.repeated_items(indptr, codes, len(labels))
    if repeated.any():
        at = np.flatnonzero(repeated)
        basket_of = np.searchsorted(indptr, at, side="right") - 1
        where = np.unique(basket_of)
        warnings.warn(
            f"baskets: {len(where):,} basket(s) list an item more than once (e.g. "
            f"{labels[codes[at[0]]]!r} in {_where(names, basket_of[:1])}); each "
            "item is counted once per basket",
            UserWarning,
            stacklevel=_stacklevel(),
        )
        codes = codes[~repeated]
        np.cumsum(lengths - np.bincount(basket_of, minlength=len(lists)), out=indptr[1:])
    return indptr, codes, pd.Index(labels, name="item")


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
    lists = baskets.tolist() if isinstance(baskets, pd.Series) else list(baskets)
    if not set(map(type, lists)) <= {list, tuple}:  # fast path for the usual input
        lists = [
            b if isinstance(b, list | tuple) else _as_list(b, i, names) for i, b in enumerate(lists)
        ]
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
    shown = [v.item() if isinstance(v, np.generic) else v for v in shown]
    more = f", ... ({len(positions):,} in all)" if len(positions) > 5 else ""
    kind = "basket" if len(positions) == 1 else "baskets"
    return f"{kind} {', '.join(repr(s) for s in shown)}{more}"


def _stacklevel() -> int:
    """Point warnings at the caller of the public function."""
    frame, level = inspect.currentframe(), 0
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
        Refuse, before memory runs out, when more itemsets than this would be found: mining
        stops once the count passes it, and the error gives an estimate of the total (exact
        up to some length, extrapolated beyond) and a ``min_support`` that stays within it.

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
    0            beer     0.75      3
    1         diapers     0.50      2
    2  beer + diapers     0.50      2
    """
    min_support = _require_support(min_support, baskets)
    if max_len is not None:
        max_len = require_positive_int(max_len, "max_len")
    max_itemsets = require_positive_int(max_itemsets, "max_itemsets")
    indptr, codes, labels = _encode_rows(baskets)
    n_baskets = len(indptr) - 1
    min_count = _min_count(min_support, n_baskets)
    longest = int(np.diff(indptr).max())  # items in the largest basket
    guard = _Guard(max_itemsets, min_support, n_baskets, min(longest, max_len or longest))
    found = guard.mine(indptr, codes, len(labels), min_count)
    if not len(found.count):
        top = np.bincount(codes, minlength=len(labels)).max() / n_baskets
        warnings.warn(
            f"min_support={min_support:g}: no item reaches it (the most frequent item is in "
            f"{top:.4g} of the baskets); the result is empty",
            UserWarning,
            stacklevel=_stacklevel(),
        )
    return _itemset_frame(found, labels, n_baskets)


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


class _Found(NamedTuple):
    """Itemsets found by the miner, one element per itemset: itemset ``i`` is itemset
    ``parent[i]`` (-1 for none) plus item code ``item[i]``, of ``length[i]`` items, held by
    ``count[i]`` baskets."""

    parent: np.ndarray
    item: np.ndarray
    count: np.ndarray
    length: np.ndarray

    @classmethod
    def from_kernel(cls, found: np.ndarray) -> _Found:
        k = _kernels
        columns = (k.PARENT, k.ITEM, k.COUNT, k.LENGTH)
        return cls(*(np.ascontiguousarray(found[:, c]) for c in columns))

    def counts_by_length(self) -> list[np.ndarray]:
        """Basket counts of the itemsets of each length 1, 2, ... up to the longest."""
        order = np.argsort(self.length, kind="stable")
        longest = int(self.length.max(initial=0))
        ends = np.searchsorted(self.length[order], np.arange(1, longest + 1), "right")
        return np.split(self.count[order], ends[:-1])


class _Guard:
    """Mine at most ``max_itemsets`` itemsets; refuse a larger result with an estimate and a
    suggested ``min_support`` that is checked to work.

    The miner stops as soon as it has found more than ``max_itemsets``, so memory stays
    bounded. Then the estimate is made length by length, as a breadth-first miner would:
    the itemsets of lengths 1..k are mined (capped) for k = 1, 2, ... and the total is
    extrapolated beyond k, the ratio between successive lengths shrinking as it did between
    the last two (e.g. 87, 221, 32 itemsets of lengths 1-3 extrapolate to 1 more); the
    refusal comes at the first k where the estimate or the itemsets found pass the cap.
    """

    def __init__(self, max_itemsets: int, min_support: float, n_baskets: int, longest: int):
        self.max_itemsets = max_itemsets
        self.min_support = min_support
        self.n_baskets = n_baskets
        self.longest = longest  # no itemset is longer than this (max_len, largest basket)

    def mine(self, indptr: np.ndarray, codes: np.ndarray, n_items: int, min_count: int) -> _Found:
        """The itemsets, as :class:`_Found`; raise ValueError if there are too many."""
        item_counts = np.bincount(codes, minlength=n_items).astype(np.int64)
        status, found = self._mine(indptr, codes, item_counts, min_count, self.longest)
        if status == _kernels.OVERFLOW:
            raise self._refusal(indptr, codes, item_counts, min_count)
        return found

    def _mine(
        self,
        indptr: np.ndarray,
        codes: np.ndarray,
        item_counts: np.ndarray,
        min_count: int,
        max_len: int,
    ) -> tuple[int, _Found]:
        frequent = np.flatnonzero(item_counts >= min_count)
        order = frequent[np.argsort(item_counts[frequent], kind="stable")]  # rarest first
        status, found = _kernels.mine(
            indptr, codes, order, item_counts, min_count, max_len, self.max_itemsets
        )
        return status, _Found.from_kernel(found)

    def _refusal(
        self, indptr: np.ndarray, codes: np.ndarray, item_counts: np.ndarray, min_count: int
    ) -> ValueError:
        for k in range(1, self.longest + 1):
            status, found = self._mine(indptr, codes, item_counts, min_count, k)
            counts = found.counts_by_length()
            sizes = [len(c) for c in counts]
            if status == _kernels.OVERFLOW:
                estimate = total = sum(sizes)
                break
            total, estimate = sum(sizes), _extrapolate(sizes, self.longest)
            if estimate > self.max_itemsets:
                break
        how = "the rest extrapolated" if estimate > total else "before stopping"
        return ValueError(
            f"min_support={self.min_support:g} would give about {estimate:,.0f} frequent "
            f"itemsets ({total:,} found up to length {len(counts)}, {how}), more than "
            f"max_itemsets={self.max_itemsets:,}; try min_support="
            f"{self._working_support(indptr, codes, item_counts, counts)}"
            " (estimated to stay well under it), set max_len, or raise max_itemsets if you "
            "have the memory"
        )

    def _working_support(
        self,
        indptr: np.ndarray,
        codes: np.ndarray,
        item_counts: np.ndarray,
        counts: list[np.ndarray],
    ) -> str:
        """The suggested support as printed, raised until mining at it fits the cap."""
        support = self._suggest(counts)
        while True:
            text = _round_up(support)
            if float(text) >= 1:
                return text
            min_count = _min_count(float(text), self.n_baskets)
            status, found = self._mine(indptr, codes, item_counts, min_count, self.longest)
            if status != _kernels.OVERFLOW:
                return text
            # At least double the count each time: a few tries at most.
            support = max(self._suggest(found.counts_by_length()), 2 * min_count / self.n_baskets)

    def _suggest(self, counts: list[np.ndarray]) -> float:
        """Smallest support whose extrapolated total fits half the cap (counts per length)."""
        candidates = np.unique(np.concatenate(counts))
        low, high = 0, len(candidates)  # answer index in candidates, or len: one above all
        while low < high:
            mid = (low + high) // 2
            sizes = [int((c >= candidates[mid]).sum()) for c in counts]
            sizes = sizes[: next((i for i, s in enumerate(sizes) if s == 0), len(sizes))]
            if _extrapolate(sizes, self.longest) <= self.max_itemsets / 2:
                high = mid
            else:
                low = mid + 1
        count = candidates[low] if low < len(candidates) else candidates[-1] + 1
        return min(1.0, count / self.n_baskets)


def _round_up(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits, rounded up, so advice taken from the text
    asks for at least the support that was computed."""
    scale = 10.0 ** (digits - 1 - floor(log10(value)))
    return f"{ceil(value * scale - 1e-9) / scale:.{digits}g}"


def _extrapolate(sizes: list[int], longest: int) -> float:
    """Total itemsets given the sizes of lengths 1..k, extrapolating lengths k+1..longest."""
    total = float(sum(sizes))
    if len(sizes) < 3 or sizes[-1] == 0:
        return total
    ratio = sizes[-1] / sizes[-2]
    shrink = min(1.0, ratio / (sizes[-2] / sizes[-3]))
    size = float(sizes[-1])
    for _ in range(len(sizes), longest):
        ratio *= shrink
        size *= ratio
        if size < 1:
            break
        total += size
        if total > 1e18:
            break
    return total


def _itemset_frame(found: _Found, labels: pd.Index, n_baskets: int) -> pd.DataFrame:
    """Build the itemsets frame and sort it: support desc, length, sorted items."""
    n, width = len(found.count), int(found.length.max(initial=1))
    # Item codes of each itemset, found by walking up its parents; sorted codes are sorted
    # items (the labels are sorted), padded after the last item.
    codes = np.full((n, width), len(labels), dtype=np.int64)
    node = rows = np.arange(n)
    for step in range(width):
        codes[rows, found.length[rows] - 1 - step] = found.item[node]
        node = found.parent[node]
        keep = node >= 0
        rows, node = rows[keep], node[keep]
    codes.sort(axis=1)
    length, count = found.length, found.count
    # Sort keys: the codes packed several to an int64 (fewer keys sort faster).
    bits = max(1, int(len(labels)).bit_length())
    per_key = 63 // bits
    keys = []
    for lo in range(0, width, per_key):
        key = np.zeros(n, dtype=np.int64)
        for j in range(lo, min(lo + per_key, width)):
            key = (key << bits) | codes[:, j]
        keys.append(key)
    order = np.lexsort([*reversed(keys), length - count * (width + 1)])  # count desc, length
    codes, length, count = codes[order], length[order], count[order]
    values = np.append(labels.to_numpy(dtype=object), None)
    text = np.array([str(v) for v in values[:-1]] + [""], dtype=object)
    items = text[codes[:, 0]]
    joined = np.array([SEPARATOR + t for t in text], dtype=object)
    itemsets = np.empty(n, dtype=object)
    with _no_gc():  # many new containers, none in a cycle: collecting them is wasted time
        for k in range(1, width + 1):
            at = np.flatnonzero(length == k)
            itemsets[at] = list(map(frozenset, zip(*values[codes[at, :k]].T, strict=True)))
            if k < width:
                longer = length > k
                items[longer] += joined[codes[longer, k]]
    return pd.DataFrame(
        {
            "itemsets": pd.Series(itemsets, dtype=object),
            "items": pd.Series(items, dtype="str"),
            "length": length,
            "support": count / n_baskets,
            "count": count,
        }
    )


@contextmanager
def _no_gc():
    """Pause Python's cyclic garbage collector (as it was before, after the block)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --------------------------------------------------------------------------------------------
# Association rules
# --------------------------------------------------------------------------------------------


def association_rules(
    itemsets: pd.DataFrame,
    metric: str = "lift",
    min_threshold: float = 1.0,
    *,
    max_rules: int = 1_000_000,
) -> pd.DataFrame:
    """Derive association rules A -> C from frequent itemsets.

    Every frequent itemset of two or more items is split into an antecedent A and a
    consequent C in every way; a rule is kept when its ``metric`` is at least
    ``min_threshold``. Rules and values match ``mlxtend.frequent_patterns.association_rules``
    (values to the last digit: here they are computed from exact basket counts).

    Parameters
    ----------
    itemsets : DataFrame
        Output of :func:`frequent_itemsets` (or mlxtend's), with columns ``itemsets``
        and ``support``, including every subset of each itemset.
    metric : {"lift", "confidence", "support", "leverage", "conviction"}
        Metric compared with ``min_threshold``.
    min_threshold : float, default 1.0
        Smallest value of ``metric`` to keep a rule.
    max_rules : int, default 1,000,000
        Refuse, before any rule is built, when the itemsets would give more candidate rules
        than this. An itemset of k items gives 2**k - 2 rules before ``min_threshold`` is
        applied, so the count is exact and cheap (Groceries at ``min_support=0.0002``:
        790,072 itemsets, 117,872,542 candidate rules). The error gives the count and a
        ``min_support`` whose itemsets give at most ``max_rules`` candidates (computed from
        the itemsets' counts, not guessed).

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
        If ``metric`` is unknown, a subset's support is missing from ``itemsets``, or the
        itemsets would give more than ``max_rules`` candidate rules.

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

    max_rules = require_positive_int(max_rules, "max_rules")
    _RuleGuard(itemsets, max_rules).check()

    sets = [frozenset(s) for s in itemsets["itemsets"]]
    position = {itemset: i for i, itemset in enumerate(sets)}
    rank = _item_ranks(sets)
    antecedents, consequents, rows = [], [], []
    for i, itemset in enumerate(sets):
        ordered = sorted(itemset, key=rank.__getitem__)
        for size in range(len(ordered) - 1, 0, -1):
            for left in combinations(ordered, size):
                a = frozenset(left)
                c = itemset - a
                if a not in position or c not in position:
                    missing = sorted(a if a not in position else c, key=rank.__getitem__)
                    raise ValueError(
                        f"itemsets: expected the support of every subset of each itemset, "
                        f"but {_display(missing)} (a subset of {_display(ordered)}) is "
                        "missing; pass the full output of frequent_itemsets, not a filtered "
                        "part"
                    )
                antecedents.append(a)
                consequents.append(c)
                rows.append((i, position[a], position[c]))
    values = _rule_metrics(itemsets, np.array(rows, dtype=np.int64).reshape(-1, 3))
    keep = np.flatnonzero(values[metric] >= min_threshold)

    def key(i: int) -> tuple:
        return (
            -values[metric][i],
            -values["support"][i],
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


class _RuleGuard:
    """Count the candidate rules of ``itemsets`` (2**k - 2 per itemset of k items) before any
    is built; refuse more than ``max_rules`` with the count and a ``min_support`` that fits.

    The suggested support is the smallest at which the itemsets left (those with at least
    that support: exactly what :func:`frequent_itemsets` finds at it) give at most
    ``max_rules`` candidates, rounded up for print and counted again at the printed value.
    """

    def __init__(self, itemsets: pd.DataFrame, max_rules: int):
        self.itemsets = itemsets
        self.max_rules = max_rules
        self.length = np.fromiter(
            (len(s) for s in itemsets["itemsets"]), dtype=np.int64, count=len(itemsets)
        )

    @staticmethod
    def _candidates(length: np.ndarray) -> int:
        """Candidate rules of itemsets of these lengths, exactly (Python integers)."""
        per_length = np.bincount(length) if len(length) else np.zeros(0, dtype=np.int64)
        return sum(int(n) * (2**k - 2) for k, n in enumerate(per_length) if k >= 2 and n)

    def check(self) -> None:
        total = self._candidates(self.length)
        if total <= self.max_rules:
            return
        raise ValueError(
            f"max_rules={self.max_rules:,}: these {len(self.itemsets):,} itemsets (up to "
            f"{self.length.max()} items) give {total:,} candidate rules (every split of an "
            "itemset of k items into A -> C, 2**k - 2 of them, before min_threshold), more "
            f"than max_rules; {self._suggestion()}, or raise max_rules if you have the memory "
            "and time"
        )

    def _kept(self, support: float) -> np.ndarray:
        """Which itemsets :func:`frequent_itemsets` would find at ``support``."""
        if "count" in self.itemsets.columns:
            count = self.itemsets["count"].to_numpy(dtype=np.int64)
            n = int(round(count[0] / float(self.itemsets["support"].iloc[0])))
            return count >= _min_count(support, n)
        return self.itemsets["support"].to_numpy(dtype=float) >= support

    def _suggestion(self) -> str:
        support = self.itemsets["support"].to_numpy(dtype=float)
        levels = np.unique(support)  # ascending
        # candidates of the itemsets with support >= each level, from the top level down
        order = np.argsort(-support, kind="stable")
        rules = np.where(self.length[order] >= 2, 2.0 ** self.length[order] - 2, 0.0)
        cumulative = np.cumsum(rules)
        ends = np.searchsorted(-support[order], -levels, side="right") - 1
        fits = cumulative[ends] <= self.max_rules
        if not fits.any():
            return "no min_support fits (the most frequent itemset alone gives more)"
        level = float(levels[np.argmax(fits)])
        # the shortest print of a support at most `level` that keeps no more itemsets than
        # `level` does (rounding down keeps the itemsets held by as many baskets as `level`)
        for digits in range(2, 18):
            text = f"{_floor(level, digits - 1 - floor(log10(level))):.{digits}g}"
            if self._candidates(self.length[self._kept(float(text))]) <= self.max_rules:
                break
        else:  # pragma: no cover - 17 significant digits print `level` itself
            text = repr(level)
        left = self._kept(float(text))
        return (
            f"min_support={text} keeps {int(left.sum()):,} of them, with "
            f"{self._candidates(self.length[left]):,} candidate rules"
        )


def _rule_metrics(itemsets: pd.DataFrame, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Metrics of the rules whose (A and C, A, C) itemsets are the rows ``rows[:, 0..2]``.

    With basket counts (output of :func:`frequent_itemsets`) each metric is one division of
    exact integers, so it is correctly rounded and a rule with lift exactly 1 gets lift 1.0.
    Without them (mlxtend's output) the supports are used; the two differ in the last digit.
    """
    support = itemsets["support"].to_numpy(dtype=float)
    s_ac, s_a, s_c = support[rows[:, 0]], support[rows[:, 1]], support[rows[:, 2]]
    if "count" in itemsets.columns and len(itemsets):
        count = itemsets["count"].to_numpy(dtype=np.int64)
        n = int(round(count[0] / support[0]))
        c_ac, c_a, c_c = count[rows[:, 0]], count[rows[:, 1]], count[rows[:, 2]]
        confidence = c_ac / c_a
        lift = (c_ac * n) / (c_a * c_c)
        leverage = (c_ac * n - c_a * c_c) / float(n) ** 2
        with np.errstate(divide="ignore"):
            conviction = ((n - c_c) * c_a) / (n * (c_a - c_ac)).astype(float)
    else:
        confidence = s_ac / s_a
        lift = confidence / s_c
        leverage = s_ac - s_a * s_c
        with np.errstate(divide="ignore"):
            conviction = (1.0 - s_c) / (1.0 - confidence)
    conviction[confidence >= 1.0] = np.inf
    return {
        "antecedent support": s_a,
        "consequent support": s_c,
        "support": s_ac,
        "confidence": confidence,
        "lift": lift,
        "leverage": leverage,
        "conviction": conviction,
    }


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


class BindingThreshold(NamedTuple):
    """Result of :func:`binding_threshold`: which threshold keeps every rule out, and why."""

    binds: tuple[str, ...]
    """The thresholds that bind: () when some rule passes, else those among "min_support",
    "min_confidence" and "min_lift" (in that order) that must all be lowered."""
    passing: int
    """Rules that pass all three thresholds."""
    highest: dict[str, float]
    """The evidence: the highest pair support (and that of the most common pair that passes
    the other two), and/or the highest lift/confidence reachable."""
    suggestion: dict[str, float]
    """New values for the binding thresholds that together let at least one rule through."""
    thresholds: dict[str, float]
    """The thresholds checked."""
    pairs_only: bool
    """Whether only rules with one item on each side were considered."""

    def describe(self) -> str:
        """One sentence: which thresholds bind, the evidence and values to try."""
        kind = "rule between two items" if self.pairs_only else "rule"
        t, h = self.thresholds, self.highest
        try_ = ", ".join(f"{name}={value:g}" for name, value in self.suggestion.items())
        if not self.binds:
            return f"no threshold binds: {self.passing:,} {kind}s pass all three"
        names = list(self.binds)
        named = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        verb = "binds" if len(names) == 1 else ("both bind" if len(names) == 2 else "bind")
        others = [name for name in names if name != "min_support"]
        if "min_support" not in self.binds:
            return f"{named} {verb}: {self._evidence(kind)}; lower {named}, e.g. {try_}"
        if not h["pair support"] > 0:
            return "min_support binds: no two items are ever in one basket"
        rare = (
            f"no pair of items is in {t['min_support']:g} of the baskets (the most common "
            f"pair is in {h['pair support']:.3g})"
        )
        if not others:
            return (
                f"min_support binds: {rare}; the most common pair whose rule has confidence "
                f">= {t['min_confidence']:g} and lift >= {t['min_lift']:g} is in "
                f"{h['passing pair support']:.3g}; lower min_support, e.g. {try_}"
            )
        return (
            f"{named} {verb}: {rare}, and no rule between two items has confidence >= "
            f"{t['min_confidence']:g} and lift >= {t['min_lift']:g} at any support; at "
            f"min_support={self.suggestion['min_support']:g}, "
            f"{self._evidence('rule between two items')}; lower them together, e.g. {try_}"
        )

    def _evidence(self, kind: str) -> str:
        """Why min_confidence and/or min_lift keep the rules out."""
        t, h = self.thresholds, self.highest
        if "min_confidence" not in self.binds:
            return (
                f"the highest lift of a {kind} with confidence >= {t['min_confidence']:g} is "
                f"{h['lift']:.3f}"
            )
        if "min_lift" not in self.binds:
            return (
                f"the highest confidence of a {kind} with lift >= {t['min_lift']:g} is "
                f"{h['confidence']:.3f}"
            )
        return (
            f"no {kind} reaches either (highest confidence {h['confidence']:.3f}, highest "
            f"lift {h['lift']:.3f})"
        )


def _floor(value: float, digits: int) -> float:
    """``value`` rounded down to ``digits`` decimals, so the rule it came from still passes."""
    return float(np.floor(value * 10**digits) / 10**digits)


def binding_threshold(
    baskets: Sequence[Iterable[Hashable]],
    *,
    min_support: float,
    min_confidence: float,
    min_lift: float,
    pairs_only: bool = False,
) -> BindingThreshold:
    """Which of ``min_support``, ``min_confidence`` and ``min_lift`` keeps every rule out?

    Rules are mined at ``min_support`` and checked against the other two thresholds. When
    none passes, every threshold that binds is named, with the evidence and new values that
    together let at least one rule through (the other thresholds stay as given):

    - some rules reach ``min_support``: ``min_lift`` binds when some of them reach
      ``min_confidence`` (the suggestion is the highest lift among those, rounded down to
      two decimals), ``min_confidence`` when some reach ``min_lift``, and both when none
      reaches either (the suggestion lets the rule of highest lift through);
    - no pair of items reaches ``min_support``: ``min_support`` binds alone when a rarer
      pair passes ``min_confidence`` and ``min_lift`` (the suggestion is the support of the
      most common such pair, rounded down to two significant digits); otherwise
      ``min_support`` binds together with ``min_confidence`` and/or ``min_lift``, and the
      suggestion lowers ``min_support`` to the most common pair's support and the others
      as above, among the pairs at that support.

    Parameters
    ----------
    baskets : list of item lists, or Series of item lists
        See :func:`encode`.
    min_support : float in (0, 1]
        As in :func:`frequent_itemsets`.
    min_confidence : float in [0, 1]
        Smallest confidence of a rule that passes.
    min_lift : float >= 0
        Smallest lift of a rule that passes.
    pairs_only : bool, default False
        Consider only rules with one item on each side (A -> C).

    Returns
    -------
    BindingThreshold
        ``binds``, ``passing``, ``highest``, ``suggestion``, ``thresholds``, ``pairs_only``
        and ``describe()``, one sentence for a message.

    Examples
    --------
    >>> baskets = [["beer", "diapers"]] * 3 + [["beer"]] * 5 + [["milk"]] * 2
    >>> check = binding_threshold(baskets, min_support=0.2, min_confidence=0.5, min_lift=1.5)
    >>> check.binds, check.suggestion
    (('min_lift',), {'min_lift': 1.25})
    >>> check.describe()
    'min_lift binds: the highest lift of a rule with confidence >= 0.5 is 1.250; lower min_lift, e.g. min_lift=1.25'

    No pair is in half the baskets, and the one pair there is has lift 1.25 only:

    >>> both = binding_threshold(baskets, min_support=0.5, min_confidence=0.5, min_lift=1.5)
    >>> both.binds, both.suggestion
    (('min_support', 'min_lift'), {'min_support': 0.3, 'min_lift': 1.25})
    """
    min_support = _require_support(min_support, baskets)
    min_confidence = require_fraction(min_confidence, "min_confidence", low_inclusive=True)
    min_lift = require_number(min_lift, "min_lift", minimum=0)
    thresholds = {
        "min_support": min_support,
        "min_confidence": min_confidence,
        "min_lift": min_lift,
    }
    with warnings.catch_warnings():
        # "no item reaches min_support" is this function's own answer, not a warning
        warnings.filterwarnings("ignore", r"min_support=.*: no item reaches it", UserWarning)
        itemsets = frequent_itemsets(baskets, min_support, max_len=2 if pairs_only else None)
    rules = association_rules(itemsets, metric="lift", min_threshold=0)
    if pairs_only:
        rules = rules[(rules["antecedents"].map(len) == 1) & (rules["consequents"].map(len) == 1)]
    result = {"thresholds": thresholds, "pairs_only": pairs_only}
    if rules.empty:  # no pair reaches min_support (a larger itemset is rarer still)
        pairs = _pair_rules(baskets)
        best = float(pairs["support"].max()) if len(pairs) else 0.0
        highest = {"pair support": best}
        if not best > 0:
            return BindingThreshold(("min_support",), 0, highest, {}, **result)
        ok = (pairs["confidence"] >= min_confidence) & (pairs["lift"] >= min_lift)
        if ok.any():  # lowering min_support alone lets a rarer pair through
            rare = float(pairs.loc[ok, "support"].max())
            highest["passing pair support"] = rare
            suggestion = {"min_support": _floor_significant(rare)}
            return BindingThreshold(("min_support",), 0, highest, suggestion, **result)
        support = _floor_significant(best)
        rules = pairs[pairs["support"] >= support]
        binds, other, suggestion = _confidence_or_lift(rules, min_confidence, min_lift)
        return BindingThreshold(
            ("min_support", *binds),
            0,
            highest | other,
            {"min_support": support, **suggestion},
            **result,
        )
    confident = rules["confidence"] >= min_confidence
    lifted = rules["lift"] >= min_lift
    passing = int((confident & lifted).sum())
    if passing:
        return BindingThreshold(binds=(), passing=passing, highest={}, suggestion={}, **result)
    binds, highest, suggestion = _confidence_or_lift(rules, min_confidence, min_lift)
    return BindingThreshold(
        binds=binds, passing=0, highest=highest, suggestion=suggestion, **result
    )


def _confidence_or_lift(
    rules: pd.DataFrame, min_confidence: float, min_lift: float
) -> tuple[tuple[str, ...], dict[str, float], dict[str, float]]:
    """Which of min_confidence and min_lift keeps ``rules`` out, the evidence, new values."""
    confident = rules["confidence"] >= min_confidence
    lifted = rules["lift"] >= min_lift
    if (confident & lifted).any():
        return (), {}, {}
    if confident.any():
        best = float(rules.loc[confident, "lift"].max())
        return ("min_lift",), {"lift": best}, {"min_lift": _floor(best, 2)}
    if lifted.any():
        best = float(rules.loc[lifted, "confidence"].max())
        return ("min_confidence",), {"confidence": best}, {"min_confidence": _floor(best, 2)}
    top = rules.loc[rules["lift"].idxmax()]
    highest = {"confidence": float(rules["confidence"].max()), "lift": float(top["lift"])}
    suggestion = {
        "min_confidence": _floor(top["confidence"], 2),
        "min_lift": _floor(top["lift"], 2),
    }
    return ("min_confidence", "min_lift"), highest, suggestion


def _pair_rules(baskets: Sequence[Iterable[Hashable]]) -> pd.DataFrame:
    """Support, confidence and lift of every rule A -> C between two items seen together."""
    matrix, _ = encode(baskets)
    matrix = matrix.astype(np.int64)
    n_baskets = matrix.shape[0]
    together = (matrix.T @ matrix).tocoo()
    counts = np.asarray(matrix.sum(axis=0)).ravel()
    keep = together.row != together.col
    a, c, both = together.row[keep], together.col[keep], together.data[keep].astype(float)
    confidence = both / counts[a]
    return pd.DataFrame(
        {
            "support": both / n_baskets,
            "confidence": confidence,
            "lift": confidence / (counts[c] / n_baskets),
        }
    )


def _floor_significant(value: float) -> float:
    """``value`` > 0 rounded down to two significant digits (0.0295 -> 0.029)."""
    return _floor(value, max(0, 1 - int(np.floor(np.log10(value)))))


def rule_thresholds(
    baskets: Sequence[Iterable[Hashable]],
    antecedent: Hashable,
    consequent: Hashable,
    *,
    min_support: float,
    min_confidence: float,
    min_lift: float,
) -> pd.DataFrame:
    """One rule's support, confidence and lift against the thresholds: which does it miss?

    Parameters
    ----------
    baskets : list of item lists, or Series of item lists
        See :func:`encode`.
    antecedent, consequent : hashable
        The rule's items.
    min_support, min_confidence, min_lift : float
        The thresholds, as in :func:`binding_threshold`.

    Returns
    -------
    DataFrame
        Indexed by ``measure`` (support, confidence, lift), with the rule's ``value``, the
        ``threshold`` and ``passes`` (value >= threshold).

    Examples
    --------
    >>> baskets = [["beer", "diapers"]] * 3 + [["beer"]] * 5 + [["milk"]] * 2
    >>> rule_thresholds(baskets, "beer", "diapers", min_support=0.2, min_confidence=0.5,
    ...                 min_lift=1.5).reset_index()
          measure  value  threshold  passes
    0     support  0.300        0.2    True
    1  confidence  0.375        0.5   False
    2        lift  1.250        1.5   False
    """
    limits = {
        "support": _require_support(min_support, baskets),
        "confidence": require_fraction(min_confidence, "min_confidence", low_inclusive=True),
        "lift": require_number(min_lift, "min_lift", minimum=0),
    }
    measured = rule_counts(baskets, antecedent, consequent).iloc[0]
    table = pd.DataFrame(
        {
            "value": [float(measured[name]) for name in limits],
            "threshold": list(limits.values()),
        },
        index=pd.Index(list(limits), name="measure"),
    )
    table["passes"] = table["value"] >= table["threshold"]
    return table


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
    Beer and diapers lift each other in the evening only:

    >>> baskets = [["beer", "diapers"]] * 3 + [["milk"]] + [
    ...     ["beer"], ["diapers"], ["beer", "milk"], ["diapers", "milk"]]
    >>> when = ["evening"] * 4 + ["morning"] * 4
    >>> by = rules_by_context(baskets, when, min_support=0.25, min_threshold=1.2)
    >>> by[["context", "baskets", "rule", "lift"]]
       context  baskets             rule      lift
    0  evening        4  beer -> diapers  1.333333
    1  evening        4  diapers -> beer  1.333333
    """
    _require_support(min_support, None)
    if isinstance(data, pd.DataFrame):
        groups, name = _line_contexts(data, context, invoice, item)
    else:
        groups, name = _basket_contexts(data, context)
    frames = []  # one per context, even without rules, so the columns are always there
    for value, baskets in groups:
        found = frequent_itemsets(baskets, min_support, max_len, max_itemsets=max_itemsets)
        rules = association_rules(found, metric=metric, min_threshold=min_threshold)
        rules.insert(0, "baskets", len(baskets))
        rules.insert(0, name, [value] * len(rules))
        frames.append(rules)
    return pd.concat(frames, ignore_index=True)


def _line_contexts(tx, context, invoice, item):
    if invoice is None or item is None:
        raise TypeError(
            "invoice, item: expected the names of the invoice and item columns when data "
            "holds transaction lines, e.g. invoice='InvoiceNo', item='StockCode'"
        )
    if not isinstance(context, str):
        raise TypeError(f"context: expected a column name of data, got {type(context).__name__}")
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
    values = _context_values(context, len(lists))
    frame = pd.DataFrame({"basket": pd.Series(lists, dtype=object)})
    return [(value, part["basket"].tolist()) for value, part in _grouped(frame, values)], (
        "context"
    )


def _context_values(context: Sequence[Hashable], n_baskets: int) -> pd.Series:
    """One context value per basket, by position, refusing a wrong length or missing values."""
    # reset_index: values pair with baskets by position; pd.Series keeps categorical order
    values = pd.Series(context).reset_index(drop=True)
    if len(values) != n_baskets:
        raise ValueError(
            f"context: expected one value per basket ({n_baskets:,}), got {len(values):,}"
        )
    _require_no_missing(values, "context")
    return values


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


# --------------------------------------------------------------------------------------------
# Acting on one rule
# --------------------------------------------------------------------------------------------


def rule_counts(
    baskets: Sequence[Iterable[Hashable]],
    antecedent: Hashable,
    consequent: Hashable,
    *,
    context: Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Basket counts and metrics of one rule ``antecedent -> consequent``, per context.

    The counts behind support, confidence and lift, for one pair of items and without a
    support threshold: the metrics are there for every context, even where the rule would
    not reach ``min_support`` (where :func:`rules_by_context` leaves it out).

    Parameters
    ----------
    baskets : list of item lists, or Series of item lists
        See :func:`encode`.
    antecedent, consequent : hashable
        Two different items, e.g. "diapers" and "beer"; each must be in some basket.
    context : sequence, optional
        One value per basket (weekday, time band, store): one row per value, in sorted (or
        categorical) order. None gives one row for all baskets, labelled "all baskets".

    Returns
    -------
    DataFrame
        Indexed by ``context``, with columns ``baskets`` (n), ``antecedent_baskets``
        n(A), ``consequent_baskets`` n(C), ``both_baskets`` n(A and C), ``support`` =
        n(A and C) / n, ``confidence`` = n(A and C) / n(A) and ``lift`` = confidence /
        (n(C) / n). Confidence is NaN where no basket holds the antecedent, lift where no
        basket holds either item.

    Raises
    ------
    TypeError
        If an item is not hashable (e.g. a list); see :func:`encode` for ``baskets``.
    ValueError
        If the items are equal or an item is in no basket (similar names are suggested);
        see :func:`rules_by_context` for ``context``.

    Examples
    --------
    >>> baskets = [["beer", "diapers"]] * 3 + [["milk"], ["beer"], ["diapers"], ["milk"]]
    >>> when = ["evening"] * 4 + ["morning"] * 3
    >>> counts = rule_counts(baskets, "diapers", "beer", context=when)
    >>> counts.reset_index()[["context", "baskets", "both_baskets", "confidence", "lift"]]
       context  baskets  both_baskets  confidence      lift
    0  evening        4             3         1.0  1.333333
    1  morning        3             0         0.0  0.000000
    """
    columns, labels = _encode(baskets)
    n = columns.shape[0]
    has_a = _item_baskets(columns, labels, antecedent, "antecedent")
    has_c = _item_baskets(columns, labels, consequent, "consequent")
    if antecedent == consequent:
        raise ValueError(f"consequent: expected an item other than the antecedent {antecedent!r}")
    if context is None:
        values = pd.Series(["all baskets"] * n)
    elif isinstance(context, str) or not isinstance(context, Iterable):
        raise TypeError(
            f"context: expected one value per basket (a list or Series), got {context!r}"
        )
    else:
        values = _context_values(context, n)
    flags = pd.DataFrame({"a": has_a, "c": has_c, "both": has_a & has_c})
    groups = _grouped(flags, values)
    counts = np.array(
        [(len(part), *part.sum().astype(np.int64)) for _, part in groups], dtype=np.int64
    )
    total, n_a, n_c, n_ac = counts.T
    with np.errstate(divide="ignore", invalid="ignore"):
        confidence = np.where(n_a > 0, n_ac / np.maximum(n_a, 1), np.nan)
        lift = np.where((n_a > 0) & (n_c > 0), n_ac * total / np.maximum(n_a * n_c, 1), np.nan)
    return pd.DataFrame(
        {
            "baskets": total,
            "antecedent_baskets": n_a,
            "consequent_baskets": n_c,
            "both_baskets": n_ac,
            "support": n_ac / total,
            "confidence": confidence,
            "lift": lift,
        },
        index=pd.Index([value for value, _ in groups], name="context"),
    )


def _item_baskets(columns: sp.csc_array, labels: pd.Index, item: object, name: str) -> np.ndarray:
    """Boolean vector of the baskets holding ``item``; refuse unknown or unhashable items."""
    if not isinstance(item, Hashable):
        raise TypeError(
            f"{name}: expected one hashable item such as 'beer', got {type(item).__name__}"
        )
    position = labels.get_indexer([item])[0] if item in labels else -1
    if position < 0:
        close = difflib.get_close_matches(str(item), [str(v) for v in labels], n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ValueError(f"{name}: {item!r} is in no basket{hint}")
    held = np.zeros(columns.shape[0], dtype=bool)
    held[columns.indices[columns.indptr[position] : columns.indptr[position + 1]]] = True
    return held


def cross_sell_whatif(
    baskets: Sequence[Iterable[Hashable]],
    antecedent: Hashable,
    consequent: Hashable,
    *,
    take_up: float | Sequence[float],
    margin: float,
    price_discount: float | Sequence[float] = 0.0,
    bundle_price: float = 0.0,
    fixed_cost: float = 0.0,
    periods: float = 1.0,
) -> pd.DataFrame:
    """Expected effect of a placement or a bundle built on the rule ``antecedent -> consequent``.

    The baskets that hold the antecedent but not the consequent are the target: a placement
    (the consequent shown next to the antecedent, ``price_discount=0``) or a bundle (both at
    ``price_discount`` off ``bundle_price``) makes a share ``take_up`` of them add one unit
    of the consequent, earning ``margin`` each. A bundle also gives its discount to every
    basket that ends with both items, including those that held both anyway: the higher the
    rule's confidence, the more of the discount goes to sales that would have happened
    without it.

    Parameters
    ----------
    baskets : list of item lists, or Series of item lists
        The baskets the action reaches (e.g. only weekday evenings); see :func:`encode`.
    antecedent, consequent : hashable
        The rule's items, e.g. "diapers" and "beer".
    take_up : float in [0, 1], or a sequence of them
        Assumed share of antecedent-only baskets that add the consequent.
    margin : float >= 0
        Margin earned on one unit of the consequent at full price (money).
    price_discount : float in [0, 1), or a sequence of them, default 0
        Bundle discount as a share of ``bundle_price``; 0 is a placement without a price
        change.
    bundle_price : float >= 0, default 0
        Full price of one antecedent plus one consequent; needed when a discount is above 0.
    fixed_cost : float >= 0, default 0
        Cost of the action per period (display, shelf space, printing).
    periods : float > 0, default 1
        Number of periods the baskets cover (e.g. 8 for eight weeks): every count and amount
        is returned per period.

    Returns
    -------
    DataFrame
        One row per combination of ``price_discount`` (outer) and ``take_up`` (inner), in
        the order given, with columns ``price_discount``, ``take_up``,
        ``antecedent_baskets`` n(A), ``both_before`` n(A and C), ``target_baskets`` n(A) -
        n(A and C), ``extra_units`` = target x take-up, ``confidence_after`` = (n(A and C) +
        extra) / n(A), ``bundles`` (baskets that get the discount; 0 without one),
        ``extra_margin`` = extra x margin, ``discount_cost`` = price discount x bundle price
        x bundles, ``fixed_cost``, ``net`` = extra margin - discount cost - fixed cost,
        ``break_even_take_up``, the take-up at which ``net`` is 0 (infinite when the
        discount eats the whole margin, or when no basket can be won), and
        ``break_even_price_discount``, the price discount at which a bundle with this row's
        take-up nets 0: a bundle pays only below it (0 or less when even a placement at this
        take-up loses money; NaN without a ``bundle_price``). Counts and amounts are per
        period.

    Raises
    ------
    TypeError
        If a number is not a number; see :func:`rule_counts` for the baskets and items.
    ValueError
        If a value is out of range, or a discount is given without a ``bundle_price``.

    See Also
    --------
    cross_sell_decision : the facts that decide between the placement and the bundle.

    Examples
    --------
    Twenty baskets of diapers, twelve of them with beer. A display that wins 25 % of the
    other eight earns 2 x 2.0; a 10 % bundle discount wins the same two baskets but pays 2.0
    to each of the 14 bundles, 12 of which would have been bought anyway:

    >>> baskets = [["diapers", "beer"]] * 12 + [["diapers"]] * 8 + [["beer"]] * 10
    >>> whatif = cross_sell_whatif(baskets, "diapers", "beer", take_up=0.25, margin=2.0,
    ...                            price_discount=[0.0, 0.1], bundle_price=20.0)
    >>> whatif[["price_discount", "extra_units", "bundles", "discount_cost", "net"]]
       price_discount  extra_units  bundles  discount_cost   net
    0             0.0          2.0      0.0            0.0   4.0
    1             0.1          2.0     14.0           28.0 -24.0
    >>> whatif["break_even_take_up"].round(3).tolist()
    [0.0, inf]

    At that take-up a bundle pays only below a discount of 4 / (20 x 14), about 1.4 %:

    >>> whatif["break_even_price_discount"].round(4).tolist()
    [0.0143, 0.0143]
    """
    take_ups = _fractions(take_up, "take_up", high_inclusive=True)
    discounts = _fractions(price_discount, "price_discount", high_inclusive=False)
    margin = require_number(margin, "margin", minimum=0)
    bundle_price = require_number(bundle_price, "bundle_price", minimum=0)
    fixed_cost = require_number(fixed_cost, "fixed_cost", minimum=0)
    periods = require_number(periods, "periods", minimum=0, strict=True)
    if bundle_price == 0 and any(d > 0 for d in discounts):
        raise ValueError(
            "bundle_price: expected the full price of the two items (> 0) when a "
            f"price_discount is given (price_discount {max(discounts):g}), got 0"
        )
    counts = rule_counts(baskets, antecedent, consequent).iloc[0]
    n_a = counts["antecedent_baskets"] / periods
    n_ac = counts["both_baskets"] / periods
    target = n_a - n_ac
    d, t = (np.repeat(discounts, len(take_ups)), np.tile(take_ups, len(discounts)))
    extra = target * t
    bundles = np.where(d > 0, n_ac + extra, 0.0)
    per_bundle = d * bundle_price
    discount_cost = per_bundle * bundles
    net = extra * margin - discount_cost - fixed_cost
    # net = take-up x won_per_take_up - cost_to_cover; solve net = 0 for the take-up
    won_per_take_up = target * (margin - per_bundle)
    cost_to_cover = per_bundle * n_ac + fixed_cost
    with np.errstate(divide="ignore", invalid="ignore"):
        break_even = np.select(
            [cost_to_cover == 0, won_per_take_up > 0],
            [0.0, cost_to_cover / won_per_take_up],
            np.inf,
        )
        # net = extra x margin - d x price x (n_ac + extra) - fixed = 0, solved for d
        all_bundles = n_ac + extra
        break_even_discount = np.where(
            (bundle_price > 0) & (all_bundles > 0),
            (extra * margin - fixed_cost) / (bundle_price * all_bundles),
            np.nan,
        )
    return pd.DataFrame(
        {
            "price_discount": d,
            "take_up": t,
            "antecedent_baskets": n_a,
            "both_before": n_ac,
            "target_baskets": target,
            "extra_units": extra,
            "confidence_after": (n_ac + extra) / n_a,
            "bundles": bundles,
            "extra_margin": extra * margin,
            "discount_cost": discount_cost,
            "fixed_cost": fixed_cost,
            "net": net,
            "break_even_take_up": break_even,
            "break_even_price_discount": break_even_discount,
        }
    )


class CrossSellDecision(NamedTuple):
    """Result of :func:`cross_sell_decision`: the facts a cross-selling decision rests on."""

    choice: str
    """"placement", "bundle" or "neither" (neither nets more than 0 per period)."""
    placement: pd.Series
    """The :func:`cross_sell_whatif` row of the placement (no discount)."""
    bundle: pd.Series
    """The :func:`cross_sell_whatif` row of the bundle."""
    discount_per_bundle: float
    """Money off one bundle: ``price_discount x bundle_price``."""
    margin_kept: float
    """What one added bundle keeps of the consequent's margin (negative: it loses money)."""
    giveaway: float
    """Discount paid per period to the baskets that held both items already."""
    loss_from: float
    """The price discount from which every added bundle loses money: margin / bundle price."""
    max_price_discount: float
    """The price discount below which a bundle can pay at all (at a take-up of 100 %)."""
    max_price_discount_at_take_up: float
    """The price discount below which the bundle pays at its assumed take-up."""


def cross_sell_decision(
    baskets: Sequence[Iterable[Hashable]],
    antecedent: Hashable,
    consequent: Hashable,
    *,
    margin: float,
    bundle_price: float,
    placement_take_up: float,
    price_discount: float,
    bundle_take_up: float,
    fixed_cost: float = 0.0,
    periods: float = 1.0,
) -> CrossSellDecision:
    """Placement or bundle? The facts of one central case, from :func:`cross_sell_whatif`.

    A placement (the consequent shown by the antecedent at full price) wins
    ``placement_take_up`` of the target baskets; a bundle at ``price_discount`` off
    ``bundle_price`` wins ``bundle_take_up``. The choice is the one with the larger net
    effect per period, or "neither" when neither nets more than 0 (a tie goes to the
    placement, which needs no price change). The other fields say why a bundle does or does
    not pay: the discount per bundle against the margin, the discount given away to
    baskets that held both anyway, and the largest price discount that breaks even.

    Parameters
    ----------
    baskets, antecedent, consequent, margin, bundle_price, fixed_cost, periods
        As in :func:`cross_sell_whatif`; ``bundle_price`` must be above 0.
    placement_take_up, bundle_take_up : float in [0, 1]
        Assumed take-up of the placement and of the bundle.
    price_discount : float in (0, 1)
        The bundle's discount, as a share of ``bundle_price``.

    Returns
    -------
    CrossSellDecision
        ``choice``, the ``placement`` and ``bundle`` rows, ``discount_per_bundle``,
        ``margin_kept`` (margin - discount per bundle), ``giveaway``, ``loss_from``,
        ``max_price_discount`` (at a take-up of 100 %) and ``max_price_discount_at_take_up``
        (at ``bundle_take_up``); the last two are 0 or less when no discount breaks even.

    Examples
    --------
    >>> baskets = [["diapers", "beer"]] * 12 + [["diapers"]] * 8 + [["beer"]] * 10
    >>> facts = cross_sell_decision(baskets, "diapers", "beer", margin=2.0, bundle_price=20.0,
    ...                             placement_take_up=0.25, price_discount=0.1,
    ...                             bundle_take_up=0.5)
    >>> facts.choice, float(facts.placement["net"]), float(facts.bundle["net"]), facts.giveaway
    ('placement', 4.0, -24.0, 24.0)
    >>> round(facts.loss_from, 3), round(facts.max_price_discount, 4)
    (0.1, 0.04)
    """
    bundle_price = require_number(bundle_price, "bundle_price", minimum=0, strict=True)
    price_discount = require_fraction(price_discount, "price_discount", high_inclusive=False)
    common = {
        "margin": margin,
        "bundle_price": bundle_price,
        "fixed_cost": fixed_cost,
        "periods": periods,
    }
    placement = cross_sell_whatif(
        baskets, antecedent, consequent, take_up=placement_take_up, **common
    ).iloc[0]
    bundles = cross_sell_whatif(
        baskets,
        antecedent,
        consequent,
        take_up=[bundle_take_up, 1.0],
        price_discount=price_discount,
        **common,
    )
    bundle = bundles.iloc[0]
    if max(placement["net"], bundle["net"]) <= 0:
        choice = "neither"
    elif placement["net"] >= bundle["net"]:
        choice = "placement"
    else:
        choice = "bundle"
    per_bundle = price_discount * bundle_price
    return CrossSellDecision(
        choice=choice,
        placement=placement,
        bundle=bundle,
        discount_per_bundle=per_bundle,
        margin_kept=float(margin) - per_bundle,
        giveaway=float(bundle["both_before"] * per_bundle),
        loss_from=float(margin) / bundle_price,
        max_price_discount=float(bundles["break_even_price_discount"].iloc[1]),
        max_price_discount_at_take_up=float(bundle["break_even_price_discount"]),
    )


def _fractions(values: float | Sequence[float], name: str, *, high_inclusive: bool) -> np.ndarray:
    """One number or a non-empty sequence of numbers, each a fraction from 0."""
    many = isinstance(values, Iterable) and not isinstance(values, str | bytes)
    items = list(values) if many else [values]
    if not items:
        raise ValueError(f"{name}: expected at least one value, got an empty sequence")
    checked = [
        require_fraction(v, name, low_inclusive=True, high_inclusive=high_inclusive) for v in items
    ]
    return np.array(checked, dtype=float)


# --------------------------------------------------------------------------------------------
# Redundant rules
# --------------------------------------------------------------------------------------------

__all__ += ["rule_improvement", "prune_redundant"]

ANY_BASKET = "(any basket)"
"""Shown as the antecedent of the empty rule ``-> C``, whose confidence is the support of C."""


def rule_improvement(rules: pd.DataFrame, itemsets: pd.DataFrame) -> pd.DataFrame:
    """How much each rule's antecedent adds over its simpler rules (Bayardo's *improvement*).

    A rule A -> C is compared with every simpler rule A' -> C whose antecedent A' is a
    proper subset of A, the empty one included (the rule "any basket -> C", whose confidence
    is the support of C). Its improvement is

        improvement(A -> C) = confidence(A -> C) - max over A' of confidence(A' -> C),

    so a rule with improvement <= 0 has an item in its antecedent that does not raise the
    chance of C: it is *redundant*, a longer way of saying what a simpler rule says. For a
    one-item antecedent the only simpler rule is the empty one, and the improvement is
    confidence - support(C) = support(C) x (lift - 1): positive exactly when lift > 1.

    Parameters
    ----------
    rules : DataFrame
        Output of :func:`association_rules` (columns ``antecedents``, ``consequents`` and
        ``confidence``).
    itemsets : DataFrame
        The frequent itemsets the rules came from (output of :func:`frequent_itemsets`),
        holding every subset of every rule's itemset. With its ``count`` column the
        confidences are ratios of exact counts, so a redundant rule gets improvement 0.0
        exactly, not a rounding error.

    Returns
    -------
    DataFrame
        A copy of ``rules`` with two columns added: ``improvement`` and ``simpler_rule``, the
        simpler rule with the highest confidence (ties: the shortest, then by items), as
        text such as ``"beer -> diapers"`` or ``"(any basket) -> diapers"``. Row order is kept.

    Raises
    ------
    ValueError
        If the support of a subset is missing from ``itemsets`` (pass the full output of
        :func:`frequent_itemsets`, not a filtered part).

    Examples
    --------
    Chips add nothing to beer -> diapers: half of the beer baskets hold diapers, with or
    without chips.

    >>> baskets = [["beer", "chips", "diapers"], ["beer", "diapers"], ["beer", "chips"],
    ...            ["beer"], ["chips"], ["milk"]]
    >>> found = frequent_itemsets(baskets, min_support=1 / 6)
    >>> rules = association_rules(found, metric="confidence", min_threshold=0.5)
    >>> table = rule_improvement(rules, found)
    >>> table.loc[table["consequent_items"] == "diapers", ["rule", "improvement", "simpler_rule"]]
                          rule  improvement             simpler_rule
    4          beer -> diapers     0.166667  (any basket) -> diapers
    7  beer + chips -> diapers     0.000000          beer -> diapers
    """
    require_frame(rules, "rules", allow_empty=True)
    require_columns(rules, ["antecedents", "consequents", "confidence"], "rules")
    require_frame(itemsets, "itemsets", allow_empty=True)
    require_columns(itemsets, ["itemsets", "support"], "itemsets")
    sets = [frozenset(s) for s in itemsets["itemsets"]]
    if "count" in itemsets.columns:
        mass = dict(zip(sets, itemsets["count"].to_numpy(dtype=np.int64).tolist(), strict=True))
        total = int(round(mass[sets[0]] / float(itemsets["support"].iloc[0]))) if sets else 1
    else:
        mass = dict(zip(sets, itemsets["support"].to_numpy(dtype=float).tolist(), strict=True))
        total = 1.0
    rank = _item_ranks([*sets, *map(frozenset, rules["antecedents"])])

    def amount(itemset: frozenset, rule: str) -> float:
        if not itemset:
            return total
        if itemset not in mass:
            raise ValueError(
                f"itemsets: expected the support of every subset of each rule, but "
                f"{_display(sorted(itemset, key=rank.__getitem__))} (needed for the rule "
                f"{rule}) is missing; pass the full output of frequent_itemsets, not a "
                "filtered part"
            )
        return mass[itemset]

    improvements, simpler = [], []
    for a, c in zip(rules["antecedents"], rules["consequents"], strict=True):
        a, c = frozenset(a), frozenset(c)
        ordered = sorted(a, key=rank.__getitem__)
        text = f"{_display(ordered)} -> {_display(sorted(c, key=rank.__getitem__))}"
        confidence = amount(a | c, text) / amount(a, text)
        best, best_a = None, None
        for size in range(len(ordered)):  # shortest first, so ties keep the simplest
            for left in combinations(ordered, size):
                sub = frozenset(left)
                value = amount(sub | c, text) / amount(sub, text)
                if best is None or value > best:
                    best, best_a = value, left
        improvements.append(confidence - best)
        left_text = _display(best_a) if best_a else ANY_BASKET
        simpler.append(f"{left_text} -> {_display(sorted(c, key=rank.__getitem__))}")
    out = rules.copy()
    out["improvement"] = np.array(improvements, dtype=float)
    out["simpler_rule"] = pd.Series(simpler, index=rules.index, dtype="str")
    return out


def prune_redundant(
    rules: pd.DataFrame, itemsets: pd.DataFrame, min_improvement: float = 0.0
) -> pd.DataFrame:
    """Keep the rules whose antecedent beats every simpler rule by more than ``min_improvement``.

    A rule is dropped when some rule with fewer antecedent items (the empty antecedent
    included) predicts the same consequent at least as well, up to ``min_improvement``: see
    :func:`rule_improvement`. With the default 0, a rule survives only if each of its extra
    items raises the confidence at all; 0.01 asks for at least one percentage point.

    Parameters
    ----------
    rules, itemsets : DataFrame
        As for :func:`rule_improvement`.
    min_improvement : float in [0, 1), default 0
        Smallest confidence gain (a fraction) over every simpler rule; a rule must gain
        *more* than this to be kept.

    Returns
    -------
    DataFrame
        The kept rules, in their original order, with ``improvement`` and ``simpler_rule``
        added; the index is renumbered from 0.

    Examples
    --------
    >>> baskets = [["beer", "chips", "diapers"], ["beer", "diapers"], ["beer", "chips"],
    ...            ["beer"], ["chips"], ["milk"]]
    >>> found = frequent_itemsets(baskets, min_support=1 / 6)
    >>> rules = association_rules(found, metric="confidence", min_threshold=0.5)
    >>> len(rules), prune_redundant(rules, found)["rule"].tolist()
    (9, ['diapers -> beer', 'beer -> diapers', 'diapers -> beer + chips'])
    """
    threshold = require_fraction(
        min_improvement, "min_improvement", low_inclusive=True, high_inclusive=False
    )
    table = rule_improvement(rules, itemsets)
    return table[table["improvement"] > threshold].reset_index(drop=True)
